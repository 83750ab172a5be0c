"""Shorthands for writing suites."""

from __future__ import annotations


def gx():
    import great_expectations.expectations as gxe  # heavy: imported when suites are built

    return gxe


def rows(sql: str, description: str):
    """A row-level rule as SQL over ``{batch}``; select key columns only. Run once, counted.

    GX substitutes ``{batch}`` with an already-aliased subquery: to name it, wrap it:
    ``select … from (select * from {batch}) s``.
    ``{candidate}`` names the candidate schema, for rules that compare two marts.
    """
    from chiso import config
    from expectations.counted_rows import UnexpectedRowsCountExpectation

    sql = sql.replace("{candidate}", f'"{config.load().candidate_schema}"')
    return UnexpectedRowsCountExpectation(unexpected_rows_query=sql, description=description)
