"""Shared pieces of the benchmark: where it writes, its own warehouse, timing and tables.

Everything goes under ``bench/out/`` (git-ignored) with its own ``CHISO_HOME`` and embedded
PostgreSQL, never the demo's ``.chiso/``.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
# CHISO_BENCH_HOME: a second bench warehouse beside the default one (e.g. to keep a long history).
HOME = Path(os.environ.get("CHISO_BENCH_HOME") or OUT / "home").resolve()
DATA = OUT / "data"
PII_KEY = "bench-key-0123456789abcdef"


def use_bench_home() -> None:
    """Point chiso at the benchmark's own home and embedded server (call before importing it)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for p in (OUT, HOME):  # the embedded server runs as 'nobody' when we are root
        p.mkdir(parents=True, exist_ok=True)
        p.chmod(0o755)
    os.environ["CHISO_HOME"] = str(HOME)
    os.environ["CHISO_LANDING_DIR"] = str(OUT / "landing")
    os.environ["CHISO_PII_KEY"] = PII_KEY
    os.environ.pop("CHISO_WAREHOUSE_URL", None)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def server_url(dbname: str | None = None) -> str:
    """The bench server's URL (started if needed), optionally for another database in it."""
    from chiso import warehouse

    url = warehouse.embedded().start()
    if dbname is None:
        return url
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone():
            conn.execute(f'create database "{dbname}"')
    return url.rsplit("/", 1)[0] + "/" + dbname


def stop_server() -> None:
    from chiso import warehouse

    warehouse.embedded().stop()


@contextmanager
def timer(into: list[float]):
    t = time.perf_counter()
    yield
    into.append(time.perf_counter() - t)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def alternate(
    contenders: dict[str, Callable[[], float]], reps: int, log: Callable[[str], None] = print
) -> dict[str, list[float]]:
    """Run a, b, c, a, b, c, ... ``reps`` times; each call returns its own measured seconds."""
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for rep in range(reps):
        for name, fn in contenders.items():
            s = fn()
            times[name].append(s)
            log(f"  rep {rep + 1}/{reps} {name}: {s:.2f}s")
    return times


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (readable in a terminal and pasteable into RESULTS.md)."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return "| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) + " |"

    return "\n".join(
        [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    )


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(
            next(
                ln
                for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")
            ).split()[1]
        )
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    return {
        "nproc": str(os.cpu_count()),
        "ram": mem,
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def pg_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("show server_version").fetchone()[0]


def psql_bin() -> Path:
    from chiso.embedded import _bin_dir

    return _bin_dir() / "psql"


def run_json(args: list[str], env: dict | None = None, timeout: float = 3600) -> dict:
    """Run a helper in a fresh Python process; its last stdout line is JSON."""
    import json
    import sys

    proc = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[1],
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
