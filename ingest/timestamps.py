"""The ingest's one timestamp parser: source text → local wall-clock ``timestamp[s]`` or date.

Accepted: ``dd/mm/yyyy[ HH:MM[:SS]]`` (also with ``.`` or ``-`` between day, month and year,
``T`` before the time, fractions of a second) and ISO 8601 (``yyyy-mm-dd[ HH:MM[:SS]]`` with an
optional ``Z`` or ``±HH:MM`` offset, converted to local time). Times are local (Asia/Ho_Chi_Minh,
no daylight saving). An impossible moment (31/02, 24:00, a second of 60) is unreadable.

Two ways through, one answer:

- ``dd/mm/yyyy HH:MM`` (or ``HH:MM:SS``) is what one-stop systems export. Rows in exactly that
  layout are checked and computed on a (rows × characters) byte matrix with numpy, at less than
  half the cost of a regex check plus ``strptime``.
- Every other row (another layout, a bad value) is read by the regular expressions below, which
  also decide what is unreadable, so reasons for bad values come from one place.

tests/unit/test_ingest_fast_paths.py checks that both give the same result on random values.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest import arrowbytes

REASON = "unreadable date: expected dd/mm/yyyy[ HH:MM[:SS]] or ISO 8601"

# dd/mm/yyyy[ HH:MM[:SS]] (also with . or - between day, month and year) and ISO 8601.
_DMY = (
    r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:\.\d+)?)?)?$"
)
_ISO = (
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
    r"(?P<z>Z|[+-]\d{2}:?\d{2})?$"
)
_LOCAL_OFFSET_S = 7 * 3600  # Asia/Ho_Chi_Minh has no daylight saving


def parse(values: pa.Array, unit_date: bool = False) -> tuple[pa.Array, pa.Array]:
    """(typed, bad): ``timestamp[s]`` (``date32`` with ``unit_date``) of every value, and which
    values are present but unreadable (their typed value is null)."""
    usual = _usual_layout(values)
    if usual is None:
        typed, bad = _general(values)
    else:
        seconds, read = usual
        valid = _valid(values)
        pending = valid & ~read
        if not pending.any():  # the usual export: every value read from its bytes
            mask = None if values.null_count == 0 else ~valid
            typed = pa.array(seconds, pa.timestamp("s"), mask=mask)
            bad = pa.array(np.zeros(len(values), bool))
        else:
            typed, bad = _merge(values, seconds, valid, pending)
    return (pc.cast(typed, pa.date32()) if unit_date else typed), bad


def _valid(values: pa.Array) -> np.ndarray:
    if values.null_count == 0:
        return np.ones(len(values), bool)
    return values.is_valid().to_numpy(zero_copy_only=False)


def _merge(
    values: pa.Array, seconds: np.ndarray, valid: np.ndarray, pending: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """The rows the byte path read, and the general parser's verdict on the ``pending`` ones."""
    at = np.flatnonzero(pending)
    rest, rest_bad = _general(values.take(pa.array(at)))
    seconds = seconds.copy()
    seconds[at] = pc.fill_null(pc.cast(rest, pa.int64()), 0).to_numpy()
    present = valid.copy()
    present[at] = rest.is_valid().to_numpy(zero_copy_only=False)
    bad = np.zeros(len(values), bool)
    bad[at] = rest_bad.to_numpy(zero_copy_only=False)
    return pa.array(seconds, pa.timestamp("s"), mask=~present), pa.array(bad)


# -- the usual layout, from the bytes ---------------------------------------------------------
def _bounds(layout: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Per character, after subtracting b"0" (uint8, wrapping): the lowest allowed byte and the
    span above it. A digit ("9" in ``layout``) is 0 + 0..9, a separator exactly itself."""
    shifted = np.frombuffer(layout, np.uint8) - np.uint8(48)
    digit = np.frombuffer(layout, np.uint8) == ord("9")
    return np.where(digit, 0, shifted).astype(np.uint8), np.where(digit, 9, 0).astype(np.uint8)


_LAYOUTS = {len(t): _bounds(t) for t in (b"99/99/9999 99:99", b"99/99/9999 99:99:99")}
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int32)


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _usual_layout(values: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(seconds, read): local wall-clock seconds of the values in the ``dd/mm/yyyy HH:MM[:SS]``
    layout that are real moments, and which rows those are; None when ``values`` is not a plain
    string array (the general parser reads it)."""
    if not arrowbytes.is_text_array(values):
        return None
    offsets = arrowbytes.offsets(values)
    lengths = np.diff(offsets)
    data = arrowbytes.data(values)
    seconds = np.zeros(len(values), np.int64)
    read = np.zeros(len(values), bool)
    for width in _LAYOUTS:
        rows = lengths == width  # a null has length 0
        if rows.all():  # the usual column: one layout throughout
            return _read(_matrix(data, offsets[:-1], width))
        at = np.flatnonzero(rows)
        if at.size:
            seconds[at], read[at] = _read(_matrix(data, offsets[at], width))
    return seconds, read


def _matrix(data: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """The values starting at ``starts`` (all ``width`` bytes long) as a (rows × width) matrix."""
    # Back to back (nulls and the other rows of a block in one layout take no bytes): a view.
    if starts[-1] - starts[0] == width * (len(starts) - 1):
        return data[starts[0] : starts[0] + width * len(starts)].reshape(-1, width)
    return data[starts[:, None] + np.arange(width)]


def _read(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, ok) of each row of a (rows × 16 or 19) byte matrix."""
    low, span = _LAYOUTS[chars.shape[1]]
    shifted = chars - np.uint8(48)
    wrong = (shifted - low) > span  # a non-digit, or a wrong separator
    # Whole-matrix tests first: in the usual export no row fails, and a row-wise any() costs more.
    bad = wrong.any(axis=1) if wrong.any() else np.zeros(len(chars), bool)

    def number(start: int, digits: int = 2) -> np.ndarray:
        out = shifted[:, start].astype(np.int32)
        for i in range(start + 1, start + digits):
            out = out * 10 + shifted[:, i]
        return out

    d, m, y, hh, mi = number(0), number(3), number(6, 4), number(11), number(14)
    out_of_range = (m < 1) | (m > 12) | (hh > 23) | (mi > 59)
    if chars.shape[1] == 19:
        ss = number(17)
        out_of_range |= ss > 59
        time_of_day = hh * 3600 + mi * 60 + ss
    else:
        time_of_day = hh * 3600 + mi * 60
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    if out_of_range.any():
        bad |= out_of_range
        m = np.where(out_of_range, 1, m)  # a month the day table below can index
    bad |= (d < 1) | (d > _DAYS_IN_MONTH[m] + (leap & (m == 2)))
    seconds = _days_from_civil(y, m, d).astype(np.int64) * 86_400 + time_of_day
    return seconds, ~bad


# -- every other layout -----------------------------------------------------------------------
def _general(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Regex → parts → ``strptime``, with the checks the byte path makes (a real date and
    time) and explicit offsets honoured."""
    if pa.types.is_large_string(values.type):  # the join below wants one string type
        values = values.cast(pa.string())
    dmy = pc.extract_regex(values, _DMY)
    iso = pc.extract_regex(values, _ISO)

    def part(name: str, default: str) -> pa.Array:
        got = pc.coalesce(pc.struct_field(dmy, name), pc.struct_field(iso, name))
        return pc.if_else(pc.equal(got, ""), default, got)

    y, m, d = part("y", "0"), part("m", "0"), part("d", "0")
    hh, mm, ss = part("H", "0"), part("M", "0"), part("S", "0")

    def pad(a: pa.Array) -> pa.Array:
        return pc.utf8_lpad(a, 2, "0")

    text = pc.binary_join_element_wise(
        y, "-", pad(m), "-", pad(d), " ", pad(hh), ":", pad(mm), ":", pad(ss), ""
    )
    ts = pc.strptime(text, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    # strptime rolls 31/02 over into March: a real date reads back the same parts.
    same = pc.and_(
        pc.and_(
            pc.equal(pc.day(ts), pc.cast(d, pa.int64())),
            pc.equal(pc.month(ts), pc.cast(m, pa.int64())),
        ),
        pc.and_(
            pc.equal(pc.hour(ts), pc.cast(hh, pa.int64())),
            pc.equal(pc.minute(ts), pc.cast(mm, pa.int64())),
        ),
    )
    ts = pc.if_else(pc.fill_null(same, False), ts, None)
    zone = pc.struct_field(iso, "z")
    if pc.any(pc.not_equal(pc.fill_null(zone, ""), "")).as_py():
        ts = _to_local(ts, zone)
    bad = pc.and_(pc.is_valid(values), pc.is_null(ts))
    return ts, bad


def _to_local(ts: pa.Array, zone: pa.Array) -> pa.Array:
    """An explicit offset ('Z', '+07:00') is honoured: convert to local wall-clock time."""
    z = pc.replace_substring(pc.fill_null(zone, ""), ":", "")
    has = pc.match_substring_regex(z, r"^[+-]\d{4}$")
    sign = pc.if_else(pc.starts_with(z, "-"), -1, 1)
    hours = pc.cast(pc.if_else(has, pc.utf8_slice_codeunits(z, 1, 3), "0"), pa.int64())
    mins = pc.cast(pc.if_else(has, pc.utf8_slice_codeunits(z, 3, 5), "0"), pa.int64())
    offset = pc.multiply(sign, pc.add(pc.multiply(hours, 3600), pc.multiply(mins, 60)))
    is_utc_or_offset = pc.or_(has, pc.equal(z, "Z"))
    shift = pc.if_else(is_utc_or_offset, pc.subtract(_LOCAL_OFFSET_S, offset), 0)
    seconds = pc.add(pc.cast(ts, pa.int64()), shift)
    return pc.cast(seconds, pa.timestamp("s"))
