"""Suites for the one-stop marts."""

from __future__ import annotations

from expectations.model import Check, Suite
from expectations.suites._helpers import gx as _gx
from expectations.suites._helpers import rows as _rows

TIMELINESS = (
    "early",
    "on_time",
    "late",
    "open",
    "open_overdue",
    "no_appointment",
    "withdrawn",
    "not_received",
)


def onestop_monthly() -> Suite:
    gxe = _gx()
    rates = ("on_time_rate", "online_rate")
    counts = (
        "dossiers_received",
        "dossiers_completed",
        "dossiers_completed_on_time",
        "dossiers_completed_late",
        "dossiers_open_overdue",
        "dossiers_received_online",
    )
    return Suite(
        "onestop_monthly",
        "onestop_monthly",
        [
            Check("has_rows", gxe.ExpectTableRowCountToBeBetween(min_value=1), severity="warning"),
            Check(
                "grain_unique",
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=["agency_code", "field_code", "month_start"]
                ),
            ),
            *[
                Check(f"{c}_not_null", gxe.ExpectColumnValuesToNotBeNull(column=c))
                for c in ("agency_code", "month_start")
            ],
            *[
                Check(
                    f"{c}_within_0_1",
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1),
                )
                for c in rates
            ],
            *[
                Check(f"{c}_not_negative", gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0))
                for c in counts
            ],
            Check(
                "on_time_plus_late_is_completed",
                _rows(
                    "select agency_code, field_code, month_start from {batch}"
                    " where dossiers_completed_on_time + dossiers_completed_late <> dossiers_completed",
                    "completed on time + completed late = completed",
                ),
            ),
            Check(
                "online_within_received",
                _rows(
                    "select agency_code, month_start from {batch}"
                    " where dossiers_received_online > dossiers_received",
                    "online receipts are part of all receipts",
                ),
            ),
            Check(
                "no_future_months",
                _rows(
                    "select agency_code, month_start from {batch} where month_start > current_date",
                    "no month after today",
                ),
            ),
            Check(
                "agency_in_reference",
                _rows(
                    "select agency_code, month_start from {batch} where agency_code not in"
                    " (select agency_code from reference.ref_agencies)",
                    "every agency is in the agency seed (add new units to ref_agencies.csv)",
                ),
                severity="warning",
            ),
        ],
    )


def dossiers() -> Suite:
    gxe = _gx()
    # Millions of rows, a few thousand rewritten a night: the row rules run on the rows built
    # since the published version. The unique index on dossier_code guards the rest of the table.
    return Suite(
        "dossiers",
        "dossiers",
        [
            # As SQL: GX's uniqueness query walks the dossier_code index over the whole table.
            Check(
                "counted_once",
                _rows(
                    "select dossier_code from {batch} group by dossier_code having count(*) > 1",
                    "each dossier is counted once",
                ),
            ),
            Check(
                "dossier_code_not_null", gxe.ExpectColumnValuesToNotBeNull(column="dossier_code")
            ),
            Check(
                "received_not_in_future",
                _rows(
                    "select dossier_code from {batch} where received_at > now()",
                    "no dossier received in the future",
                ),
            ),
            Check(
                "finished_not_before_received",
                _rows(
                    "select dossier_code from {batch} where finished_at < received_at",
                    "processing ends after receipt",
                ),
            ),
            Check(
                "finished_status_has_end_date",
                _rows(
                    "select dossier_code from {batch} where status_code in (9, 10) and finished_at is null",
                    "a processed or returned dossier has an end-of-processing date",
                ),
                severity="warning",
            ),
            Check(
                "channel_in_code_list",
                gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=[1, 2, 3]),
            ),
            Check(
                "timeliness_in_code_list",
                gxe.ExpectColumnValuesToBeInSet(column="timeliness", value_set=list(TIMELINESS)),
            ),
            # `since` from the small monthly mart: every build rewrites its current month, so its
            # latest built_at is the published build's (the published dossiers copy has no index).
        ],
        changed_rows="built_at > {since}",
        since_from="onestop_monthly",
    )


def service_index_monthly() -> Suite:
    gxe = _gx()
    rates = (
        "on_time_rate",
        "online_rate",
        "online_payment_rate",
        "digitisation_rate",
        "satisfaction_rate",
    )
    return Suite(
        "service_index_monthly",
        "service_index_monthly",
        [
            *[
                Check(
                    f"{c}_within_0_1",
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1),
                )
                for c in rates
            ],
            Check(
                "total_within_computed_max",
                _rows(
                    "select scope, unit_code, month_start from {batch}"
                    " where total_points < 0 or total_points > max_points_computed",
                    "0 ≤ total points ≤ the maximum of the blocks computed",
                ),
            ),
            # onestop_monthly's receipts are reconciled with the dossiers themselves (below).
            Check(
                "provinces_add_up_to_monthly",
                _rows(
                    "select month_start from (select month_start, sum(dossiers_received) as n"
                    " from {batch} where scope = 'province' group by month_start) s"
                    " where n <> (select sum(dossiers_received) from {candidate}.onestop_monthly m"
                    " where m.month_start = s.month_start)",
                    "the provinces' receipts add up to onestop_monthly's for each month",
                ),
            ),
        ],
    )


def month_totals_reconcile() -> Suite:
    """onestop_monthly adds up to the current-state fact: each dossier counted once.

    Checked for the months a build since the published version recomputed, and the months of
    every dossier it rewrote (a month that should have been recomputed and was not shows here).
    """
    return Suite(
        "onestop_reconciliation",
        "onestop_monthly",
        [
            Check(
                "received_matches_dossiers",
                _rows(
                    "select month_start from (select month_start, max(as_of_at) as as_of_at,"
                    " sum(dossiers_received) as n from {batch} group by month_start) m"
                    " where n <> (select count(*) from {candidate}.dossiers d where d.is_counted"
                    " and d.received_month = m.month_start and d.received_at < m.as_of_at)",
                    "monthly receipts = dossiers in marts.dossiers received that month",
                ),
            ),
            Check(
                "completed_matches_dossiers",
                _rows(
                    "select month_start from (select month_start, max(as_of_at) as as_of_at,"
                    " sum(dossiers_completed) as n from {batch} group by month_start) m"
                    " where n <> (select count(*) from {candidate}.dossiers d where d.is_counted"
                    " and d.finished_month = m.month_start and d.received_at < m.as_of_at"
                    " and d.finished_at < m.as_of_at)",
                    "monthly completions = dossiers in marts.dossiers finished that month",
                ),
            ),
        ],
        changed_rows=(
            "built_at > {since} or month_start in ("
            "select received_month from {candidate}.dossiers where built_at > {since} union "
            "select finished_month from {candidate}.dossiers where built_at > {since})"
        ),
        heavy=True,
    )


def suites() -> list[Suite]:
    return [onestop_monthly(), dossiers(), service_index_monthly(), month_totals_reconcile()]
