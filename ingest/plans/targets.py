"""Targets stated in a plan's prose: "phấn đấu Chỉ số hài lòng năm 2023 đạt từ 85% trở lên",
"Xử lý 100% kiến nghị của người dân, tổ chức", "tối thiểu đạt 55% hồ sơ … trực tuyến",
"nâng cao … thứ hạng Chỉ số cải cách hành chính, Chỉ số hài lòng … đến năm 2025 trong số 10
tỉnh dẫn đầu cả nước".

A clause (split at ";", ", riêng" and sentence ends) is a target when it holds a percentage or
a "top N" rank AND names an indicator of the seed ``ref_indicator_aliases.csv`` (wordings →
catalogue indicator; the longest wording found wins). A number without a known indicator is
not taken (the review lists the plan's text, so a person sees what was left). The year is the
one the clause names ("năm 2023", "đến năm 2025"), else the last year of the plan's period,
else the plan's year.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from ingest.contract import header_key

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ingest.plans.document import Line
    from ingest.plans.parse import Plan, PlanTarget, PlanTask

_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*%")
_RANK = re.compile(
    r"(?:trong (?:số |nhóm )?|top |nhóm )(?P<n>\d+)\s*(?:tỉnh|địa phương)[^;.]*?dẫn đầu", re.I
)
_YEAR = re.compile(r"(?:đến|tới|trong)?\s*năm\s+(\d{4})", re.I)
_CLAUSES = re.compile(r"\s*;\s*|,\s*(?=riêng\b)|(?<=\.)\s+(?=[A-ZĐ])")


@cache
def aliases() -> tuple[tuple[str, str, str, str], ...]:
    """(folded wording, wording, indicator_code, applies_to), longest first."""
    from ingest.feeds.indices import SEEDS, _csv

    rows = _csv(SEEDS / "indices" / "ref_indicator_aliases.csv")
    out = [(header_key(r["alias"]), r["alias"], r["indicator_code"], r["applies_to"]) for r in rows]
    return tuple(sorted(out, key=lambda a: -len(a[0])))


def match_alias(text: str, applies_to: str = "value") -> str | None:
    """The indicator whose longest wording appears in ``text`` (folded), or None."""
    key = header_key(text)
    return next((code for k, _, code, kind in aliases() if kind == applies_to and k in key), None)


def _rank_indices(clause: str) -> list[tuple[str, str]]:
    """(wording as written in the clause, indicator) of every index a rank clause names."""
    found: list[tuple[str, str]] = []
    taken: list[str] = []
    for key, wording, code, kind in aliases():
        if kind != "rank" or code in taken:
            continue
        m = re.search(re.escape(wording), clause, re.IGNORECASE)
        if m and not any(key in header_key(w) for w, _ in found):
            found.append((clause[m.start() : m.end()], code))
            taken.append(code)
    return found


def _from_indicator(clause: str, number_at: int) -> str:
    """The clause from where the indicator is named ("… nâng cao mức độ hài lòng … tối thiểu
    đạt 90%" → "mức độ hài lòng … tối thiểu đạt 90%"), or from the start of its comma-separated
    part when the number comes first ("Xử lý 100% kiến nghị …")."""
    at = None
    for _, wording, _, kind in aliases():
        if kind == "value" and (m := re.search(re.escape(wording), clause, re.IGNORECASE)):
            at = m.start() if at is None else min(at, m.start())
    if at is None or number_at < at:
        return (
            clause[clause.rfind(", ", 0, number_at) + 2 :] if ", " in clause[:number_at] else clause
        )
    return clause[at:]


def _texts(plan: Plan, lines: list[Line]) -> Iterator[tuple[int, str, PlanTask | None]]:
    """(line number, text, task) of every paragraph, and of every cell of the tasks read from
    tables (seed 004 states a target in its 'Cách thức thực hiện' cell)."""
    by_line = {t.line: t for t in plan.tasks}
    for ln in lines:
        if not ln.is_row:
            yield ln.number, ln.text, by_line.get(ln.number)
        elif (task := by_line.get(ln.number)) is not None:
            for text in (task.content, task.expected_result, task.method):
                for part in (text or "").split("\n"):
                    yield ln.number, part, task


def prose_targets(plan: Plan, lines: list[Line]) -> list[PlanTarget]:
    from ingest.plans.parse import PlanTarget

    period_years = [int(y) for y in re.findall(r"\d{4}", plan.period_text or "")]
    default_year = max(period_years) if period_years else plan.year
    unit = plan.issuer if plan.is_unit_plan else None
    out: list[PlanTarget] = []
    for number, text, task in _texts(plan, lines):
        for clause in _CLAUSES.split(re.sub(r"^[-–•+]\s*", "", text)):
            clause = clause.strip(" .")
            if not clause:
                continue
            years = [int(y) for y in _YEAR.findall(clause)]
            year = years[-1] if years else default_year
            if rank := _RANK.search(clause):
                for wording, _ in _rank_indices(clause[: rank.start()] or clause):
                    out.append(
                        PlanTarget(
                            None,
                            f"Thứ hạng {wording}",
                            rank.group(0),
                            year,
                            number,
                            clause,
                            task_number=task.number if task else None,
                        )
                    )
                continue
            if (pct := _PERCENT.search(clause)) and match_alias(clause):
                out.append(
                    PlanTarget(
                        None,
                        _from_indicator(clause, pct.start()),
                        None,
                        year,
                        number,
                        clause,
                        lead=task.lead if task else None,
                        coordinating=task.coordinating if task else None,
                        scope_unit=unit,
                        task_number=task.number if task else None,
                    )
                )
    return out
