"""Publishing never fights its readers (issue 15, item 7): views built on ``marts`` survive
publication, a mart whose columns change names the views in its way, and a BI transaction
holding a mart makes publish fail within its lock budget, then the next try succeeds."""

from __future__ import annotations

import time

import psycopg
import pytest

from chiso import publish, warehouse


def _publish(conn: psycopg.Connection, run_id: str) -> publish.Publication:
    return publish.publish(conn, "candidate", run_id, 3, 1, 0, "test")


def _versions(conn: psycopg.Connection) -> list[int]:
    return [r[0] for r in conn.execute("select version from audit.publications order by 1")]


@pytest.fixture
def owner(bi_copy):
    with warehouse.connect(bi_copy, autocommit=True) as conn:
        yield conn


def test_an_analysts_view_on_a_mart_survives_the_next_publication(owner):
    owner.execute("create view public.my_report as select * from marts.onestop_monthly")
    before = owner.execute(
        "select count(*), sum(dossiers_received) from public.my_report"
    ).fetchone()

    pub = _publish(owner, "again")

    assert pub.version == 2
    assert owner.execute("select to_regclass('public.my_report') is not null").fetchone()[0]
    # It reads the new version through marts: same figures, since the candidate is the same.
    assert (
        owner.execute("select count(*), sum(dossiers_received) from public.my_report").fetchone()
        == before
    )
    shown = owner.execute(
        "select distinct t.relnamespace::regnamespace::text from pg_depend d"
        " join pg_rewrite r on r.oid = d.objid join pg_class t on t.oid = d.refobjid"
        " where r.ev_class = 'marts.onestop_monthly'::regclass and t.relkind = 'r'"
    ).fetchall()
    assert shown == [("marts_v000002",)]


def test_added_columns_keep_dependents_and_a_removed_one_names_them(owner):
    owner.execute("create view public.my_report as select * from marts.onestop_monthly")
    old_columns = [
        r[0] for r in owner.execute("select * from marts.onestop_monthly limit 0").description
    ]

    # A column added at the end, and one added in front: the view keeps its order, appends both.
    owner.execute("alter table candidate.onestop_monthly add column trailing_col int default 7")
    owner.execute("alter table candidate.onestop_monthly rename to onestop_monthly_old")
    owner.execute(
        "create table candidate.onestop_monthly as select 1 as leading_col, * from"
        " candidate.onestop_monthly_old"
    )
    owner.execute("drop table candidate.onestop_monthly_old")
    assert _publish(owner, "wider").version == 2
    columns = [
        r.name for r in owner.execute("select * from marts.onestop_monthly limit 0").description
    ]
    assert columns == [*old_columns, "leading_col", "trailing_col"]
    assert owner.execute("select min(trailing_col) from marts.onestop_monthly").fetchone() == (7,)
    assert owner.execute("select count(*) from public.my_report").fetchone()[0] > 0

    # A column removed: PostgreSQL cannot keep public.my_report; publication stops and says so.
    owner.execute("alter table candidate.onestop_monthly drop column online_rate")
    with pytest.raises(publish.PublishError) as failed:
        _publish(owner, "narrower")
    message = str(failed.value)
    assert "marts.onestop_monthly" in message and "online_rate removed" in message
    assert "public.my_report" in message and "Nothing was published" in message
    assert _versions(owner) == [1, 2]
    assert "online_rate" in [
        r.name for r in owner.execute("select * from marts.onestop_monthly limit 0").description
    ]

    # Without dependents the view is simply rebuilt in the table's order.
    owner.execute("drop view public.my_report")
    assert _publish(owner, "narrower").version == 3
    columns = [
        r.name for r in owner.execute("select * from marts.onestop_monthly limit 0").description
    ]
    assert columns[0] == "leading_col" and "online_rate" not in columns


def test_an_open_bi_transaction_makes_publish_fail_within_its_budget_then_succeed(
    owner, bi_copy, monkeypatch
):
    monkeypatch.setenv("CHISO_PUBLISH_LOCK_TIMEOUT", "1.5")
    with psycopg.connect(warehouse.bi_url(bi_copy), application_name="superset-test") as bi:
        bi.execute("select count(*) from marts.onestop_monthly").fetchone()  # transaction open
        bi_pid = bi.info.backend_pid
        started = time.monotonic()
        with pytest.raises(publish.PublishError) as failed:
            _publish(owner, "blocked")
        waited = time.monotonic() - started
        message = str(failed.value)
        assert 1.4 <= waited < 4, waited
        assert f"pid {bi_pid} (chiso_bi, application superset-test, idle in transaction" in message
        assert "CHISO_PUBLISH_LOCK_TIMEOUT" in message and "Nothing changed" in message
        assert _versions(owner) == [1]
        # The reader was never disturbed: its transaction still reads the same version.
        assert bi.execute("select count(*) from marts.onestop_monthly").fetchone()[0] > 0
        bi.rollback()

    assert _publish(owner, "retried").version == 2
    assert _versions(owner) == [1, 2]
    assert owner.execute(
        "select count(*) from pg_namespace where nspname = 'marts_v000002'"
    ).fetchone() == (1,)


def test_a_reader_arriving_while_publish_waits_is_held_for_one_attempt_at_most(
    owner, bi_copy, monkeypatch
):
    """A waiting exclusive lock queues new readers behind it: publish's attempts are short so
    a dashboard opened meanwhile waits about one attempt, not the whole budget."""
    import threading

    monkeypatch.setenv("CHISO_PUBLISH_LOCK_TIMEOUT", "6")
    failures: list[Exception] = []
    with psycopg.connect(warehouse.bi_url(bi_copy)) as holder:
        holder.execute("select 1 from marts.onestop_monthly limit 1").fetchone()

        def attempt() -> None:
            with warehouse.connect(bi_copy, autocommit=True) as conn:
                try:
                    _publish(conn, "waiting")
                except publish.PublishError as exc:
                    failures.append(exc)

        worker = threading.Thread(target=attempt)
        worker.start()
        time.sleep(0.5)
        with psycopg.connect(warehouse.bi_url(bi_copy), autocommit=True) as reader:
            started = time.monotonic()
            reader.execute("select count(*) from marts.onestop_monthly").fetchone()
            held = time.monotonic() - started
        holder.rollback()
        worker.join(timeout=30)
    assert held < publish.ATTEMPT_S + 1, held
    assert failures == []  # the holder let go within the budget: this publication went through
    assert _versions(owner) == [1, 2]
