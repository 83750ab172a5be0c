"""Ingest contenders on the same CSV, each into a fresh table every repetition, alternating.

(a) chiso: ``ingest.run.ingest`` for the onestop feed — sniffing, parsing, typing and validation,
    rejected-row accounting, keyed hashing of personal data — into ``raw.onestop``;
(b) ``psql \\copy`` into an unindexed table of text columns;
(c) ``pandas.read_csv`` (all columns as text) + ``DataFrame.to_sql`` through SQLAlchemy
    (``postgresql+psycopg://``, default method, ``chunksize=10_000``).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from bench import common
from bench.data import INGEST_COLUMNS

DB = "bench_ingest"


def setup(csv_path: Path) -> dict:
    """A database of its own on the bench server, and a landing zone holding only this file."""
    from chiso import warehouse

    url = common.server_url(DB)
    landing = common.OUT / "ingest_landing"
    shutil.rmtree(landing, ignore_errors=True)
    (landing / "onestop").mkdir(parents=True)
    # The observed date comes from the file name, as in production.
    target = landing / "onestop" / "onestop_2026-03-15.csv"
    target.hardlink_to(
        csv_path
    ) if csv_path.stat().st_dev == landing.stat().st_dev else shutil.copy(csv_path, target)
    with warehouse.connect(url) as conn:
        warehouse.bootstrap(conn)
        conn.execute("create schema if not exists bench")
        conn.commit()
    return {"url": url, "landing": landing, "csv": csv_path}


def _reset_chiso(conn) -> None:
    conn.execute("drop table if exists raw.onestop")
    conn.execute("delete from audit.rejected_rows where feed = 'onestop'")
    conn.execute("delete from audit.load_batches where feed = 'onestop'")
    conn.commit()
    conn.execute("checkpoint")  # each contender starts without the previous one's dirty pages
    conn.commit()


def run_chiso(env: dict) -> tuple[float, int, int]:
    """Seconds, rows read and rows rejected of one chiso ingest into a fresh raw table."""
    from chiso import warehouse
    from ingest.pii import load_key
    from ingest.run import ingest

    with warehouse.connect(env["url"]) as conn:
        _reset_chiso(conn)
        key = load_key(common.HOME)
        t = time.perf_counter()
        results = ingest(conn, env["landing"], key, None, feeds=["onestop"])
        seconds = time.perf_counter() - t
    (r,) = results
    if r.status != "loaded":
        raise RuntimeError(f"chiso ingest: {r.line()}")
    return seconds, r.rows_read, r.rows_rejected


def run_copy(env: dict) -> float:
    from chiso import warehouse

    cols = ", ".join(f'"{c}" text' for c in INGEST_COLUMNS)
    with warehouse.connect(env["url"]) as conn:
        conn.execute("drop table if exists bench.copy_target")
        conn.execute(f"create table bench.copy_target ({cols})")
        conn.commit()
        conn.execute("checkpoint")
        conn.commit()
    t = time.perf_counter()
    subprocess.run(
        [
            str(common.psql_bin()),
            env["url"],
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f"\\copy bench.copy_target from '{env['csv']}' with (format csv, header true)",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def run_pandas(env: dict) -> float:
    import pandas as pd
    from sqlalchemy import create_engine

    from chiso import warehouse

    with warehouse.connect(env["url"]) as conn:
        conn.execute("drop table if exists bench.pandas_target")
        conn.commit()
        conn.execute("checkpoint")
        conn.commit()
    engine = create_engine(env["url"].replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        t = time.perf_counter()
        df = pd.read_csv(env["csv"], dtype=str, keep_default_na=False)
        df.to_sql(
            "pandas_target",
            engine,
            schema="bench",
            if_exists="replace",
            index=False,
            chunksize=10_000,
        )
        return time.perf_counter() - t
    finally:
        engine.dispose()


def count(env: dict, table: str) -> int:
    from chiso import warehouse

    with warehouse.connect(env["url"]) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


def compare(
    csv_path: Path, rows: int, reps: int, pandas_reps: int | None = None, log=print
) -> dict:
    env = setup(csv_path)
    rejected: list[int] = []

    def a() -> float:
        s, read, bad = run_chiso(env)
        if read != rows:
            raise RuntimeError(f"chiso read {read} rows, expected {rows}")
        rejected.append(bad)
        return s

    contenders = {
        "chiso ingest": a,
        "psql \\copy": lambda: run_copy(env),
        "pandas to_sql": lambda: run_pandas(env),
    }
    times: dict[str, list[float]] = {k: [] for k in contenders}
    pandas_reps = reps if pandas_reps is None else pandas_reps
    for rep in range(reps):
        for name, fn in contenders.items():
            if name == "pandas to_sql" and rep >= pandas_reps:
                continue
            s = fn()
            times[name].append(s)
            log(f"  rep {rep + 1}/{reps} {name}: {s:.2f}s = {rows / s:,.0f} rows/s")
    loaded = {
        "chiso ingest": count(env, "raw.onestop"),
        "psql \\copy": count(env, "bench.copy_target"),
        "pandas to_sql": count(env, "bench.pandas_target"),
    }
    med = {k: common.median(v) for k, v in times.items()}
    return {
        "rows": rows,
        "times": times,
        "median_s": med,
        "rows_per_s": {k: rows / v for k, v in med.items()},
        "rows_loaded": loaded,
        "rows_rejected": rejected[-1] if rejected else None,
    }
