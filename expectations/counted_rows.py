"""``UnexpectedRowsExpectation`` that runs its query once.

GX computes two metrics for it: the offending rows (up to 200 fetched) and their count, each
a separate run of the query. Under the SUMMARY result format the gate uses, only the count is
reported, so the rows are fetched for nothing; for a reconciliation that recounts whole months
of dossiers, that second run is half of the check's time. Same query, same verdict, same
observed value (the number of offending rows); Data Docs render it like its parent.
"""

from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.expectations import UnexpectedRowsExpectation


class UnexpectedRowsCountExpectation(UnexpectedRowsExpectation):
    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.row_count",)

    def _validate(
        self, metrics: dict, runtime_configuration: dict | None = None, execution_engine: Any = None
    ) -> dict:
        count = metrics["unexpected_rows_query.row_count"]
        return {"success": count == 0, "result": {"observed_value": count}}
