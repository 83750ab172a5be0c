"""Suites for the one-stop marts."""

from __future__ import annotations

from expectations.model import Check, Suite
from expectations.suites._helpers import gx as _gx
from expectations.suites._helpers import rows as _rows


def onestop_monthly() -> Suite:
    gxe = _gx()
    rates = ("on_time_rate", "online_rate")
    counts = ("dossiers_received", "dossiers_completed", "dossiers_completed_on_time",
              "dossiers_completed_late", "dossiers_open_overdue", "dossiers_received_online")
    return Suite("onestop_monthly", "onestop_monthly", [
        Check("has_rows", gxe.ExpectTableRowCountToBeBetween(min_value=1)),
        Check("grain_unique", gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["agency_code", "month_start"])),
        *[Check(f"{c}_not_null", gxe.ExpectColumnValuesToNotBeNull(column=c))
          for c in ("agency_code", "month_start")],
        *[Check(f"{c}_within_0_1", gxe.ExpectColumnValuesToBeBetween(
            column=c, min_value=0, max_value=1)) for c in rates],
        *[Check(f"{c}_not_negative", gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0))
          for c in counts],
        Check("on_time_plus_late_is_completed", _rows(
            "select agency_code, month_start from {batch}"
            " where dossiers_completed_on_time + dossiers_completed_late <> dossiers_completed",
            "completed on time + completed late = completed")),
        Check("online_within_received", _rows(
            "select agency_code, month_start from {batch}"
            " where dossiers_received_online > dossiers_received",
            "online receipts are part of all receipts")),
        Check("no_future_months", _rows(
            "select agency_code, month_start from {batch} where month_start > current_date",
            "no month after today")),
        Check("agency_in_reference", _rows(
            "select agency_code, month_start from {batch} where agency_code not in"
            " (select agency_code from reference.ref_agencies)",
            "every agency is in the agency seed (add new units to ref_agencies.csv)"),
            severity="warning"),
    ])


def suites() -> list[Suite]:
    return [onestop_monthly()]
