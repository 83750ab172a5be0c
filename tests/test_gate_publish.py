"""Write-audit-publish: a failed blocking check publishes nothing; rollback restores."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from chiso import gate, pipeline, publish, warehouse
from tests import onestop_rows as rows

RUN_DATE = date(2026, 11, 8)


def _published(conn) -> list[tuple]:
    return conn.execute(
        "select agency_code, month_start::text, dossiers_received"
        " from marts.onestop_monthly order by 1, 2"
    ).fetchall()


def _run(run_id: str) -> pipeline.Run:
    return pipeline.Run(run_id, RUN_DATE, quiet=True)


@pytest.fixture
def first_version(conn, landing):
    rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv", [rows.row(f"A-{i}") for i in range(3)]
    )
    pipeline.run_all(_run("first"))
    assert _published(conn) == [("QT-SKHDT", "2026-11-01", 3)]
    return conn


def test_blocking_failure_publishes_nothing_and_leaves_marts_as_they_were(first_version, landing):
    conn = first_version
    rows.write(
        landing / "onestop" / "onestop_2026-11-03.csv", [rows.row(f"B-{i}") for i in range(4)]
    )
    run = _run("broken")
    pipeline.begin(run)
    pipeline.ingest(run)
    pipeline.build(run)
    # A defect that only the gate can see: a rate above 1 in the candidate.
    conn.execute("update candidate.onestop_monthly set on_time_rate = 1.5")

    with (
        pytest.raises(gate.GateBlocked, match=r"onestop_monthly\.on_time_rate_within_0_1"),
        pipeline.stage(run, "check"),
    ):
        pipeline.check(run)
    with pytest.raises(publish.PublishError, match="failed 1 blocking check"):
        pipeline.publish_candidate(run)

    assert _published(conn) == [("QT-SKHDT", "2026-11-01", 3)]  # not 7
    assert conn.execute("select count(*) from audit.publications").fetchone()[0] == 1
    assert (
        conn.execute("select status from audit.runs where run_id = 'broken'").fetchone()[0]
        == "blocked"
    )
    failed = conn.execute(
        "select check_name, unexpected_count from audit.check_results"
        " where run_id = 'broken' and not success and severity = 'blocking'"
    ).fetchall()
    assert failed == [("on_time_rate_within_0_1", 1)]
    # The candidate stays for inspection.
    assert conn.execute("select on_time_rate from candidate.onestop_monthly").fetchone()[0] == 1.5


def test_publication_records_each_mart_row_count(first_version):
    conn = first_version
    (counts,) = conn.execute("select row_counts from audit.publications").fetchone()
    marts = [
        r[0]
        for r in conn.execute(
            "select table_name from information_schema.views where table_schema = 'marts'"
        )
    ]
    assert sorted(counts) == sorted(marts)
    actual = {m: conn.execute(f'select count(*) from marts."{m}"').fetchone()[0] for m in marts}
    assert counts == actual
    assert counts["dossiers"] == 3


def test_publish_without_checks_is_refused(first_version):
    with pytest.raises(publish.PublishError, match="no check results"):
        pipeline.publish_candidate(_run("never-checked"))


def test_rollback_restores_the_previous_version(first_version, landing):
    conn = first_version
    rows.write(
        landing / "onestop" / "onestop_2026-11-03.csv", [rows.row(f"B-{i}") for i in range(4)]
    )
    pipeline.run_all(_run("second"))
    assert _published(conn) == [("QT-SKHDT", "2026-11-01", 7)]

    restored = publish.rollback(conn, "rollback-test", "test")

    assert restored.version == 1
    assert _published(conn) == [("QT-SKHDT", "2026-11-01", 3)]
    actions = conn.execute(
        "select version, action from audit.publications order by publication_id"
    ).fetchall()
    assert actions == [(1, "publish"), (2, "publish"), (1, "rollback")]
    with pytest.raises(publish.PublishError, match="oldest kept"):
        publish.rollback(conn, "again", "test")


def test_old_versions_are_pruned(first_version, landing, monkeypatch):
    monkeypatch.setenv("CHISO_KEEP_VERSIONS", "2")
    for i in range(3):
        rows.write(landing / "onestop" / f"onestop_2026-11-0{3 + i}.csv", [rows.row(f"C-{i}")])
        pipeline.run_all(_run(f"more-{i}"))
    schemas = [
        r[0]
        for r in first_version.execute(
            "select nspname from pg_namespace where nspname like 'marts_v%' order by 1"
        )
    ]
    assert schemas == ["marts_v000003", "marts_v000004"]


def test_bi_role_reads_published_marts_only(first_version, warehouse_url):
    bi = warehouse.bi_url(warehouse_url)
    with psycopg.connect(bi, autocommit=True) as conn:
        assert conn.execute("select count(*) from marts.onestop_monthly").fetchone()[0] == 1
        for table in (
            "raw.onestop",
            "audit.load_batches",
            "audit.rejected_rows",
            "candidate.onestop_monthly",
            "marts_v000001.onestop_monthly",
            "intermediate.int_dossiers_current",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from {table} limit 1")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table marts.mine (x int)")


def test_concurrent_run_is_refused_with_a_clear_message(first_version):
    with (
        pipeline.run_lock(_run("holder")),
        pytest.raises(pipeline.RunLocked, match="another chiso run is in progress"),
    ):
        pipeline.run_all(_run("second-at-once"))
