"""Shorthands for writing suites."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from expectations.counted_rows import UnexpectedRowsCountExpectation


def gx() -> ModuleType:
    import great_expectations.expectations as gxe  # heavy: imported when suites are built

    return gxe


def rows(sql: str, description: str) -> UnexpectedRowsCountExpectation:
    """A row-level rule as SQL over ``{batch}``; select key columns only. Run once, counted.

    GX substitutes ``{batch}`` with an already-aliased subquery: to name it, wrap it:
    ``select … from (select * from {batch}) s``.
    ``{candidate}`` names the schema under validation, for rules that compare two marts: the
    runner fills it in with the schema the gate passes (``run_suites(url, schema, ...)``).
    """
    from expectations.counted_rows import UnexpectedRowsCountExpectation

    return UnexpectedRowsCountExpectation(unexpected_rows_query=sql, description=description)
