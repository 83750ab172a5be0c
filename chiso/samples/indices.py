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
- ``targets/targets_2025.csv``: the seed-001 appendix (indicators, targets to 2025, lead and
  coordinating units) and two plain targets ("Chỉ số hài lòng ≥ 85%").
Numbers are invented; only names and structure follow the real publications.
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
    written.append(_survey(out_dir, start, days, rng))
    written.append(_targets(out_dir))
    return sorted(written)


def _pci_table(
    out_dir: Path, year: int, provinces: list[str], comps: list[dict], rng: random.Random
) -> Path:
    from openpyxl import Workbook

    rows = []
    for name in provinces:
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
        ["STT", "Tỉnh/Thành phố", *[c["component_name_vi"] for c in comps], "PCI", "Xếp hạng"]
    )
    for i, row in enumerate(rows):
        rank = next(j for j, r in enumerate(rows) if r[-1] == row[-1]) + 1  # ties share a rank
        ws.append([i + 1, *row, rank])
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
            ]
        )
        for y in (year - 1, year):
            w.writerow([y, "PAR INDEX", DEMO_PROVINCE, "", "", _fmt(rng.uniform(82, 92)) + "%", ""])
            w.writerow([y, "SIPAS", DEMO_PROVINCE, "", "", _fmt(rng.uniform(80, 90)) + "%", ""])
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
                        ]
                    )
    return path


def seed_id(n: int) -> str:
    return f"{n:06d}"


def _targets(out_dir: Path) -> Path:
    path = out_dir / "targets" / "targets_2025.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    indicators = [
        r
        for r in _read("ref_pci_indicators.csv")
        if r["index_code"] == "pci" and r["unit"] in ("percent", "days", "points")
    ]
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
        for i, ind in enumerate(indicators, start=1):
            target = {"days": "5", "points": "52,61"}.get(ind["unit"], f"{60 + (i * 7) % 40}%")
            w.writerow(
                [
                    f"{i}.",
                    ind["indicator_name_vi"],
                    target,
                    "Phòng Tài chính - Thương mại",
                    "Các phòng, trung tâm",
                ]
            )
        w.writerow([f"{len(indicators) + 1}.", "Chỉ số hài lòng ≥ 85%", "", "Sở Nội vụ", ""])
    return path
