"""Plain declarations of what to check and flat records of what was found.

Kept free of GX state: a ``Check`` wraps an expectation *template* that the runner copies into
each run's context, so one set of suites can be validated any number of times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # GX is slow to import; only the runner needs it at run time
    from great_expectations.expectations import Expectation

Severity = Literal["blocking", "warning"]


@dataclass(frozen=True)
class Check:
    name: str
    expectation: Expectation
    severity: Severity = "blocking"  # blocking failures stop publication; warnings are reported


@dataclass(frozen=True)
class Suite:
    """Checks on one table.

    ``changed_rows`` scopes a big, incrementally built table to what the builds since the
    published version wrote: an SQL condition on the table's rows, where ``{since}`` is the
    latest ``built_at`` in the published copy of ``since_from`` (default: the suite's table)
    and ``{candidate}`` the candidate schema. Rows older than that passed an earlier gate
    unchanged. With nothing published yet (or no ``built_at`` there) the whole table is checked.
    ``heavy`` suites (recounts over a big table: the database works, Python waits) are
    validated on a connection of their own, at the same time as the others.
    """

    name: str
    table: str  # unqualified: the runner validates it in the schema it is given
    checks: list[Check]
    changed_rows: str | None = None
    since_from: str | None = None
    heavy: bool = False

    def __post_init__(self) -> None:
        # Results are matched back to checks by name, so names must be unique in a suite.
        names = [c.name for c in self.checks]
        if len(names) != len(set(names)):
            raise ValueError(f"suite {self.name!r} has duplicate check names: {names}")


@dataclass(frozen=True)
class CheckResult:
    suite: str
    table: str
    check_name: str
    expectation_type: str
    column: str | None  # column, or comma-joined column list; None for table-level checks
    severity: Severity
    success: bool
    observed_value: str | None
    unexpected_count: int | None
    element_count: int | None  # rows validated (the changed rows, for a scoped suite)
    details: dict[str, Any] = field(default_factory=dict)  # GX result; "error" if it could not run
