"""Plan-task timing text ("Thời gian thực hiện", "Tiến độ thực hiện", "Thời hạn") → dates.

Improvement plans give each task a free-text timing: "Năm 2022", "Từ Quý I", "Trước 15/12",
"Thường xuyên". :func:`parse_timing` turns one into a :class:`Timing` with a start and a due date
(the LAST day of the period named), or marks it "ongoing" (recurring or continuous work that has
no deadline). Unreadable text raises :class:`TimingError`: this module never guesses.

Readings chosen for the ambiguous forms:

- A year written in the text wins over ``plan_year``; a form without a year ("Quý II",
  "Trong năm", "Trước 15/12") takes ``plan_year`` and is an error when it is None.
- "Từ Quý I" / "Từ Tháng 01": the task starts with that quarter/month and runs to the end of
  that year (plans list it among the year's tasks), so ``due`` is 31 December.
- "Trước 15/12" / "Trước ngày 15/12/2023": ``due`` is the date itself (administrative usage:
  "by 15/12"), ``start`` is None because the text says nothing about the start.
- "Thường xuyên", "Liên tục", "Hằng năm", "Định kỳ": kind "ongoing", start and due None.
- "Năm 2024 và các năm tiếp theo": kind "ongoing" from 1 January 2024, no due date.
- "2022-2025", "Giai đoạn 2021-2025": 1 January of the first year to 31 December of the last.

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

__all__ = ["DEADLINE", "ONGOING", "Timing", "TimingError", "parse_timing"]

DEADLINE = "deadline"
ONGOING = "ongoing"

_Q = r"qu[ýí] (?P<q>iv|i{1,3}|[1-4])\b"  # "Quý II", "Quý 2", old spelling "Quí"
_Y = r"(?:(?: ?[/,–-] ?| )(?:năm )?(?P<y>\d{4}))?"  # optional year: "/2024", " năm 2024"
_ONGOING = r"thường xuyên|liên tục|định kỳ|(?:hằng|hàng) (?:năm|quý|tháng|tuần)"
_TO = r" ?(?:-|–|—|đến|tới) ?"  # range separator

# One entry per form: (pattern matched against the whole normalised text, span name).
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), span)
    for pattern, span in (
        # "Thường xuyên", "Liên tục", "Hằng năm", "Thường xuyên, liên tục"
        (rf"(?:{_ONGOING})(?:(?:, | và | )(?:{_ONGOING}))*", "ongoing"),
        # "Năm 2024 và các năm tiếp theo", "Từ năm 2024 trở đi"
        (
            r"(?:từ )?(?:năm )?(?P<y>\d{4})(?: và (?:các|những) năm (?:tiếp theo|sau)| trở đi)",
            "ongoing_from",
        ),
        # "Trong năm", "Năm nay": the plan year
        (r"trong năm(?: nay)?|năm nay", "year"),
        # "Năm 2022", "Trong năm 2023", "2022"
        (r"(?:trong )?(?:năm )?(?P<y>\d{4})", "year"),
        # "2022-2025", "Giai đoạn 2021 - 2025", "Từ năm 2022 đến năm 2025"
        (rf"(?:giai đoạn |từ )?(?:năm )?(?P<y>\d{{4}}){_TO}(?:năm )?(?P<y_end>\d{{4}})", "range"),
        # "Quý II", "Trong quý 2", "Quý I/2024", "Quý III năm 2024"
        (rf"(?:trong )?{_Q}{_Y}", "quarter"),
        # "Từ Quý I", "Từ quý II/2024": from that quarter to the end of the year
        (rf"từ {_Q}{_Y}", "from_quarter"),
        # "Tháng 01", "tháng 3/2024", "Trong tháng 3 năm 2024"
        (rf"(?:trong )?tháng (?P<m>\d{{1,2}}){_Y}", "month"),
        # "Từ Tháng 01", "Từ tháng 3/2024": from that month to the end of the year
        (rf"từ tháng (?P<m>\d{{1,2}}){_Y}", "from_month"),
        # "6 tháng đầu năm", "Sáu tháng cuối năm 2024"
        (rf"(?:6|sáu) tháng (?P<h>đầu|cuối) năm{_Y}", "half"),
        # "Trước 15/12", "Trước ngày 15/12/2023", "Chậm nhất ngày 15 tháng 12 năm 2023"
        (
            r"(?:trước|chậm nhất|hạn chót|hạn)(?: ngày)? (?P<d>\d{1,2})(?:[/.-]| tháng )"
            r"(?P<m>\d{1,2})(?:(?:[/.-]| năm )(?P<y>\d{4}))?",
            "before",
        ),
    )
)

_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


class TimingError(ValueError):
    """Timing text that cannot be read, names an impossible date, or lacks a needed year."""


@dataclass(frozen=True)
class Timing:
    """A task's timing: ``due`` is the last day of the period, None when ongoing."""

    start: date | None
    due: date | None
    kind: str  # DEADLINE (has a due date) or ONGOING (no deadline)
    text: str  # the original text, unnormalised


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


def _quarter(y: int, m: re.Match[str]) -> _Span:
    first = 3 * _QUARTERS[m["q"]] - 2
    return date(y, first, 1), _end_of_month(y, first + 2)


def _month(y: int, m: re.Match[str]) -> _Span:
    return date(y, int(m["m"]), 1), _end_of_month(y, int(m["m"]))


def _half(y: int, m: re.Match[str]) -> _Span:
    return (date(y, 1, 1), date(y, 6, 30)) if m["h"] == "đầu" else (date(y, 7, 1), date(y, 12, 31))


def _range(y: int, m: re.Match[str]) -> _Span:
    return date(y, 1, 1), date(int(m["y_end"]), 12, 31)


# How each span name turns (resolved year, match) into (start, due).
_SPANS: dict[str, Callable[[int, re.Match[str]], _Span]] = {
    "year": _year_span,
    "range": _range,
    "quarter": _quarter,
    "from_quarter": lambda y, m: (_quarter(y, m)[0], date(y, 12, 31)),
    "month": _month,
    "from_month": lambda y, m: (_month(y, m)[0], date(y, 12, 31)),
    "half": _half,
    "before": lambda y, m: (None, date(y, int(m["m"]), int(m["d"]))),
    "ongoing_from": lambda y, m: (date(y, 1, 1), None),
}


def parse_timing(text: str, plan_year: int | None) -> Timing:
    """Read a plan task's timing text; ``plan_year`` supplies the year when the text has none.

    Raises :class:`TimingError` (a ``ValueError``) for text matching no known form, for an
    impossible date ("Trước 31/02", "Tháng 13", a range ending before it starts) and for a
    form without a year when ``plan_year`` is None. See the module docstring for the readings.
    """
    norm = _normalise(text)
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
    try:
        start, due = _SPANS[span](year, match)
    except ValueError as exc:
        raise TimingError(f"invalid date in timing text {text!r}: {exc}") from None
    if start is not None and due is not None and due < start:
        raise TimingError(f"timing text {text!r} ends before it starts")
    return Timing(start, due, DEADLINE if due is not None else ONGOING, text)
