"""SIGKILL during a large batch, at random points: nothing half-loaded, the trace says what
happened, and the next run loads the file exactly once."""

from __future__ import annotations

import random
import signal
import time

from tests.faults.helpers import SLOW_INGEST, big_file, query, spawn, wait_for

TRIALS = 4
SEED = 20261105


def test_sigkill_mid_batch_keeps_nothing_and_the_next_run_loads_once(warehouse_url, landing):
    good, bad = big_file(landing / "onestop" / "onestop_2026-11-05.csv", 60_000)
    rng = random.Random(SEED)

    def batches() -> list[tuple]:
        return query(
            warehouse_url, "select run_id, status from audit.load_batches order by batch_id"
        )

    for trial in range(TRIALS):
        run_id = f"killed-{trial}"
        proc = spawn(run_id, "0.03", code=SLOW_INGEST)
        wait_for(
            f"{run_id} to start its batch",
            lambda run_id=run_id: (run_id, "started") in batches(),
            proc=proc,
        )
        time.sleep(rng.uniform(0.0, 1.2))
        assert proc.poll() is None, "the load ended before the kill: make the file bigger"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL

        # No partial batch is visible, and the dead run's batch says 'started'; the batches of
        # the runs killed before were marked 'abandoned' by the next one.
        assert query(warehouse_url, "select count(*) from raw.onestop") == [(0,)]
        assert query(warehouse_url, "select count(*) from audit.rejected_rows") == [(0,)]
        assert batches() == [(f"killed-{t}", "abandoned") for t in range(trial)] + [
            (run_id, "started")
        ]

    proc = spawn("after-the-kills", "0", code=SLOW_INGEST)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert batches() == [(f"killed-{t}", "abandoned") for t in range(TRIALS)] + [
        ("after-the-kills", "loaded")
    ]
    [(read, loaded, rejected)] = query(
        warehouse_url,
        "select rows_read, rows_loaded, rows_rejected from audit.load_batches"
        " where status = 'loaded'",
    )
    assert (read, loaded, rejected) == (good + bad, good, bad)
    assert query(
        warehouse_url,
        "select count(*), count(distinct dossier_code), count(distinct _batch_id) from raw.onestop",
    ) == [(good, good, 1)]
    assert query(warehouse_url, "select count(*) from audit.rejected_rows") == [(bad,)]
    abandoned = query(
        warehouse_url, "select distinct message from audit.load_batches where status = 'abandoned'"
    )
    assert abandoned == [("process ended mid-load; no rows were kept",)]
