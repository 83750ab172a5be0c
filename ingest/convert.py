"""Typing and validation of string columns, vectorised with pyarrow.compute.

Every column of a block is converted at once; a row's first failing column (in contract order)
is the reason it is rejected. Nothing here loops over rows in Python except over the *distinct*
values of personal-data columns, which are hashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest import arrowbytes, timestamps
from ingest.contract import TEXT_MAX, Column, Contract, Rule
from ingest.pii import Hasher

_TRUE = ["1", "true", "t", "x", "yes", "y", "có", "co", "đã", "da"]
_FALSE = ["0", "false", "f", "no", "n", "không", "khong", "chưa", "chua"]
_NULLS = ["", "n/a", "na", "-", "--", "null", "none"]
SHOWN_MAX = 500  # characters of an offending value kept in the quarantine
_OPS = {
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
    "=": pc.equal,
    "!=": pc.not_equal,
}


@dataclass
class Converted:
    values: dict[str, pa.Array]  # stored column name → typed array (all rows)
    error_column: pa.Array  # canonical column name of the first failure, null when valid
    error_reason: pa.Array
    error_value: pa.Array

    @property
    def valid(self) -> pa.Array:
        return pc.is_null(self.error_column)


def _case_variants(word: str) -> list[str]:
    out = [""]
    for ch in word:
        out = [o + c for o in out for c in {ch, ch.upper()}]
    return out


@cache  # on first use: pa.array makes pyarrow import pandas (a second), not for every import
def _null_spellings() -> pa.Array:
    """Every spelling of the markers, so values need no lowercasing first (only ASCII letters
    lowercase to ASCII letters of the markers: tests/unit/test_ingest_fast_paths.py)."""
    return pa.array(sorted({v for m in _NULLS for v in _case_variants(m)}))


_NULL_MAX_BYTES = max(map(len, _NULLS))


def _edge_space(values: pa.Array) -> np.ndarray | None:
    """Rows whose first or last character may be whitespace, from the bytes at both ends of
    each value (None: not a plain string array). Beyond ASCII, ``utf8_trim_whitespace`` removes
    U+0085, U+00A0 (lead byte C2), U+1680 (E1 9A), U+2000-U+205F (E2) and U+3000 (E3): a value
    ending in any character led by C2, E2 or E3 is flagged, Vietnamese letters (C3-C6, E1 BA/BB)
    are not (tests/unit/test_ingest_fast_paths.py checks every code point)."""
    if not arrowbytes.is_text_array(values):
        return None
    offsets = arrowbytes.offsets(values)
    data = arrowbytes.data(values)
    if data.size == 0:
        return np.zeros(len(values), bool)
    start, end = offsets[:-1], offsets[1:]
    first, last = data.take(start, mode="clip"), data.take(end - 1, mode="clip")
    edge = (first < 0x21) | (last < 0x21)
    # Only values that begin or end beyond ASCII need a second look.
    at = np.flatnonzero(first >= 0xC2)
    if at.size:
        lead, second = first[at], data.take(start[at] + 1, mode="clip")
        edge[at] |= (
            (lead == 0xC2) | (lead == 0xE2) | (lead == 0xE3) | ((lead == 0xE1) & (second == 0x9A))
        )
    at = np.flatnonzero(last >= 0x80)
    if at.size:  # the last character's lead byte: 2 or 3 bytes back (4-byte ones are not spaces)
        back2, back3 = data.take(end[at] - 2, mode="clip"), data.take(end[at] - 3, mode="clip")
        edge[at] |= (
            (back2 == 0xC2)
            | (back3 == 0xE2)
            | (back3 == 0xE3)
            | ((back3 == 0xE1) & (back2 == 0x9A))
        )
    return edge & (end > start)


def _trimmed(values: pa.Array) -> pa.Array:
    """``utf8_trim_whitespace``, applied only to the rows that may need it: most exports have
    no padded value, and the Unicode-aware trim costs a pass over every value of every column."""
    edge = _edge_space(values)
    if edge is None:
        return pc.utf8_trim_whitespace(values)
    count = int(np.count_nonzero(edge))
    if count == 0:
        return values
    if count * 4 > len(values):  # many padded values: picking them out costs more than it saves
        return pc.utf8_trim_whitespace(values)
    mask = pa.array(edge)
    return pc.replace_with_mask(values, mask, pc.utf8_trim_whitespace(values.filter(mask)))


def _clean(values: pa.Array) -> pa.Array:
    """Trim, and read empty strings and 'N/A'-style markers as missing."""
    trimmed = _trimmed(values)
    if arrowbytes.is_text_array(trimmed) and trimmed.null_count == 0:
        short = bool(len(trimmed)) and np.diff(arrowbytes.offsets(trimmed)).min() <= _NULL_MAX_BYTES
    else:
        short = pc.any(pc.less_equal(pc.binary_length(trimmed), _NULL_MAX_BYTES)).as_py()
    if not short:
        return trimmed  # no value short enough to be a marker (dates, codes, names)
    return pc.if_else(pc.is_in(trimmed, _null_spellings()), None, trimmed)


def _short_digits(values: pa.Array) -> bool:
    """Every value is 1 to 9 ASCII digits (the usual code column): a byte check, no regex."""
    if not arrowbytes.is_text_array(values) or values.null_count or not len(values):
        return False
    offsets = arrowbytes.offsets(values)
    sizes = np.diff(offsets)
    if sizes.min() < 1 or sizes.max() > 9:
        return False
    digits = arrowbytes.data(values)[offsets[0] : offsets[-1]] - np.uint8(ord("0"))  # wraps
    return bool((digits < 10).all())


def _ints(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    if _short_digits(values):
        return pc.cast(values, pa.int32()), pa.repeat(pa.scalar(False), len(values))
    ok = pc.match_substring_regex(values, r"^[+-]?\d{1,9}$")
    # Arrow's cast reads "-5" but not "+5": the sign goes first.
    unsigned = pc.replace_substring_regex(pc.if_else(ok, values, None), r"^\+", "")
    typed = pc.cast(unsigned, pa.int32())
    return typed, pc.invert(ok)


def _bools(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    low = pc.utf8_lower(values)
    is_true = pc.is_in(low, pa.array(_TRUE))
    is_false = pc.is_in(low, pa.array(_FALSE))
    typed = pc.if_else(is_true, True, pc.if_else(is_false, False, None))
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.or_(is_true, is_false)))
    return typed, bad


def _decimals(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """'52,61', '70%', '1.234,5' → numeric text for COPY (no float rounding)."""
    text = pc.replace_substring_regex(values, r"[%\s]", "")
    # A comma is the decimal mark when it is the last separator ("1.234,5", "52,61"); then dots
    # are thousands separators. Otherwise commas are ("1,234.5"). (RE2: no look-arounds.)
    comma_last = pc.fill_null(pc.match_substring_regex(text, r",[^.]*$"), False)
    text = pc.if_else(
        comma_last,
        pc.replace_substring(pc.replace_substring(text, ".", ""), ",", "."),
        pc.replace_substring(text, ",", ""),
    )
    ok = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)$")
    return pc.if_else(ok, text, None), pc.invert(ok)


# The Arrow type each converter returns (for columns with no value at all).
TYPED = {
    "text": pa.string(),
    "pii": pa.string(),
    "int": pa.int32(),
    "code": pa.int16(),
    "timestamp": pa.timestamp("s"),
    "date": pa.date32(),
    "bool": pa.bool_(),
    "decimal": pa.string(),
}


def _convert(col: Column, values: pa.Array, hasher: Hasher) -> tuple[pa.Array, pa.Array, str]:
    """Typed values, a mask of unreadable values, and the reason for them."""
    no_error = pa.nulls(len(values), pa.bool_())
    if values.null_count == len(values):  # an absent or empty column: nothing to read
        return pa.nulls(len(values), TYPED[col.type]), no_error, ""
    if col.type == "text":
        limit = col.max_length or TEXT_MAX
        # Characters are counted only when some value has more bytes than the limit allows.
        fits = pc.max(pc.binary_length(values)).as_py() <= limit
        too_long = no_error if fits else pc.greater(pc.utf8_length(values), limit)
        return values, too_long, f"longer than {limit:,} characters"
    if col.type == "pii":
        return hasher.hash_array(values, col.name), no_error, ""
    if col.type in ("int", "code"):
        typed, bad = _ints(values)
        if col.type == "code":
            outside = pc.invert(pc.is_in(typed, pa.array(col.codes, pa.int32())))
            bad = pc.or_(bad, pc.and_(pc.is_valid(typed), outside))
            codes = ", ".join(map(str, col.codes))
            return pc.cast(typed, pa.int16()), bad, f"code outside the code list ({codes})"
        return typed, bad, "not a whole number"
    if col.type in ("timestamp", "date"):
        typed, bad = timestamps.parse(values, unit_date=col.type == "date")
        return typed, bad, timestamps.REASON
    if col.type == "bool":
        typed, bad = _bools(values)
        return typed, bad, "not a yes/no value (1/0, true/false, có/không)"
    if col.type == "decimal":
        typed, bad = _decimals(values)
        return typed, bad, "not a number"
    raise ValueError(col.type)


def convert(
    contract: Contract,
    columns: dict[str, pa.Array],
    num_rows: int,
    hasher: Hasher,
    context: dict | None = None,
) -> Converted:
    """Type every column; ``context`` gives the file's ``observed_date`` to the rules."""
    err_col = pa.nulls(num_rows, pa.string())
    err_reason = pa.nulls(num_rows, pa.string())
    err_value = pa.nulls(num_rows, pa.string())
    out: dict[str, pa.Array] = {}
    cleaned: dict[str, pa.Array] = {}
    for col in contract.columns:
        raw = columns.get(col.name)
        values = _clean(raw) if raw is not None else pa.nulls(num_rows, pa.string())
        typed, bad, reason = _convert(col, values, hasher)
        may_miss = col.required and values.null_count > 0
        if not may_miss and (bad.null_count == len(bad) or not pc.any(bad).as_py()):
            out[col.stored_name] = typed  # the usual case: nothing wrong in this column
            cleaned[col.name] = values
            continue
        bad = pc.fill_null(bad, False)
        if col.required:
            missing = pc.is_null(values)
            bad_or_missing = pc.or_(bad, missing)
            reason_arr = pc.if_else(missing, "required value is missing", reason or "invalid")
        else:
            bad_or_missing, reason_arr = bad, pa.scalar(reason or "invalid")
        first = pc.and_(bad_or_missing, pc.is_null(err_col))
        if pc.any(first).as_py():
            err_col = pc.if_else(first, col.name, err_col)
            err_reason = pc.if_else(first, reason_arr, err_reason)
            # Personal data never leaves here in clear, not even in the quarantine.
            shown = typed if col.type == "pii" else values
            shown = pc.utf8_slice_codeunits(pc.cast(shown, pa.string()), 0, SHOWN_MAX)
            err_value = pc.if_else(first, shown, err_value)
        out[col.stored_name] = typed
        cleaned[col.name] = values
    observed = (context or {}).get("observed_date")
    for rule in contract.rules:
        if _never_judged(rule, contract, out):
            continue
        broken = _broken(rule, contract, out, observed, num_rows)
        first = pc.and_(broken, pc.is_null(err_col))
        if pc.any(first).as_py():
            err_col = pc.if_else(first, rule.left, err_col)
            err_reason = pc.if_else(first, rule.reason, err_reason)
            shown = pc.utf8_slice_codeunits(cleaned[rule.left], 0, SHOWN_MAX)
            err_value = pc.if_else(first, shown, err_value)
    return Converted(out, err_col, err_reason, err_value)


def _operand(
    name: str,
    contract: Contract,
    typed: dict[str, pa.Array],
    observed: date | None,
    days: int,
    num_rows: int,
) -> pa.Array | pa.Scalar | None:
    """A rule's side as an array, or a scalar (timestamps as seconds, for comparing)."""
    if name == "observed_date":
        if observed is None:
            return None
        moment = datetime.combine(observed, datetime.min.time()) + timedelta(days=days)
        return pa.scalar(moment, pa.timestamp("s"))
    if name[:1].isdigit():
        moment = datetime.fromisoformat(name) + timedelta(days=days)
        return pa.scalar(moment, pa.timestamp("s"))
    values = typed[contract.column(name).stored_name]
    if pa.types.is_date(values.type):
        values = pc.cast(values, pa.timestamp("s"))
    if days:
        values = pc.add(values, pa.scalar(timedelta(days=days), pa.duration("s")))
    return values


def _never_judged(rule: Rule, contract: Contract, typed: dict[str, pa.Array]) -> bool:
    """A rule on a column with no value in the block breaks no row (missing values pass)."""
    for name in (rule.left, rule.right):
        if name != "observed_date" and not name[:1].isdigit():  # a column, not a date
            values = typed[contract.column(name).stored_name]
            if values.null_count == len(values):
                return True
    return False


def _broken(
    rule: Rule,
    contract: Contract,
    typed: dict[str, pa.Array],
    observed: date | None,
    num_rows: int,
) -> pa.Array:
    left = _operand(rule.left, contract, typed, observed, 0, num_rows)
    right = _operand(rule.right, contract, typed, observed, rule.days, num_rows)
    if right is None:  # no export date known: the rule cannot be judged
        return pa.repeat(pa.scalar(False), num_rows)
    return pc.fill_null(pc.invert(_OPS[rule.op](left, right)), False)
