"""Suites for the plan-task marts. No "has rows" checks: a province may load no plan yet.

One home per check: keys, not-null columns and accepted values are dbt tests (they stop the
build, so a GX copy could never fail); these suites keep the publication rules over the data —
rates within bounds, counts that add up, every report used or listed, and warnings.
"""

from __future__ import annotations

from expectations.model import Check, Suite
from expectations.suites._helpers import gx as _gx
from expectations.suites._helpers import rows as _rows

_COUNTS = (
    "tasks_assigned",
    "tasks_completed_on_time",
    "tasks_completed_late",
    "tasks_in_progress",
    "tasks_overdue",
    "tasks_no_deadline",
)


def task_scorecard() -> Suite:
    gxe = _gx()
    return Suite(
        "task_scorecard",
        "task_scorecard",
        [
            *[
                Check(
                    f"{c}_within_0_1",
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1),
                )
                for c in ("completion_rate", "on_time_rate")
            ],
            *[
                Check(f"{c}_not_negative", gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0))
                for c in _COUNTS
            ],
            Check(
                "status_counts_add_up",
                _rows(
                    "select province_code, unit_code, unit_name, period_type, period_start"
                    " from {batch}"
                    " where tasks_assigned <> tasks_completed_on_time + tasks_completed_late"
                    " + tasks_in_progress + tasks_overdue + tasks_no_deadline"
                    " or reports_due <> reports_on_time + reports_late + reports_missing",
                    "assigned = on time + late + in progress + overdue + no deadline, and reports"
                    " due = on time + late + missing, per unit and period",
                ),
            ),
            Check(
                "lead_unit_in_reference",
                gxe.ExpectColumnValuesToNotBeNull(column="unit_code"),
                severity="warning",
            ),
        ],
    )


def overdue_tasks() -> Suite:
    gxe = _gx()
    return Suite(
        "overdue_tasks",
        "overdue_tasks",
        [
            Check(
                "days_overdue_positive",
                gxe.ExpectColumnValuesToBeBetween(column="days_overdue", min_value=1),
            ),
            Check(
                "due_before_status_date",
                _rows(
                    "select task_id from {batch} where due_date > status_date",
                    "an overdue task's deadline has passed",
                ),
            ),
            Check(
                "lead_unit_in_reference",
                gxe.ExpectColumnValuesToNotBeNull(column="lead_unit_code"),
                severity="warning",
            ),
        ],
    )


def task_units() -> Suite:
    gxe = _gx()
    return Suite(
        "task_units",
        "task_units",
        [
            Check(
                "every_task_has_a_lead_unit",
                _rows(
                    "select t.task_id from intermediate.int_tasks_current t where t.task_id not in"
                    " (select task_id from {batch} where unit_role = 'lead')",
                    "every task has at least one lead unit (matched or listed as unmatched)",
                ),
            ),
            Check(
                "unit_in_reference",
                gxe.ExpectColumnValuesToNotBeNull(column="unit_code"),
                severity="warning",
            ),
        ],
    )


def task_report_rejections() -> Suite:
    gxe = _gx()
    return Suite(
        "task_report_rejections",
        "task_report_rejections",
        [
            Check(
                "every_report_used_or_rejected",
                _rows(
                    "select r.report_id from staging.stg_tasks__task_reports r"
                    " left join intermediate.int_task_reports_matched m using (report_id)"
                    " where not (coalesce(m.is_accepted, false) and m.task_id is not null)"
                    " and r.report_id not in (select report_id from {batch})",
                    "a report refers to a loaded task or is listed here with the reason",
                ),
            ),
            Check(
                "no_rejected_reports", gxe.ExpectTableRowCountToEqual(value=0), severity="warning"
            ),
        ],
    )


def indicator_actions() -> Suite:
    gxe = _gx()
    return Suite(
        "indicator_actions",
        "indicator_actions",
        [
            Check(
                "index_name_in_catalogue",
                gxe.ExpectColumnValuesToNotBeNull(column="index_code"),
                severity="warning",
            ),
        ],
    )


def suites() -> list[Suite]:
    return [
        task_scorecard(),
        overdue_tasks(),
        task_units(),
        task_report_rejections(),
        indicator_actions(),
    ]
