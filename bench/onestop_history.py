"""Ingest and build a long one-stop history, then one more night; print rows/s and seconds.

    python -m bench.onestop_history --days 240 --per-day 6000    # ≈ 2M+ dossier states

Uses its own CHISO_HOME (under bench/out/) and embedded PostgreSQL, so it never touches the
demo's warehouse. Figures vary by machine; compare full vs incremental on the same machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "onestop_history"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--days", type=int, default=240)
    p.add_argument("--per-day", type=int, default=6000, help="dossiers received per day")
    p.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 5))
    p.add_argument("--keep", action="store_true", help="reuse an existing bench warehouse")
    args = p.parse_args()

    if not args.keep:
        shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    OUT.chmod(0o755)
    os.environ["CHISO_HOME"] = str(OUT / "home")
    os.environ["CHISO_LANDING_DIR"] = str(OUT / "landing")
    os.environ.setdefault("CHISO_PII_KEY", "bench-key-0123456789abcdef")
    os.environ.pop("CHISO_WAREHOUSE_URL", None)

    from chiso import pipeline, warehouse
    from chiso.samples import onestop

    landing = OUT / "landing"
    history_dir, nightly_dir = OUT / "history", OUT / "nightly"
    t = time.perf_counter()
    onestop.generate(history_dir, args.start, args.days + 1, seed=7,
                     dossiers_per_day=args.per_day)
    print(f"generated {args.days + 1} days in {time.perf_counter() - t:.1f}s")
    # Hold back the last day: it is the "one more night".
    files = sorted((history_dir / "onestop").glob("*.csv"))
    (landing / "onestop").mkdir(parents=True, exist_ok=True)
    nightly_dir.mkdir(exist_ok=True)
    for f in files[:-1]:
        f.rename(landing / "onestop" / f.name)
    files[-1].rename(nightly_dir / files[-1].name)

    run_date = args.start + timedelta(days=args.days)
    run = pipeline.Run("bench-history", run_date, quiet=True)
    pipeline.begin(run)
    t = time.perf_counter()
    results = pipeline.ingest(run)
    ingest_s = time.perf_counter() - t
    rows = sum(r.rows_loaded for r in results)
    print(f"ingest history: {rows:,} states in {ingest_s:.1f}s = {rows / ingest_s:,.0f} rows/s")

    t = time.perf_counter()
    pipeline.build(run)
    full_s = time.perf_counter() - t
    print(f"dbt build, full history: {full_s:.1f}s")

    (nightly_dir / files[-1].name).rename(landing / "onestop" / files[-1].name)
    night = pipeline.Run("bench-night", run_date + timedelta(days=1), quiet=True)
    pipeline.begin(night)
    t = time.perf_counter()
    new = sum(r.rows_loaded for r in pipeline.ingest(night))
    night_ingest_s = time.perf_counter() - t
    t = time.perf_counter()
    pipeline.build(night)
    incr_s = time.perf_counter() - t
    print(f"one more night: {new:,} states ingested in {night_ingest_s:.1f}s; "
          f"incremental dbt build {incr_s:.1f}s = {incr_s / full_s:.0%} of the full build")
    with warehouse.connect(warehouse.url()) as conn:
        n = conn.execute("select count(*) from candidate.dossiers").fetchone()[0]
    print(f"dossiers in the current-state mart: {n:,}")


if __name__ == "__main__":
    main()
