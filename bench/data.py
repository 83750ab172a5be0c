"""Benchmark data, generated with chiso's own sample generator and cached under bench/out/data.

- ``ingest_csv(rows)``: one one-stop CSV of exactly ``rows`` rows and 12 columns (Vietnamese
  text, personal data, dates as dd/mm/yyyy HH:MM), the states of several days concatenated.
- ``history(days, per_day)``: the daily CSV exports of a long window, as the nightly run sees them.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

from bench.common import DATA

# The onestop contract's required columns, two personal-data columns, a name and three dates.
INGEST_COLUMNS = (
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "DonViXuLy",
    "KenhThucHien",
    "ChuHoSo",
    "SoGiayToChuHoSo",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "TrangThaiHoSo",
)
_DATES = {"NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy"}
_START = date(2026, 3, 2)
_DAYS = 14
_ROWS_PER_DAY_PER_DOSSIER = 87_631 / (14 * 5000)  # measured: states per (day x dossiers/day)


def ingest_csv(rows: int, seed: int = 11) -> Path:
    path = DATA / f"onestop12_{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    bigger = sorted(DATA.glob("onestop12_*.csv"), key=lambda p: int(p.stem.split("_")[1]))
    source = next((p for p in bigger if int(p.stem.split("_")[1]) >= rows), None)
    if source is None:
        source = _generate_ingest(rows, seed)
    if source != path:
        _head(source, path, rows)
    return path


def _generate_ingest(rows: int, seed: int) -> Path:
    from chiso.samples import onestop

    tmp = DATA / f".gen_{rows}"
    shutil.rmtree(tmp, ignore_errors=True)
    per_day = int(rows / (_DAYS * _ROWS_PER_DAY_PER_DOSSIER) * 1.08) + 1
    files = onestop.generate(tmp, _START, _DAYS, seed=seed, dossiers_per_day=per_day)
    out = DATA / f"onestop12_{rows}.csv"
    n = 0
    with open(out.with_suffix(".tmp"), "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(INGEST_COLUMNS)
        for f in files:
            with open(f, newline="", encoding="utf-8") as src:
                r = csv.DictReader(src)
                for rec in r:
                    w.writerow([rec[c][:16] if c in _DATES else rec[c] for c in INGEST_COLUMNS])
                    n += 1
                    if n == rows:
                        break
            if n == rows:
                break
    if n < rows:
        raise RuntimeError(f"generated only {n} rows of {rows}")
    out.with_suffix(".tmp").rename(out)
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _head(source: Path, target: Path, rows: int) -> None:
    with open(source, "rb") as src, open(target.with_suffix(".tmp"), "wb") as dst:
        dst.write(src.readline())
        for _ in range(rows):
            dst.write(src.readline())  # the generator never puts a newline inside a field
    target.with_suffix(".tmp").rename(target)


def history(days: int, per_day: int, start: date, seed: int = 7) -> list[Path]:
    """``days`` daily exports (cached by size); the caller copies them into its landing zone."""
    from chiso.samples import onestop

    folder = DATA / f"history_{start:%Y%m%d}_{days}d_{per_day}"
    done = folder / ".done"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        onestop.generate(folder, start, days, seed=seed, dossiers_per_day=per_day)
        done.touch()
    return sorted((folder / "onestop").glob("*.csv"))
