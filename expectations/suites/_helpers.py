"""Shorthands for writing suites."""

from __future__ import annotations


def gx():
    import great_expectations.expectations as gxe  # heavy: imported when suites are built

    return gxe


def rows(sql: str, description: str):
    """A row-level rule as SQL over ``{batch}``; select key columns only (GX fetches the rows).

    GX substitutes ``{batch}`` with an already-aliased subquery: do not alias it again.
    """
    return gx().UnexpectedRowsExpectation(unexpected_rows_query=sql, description=description)
