"""Synthetic nightly exports of one-stop (bộ phận một cửa) administrative-procedure dossiers.

A province's dossier system sends, every night, the dossiers whose state changed that day,
each with its full record as of the end of the day. :func:`generate` writes such exports for a
window of days, deterministically from a seed, for the demo province Quảng Trị (old GSO code
45). Agencies, procedures and who handles what are read from the dbt seeds in
``dbt_project/seeds/onestop`` so the generator, the warehouse and the docs agree.

Files: ``<out_dir>/onestop/onestop_YYYY-MM-DD.<csv|jsonl|xlsx>``, one per day, also for days
with no change (header only). When several formats are asked the days go round-robin between
them, so each day is delivered once. The file of day D holds every dossier whose status changed
on D, once, with its record as of the end of D; the window starts clean (nothing received
before it) and dossiers still open at its end simply stop appearing.

Columns (national sync names, in this order): see :data:`COLUMNS`.

- ``MaHoSo`` = the agency's ``sync_code`` (electronic identifier) + ``-yymmdd-`` (receipt
  date) + a 4-digit sequence per agency and day, e.g. ``000.00.02.H56-260302-0007``.
- Dates ``dd/mm/yyyy HH:MM:SS``, local time (Asia/Ho_Chi_Minh) without offset; ``""`` when
  unset. Receipts and processing steps fall in office hours (07:30–11:30, 13:30–17:00,
  Mon–Fri, a few receipts on Saturday morning); online submissions (``NgayNopHoSo``) may be
  at any hour, postal ones a few days before receipt.
- ``NgayHenTra`` = receipt day + ``legal_days`` working days (Mon–Fri, no public holidays),
  at 17:00:00. ``NgayHenTraMoi`` = the day the latest supplement was received + ``legal_days``
  working days, also at 17:00:00 (set once the supplement has been received).
- ``TrangThaiHoSo``: 2 received, 4 processing (also after a supplement was received),
  5 supplement requested, 7 withdrawn, 8 stopped/refused, 9 processed, 10 result returned.
  ``NgayKetThucXuLy`` is set for 7, 8, 9 and 10 (when processing ended / was stopped /
  the citizen withdrew); ``NgayTra`` for 10 only.
- ``ThanhToanTrucTuyen`` is empty when the procedure has no fee (``fee_vnd`` = 0).
- CSV: UTF-8 without BOM, ``,``, LF, csv-module quoting.
- JSONL: one object per line with the same scalar fields (integers for ``KenhThucHien``,
  ``TrangThaiHoSo``, ``SoLanBoSung``, ``ThanhToanTrucTuyen``, ``SoHoaHoSo``, ``XinLoi``;
  ``null`` for empty values) plus the lists ``GiayToNop``, ``PhiLePhi``, ``YeuCauBoSung``,
  ``KetQua``.
- XLSX: a two-row title block ("BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ", "Ngày xuất: dd/mm/yyyy"),
  then the header row and the rows (same typed values as JSONL, empty cells for empty values).
"""

from __future__ import annotations

import csv
import json
import os
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import TypeVar

from chiso.samples.xlsx import save_reproducible

T = TypeVar("T")

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "onestop"
FORMATS = ("csv", "jsonl", "xlsx")

COLUMNS = (
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "DonViXuLy",
    "KenhThucHien",
    "ChuHoSo",
    "SoGiayToChuHoSo",
    "SoDienThoai",
    "DiaChi",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "TrangThaiHoSo",
    "SoLanBoSung",
    "NgayHenTraMoi",
    "ThanhToanTrucTuyen",
    "SoHoaHoSo",
    "XinLoi",
)
XLSX_TITLE = "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"

# TrangThaiHoSo
RECEIVED, PROCESSING, SUPPLEMENT, WITHDRAWN, STOPPED, PROCESSED, RETURNED = 2, 4, 5, 7, 8, 9, 10
# KenhThucHien
IN_PERSON, ONLINE, POSTAL = 1, 2, 3

DAY = 86_400
_AM_OPEN, _AM_CLOSE = 7 * 3600 + 1800, 11 * 3600 + 1800
_PM_OPEN, _PM_CLOSE = 13 * 3600 + 1800, 17 * 3600
_DUE_SEC = _PM_CLOSE  # appointment dates are at 17:00:00

# ---------------------------------------------------------------------------------------------
# Tunables of the mix (generator behaviour, not reference data)

_WEEKDAY_VOLUME = (1.12, 1.04, 1.0, 0.98, 0.86, 0.05, 0.0)  # Mon..Sun, x dossiers_per_day
_TARGET_ONLINE = 0.50
_POSTAL_SHARE = 0.05
# ~12% end on the appointment day: 9.5% drawn, the rest are early ones that cannot be (one-day
# procedures whose processing starts the day after receipt)
_P_ON_DAY, _P_LATE = 0.095, 0.10
_P_SUPP1, _P_SUPP2, _P_WITHDRAWN, _P_STOPPED = 0.04, 0.01, 0.02, 0.01
_P_APOLOGY = 0.60

# relative daily volume by agency (default by level for agencies not listed)
_AGENCY_WEIGHT = {
    "QT-SKHDT": 6.0,
    "QT-STP": 6.0,
    "QT-STNMT": 9.0,
    "QT-SXD": 2.0,
    "QT-SGTVT": 8.0,
    "QT-SLDTBXH": 5.0,
    "QT-SYT": 2.0,
    "QT-SCT": 1.5,
    "QT-CAT": 8.0,
    "QT-DONGHA": 13.0,
    "QT-HAILANG": 9.0,
    "QT-DONGHA-P1": 16.0,
    "QT-HAILANG-DIENSANH": 9.0,
}
_LEVEL_WEIGHT = {"province": 3.0, "district": 8.0, "commune": 10.0}
# relative popularity of a procedure within its agency (default 1)
_PROCEDURE_WEIGHT = {
    "2.001199": 3.0,
    "1.009645": 0.2,
    "2.000505": 8.0,
    "2.000789": 0.3,
    "1.004227": 4.0,
    "1.004217": 2.0,
    "1.010728": 0.3,
    "1.009958": 1.5,
    "1.002809": 6.0,
    "1.002131": 4.0,
    "2.001283": 0.5,
    "2.001695": 5.0,
    "1.013104": 3.0,
    "1.001612": 3.0,
    "2.000720": 1.5,
    "1.011827": 3.0,
    "1.013978": 2.0,
    "1.001776": 1.5,
    "1.001193": 3.0,
    "1.004873": 2.0,
    "2.000635": 2.0,
    "2.000815": 10.0,
    "2.000884": 3.0,
    "2.001035": 1.5,
}
# how much more (or less) often a field is late than average (renormalised to mean 1)
_LATE_FACTOR = {
    "DD": 2.2,
    "XD": 1.6,
    "MT": 1.8,
    "DT": 2.0,
    "KCB": 1.5,
    "DUOC": 1.5,
    "BTXH": 1.3,
    "HT": 0.3,
    "CT": 0.2,
    "DKKD": 0.5,
    "HKD": 0.6,
    "XNC": 0.4,
    "DKX": 0.5,
    "DB": 0.6,
}
_ONLINE_LEVEL_FACTOR = {"full": 1.0, "partial": 0.6, "none": 0.0}

# ---------------------------------------------------------------------------------------------
# People and places

_FAMILY = (
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 5.0),
    ("Huỳnh", 2.0),
    ("Phan", 4.5),
    ("Vũ", 3.0),
    ("Võ", 4.0),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 2.0),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
)
_MIDDLE_M = (
    "Văn",
    "Văn",
    "Văn",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Quốc",
    "Công",
    "Xuân",
    "Đình",
    "Ngọc",
    "Anh",
    "Quang",
)
_MIDDLE_F = (
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thanh",
    "Minh",
    "Thu",
    "Kim",
    "Phương",
    "Hồng",
    "Diệu",
    "Bảo",
)
_GIVEN_M = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hoàng",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Nam",
    "Nhân",
    "Phong",
    "Phúc",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Lộc",
    "Toàn",
    "Kiên",
    "Duy",
    "Khoa",
)
_GIVEN_F = (
    "Anh",
    "Châu",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Tuyết",
    "Vân",
    "Yến",
    "Thủy",
    "Hiền",
    "Loan",
    "Nhi",
    "Uyên",
    "Xuân",
)
_ID_PROVINCES = ("044", "046", "040", "042", "001", "079", "048", "038")  # besides 045
_PHONE_PREFIXES = (
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "052",
    "056",
    "058",
    "059",
    "070",
    "076",
    "077",
    "078",
    "079",
    "081",
    "082",
    "083",
    "084",
    "085",
    "086",
    "088",
    "089",
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "099",
)
_DH_WARDS = (
    "phường 1",
    "phường 2",
    "phường 3",
    "phường 4",
    "phường 5",
    "phường Đông Giang",
    "phường Đông Lễ",
    "phường Đông Lương",
    "phường Đông Thanh",
)
_DH_STREETS = (
    "Lê Duẩn",
    "Hùng Vương",
    "Trần Hưng Đạo",
    "Lê Lợi",
    "Nguyễn Huệ",
    "Lý Thường Kiệt",
    "Hàm Nghi",
    "Trần Phú",
    "Điện Biên Phủ",
    "Lê Thánh Tông",
    "Nguyễn Du",
    "Phan Bội Châu",
    "Tôn Thất Thuyết",
    "Quốc lộ 9",
    "Nguyễn Trãi",
    "Lê Quý Đôn",
    "Ngô Quyền",
    "Bà Triệu",
    "Kim Đồng",
    "Trần Bình Trọng",
)
_HL_COMMUNES = (
    "xã Hải An",
    "xã Hải Ba",
    "xã Hải Chánh",
    "xã Hải Dương",
    "xã Hải Định",
    "xã Hải Hưng",
    "xã Hải Khê",
    "xã Hải Lâm",
    "xã Hải Phong",
    "xã Hải Phú",
    "xã Hải Quy",
    "xã Hải Quế",
    "xã Hải Sơn",
    "xã Hải Thượng",
    "xã Hải Trường",
)
_VILLAGES = (
    "Câu Nhi",
    "Mỹ Chánh",
    "Trường Sanh",
    "Xuân Lộc",
    "Thượng Xá",
    "Văn Quỹ",
    "Lương Điền",
    "Phước Điền",
    "Hội Kỳ",
    "Đại An Khê",
    "Tân Điền",
    "Phú Kinh",
    "An Thơ",
    "Mai Đàn",
    "Thuận Đức",
    "Lam Thủy",
)
_OTHER_AREAS = (
    ("thị trấn Ái Tử", "Triệu Phong"),
    ("xã Triệu Ái", "Triệu Phong"),
    ("xã Triệu Thành", "Triệu Phong"),
    ("thị trấn Gio Linh", "Gio Linh"),
    ("thị trấn Cửa Việt", "Gio Linh"),
    ("xã Gio Mỹ", "Gio Linh"),
    ("thị trấn Hồ Xá", "Vĩnh Linh"),
    ("xã Vĩnh Thủy", "Vĩnh Linh"),
    ("thị trấn Cam Lộ", "Cam Lộ"),
    ("xã Cam Thủy", "Cam Lộ"),
    ("phường 1", "thị xã Quảng Trị"),
    ("phường 2", "thị xã Quảng Trị"),
    ("thị trấn Khe Sanh", "Hướng Hóa"),
    ("thị trấn Lao Bảo", "Hướng Hóa"),
    ("thị trấn Krông Klang", "Đakrông"),
)

# submitted documents: (keyword in the procedure name, documents); first match wins, then the
# field's list, then the generic one. The first two documents are always submitted.
_DOCS_BY_KEYWORD = (
    (
        "trích lục",
        (
            "Tờ khai cấp bản sao trích lục hộ tịch",
            "Giấy tờ tùy thân của người yêu cầu",
            "Văn bản ủy quyền (nếu có)",
        ),
    ),
    (
        "khai sinh",
        (
            "Tờ khai đăng ký khai sinh",
            "Giấy chứng sinh",
            "Giấy tờ tùy thân của người đi đăng ký",
            "Văn bản ủy quyền (nếu có)",
        ),
    ),
    (
        "kết hôn",
        (
            "Tờ khai đăng ký kết hôn",
            "Giấy tờ tùy thân của hai bên nam, nữ",
            "Giấy xác nhận tình trạng hôn nhân",
        ),
    ),
    (
        "khai tử",
        (
            "Tờ khai đăng ký khai tử",
            "Giấy báo tử hoặc giấy tờ thay Giấy báo tử",
            "Giấy tờ tùy thân của người đi đăng ký",
        ),
    ),
    (
        "tình trạng hôn nhân",
        (
            "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
            "Giấy tờ tùy thân của người yêu cầu",
            "Giấy tờ chứng minh việc ly hôn (nếu có)",
        ),
    ),
    (
        "chữ ký",
        ("Giấy tờ, văn bản cần chứng thực chữ ký", "Giấy tờ tùy thân của người yêu cầu chứng thực"),
    ),
    (
        "hợp đồng",
        (
            "Dự thảo hợp đồng, giao dịch",
            "Giấy tờ tùy thân của các bên",
            "Bản sao Giấy chứng nhận quyền sử dụng đất",
            "Giấy tờ chứng minh quyền sở hữu tài sản",
        ),
    ),
    (
        "hộ chiếu",
        (
            "Tờ khai đề nghị cấp hộ chiếu phổ thông",
            "Ảnh chân dung 4x6",
            "Hộ chiếu phổ thông cấp lần gần nhất (nếu có)",
        ),
    ),
    (
        "thất nghiệp",
        (
            "Đề nghị hưởng trợ cấp thất nghiệp",
            "Bản sao quyết định thôi việc hoặc chấm dứt hợp đồng lao động",
            "Sổ bảo hiểm xã hội",
        ),
    ),
)
_DOCS_BY_FIELD = {
    "DKKD": (
        "Giấy đề nghị đăng ký doanh nghiệp",
        "Điều lệ công ty",
        "Bản sao giấy tờ pháp lý của cá nhân đối với chủ sở hữu",
        "Văn bản ủy quyền cho người đi nộp hồ sơ (nếu có)",
    ),
    "DT": (
        "Văn bản đề nghị thực hiện dự án đầu tư",
        "Đề xuất dự án đầu tư",
        "Bản sao báo cáo tài chính 02 năm gần nhất của nhà đầu tư",
        "Tài liệu về quyền sử dụng địa điểm thực hiện dự án",
    ),
    "LLTP": (
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
        "Bản chụp giấy tờ tùy thân",
        "Văn bản ủy quyền (nếu có)",
    ),
    "CC": (
        "Đơn đề nghị đăng ký hành nghề",
        "Quyết định bổ nhiệm công chứng viên",
        "Ảnh chân dung 2x3",
    ),
    "DD": (
        "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất",
        "Bản gốc Giấy chứng nhận đã cấp",
        "Hợp đồng, văn bản về chuyển quyền đã công chứng, chứng thực",
        "Tờ khai lệ phí trước bạ",
        "Tờ khai thuế thu nhập cá nhân",
    ),
    "MT": (
        "Văn bản đề nghị cấp giấy phép môi trường",
        "Báo cáo đề xuất cấp giấy phép môi trường",
        "Bản sao báo cáo nghiên cứu khả thi của dự án",
    ),
    "XD": (
        "Đơn đề nghị cấp giấy phép xây dựng",
        "Bản sao giấy tờ chứng minh quyền sử dụng đất",
        "Bản vẽ thiết kế xây dựng",
        "Cam kết bảo đảm an toàn đối với công trình liền kề",
    ),
    "DB": (
        "Đơn đề nghị",
        "Bản sao giấy tờ tùy thân",
        "Giấy khám sức khỏe của người lái xe",
        "Bản sao giấy phép lái xe",
    ),
    "VL": (
        "Văn bản đề nghị cấp giấy phép lao động",
        "Giấy chứng nhận sức khỏe",
        "Phiếu lý lịch tư pháp",
        "Bản sao hộ chiếu",
        "Ảnh màu 4x6",
    ),
    "KCB": (
        "Đơn đề nghị cấp chứng chỉ hành nghề",
        "Bản sao văn bằng chuyên môn",
        "Giấy xác nhận quá trình thực hành",
        "Giấy chứng nhận đủ sức khỏe để hành nghề",
    ),
    "DUOC": (
        "Đơn đề nghị cấp Giấy chứng nhận đủ điều kiện kinh doanh dược",
        "Tài liệu kỹ thuật về địa điểm, khu vực bảo quản",
        "Bản sao Chứng chỉ hành nghề dược",
    ),
    "LTHN": (
        "Đơn đề nghị cấp giấy phép",
        "Bản sao Giấy chứng nhận đăng ký doanh nghiệp",
        "Tài liệu chứng minh quyền sử dụng địa điểm kinh doanh",
        "Bản cam kết",
    ),
    "DKX": (
        "Giấy khai đăng ký xe",
        "Chứng từ nguồn gốc xe",
        "Chứng từ lệ phí trước bạ",
        "Chứng từ chuyển quyền sở hữu xe (nếu có)",
    ),
    "HKD": (
        "Giấy đề nghị đăng ký hộ kinh doanh",
        "Bản sao giấy tờ pháp lý của cá nhân",
        "Biên bản họp thành viên hộ gia đình (nếu có)",
    ),
    "BTXH": (
        "Tờ khai đề nghị trợ giúp xã hội",
        "Bản sao giấy tờ tùy thân của đối tượng",
        "Giấy xác nhận khuyết tật (nếu có)",
    ),
    "CT": (
        "Bản chính giấy tờ, văn bản làm cơ sở chứng thực",
        "Bản sao cần chứng thực",
        "Giấy tờ tùy thân của người yêu cầu",
    ),
}
_DOCS_GENERIC = ("Đơn đề nghị", "Bản sao giấy tờ tùy thân", "Giấy tờ khác có liên quan")
_REFUSAL_RESULT = "Văn bản thông báo từ chối giải quyết hồ sơ"


# ---------------------------------------------------------------------------------------------
# Reference data


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    level: str
    kind: str
    sync_code: str  # electronic identifier, prefix of MaHoSo


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field_code: str
    field_name: str
    level: str
    legal_days: int
    online_level: str
    fee: int
    result_name: str


@dataclass(frozen=True)
class Reference:
    agencies: tuple[Agency, ...]  # seed order
    procedures: dict[str, Procedure]
    handled: dict[str, tuple[str, ...]]  # agency_code -> procedure codes, seed order


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def load_reference(seeds_dir: Path | None = None) -> Reference:
    """Read and check ``ref_agencies``, ``ref_procedures`` and ``ref_agency_procedures``."""
    d = Path(seeds_dir) if seeds_dir is not None else SEEDS_DIR
    agencies = tuple(
        Agency(
            code=r["agency_code"],
            name=r["agency_name"],
            level=r["level"],
            kind=r["kind"],
            sync_code=r.get("sync_code") or r["agency_code"],
        )
        for r in _read_csv(d / "ref_agencies.csv")
    )
    procedures: dict[str, Procedure] = {}
    for r in _read_csv(d / "ref_procedures.csv"):
        p = Procedure(
            code=r["procedure_code"],
            name=r["procedure_name"],
            field_code=r["field_code"],
            field_name=r["field_name"],
            level=r["agency_level"],
            legal_days=int(r["legal_days"]),
            online_level=r["online_level"],
            fee=int(r.get("fee_vnd") or 0),
            result_name=r.get("result_name") or "Kết quả giải quyết thủ tục hành chính",
        )
        if p.legal_days < 1:
            raise ValueError(f"ref_procedures: {p.code} legal_days must be >= 1")
        if p.online_level not in _ONLINE_LEVEL_FACTOR:
            raise ValueError(f"ref_procedures: {p.code} online_level {p.online_level!r}")
        if p.code in procedures:
            raise ValueError(f"ref_procedures: duplicate {p.code}")
        procedures[p.code] = p
    by_code = {a.code: a for a in agencies}
    if len(by_code) != len(agencies):
        raise ValueError("ref_agencies: duplicate agency_code")
    handled: dict[str, list[str]] = {}
    for r in _read_csv(d / "ref_agency_procedures.csv"):
        a, p = r["agency_code"], r["procedure_code"]
        if a not in by_code:
            raise ValueError(f"ref_agency_procedures: unknown agency {a}")
        if p not in procedures:
            raise ValueError(f"ref_agency_procedures: unknown procedure {p}")
        if procedures[p].level != by_code[a].level:
            raise ValueError(
                f"ref_agency_procedures: {a} ({by_code[a].level}) cannot handle {p} "
                f"({procedures[p].level})"
            )
        if p not in handled.setdefault(a, []):
            handled[a].append(p)
    return Reference(agencies, procedures, {k: tuple(v) for k, v in handled.items()})


class _Random(random.Random):
    """``random.Random`` plus cheap integer draws (``randrange``/``choice`` are slow)."""

    def below(self, n: int) -> int:
        """An integer in [0, n)."""
        return int(self.random() * n)

    def between(self, a: int, b: int) -> int:
        """An integer in [a, b]."""
        return a + int(self.random() * (b - a + 1))

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]


# ---------------------------------------------------------------------------------------------
# Time helpers (times are int seconds since 00:00 of the window's first day)


class _Calendar:
    """Working days (Mon–Fri) as day indices from the window's first day."""

    def __init__(self, start: date, horizon: int):
        self.wd0 = start.weekday()
        self.work = [d for d in range(horizon) if (self.wd0 + d) % 7 < 5]
        self.ge = [bisect_left(self.work, d) for d in range(horizon + 2)]

    def is_work(self, d: int) -> bool:
        return (self.wd0 + d) % 7 < 5

    def add(self, d: int, n: int) -> int:
        """The n-th working day strictly after day d (n >= 1)."""
        return self.work[self.ge[d + 1] + n - 1]


def _office_between(rng: _Random, lo: int, hi: int) -> int | None:
    """A uniform second of office hours in [lo, hi), or None if there is none."""
    a1 = lo if lo > _AM_OPEN else _AM_OPEN
    b1 = hi if hi < _AM_CLOSE else _AM_CLOSE
    a2 = lo if lo > _PM_OPEN else _PM_OPEN
    b2 = hi if hi < _PM_CLOSE else _PM_CLOSE
    l1 = b1 - a1 if b1 > a1 else 0
    l2 = b2 - a2 if b2 > a2 else 0
    if l1 + l2 <= 0:
        return None
    x = int(rng.random() * (l1 + l2))
    return a1 + x if x < l1 else a2 + x - l1


def _office_time(rng: _Random, saturday: bool = False) -> int:
    """A receipt time: mornings busier than afternoons; Saturday mornings only."""
    if saturday or rng.random() < 0.6:
        return _AM_OPEN + rng.below(_AM_CLOSE - _AM_OPEN)
    return _PM_OPEN + rng.below(_PM_CLOSE - _PM_OPEN)


# ---------------------------------------------------------------------------------------------
# The simulation


_EARLY, _ON_DAY, _LATE, _SUPP1, _SUPP2, _WITHDRAW, _STOP = range(7)


class _Dossier:
    __slots__ = (
        "apology_day",
        "docs",
        "electronic",
        "end_s",
        "events",
        "fee",
        "head",
        "pay_online",
        "reqs",
        "result_name",
        "ret_s",
        "static",
        "t_end",
        "t_ret",
        "tail",
    )


class _Generator:
    def __init__(
        self, ref: Reference, start: date, days: int, seed: int, agencies: int | None, per_day: int
    ):
        self.rng = _Random(seed)
        self.start = start
        self.per_day = per_day
        self.cal = _Calendar(start, days + 500)
        self._dcache: dict[int, str] = {}
        self._tcache: dict[int, str] = {}

        active = [a for a in ref.agencies if ref.handled.get(a.code)]
        if agencies is not None:
            if agencies < 1 or agencies > len(active):
                raise ValueError(f"agencies must be between 1 and {len(active)}")
            active = active[:agencies]
        self.agencies = active
        weights = [_AGENCY_WEIGHT.get(a.code, _LEVEL_WEIGHT.get(a.level, 3.0)) for a in active]
        self.agency_cum = list(accumulate(weights))
        self.procs: list[list[Procedure]] = []
        self.proc_cum: list[list[float]] = []
        share: list[tuple[Procedure, float]] = []  # (procedure, share of all dossiers)
        total_w = sum(weights)
        for a, w in zip(active, weights, strict=True):
            ps = [ref.procedures[c] for c in ref.handled[a.code]]
            pw = [_PROCEDURE_WEIGHT.get(p.code, 1.0) for p in ps]
            self.procs.append(ps)
            self.proc_cum.append(list(accumulate(pw)))
            share += [(p, w / total_w * x / sum(pw)) for p, x in zip(ps, pw, strict=True)]

        # channel: scale online take-up so ~50% of all dossiers are filed online
        eligible = sum(s * _ONLINE_LEVEL_FACTOR[p.online_level] for p, s in share)
        k = min(0.92, _TARGET_ONLINE / eligible) if eligible > 0 else 0.0
        self.p_online = {p.code: k * _ONLINE_LEVEL_FACTOR[p.online_level] for p, _ in share}
        self.p_postal = _POSTAL_SHARE / (1 - _TARGET_ONLINE)
        # outcome categories: lateness varies by field, ~10% overall
        mean_factor = sum(s * _LATE_FACTOR.get(p.field_code, 1.0) for p, s in share) or 1.0
        self.outcome_cum: dict[str, list[float]] = {}
        for p, _ in share:
            late = min(0.35, _P_LATE * _LATE_FACTOR.get(p.field_code, 1.0) / mean_factor)
            rest = (_P_ON_DAY, late, _P_SUPP1, _P_SUPP2, _P_WITHDRAWN, _P_STOPPED)
            probs = (1.0 - sum(rest), *rest)
            self.outcome_cum[p.code] = list(accumulate(probs))
        self.address = {a.code: self._address_fn(a) for a in active}
        self.docs = {
            p.code: tuple(
                (doc, 1.0 if i < 2 else 0.3 if "(nếu có)" in doc else 0.7)
                for i, doc in enumerate(self._doc_names(p))
            )
            for p, _ in share
        }
        # MaTTHC,TenTTHC,MaLinhVuc,DonViXuLy as CSV, per (agency, procedure)
        self.head_mid = {
            (a.code, p.code): ",".join(
                _csv_field(v) for v in (p.code, p.name, p.field_code, a.code)
            )
            for a, ps in zip(active, self.procs, strict=True)
            for p in ps
        }
        self.family_cum = list(accumulate(w for _, w in _FAMILY))
        self.seq: dict[tuple[str, int], int] = {}

    # -- formatting -----------------------------------------------------------------------

    def fmt(self, t: int) -> str:
        d, s = divmod(t, DAY)
        ds = self._dcache.get(d)
        if ds is None:
            ds = self._dcache[d] = (self.start + timedelta(days=d)).strftime("%d/%m/%Y ")
        ts = self._tcache.get(s)
        if ts is None:
            ts = self._tcache[s] = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
        return ds + ts

    # -- people ---------------------------------------------------------------------------

    def _person(self) -> tuple[str, str, str]:
        rng = self.rng
        r = rng.random
        family = _FAMILY[bisect_right(self.family_cum, r() * self.family_cum[-1])][0]
        male = r() < 0.5
        middles, givens = (_MIDDLE_M, _GIVEN_M) if male else (_MIDDLE_F, _GIVEN_F)
        middle = middles[int(r() * len(middles))]
        given = givens[int(r() * len(givens))]
        while given == middle:
            given = givens[int(r() * len(givens))]
        if r() < 0.12:  # a second middle name: "Nguyễn Thị Thu Hà"
            extra = middles[3 + int(r() * (len(middles) - 3))]
            if extra != middle and extra != given:
                middle = f"{middle} {extra}"
        name = f"{family} {middle} {given}"
        year = int(rng.triangular(1950, 2005, 1984))
        century = (0 if year < 2000 else 2) + (0 if male else 1)
        prov = "045" if r() < 0.8 else _ID_PROVINCES[int(r() * len(_ID_PROVINCES))]
        cid = f"{prov}{century}{year % 100:02d}{int(r() * 1_000_000):06d}"
        phone = f"{_PHONE_PREFIXES[int(r() * len(_PHONE_PREFIXES))]}{int(r() * 10_000_000):07d}"
        return name, cid, phone

    def _address_fn(self, a: Agency) -> Callable[[_Random], str]:
        name = a.name

        def dong_ha(rng: _Random, ward: str | None = None) -> str:
            ward = ward or rng.pick(_DH_WARDS)
            street = rng.pick(_DH_STREETS)
            road = street if street.startswith("Quốc lộ") else f"đường {street}"
            n = rng.between(1, 260)
            num = f"Số {n}" if rng.random() < 0.8 else f"Số {n}/{rng.between(1, 40)}"
            return f"{num}, {road}, {ward}, Đông Hà"

        def hai_lang(rng: _Random, town: bool | None = None) -> str:
            if town or (town is None and rng.random() < 0.25):
                return f"Khu phố {rng.between(1, 9)}, thị trấn Diên Sanh, Hải Lăng"
            return f"Thôn {rng.pick(_VILLAGES)}, {rng.pick(_HL_COMMUNES)}, Hải Lăng"

        def other(rng: _Random) -> str:
            area, district = rng.pick(_OTHER_AREAS)
            if area.startswith("xã"):
                return f"Thôn {rng.pick(_VILLAGES)}, {area}, {district}"
            return f"Khu phố {rng.between(1, 9)}, {area}, {district}"

        def province(rng: _Random) -> str:
            x = rng.random()
            return dong_ha(rng) if x < 0.4 else hai_lang(rng) if x < 0.55 else other(rng)

        if "phường 1" in name and "Đông Hà" in name:
            return lambda rng: dong_ha(rng, "phường 1") if rng.random() < 0.85 else dong_ha(rng)
        if "Diên Sanh" in name:
            return lambda rng: hai_lang(rng, True) if rng.random() < 0.85 else hai_lang(rng)
        if "Đông Hà" in name:
            return lambda rng: dong_ha(rng) if rng.random() < 0.9 else province(rng)
        if "Hải Lăng" in name:
            return lambda rng: hai_lang(rng) if rng.random() < 0.9 else province(rng)
        return province

    @staticmethod
    def _doc_names(p: Procedure) -> tuple[str, ...]:
        low = p.name.lower()
        for kw, docs in _DOCS_BY_KEYWORD:
            if kw in low:
                return docs
        return _DOCS_BY_FIELD.get(p.field_code, _DOCS_GENERIC)

    # -- timeline -------------------------------------------------------------------------

    def _time_on(self, day: int, after: int) -> int | None:
        """An office-hours time on `day` strictly after `after` (if on the same day)."""
        base = day * DAY
        lo = _AM_OPEN if after < base else after - base + 60
        s = _office_between(self.rng, lo, _PM_CLOSE)
        return None if s is None else base + s

    def _on_or_after(self, day: int, after: int) -> int:
        """`_time_on(day, after)`, moving to the next working days while there is no room."""
        while True:
            t = self._time_on(day, after)
            if t is not None:
                return t
            day = self.cal.add(day, 1)

    def _some_day(self, after: int, last_day: int, k_max: int | None, skew: float) -> int:
        """A time on a working day in [day of `after`, last_day] (skewed towards the first)."""
        cal = self.cal
        i0 = cal.ge[after // DAY]
        n = max(0, cal.ge[last_day] - i0)  # working days before last_day
        if k_max is not None:
            n = min(n, k_max)
        k = int((n + 1) * self.rng.random() ** skew)
        return self._on_or_after(cal.work[i0 + min(k, n)], after)

    def _finish_before(self, after: int, due: int) -> int:
        """Finish on a working day before the appointment day (on it if there is none)."""
        cal = self.cal
        i0 = cal.ge[after // DAY]
        n = cal.ge[due] - i0
        if n > 0:
            k = int(n * self.rng.random() ** 1.7)
            for j in range(k, n):
                t = self._time_on(cal.work[i0 + j], after)
                if t is not None:
                    return t
        return self._on_or_after(due, after)

    def _dossier(self, d: int, recv: int, agency: Agency, proc: Procedure, code: str) -> _Dossier:
        rng, cal = self.rng, self.cal
        legal = proc.legal_days
        t_recv = d * DAY + recv
        due = cal.add(d, legal)

        # channel and submission time
        x = rng.random()
        p_on = self.p_online[proc.code]
        if x < p_on:
            channel = ONLINE
            if rng.random() < 0.55 and recv - 60 > 6 * 3600:
                t_sub = d * DAY + rng.between(6 * 3600, recv - 61)
            else:
                t_sub = (d - rng.between(1, 3)) * DAY + rng.between(6 * 3600, 23 * 3600 + 1799)
        elif proc.online_level != "none" and rng.random() < self.p_postal:
            channel = POSTAL
            t_sub = (d - rng.between(1, 4)) * DAY + _office_time(rng)
        else:
            channel = IN_PERSON
            t_sub = t_recv - rng.between(20, min(900, max(20, recv - _AM_OPEN)))

        name, cid, phone = self._person()
        addr = self.address[agency.code](rng)

        # fees, digitisation, documents, result
        fee = proc.fee
        if fee > 0:
            pay_online = 1 if rng.random() < (0.65 if channel == ONLINE else 0.15) else 0
        else:
            pay_online = None
        digitised = rng.random() < (0.8 if channel == ONLINE else 0.62 if channel == 1 else 0.5)
        docs = []
        for doc, p_include in self.docs[proc.code]:
            if p_include < 1.0 and rng.random() >= p_include:
                continue
            scanned = digitised or rng.random() < 0.3
            docs.append([doc, scanned, scanned and rng.random() < 0.15])
        if not digitised and all(doc[1] for doc in docs):
            docs[-1][1] = docs[-1][2] = False
        electronic = rng.random() < (0.85 if channel == ONLINE else 0.4)

        # processing starts on the day of receipt (most) or the next working day
        t_proc = None
        if cal.is_work(d) and rng.random() < (0.9 if legal <= 1 else 0.72):
            s = _office_between(rng, recv + 120, min(recv + 4 * 3600, _PM_CLOSE))
            if s is not None:
                t_proc = d * DAY + s
        if t_proc is None:
            t_proc = cal.add(d, 1) * DAY + _AM_OPEN + rng.below(2 * 3600)
        events = [(t_recv, RECEIVED), (t_proc, PROCESSING)]

        x = rng.random() * 0.999999
        cat = bisect_right(self.outcome_cum[proc.code], x)
        reqs: list[tuple[int, int, int, int]] = []
        after, due_now, apology_day = t_proc, due, None
        if cat in (_SUPP1, _SUPP2):
            for _ in range(1 if cat == _SUPP1 else 2):
                t_req = self._some_day(after, due_now, 3, 1.5)
                wait = 1 + min(int(rng.expovariate(0.45)), 14)
                t_sup = self._on_or_after(cal.add(t_req // DAY, wait), t_req)
                new_due = cal.add(t_sup // DAY, legal)
                reqs.append((t_req, t_sup, due_now, new_due))
                events += [(t_req, SUPPLEMENT), (t_sup, PROCESSING)]
                after, due_now = t_sup, new_due
            cat = _EARLY if rng.random() < 0.85 else _ON_DAY
        if cat == _EARLY:
            t_end, final = self._finish_before(after, due_now), PROCESSED
        elif cat == _ON_DAY:
            t_end, final = self._on_or_after(due_now, after), PROCESSED
        elif cat == _LATE:
            lateness = 1 + min(int(rng.expovariate(1.0 / (0.8 + 0.12 * legal))), 40)
            t_end, final = self._on_or_after(cal.add(due_now, lateness), after), PROCESSED
            if rng.random() < _P_APOLOGY:
                apology_day = due_now
        else:
            t_end = self._some_day(after, due_now, None, 1.0)
            final = WITHDRAWN if cat == _WITHDRAW else STOPPED
        events.append((t_end, final))
        t_ret = None
        if final == PROCESSED:
            if rng.random() < (0.8 if electronic else 0.45):
                day = t_end // DAY  # returned the day it was processed
            else:
                day = cal.add(t_end // DAY, 1 if rng.random() < 0.65 else 2)
            t_ret = self._on_or_after(day, t_end)
            events.append((t_ret, RETURNED))

        dos = _Dossier()
        dos.static = [
            code,
            proc.code,
            proc.name,
            proc.field_code,
            agency.code,
            channel,
            name,
            cid,
            phone,
            addr,
            self.fmt(t_sub),
            self.fmt(t_recv),
            self.fmt(due * DAY + _DUE_SEC),
        ]
        dos.head = (
            f"{_csv_field(code)},{self.head_mid[agency.code, proc.code]},{channel},"
            f"{_csv_field(name)},{cid},{phone},{_csv_field(addr)},"
            f"{dos.static[10]},{dos.static[11]},{dos.static[12]}"
        )
        dos.tail = ("" if pay_online is None else pay_online, 1 if digitised else 0)
        dos.events = events
        dos.reqs = reqs
        dos.t_end = t_end
        dos.end_s = self.fmt(t_end)
        dos.t_ret = t_ret
        dos.ret_s = "" if t_ret is None else self.fmt(t_ret)
        dos.apology_day = apology_day
        dos.result_name = _REFUSAL_RESULT if final == STOPPED else proc.result_name
        dos.electronic = electronic
        dos.docs = docs
        dos.fee = fee
        dos.pay_online = pay_online
        return dos

    def receipts(self, d: int) -> list[_Dossier]:
        """The dossiers received on day d (in receipt order)."""
        rng = self.rng
        wd = (self.cal.wd0 + d) % 7
        n = int(self.per_day * _WEEKDAY_VOLUME[wd] * (0.92 + 0.16 * rng.random()) + 0.5)
        if wd == 5 and self.per_day > 0 and n == 0 and rng.random() < 0.5:
            n = 1
        picks = []
        total = self.agency_cum[-1]
        for _ in range(n):
            ai = bisect_right(self.agency_cum, rng.random() * total)
            picks.append((_office_time(rng, saturday=wd == 5), ai))
        picks.sort()
        yymmdd = (self.start + timedelta(days=d)).strftime("%y%m%d")
        out = []
        for recv, ai in picks:
            agency = self.agencies[ai]
            cum = self.proc_cum[ai]
            proc = self.procs[ai][bisect_right(cum, rng.random() * cum[-1])]
            key = (agency.code, d)
            seq = self.seq[key] = self.seq.get(key, 0) + 1
            code = f"{agency.sync_code}-{yymmdd}-{seq:04d}"
            out.append(self._dossier(d, recv, agency, proc, code))
        return out

    # -- state as of the end of a day ------------------------------------------------------

    def state(self, dos: _Dossier, d: int) -> tuple:
        """The changing fields as of the end of day d:
        (time of the day's last change, NgayKetThucXuLy, NgayTra, TrangThaiHoSo, SoLanBoSung,
        NgayHenTraMoi, XinLoi)."""
        cutoff = (d + 1) * DAY
        status, last = RECEIVED, 0
        for t, st in dos.events:
            if t >= cutoff:
                break
            status, last = st, t
        n_req, new_due = 0, ""
        for t_req, t_sup, _old, new in dos.reqs:
            if t_req < cutoff:
                n_req += 1
                if t_sup < cutoff:
                    new_due = self.fmt(new * DAY + _DUE_SEC)
        end = dos.end_s if dos.t_end < cutoff else ""
        ret = dos.ret_s if dos.t_ret is not None and dos.t_ret < cutoff else ""
        apology = 1 if dos.apology_day is not None and dos.apology_day <= d else 0
        return last, end, ret, status, n_req, new_due, apology

    @staticmethod
    def row(dos: _Dossier, st: tuple) -> list:
        """The flat record (values in :data:`COLUMNS` order) for a :meth:`state`."""
        return [*dos.static, st[1], st[2], st[3], st[4], st[5], *dos.tail, st[6]]

    @staticmethod
    def csv_line(dos: _Dossier, st: tuple) -> str:
        """``row`` as a CSV line, exactly as ``csv.writer`` writes it (only the precomputed
        head can need quoting)."""
        pay, dig = dos.tail
        return f"{dos.head},{st[1]},{st[2]},{st[3]},{st[4]},{st[5]},{pay},{dig},{st[6]}\n"

    def nested(self, dos: _Dossier, d: int, st: tuple) -> dict:
        """The JSONL object: typed scalars (None when empty) plus the nested lists."""
        row = self.row(dos, st)
        obj = {k: (None if v == "" else v) for k, v in zip(COLUMNS, row, strict=True)}
        obj["GiayToNop"] = [{"TenGiayTo": n, "DaSoHoa": s, "TaiSuDung": r} for n, s, r in dos.docs]
        obj["PhiLePhi"] = (
            [{"SoTien": dos.fee, "ThanhToanTrucTuyen": bool(dos.pay_online)}] if dos.fee else []
        )
        cutoff = (d + 1) * DAY
        obj["YeuCauBoSung"] = [
            {
                "NgayYeuCau": self.fmt(t_req),
                "NgayHenTraCu": self.fmt(old * DAY + _DUE_SEC),
                "NgayHenTraMoi": self.fmt(new * DAY + _DUE_SEC) if t_sup < cutoff else None,
            }
            for t_req, t_sup, old, new in dos.reqs
            if t_req < cutoff
        ]
        if st[3] in (PROCESSED, RETURNED, STOPPED):
            obj["KetQua"] = [{"TenKetQua": dos.result_name, "KetQuaDienTu": dos.electronic}]
        else:
            obj["KetQua"] = []
        return obj


def _csv_field(v: str) -> str:
    """QUOTE_MINIMAL quoting, as the csv module does it for a non-empty field."""
    if "," in v or '"' in v or "\n" in v or "\r" in v:
        return '"' + v.replace('"', '""') + '"'
    return v


# ---------------------------------------------------------------------------------------------
# Writers


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_csv(path: Path, lines: list[str]) -> None:
    _atomic_write(path, (",".join(COLUMNS) + "\n" + "".join(lines)).encode("utf-8"))


def _write_jsonl(path: Path, objs: list[dict]) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    _atomic_write(path, "".join(dumps(o) + "\n" for o in objs).encode("utf-8"))


def _write_xlsx(path: Path, rows: list[list], day: date) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.creator = "Hệ thống thông tin giải quyết thủ tục hành chính"
    ws = wb.create_sheet("HoSo")
    ws.append([XLSX_TITLE])
    ws.append([f"Ngày xuất: {day:%d/%m/%Y}"])
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append([None if v == "" else v for v in r])
    # the export time: 23:00 local = 16:00 UTC
    save_reproducible(wb, path, datetime(day.year, day.month, day.day, 16, 0, 0))


# ---------------------------------------------------------------------------------------------


def generate(
    out_dir: Path,
    start: date,
    days: int,
    seed: int = 1,
    agencies: int | None = None,
    dossiers_per_day: int = 200,
    formats: tuple[str, ...] = ("csv",),
    *,
    seeds_dir: Path | None = None,
) -> list[Path]:
    """Write the nightly exports for days [start, start + days) into ``out_dir / "onestop"``.

    ``agencies`` keeps the first N agencies (seed order) that handle at least one procedure;
    ``dossiers_per_day`` is the average number of receipts on a working day (Saturdays get a
    few, Sundays none). Days go round-robin over ``formats``. The same arguments give
    byte-identical files. Returns the written paths, sorted.
    """
    if isinstance(formats, str):
        formats = (formats,)
    bad = [f for f in formats if f not in FORMATS]
    if not formats or bad:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {formats!r}")
    if days < 0 or dossiers_per_day < 0:
        raise ValueError("days and dossiers_per_day must be >= 0")
    gen = _Generator(load_reference(seeds_dir), start, days, seed, agencies, dossiers_per_day)
    target = Path(out_dir) / "onestop"
    target.mkdir(parents=True, exist_ok=True)

    buckets: dict[int, list[_Dossier]] = {}
    written = []
    for d in range(days):
        for dos in gen.receipts(d):
            for day in sorted({t // DAY for t, _ in dos.events}):
                if day >= days:
                    break
                buckets.setdefault(day, []).append(dos)
        today = [(gen.state(dos, d), dos) for dos in buckets.pop(d, ())]
        today.sort(key=lambda x: (x[0][0], x[1].static[0]))
        fmt = formats[d % len(formats)]
        day = start + timedelta(days=d)
        path = target / f"onestop_{day:%Y-%m-%d}.{fmt}"
        if fmt == "csv":
            _write_csv(path, [gen.csv_line(dos, st) for st, dos in today])
        elif fmt == "jsonl":
            _write_jsonl(path, [gen.nested(dos, d, st) for st, dos in today])
        else:
            _write_xlsx(path, [gen.row(dos, st) for st, dos in today], day)
        written.append(path)
    return sorted(written)
