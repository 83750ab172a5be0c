"""Helpers for the fault tests: chiso in a child process, and waiting on what it does."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from chiso.config import REPO_ROOT
from tests import onestop_rows as rows

# `chiso ingest` with the loader slowed a little (smaller blocks, a pause after each), so that
# a random kill lands inside the batch rather than after it.
SLOW_INGEST = """
import sys, time
from ingest import loader, readers
readers.BLOCK_BYTES = 256 << 10
pause = float(sys.argv[2])
loader.after_block = lambda rows_so_far: time.sleep(pause)
from chiso.cli import main
sys.exit(main(["ingest", "--run-id", sys.argv[1]]))
"""


def spawn(*args: str, app: str = "chiso-fault", code: str | None = None) -> subprocess.Popen:
    """``python -m chiso.cli ARGS`` (or ``python -c CODE ARGS``) with the test's environment;
    its sessions show ``app`` as application_name in pg_stat_activity."""
    env = dict(os.environ, PGAPPNAME=app, PYTHONPATH=str(REPO_ROOT))
    cmd = (
        [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "chiso.cli", *args]
    )
    return subprocess.Popen(
        cmd, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(
    what: str, test: Callable[[], bool], timeout: float = 30.0, proc: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(
                f"the child ended (rc {proc.returncode}) before {what}:\n{out}\n{err}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def big_file(path: Path, n: int, bad_every: int = 500) -> tuple[int, int]:
    """``n`` records, every ``bad_every``-th with an unknown channel; returns (good, bad)."""
    records = [
        rows.row(
            f"BIG-{i:06d}",
            ChuHoSo=f"Người nộp {i}",
            **({"KenhThucHien": "9"} if i % bad_every == 0 else {}),
        )
        for i in range(n)
    ]
    rows.write(path, records)
    bad = len(range(0, n, bad_every))
    return n - bad, bad
