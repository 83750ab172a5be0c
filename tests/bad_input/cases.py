"""Bad-input cases: what lands in ``<landing>/onestop/`` and what ingest must make of it.

Each case writes its file(s) into the feed folder (stored corpus files are copied from
``tests/data/bad/``; binary, huge and file-system cases are made here) and states the outcome
of the batch named ``file``: ``loaded`` with row counts and rejection reasons, ``rejected`` as
one batch whose message names the file and the problem, or ``None`` (left alone: no batch).
"""

from __future__ import annotations

import io
import os
import random
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests import onestop_rows as rows
from tests.bad_input.corpus import BAD_DIR, DAY, cp1258, csv_text, good, jsonl, sync_object

Build = Callable[[Path, Path], None]  # (feed folder, a folder outside the landing zone)


@dataclass
class Case:
    name: str
    file: str | None  # the batch judged (None: the case must leave no batch at all)
    build: Build
    status: str | None
    loaded: int | None = None
    rejected: int | None = None
    message: str = ""  # regex searched in the batch's message
    reasons: tuple[str, ...] = ()  # each found in some rejected row's "column: reason"
    check: Callable | None = None  # (conn, batch_id) -> None


def stored(name: str) -> Build:
    return lambda folder, outside: shutil.copy(BAD_DIR / name, folder / name)


def text(name: str, data: str | bytes) -> Build:
    def build(folder: Path, outside: Path) -> None:
        (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return build


def values(conn, batch_id: int, column: str) -> list:
    return [
        r[0]
        for r in conn.execute(
            f"select {column} from raw.onestop where _batch_id = %s order by _source_row",
            (batch_id,),
        )
    ]


# -- big and binary files -------------------------------------------------------------------
def _many(prefix: str, n: int) -> str:
    return csv_text(good(prefix, n))


def _body(prefix: str, n: int) -> str:
    return _many(prefix, n).split("\n", 1)[1]


def _xlsx(records: list[list], title: bool = False, text_cells: bool = True) -> bytes:
    """A workbook; strings starting with '=' are text cells unless ``text_cells`` is False."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"])
    sheet.append(rows.HEADER)
    for r in records:
        sheet.append(r)
        for cell in sheet[sheet.max_row]:
            if text_cells and isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _xlsx_with_cached_formula() -> bytes:
    """A live =HYPERLINK formula as Excel saves it: the formula and its cached result."""
    data = _xlsx(
        [_xlsx_row("XFF-1", TenTTHC='=HYPERLINK("http://evil.example/","bấm vào đây")')],
        text_cells=False,
    )
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = body.decode()
                start = xml.index('<c r="C2"')
                end = xml.index("</c>", start) + 4
                formula = 'HYPERLINK("http://evil.example/","bấm vào đây")'.replace('"', "&quot;")
                xml = (
                    xml[:start]
                    + f'<c r="C2" t="str"><f>{formula}</f><v>bấm vào đây</v></c>'
                    + xml[end:]
                )
                body = xml.encode()
            z.writestr(info.filename, body)
    return out.getvalue()


def _xlsx_row(code: str, **over) -> list:
    rec = rows.row(code)
    rec.update(over)
    return [rec[h] for h in rows.HEADER]


def _zip_bomb(unpacked: int, lie: bool) -> bytes:
    """A workbook whose one sheet is ``unpacked`` bytes of one repeated letter; with ``lie``
    the zip headers declare 1000 bytes per member (what a hostile bomb does)."""
    import struct

    src = zipfile.ZipFile(io.BytesIO(_xlsx([_xlsx_row("BOMB-1")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, src.read(info.filename))
                continue
            with z.open(info.filename, "w", force_zip64=True) as member:
                member.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
                    b't="inlineStr"><is><t>'
                )
                chunk = b"A" * (8 << 20)
                for _ in range(unpacked // len(chunk)):
                    member.write(chunk)
                member.write(b"</t></is></c></row></sheetData></worksheet>")
    raw = bytearray(out.getvalue())
    if lie:
        for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            i = 0
            while (i := raw.find(sig, i)) != -1:
                if raw[i + off : i + off + 4] != b"\xff\xff\xff\xff":  # zip64: size elsewhere
                    raw[i + off : i + off + 4] = struct.pack("<I", 1000)
                i += 4
        i = 0
        while (i := raw.find(b"\x01\x00", i)) != -1:  # zip64 extra fields: sizes too
            if raw[i + 2 : i + 4] in (b"\x10\x00", b"\x08\x00", b"\x18\x00"):
                raw[i + 4 : i + 12] = struct.pack("<Q", 1000)
            i += 2
    return bytes(raw)


def _symlink_to_fifo(name: str) -> Build:
    def build(folder: Path, outside: Path) -> None:
        fifo = outside / f"{name}.fifo"
        os.mkfifo(fifo)  # opening it would block forever: proves the link is never read
        (folder / name).symlink_to(fifo)

    return build


def _symlink_to_dir(name: str) -> Build:
    def build(folder: Path, outside: Path) -> None:
        secret = outside / "secret_dir"
        secret.mkdir()
        (secret / f"stolen_{DAY}.csv").write_text(_many("STOLEN", 2))
        (folder / name).symlink_to(secret, target_is_directory=True)

    return build


def _dangling(name: str) -> Build:
    return lambda folder, outside: (folder / name).symlink_to(folder / "gone.csv")


def _fifo(name: str) -> Build:
    return lambda folder, outside: os.mkfifo(folder / name)


def _ignored(*names: str, directory: bool = False) -> Build:
    def build(folder: Path, outside: Path) -> None:
        for n in names:
            if directory:
                (folder / n).mkdir()
            else:
                (folder / n).write_text(_many("IGNORED-" + n[:6], 2))

    return build


def _check_text(column: str, expected: list) -> Callable:
    def check(conn, batch_id: int) -> None:
        assert values(conn, batch_id, column) == expected

    return check


def _check_sql(conn, batch_id: int) -> None:
    assert values(conn, batch_id, "dossier_code")[0] == "SQL-1'); drop table raw.onestop; --"
    assert values(conn, batch_id, "procedure_name") == [
        "'; delete from audit.load_batches; --",
        "$$ || pg_sleep(10) || $$",
        "\\.",
        "dòng 1\n\\.\ncopy raw.onestop from program 'id'",
    ]
    assert values(conn, batch_id, "field_code")[2] == "\\N"  # not read as NULL
    for table in ("raw.onestop", "audit.load_batches", "audit.runs"):
        assert conn.execute(f"select to_regclass('{table}')").fetchone()[0] is not None


def _check_sql_header(conn, batch_id: int) -> None:
    message = conn.execute(
        "select message from audit.load_batches where batch_id = %s", (batch_id,)
    ).fetchone()[0]
    assert 'x"); drop table audit.runs; --' in message
    assert conn.execute("select to_regclass('audit.runs')").fetchone()[0] is not None


def _check_no_mojibake(conn, batch_id: int) -> None:
    names = set(values(conn, batch_id, "procedure_name"))
    assert names == {"Đăng ký thành lập doanh nghiệp"}
    shown = conn.execute(
        "select value from audit.rejected_rows where batch_id = %s", (batch_id,)
    ).fetchone()[0]
    assert "\ufffd" in shown  # the undecodable bytes, never guessed


def _check_serial(conn, batch_id: int) -> None:
    got = conn.execute(
        "select received_at::text, due_at::text from raw.onestop where _batch_id = %s", (batch_id,)
    ).fetchone()
    assert got == ("2026-11-03 08:10:00+07", "2026-11-06 17:00:00+07")


def _check_whitespace(conn, batch_id: int) -> None:
    got = conn.execute(
        "select dossier_code, procedure_name, supplement_count from raw.onestop"
        " where _batch_id = %s",
        (batch_id,),
    ).fetchall()
    assert got == [("WS-OK", None, None)]


def _check_signed(conn, batch_id: int) -> None:
    got = conn.execute(
        "select dossier_code, supplement_count, status_code from raw.onestop"
        " where _batch_id = %s order by 1",
        (batch_id,),
    ).fetchall()
    assert got == [("SN-1", 2, 4), ("SN-2", 0, 4)]


CASES: list[Case] = [
    # -- empty and not text
    Case(
        "empty_file",
        f"empty_{DAY}.csv",
        text(f"empty_{DAY}.csv", b""),
        "rejected",
        message="file is empty",
    ),
    Case(
        "only_a_bom",
        f"only_bom_{DAY}.csv",
        text(f"only_bom_{DAY}.csv", b"\xef\xbb\xbf"),
        "rejected",
        message="file is empty",
    ),
    Case(
        "header_only",
        f"header_only_{DAY}.csv",
        text(f"header_only_{DAY}.csv", csv_text([])),
        "loaded",
        0,
        0,
    ),
    Case(
        "random_bytes_named_csv",
        f"random_{DAY}.csv",
        text(f"random_{DAY}.csv", random.Random(7).randbytes(64 << 10)),
        "rejected",
        message="not valid UTF-8|UTF-16|NUL|no header row",
    ),
    Case(
        "nul_before_header",
        f"nul_header_{DAY}.csv",
        text(f"nul_header_{DAY}.csv", "\x00\x00\x00\n" + _many("NULH", 2)),
        "rejected",
        message="NUL bytes|UTF-16",
    ),
    Case(
        "nul_in_a_row",
        f"nul_row_{DAY}.csv",
        text(
            f"nul_row_{DAY}.csv", csv_text([*good("NULR", 3), rows.row("NULR-X", TenTTHC="a\x00b")])
        ),
        "loaded",
        3,
        1,
        reasons=("procedure_name: contains NUL bytes",),
    ),
    Case(
        "nul_after_the_first_256_kb",
        f"nul_late_{DAY}.csv",
        text(f"nul_late_{DAY}.csv", _many("NULL8", 1500) + _body("NUL\x00LATE", 1)),
        "loaded",
        1500,
        1,
        reasons=("dossier_code: contains NUL bytes",),
    ),
    # -- splitting records
    Case(
        "ragged_rows",
        f"ragged_rows_{DAY}.csv",
        stored(f"ragged_rows_{DAY}.csv"),
        "loaded",
        4,
        2,
        reasons=("expected 21 fields, found 3", "expected 21 fields, found 22"),
    ),
    Case(
        "unbalanced_quotes",
        f"unbalanced_quotes_{DAY}.csv",
        stored(f"unbalanced_quotes_{DAY}.csv"),
        "loaded",
        2,
        1,
        reasons=("unreadable CSV from here on",),
    ),
    Case("blank_lines", f"blank_lines_{DAY}.csv", stored(f"blank_lines_{DAY}.csv"), "loaded", 3, 0),
    Case(
        "repeated_header_mid_file",
        f"repeated_header_{DAY}.csv",
        stored(f"repeated_header_{DAY}.csv"),
        "loaded",
        4,
        1,
        reasons=("channel:",),
    ),
    Case(
        "field_of_2_mb",
        f"field_2mb_{DAY}.csv",
        text(
            f"field_2mb_{DAY}.csv",
            csv_text([*good("F2", 2), rows.row("F2-BIG", TenTTHC="x" * (2 << 20))]),
        ),
        "loaded",
        2,
        1,
        reasons=("procedure_name: longer than 10,000 characters",),
    ),
    Case(
        "field_of_2_mb_with_a_ragged_row",
        f"field_2mb_ragged_{DAY}.csv",
        text(
            f"field_2mb_ragged_{DAY}.csv",
            csv_text([*good("F2R", 2), rows.row("F2R-BIG", DiaChi="đ" * (2 << 20))])
            + "ragged,row\n"
            + _body("F2R-AFTER", 2),
        ),
        "loaded",
        5,
        1,
        reasons=("expected 21 fields, found 2",),
    ),
    Case(
        "line_longer_than_a_read_block",
        f"line_6mb_{DAY}.csv",
        text(
            f"line_6mb_{DAY}.csv",
            csv_text([*good("L6", 2), rows.row("y" * (6 << 20)), *good("L6-AFTER", 2)]),
        ),
        "loaded",
        4,
        1,
        reasons=("dossier_code: longer than 100 characters",),
    ),
    Case(
        "dossier_code_too_long_for_an_index",
        f"long_code_{DAY}.csv",
        text(f"long_code_{DAY}.csv", csv_text([*good("LC", 1), rows.row("K" * 3000)])),
        "loaded",
        1,
        1,
        reasons=("dossier_code: longer than 100 characters",),
    ),
    # -- encodings
    Case(
        "utf16_with_bom",
        f"utf16_bom_{DAY}.csv",
        stored(f"utf16_bom_{DAY}.csv"),
        "loaded",
        3,
        0,
        check=_check_text("procedure_name", ["Đăng ký kết hôn"] * 3),
    ),
    Case(
        "utf16_without_bom",
        f"utf16_no_bom_{DAY}.csv",
        stored(f"utf16_no_bom_{DAY}.csv"),
        "rejected",
        message="UTF-16 without a byte-order mark",
    ),
    Case(
        "windows_1258_vietnamese_header",
        f"legacy_windows1258_{DAY}.csv",
        stored(f"legacy_windows1258_{DAY}.csv"),
        "rejected",
        message=r"not valid UTF-8 text \(line 1\).*Windows-1258",
    ),
    Case(
        "windows_1258_values",
        f"legacy_windows1258_sync_header_{DAY}.csv",
        stored(f"legacy_windows1258_sync_header_{DAY}.csv"),
        "rejected",
        message=r"not valid UTF-8 text \(line 2\).*Windows-1258",
    ),
    Case(
        "mixed_encodings_one_legacy_row",
        f"mixed_{DAY}.csv",
        text(
            f"mixed_{DAY}.csv",
            _many("MIX", 40).encode() + cp1258(_body("MIX-CP", 1).replace("Đăng ký", "Đăng kí")),
        ),
        "loaded",
        40,
        1,
        reasons=("not valid UTF-8 text",),
        check=_check_no_mojibake,
    ),
    Case(
        "mixed_encodings_after_256_kb",
        f"mixed_late_{DAY}.csv",
        text(
            f"mixed_late_{DAY}.csv",
            _many("MIXL", 1500).encode()
            + cp1258(_body("MIXL-CP", 1))
            + _body("MIXL-AFTER", 2).encode(),
        ),
        "loaded",
        1502,
        1,
        reasons=("not valid UTF-8 text",),
    ),
    Case(
        "bom_semicolons_crlf",
        f"bom_semicolon_crlf_{DAY}.csv",
        stored(f"bom_semicolon_crlf_{DAY}.csv"),
        "loaded",
        3,
        0,
        check=_check_text("procedure_name", ["Cấp lại; bổ sung"] * 3),
    ),
    Case(
        "tab_separated",
        f"tab_separated_{DAY}.tsv",
        stored(f"tab_separated_{DAY}.tsv"),
        "loaded",
        2,
        0,
    ),
    Case(
        "pipe_separated",
        f"pipe_separated_{DAY}.txt",
        stored(f"pipe_separated_{DAY}.txt"),
        "loaded",
        2,
        0,
    ),
    # -- injection
    Case(
        "sql_in_values",
        f"sql_in_values_{DAY}.csv",
        stored(f"sql_in_values_{DAY}.csv"),
        "loaded",
        4,
        0,
        check=_check_sql,
    ),
    Case(
        "sql_in_header_names",
        f"sql_in_headers_{DAY}.csv",
        stored(f"sql_in_headers_{DAY}.csv"),
        "loaded",
        2,
        0,
        message="ignored columns",
        check=_check_sql_header,
    ),
    # -- headers
    Case(
        "header_below_a_title_block",
        f"title_block_{DAY}.csv",
        stored(f"title_block_{DAY}.csv"),
        "loaded",
        3,
        0,
    ),
    Case(
        "missing_required_header",
        f"missing_required_header_{DAY}.csv",
        stored(f"missing_required_header_{DAY}.csv"),
        "rejected",
        message=r"missing: agency_code \(DonViXuLy",
    ),
    Case(
        "extra_unknown_columns",
        f"extra_unknown_columns_{DAY}.csv",
        stored(f"extra_unknown_columns_{DAY}.csv"),
        "loaded",
        2,
        0,
        message="ignored columns: Ghi chú, Người duyệt",
    ),
    Case(
        "duplicate_header_column",
        f"duplicate_header_column_{DAY}.csv",
        stored(f"duplicate_header_column_{DAY}.csv"),
        "loaded",
        2,
        0,
        message="ignored columns: MaHoSo",
    ),
    # -- values
    Case(
        "impossible_dates",
        f"impossible_dates_{DAY}.csv",
        stored(f"impossible_dates_{DAY}.csv"),
        "loaded",
        1,
        5,
        reasons=(
            "received_at: unreadable date",
            "due_at: unreadable date",
            "processed_at: unreadable date",
            "submitted_at: unreadable date",
        ),
    ),
    Case(
        "end_before_receipt",
        f"end_before_receipt_{DAY}.csv",
        stored(f"end_before_receipt_{DAY}.csv"),
        "loaded",
        1,
        2,
        reasons=(
            "processed_at: processing ended before the dossier was received",
            "returned_at: result returned before the dossier was received",
        ),
    ),
    Case(
        "dates_far_in_the_future_or_past",
        f"future_dates_{DAY}.csv",
        stored(f"future_dates_{DAY}.csv"),
        "loaded",
        1,
        3,
        reasons=(
            "received_at: received after the export date",
            "processed_at: processing ended after the export date",
            "received_at: received before 2000",
        ),
    ),
    Case(
        "unknown_status_codes",
        f"unknown_status_codes_{DAY}.csv",
        stored(f"unknown_status_codes_{DAY}.csv"),
        "loaded",
        1,
        5,
        reasons=("status_code: code outside the code list",),
    ),
    Case(
        "signed_numbers",
        f"signed_numbers_{DAY}.csv",
        text(
            f"signed_numbers_{DAY}.csv",
            csv_text(
                [
                    rows.row("SN-1", SoLanBoSung="+2", TrangThaiHoSo="+4"),
                    rows.row("SN-2", SoLanBoSung="-0"),
                    rows.row("SN-3", SoLanBoSung="++2"),
                    rows.row("SN-4", KenhThucHien="+"),
                ]
            ),
        ),
        "loaded",
        2,
        2,
        reasons=("supplement_count: not a whole number", "channel: code outside the code list"),
        check=_check_signed,
    ),
    Case(
        "duplicate_rows_in_one_file",
        f"duplicate_rows_{DAY}.csv",
        stored(f"duplicate_rows_{DAY}.csv"),
        "loaded",
        4,
        0,
    ),  # counted once downstream
    Case(
        "whitespace_only_cells",
        f"whitespace_cells_{DAY}.csv",
        stored(f"whitespace_cells_{DAY}.csv"),
        "loaded",
        1,
        2,
        reasons=(
            "dossier_code: required value is missing",
            "agency_code: required value is missing",
        ),
        check=_check_whitespace,
    ),
    # -- XLSX
    Case(
        "xlsx_formula_text",
        f"formulas_{DAY}.xlsx",
        text(
            f"formulas_{DAY}.xlsx",
            _xlsx(
                [
                    _xlsx_row("XF-1", TenTTHC='=HYPERLINK("http://evil.example/","bấm vào đây")'),
                    _xlsx_row("XF-2", TenTTHC="+cmd|' /C calc'!A0"),
                    _xlsx_row("XF-3", TenTTHC="@SUM(1+1)*cmd|' /C calc'!A0"),
                    _xlsx_row("XF-4", TenTTHC="-2+3"),
                ]
            ),
        ),
        "loaded",
        4,
        0,
        check=_check_text(
            "procedure_name",
            [
                '=HYPERLINK("http://evil.example/","bấm vào đây")',
                "+cmd|' /C calc'!A0",
                "@SUM(1+1)*cmd|' /C calc'!A0",
                "-2+3",
            ],
        ),
    ),
    Case(
        "xlsx_live_formula",
        f"live_formula_{DAY}.xlsx",
        text(f"live_formula_{DAY}.xlsx", _xlsx_with_cached_formula()),
        "loaded",
        1,
        0,
        check=_check_text("procedure_name", ["bấm vào đây"]),
    ),  # what Excel showed
    Case(
        "xlsx_truncated",
        f"truncated_{DAY}.xlsx",
        text(f"truncated_{DAY}.xlsx", _xlsx([_xlsx_row("XT-1")])[:3000]),
        "rejected",
        message="not a zip archive",
    ),
    Case(
        "text_named_xlsx",
        f"text_{DAY}.xlsx",
        text(f"text_{DAY}.xlsx", _many("TXL", 2)),
        "rejected",
        message="not a readable XLSX workbook",
    ),
    Case(
        "xlsx_zip_bomb",
        f"bomb_{DAY}.xlsx",
        text(f"bomb_{DAY}.xlsx", _zip_bomb(256 << 20, lie=False)),
        "rejected",
        message="zip bomb",
    ),
    Case(
        "xlsx_zip_bomb_lying_sizes",
        f"bomb_lying_{DAY}.xlsx",
        text(f"bomb_lying_{DAY}.xlsx", _zip_bomb(256 << 20, lie=True)),
        "rejected",
        message="unreadable XLSX workbook|zip bomb",
    ),
    Case(
        "xlsx_excel_serial_dates",
        f"serial_dates_{DAY}.xlsx",
        text(
            f"serial_dates_{DAY}.xlsx",
            _xlsx(
                [
                    _xlsx_row(
                        "XS-1",
                        NgayTiepNhan=46329 + (8 * 60 + 10) / 1440,
                        NgayHenTra=46332.708333333336,
                        NgayNopHoSo=46329.3,
                    )
                ],
                title=True,
            ),
        ),
        "loaded",
        1,
        0,
        check=_check_serial,
    ),
    Case(
        "xlsx_codes_as_floats",
        f"float_codes_{DAY}.xlsx",
        text(
            f"float_codes_{DAY}.xlsx",
            _xlsx(
                [
                    _xlsx_row("XC-1", KenhThucHien=2.0, TrangThaiHoSo=4.0, SoLanBoSung=0.0),
                    _xlsx_row("XC-2", KenhThucHien=2.5),
                ]
            ),
        ),
        "loaded",
        1,
        1,
        reasons=("channel: code outside the code list",),
        check=_check_text("channel", [2]),
    ),
    # -- the landing zone
    Case(
        "symlink_to_a_fifo_outside",
        f"link_out_{DAY}.csv",
        _symlink_to_fifo(f"link_out_{DAY}.csv"),
        "rejected",
        message="outside the landing zone: refused, not read",
    ),
    Case(
        "symlink_to_a_folder_outside",
        f"linked_dir_{DAY}",
        _symlink_to_dir(f"linked_dir_{DAY}"),
        "rejected",
        message="outside the landing zone",
    ),
    Case(
        "dangling_symlink",
        f"dangling_{DAY}.csv",
        _dangling(f"dangling_{DAY}.csv"),
        "rejected",
        message="broken symbolic link",
    ),
    Case(
        "fifo_named_csv",
        f"fifo_{DAY}.csv",
        _fifo(f"fifo_{DAY}.csv"),
        "rejected",
        message="not a regular file",
    ),
    Case(
        "odd_file_name",
        f"hồ sơ; bản 2 (copy) 'x' {DAY}.csv",
        text(f"hồ sơ; bản 2 (copy) 'x' {DAY}.csv", _many("ODD", 2)),
        "loaded",
        2,
        0,
    ),
    Case(
        "control_characters_in_file_name",
        f"tab\there\nnewline {DAY}.csv",
        text(f"tab\there\nnewline {DAY}.csv", _many("CTRL", 2)),
        "loaded",
        2,
        0,
    ),
    Case(
        "still_being_uploaded",
        None,
        _ignored(f"upload_{DAY}.csv.part", f"upload_{DAY}.csv.crdownload"),
        None,
    ),
    Case(
        "office_lock_and_hidden_files",
        None,
        _ignored(f"~$bao_cao_{DAY}.xlsx", f".hidden_{DAY}.csv"),
        None,
    ),
    Case("directory_named_like_a_file", None, _ignored(f"folder_{DAY}.csv", directory=True), None),
    Case(
        "legacy_xls",
        f"old_excel_{DAY}.xls",
        text(f"old_excel_{DAY}.xls", b"\xd0\xcf\x11\xe0"),
        "rejected",
        message=r"unsupported file type '\.xls'",
    ),
    Case(
        "no_extension",
        f"export_{DAY}",
        text(f"export_{DAY}", _many("NOEXT", 1)),
        "rejected",
        message=r"unsupported file type '\(none\)'",
    ),
    # -- JSON Lines
    Case(
        "jsonl_one_broken_line",
        f"jsonl_broken_line_{DAY}.jsonl",
        stored(f"jsonl_broken_line_{DAY}.jsonl"),
        "loaded",
        3,
        1,
        reasons=("invalid JSON",),
    ),
    Case(
        "jsonl_line_is_an_array",
        f"jsonl_array_line_{DAY}.jsonl",
        stored(f"jsonl_array_line_{DAY}.jsonl"),
        "loaded",
        1,
        4,
        reasons=("not a JSON object (a JSON list)", "not a JSON object (a JSON str)"),
    ),
    Case(
        "jsonl_that_is_csv",
        f"jsonl_csv_inside_{DAY}.jsonl",
        stored(f"jsonl_csv_inside_{DAY}.jsonl"),
        "rejected",
        message="no line is a usable JSON object",
    ),
    Case(
        "jsonl_deep_nesting",
        f"deep_{DAY}.jsonl",
        text(
            f"deep_{DAY}.jsonl", jsonl([sync_object("JD-1")]) + "[" * 100_000 + "]" * 100_000 + "\n"
        ),
        "loaded",
        1,
        1,
        reasons=("invalid JSON",),
    ),
    Case(
        "jsonl_huge_integer",
        f"huge_int_{DAY}.jsonl",
        text(
            f"huge_int_{DAY}.jsonl",
            jsonl([sync_object("JH-1")])
            + '{"MaHoSo": "JH-2", "SoLanBoSung": '
            + "9" * 5000
            + "}\n",
        ),
        "loaded",
        1,
        1,
        reasons=("invalid JSON",),
    ),
    Case(
        "jsonl_lone_surrogate",
        f"surrogate_{DAY}.jsonl",
        text(
            f"surrogate_{DAY}.jsonl",
            jsonl([sync_object("JS-1")])
            + jsonl([sync_object("JS-2")]).replace("JS-2", "JS-2\\ud800"),
        ),
        "loaded",
        1,
        1,
        reasons=("lone UTF-16 surrogate",),
    ),
    Case(
        "jsonl_nul_escape",
        f"nul_escape_{DAY}.jsonl",
        text(f"nul_escape_{DAY}.jsonl", jsonl([sync_object("JN-1"), sync_object("JN-2\x00")])),
        "loaded",
        1,
        1,
        reasons=("dossier_code: contains NUL bytes",),
    ),
    Case(
        "jsonl_invalid_utf8_line",
        f"bad_bytes_{DAY}.jsonl",
        text(
            f"bad_bytes_{DAY}.jsonl",
            jsonl([sync_object("JU-1"), sync_object("JU-2")]).encode()
            + cp1258(jsonl([sync_object("JU-3")])),
        ),
        "loaded",
        2,
        1,
        reasons=("not valid UTF-8 text",),
    ),
]
