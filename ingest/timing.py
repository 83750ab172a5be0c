"""Plan-task timing text ("Thời gian thực hiện", "Tiến độ thực hiện", "Thời hạn") → dates.

Improvement plans give each task a free-text timing: "Năm 2022", "Từ Quý I", "Trước 15/12",
"Hằng quý", "Thường xuyên". :func:`parse_timing` turns one into a :class:`Timing`:

- kind ``deadline``: one due date (the LAST day of the period named) and, when the text names
  one, a start;
- kind ``recurring``: a deadline every period (``every``: month, quarter, half_year or year),
  from ``start`` (first day of the first period) to ``due`` (the last period's due date); each
  period's due date is its last day, or the day written ("Trước 15/12 hằng năm": 15 December
  each year, ``every_month`` 12 and ``every_day`` 15). The warehouse expands the periods
  (dbt model ``int_task_deadlines``) and counts each period's report;
- kind ``ongoing``: continuous work with no deadline ("Thường xuyên", "Liên tục").

Unreadable text raises :class:`TimingError` quoting it: this module never guesses.

Readings chosen for the ambiguous forms:

- A year written in the text wins over ``plan_year``; a form without a year ("Quý II",
  "Trong năm", "Trước 15/12", "Hằng quý") takes ``plan_year`` and is an error when it is None.
- "Từ Quý I" / "Từ Tháng 01": the task starts with that quarter/month and runs to the end of
  that year (plans list it among the year's tasks), so ``due`` is 31 December.
- "Trước 15/12", "Trước ngày 15/12/2023", "Cuối năm 2023", "Đến năm 2025": ``due`` is the date
  itself (administrative usage: "by 15/12"; "by the end of 2023"; "by 2025" = by 31/12/2025),
  ``start`` is None because the text says nothing about the start.
- "Quý I, II", "Quý III-IV/2023", "Từ Quý II/2023 đến Quý IV/2023": one span from the first
  day of the first quarter to the last day of the last (one deadline, not one per quarter:
  the plan asks for the work to be done within those quarters).
- "Hằng quý", "Định kỳ hằng quý", "Hằng tháng", "Định kỳ 6 tháng", "Hằng năm": recurring over
  the plan year (the year written, else ``plan_year``).
- "Thường xuyên", "Liên tục", "Hằng tuần" (weekly work is followed as continuous work, not
  per week): kind ``ongoing``, start and due None. "Định kỳ" alone names no period: rejected.
- "Năm 2024 và các năm tiếp theo": kind "ongoing" from 1 January 2024, no due date.
- "2022-2025", "Giai đoạn 2021-2025", "Năm 2022 và giai đoạn 2022-2025" (a plan's own period,
  seed 002): 1 January of the first year to 31 December of the last.

Text is normalised first: Unicode NFC, HTML tags dropped (table cells exported as
``<p>Trước 15/12</p>``), lower case, any whitespace (including no-break space and line breaks
of a wrapped cell) folded to one space, leading bullets and trailing punctuation removed.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DEADLINE",
    "ONGOING",
    "PERIODS",
    "RECURRING",
    "Timing",
    "TimingError",
    "parse_timing",
    "recurring_due_dates",
]

DEADLINE = "deadline"
ONGOING = "ongoing"
RECURRING = "recurring"
PERIODS = ("month", "quarter", "half_year", "year")  # values of Timing.every

_QN = r"iv|i{1,3}|[1-4]"  # "II", "2"
_Y = r"(?:(?: ?[/,–-] ?| )(?:năm )?(?P<y>\d{4}))?"  # optional year: "/2024", " năm 2024"


def _q(name: str) -> str:
    return rf"qu[ýí] (?P<{name}>{_QN})\b"  # "Quý II", "Quý 2", old spelling "Quí"


def _yr(name: str) -> str:
    return rf"(?:(?: ?[/,–-] ?| )(?:năm )?(?P<{name}>\d{{4}}))?"


_Q = _q("q")
_ONGOING = r"thường xuyên|liên tục|(?:hằng|hàng) tuần"
_EVERY = (  # "hằng quý", "hàng tháng", "định kỳ 6 tháng", "6 tháng một lần"
    r"(?:định kỳ )?(?:hằng|hàng|mỗi) (?P<every>tháng|quý|năm)"
    r"|định kỳ (?:(?:hằng|hàng|mỗi) )?(?P<half>6|sáu) tháng(?: (?:một|1) lần)?"
    r"|(?:hằng|hàng|mỗi) (?P<half2>6|sáu) tháng|(?P<half3>6|sáu) tháng (?:một|1) lần"
)
_TO = r" ?(?:-|–|—|đến|tới) ?"  # range separator
_BEFORE = r"(?:trước|chậm nhất|hạn chót|hạn)(?: ngày)?"

# One entry per form: (pattern matched against the whole normalised text, span name).
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), span)
    for pattern, span in (
        # "Thường xuyên", "Liên tục", "Thường xuyên, liên tục"
        (rf"(?:{_ONGOING})(?:(?:, | và | )(?:{_ONGOING}))*", "ongoing"),
        # "Hằng quý", "Định kỳ hằng quý", "Hàng tháng", "Định kỳ 6 tháng", "Hằng năm"
        (rf"(?:{_EVERY})", "every"),
        # "Trước 15/12 hằng năm", "Trước ngày 25 hằng tháng", "Hằng năm, trước ngày 15/12"
        (
            rf"{_BEFORE} (?P<d>\d{{1,2}})(?:(?:[/.-]| tháng )(?P<m>\d{{1,2}}))?"
            rf",? (?:(?:của )?(?:hằng|hàng|mỗi) (?P<every>tháng|quý|năm))",
            "every_before",
        ),
        (
            r"(?:hằng|hàng|mỗi) (?P<every>năm|tháng|quý),? "
            + rf"{_BEFORE} (?P<d>\d{{1,2}})(?:(?:[/.-]| tháng )(?P<m>\d{{1,2}}))?",
            "every_before",
        ),
        # "Năm 2024 và các năm tiếp theo", "Từ năm 2024 trở đi"
        (
            r"(?:từ )?(?:năm )?(?P<y>\d{4})(?: và (?:các|những) năm (?:tiếp theo|sau)| trở đi)",
            "ongoing_from",
        ),
        # "Trong năm", "Năm nay": the plan year
        (r"trong năm(?: nay)?|năm nay", "year"),
        # "Năm 2022", "Trong năm 2023", "2022"
        (r"(?:trong )?(?:năm )?(?P<y>\d{4})", "year"),
        # "Cuối năm 2023", "Cuối năm", "Đến năm 2025", "Đến hết năm 2025", "Trước năm 2025"?
        # (no: "trước năm 2025" would mean by 31/12/2024; not seen, so not read)
        (r"(?:cuối|đến hết|đến cuối|đến|tới) năm(?: (?P<y>\d{4}))?", "by_year_end"),
        (r"(?:đến|tới) (?P<y>\d{4})", "by_year_end"),
        # "2022-2025", "Giai đoạn 2021 - 2025", "Từ năm 2022 đến năm 2025"
        (rf"(?:giai đoạn |từ )?(?:năm )?(?P<y>\d{{4}}){_TO}(?:năm )?(?P<y_end>\d{{4}})", "range"),
        # "Năm 2022 và giai đoạn 2022 - 2025" (a plan's own period)
        (
            rf"(?:năm )?(?P<y>\d{{4}}) và giai đoạn (?P<y_mid>\d{{4}}){_TO}(?P<y_end>\d{{4}})",
            "range",
        ),
        # "Quý II", "Trong quý 2", "Quý I/2024", "Quý III năm 2024"
        (rf"(?:trong )?{_Q}{_Y}", "quarter"),
        # "Cuối quý II", "Cuối quý II/2024": by the quarter's last day
        (rf"(?:cuối|hết) {_Q}{_Y}", "by_quarter_end"),
        # "Quý I, II", "Quý I và II", "Quý III-IV/2023", "Quý III - Quý IV năm 2023"
        (
            rf"(?:trong )?{_Q}(?:(?:, ?| và | ?[-–—] ?)(?:qu[ýí] )?(?P<q2>{_QN})\b)+{_Y}",
            "quarters",
        ),
        # "Từ Quý II/2023 đến Quý IV/2023", "Từ quý II đến quý IV"
        (rf"từ {_Q}{_yr('y_start')}{_TO}{_q('q2')}{_Y}", "quarters"),
        # "Từ Quý I", "Từ quý II/2024": from that quarter to the end of the year
        (rf"từ {_Q}{_Y}", "from_quarter"),
        # "Tháng 01", "tháng 3/2024", "Trong tháng 3 năm 2024"
        (rf"(?:trong )?tháng (?P<m>\d{{1,2}}){_Y}", "month"),
        # "Cuối tháng 6", "Cuối tháng 6/2024"
        (rf"(?:cuối|hết) tháng (?P<m>\d{{1,2}}){_Y}", "by_month_end"),
        # "Từ tháng 3 đến tháng 6", "Tháng 3 - tháng 6/2024"
        (
            rf"(?:từ )?tháng (?P<m>\d{{1,2}}){_yr('y_start')}{_TO}(?:tháng )?(?P<m2>\d{{1,2}}){_Y}",
            "months",
        ),
        # "Từ Tháng 01", "Từ tháng 3/2024": from that month to the end of the year
        (rf"từ tháng (?P<m>\d{{1,2}}){_Y}", "from_month"),
        # "6 tháng đầu năm", "Sáu tháng cuối năm 2024"
        (rf"(?:trong )?(?:6|sáu) tháng (?P<h>đầu|cuối) năm{_Y}", "half"),
        # "Trước 15/12", "Trước ngày 15/12/2023", "Chậm nhất ngày 15 tháng 12 năm 2023"
        (
            rf"{_BEFORE} (?P<d>\d{{1,2}})(?:[/.-]| tháng )"
            r"(?P<m>\d{1,2})(?:(?:[/.-]| năm )(?P<y>\d{4}))?",
            "before",
        ),
    )
)

_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_EVERY_WORDS = {"tháng": "month", "quý": "quarter", "năm": "year"}


class TimingError(ValueError):
    """Timing text that cannot be read, names an impossible date, or lacks a needed year."""


@dataclass(frozen=True)
class Timing:
    """A task's timing: ``due`` is the last day of the period (of the last period when
    recurring), None when ongoing. ``every`` is set for recurring deadlines only."""

    start: date | None
    due: date | None
    kind: str  # DEADLINE, RECURRING or ONGOING
    text: str  # the original text, unnormalised
    every: str | None = None  # month | quarter | half_year | year
    every_month: int | None = None  # month of each period's due date (yearly only)
    every_day: int | None = None  # day of each period's due date; None = the period's last day

    def due_dates(self) -> list[date]:
        """Every due date: one for a deadline, one per period when recurring, none if ongoing."""
        if self.kind == RECURRING:
            return recurring_due_dates(self)
        return [self.due] if self.due is not None else []


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"<[^>]*>", " ", text).replace("\u200b", "").replace("\ufeff", "")
    text = re.sub(r"\s+", " ", text.lower())
    text = re.sub(r" ?/ ?", "/", text)
    return re.sub(r"[\s.;,:]+$", "", re.sub(r"^[\s\-–—•*+]+", "", text))


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


_Span = tuple[date | None, date | None]


def _year_span(y: int, _: re.Match[str]) -> _Span:
    return date(y, 1, 1), date(y, 12, 31)


def _quarter(y: int, m: re.Match[str], group: str = "q") -> _Span:
    first = 3 * _QUARTERS[m[group]] - 2
    return date(y, first, 1), _end_of_month(y, first + 2)


def _quarters(y: int, m: re.Match[str]) -> _Span:
    first = int(m.groupdict().get("y_start") or y)
    return _quarter(first, m)[0], _quarter(y, m, "q2")[1]


def _month(y: int, m: re.Match[str]) -> _Span:
    return date(y, int(m["m"]), 1), _end_of_month(y, int(m["m"]))


def _months(y: int, m: re.Match[str]) -> _Span:
    first = int(m.groupdict().get("y_start") or y)
    return date(first, int(m["m"]), 1), _end_of_month(y, int(m["m2"]))


def _half(y: int, m: re.Match[str]) -> _Span:
    return (date(y, 1, 1), date(y, 6, 30)) if m["h"] == "đầu" else (date(y, 7, 1), date(y, 12, 31))


def _range(y: int, m: re.Match[str]) -> _Span:
    return date(y, 1, 1), date(int(m["y_end"]), 12, 31)


# How each span name turns (resolved year, match) into (start, due).
_SPANS: dict[str, Callable[[int, re.Match[str]], _Span]] = {
    "year": _year_span,
    "by_year_end": lambda y, m: (None, date(y, 12, 31)),
    "range": _range,
    "quarter": _quarter,
    "quarters": _quarters,
    "by_quarter_end": lambda y, m: (None, _quarter(y, m)[1]),
    "from_quarter": lambda y, m: (_quarter(y, m)[0], date(y, 12, 31)),
    "month": _month,
    "months": _months,
    "by_month_end": lambda y, m: (None, _month(y, m)[1]),
    "from_month": lambda y, m: (_month(y, m)[0], date(y, 12, 31)),
    "half": _half,
    "before": lambda y, m: (None, date(y, int(m["m"]), int(m["d"]))),
    "ongoing_from": lambda y, m: (date(y, 1, 1), None),
}


def _period_bounds(every: str, start: date) -> tuple[date, date]:
    """The period of kind ``every`` containing ``start``: (first day, last day)."""
    months = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[every]
    first_month = (start.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return date(start.year, first_month, 1), _end_of_month(start.year, last_month)


def _period_due(every: str, last_day: date, month: int | None, day: int | None) -> date:
    if day is None:
        return last_day
    target_month = month if every == "year" and month else last_day.month
    days = calendar.monthrange(last_day.year, target_month)[1]
    return date(last_day.year, target_month, min(day, days))


def recurring_due_dates(timing: Timing) -> list[date]:
    """One due date per period of a recurring timing, from its start to its due date."""
    if timing.kind != RECURRING or timing.every is None or timing.start is None:
        return []
    out: list[date] = []
    cursor = timing.start
    while timing.due is not None and cursor <= timing.due:
        _, last = _period_bounds(timing.every, cursor)
        out.append(_period_due(timing.every, last, timing.every_month, timing.every_day))
        cursor = date.fromordinal(last.toordinal() + 1)
    return out


def _recurring(text: str, year: int, m: re.Match[str]) -> Timing:
    groups = m.groupdict()
    half = groups.get("half") or groups.get("half2") or groups.get("half3")
    every = "half_year" if half else _EVERY_WORDS[groups["every"]]
    day = int(groups["d"]) if groups.get("d") else None
    month = int(groups["m"]) if groups.get("m") else None
    if month is not None and every != "year":
        raise TimingError(
            f"timing text {text!r} names a month ({month}) for a deadline every {every}"
        )
    if (day is not None and not 1 <= day <= 31) or (month is not None and not 1 <= month <= 12):
        raise TimingError(f"invalid date in timing text {text!r}")
    if every == "year" and day is not None and month is None:
        raise TimingError(f"timing text {text!r} names a day but no month for a yearly deadline")
    if month is not None and day is not None:
        try:
            date(2024, month, day)  # a leap year: 29/02 is a possible yearly date
        except ValueError as exc:
            raise TimingError(f"invalid date in timing text {text!r}: {exc}") from None
    start = date(year, 1, 1)
    due = _period_due(every, date(year, 12, 31), month, day)
    return Timing(start, due, RECURRING, text, every, month, day)


def parse_timing(text: str, plan_year: int | None) -> Timing:
    """Read a plan task's timing text; ``plan_year`` supplies the year when the text has none.

    Raises :class:`TimingError` (a ``ValueError``) for text matching no known form (quoting
    it), for an impossible date ("Trước 31/02", "Tháng 13", a range ending before it starts)
    and for a form without a year when ``plan_year`` is None. See the module docstring.
    """
    norm = _normalise(text)
    if norm in ("định kỳ", "theo định kỳ"):
        raise TimingError(
            f"timing text {text!r} names no period: write 'Hằng tháng', 'Hằng quý', "
            "'Định kỳ 6 tháng' or 'Hằng năm'"
        )
    found = next(((m, span) for pattern, span in _FORMS if (m := pattern.fullmatch(norm))), None)
    if found is None:
        raise TimingError(f"cannot read timing text {text!r}")
    match, span = found
    if span == "ongoing":
        return Timing(None, None, ONGOING, text)
    written = match.groupdict().get("y")
    if written is not None:
        year = int(written)
    elif plan_year is not None:
        year = plan_year
    else:
        raise TimingError(f"timing text {text!r} has no year and no plan year was given")
    if span in ("every", "every_before"):
        return _recurring(text, year, match)
    try:
        start, due = _SPANS[span](year, match)
    except (ValueError, KeyError) as exc:
        raise TimingError(f"invalid date in timing text {text!r}: {exc}") from None
    if start is not None and due is not None and due < start:
        raise TimingError(f"timing text {text!r} ends before it starts")
    return Timing(start, due, DEADLINE if due is not None else ONGOING, text)
