"""Feed-specific code that a contract can name, for what a column mapping cannot say.

- ``reader: "module:function"`` — ``function(file: LandingFile, contract) -> readers.Source``
  replaces the generic reader. Use it for layouts such as wide index tables (one column per
  sub-index) that must become long rows; reuse ``readers.choose_header`` and friends. Each
  yielded ``Block`` carries canonical string columns; set ``row_numbers`` to the source record
  of every output row (several output rows may share one source record).
- ``derive: "module:function"`` — ``function(columns: dict[str, pa.Array], context: dict)
  -> tuple[dict[str, pa.Array], list[tuple[int, str, str, str | None]]]`` returns extra string
  columns (canonical names declared in the contract) and row errors (row index, column, reason,
  offending value); rows with errors are quarantined with that reason. ``context`` holds the
  batch's ``observed_date``. Example: deadlines read from Vietnamese timing text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from importlib import import_module
from typing import Any

import pyarrow as pa

from ingest.convert import Converted
from ingest.readers import Block

# Row errors a derive hook finds: (row index, column, reason, offending value).
RowErrors = list[tuple[int, str, str, str | None]]
# derive(columns, context) -> (extra columns, row errors)
Derive = Callable[[dict[str, pa.Array], dict[str, Any]], tuple[dict[str, pa.Array], RowErrors]]


@cache
def load(ref: str) -> Callable[..., Any]:
    module, _, name = ref.partition(":")
    if not name:
        raise ValueError(f"hook '{ref}' must be written as 'module:function'")
    return getattr(import_module(module), name)


def apply_derive(fn: Derive, block: Block, context: dict[str, Any]) -> Block:
    extra, errors = fn(block.columns, context)
    return replace(block, columns={**block.columns, **extra}, errors=[*block.errors, *errors])


def merge_errors(conv: Converted, errors: list[tuple[int, str, str, str | None]]) -> Converted:
    """Add hook errors to rows that typing found valid (the first error of a row wins)."""
    col = conv.error_column.to_pylist()
    reason = conv.error_reason.to_pylist()
    value = conv.error_value.to_pylist()
    for i, c, r, v in errors:
        if col[i] is None:
            col[i], reason[i], value[i] = c, r, v
    return replace(
        conv,
        error_column=pa.array(col, pa.string()),
        error_reason=pa.array(reason, pa.string()),
        error_value=pa.array(value, pa.string()),
    )
