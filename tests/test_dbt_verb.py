"""``chiso dbt``: dbt with chiso's project, profile and warehouse, for one model or seed."""

from __future__ import annotations

import psycopg

from chiso import cli


def test_dbt_verb_builds_one_selection_in_the_warehouse(warehouse_url, capsys):
    assert cli.main(["dbt", "build", "-s", "ref_holidays", "ref_dossier_statuses"]) == 0
    with psycopg.connect(warehouse_url) as conn:
        holidays = conn.execute("select count(*) from reference.ref_holidays").fetchone()[0]
        statuses = conn.execute("select count(*) from reference.ref_dossier_statuses").fetchone()
        others = conn.execute("select to_regclass('reference.ref_provinces')").fetchone()[0]
    assert holidays > 10 and statuses == (10,) and others is None  # only what was selected
    # A failing selection exits 1: a staging model over a raw table nothing has loaded.
    assert cli.main(["dbt", "run", "-s", "stg_onestop__dossier_states"]) == 1
