"""The nightly DAG: parses cleanly, and `airflow dags test` publishes correct marts."""

from __future__ import annotations

import csv
import subprocess
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from chiso import airflow_env, config, warehouse
from chiso.samples import onestop

RUN_DATE = date(2026, 11, 22)
AS_OF = datetime(2026, 11, 22)  # local midnight starting the run date
MONTH_ENDS = (datetime(2026, 11, 1), AS_OF)


def test_dagbag_imports_without_errors_and_has_the_nightly_shape(session_home):
    from airflow.dag_processing.dagbag import DagBag

    started = time.perf_counter()
    bag = DagBag(dag_folder=str(config.load().dags_dir))
    parse_seconds = time.perf_counter() - started
    assert bag.import_errors == {}
    dag = bag.dags["chiso_nightly"]
    assert [t.task_id for t in dag.topological_sort()] == [
        "ingest",
        "build",
        "gate",
        "publish",
        "summary",
    ]
    assert dag.get_task("publish").upstream_task_ids == {"gate"}
    assert dag.get_task("summary").trigger_rule == "all_done"
    assert dag.catchup is False and dag.max_active_runs == 1
    assert dag.default_args["retries"] == 2
    assert dag.timetable.summary == "0 1 * * *"
    print(f"DagBag parse: {parse_seconds:.2f}s")


def _expected_monthly(folder: Path) -> dict[tuple[str, str, str], Counter]:
    """Recompute onestop_monthly from the CSV files alone (no chiso code), as of the run date."""
    latest: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("onestop_*.csv")):  # file names sort by export date
        with open(path, newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                latest[rec["MaHoSo"]] = rec

    def ts(text: str) -> datetime | None:
        return datetime.strptime(text, "%d/%m/%Y %H:%M:%S") if text else None

    out: dict[tuple[str, str, str], Counter] = {}
    for rec in latest.values():
        status = int(rec["TrangThaiHoSo"])
        if status in (3, 7):  # not received, withdrawn: not counted
            continue
        agency = (rec["DonViXuLy"], rec["MaLinhVuc"])
        received = ts(rec["NgayTiepNhan"])
        due = ts(rec["NgayHenTraMoi"]) or ts(rec["NgayHenTra"])
        if due and due.time() == datetime.min.time():
            due += timedelta(days=1, seconds=-1)
        finished = None
        if status in (8, 9, 10):
            finished = ts(rec["NgayKetThucXuLy"]) or ts(rec["NgayTra"])
        month = received.strftime("%Y-%m-01")
        out.setdefault((*agency, month), Counter())
        out[(*agency, month)]["received"] += 1
        out[(*agency, month)]["online"] += rec["KenhThucHien"] == "2"
        if finished:
            fm = finished.strftime("%Y-%m-01")
            c = out.setdefault((*agency, fm), Counter())
            c["completed"] += 1
            late = int(rec["SoLanBoSung"] or 0) > 1 or finished > due
            c["late" if late else "on_time"] += 1
        # Open and overdue at each month's end (the current month ends at the cut-off).
        for month_end in MONTH_ENDS:
            if (
                due
                and due < month_end
                and received < month_end
                and (finished is None or finished >= month_end)
            ):
                key = (*agency, (month_end - timedelta(seconds=1)).strftime("%Y-%m-01"))
                out.setdefault(key, Counter())["open_overdue"] += 1
    return out


@pytest.mark.slow
def test_airflow_dags_test_publishes_marts_matching_the_files(warehouse_url, landing):
    paths = onestop.generate(landing, date(2026, 10, 20), 33, seed=3, dossiers_per_day=40)
    assert len(paths) == 33
    expected = _expected_monthly(landing / "onestop")
    data_rows = sum(len(p.read_text().splitlines()) - 1 for p in paths)

    env = airflow_env.environ()
    airflow_env.ensure_db()
    done = subprocess.run(
        [airflow_env.airflow_bin(), "dags", "test", "chiso_nightly", RUN_DATE.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "published: version 1" in done.stdout + done.stderr

    # Read what BI tools read, as the BI role.
    with psycopg.connect(warehouse.bi_url(warehouse_url)) as bi:
        got = {
            (a, f, m): {
                "received": r,
                "online": o,
                "completed": c,
                "on_time": t,
                "late": lt,
                "open_overdue": od,
            }
            for a, f, m, r, o, c, t, lt, od in bi.execute(
                "select agency_code, field_code, month_start::text, dossiers_received,"
                " dossiers_received_online, dossiers_completed, dossiers_completed_on_time,"
                " dossiers_completed_late, dossiers_open_overdue from marts.onestop_monthly"
            )
        }
    want = {
        k: {
            f: v.get(f, 0)
            for f in ("received", "online", "completed", "on_time", "late", "open_overdue")
        }
        for k, v in expected.items()
    }
    differing = {
        k: (got.get(k), want.get(k)) for k in got.keys() | want.keys() if got.get(k) != want.get(k)
    }
    assert differing == {}
    assert sum(v["late"] for v in want.values()) > 0  # the sample exercises every path
    assert sum(v["open_overdue"] for v in want.values()) > 0

    with warehouse.connect(warehouse_url) as conn:
        run = conn.execute("select run_id, run_date, status from audit.runs").fetchall()
        assert [(r[1], r[2]) for r in run] == [(RUN_DATE, "succeeded")]
        loaded = conn.execute(
            "select count(*), sum(rows_loaded), sum(rows_rejected)"
            " from audit.load_batches where status = 'loaded'"
        ).fetchone()
        # Header-only Sunday files are byte-identical: the first is loaded, the rest skipped.
        assert loaded == (len({p.read_bytes() for p in paths}), data_rows, 0)

    # A second run of the same date loads nothing again and publishes the same numbers.
    again = subprocess.run(
        [airflow_env.airflow_bin(), "dags", "test", "chiso_nightly", RUN_DATE.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stdout[-3000:]
    with warehouse.connect(warehouse_url) as conn:
        assert conn.execute("select count(*) from audit.load_batches").fetchone()[0] == loaded[0]
        assert conn.execute("select max(version) from audit.publications").fetchone()[0] == 2
        assert conn.execute("select sum(dossiers_received) from marts.onestop_monthly").fetchone()[
            0
        ] == sum(v["received"] for v in want.values())
