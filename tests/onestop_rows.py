"""Small hand-written one-stop files for tests (the generator makes the big ones)."""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = [
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
]


def row(code: str, **over: str) -> dict[str, str]:
    base = {
        "MaHoSo": code,
        "MaTTHC": "1.004227",
        "TenTTHC": "Đăng ký thành lập doanh nghiệp",
        "MaLinhVuc": "DKKD",
        "DonViXuLy": "QT-SKHDT",
        "KenhThucHien": "2",
        "ChuHoSo": "Nguyễn Văn An",
        "SoGiayToChuHoSo": "045123456789",
        "SoDienThoai": "0912345678",
        "DiaChi": "Số 12, đường Lê Duẩn, Đông Hà",
        "NgayNopHoSo": "02/11/2026 08:00:00",
        "NgayTiepNhan": "02/11/2026 08:10:00",
        "NgayHenTra": "06/11/2026 17:00:00",
        "NgayKetThucXuLy": "",
        "NgayTra": "",
        "TrangThaiHoSo": "4",
        "SoLanBoSung": "0",
        "NgayHenTraMoi": "",
        "ThanhToanTrucTuyen": "",
        "SoHoaHoSo": "1",
        "XinLoi": "0",
    }
    base.update(over)
    return base


def write(
    path: Path,
    rows: list[dict[str, str]],
    delimiter: str = ",",
    header: list[str] | None = None,
    encoding: str = "utf-8",
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = header or HEADER
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in HEADER])
    return path
