"""Ingest: counts, quarantine, idempotence, and all-or-nothing batches (real PostgreSQL)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from chiso import config
from ingest import loader, readers
from ingest.pii import load_key
from ingest.run import IngestError, ingest
from tests import onestop_rows as rows


def _ingest(conn, landing: Path, run_id: str = "t"):
    return ingest(conn, landing, load_key(config.load().home), run_id, feeds=["onestop"])


def test_bad_rows_are_quarantined_with_reason_and_counts_add_up(conn, landing):
    good = [rows.row(f"OK-{i}") for i in range(5)]
    bad = [
        rows.row("BAD-CHANNEL", KenhThucHien="9"),
        rows.row("BAD-DATE", NgayTiepNhan="31/02/2026 08:00"),
        rows.row("BAD-STATUS", TrangThaiHoSo="42"),
        rows.row("", ChuHoSo="Trần Thị Bích"),  # missing dossier code
    ]
    rows.write(landing / "onestop" / "onestop_2026-11-02.csv", good + bad)

    [result] = _ingest(conn, landing)

    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "loaded",
        9,
        5,
        4,
    )
    assert conn.execute("select count(*) from raw.onestop").fetchone()[0] == 5
    rejected = dict(
        conn.execute(
            "select source_row, column_name || ': ' || reason from audit.rejected_rows"
            " order by source_row"
        ).fetchall()
    )
    assert rejected == {
        6: "channel: code outside the code list (1, 2, 3)",
        7: "received_at: unreadable date: expected dd/mm/yyyy[ HH:MM[:SS]] or ISO 8601",
        8: "status_code: code outside the code list (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)",
        9: "dossier_code: required value is missing",
    }
    batch = conn.execute(
        "select rows_read, rows_loaded, rows_rejected, observed_date::text from audit.load_batches"
    ).fetchone()
    assert batch == (9, 5, 4, "2026-11-02")


def test_same_file_twice_and_renamed_copy_load_once(conn, landing):
    path = rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv", [rows.row(f"D-{i}") for i in range(3)]
    )
    first = _ingest(conn, landing)
    shutil.copy(path, landing / "onestop" / "copy of onestop_2026-11-02.csv")
    second = _ingest(conn, landing)

    assert [r.status for r in first] == ["loaded"]
    assert sorted(r.status for r in second) == ["skipped", "skipped"]
    assert "already loaded as batch" in second[0].message
    assert conn.execute("select count(*) from raw.onestop").fetchone()[0] == 3
    assert conn.execute("select count(*) from audit.load_batches").fetchone()[0] == 1


def test_unchanged_files_are_not_read_again_but_a_rewrite_is(conn, landing, monkeypatch):
    path = rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv", [rows.row(f"D-{i}") for i in range(3)]
    )
    _ingest(conn, landing)
    read: list[str] = []
    real_sha256 = loader.fingerprint.__globals__["sha256"]
    monkeypatch.setitem(
        loader.fingerprint.__globals__, "sha256", lambda p: read.append(p.name) or real_sha256(p)
    )

    again = _ingest(conn, landing)
    assert [r.status for r in again] == ["skipped"] and read == []
    assert "unchanged since it was loaded as batch" in again[0].message

    # Same size, mtime set back: a rewrite in place still counts (its ctime moved).
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b"D-0", b"E-0"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    rewritten = _ingest(conn, landing)
    assert [r.status for r in rewritten] == ["loaded"] and read == [path.name]
    assert (
        conn.execute("select count(*) from raw.onestop where dossier_code = 'E-0'").fetchone()[0]
        == 1
    )


def test_failure_mid_batch_leaves_no_rows_and_rerun_loads_once(conn, landing, monkeypatch):
    rows.write(
        landing / "onestop" / "onestop_2026-11-03.csv", [rows.row(f"D-{i:04d}") for i in range(400)]
    )
    monkeypatch.setattr(readers, "BLOCK_BYTES", 16 << 10)  # many small blocks

    def crash(rows_so_far: int) -> None:
        if rows_so_far > 100:
            raise OSError("disk on fire")

    monkeypatch.setattr(loader, "after_block", crash)
    with pytest.raises(IngestError, match=r"onestop_2026-11-03\.csv.*disk on fire"):
        _ingest(conn, landing, "crashing")
    assert conn.execute("select count(*) from raw.onestop").fetchone()[0] == 0
    assert conn.execute("select count(*) from audit.rejected_rows").fetchone()[0] == 0
    assert conn.execute("select status from audit.load_batches").fetchone()[0] == "failed"

    monkeypatch.setattr(loader, "after_block", lambda n: None)
    [result] = _ingest(conn, landing, "rerun")
    assert (result.status, result.rows_loaded) == ("loaded", 400)
    assert conn.execute(
        "select count(*), count(distinct dossier_code) from raw.onestop"
    ).fetchone() == (400, 400)


def test_ragged_rows_are_rejected_with_their_record_number(conn, landing):
    path = rows.write(
        landing / "onestop" / "onestop_2026-11-04.csv", [rows.row(f"D-{i}") for i in range(4)]
    )
    lines = path.read_text().splitlines()
    lines.insert(3, "only,three,fields")  # becomes record 3
    path.write_text("\n".join(lines) + "\n")

    [result] = _ingest(conn, landing)

    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 4, 1)
    assert conn.execute("select source_row, reason from audit.rejected_rows").fetchone() == (
        3,
        "expected 21 fields, found 3",
    )
    assert conn.execute(
        "select array_agg(_source_row order by _source_row) from raw.onestop"
    ).fetchone()[0] == [1, 2, 4, 5]


def test_unusable_file_is_one_rejected_batch_naming_the_problem(conn, landing):
    folder = landing / "onestop"
    folder.mkdir(parents=True)
    (folder / "onestop_2026-11-05.csv").write_text("Foo,Bar\n1,2\n")
    (folder / "empty_2026-11-05.csv").write_text("")
    rows.write(folder / "onestop_2026-11-06.csv", [rows.row("GOOD-1")])

    results = {r.file_name: r for r in _ingest(conn, landing)}

    assert results["onestop_2026-11-05.csv"].status == "rejected"
    assert "missing: dossier_code (MaHoSo" in results["onestop_2026-11-05.csv"].message
    assert results["empty_2026-11-05.csv"].message.endswith("file is empty")
    assert results["onestop_2026-11-06.csv"].rows_loaded == 1  # good files still load


def test_vietnamese_headers_semicolons_bom_and_crlf(conn, landing):
    header = [
        "Mã hồ sơ",
        "Mã thủ tục",
        "Tên thủ tục",
        "Lĩnh vực",
        "Đơn vị xử lý",
        "Kênh nộp",
        "Chủ hồ sơ",
        "Số CCCD",
        "Số điện thoại",
        "Địa chỉ",
        "Ngày nộp",
        "Ngày tiếp nhận",
        "Ngày hẹn trả",
        "Ngày kết thúc xử lý",
        "Ngày trả kết quả",
        "Trạng thái",
        "Số lần bổ sung",
        "Ngày hẹn trả mới",
        "Thanh toán trực tuyến",
        "Số hóa",
        "Xin lỗi",
    ]
    path = landing / "onestop" / "HS_20261107.csv"
    rows.write(
        path,
        [rows.row("VN-1", NgayTiepNhan="2026-11-07T09:30:00+07:00")],
        delimiter=";",
        header=header,
        encoding="utf-8-sig",
    )
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n"))

    [result] = _ingest(conn, landing)

    assert result.rows_loaded == 1, result
    got = conn.execute(
        "select dossier_code, received_at::text, _observed_date::text from raw.onestop"
    ).fetchone()
    assert got == ("VN-1", "2026-11-07 09:30:00+07", "2026-11-07")


def test_personal_data_is_hashed_never_stored_in_clear(conn, landing, warehouse_url):
    rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv",
        [rows.row("P-1"), rows.row("P-2", KenhThucHien="7")],
    )
    _ingest(conn, landing)
    dump = os.popen(f"{_pg_dump()} --data-only '{warehouse_url}'").read()
    assert "P-1" in dump  # the dump does contain the data...
    for clear in ("Nguyễn Văn An", "045123456789", "0912345678", "Lê Duẩn"):
        assert clear not in dump  # ...but no personal data, not even for the rejected row
    hashes = conn.execute("select distinct applicant_name_hash from raw.onestop").fetchall()
    assert len(hashes) == 1 and len(hashes[0][0]) == 32


def _pg_dump() -> str:
    from chiso.embedded import _bin_dir

    return str(_bin_dir() / "pg_dump")


def test_binary_copy_stores_what_csv_copy_stores_nulls_included(conn):
    """Every type the binary encoder writes, with NULLs in any column and a null string that
    still holds bytes: the rows read back equal those of the CSV path."""
    from datetime import date, datetime

    import pyarrow as pa

    from ingest import copybin, sender

    n = 300
    valid = [i % 3 != 0 for i in range(n)]
    # A string array whose null rows keep their bytes (Arrow allows it; the encoder must not
    # send them).
    dirty = pa.Array.from_buffers(
        pa.string(),
        n,
        [pa.array(valid).buffers()[1], *pa.array([f"v{i}" for i in range(n)]).buffers()[1:]],
    )
    table = pa.table(
        {
            "s": pa.array([f"Đông Hà {i}" if i % 4 else None for i in range(n)]),
            "dirty": dirty,
            "i2": pa.array([i if i % 5 else None for i in range(n)], pa.int16()),
            "i4": pa.array([i * 1000 for i in range(n)], pa.int32()),
            "i8": pa.array([i * 10**10 if i % 2 else None for i in range(n)], pa.int64()),
            "b": pa.array([bool(i % 2) if i % 7 else None for i in range(n)]),
            "d": pa.array([date(2026, 1, 1 + i % 28) if i % 6 else None for i in range(n)]),
            "ts": pa.array(
                [datetime(2026, 3, 2, i % 24, i % 60) if i % 3 else None for i in range(n)],
                pa.timestamp("s"),
            ),
            "empty": pa.nulls(n, pa.int32()),
        }
    ).slice(7, 250)
    ddl = (
        "(s text, dirty text, i2 smallint, i4 integer, i8 bigint, b boolean, d date,"
        " ts timestamptz, empty integer)"
    )
    conn.execute("set time zone 'Asia/Ho_Chi_Minh'")
    for name, fmt, data in (
        (
            "bin",
            "binary",
            copybin.HEADER
            + bytes(copybin.Encoder("Asia/Ho_Chi_Minh").encode(table))
            + copybin.TRAILER,
        ),
        ("txt", "csv", sender.csv_bytes(table)),
    ):
        conn.execute(f"create temp table {name} {ddl}")
        with conn.cursor().copy(f"copy {name} from stdin (format {fmt})") as copy:
            copy.write(data)
    got = conn.execute("select * from bin order by i4").fetchall()
    assert got == conn.execute("select * from txt order by i4").fetchall()
    assert len(got) == 250 and sum(r[1] is None for r in got) == sum(not v for v in valid[7:257])
