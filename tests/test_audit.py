"""The audit trail auditors read: `chiso audit` (table and CSV) and the index of gate runs."""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest

from chiso import audit, cli, config, gate, pipeline, publish, runinfo, warehouse
from tests import onestop_rows as rows


@pytest.fixture
def chiso(capsys):
    """The CLI, in-process (a subprocess per call would cost seconds of imports)."""

    def call(*args: str) -> SimpleNamespace:
        capsys.readouterr()
        code = cli.main(list(args))
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return call


@pytest.fixture(scope="module")
def history(server_url, tmp_path_factory):
    """A published run with a rejected row, a republication, a rollback, a blocked gate run
    and a load whose names look like spreadsheet formulas (one warehouse for the module)."""
    from tests.conftest import _with_db

    base = tmp_path_factory.mktemp("audit")
    name = f"chiso_audit_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f'drop database if exists "{name}"')
        c.execute(f'create database "{name}"')
    mp = pytest.MonkeyPatch()
    mp.setenv("CHISO_WAREHOUSE_URL", _with_db(server_url, name))
    mp.setenv("CHISO_LANDING_DIR", str(base / "landing"))
    mp.setenv("CHISO_DOCS_DIR", str(base / "docs"))
    mp.setenv("CHISO_REPORTS_DIR", str(base / "reports"))
    rows.write(
        base / "landing" / "onestop" / "onestop_2026-11-02.csv",
        [rows.row("A-1"), rows.row("A-2", KenhThucHien="5")],
    )
    run = pipeline.Run("first", date(2026, 11, 3), quiet=True)
    pipeline.run_all(run)
    pipeline.publish_candidate(run)  # version 2, from the same checked candidate
    with warehouse.connect(_with_db(server_url, name), autocommit=True) as conn:
        publish.rollback(conn, "rollback-1", runinfo.code_version())
        conn.execute(
            "insert into audit.check_results (run_id, suite, table_name, check_name,"
            " expectation_type, severity, success, unexpected_count, code_version, checked_at)"
            " values ('blocked-run', 'onestop_monthly', 'onestop_monthly', 'rate_within_0_1',"
            " 'expect_column_values_to_be_between', 'blocking', false, 3, 'abc',"
            " now() + '1 s')"
        )
        conn.execute(
            "insert into audit.load_batches (run_id, feed, file_name, file_path, sha256,"
            " file_bytes, status, message, code_version) values ('evil', '=cmd', '@x.csv',"
            " '/x', 'f', 1, 'failed', '-2+3', 'abc')"
        )
        audit.write_checks_index(conn)  # what the next gate or publish does
        yield conn
    mp.undo()


def _since() -> str:
    return (datetime.now(runinfo.LOCAL).date() - timedelta(days=1)).isoformat()


def test_audit_prints_every_kind_of_event_with_run_time_and_code_version(history, chiso):
    done = chiso("audit", "--since", _since())
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == list(audit.COLUMNS)
    kinds = {line.split()[0] for line in lines[2:]}
    assert kinds == {"run", "load", "rejected", "check", "publish", "rollback"}
    rejected = next(line for line in lines if line.startswith("rejected"))
    assert " first " in rejected and runinfo.code_version() in rejected
    assert "onestop/onestop_2026-11-02.csv [channel]" in rejected and "1 row(s)" in rejected
    rollback = next(line for line in lines if line.startswith("rollback"))
    assert "rollback-1" in rollback and "version 1" in rollback and "rolled back" in rollback
    later = chiso("audit", "--since", (date.today() + timedelta(days=3)).isoformat())
    assert later.stdout.strip() == "no audited events in that period"


def test_audit_csv_escapes_cells_a_spreadsheet_would_run(history, chiso):
    done = chiso("audit", "--since", _since(), "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(table[0]) == list(audit.COLUMNS)
    assert all(r["run_id"] and r["code_version"] and r["time"] for r in table)
    evil = next(r for r in table if r["run_id"] == "evil")
    assert evil["subject"] == "'=cmd/@x.csv" and evil["outcome"] == "failed: -2+3"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in table for v in r.values())
    publications = [
        (r["kind"], r["outcome"]) for r in table if r["kind"] in ("publish", "rollback")
    ]
    assert publications == [
        ("publish", "published"),
        ("publish", "published"),
        ("rollback", "rolled back"),
    ]


def test_checks_index_lists_gate_runs_newest_first_with_their_data_docs(history):
    settings = config.load()
    index = settings.docs_dir / "checks" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert html.index("blocked-run") < html.index("<code>first</code>")  # newest first
    assert "bị chặn / blocked" in html and "đã công bố / published v2" in html
    assert (gate.docs_path("first", settings) / "index.html").exists()
    assert 'href="first/index.html"' in html
    runs = audit.gate_runs(history)
    assert [(r["run_id"], r["outcome"], r["failed_blocking"]) for r in runs] == [
        ("blocked-run", "blocked", 1),
        ("first", "published v2", 0),
    ]
    assert runs[1]["passed"] > 20 and "onestop_monthly" in runs[1]["suites"]


def test_checks_index_is_rebuilt_from_the_warehouse_not_from_files(history, chiso):
    settings = config.load()
    index = settings.docs_dir / "checks" / "index.html"
    index.unlink()
    done = chiso("report", "--date", "2026-11-03")
    assert done.returncode == 0, done.stderr
    assert "<code>first</code>" in index.read_text(encoding="utf-8")
    assert Path(settings.reports_dir / "2026-11-03.html").exists()
