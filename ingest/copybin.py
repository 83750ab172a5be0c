"""PostgreSQL's binary COPY format, encoded from Arrow columns without a Python loop over rows.

Binary COPY spares the server from parsing text (timestamps above all): it loads a typed raw
table about 1.5x faster than CSV. Each field is a 4-byte big-endian length (-1 for NULL) and the
value in network byte order; Arrow's ``binary_join_element_wise`` lays the fields of each row
side by side in C++, so Python touches only whole columns.

Supported column types: text, smallint, integer, bigint, boolean, date, timestamptz. Anything else
(numeric) makes :func:`supported` false and the loader keeps CSV.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
_NULL = b"\xff\xff\xff\xff"  # a NULL field: length -1
_PG_EPOCH_DAYS = 10_957  # 2000-01-01 - 1970-01-01
_PG_EPOCH_S = _PG_EPOCH_DAYS * 86_400
_ONE_OFFSET_SPAN = 4096  # days: a wider block of timestamps is converted day by day

# Contract column types whose converted values this module can encode (not decimal: numeric).
CONTRACT_TYPES = frozenset({"text", "pii", "int", "code", "bool", "timestamp", "date"})

_FIXED = {  # Arrow type → (numpy big-endian dtype, width)
    pa.int16(): (">i2", 2),
    pa.int32(): (">i4", 4),
    pa.int64(): (">i8", 8),
    pa.bool_(): ("u1", 1),
    pa.date32(): (">i4", 4),
    pa.timestamp("s"): (">i8", 8),
}


def _lengths_prefix(lengths: np.ndarray) -> pa.Array:
    """One 4-byte big-endian length per row, as a binary array."""
    data = lengths.astype(">i4", copy=False).tobytes()
    offsets = np.arange(0, 4 * len(lengths) + 1, 4, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _no_nulls(arr: pa.Array, valid: np.ndarray) -> pa.Array:
    """A string column's bytes as a binary array without nulls (its length prefix says NULL),
    so that the join's null replacement is left to fixed-width columns."""
    if arr.null_count == 0:
        return arr.view(pa.binary())
    offsets = np.frombuffer(arr.buffers()[1], np.int32, len(arr) + 1, arr.offset * 4)
    if np.diff(offsets)[~valid].any():  # null rows that still hold bytes: drop them
        arr = pc.fill_null(arr, "")
    return pa.Array.from_buffers(
        pa.binary(), len(arr), [None, *arr.buffers()[1:]], offset=arr.offset
    )


def _valid_mask(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), bool)
    return pc.is_valid(arr).to_numpy(zero_copy_only=False)


class Encoder:
    """Encodes tables of one fixed schema; ``tz`` is the session time zone the loader's
    connection uses to read naive local timestamps (timestamptz is sent as UTC)."""

    def __init__(self, tz: str):
        self.zone = ZoneInfo(tz)
        self._offsets: dict[int, int | None] = {}  # day (Unix) → UTC offset (s) if constant

    # -- local wall-clock seconds → UTC seconds, as PostgreSQL reads a naive timestamptz
    def _day_offset(self, day: int) -> int | None:
        got = self._offsets.get(day, 0)
        if got != 0 or day in self._offsets:
            return got
        start = datetime(1970, 1, 1) + timedelta(days=day)
        a = self._offset(start)
        b = self._offset(start + timedelta(hours=23, minutes=59, seconds=59))
        off = a if a == b else None
        self._offsets[day] = off
        return off

    def _offset(self, local: datetime) -> int:
        """UTC offset (s) of a local wall-clock moment (a ZoneInfo always knows it)."""
        offset = local.replace(tzinfo=self.zone).utcoffset()
        assert offset is not None
        return int(offset.total_seconds())

    def _to_utc(self, secs: np.ndarray, valid: np.ndarray) -> np.ndarray:
        days = np.floor_divide(secs, 86_400)
        first, last = int(days[valid].min()), int(days[valid].max())
        if last - first < _ONE_OFFSET_SPAN:  # usual: one offset over the block's few years
            offsets = {self._day_offset(d) for d in range(first, last + 1)}
            if len(offsets) == 1 and None not in offsets:
                return secs - offsets.pop()
        uniq, inverse = np.unique(np.where(valid, days, days[valid][0]), return_inverse=True)
        per_day = [self._day_offset(d) for d in uniq.tolist()]
        out = secs - np.array([0 if o is None else o for o in per_day], np.int64)[inverse]
        for k, off in enumerate(per_day):
            if off is None:  # a transition day: each value on its own (PostgreSQL and zoneinfo
                # agree on ambiguous and skipped times: the offset before the transition)
                for i in np.flatnonzero((inverse == k) & valid).tolist():
                    local = datetime(1970, 1, 1) + timedelta(seconds=int(secs[i]))
                    out[i] = secs[i] - self._offset(local)
        return out

    def _fixed(self, arr: pa.Array, valid: np.ndarray) -> np.ndarray:
        """Values of a fixed-width column in network byte order, shape (rows, width)."""
        t = arr.type
        dtype, width = _FIXED[t]
        if t == pa.bool_():
            values = pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype("u1")
        elif t == pa.date32():
            values = pc.fill_null(arr.view(pa.int32()), 0).to_numpy() - _PG_EPOCH_DAYS
        elif t == pa.timestamp("s"):
            secs = pc.fill_null(arr.view(pa.int64()), 0).to_numpy()
            values = (self._to_utc(secs, valid) - _PG_EPOCH_S) * 1_000_000
        else:
            values = pc.fill_null(arr, 0).to_numpy()
        values = np.ascontiguousarray(values.astype(dtype, copy=False))
        return values.view(np.uint8).reshape(len(arr), width)

    def encode(self, table: pa.Table) -> pa.Buffer:
        """The rows of ``table`` as binary COPY tuples (no header or trailer).

        Each row is the concatenation of segments: constant bytes (the field count, columns that
        are all NULL), blocks of fixed-width columns without NULLs (one numpy matrix), and
        per-row binary arrays (length prefixes, strings, fixed-width columns with NULLs).
        """
        n = table.num_rows
        if n == 0:
            return pa.py_buffer(b"")
        segments: list = [table.num_columns.to_bytes(2, "big")]
        matrix: list[np.ndarray] = []  # fixed-width, NULL-free fields waiting to be stacked

        def flush() -> None:
            if matrix:
                m = np.hstack(matrix) if len(matrix) > 1 else matrix[0]
                matrix.clear()
                width = m.shape[1]
                offsets = np.arange(0, width * n + 1, width, dtype=np.int32)
                segments.append(
                    pa.Array.from_buffers(
                        pa.binary(),
                        n,
                        [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(m))],
                    )
                )

        def constant(b: bytes) -> None:
            flush()
            if isinstance(segments[-1], bytes):
                segments[-1] += b
            else:
                segments.append(b)

        for arr in table.columns:
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            t = arr.type
            if pa.types.is_null(t) or arr.null_count == n:
                constant(_NULL)
                continue
            valid = _valid_mask(arr)
            if pa.types.is_string(t):
                flush()
                lengths = pc.binary_length(arr).to_numpy(zero_copy_only=False)
                segments.append(_lengths_prefix(np.where(valid, lengths, -1)))
                segments.append(_no_nulls(arr, valid))
                continue
            width = _FIXED[t][1]
            values = self._fixed(arr, valid)
            head = np.broadcast_to(np.frombuffer(width.to_bytes(4, "big"), np.uint8), (n, 4))
            if arr.null_count == 0:
                matrix += [head, values]
                continue
            flush()
            # Length and value of every row; the join writes NULL's -1 in place of a null row.
            m = np.empty((n, 4 + width), np.uint8)
            m[:, :4], m[:, 4:] = head, values
            offsets = np.arange(0, (4 + width) * n + 1, 4 + width, dtype=np.int32)
            segments.append(
                pa.Array.from_buffers(
                    pa.binary(),
                    n,
                    [pa.array(valid).buffers()[1], pa.py_buffer(offsets), pa.py_buffer(m)],
                    null_count=arr.null_count,
                )
            )
        flush()
        args = [pa.scalar(s, pa.binary()) if isinstance(s, bytes) else s for s in segments]
        if len(args) == 1:
            return pa.py_buffer(segments[0] * n)
        rows = pc.binary_join_element_wise(
            *args, pa.scalar(b"", pa.binary()), null_handling="replace", null_replacement=_NULL
        )
        offsets = np.frombuffer(rows.buffers()[1], np.int32, n + 1, rows.offset * 4)
        return rows.buffers()[2][int(offsets[0]) : int(offsets[-1])]
