"""Bad input, table-driven: every case of ``cases.CASES`` lands in one landing zone beside a
good file, and ONE ingest run takes them all (it must not crash or hang). Then, per case: the
batch has the stated outcome; every row read was loaded or rejected with a reason; an unusable
file is one rejected batch naming the file and the problem; the good file loaded.
"""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from chiso import config, warehouse
from ingest.pii import load_key
from ingest.run import ingest
from tests import onestop_rows as rows
from tests.bad_input.cases import CASES, Case
from tests.bad_input.corpus import DAY

GOOD_FILE = f"onestop_{DAY}.csv"
RUN_SECONDS = 60  # the whole corpus; a hang (a FIFO opened, a bomb unpacked) trips the alarm


@pytest.fixture(scope="module")
def outcome(server_url):
    """Build every case, run ingest once; yield (connection, results by file name, seconds)."""
    base = Path(tempfile.mkdtemp(prefix="chiso-bad-"))
    landing, outside = base / "landing", base / "outside"
    folder = landing / "onestop"
    folder.mkdir(parents=True)
    outside.mkdir()
    for case in CASES:
        case.build(folder, outside)
    rows.write(folder / GOOD_FILE, [rows.row(f"GOOD-{i}") for i in range(5)])

    name = "chiso_bad_input"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"drop database if exists {name}")
        admin.execute(f"create database {name}")
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    with warehouse.connect(url, autocommit=True) as conn:
        warehouse.bootstrap(conn, config.load())

        def hung(signum, frame):
            raise TimeoutError(f"ingest of the bad-input corpus took over {RUN_SECONDS}s")

        previous = signal.signal(signal.SIGALRM, hung)
        signal.alarm(RUN_SECONDS)
        started = time.monotonic()
        try:
            results = ingest(
                conn, landing, load_key(config.load().home), "bad-input", feeds=["onestop"]
            )
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        yield conn, {r.file_name: r for r in results}, time.monotonic() - started
    shutil.rmtree(base, ignore_errors=True)  # links in it are removed, never followed


def _batch(conn, file_name: str):
    return conn.execute(
        "select batch_id, status, rows_read, rows_loaded, rows_rejected, message"
        " from audit.load_batches where file_name = %s",
        (file_name,),
    ).fetchall()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case(outcome, case: Case):
    conn, results, _ = outcome
    if case.status is None:
        assert not [name for name in results if name.startswith(_stem(case))], results.keys()
        return
    [(batch_id, status, read, loaded, rejected, message)] = _batch(conn, case.file)
    assert status == case.status, message
    in_raw = conn.execute(
        "select count(*) from raw.onestop where _batch_id = %s", (batch_id,)
    ).fetchone()[0]
    reasons = [
        r[0]
        for r in conn.execute(
            "select coalesce(column_name || ': ', '') || reason from audit.rejected_rows"
            " where batch_id = %s",
            (batch_id,),
        )
    ]
    if status == "rejected":
        assert message.startswith(case.file + ": "), message  # names the file...
        assert re.search(case.message, message), message  # ...and the problem
        assert (read, loaded, rejected, in_raw, reasons) == (0, 0, 0, 0, [])
        return
    assert (loaded, rejected) == (case.loaded, case.rejected), reasons
    assert loaded + rejected == read  # nothing lost
    assert (in_raw, len(reasons)) == (loaded, rejected)
    assert all(r.strip() for r in reasons)
    for expected in case.reasons:
        assert any(expected in r for r in reasons), (expected, reasons)
    if case.message:
        assert re.search(case.message, message or ""), message
    if case.check:
        case.check(conn, batch_id)


def _stem(case: Case) -> str:
    return case.name.split("_")[0]


def test_the_run_is_whole_and_quick(outcome):
    conn, results, seconds = outcome
    assert results[GOOD_FILE].status == "loaded" and results[GOOD_FILE].rows_loaded == 5
    # No batch left half-way: every file ended loaded or rejected (none failed or started).
    statuses = dict(conn.execute("select status, count(*) from audit.load_batches group by 1"))
    assert set(statuses) <= {"loaded", "rejected"}, statuses
    assert seconds < 30, f"the corpus took {seconds:.1f}s"
    assert len(CASES) >= 30


def test_zero_byte_jsonl_is_one_rejected_batch(conn, landing):
    # Apart from the corpus run: there the zero-byte CSV has the same (empty) content.
    folder = landing / "onestop"
    folder.mkdir(parents=True)
    (folder / f"zero_{DAY}.jsonl").write_bytes(b"")
    [result] = ingest(conn, landing, load_key(config.load().home), "t", feeds=["onestop"])
    assert (result.status, result.message) == ("rejected", f"zero_{DAY}.jsonl: file is empty")


def test_audit_csv_export_never_starts_a_cell_with_a_formula(outcome):
    """Values from the corpus (=HYPERLINK, +cmd, @SUM, -2+3) reach the audit history; its CSV
    for spreadsheets must show them as text."""
    import csv
    import io
    from datetime import date

    audit = pytest.importorskip("chiso.audit")
    if not hasattr(audit, "to_csv"):
        pytest.skip("no CSV export")
    conn, _, _ = outcome
    conn.execute(
        "insert into audit.runs (run_id, run_date, trigger, status, message) values"
        " ('=HYPERLINK(\"http://evil.example\")', '2026-11-05', 'cli', 'failed',"
        " '@SUM(1+1)')"
    )
    exported = audit.to_csv(audit.history(conn, date(2000, 1, 1)))
    cells = [c for row in csv.reader(io.StringIO(exported)) for c in row]
    assert any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
