"""Two runs started at once for the same date: one refuses at once with a clear message, and
the data is as if one had run. One run is a ``chiso run`` child process, the other runs here
(where dbt and GX are already warm), started while the child starts."""

from __future__ import annotations

from datetime import date

from chiso import pipeline
from tests import onestop_rows as rows
from tests.faults.helpers import query, spawn


def test_two_runs_at_once_one_refuses_and_data_is_as_if_one_ran(warehouse_url, landing):
    rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv", [rows.row(f"C-{i}") for i in range(6)]
    )
    child = spawn("run", "--date", "2026-11-08", "--run-id", "twin-child", "--quiet")
    refused_here = None
    try:
        pipeline.run_all(pipeline.Run("twin-here", date(2026, 11, 8), quiet=True))
    except pipeline.RunLocked as exc:
        refused_here = str(exc)
    _, err = child.communicate(timeout=300)

    if refused_here is None:  # this one won: the child refused, in one line
        assert child.returncode == 1, err
        refused = err.strip().splitlines()[-1]
        assert refused.startswith("chiso run: RunLocked: another chiso run is in progress")
    else:
        assert child.returncode == 0, err
        refused = refused_here
    assert "another chiso run is in progress" in refused and "try again when it ends" in refused

    assert query(
        warehouse_url, "select count(*), count(distinct dossier_code) from raw.onestop"
    ) == [(6, 6)]
    assert query(warehouse_url, "select status, count(*) from audit.load_batches group by 1") == [
        ("loaded", 1)
    ]
    assert query(warehouse_url, "select count(*) from audit.publications") == [(1,)]
    assert query(warehouse_url, "select status from audit.runs") == [("succeeded",)]
    assert query(warehouse_url, "select sum(dossiers_received) from marts.onestop_monthly") == [
        (6,)
    ]
