"""The gate and the publish step killed midway (SIGKILL while each holds its transaction):
``marts`` shows the previous version, whole; the candidate stays for inspection; the next
attempt recovers by itself."""

from __future__ import annotations

import signal
import time
from datetime import date

import psycopg
import pytest

from chiso import pipeline, publish
from tests import onestop_rows as rows
from tests.faults.helpers import query, spawn, wait_for

RUN_DATE = date(2026, 11, 8)
# `chiso check` whose suites evaluate to nothing (GX takes ~10 s to import in a new process):
# what is under test is the gate's write of its results, the one thing it commits.
QUICK_GATE = """
import sys, types
for name, attr, value in (("expectations.runner", "run_suites", lambda *a, **k: []),
                          ("expectations.suites", "all_suites", lambda: [])):
    module = types.ModuleType(name)
    setattr(module, attr, value)
    sys.modules[name] = module
from chiso.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _versions_shown(url: str) -> set[str]:
    """The version schema(s) the marts views read: one, or marts is a mix. Read from the
    catalogs (pg_get_viewdef would queue behind publish's lock and stall the test)."""
    got = query(
        url,
        """
        select distinct tn.nspname
        from pg_class v
        join pg_namespace vn on vn.oid = v.relnamespace
        join pg_rewrite r on r.ev_class = v.oid
        join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
                        and d.refclassid = 'pg_class'::regclass and d.refobjid <> v.oid
        join pg_class t on t.oid = d.refobjid
        join pg_namespace tn on tn.oid = t.relnamespace
        where vn.nspname = 'marts' and v.relkind = 'v'""",
    )
    return {r[0] for r in got}


def _received(url: str) -> int:
    return query(url, "select sum(dossiers_received) from marts.onestop_monthly")[0][0]


def _blocked(url: str, app: str) -> bool:
    return bool(
        query(
            url,
            "select 1 from pg_stat_activity where application_name = %s"
            " and wait_event_type = 'Lock'",
            (app,),
        )
    )


def _gone(url: str, app: str) -> bool:
    return not query(url, "select 1 from pg_stat_activity where application_name = %s", (app,))


def _kill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def test_gate_and_publish_killed_midway_leave_marts_whole(warehouse_url, landing):
    url = warehouse_url
    rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv", [rows.row(f"A-{i}") for i in range(3)]
    )
    pipeline.run_all(pipeline.Run("first", RUN_DATE, quiet=True))
    assert (_versions_shown(url), _received(url)) == ({"marts_v000001"}, 3)

    rows.write(
        landing / "onestop" / "onestop_2026-11-03.csv", [rows.row(f"B-{i}") for i in range(4)]
    )
    second = pipeline.Run("second", RUN_DATE, quiet=True)
    pipeline.begin(second)
    pipeline.ingest(second)
    pipeline.build(second)

    # -- the gate, killed while it writes its results (held up by a lock the test holds)
    with psycopg.connect(url) as holder:
        holder.execute("lock table audit.check_results in share mode")
        gate_proc = spawn(
            "check",
            "--run-id",
            "second",
            "--date",
            RUN_DATE.isoformat(),
            app="chiso-fault-gate",
            code=QUICK_GATE,
        )
        wait_for(
            "the gate to wait on its results",
            lambda: _blocked(url, "chiso-fault-gate"),
            timeout=120,
            proc=gate_proc,
        )
        _kill(gate_proc)
        holder.rollback()
    wait_for("the gate's session to end", lambda: _gone(url, "chiso-fault-gate"))
    assert query(url, "select count(*) from audit.check_results where run_id = 'second'") == [(0,)]
    with pytest.raises(publish.PublishError, match="no check results"):
        pipeline.publish_candidate(second)  # the gate is not optional, even after a crash
    assert (_versions_shown(url), _received(url)) == ({"marts_v000001"}, 3)

    pipeline.check(second)  # the retried gate task

    # -- publish, killed inside its transaction, while a BI query holds a mart
    with psycopg.connect(url) as bi:
        bi.execute("select count(*) from marts.dossiers").fetchone()
        pub_proc = spawn("publish", "--run-id", "second", app="chiso-fault-publish")
        wait_for(
            "publish to wait on the BI query",
            lambda: _blocked(url, "chiso-fault-publish"),
            timeout=60,
            proc=pub_proc,
        )
        # Mid-publication, other sessions still see the old version, whole.
        assert _versions_shown(url) == {"marts_v000001"}
        _kill(pub_proc)
        assert bi.execute("select count(*) from marts.dossiers").fetchone()[0] == 3
        bi.rollback()  # the killed session now gets its lock, then finds its client gone
    wait_for("the killed publish session to end", lambda: _gone(url, "chiso-fault-publish"))
    time.sleep(0.2)

    assert (_versions_shown(url), _received(url)) == ({"marts_v000001"}, 3)
    assert query(url, "select version, action from audit.publications") == [(1, "publish")]
    assert query(url, "select count(*) from pg_namespace where nspname = 'marts_v000002'") == [(0,)]
    # The candidate stays for inspection.
    assert query(url, "select sum(dossiers_received) from candidate.onestop_monthly") == [(7,)]

    # -- the retried publish recovers by itself
    pub = pipeline.publish_candidate(second)
    assert pub.version == 2
    assert (_versions_shown(url), _received(url)) == ({"marts_v000002"}, 7)
