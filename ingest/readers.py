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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv

from ingest.contract import Contract

BLOCK_BYTES = 4 << 20
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


def choose_header(rows: list[list[str]], contract: Contract) -> tuple[int, dict[str, int], list[str]]:
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
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as exc:
        if len(head) < (256 << 10) or exc.start < len(head) - 4:
            raise FileRejected(
                f"not valid {encoding.upper()} text (byte {exc.start}); re-export as UTF-8"
            ) from None
        text = head[: exc.start].decode(encoding)  # cut inside a multi-byte character
    if "\x00" in text:
        raise FileRejected("contains NUL bytes: not a text CSV file")
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    first = next((ln for ln in lines if ln.strip()), "")
    delimiter = max((";", ",", "\t", "|"), key=first.count)
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    index, mapping, unused = choose_header(rows, contract)
    return Layout(encoding, delimiter, index, rows[index], mapping, unused)


def read_csv(path: Path, layout: Layout, exact: bool = False) -> Iterator[Block]:
    return _read_csv_exact(path, layout) if exact else _read_csv_fast(path, layout)


def _read_csv_fast(path: Path, layout: Layout) -> Iterator[Block]:
    names = [f"c{i}" for i in range(len(layout.headers))]

    ragged: list[str] = []

    def on_invalid(row) -> str:  # exceptions raised here are swallowed by pyarrow: flag it
        ragged.append(row.text)
        return "skip"

    try:
        reader = _open_arrow_csv(path, layout, names, on_invalid)
    except pa.ArrowInvalid as exc:
        raise FileRejected(_arrow_message(exc)) from None
    if ragged:
        raise NeedsExactRead

    row = 1
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            raise FileRejected(_arrow_message(exc)) from None
        if ragged:
            raise NeedsExactRead
        cols = {name: batch.column(pos) for name, pos in layout.mapping.items()}
        yield Block(cols, batch.num_rows, row)
        row += batch.num_rows


def _open_arrow_csv(path: Path, layout: Layout, names: list[str], on_invalid):
    return pcsv.open_csv(
        path,
        read_options=pcsv.ReadOptions(
            encoding="utf8" if layout.encoding.startswith("utf-8") else layout.encoding,
            skip_rows=layout.header_index + 1, column_names=names, block_size=BLOCK_BYTES,
        ),
        parse_options=pcsv.ParseOptions(
            delimiter=layout.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )


def _arrow_message(exc: Exception) -> str:
    text = str(exc)
    if "UTF8" in text or "utf8" in text.lower():
        return "not valid UTF-8 text; re-export as UTF-8"
    return f"cannot read as CSV: {text.splitlines()[0]}"


def _read_csv_exact(path: Path, layout: Layout) -> Iterator[Block]:
    width = len(layout.headers)
    with open(path, newline="", encoding=layout.encoding, errors="strict") as fh:
        reader = csv.reader(fh, delimiter=layout.delimiter, strict=True)
        for _ in range(layout.header_index + 1):
            next(reader)
        record = 0
        rows: list[list[str]] = []
        numbers: list[int] = []
        rejects: list[ReaderReject] = []
        try:
            for values in reader:
                record += 1
                if len(values) != width:
                    text = layout.delimiter.join(values)
                    rejects.append(ReaderReject(
                        record, f"expected {width} fields, found {len(values)}", text[:200]))
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


def _block(rows, numbers, rejects, layout: Layout) -> Block:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(layout.headers)
    cols = {name: pa.array(columns[pos], pa.string()) for name, pos in layout.mapping.items()}
    first = numbers[0] if numbers else 0
    return Block(cols, len(rows), first, rejects, pa.array(numbers, pa.int64()))
