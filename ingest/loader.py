"""Loading one landing file as one batch: COPY into ``raw.<feed>``, bad rows into quarantine.

A batch is one transaction. Its ``audit.load_batches`` row is committed first as 'started', so a
crash (even SIGKILL) leaves a trace; the data and the final status commit together, so a crash
leaves no partial rows, and the next run, finding the file's hash not yet 'loaded', loads it again.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from ingest import arrowbytes, convert, copybin, hooks, readers, sender
from ingest.contract import Contract
from ingest.landing import LandingFile, fingerprint, stat_signature
from ingest.pii import Hasher
from ingest.prefetch import prefetched

if TYPE_CHECKING:
    from _csv import _writer as CsvWriter

log = logging.getLogger("chiso.ingest")
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
META_COLUMNS = ("_batch_id", "_source_row", "_observed_date")

LOCK_WAIT_S = 10.0  # how long a run waits for another session's load lock on the same content
NUL_REASON = "contains NUL bytes (binary data in a text field)"

# Test seam: called after each block is copied (tests raise here to simulate a crash).
after_block: Callable[[int], None] = lambda rows_so_far: None  # noqa: E731


class ConnectionLost(RuntimeError):
    """The warehouse connection broke during a load; nothing of the batch was committed."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def _without_nul(blocks: Iterator[readers.Block]) -> Iterator[readers.Block]:
    """PostgreSQL text cannot hold NUL: rows with one are rejected (NUL shown as U+FFFD)."""
    for block in blocks:
        columns, errors = dict(block.columns), []
        for name, values in block.columns.items():
            if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
                continue
            if not _may_hold_nul(values):
                continue
            has = pc.fill_null(pc.match_substring(values, "\x00"), False)
            if not pc.any(has).as_py():
                continue
            columns[name] = pc.replace_substring(values, "\x00", "\ufffd")
            for i in pc.indices_nonzero(has).to_pylist():
                errors.append((i, name, NUL_REASON, columns[name][i].as_py()[: convert.SHOWN_MAX]))
        yield replace(block, columns=columns, errors=[*block.errors, *errors]) if errors else block


def _may_hold_nul(values: pa.Array | pa.ChunkedArray) -> bool:
    """False when no byte of the string data is NUL: a byte scan far cheaper than matching
    every value (the data buffer may hold bytes outside a sliced array: then maybe)."""
    if not isinstance(values, pa.Array):
        return True
    data = arrowbytes.data(values)
    return data.size > 0 and data.min() == 0


@dataclass
class LoadResult:
    feed: str
    file_name: str
    status: str  # loaded | rejected | skipped | failed
    batch_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    seconds: float = 0.0
    message: str = ""

    def line(self) -> str:
        if self.status == "skipped":
            return f"{self.feed}/{self.file_name}: skipped — {self.message}"
        if self.status in ("rejected", "failed"):
            return f"{self.feed}/{self.file_name}: {self.status} — {self.message}"
        rate = self.rows_read / self.seconds if self.seconds else 0
        return (
            f"{self.feed}/{self.file_name}: {self.rows_loaded} loaded, "
            f"{self.rows_rejected} rejected of {self.rows_read} ({rate:,.0f} rows/s)"
        )


def ensure_raw_table(conn: psycopg.Connection, contract: Contract) -> None:
    cols = [f'"{c.stored_name}" {c.sql_type}' for c in contract.columns]
    cols += [
        '"_batch_id" bigint not null',
        '"_source_row" bigint not null',
        '"_observed_date" date not null',
    ]
    conn.execute(f"create table if not exists {contract.table} ({', '.join(cols)})")
    for c in contract.columns:  # a contract that gained a column
        conn.execute(
            f'alter table {contract.table} add column if not exists "{c.stored_name}" {c.sql_type}'
        )
    # Batches are appended in batch order, so a BRIN index finds the rows of the batches after a
    # watermark (dbt's incremental models) as a B-tree does, at a fraction of the cost: keeping
    # the B-tree took a sixth of the server's COPY time. Older warehouses' B-tree goes.
    conn.execute(f"drop index if exists raw.{contract.feed}_batch")
    conn.execute(
        f"create index if not exists {contract.feed}_batch_brin on {contract.table}"
        " using brin (_batch_id) with (autosummarize = on)"
    )


class Loader:
    def __init__(
        self,
        conn: psycopg.Connection,
        contract: Contract,
        hasher: Hasher,
        run_id: str | None,
        code_version: str | None = None,
    ):
        self.conn = conn
        self.contract = contract
        self.hasher = hasher
        self.run_id = run_id
        self.code_version = code_version
        self._known = self._known_files()

    # -- the batch life cycle
    def load(self, file: LandingFile) -> LoadResult:
        started = time.monotonic()
        result = self._load(file)
        result.seconds = time.monotonic() - started
        log.info(result.line())
        return result

    def _load(self, file: LandingFile) -> LoadResult:
        conn, feed = self.conn, self.contract.feed
        try:
            stat = stat_signature(file)
            # A file refused unread (a link leaving the zone, a FIFO) is known by its name and
            # problem: its content is never opened.
            known = self._known.get((str(file.path), stat)) if stat else None
            if known:  # untouched since it was read: no need to read the landing zone again
                return LoadResult(
                    feed,
                    file.name,
                    "skipped",
                    known[0],
                    message=f"unchanged since it was {known[1]} as batch {known[0]}",
                )
            digest, size = fingerprint(file)
        except FileNotFoundError:
            return LoadResult(
                feed, file.name, "skipped", message="the file disappeared before it could be read"
            )
        done = self._already(digest)
        if done:
            if stat and done[2] == file.name:  # batches recorded before signatures existed
                conn.execute(
                    "update audit.load_batches set file_stat = %s where batch_id = %s"
                    " and file_path = %s",
                    (stat, done[0], str(file.path)),
                )
                conn.commit()
            return LoadResult(
                feed,
                file.name,
                "skipped",
                done[0],
                message=f"same content already {done[1]} as batch {done[0]} ({done[2]})",
            )
        lock_key = f"chiso.load:{feed}:{digest}"
        if not self._lock(lock_key):
            return LoadResult(
                feed,
                file.name,
                "skipped",
                message="the same content is being loaded by another run",
            )
        try:
            done = self._already(digest)
            if done:
                return LoadResult(
                    feed,
                    file.name,
                    "skipped",
                    done[0],
                    message=f"same content already {done[1]} as batch {done[0]}",
                )
            # We hold the lock, so an earlier 'started' batch of this content died mid-load.
            conn.execute(
                "update audit.load_batches set status = 'abandoned', finished_at = now(),"
                " message = 'process ended mid-load; no rows were kept'"
                " where feed = %s and sha256 = %s and status = 'started'",
                (feed, digest),
            )
            observed = file.observed_date or datetime.now(LOCAL).date()
            inserted = conn.execute(
                "insert into audit.load_batches (run_id, feed, file_name, file_path, sha256,"
                " file_bytes, file_stat, observed_date, status, code_version)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s, 'started', %s) returning batch_id",
                (
                    self.run_id,
                    feed,
                    file.name,
                    str(file.path),
                    digest,
                    size,
                    stat,
                    observed,
                    self.code_version,
                ),
            ).fetchone()
            assert inserted is not None  # insert … returning: one row
            batch_id = int(inserted[0])
            conn.commit()
            return self._load_batch(file, batch_id, observed)
        finally:
            if not (conn.closed or conn.broken):  # else the server already dropped the lock
                conn.execute("select pg_advisory_unlock(hashtextextended(%s, 0))", (lock_key,))
                conn.commit()

    def _lock(self, key: str) -> bool:
        """The content's load lock. Waits a little: a killed loader's server session may take
        a moment to notice its client is gone and let the lock go."""
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            row = self.conn.execute(
                "select pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)
            ).fetchone()
            assert row is not None  # a select without from: one row
            got = bool(row[0])
            self.conn.commit()
            if got or time.monotonic() >= deadline:
                return got
            time.sleep(0.2)

    def _known_files(self) -> dict[tuple[str, str], tuple[int, str]]:
        """(path, stat signature) of every file this feed loaded or rejected."""
        rows = self.conn.execute(
            "select file_path, file_stat, batch_id, status from audit.load_batches"
            " where feed = %s and status in ('loaded', 'rejected') and file_stat is not null",
            (self.contract.feed,),
        ).fetchall()
        self.conn.commit()
        return {(path, stat): (batch_id, status) for path, stat, batch_id, status in rows}

    def _already(self, digest: str) -> tuple | None:
        row = self.conn.execute(
            "select batch_id, status, file_name from audit.load_batches"
            " where feed = %s and sha256 = %s and status in ('loaded', 'rejected')",
            (self.contract.feed, digest),
        ).fetchone()
        self.conn.commit()
        return row

    def _load_batch(self, file: LandingFile, batch_id: int, observed: date) -> LoadResult:
        conn, feed = self.conn, self.contract.feed
        try:
            if file.problem:
                raise readers.FileRejected(file.problem)
            with conn.transaction():
                try:
                    with conn.transaction():  # savepoint: the fast reader may ask to start over
                        counts = self._copy(batch_id, observed, self._blocks(file, exact=False))
                except readers.NeedsExactRead:
                    counts = self._copy(batch_id, observed, self._blocks(file, exact=True))
                read, loaded, rejected = counts
                conn.execute(
                    "update audit.load_batches set status = 'loaded', rows_read = %s,"
                    " rows_loaded = %s, rows_rejected = %s, finished_at = now(), message = %s"
                    " where batch_id = %s",
                    (read, loaded, rejected, self._note, batch_id),
                )
            return LoadResult(
                feed,
                file.name,
                "loaded",
                batch_id,
                read,
                loaded,
                rejected,
                message=self._note or "",
            )
        except readers.FileRejected as exc:
            message = f"{file.name}: {exc}"
            self._finish(batch_id, "rejected", message)
            return LoadResult(feed, file.name, "rejected", batch_id, message=message)
        except Exception as exc:
            if conn.closed or conn.broken:
                # The server went away (stopped, restarted, network): nothing was committed and
                # the batch cannot be marked here; it stays 'started' and the next run marks it
                # 'abandoned'. Say so instead of a second error about the closed connection.
                raise ConnectionLost(
                    f"{file.name}: lost the warehouse connection mid-load ({_first_line(exc)});"
                    f" nothing of batch {batch_id} was kept, the next run loads the file again"
                ) from exc
            conn.rollback()
            message = f"{file.name}: {_first_line(exc)[:300]}"
            self._finish(batch_id, "failed", message)
            raise

    def _finish(self, batch_id: int, status: str, message: str) -> None:
        self.conn.execute(
            "update audit.load_batches set status = %s, message = %s,"
            " rows_read = 0, rows_loaded = 0, rows_rejected = 0,"
            " finished_at = now() where batch_id = %s",
            (status, message, batch_id),
        )
        self.conn.commit()

    # -- reading
    def _blocks(self, file: LandingFile, exact: bool) -> Iterator[readers.Block]:
        blocks = _without_nul(self._open(file, exact))
        # Arrow parses CSV with the GIL released: a thread reads (and scans for NUL) ahead while
        # this one types. The other readers are Python code, which a thread would not speed up.
        fast_csv = file.kind == "csv" and not exact and not self.contract.reader
        return prefetched(blocks) if fast_csv else blocks

    def _open(self, file: LandingFile, exact: bool) -> Iterator[readers.Block]:
        self._note = None
        self._source_columns: set[str] | None = None  # known before reading: CSV headers
        if self.contract.reader:
            source = hooks.load(self.contract.reader)(file, self.contract)
            if source.unused:
                self._note = "ignored columns: " + ", ".join(map(str, source.unused[:20]))
            return source.blocks
        if file.kind == "csv":
            layout = readers.sniff_csv(file.path, self.contract)
            self._source_columns = set(layout.mapping)
            if layout.unused:
                self._note = "ignored columns: " + ", ".join(map(str, layout.unused[:20]))
            return readers.read_csv(file.path, layout, exact=exact)
        opener = getattr(readers, f"read_{file.kind}", None)
        if opener is None:
            raise readers.FileRejected(f"no reader for {file.kind} files yet")
        source = opener(file.path, self.contract)
        if source.unused:
            self._note = "ignored columns: " + ", ".join(map(str, source.unused[:20]))
        return source.blocks

    # -- writing
    def _copy_format(self) -> copybin.Encoder | None:
        """Binary COPY when every column has a binary encoding (numeric has none here: CSV)."""
        if any(c.type not in copybin.CONTRACT_TYPES for c in self.contract.columns):
            return None
        try:
            return copybin.Encoder(self.conn.info.parameter_status("TimeZone") or "UTC")
        except (ValueError, KeyError):  # a POSIX-style zone zoneinfo cannot read: stay on CSV
            return None

    def _copy(
        self, batch_id: int, observed: date, blocks: Iterator[readers.Block]
    ) -> tuple[int, int, int]:
        contract = self.contract
        derive = hooks.load(contract.derive) if contract.derive else None
        # Columns the file cannot fill are left out of the COPY: the server stores NULL in them
        # without reading a NULL field per row.
        known = None if derive else self._source_columns
        sent = [c for c in contract.columns if known is None or c.name in known]
        names = [c.stored_name for c in sent] + list(META_COLUMNS)
        col_sql = ", ".join(f'"{n}"' for n in names)
        read = loaded = rejected = 0
        file_context = {"observed_date": observed}
        spool = tempfile.SpooledTemporaryFile(max_size=16 << 20, mode="w+b")  # noqa: SIM115 (closed with `rejects`)
        rejects = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(rejects)
        encoder = self._copy_format()
        fmt = "binary" if encoder else "csv"
        encode = encoder.encode if encoder else sender.csv_bytes
        with sender.quick_gil_handoff(), self.conn.cursor() as cur:
            # The queue writer encodes and sends from a thread, so the server parses one block
            # while this one reads and types the next.
            background = sender.BackgroundWriter(cur)
            with cur.copy(
                f"copy {contract.table} ({col_sql}) from stdin (format {fmt})", writer=background
            ) as copy:
                if encoder:
                    copy.write(copybin.HEADER)
                for block in blocks:
                    if derive:
                        block = hooks.apply_derive(derive, block, file_context)
                    conv = convert.convert(
                        contract, block.columns, block.num_rows, self.hasher, file_context
                    )
                    if block.errors:
                        conv = hooks.merge_errors(conv, block.errors)
                    numbers = block.row_numbers
                    if numbers is None:
                        numbers = pa.array(
                            np.arange(block.first_row, block.first_row + block.num_rows)
                        )
                    n_valid = conv.error_column.null_count  # rows without an error
                    if n_valid:
                        table = pa.table(
                            {
                                **{c.stored_name: conv.values[c.stored_name] for c in sent},
                                "_batch_id": pa.repeat(
                                    pa.scalar(batch_id, pa.int64()), block.num_rows
                                ),
                                "_source_row": numbers,
                                "_observed_date": pa.repeat(
                                    pa.scalar(observed, pa.date32()), block.num_rows
                                ),
                            }
                        )
                        if n_valid < block.num_rows:
                            table = table.filter(conv.valid)
                        background.write_table(table, encode)
                    for r in block.rejects:
                        writer.writerow(
                            [batch_id, contract.feed, r.source_row, None, r.reason, r.value, None]
                        )
                    self._quarantine(writer, batch_id, block, conv, numbers)
                    n_bad = block.num_rows - n_valid
                    read += block.num_rows + len(block.rejects)
                    loaded += n_valid
                    rejected += n_bad + len(block.rejects)
                    after_block(read)
                if encoder:
                    copy.write(copybin.TRAILER)
            rejects.flush()
            if spool.tell():
                spool.seek(0)
                with cur.copy(
                    "copy audit.rejected_rows (batch_id, feed, source_row,"
                    " column_name, reason, value, record) from stdin (format csv)"
                ) as copy:
                    while chunk := spool.read(1 << 20):
                        copy.write(chunk)
        rejects.close()  # and the spool under it; on an exception the collector closes both
        return read, loaded, rejected

    def _quarantine(
        self,
        writer: CsvWriter,
        batch_id: int,
        block: readers.Block,
        conv: convert.Converted,
        numbers: pa.Array,
    ) -> None:
        if conv.error_column.null_count == len(conv.error_column):
            return
        bad_idx = pc.indices_nonzero(pc.invert(conv.valid))
        # The record keeps what the source said, except personal data, which is kept hashed.
        record_cols = {}
        for col in self.contract.columns:
            pii = col.type == "pii"
            source = conv.values[col.stored_name] if pii else block.columns.get(col.name)
            if source is not None:
                record_cols[col.stored_name] = pc.take(source, bad_idx).to_pylist()
        cols = pc.take(conv.error_column, bad_idx).to_pylist()
        reasons = pc.take(conv.error_reason, bad_idx).to_pylist()
        values = pc.take(conv.error_value, bad_idx).to_pylist()
        rows = pc.take(numbers, bad_idx).to_pylist()
        for i, row in enumerate(rows):
            record = {k: v[i] for k, v in record_cols.items()}
            writer.writerow(
                [
                    batch_id,
                    self.contract.feed,
                    row,
                    cols[i],
                    reasons[i],
                    values[i],
                    json.dumps(record, ensure_ascii=False),
                ]
            )
