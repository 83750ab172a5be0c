"""Suites for the index marts: index_scores, indicator_targets, satisfaction.

None of them requires rows: a warehouse that loads no index files publishes empty index marts.
One home per check: model invariants (keys unique and not null, accepted values) are dbt tests
in the models' YAML and stop the build; these suites hold only the publication rules over the
data (scales, rank sequences, reconciliations, warnings) — a copy here could never fail.
"""

from __future__ import annotations

from expectations.model import Check, Suite
from expectations.suites._helpers import gx as _gx
from expectations.suites._helpers import rows as _rows


def index_scores() -> Suite:
    gxe = _gx()
    key = "b.province_code, b.year, b.index_code, b.component_code"
    return Suite(
        "index_scores",
        "index_scores",
        [
            Check(
                "score_on_scale",
                _rows(
                    f"select {key} from {{batch}} b join (select 1 as one) x on true"
                    " where b.score < b.scale_min or b.score > b.scale_max",
                    "every score lies on its index's scale (ref_index_components scale_min..scale_max)",
                ),
            ),
            Check(
                "ranks_without_gaps",
                _rows(
                    # Only where scores are complete: every unit existing that year has a score.
                    f"select {key} from {{batch}} b"
                    " join (select g.year, g.index_code, coalesce(g.component_code, '') as ck,"
                    "        count(g.score) as n from {batch} g where not g.is_derived"
                    "        group by g.year, g.index_code, coalesce(g.component_code, '')) grp"
                    "   on grp.year = b.year and grp.index_code = b.index_code"
                    "  and grp.ck = coalesce(b.component_code, '')"
                    " join (select y.year, count(*) as units"
                    "        from (select distinct year from {batch}) y"
                    "        join reference.ref_provinces p on p.valid_from <= make_date(y.year, 12, 31)"
                    "         and (p.valid_to is null or p.valid_to >= make_date(y.year, 12, 31))"
                    "        group by y.year) u on u.year = b.year and u.units = grp.n"
                    " where not b.is_derived and b.score is not null and b.rank is not null"
                    "   and (b.rank < 1 or b.rank > grp.n or b.rank > 1 + ("
                    "        select count(*) from {batch} o where not o.is_derived and o.year = b.year"
                    "           and o.index_code = b.index_code and o.score is not null"
                    "           and coalesce(o.component_code, '') = grp.ck and o.rank < b.rank))",
                    "published ranks run 1..n without gaps (ties share a rank) within a year, index"
                    " and component whose scores are complete",
                ),
            ),
            # The mart names the province, year and both values in composite_mismatch (dbt var
            # pci_recompute_tolerance, default 0.05); failing values are listed in the result.
            Check(
                "pci_composite_recomputed",
                gxe.ExpectColumnValuesToBeNull(
                    column="composite_mismatch",
                    description="the PCI composite equals Σ weight × sub-index × 10 within tolerance",
                ),
                severity="warning",
            ),
        ],
    )


def indicator_targets() -> Suite:
    return Suite(
        "indicator_targets",
        "indicator_targets",
        [
            Check(
                "targets_mapped",
                _rows(
                    "select b.target_id, b.indicator_name from {batch} b"
                    " join (select 1 as one) x on true where not b.is_mapped",
                    "every target maps to a catalogue indicator (ref_pci_indicators); the rows listed are"
                    " unmapped",
                ),
                severity="warning",
            ),
        ],
    )


def satisfaction() -> Suite:
    gxe = _gx()
    return Suite(
        "satisfaction",
        "satisfaction",
        [
            Check(
                "satisfaction_pct_within_0_100",
                gxe.ExpectColumnValuesToBeBetween(
                    column="satisfaction_pct", min_value=0, max_value=100
                ),
            ),
            Check(
                "satisfied_within_responses",
                _rows(
                    "select b.agency_code, b.element_code, b.period_type, b.period_start from {batch} b"
                    " join (select 1 as one) x on true"
                    " where b.satisfied_responses > b.responses or b.responses <= 0",
                    "satisfied answers are part of all answers",
                ),
            ),
        ],
    )


def suites() -> list[Suite]:
    return [index_scores(), indicator_targets(), satisfaction()]
