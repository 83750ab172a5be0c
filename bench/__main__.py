"""chiso's benchmark: speed measured against the limits. ``make bench`` = ``python -m bench``.

Generates its own data (cached in bench/out/data), starts its own embedded PostgreSQL under
bench/out/home, and prints a table of medians and ratios against the targets:

  ingest    one 12-column one-stop CSV: chiso ingest vs psql \\copy vs pandas to_sql
  memory    peak RSS of a fresh ingest process as the file grows
  dagparse  DagBag over dags/ in fresh processes
  build     full dbt build vs the nightly incremental one on a long history
  gate      the gate's share of a whole night (ingest + build + gate + publish)
  dashboards  every Superset chart's query on the published marts, as chiso_bi and as a
            province role under row-level security: p95 per query (target < 100 ms)

    python -m bench                    # the whole benchmark (≈ 20-30 min on 2 cores)
    python -m bench --quick            # smoke run: small sizes, 2 repetitions (≈ 3 min)
    python -m bench --only ingest,memory --rows 2000000

CHISO_BENCH_HOME=<dir> runs against a second bench warehouse (each run empties its home unless
--keep-server).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime

from bench import common

SECTIONS = ("ingest", "memory", "dagparse", "build", "dashboards")


def _args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="small sizes and 2 repetitions")
    p.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections ({', '.join(SECTIONS)}; build includes gate)",
    )
    p.add_argument("--rows", type=int, help="rows of the ingest CSV (default 1,000,000)")
    p.add_argument("--reps", type=int, help="repetitions per contender (default 5)")
    p.add_argument("--pandas-reps", type=int, help="repetitions of to_sql (default: --reps)")
    p.add_argument("--memory-rows", help="comma-separated file sizes (default 100k,500k,1M)")
    p.add_argument("--dag-runs", type=int, help="fresh processes parsing the DAGs (default 7)")
    p.add_argument("--days", type=int, help="days of one-stop history (default 250)")
    p.add_argument("--per-day", type=int, help="dossiers received per working day (20,000)")
    p.add_argument("--nights", type=int, help="full/incremental repetitions (default 3)")
    p.add_argument("--query-reps", type=int, help="timed runs per dashboard query (default 30)")
    p.add_argument("--keep-server", action="store_true", help="leave the bench server running")
    p.add_argument("--json", help="also write all figures to this JSON file")
    a = p.parse_args(argv)
    q = a.quick
    a.rows = a.rows or (200_000 if q else 1_000_000)
    a.reps = a.reps or (2 if q else 5)
    a.memory_rows = [
        int(x)
        for x in (a.memory_rows or ("20000,100000,200000" if q else "100000,500000,1000000")).split(
            ","
        )
    ]
    a.dag_runs = a.dag_runs or (3 if q else 7)
    a.days = a.days or (20 if q else 250)
    a.per_day = a.per_day or (2000 if q else 20_000)
    a.nights = a.nights or (2 if q else 3)
    a.query_reps = a.query_reps or (10 if q else 30)
    a.sections = [s.strip() for s in a.only.split(",") if s.strip()]
    bad = [s for s in a.sections if s not in SECTIONS]
    if bad:
        p.error(f"unknown section(s): {', '.join(bad)}")
    return a


def _fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def section_ingest(a, results: dict) -> list[list[str]]:
    from bench import data, ingest

    print(f"\n== ingest: {a.rows:,} rows, {a.reps} alternating repetitions")
    path = data.ingest_csv(a.rows)
    print(f"  file {path.name}: {path.stat().st_size / 1e6:.0f} MB")
    r = ingest.compare(path, a.rows, a.reps, a.pandas_reps)
    results["ingest"] = r
    rate = r["rows_per_s"]
    vs_copy = rate["chiso ingest"] / rate["psql \\copy"]
    vs_pandas = rate["chiso ingest"] / rate["pandas to_sql"]
    rows = []
    for name in ("chiso ingest", "psql \\copy", "pandas to_sql"):
        times = ", ".join(f"{s:.2f}" for s in r["times"][name])
        rows.append(
            [
                f"ingest {name}",
                f"{r['median_s'][name]:.2f} s",
                f"{_fmt_rate(rate[name])} rows/s",
                f"runs: {times}",
                "",
            ]
        )
    rows.append(
        [
            "ingest chiso / \\copy",
            f"{vs_copy:.2f}×",
            "",
            "target ≥ 0.6×",
            "met" if vs_copy >= 0.6 else "MISSED",
        ]
    )
    rows.append(
        [
            "ingest chiso / to_sql",
            f"{vs_pandas:.2f}×",
            "",
            "target ≥ 8×",
            "met" if vs_pandas >= 8 else "MISSED",
        ]
    )
    print(f"  loaded {r['rows_loaded']}; chiso rejected {r['rows_rejected']} rows")
    return rows


def section_memory(a, results: dict) -> list[list[str]]:
    from bench import data, ingest

    print(f"\n== memory: peak RSS of a fresh ingest process, files of {a.memory_rows} rows")
    from chiso import warehouse

    url = common.server_url(ingest.DB)
    with warehouse.connect(url) as conn:
        warehouse.bootstrap(conn)
    out = []
    for n in a.memory_rows:
        path = data.ingest_csv(n)
        landing = common.OUT / f"memory_landing_{n}"
        shutil.rmtree(landing, ignore_errors=True)
        (landing / "onestop").mkdir(parents=True)
        (landing / "onestop" / "onestop_2026-03-15.csv").hardlink_to(path)
        got = common.run_json(["-m", "bench.ingest_once", url, str(landing)])
        out.append(got)
        print(
            f"  {n:>9,} rows: peak RSS {got['peak_rss_kb'] / 1024:,.0f} MiB "
            f"(after imports {got['rss_before_kb'] / 1024:,.0f} MiB; ru_maxrss "
            f"{got['ru_maxrss_kb'] / 1024:,.0f} MiB), {got['seconds']:.1f}s"
        )
    results["memory"] = out
    peaks = [g["peak_rss_kb"] / 1024 for g in out]
    growth = peaks[-1] / peaks[0]
    row = [
        "ingest peak RSS",
        " / ".join(f"{p:,.0f}" for p in peaks) + " MiB",
        " / ".join(f"{n // 1000:,}k" for n in a.memory_rows) + " rows",
        "target: flat",
        f"{growth:.2f}× largest/smallest " + ("(flat)" if growth < 1.25 else "(GROWS)"),
    ]
    return [row]


def section_dagparse(a, results: dict) -> list[list[str]]:
    from chiso import airflow_env

    print(f"\n== dagparse: DagBag(dags/) in {a.dag_runs} fresh processes")
    env = airflow_env.environ()
    runs = []
    for _ in range(a.dag_runs):
        runs.append(common.run_json(["-m", "bench.dagparse"], env=env))
    results["dagparse"] = runs
    bag = common.median([r["dagbag_s"] for r in runs])
    proc = common.median([r["process_s"] for r in runs])
    print(
        f"  DagBag {bag:.3f}s (per-file {common.median([r['file_s'] for r in runs]):.3f}s); "
        f"whole process incl. `import airflow` {proc:.2f}s"
    )
    return [
        [
            "DAG parse (DagBag over dags/)",
            f"{bag:.3f} s",
            f"process {proc:.2f} s",
            "target < 0.5 s",
            "met" if bag < 0.5 else "MISSED",
        ]
    ]


def section_build(a, results: dict) -> list[list[str]]:
    from bench import history

    print(
        f"\n== build + gate: {a.days} days × {a.per_day:,} dossiers/working day, "
        f"{a.nights} alternating full/night repetitions"
    )
    r = history.run(a.days, a.per_day, a.nights)
    results["build"] = r
    full = common.median(r["full_build_s"])
    incr = common.median(r["night_s"]["build"])
    share = incr / full
    gate = common.median(r["gate_share"])
    night = {k: common.median(v) for k, v in r["night_s"].items()}
    print(f"  raw.onestop {r['raw_rows_after']:,} states, {r['dossiers']:,} dossiers")
    print(
        "  slowest nodes of the incremental build: "
        + ", ".join(f"{m} {s:.1f}s" for m, s in r["top_models_incremental"])
    )
    print(
        "  slowest nodes of the full build: "
        + ", ".join(f"{m} {s:.1f}s" for m, s in r["top_models_full"])
    )
    hist_rate = r["history_states"] / r["history_ingest_s"]
    return [
        [
            "history ingest",
            f"{r['history_ingest_s']:.1f} s",
            f"{_fmt_rate(hist_rate)} rows/s",
            f"{r['history_states']:,} states, {a.days} files",
            "",
        ],
        [
            "dbt build, full (history)",
            f"{full:.1f} s",
            f"{r['raw_rows_after']:,} states",
            "runs: " + ", ".join(f"{s:.1f}" for s in r["full_build_s"]),
            "",
        ],
        [
            "dbt build, incremental (1 night)",
            f"{incr:.1f} s",
            f"{common.median(r['night_rows']):,.0f} new states",
            "runs: " + ", ".join(f"{s:.1f}" for s in r["night_s"]["build"]),
            "",
        ],
        [
            "incremental / full",
            f"{share:.0%}",
            "",
            "target ≤ 10%",
            "met" if share <= 0.10 else "MISSED",
        ],
        [
            "night: ingest / build / gate / publish",
            " / ".join(f"{night[k]:.1f}" for k in ("ingest", "build", "gate", "publish")) + " s",
            f"total {common.median(r['night_total_s']):.1f} s",
            "",
            "",
        ],
        [
            "gate / whole night",
            f"{gate:.0%}",
            "",
            "target ≤ 15%",
            "met" if gate <= 0.15 else "MISSED",
        ],
        [
            "gate after a full rebuild (every row new)",
            f"{common.median(r['rebuild_gate_s']):.1f} s",
            f"{r['dossiers']:,} dossiers",
            "runs: " + ", ".join(f"{s:.1f}" for s in r["rebuild_gate_s"]),
            "",
        ],
    ]


def section_dashboards(a, results: dict) -> list[list[str]]:
    from bench import dashboards, history

    url = common.server_url()
    print(f"\n== dashboards: each chart's query, {a.query_reps} timed runs per role")
    if not dashboards.published(url):
        print(f"  nothing published yet: building {a.days} days × {a.per_day:,} dossiers first")
        history.run(a.days, a.per_day, 1)
    r = dashboards.run(url, a.query_reps)
    results["dashboards"] = r
    rows = []
    for role, got in r["roles"].items():
        for name, p95 in sorted(got["p95_ms"].items(), key=lambda kv: -kv[1]):
            rows.append(
                [
                    f"dashboard query {name} ({role})",
                    f"{got['p50_ms'][name]:.1f} ms",
                    f"p95 {p95:.1f} ms",
                    f"target p95 < {dashboards.TARGET_MS:.0f} ms",
                    "met" if p95 < dashboards.TARGET_MS else "MISSED",
                ]
            )
        rows.append([f"connect ({role})", f"{got['connect_ms']:.1f} ms", "", "", ""])
    return rows


def main(argv=None) -> None:
    a = _args(argv)
    common.use_bench_home()
    if not a.keep_server:
        # A fresh warehouse each run (generated data in bench/out/data is kept).
        with contextlib.suppress(Exception):
            common.stop_server()
        shutil.rmtree(common.HOME, ignore_errors=True)
        common.use_bench_home()
    started = datetime.now()
    t0 = time.perf_counter()
    url = common.server_url()
    info = {**common.machine(), "postgres": common.pg_version(url)}
    cmd = " ".join([".venv/bin/python -m bench", *(argv if argv is not None else sys.argv[1:])])
    results: dict = {
        "machine": info,
        "started": started.isoformat(timespec="seconds"),
        "command": cmd,
    }
    rows: list[list[str]] = []
    try:
        for name in SECTIONS:
            if name in a.sections:
                rows += globals()[f"section_{name}"](a, results)
    finally:
        if not a.keep_server:
            common.stop_server()
    minutes = (time.perf_counter() - t0) / 60
    print(f"\n## chiso benchmark — {started:%Y-%m-%d %H:%M}, {minutes:.0f} min")
    print(
        f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, {info['os']}, "
        f"Python {info['python']}, PostgreSQL {info['postgres']} (embedded)"
    )
    print(f"command: {cmd}\n")
    print(common.table(["measure", "median", "rate / size", "runs / target", "verdict"], rows))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(results, fh, indent=1, default=str)


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"bench: {exc}") from None
