"""dbt's unit tests (fixed inputs, expected rows for the Decision 766 and task-status rules).

The nightly build leaves them out, as dbt advises for production runs: they test the SQL, not the
night's data. They run here, in CI, against a built warehouse.
"""

from __future__ import annotations

from datetime import date

from chiso import dbt, pipeline
from tests import onestop_rows as rows


def test_dbt_unit_tests_pass_and_the_nightly_build_skips_them(conn, landing, warehouse_url):
    rows.write(landing / "onestop" / "onestop_2026-11-02.csv", [rows.row("A-1")])
    run = pipeline.Run("unit", date(2026, 11, 8), quiet=True)
    pipeline.begin(run)
    pipeline.ingest(run)
    built = pipeline.build(run)
    assert "unit_test" not in built.kinds and built.kinds["model"] > 20

    outcome = dbt.unit_tests(warehouse_url)

    assert outcome.success, outcome.failures
    assert outcome.kinds == {"unit_test": 3}
    assert outcome.counts == {"pass": 3}
