"""Readers: a landing file → blocks of string columns keyed by canonical column name.

Readers only split the file into records and find the header; typing and validation happen in
``convert`` so every format is judged by the same rules. CSV is read by pyarrow's streaming
reader (C++, about 10x Python's csv module); when a file has rows it cannot split (ragged rows)
it raises ``NeedsExactRead`` and the loader reads the file again with Python's csv module, which
gives every rejected row its exact record number.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pyarrow as pa
import pyarrow.csv as pcsv

from ingest.contract import Contract, header_key

BLOCK_BYTES = 4 << 20  # rows typed and copied together (fewer, larger calls into Arrow)
# Arrow's streaming CSV reader reads ahead about 36 of its blocks on an I/O thread, whatever the
# pace of the loader: small reads keep that buffer (and so memory) small; they are merged into
# blocks of BLOCK_BYTES. A line longer than READ_BYTES takes the exact reader.
READ_BYTES = 512 << 10
SLOW_BATCH_ROWS = 50_000
HEADER_SEARCH_ROWS = 20  # exports often put a title block above the header


class FileRejected(Exception):
    """The whole file is unusable; the message names what is wrong."""


@dataclass
class ReaderReject:
    source_row: int
    reason: str
    value: str | None


@dataclass
class Block:
    columns: dict[str, pa.Array]  # canonical name → string values (absent columns omitted)
    num_rows: int
    first_row: int  # record number of the first row; rows are consecutive
    rejects: list[ReaderReject] = field(default_factory=list)
    row_numbers: pa.Array | None = None  # set when rows are not consecutive
    # Row-level errors found before typing (by a feed's derive hook): (row index, column,
    # reason, value). Those rows are quarantined like rows that fail typing.
    errors: list[tuple[int, str, str, str | None]] = field(default_factory=list)


class NeedsExactRead(Exception):
    """The fast reader met a row it cannot split: read the file again with ``exact=True``."""


@dataclass
class Layout:
    encoding: str
    delimiter: str
    header_index: int  # 0-based line of the header row
    headers: list[str]
    mapping: dict[str, int]
    unused: list[str]


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:4096] and head[1:2] == b"\x00":
        raise FileRejected("looks like UTF-16 without a byte-order mark; re-export as UTF-8")
    return "utf-8"


def choose_header(
    rows: Sequence[Sequence[object]], contract: Contract
) -> tuple[int, dict[str, int], list[str]]:
    """The first row that names every required column (else the best partial match, rejected)."""
    best: tuple[int, int, dict[str, int], list[str]] | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping, unused = contract.match_headers([str(v or "").strip() for v in row])
        if not contract.missing_required(mapping):
            return i, mapping, unused
        if best is None or len(mapping) > best[1]:
            best = (i, len(mapping), mapping, unused)
    if best is None:
        raise FileRejected("file is empty")
    missing = ", ".join(c.label() for c in contract.missing_required(best[2]))
    raise FileRejected(f"no header row with the required columns; missing: {missing}")


def sniff_csv(path: Path, contract: Contract) -> Layout:
    with open(path, "rb") as fh:
        head = fh.read(256 << 10)
    if not head.strip():
        raise FileRejected("file is empty")
    encoding = _detect_encoding(head)
    # Undecodable bytes become lone surrogates here, so the header can still be found and the
    # file judged: a legacy encoding (Windows-1258, TCVN3) is refused whole, a few bad lines in
    # a UTF-8 file are rejected row by row (never stored as mojibake).
    text = head.decode(encoding, errors="surrogateescape")
    if len(head) == 256 << 10:
        text = text.rstrip(_ESCAPED)  # cut inside a multi-byte character
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    # The delimiter: the most frequent one that gives a header (a title block above the header
    # may have none at all).
    counts = {d: sum(ln.count(d) for ln in lines) for d in (";", ",", "\t", "|")}
    problem: FileRejected | None = None
    for delimiter in sorted(counts, key=lambda d: -counts[d]):
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
            index, mapping, unused = choose_header(rows, contract)
        except csv.Error as exc:
            problem = problem or FileRejected(f"cannot read as CSV: {exc}")
            continue
        except FileRejected as exc:
            problem = problem or exc
            continue
        _check_decoded(text, index, encoding)
        if any("\x00" in ln for ln in lines[: index + 1]):  # NULs in data rows reject the row
            raise FileRejected("contains NUL bytes before its header: not a text CSV file")
        return Layout(encoding, delimiter, index, rows[index], mapping, unused)
    _check_decoded(text, len(lines), encoding)
    raise problem or FileRejected("file is empty")


_ESCAPED = "".join(chr(c) for c in range(0xDC80, 0xDD00))
_SURROGATE = re.compile("[\ud800-\udfff]")
LEGACY_SHARE = 0.1  # more undecodable lines than this at the start: a legacy encoding


def _check_decoded(text: str, header_index: int, encoding: str) -> None:
    lines = text.splitlines()
    bad = [i for i, ln in enumerate(lines) if _SURROGATE.search(ln)]
    if bad and (bad[0] <= header_index or len(bad) > LEGACY_SHARE * len(lines)):
        raise FileRejected(
            f"not valid {encoding.upper().removesuffix('-SIG')} text (line {bad[0] + 1}); a "
            "legacy encoding such as Windows-1258 or TCVN3? re-export as UTF-8"
        )


def read_csv(path: Path, layout: Layout, exact: bool = False) -> Iterator[Block]:
    return _read_csv_exact(path, layout) if exact else _read_csv_fast(path, layout)


def _read_csv_fast(path: Path, layout: Layout) -> Iterator[Block]:
    names = [f"c{i}" for i in range(len(layout.headers))]

    ragged: list[str] = []

    def on_invalid(row: Any) -> str:  # exceptions raised here are swallowed by pyarrow: flag it
        ragged.append(row.text)
        return "skip"

    try:
        reader = _open_arrow_csv(path, layout, names, on_invalid)
    except pa.ArrowInvalid as exc:
        _raise_arrow(exc)
    except UnicodeDecodeError:  # from the transcoder of a non-UTF-8 file (UTF-16)
        raise NeedsExactRead from None
    if ragged:
        raise NeedsExactRead

    row = 1
    batches: list[pa.RecordBatch] = []
    size = 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:
            _raise_arrow(exc)
        except UnicodeDecodeError:
            raise NeedsExactRead from None
        if ragged:
            raise NeedsExactRead
        batches.append(batch)
        size += batch.nbytes
        if size >= BLOCK_BYTES:
            block = _merged(batches, layout.mapping, row)
            yield block
            row += block.num_rows
            batches, size = [], 0
    if batches:
        yield _merged(batches, layout.mapping, row)


def _merged(batches: list[pa.RecordBatch], mapping: dict[str, int], first_row: int) -> Block:
    """One block of the used columns of consecutive batches."""
    if len(batches) == 1:
        cols = {name: batches[0].column(pos) for name, pos in mapping.items()}
    else:
        cols = {
            name: pa.concat_arrays([b.column(pos) for b in batches])
            for name, pos in mapping.items()
        }
    return Block(cols, sum(b.num_rows for b in batches), first_row)


def _open_arrow_csv(
    path: Path, layout: Layout, names: list[str], on_invalid: Callable[[Any], str]
) -> Any:
    return pcsv.open_csv(
        path,
        read_options=pcsv.ReadOptions(
            encoding="utf8" if layout.encoding.startswith("utf-8") else layout.encoding,
            skip_rows=layout.header_index + 1,
            column_names=names,
            block_size=min(READ_BYTES, BLOCK_BYTES),
        ),
        parse_options=pcsv.ParseOptions(
            delimiter=layout.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _raise_arrow(exc: Exception) -> NoReturn:
    """Rows the fast reader cannot take (bad bytes in some rows, a line longer than a block)
    are judged one by one by the exact reader; anything else rejects the file."""
    text = str(exc)
    if "utf8" in text.lower() or "straddling" in text or "decode" in text.lower():
        raise NeedsExactRead from None
    raise FileRejected(_arrow_message(exc)) from None


def _arrow_message(exc: Exception) -> str:
    text = str(exc)
    if "UTF8" in text or "utf8" in text.lower():
        return "not valid UTF-8 text; re-export as UTF-8"
    return f"cannot read as CSV: {text.splitlines()[0]}"


FIELD_LIMIT = 256 << 20  # the csv module's default (128 KiB) would cut the file at a long field
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
ENCODING_REASON = "not valid UTF-8 text (mixed encodings?): row not loaded"


def _read_csv_exact(path: Path, layout: Layout) -> Iterator[Block]:
    width = len(layout.headers)
    with open(path, newline="", encoding=layout.encoding, errors="surrogateescape") as fh:
        reader = csv.reader(fh, delimiter=layout.delimiter, strict=True)
        for _ in range(layout.header_index + 1):
            next(reader)
        record = 0
        rows: list[list[str]] = []
        numbers: list[int] = []
        rejects: list[ReaderReject] = []
        try:
            for values in reader:
                if not values:
                    continue  # a blank line is no record (as for the fast reader)
                record += 1
                if any(_SURROGATE.search(v) for v in values):
                    text = layout.delimiter.join(values)
                    rejects.append(ReaderReject(record, ENCODING_REASON, _shown(text)))
                    continue
                if len(values) != width:
                    text = layout.delimiter.join(values)
                    rejects.append(
                        ReaderReject(
                            record, f"expected {width} fields, found {len(values)}", text[:200]
                        )
                    )
                    continue
                rows.append(values)
                numbers.append(record)
                if len(rows) >= SLOW_BATCH_ROWS:
                    yield _block(rows, numbers, rejects, layout)
                    rows, numbers, rejects = [], [], []
        except csv.Error as exc:
            rejects.append(ReaderReject(record + 1, f"unreadable CSV from here on: {exc}", None))
        except UnicodeDecodeError:
            raise FileRejected("not valid UTF-8 text; re-export as UTF-8") from None
        yield _block(rows, numbers, rejects, layout)


def _shown(text: str) -> str:
    """A rejected record as valid text: undecodable bytes become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")[:200]


def _block(
    rows: list[list[str]], numbers: list[int], rejects: list[ReaderReject], layout: Layout
) -> Block:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(layout.headers)
    cols = {name: pa.array(columns[pos], pa.string()) for name, pos in layout.mapping.items()}
    first = numbers[0] if numbers else 0
    return Block(cols, len(rows), first, rejects, pa.array(numbers, pa.int64()))


# -- XLSX and JSON Lines ------------------------------------------------------------------------
@dataclass
class Source:
    """A non-CSV file: the headers it did not use, and its blocks (read lazily)."""

    unused: list[str]
    blocks: Iterator[Block]


XLSX_MAX_UNPACKED = 1 << 30  # refuse workbooks that unpack to more than 1 GiB...
XLSX_MAX_RATIO = 200  # ...or compress better than any real spreadsheet (a zip bomb)


def _check_zip(path: Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise FileRejected(
            "not a readable XLSX workbook: not a zip archive (truncated in "
            "transfer, or a CSV or XLS file named .xlsx?)"
        ) from None
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > XLSX_MAX_UNPACKED or unpacked / packed > XLSX_MAX_RATIO:
        raise FileRejected(
            f"refused: the workbook unpacks to {unpacked:,} bytes from "
            f"{packed:,} (ratio {unpacked / packed:.0f}); a zip bomb?"
        )


def _cell_text(value: object) -> str | None:
    """Excel cells as the text a CSV export would have had."""
    from datetime import date, datetime, time

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


EXCEL_EPOCH_SERIALS = (25_569, 73_051)  # 1970-01-01 .. 2099-12-31 as Excel day numbers


def _cell_date_text(value: object) -> str | None:
    """A number in a date column is an Excel serial date whose cell lost its date format."""
    from datetime import datetime, timedelta

    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = EXCEL_EPOCH_SERIALS
        if low <= value <= high:
            moment = datetime(1899, 12, 30) + timedelta(seconds=round(value * 86_400))
            return moment.strftime("%Y-%m-%d %H:%M:%S")
    return _cell_text(value)


def read_xlsx(path: Path, contract: Contract) -> Source:
    """Every sheet whose header matches the contract; a title block above the header is fine."""
    from python_calamine import CalamineError, CalamineWorkbook

    _check_zip(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRejected(f"unreadable XLSX workbook: {exc}") from None
    sheets = []
    problems = []
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, OSError, ValueError) as exc:  # e.g. sizes that lie (a zip bomb)
            raise FileRejected(f"unreadable XLSX workbook: sheet '{name}': {exc}") from None
        try:
            index, mapping, unused = choose_header(rows, contract)
        except FileRejected as exc:
            problems.append(f"sheet '{name}': {exc}")
            continue
        sheets.append((rows[index + 1 :], mapping, unused))
    if not sheets:
        raise FileRejected("; ".join(problems) or "workbook has no sheets")
    unused = sorted({str(u) for _, _, un in sheets for u in un if u not in (None, "")})
    dates = {c.name for c in contract.columns if c.type in ("timestamp", "date")}
    return Source(unused, _xlsx_blocks(sheets, dates))


def _xlsx_blocks(
    sheets: list[tuple[list[list[Any]], dict[str, int], list[Any]]],
    dates: Collection[str] = frozenset(),
) -> Iterator[Block]:
    record = 0
    for rows, mapping, _ in sheets:
        for start in range(0, len(rows), SLOW_BATCH_ROWS):
            chunk = [
                r
                for r in rows[start : start + SLOW_BATCH_ROWS]
                if any(v not in (None, "") for v in r)
            ]
            if not chunk:
                continue
            cols = {}
            for name, pos in mapping.items():
                text = _cell_date_text if name in dates else _cell_text
                cols[name] = pa.array(
                    [text(r[pos]) if pos < len(r) else None for r in chunk], pa.string()
                )
            yield Block(cols, len(chunk), record + 1)
            record += len(chunk)


def read_jsonl(path: Path, contract: Contract) -> Source:
    """One JSON object per line; nested lists are summarised as the contract's ``nested`` says."""
    keys: dict[str, str] = {}
    for col in contract.columns:
        for h in (col.name, *col.headers):
            keys.setdefault(header_key(h), col.name)
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise FileRejected("file is empty")
    return Source([], _jsonl_blocks(path, contract, keys))


def _jsonl_blocks(path: Path, contract: Contract, keys: dict[str, str]) -> Iterator[Block]:
    names = [c.name for c in contract.columns]
    values: dict[str, list] = {n: [] for n in names}
    numbers: list[int] = []
    rejects: list[ReaderReject] = []
    seen_required = seen_object = False
    first_problem: ReaderReject | None = None
    with open(path, encoding="utf-8-sig", errors="surrogateescape") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            problem = _json_line(line, keys, contract.nested)
            if isinstance(problem, str):
                rejects.append(ReaderReject(line_no, problem, _shown(line)))
                first_problem = first_problem or rejects[-1]
                continue
            row = problem
            seen_object = True
            seen_required = seen_required or any(
                row.get(c.name) is not None for c in contract.columns if c.required
            )
            for n in names:
                values[n].append(row.get(n))
            numbers.append(line_no)
            if len(numbers) >= SLOW_BATCH_ROWS:
                yield _json_block(values, numbers, rejects)
                values, numbers, rejects = {n: [] for n in names}, [], []
    if not seen_object and first_problem is not None:
        raise FileRejected(
            f"no line is a usable JSON object (line {first_problem.source_row}: "
            f"{first_problem.reason})"
        )
    if not seen_required and not rejects:
        missing = ", ".join(c.label() for c in contract.columns if c.required)
        raise FileRejected(f"no object has the required fields: {missing}")
    yield _json_block(values, numbers, rejects)


def _json_line(line: str, keys: dict[str, str], nested: dict) -> dict | str:
    """One line as a flat row, or the reason it cannot be one."""
    if _SURROGATE.search(line):
        return "not valid UTF-8 text (mixed encodings?)"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg}"
    except RecursionError:
        return "invalid JSON: nested too deeply"
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        return f"invalid JSON: {str(exc).splitlines()[0][:100]}"
    if not isinstance(obj, dict):
        return f"not a JSON object (a JSON {type(obj).__name__})"
    try:
        row = _flatten_json(obj, keys, nested)
    except RecursionError:
        return "invalid JSON: nested too deeply"
    if any(v is not None and _SURROGATE.search(v) for v in row.values()):
        return "invalid JSON string: a lone UTF-16 surrogate escape (\\udXXX)"
    return row


def _json_block(
    values: dict[str, list[str | None]], numbers: list[int], rejects: list[ReaderReject]
) -> Block:
    cols = {n: pa.array(v, pa.string()) for n, v in values.items()}
    return Block(
        cols, len(numbers), numbers[0] if numbers else 0, rejects, pa.array(numbers, pa.int64())
    )


def _scalar_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flatten_json(obj: dict, keys: dict[str, str], nested: dict) -> dict[str, str | None]:
    row: dict[str, str | None] = {}
    for key, value in obj.items():
        if isinstance(value, list) and key in nested:
            continue
        name = keys.get(header_key(key))
        if name:
            row[name] = _scalar_text(value)
    # Nested lists fill what the flat fields did not say.
    for list_key, derived in nested.items():
        items = [i for i in obj.get(list_key) or [] if isinstance(i, dict)]
        for column, rule in derived.items():
            if row.get(column) not in (None, ""):
                continue
            row[column] = _aggregate(items, rule)
    return row


def _aggregate(items: list[dict], rule: str) -> str | None:
    """Rules: ``count``, ``any FIELD``, ``count_true FIELD``, ``last FIELD``."""
    op, _, field_name = rule.partition(" ")
    if op == "count":
        return str(len(items))
    if not items:
        return None
    vals = [i.get(field_name) for i in items]
    if op == "any":
        return "true" if any(v is True or v in (1, "1", "true") for v in vals) else "false"
    if op == "count_true":
        return str(sum(1 for v in vals if v is True or v in (1, "1", "true")))
    if op == "last":
        return _scalar_text(next((v for v in reversed(vals) if v not in (None, "")), None))
    raise ValueError(f"unknown nested rule '{rule}'")
