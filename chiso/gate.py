"""The quality gate: Great Expectations suites on the candidate marts, results kept in audit."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from chiso import config

if TYPE_CHECKING:
    from expectations.model import CheckResult


class GateBlocked(RuntimeError):
    pass


def run_checks(
    conn: psycopg.Connection,
    dsn: str,
    run_id: str,
    code_version: str,
    settings: config.Settings | None = None,
) -> list[CheckResult]:
    """Validate the candidate schema; record every result; return them."""
    from expectations.runner import run_suites  # GX is a heavy import: only when checking
    from expectations.suites import all_suites

    settings = settings or config.load()
    # After GX's import (inside the runner's import above), which sets its own levels.
    logging.getLogger("great_expectations").setLevel(logging.ERROR)  # chatty about temp dirs
    docs = settings.docs_dir / "checks" / safe_name(run_id)
    # The suites read no settings: the candidate schema is passed here (it is also what their
    # row rules call {candidate}). Big incremental marts are checked on the rows built since
    # what BI sees now (`marts`).
    results = run_suites(
        dsn,
        settings.candidate_schema,
        all_suites(),
        docs_dir=docs,
        run_name=run_id,
        published="marts",
    )
    with conn.transaction():
        conn.execute("delete from audit.check_results where run_id = %s", (run_id,))
        with conn.cursor() as cur:
            cur.executemany(
                "insert into audit.check_results (run_id, suite, table_name, check_name,"
                " expectation_type, column_name, severity, success, observed_value,"
                " unexpected_count, element_count, details, code_version)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        run_id,
                        r.suite,
                        r.table,
                        r.check_name,
                        r.expectation_type,
                        r.column,
                        r.severity,
                        r.success,
                        r.observed_value,
                        r.unexpected_count,
                        r.element_count,
                        json.dumps(r.details, default=str),
                        code_version,
                    )
                    for r in results
                ],
            )
    return results


def blocking_failures(conn: psycopg.Connection, run_id: str) -> list[str]:
    rows = conn.execute(
        "select suite, check_name, coalesce(column_name, ''), unexpected_count, observed_value"
        " from audit.check_results where run_id = %s and severity = 'blocking' and not success"
        " order by suite, check_name",
        (run_id,),
    ).fetchall()
    return [
        f"{s}.{c}"
        + (f"[{col}]" if col else "")
        + (f" ({n} unexpected)" if n else (f" (observed {o})" if o else ""))
        for s, c, col, n, o in rows
    ]


def counts(conn: psycopg.Connection, run_id: str) -> tuple[int, int, int]:
    """(passed, failed blocking, failed warning) for a run's checks."""
    row = conn.execute(
        "select count(*) filter (where success),"
        " count(*) filter (where not success and severity = 'blocking'),"
        " count(*) filter (where not success and severity = 'warning')"
        " from audit.check_results where run_id = %s",
        (run_id,),
    ).fetchone()
    assert row is not None  # an aggregate without group by: always one row
    return row[0], row[1], row[2]


def safe_name(run_id: str) -> str:
    """The folder name of a run's Data Docs: the run id with anything unusual replaced."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)


def docs_path(run_id: str, settings: config.Settings | None = None) -> Path:
    settings = settings or config.load()
    return settings.docs_dir / "checks" / safe_name(run_id)
