"""A long one-stop history, then nights: full ``dbt build`` against the nightly incremental one,
and the gate's share of a whole night (ingest + build + gate + publish).

Repetitions alternate: full build (``--full-refresh``, the whole history; then gated and
published, as a rebuild night would be), then one night (its day's file ingested, incremental
build, gate, publish), then full again, and so on. Stages run in one process, so only the first
night pays for importing dbt and Great Expectations.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from datetime import date, timedelta

from bench import common, data


def _top_models(n: int = 6) -> list[tuple[str, float]]:
    from chiso import config

    path = config.load().dbt_target_dir / "run_results.json"
    try:
        results = json.loads(path.read_text())["results"]
    except (OSError, KeyError, ValueError):
        return []
    rows = [
        (r["unique_id"].split(".", 1)[1], float(r.get("execution_time") or 0))
        for r in results
        if r["unique_id"].startswith(("model.", "test.", "seed."))
    ]
    return sorted(rows, key=lambda x: -x[1])[:n]


def run(days: int, per_day: int, nights: int, start: date = date(2026, 1, 5), log=print) -> dict:
    from chiso import pipeline, warehouse

    t = time.perf_counter()
    files = data.history(days + nights + 3, per_day, start)  # spare days for weekends
    log(f"  history files ready ({len(files)} days) in {time.perf_counter() - t:.0f}s")
    landing = common.OUT / "landing" / "onestop"
    shutil.rmtree(landing.parent, ignore_errors=True)
    landing.mkdir(parents=True)
    for f in files[:days]:
        (landing / f.name).hardlink_to(f)

    run_date = start + timedelta(days=days)
    hist = pipeline.Run("bench-history", run_date, quiet=True)
    pipeline.begin(hist)
    t = time.perf_counter()
    loaded = pipeline.ingest(hist)
    ingest_s = time.perf_counter() - t
    states = sum(r.rows_loaded for r in loaded)
    log(f"  ingest history: {states:,} states in {ingest_s:.1f}s = {states / ingest_s:,.0f} rows/s")
    t = time.perf_counter()
    pipeline.build(hist)
    first_build_s = time.perf_counter() - t
    log(f"  first dbt build (empty candidate): {first_build_s:.1f}s")

    full: list[float] = []
    rebuild_gate: list[float] = []

    def dossiers_now() -> int:
        with warehouse.connect(warehouse.url()) as conn:
            return conn.execute("select count(*) from candidate.dossiers").fetchone()[0]

    night: dict[str, list[float]] = {k: [] for k in ("ingest", "build", "gate", "publish")}
    night_rows: list[int] = []
    top_incremental: list = []
    top_full: list = []
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    pending = list(files[days:])
    typical = sorted(f.stat().st_size for f in files)[len(files) // 2]
    for k in range(nights):
        # (a) the full build of everything loaded so far
        fr = pipeline.Run(f"bench-full-{k}", run_date, quiet=True, full_refresh=True)
        pipeline.begin(fr)
        t = time.perf_counter()
        pipeline.build(fr)
        full.append(time.perf_counter() - t)
        top_full = _top_models()
        # A rebuild is a night of its own: its candidate is gated (every row is new) and
        # published, so the measured night after it checks only what that night builds.
        t = time.perf_counter()
        pipeline.check(fr)
        rebuild_gate.append(time.perf_counter() - t)
        pipeline.publish_candidate(fr)
        pipeline.finish(fr, "succeeded")
        log(
            f"  rep {k + 1}/{nights} full dbt build: {full[-1]:.1f}s; "
            f"its gate (all {dossiers_now():,} dossiers are new): {rebuild_gate[-1]:.1f}s"
        )
        # (b) one more night: the next working day (weekend exports are nearly empty: they ride
        # along with Monday's)
        while pending:
            f = pending.pop(0)
            (landing / f.name).hardlink_to(f)
            if f.stat().st_size > typical / 2:
                break
        run_date = date.fromisoformat(f.stem.rsplit("_", 1)[1]) + timedelta(days=1)
        nr = pipeline.Run(f"bench-night-{k}", run_date, quiet=True)
        pipeline.begin(nr)
        stages = (
            ("ingest", pipeline.ingest),
            ("build", pipeline.build),
            ("gate", pipeline.check),
            ("publish", pipeline.publish_candidate),
        )
        for name, fn in stages:
            t = time.perf_counter()
            out = fn(nr)
            night[name].append(time.perf_counter() - t)
            if name == "ingest":
                night_rows.append(sum(r.rows_loaded for r in out))
            if name == "build":
                top_incremental = _top_models()
        pipeline.finish(nr, "succeeded")
        total = sum(night[s][-1] for s in night)
        log(
            f"  rep {k + 1}/{nights} night: {night_rows[-1]:,} states; "
            + ", ".join(f"{s} {night[s][-1]:.1f}s" for s in night)
            + f"; total {total:.1f}s"
        )

    with warehouse.connect(warehouse.url()) as conn:
        raw_rows = conn.execute("select count(*) from raw.onestop").fetchone()[0]
        dossiers = conn.execute("select count(*) from candidate.dossiers").fetchone()[0]
    totals = [sum(night[s][i] for s in night) for i in range(nights)]
    return {
        "history_days": days,
        "per_day": per_day,
        "history_states": states,
        "history_ingest_s": ingest_s,
        "first_build_s": first_build_s,
        "raw_rows_after": raw_rows,
        "dossiers": dossiers,
        "full_build_s": full,
        "rebuild_gate_s": rebuild_gate,
        "night_s": night,
        "night_rows": night_rows,
        "night_total_s": totals,
        "incremental_share": [b / f for b, f in zip(night["build"], full, strict=True)],
        "gate_share": [g / t for g, t in zip(night["gate"], totals, strict=True)],
        "top_models_incremental": top_incremental,
        "top_models_full": top_full,
    }
