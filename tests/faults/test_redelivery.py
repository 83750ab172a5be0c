"""Files delivered again: a renamed copy, a re-encoded copy (other bytes, same rows), an older
export arriving after a newer one, and rows repeated inside a file. Bad files arrive in the same
nights. Nothing is counted twice, no dossier goes back to an older state, and the good data
still publishes through ``pipeline.run_all``.

(tests/test_ingest.py covers a byte-identical re-delivery within the ingest stage, and
tests/test_onestop.py late older exports of different dossiers; this extends both end to end.)
"""

from __future__ import annotations

import shutil
from datetime import date

from chiso import pipeline
from tests import onestop_rows as rows
from tests.bad_input.corpus import BAD_DIR

RUN_DATE = date(2026, 11, 8)
BAD = [
    "impossible_dates_2026-11-05.csv",
    "end_before_receipt_2026-11-05.csv",
    "future_dates_2026-11-05.csv",
    "legacy_windows1258_2026-11-05.csv",
    "jsonl_broken_line_2026-11-05.jsonl",
    "duplicate_rows_2026-11-05.csv",
]


def _states(conn) -> dict[str, int]:
    return dict(conn.execute("select dossier_code, status_code from marts.dossiers"))


def test_redelivered_and_late_files_count_once_and_bad_files_do_not_stop_publication(conn, landing):
    folder = landing / "onestop"
    newer = rows.write(
        folder / "onestop_2026-11-04.csv",
        [
            rows.row("R-1", TrangThaiHoSo="9", NgayKetThucXuLy="04/11/2026 09:00"),
            rows.row("R-2", TrangThaiHoSo="4"),
            rows.row("R-2", TrangThaiHoSo="4"),  # the same row twice in one file
        ],
    )
    for name in BAD:
        shutil.copy(BAD_DIR / name, folder / name)
    first = pipeline.run_all(pipeline.Run("night-1", RUN_DATE, quiet=True))

    assert first["status"] == "succeeded" and first["published"]["version"] == 1
    [feed] = first["feeds"]
    assert (feed["files_loaded"], feed["files_rejected"]) == (6, 1)  # the legacy file
    states = _states(conn)
    # Duplicates (DUP-1 twice, DUP-2 twice with two states; R-2 twice) are kept in raw as they
    # came, and counted once: the later row of a file wins.
    assert (
        conn.execute(
            "select count(*) from raw.onestop where dossier_code in ('DUP-1', 'DUP-2', 'R-2')"
        ).fetchone()[0]
        == 6
    )
    assert (states["DUP-1"], states["DUP-2"], states["R-1"], states["R-2"]) == (4, 9, 9, 4)
    assert conn.execute(
        "select count(*), count(distinct dossier_code) from marts.dossiers"
    ).fetchone()[0] == len(states)
    received = conn.execute("select sum(dossiers_received) from marts.onestop_monthly").fetchone()[
        0
    ]
    assert received == len(states)

    # Night 2: the same file renamed, the same rows re-encoded (BOM, CRLF: other bytes), and an
    # older export of R-1 (still processing then) arriving after the newer one.
    shutil.copy(newer, folder / "resend of onestop_2026-11-04 (1).csv")
    text = newer.read_text(encoding="utf-8")
    (folder / "onestop_20261104_reexport.csv").write_bytes(
        ("\ufeff" + text).replace("\n", "\r\n").encode("utf-8")
    )
    rows.write(folder / "onestop_2026-11-03.csv", [rows.row("R-1", TrangThaiHoSo="4")])
    second = pipeline.run_all(pipeline.Run("night-2", RUN_DATE, quiet=True))

    assert second["status"] == "succeeded"
    batches = dict(
        conn.execute("select file_name, status from audit.load_batches where run_id = 'night-2'")
    )
    assert batches == {
        "onestop_20261104_reexport.csv": "loaded",
        "onestop_2026-11-03.csv": "loaded",
    }  # the renamed copy: skipped
    assert _states(conn) == states  # R-1 stays processed; nothing counted twice
    assert (
        conn.execute("select sum(dossiers_received) from marts.onestop_monthly").fetchone()[0]
        == received
    )
