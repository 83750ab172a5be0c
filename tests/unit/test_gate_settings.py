"""The gate's suites read no settings: the schema under validation is passed in."""

from __future__ import annotations

import subprocess
import sys

import psycopg

from expectations.model import Check, Suite
from expectations.runner import run_suites
from expectations.suites._helpers import rows


def test_suites_import_nothing_from_chiso():
    code = (
        "import sys; from expectations.suites import all_suites; suites = all_suites();"
        "print(len(suites), sorted(m for m in sys.modules if m.split('.')[0] == 'chiso'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, chiso_modules = done.stdout.strip().split(" ", 1)
    assert int(count) >= 10 and chiso_modules == "[]"


def test_row_rules_compare_with_marts_in_the_schema_passed_in(warehouse_url, monkeypatch):
    """Two schemas hold the same marts; CHISO_CANDIDATE_SCHEMA names the other one. The rule
    reads {candidate} as the schema the runner validates."""
    monkeypatch.setenv("CHISO_CANDIDATE_SCHEMA", "elsewhere")
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        for schema, monthly in (("checked", 3), ("elsewhere", 5)):
            conn.execute(f"create schema {schema}")
            conn.execute(
                f"create table {schema}.dossiers as select g as id from generate_series(1, 3) g"
            )
            conn.execute(f"create table {schema}.monthly as select {monthly} as received")
    rule = rows(
        "select 1 from (select count(*) as n from {batch}) d"
        " where n <> (select sum(received) from {candidate}.monthly)",
        "dossiers add up to the monthly counts",
    )
    suite = Suite("dossiers", "dossiers", [Check("adds_up", rule)])
    (checked,) = run_suites(warehouse_url, "checked", [suite])
    (other,) = run_suites(warehouse_url, "elsewhere", [suite])
    assert (checked.success, checked.unexpected_count) == (True, 0)
    assert (other.success, other.unexpected_count) == (False, 1)
