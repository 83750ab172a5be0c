"""The command line: verbs work against the warehouse; failures are one line and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys

from tests import onestop_rows as rows


def chiso(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chiso.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )


def test_failures_are_one_line_naming_what_failed(warehouse_url):
    done = chiso("publish", "--rollback")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "chiso publish: PublishError: nothing has been published yet: nothing to roll back to"
    ]
    bad_date = chiso("run", "--date", "23/11/2026")
    assert bad_date.returncode == 2 and "expected a date as YYYY-MM-DD" in bad_date.stderr


def test_ingest_then_run_then_status(warehouse_url, landing):
    rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv",
        [rows.row("X-1"), rows.row("X-2", KenhThucHien="5")],
    )
    ingested = chiso("ingest")
    assert ingested.returncode == 0, ingested.stderr
    assert "onestop_2026-11-02.csv: 1 loaded, 1 rejected of 2" in ingested.stdout
    again = chiso("ingest")
    assert "skipped — unchanged since it was loaded as batch" in again.stdout

    ran = chiso("run", "--date", "2026-11-03", "--quiet")
    assert ran.returncode == 0, ran.stderr
    assert "published: version 1" in ran.stdout

    status = chiso("status")
    assert status.returncode == 0
    assert "onestop/onestop_2026-11-02.csv: loaded, 1 loaded / 1 rejected of 2" in status.stdout
    assert "Publication: version 1" in status.stdout
