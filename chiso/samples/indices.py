"""Synthetic index results, satisfaction-survey answers and plan targets (deterministic).

Writes, for the years before the window's start (at most 2024, the last 63-province edition):

- ``index_results/pci_<year>.xlsx`` for two years: the official WIDE layout (title row "CHỈ SỐ
  NĂNG LỰC CẠNH TRANH CẤP TỈNH (PCI) NĂM <year>", then STT, Tỉnh/Thành phố, the ten
  sub-indices, PCI, Xếp hạng) for all 63 provinces, names as published ("TP. Hải Phòng",
  "Thừa Thiên Huế"), composites = Σ catalogue weight × sub-index × 10, ranks 1..63;
- ``index_results/indices_long_<year>.csv``: LONG rows (PAR INDEX, SIPAS and the survey
  indicators of seed 001 for the demo province Quảng Trị) with decimal commas and percents;
- ``survey_responses/sipas_<start>.csv``: SIPAS-style answers (1–5) of about ten respondents
  per working day in the window for a few departments, five elements each;
- ``index_results/thanh_hoa_2021_ranks.csv``: the ranks seed 002 (Kế hoạch 211/KH-UBND of
  Thanh Hóa) quotes as published for 2021 — PAPI 3, PAR INDEX 14, SIPAS 24, PCI 43 of 63 —
  real figures, not marked synthetic (Thanh Hóa is left out of a generated 2021 PCI table);
- ``targets/targets_2025.csv``: seed 001's appendix as the plan writes it: its 18 indicators,
  target values to 2025 (value for value, unit for unit) and lead and coordinating units.
Every generated (made-up) index and survey row carries the column "Dữ liệu mẫu" = 1, loaded as
``is_synthetic`` and carried to the marts, so no chart shows it as a province's real result.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from chiso.samples.xlsx import save_reproducible

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "reference"
DEMO_PROVINCE = "Quảng Trị"
AGENCIES = ("SNV", "SKHDT", "STP")
ELEMENTS = (
    "Tiếp cận dịch vụ",
    "Thủ tục hành chính",
    "Công chức trực tiếp giải quyết công việc",
    "Kết quả dịch vụ",
    "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
)
_PUBLISHED_FORM = {
    "Hải Phòng": "TP. Hải Phòng",
    "Đà Nẵng": "TP. Đà Nẵng",
    "Cần Thơ": "TP. Cần Thơ",
    "Hồ Chí Minh": "TP. Hồ Chí Minh",
    "Hà Nội": "TP. Hà Nội",
    "Huế": "Thừa Thiên Huế",
}


def _read(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _fmt(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def generate(out_dir: Path, start: date, days: int, seed: int = 1, **_: object) -> list[Path]:
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    provinces = [
        r["province_name"]
        for r in _read("ref_provinces.csv")
        if r["valid_from"] < "2024-12-31" and (not r["valid_to"] or r["valid_to"] >= "2024-12-31")
    ]
    pci = [
        r
        for r in _read("ref_index_components.csv")
        if r["index_code"] == "pci" and r["component_code"]
    ]
    last = min(start.year - 1, 2024)
    written = [_pci_table(out_dir, year, provinces, pci, rng) for year in (last - 1, last)]
    written.append(_long(out_dir, last, rng))
    written.append(_published_ranks(out_dir))
    written.append(_survey(out_dir, start, days, rng))
    written.append(_targets(out_dir))
    return sorted(written)


def _pci_table(
    out_dir: Path, year: int, provinces: list[str], comps: list[dict], rng: random.Random
) -> Path:
    from openpyxl import Workbook

    rows = []
    for name in provinces:
        if year == 2021 and name == "Thanh Hóa":
            continue  # its published 2021 rank (43) is loaded from seed 002, not made up
        level = rng.uniform(5.6, 7.2)
        subs = [round(min(10.0, max(1.0, level + rng.uniform(-1.2, 1.2))), 2) for _ in comps]
        total = round(sum(float(c["weight"]) * s * 10 for c, s in zip(comps, subs, strict=True)), 2)
        rows.append([_PUBLISHED_FORM.get(name, name), *subs, total])
    rows.sort(key=lambda r: -r[-1])

    wb = Workbook(write_only=True)
    wb.properties.creator = "VCCI"
    wb.properties.created = wb.properties.modified = datetime(year + 1, 4, 1)  # byte-identical
    ws = wb.create_sheet(f"PCI {year}")
    ws.append([f"CHỈ SỐ NĂNG LỰC CẠNH TRANH CẤP TỈNH (PCI) NĂM {year}"])
    ws.append([])
    ws.append(
        [
            "STT",
            "Tỉnh/Thành phố",
            *[c["component_name_vi"] for c in comps],
            "PCI",
            "Xếp hạng",
            "Dữ liệu mẫu",
        ]
    )
    for i, row in enumerate(rows):
        rank = next(j for j, r in enumerate(rows) if r[-1] == row[-1]) + 1  # ties share a rank
        ws.append([i + 1, *row, rank, 1])
    path = out_dir / "index_results" / f"pci_{year}.xlsx"
    save_reproducible(wb, path, datetime(year + 1, 4, 1))
    return path


def _long(out_dir: Path, year: int, rng: random.Random) -> Path:
    indicators = [
        r
        for r in _read("ref_pci_indicators.csv")
        if r["index_code"] == "pci" and r["unit"] in ("percent", "days", "points")
    ]
    path = out_dir / "index_results" / f"indices_long_{year}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "Năm",
                "Chỉ số",
                "Tỉnh/Thành phố",
                "Chỉ số thành phần",
                "Chỉ tiêu",
                "Giá trị",
                "Xếp hạng",
                "Dữ liệu mẫu",
            ]
        )
        for y in (year - 1, year):
            w.writerow(
                [y, "PAR INDEX", DEMO_PROVINCE, "", "", _fmt(rng.uniform(82, 92)) + "%", "", 1]
            )
            w.writerow([y, "SIPAS", DEMO_PROVINCE, "", "", _fmt(rng.uniform(80, 90)) + "%", "", 1])
            for ind in indicators:
                value = rng.uniform(3, 12) if ind["unit"] == "days" else rng.uniform(35, 90)
                w.writerow(
                    [
                        y,
                        "PCI",
                        DEMO_PROVINCE,
                        "",
                        ind["indicator_name_vi"],
                        _fmt(value) + ("%" if ind["unit"] == "percent" else ""),
                        "",
                        1,
                    ]
                )
    return path


def _survey(out_dir: Path, start: date, days: int, rng: random.Random) -> Path:
    path = out_dir / "survey_responses" / f"sipas_{start.isoformat()}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "Mã khảo sát",
                "Mã đơn vị",
                "Ngày khảo sát",
                "Yếu tố",
                "Mã câu hỏi",
                "Mã người trả lời",
                "Mức độ hài lòng",
                "Dữ liệu mẫu",
            ]
        )
        n = 0
        for d in range(max(days, 1)):
            day = start + timedelta(days=d)
            if day.weekday() >= 5:
                continue
            for _ in range(10):
                n += 1
                agency = rng.choice(AGENCIES)
                mood = rng.random()
                for e, element in enumerate(ELEMENTS, start=1):
                    answer = min(5, max(1, round(rng.gauss(3.6 + mood, 0.8))))
                    w.writerow(
                        [
                            f"KS{start.year}",
                            agency,
                            day.strftime("%d/%m/%Y"),
                            element,
                            f"Q{e}",
                            f"R{seed_id(n)}",
                            answer,
                            1,
                        ]
                    )
    return path


def seed_id(n: int) -> str:
    return f"{n:06d}"


# Seed 002 (Kế hoạch 211/KH-UBND, Thanh Hóa, 26/8/2022): "Năm 2021 … PAPI đứng thứ 03; PAR
# INDEX đứng thứ 14; SIPAS đứng thứ 24; PCI đứng thứ 43 trên 63 tỉnh, thành phố".
THANH_HOA_2021_RANKS = (("PAPI", 3), ("PAR INDEX", 14), ("SIPAS", 24), ("PCI", 43))

# Seed 001 (Văn phòng UBND tỉnh Quảng Trị, Kế hoạch /KH-VP, 3/2024), appendix "PHÂN CÔNG THEO
# DÕI THỰC HIỆN CÁC CHỈ TIÊU", every row as written: STT, indicator, target to 2025, lead unit,
# coordinating units (the plan's own spellings, "Công thông tin" included).
SEED_001_TARGETS = (
    (
        "1.",
        "Thủ tục tại Trung tâm Phục vụ hành chính công được niêm yết công khai (% DN Đồng ý)",
        "100%",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "",
    ),
    ("2.", "Hướng dẫn thủ tục rõ ràng, đầy đủ (% DN Đồng ý)", "100%", "Phòng Nội chính", ""),
    (
        "3.",
        "Cán bộ tại bộ phận Một cửa am hiểu về chuyên môn (% DN Đồng ý)",
        "70%",
        "Phòng Nội chính",
        "",
    ),
    (
        "4.",
        "Cán bộ tại bộ phận Một cửa nhiệt tình, thân thiện (% DN Đồng ý)",
        "70%",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "",
    ),
    (
        "5.",
        "Tỷ lệ DN nhận được thông tin, văn bản cần khi yêu cầu cơ quan trong tỉnh cung cấp (%)",
        "71%",
        "Phòng Tài chính - Thương mại",
        "Các phòng, trung tâm",
    ),
    (
        "6.",
        "Số ngày chờ đợi để nhận được thông tin, văn bản yêu cầu (Trung vị)",
        "5",
        "Phòng Tài chính - Thương mại",
        "Các phòng, trung tâm",
    ),
    (
        "7.",
        "Thông tin trên website của tỉnh về các ưu đãi/khuyến khích/hỗ trợ đầu tư của tỉnh là hữu ích (% Đồng ý) - Biến mới năm 2021",
        "55%",
        "Cổng thông tin điện tử tỉnh",
        "Các phòng, trung tâm",
    ),
    (
        "8.",
        "Thông tin trên website của tỉnh về các quy định về thủ tục hành chính là hữu ích (% Đồng ý) - Biến mới năm 2021",
        "80%",
        "Cổng thông tin điện tử tỉnh",
        "Các phòng, trung tâm",
    ),
    (
        "9.",
        "Thông tin trên website của tỉnh về các văn bản điều hành, chỉ đạo của lãnh đạo tỉnh là hữu ích (% Đồng ý) - Biến mới năm 2021",
        "50%",
        "Cổng thông tin điện tử tỉnh",
        "Các phòng, trung tâm",
    ),
    (
        "10.",
        "Thông tin trên các website của tỉnh về các văn bản pháp luật của tỉnh là hữu ích (% Đồng ý) - Biến mới năm 2021",
        "65%",
        "Cổng thông tin điện tử tỉnh",
        "Các phòng, trung tâm",
    ),
    (
        "11.",
        'Cần có "mối quan hệ" để có được các tài liệu của tỉnh (% Quan trọng hoặc Rất quan trọng)',
        "65%",
        "Phòng Tài chính - Thương mại",
        "Các phòng, trung tâm",
    ),
    (
        "12.",
        "Chất lượng website của tỉnh - Điều chỉnh năm 2021",
        "52,61",
        "Công thông tin điện tử tỉnh",
        "Các phòng, trung tâm",
    ),
    (
        "13.",
        "Tỷ lệ DN thường xuyên truy cập vào website của UBND tỉnh (%)",
        "60%",
        "Công thông tin điện tử tỉnh",
        "Các phòng, trung tâm",
    ),
    (
        "14.",
        "Tỉnh ưu tiên thu hút đầu tư từ các doanh nghiệp lớn hơn là phát triển doanh nghiệp nhỏ và vừa trong nước (% Đồng ý) - Biến mới năm 2021",
        "20",
        "Phòng Tài chính Thương mại",
        "Các phòng, trung tâm",
    ),
    (
        "15.",
        "Việc tỉnh ưu ái cho DN lớn (cả DNNN và tư nhân) gây khó khăn cho doanh nghiệp (% Đồng ý)",
        "40",
        "Phòng Tài chính - Thương mại",
        "Các phòng, trung tâm",
    ),
    (
        "16.",
        "UBND tỉnh linh hoạt trong khuôn khổ pháp luật nhằm tạo môi trường kinh doanh thuận lợi (% Đồng ý)",
        "82%",
        "Phòng Tài chính - Thương mại",
        "Các phòng, trung tâm",
    ),
    (
        "17.",
        "UBND tỉnh năng động và sáng tạo trong việc giải quyết các vấn đề mới phát sinh (% Đồng ý)",
        "85%",
        "Phòng Tài chính - Thương mại",
        "Các phòng, trung tâm",
    ),
    (
        "18.",
        "Tỷ lệ DN tin rằng cấp trên không bao che và sẽ nghiêm túc xử lý kỷ luật cán bộ sai phạm (% Đồng ý)",
        "58%",
        "Phòng Tài chính - Thương mại",
        "Các phòng, trung tâm",
    ),
)


def _published_ranks(out_dir: Path) -> Path:
    path = out_dir / "index_results" / "thanh_hoa_2021_ranks.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Năm", "Chỉ số", "Tỉnh/Thành phố", "Giá trị", "Xếp hạng", "Dữ liệu mẫu"])
        for index, rank in THANH_HOA_2021_RANKS:
            w.writerow([2021, index, "Thanh Hóa", "", rank, 0])
    return path


def _targets(out_dir: Path) -> Path:
    path = out_dir / "targets" / "targets_2025.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["PHÂN CÔNG THEO DÕI THỰC HIỆN CÁC CHỈ TIÊU"])
        w.writerow(
            [
                "STT",
                "Chỉ tiêu",
                "Điểm số định hướng đến năm 2025",
                "Đơn vị chủ trì",
                "Đơn vị phối hợp",
            ]
        )
        w.writerows(SEED_001_TARGETS)
    return path
