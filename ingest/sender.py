"""COPY data encoded and sent from a thread, so the server parses one block while the loader
types the next."""

from __future__ import annotations

import io
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
from psycopg import Cursor
from psycopg.abc import Buffer
from psycopg.copy import LibpqWriter

# What the sending thread gets: bytes, or a table and how to encode it.
_Job = Buffer | tuple[Callable[[pa.Table], bytes], pa.Table]


class BackgroundWriter(LibpqWriter):
    """Encodes and sends COPY data from a thread, so the server parses one block while the loader
    types the next (encoding is Arrow and numpy work, which releases the GIL). At most ``depth``
    blocks wait (psycopg's own queued writer holds up to 1024 chunks, so a fast reader and a
    slow server would grow memory with the file)."""

    def __init__(self, cursor: Cursor[Any], depth: int = 2) -> None:
        super().__init__(cursor)
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=depth)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _work(self) -> None:
        try:
            while (job := self._queue.get()) is not None:
                data = job[0](job[1]) if isinstance(job, tuple) else job
                LibpqWriter.write(self, data)
        except BaseException as exc:
            self._error = exc
            while self._queue.get() is not None:  # keep draining: write() must not block
                pass

    def write(self, data: Buffer) -> None:
        self._submit(data)

    def write_table(self, table: pa.Table, encode: Callable[[pa.Table], bytes]) -> None:
        """Queue ``table``, to be sent as ``encode(table)``, in order with ``write``."""
        self._submit((encode, table))

    def _submit(self, job: _Job) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="chiso-copy", daemon=True)
            self._thread.start()
        if self._error:
            raise self._error
        self._queue.put(job)

    def finish(self, exc: BaseException | None = None) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error and not exc:
            raise self._error
        super().finish(exc)


@contextmanager
def quick_gil_handoff(interval: float = 0.001) -> Iterator[None]:
    """The loading thread releases the GIL hundreds of times a block (each Arrow or numpy call);
    with the reading and sending threads busy, it waited up to the 5 ms default switch interval
    to get it back. A shorter one while loading: 10% less time on a busy machine."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def csv_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False))
    return buf.getvalue()
