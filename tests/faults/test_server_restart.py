"""PostgreSQL stopped during a load, then started again: the run fails with one clear line, no
rows are kept, and the rerun loads the file with the right counts."""

from __future__ import annotations

import os
import time

import pytest

from chiso.embedded import EmbeddedPostgres
from tests.faults.helpers import SLOW_INGEST, big_file, query, spawn, wait_for


def test_server_stopped_mid_load_then_rerun_loads_once(warehouse_url, landing, session_home):
    if os.environ.get("CHISO_TEST_WAREHOUSE_URL"):
        pytest.skip("the suite runs on an external server: not ours to stop")
    server = EmbeddedPostgres(session_home / "home" / "pg")
    good, bad = big_file(landing / "onestop" / "onestop_2026-11-06.csv", 60_000)

    proc = spawn("server-stops", "0.03", code=SLOW_INGEST)
    try:
        wait_for(
            "the batch to start",
            lambda: (
                query(
                    warehouse_url,
                    "select count(*) from audit.load_batches where status = 'started'",
                )
                == [(1,)]
            ),
            proc=proc,
        )
        time.sleep(0.3)
        server.stop()
        _out, err = proc.communicate(timeout=30)
    finally:
        server.start()  # the rest of the suite needs it
        if proc.poll() is None:
            proc.kill()
    assert server.is_running()

    # A last line naming the file and what happened: not a traceback, and not a follow-up
    # error about recording the failure on a server that is down.
    assert proc.returncode == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith(
        "chiso ingest: IngestError: ingest failed on onestop/onestop_2026-11-06.csv"
    ), err
    assert "lost the warehouse connection mid-load" in last, err
    assert "Traceback" not in err
    assert query(warehouse_url, "select count(*) from raw.onestop") == [(0,)]
    assert query(warehouse_url, "select status from audit.load_batches") == [("started",)]

    rerun = spawn("after-restart", "0", code=SLOW_INGEST)
    _out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    assert query(
        warehouse_url,
        "select status, rows_read, rows_loaded, rows_rejected"
        " from audit.load_batches order by batch_id",
    ) == [("abandoned", None, None, None), ("loaded", good + bad, good, bad)]
    assert query(
        warehouse_url, "select count(*), count(distinct dossier_code) from raw.onestop"
    ) == [(good, good)]
    assert query(warehouse_url, "select count(*) from audit.rejected_rows") == [(bad,)]
