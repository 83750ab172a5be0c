"""The gate's suites, as code: one suite per candidate mart, each check blocking or warning.

Blocking checks stop publication (the marts keep their last good version); warnings are recorded
for auditors and published with the data. Row-level rules are SQL run in the warehouse. Each
domain has its module here with a ``suites()`` function; add a new module to ``DOMAINS``.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from expectations.model import Suite

DOMAINS = ("onestop", "tasks", "indices")


@cache
def _all() -> tuple[Suite, ...]:
    return tuple(s for d in DOMAINS for s in import_module(f"expectations.suites.{d}").suites())


def all_suites() -> list[Suite]:
    return list(_all())
