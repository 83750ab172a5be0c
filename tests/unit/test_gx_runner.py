"""expectations.runner against a real, throwaway PostgreSQL (pgserver's bundled binaries)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from expectations.model import Check, Suite
from expectations.runner import blocking_failures, run_suites

# isort: split
import great_expectations.expectations as gxe  # after the runner, which sets GX's env first

GOOD_ROWS = [
    ("HN-01", "2024-01-01", 10, 8, 6, 2, 0.75),
    ("HN-01", "2024-02-01", 10, 10, 10, 0, 1.0),
    ("HCM-02", "2024-01-01", 5, 4, 1, 3, 0.25),
]


@pytest.fixture
def db(warehouse_url: str) -> Iterator[psycopg.Connection]:
    """A fresh candidate.onestop_monthly with three good rows (in a fresh test database)."""
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS candidate CASCADE")
        conn.execute("CREATE SCHEMA candidate")
        conn.execute(
            "CREATE TABLE candidate.onestop_monthly (agency_code text, month date, received int,"
            " completed int, completed_on_time int, completed_late int, on_time_rate numeric)"
        )
        _insert(conn, GOOD_ROWS)
        yield conn


def _insert(conn: psycopg.Connection, rows: list[tuple]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO candidate.onestop_monthly VALUES (%s, %s, %s, %s, %s, %s, %s)", rows
        )


def onestop_suite(name: str = "onestop_monthly", table: str = "onestop_monthly") -> Suite:
    return Suite(
        name=name,
        table=table,
        checks=[
            Check("agency_code_not_null", gxe.ExpectColumnValuesToNotBeNull(column="agency_code")),
            Check("month_not_null", gxe.ExpectColumnValuesToNotBeNull(column="month")),
            Check(
                "on_time_rate_is_a_share",
                gxe.ExpectColumnValuesToBeBetween(column="on_time_rate", min_value=0, max_value=1),
                severity="warning",
            ),
            Check(
                "on_time_plus_late_is_completed",
                gxe.UnexpectedRowsExpectation(
                    unexpected_rows_query="SELECT agency_code, month FROM {batch}"
                    " WHERE completed_on_time + completed_late <> completed"
                ),
            ),
            Check(
                "one_row_per_agency_month",
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["agency_code", "month"]),
            ),
            Check(
                "completed_at_most_received",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="received", column_B="completed", or_equal=True
                ),
            ),
        ],
    )


def test_clean_table_passes_every_check(warehouse_url: str, db: psycopg.Connection) -> None:
    results = run_suites(warehouse_url, "candidate", [onestop_suite()])

    assert [r.check_name for r in results] == [c.name for c in onestop_suite().checks]
    assert all(r.success for r in results), [r for r in results if not r.success]
    assert {r.element_count for r in results} == {len(GOOD_ROWS)}
    assert all(r.unexpected_count == 0 for r in results)
    by_name = {r.check_name: r for r in results}
    assert by_name["one_row_per_agency_month"].column == "agency_code,month"
    assert by_name["completed_at_most_received"].column == "received,completed"
    assert by_name["agency_code_not_null"].column == "agency_code"
    assert by_name["on_time_plus_late_is_completed"].expectation_type == (
        "unexpected_rows_expectation"
    )
    assert blocking_failures(results) == []


def test_bad_row_fails_exactly_the_checks_it_breaks(
    warehouse_url: str, db: psycopg.Connection
) -> None:
    _insert(db, [("DN-03", "2024-01-01", 10, 5, 2, 2, 1.5)])  # rate > 1 and 2 + 2 != 5

    results = run_suites(warehouse_url, "candidate", [onestop_suite()])

    failed = {r.check_name: r for r in results if not r.success}
    assert set(failed) == {"on_time_rate_is_a_share", "on_time_plus_late_is_completed"}
    assert all(r.unexpected_count == 1 for r in failed.values())
    assert failed["on_time_rate_is_a_share"].severity == "warning"
    assert failed["on_time_plus_late_is_completed"].severity == "blocking"
    assert failed["on_time_plus_late_is_completed"].element_count == len(GOOD_ROWS) + 1
    assert [r.check_name for r in blocking_failures(results)] == ["on_time_plus_late_is_completed"]
    assert "error" not in failed["on_time_rate_is_a_share"].details


def test_missing_table_fails_blocking_without_hiding_other_suites(
    warehouse_url: str, db: psycopg.Connection
) -> None:
    suites = [onestop_suite("ghost", table="no_such_mart"), onestop_suite()]

    results = run_suites(warehouse_url, "candidate", suites)

    ghost = [r for r in results if r.suite == "ghost"]
    assert len(ghost) == len(suites[0].checks)
    assert all(not r.success and r.severity == "blocking" for r in ghost)
    assert all("candidate.no_such_mart" in r.details["error"] for r in ghost)
    assert all(r.success for r in results if r.suite == "onestop_monthly")
    assert blocking_failures(results) == ghost


def test_unreachable_database_fails_every_check_blocking() -> None:
    with socket.socket() as s:  # a port nobody listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    suites = [onestop_suite("a"), onestop_suite("b")]

    results = run_suites(f"postgresql://postgres@127.0.0.1:{port}/postgres", "candidate", suites)

    assert len(results) == 12
    assert blocking_failures(results) == results
    assert all(r.details["error"].startswith("cannot connect") for r in results)


def test_expectation_that_raises_is_a_failed_result(
    warehouse_url: str, db: psycopg.Connection
) -> None:
    suite = Suite(
        "broken",
        "onestop_monthly",
        [
            Check("no_such_column", gxe.ExpectColumnValuesToNotBeNull(column="no_such_column")),
            Check(
                "broken_sql",
                gxe.UnexpectedRowsExpectation(
                    unexpected_rows_query="SELECT * FROM {batch} WHERE bogus > 1"
                ),
                severity="warning",
            ),
            Check("still_runs", gxe.ExpectColumnValuesToNotBeNull(column="agency_code")),
        ],
    )

    by_name = {r.check_name: r for r in run_suites(warehouse_url, "candidate", [suite])}

    assert not by_name["no_such_column"].success
    assert "no_such_column" in by_name["no_such_column"].details["error"]
    assert not by_name["broken_sql"].success
    assert "bogus" in by_name["broken_sql"].details["error"]
    assert by_name["broken_sql"].severity == "warning"
    assert by_name["still_runs"].success


def test_data_docs_render_this_run(
    warehouse_url: str, db: psycopg.Connection, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"

    run_suites(warehouse_url, "candidate", [onestop_suite()], docs_dir=docs, run_name="t-run")

    index = (docs / "index.html").read_text()
    assert "onestop_monthly" in index
    assert "t-run" in index
    rendered = "".join(p.read_text() for p in docs.rglob("*.html"))
    assert urlsplit(warehouse_url).password not in rendered


def test_scoped_suite_checks_rows_built_since_the_published_copy(
    warehouse_url: str, db: psycopg.Connection
) -> None:
    db.execute("ALTER TABLE candidate.onestop_monthly ADD built_at timestamptz")
    db.execute("UPDATE candidate.onestop_monthly SET built_at = '2026-11-01'")
    _insert(db, [("DN-03", "2024-03-01", 10, 5, 2, 2, 1.5)])  # bad, and built later
    db.execute(
        "UPDATE candidate.onestop_monthly SET built_at = '2026-11-02' WHERE built_at IS NULL"
    )
    base = onestop_suite()
    scoped = Suite(base.name, base.table, base.checks, changed_rows="built_at > {since}")

    # Nothing published yet: the whole table is checked.
    first = run_suites(warehouse_url, "candidate", [scoped], published="marts")
    assert {r.element_count for r in first} == {len(GOOD_ROWS) + 1}
    assert all(r.details["scope"].startswith("whole table") for r in first)

    db.execute("CREATE SCHEMA IF NOT EXISTS marts")
    db.execute(
        "CREATE VIEW marts.onestop_monthly AS SELECT * FROM candidate.onestop_monthly"
        " WHERE built_at = '2026-11-01'"
    )
    results = run_suites(warehouse_url, "candidate", [scoped], published="marts")

    assert {r.element_count for r in results} == {1}  # only the row built since
    assert all(r.details["scope"].startswith("rows built since") for r in results)
    failed = {r.check_name for r in results if not r.success}
    assert failed == {"on_time_rate_is_a_share", "on_time_plus_late_is_completed"}


def test_row_rule_runs_its_query_once_and_counts_the_offending_rows(
    warehouse_url: str, db: psycopg.Connection
) -> None:
    from expectations.counted_rows import UnexpectedRowsCountExpectation

    db.execute("CREATE SEQUENCE candidate.query_runs")
    # Each run of the query draws one number: GX's parent expectation runs it twice.
    counting = (
        "select agency_code from {batch} cross join (select nextval('candidate.query_runs')) r"
        " where completed_on_time + completed_late <> completed"
    )
    _insert(db, [("DN-03", "2024-01-01", 10, 5, 2, 2, 0.4)])
    suite = Suite(
        "rules",
        "onestop_monthly",
        [
            Check("adds_up", UnexpectedRowsCountExpectation(unexpected_rows_query=counting)),
        ],
    )

    (result,) = run_suites(warehouse_url, "candidate", [suite])

    assert (result.success, result.observed_value, result.unexpected_count) == (False, "1", 1)
    assert result.expectation_type == "unexpected_rows_count_expectation"
    assert db.execute("select last_value from candidate.query_runs").fetchone()[0] == 1


def test_heavy_suites_are_validated_beside_the_others(
    warehouse_url: str, db: psycopg.Connection
) -> None:
    from expectations.counted_rows import UnexpectedRowsCountExpectation as Rows

    # A rendezvous: each suite's rule waits (up to 20 s) to see the other suite's query running
    # in another session. Both pass only if the two lanes run at the same time, however long
    # either takes to set up; run one after the other, the first to run fails.
    db.execute("""
        CREATE FUNCTION candidate.saw_lane(other text) RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
            FOR i IN 1..400 LOOP
                PERFORM pg_stat_clear_snapshot();  -- else the first read is cached for the query
                IF EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid()
                           AND state = 'active' AND query LIKE '%' || other || '-lane-marker%')
                THEN
                    PERFORM pg_sleep(0.5);  -- stay active long enough to be seen in turn
                    RETURN true;
                END IF;
                PERFORM pg_sleep(0.05);
            END LOOP;
            RETURN false;
        END $$""")
    heavy = Suite(
        "recount",
        "onestop_monthly",
        [
            Check(
                "slow",
                Rows(
                    unexpected_rows_query="select 1 where not candidate.saw_lane('light')"
                    " /* heavy-lane-marker */"
                ),
            )
        ],
        heavy=True,
    )
    light = Suite(
        "light",
        "onestop_monthly",
        [
            Check(
                "ran_beside_the_heavy_suite",
                Rows(
                    unexpected_rows_query="select 1 where not candidate.saw_lane('heavy')"
                    " /* light-lane-marker */"
                ),
            )
        ],
    )

    results = run_suites(warehouse_url, "candidate", [heavy, light])

    assert [(r.suite, r.check_name) for r in results] == [
        ("recount", "slow"),
        ("light", "ran_beside_the_heavy_suite"),
    ]
    assert [r.success for r in results] == [True, True], results
