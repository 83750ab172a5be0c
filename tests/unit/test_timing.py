"""Tests for ingest.timing: every timing form found in the seed plans, plus common variants."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date

import pytest

from ingest.timing import DEADLINE, ONGOING, RECURRING, Timing, TimingError, parse_timing

D = date

# (text, plan_year, start, due, kind)
SEED_CASES = [
    # seeds/000_b0dcb347edf0ad14.txt (Khánh Hòa, Sở TTTT, 2022): "- Thời gian thực hiện: Năm 2022."
    # on all 13 tasks; the cell text keeps the sentence's trailing period.
    ("Năm 2022.", 2022, D(2022, 1, 1), D(2022, 12, 31), DEADLINE),
    # seeds/003_f8bbf8593a54cd4d.txt (Tây Ninh, Sở KH&CN, 2023): "b) Thời gian thực hiện:
    # Thường xuyên." on all 4 tasks.
    ("Thường xuyên.", 2023, None, None, ONGOING),
    # seeds/004_6349143c1c6dfa22.txt (Khánh Hòa, Sở KHĐT, 2023), column "Tiến độ thực hiện":
    ("Từ Quý I", 2023, D(2023, 1, 1), D(2023, 12, 31), DEADLINE),  # tasks 1.1, 1.2, 1.4 (I)
    ("Quý II", 2023, D(2023, 4, 1), D(2023, 6, 30), DEADLINE),  # task 1.3 (I)
    ("Từ Tháng 01", 2023, D(2023, 1, 1), D(2023, 12, 31), DEADLINE),  # task 2.1 (I)
    ("Thường xuyên", 2023, None, None, ONGOING),  # task 2.2 (I)
    ("Trong năm", 2023, D(2023, 1, 1), D(2023, 12, 31), DEADLINE),  # tasks 1.3, 1.4 (II)
    # seeds/004: task 2.3 (I) has "Trong" and "năm" on two rows of a page-broken table; joined:
    ("Trong\nnăm", 2023, D(2023, 1, 1), D(2023, 12, 31), DEADLINE),
    ("Trong năm 2023", 2023, D(2023, 1, 1), D(2023, 12, 31), DEADLINE),  # 1.1, 1.2, 2.2, 2.3 (II)
    ("<p>Trong năm 2023</p>", 2023, D(2023, 1, 1), D(2023, 12, 31), DEADLINE),  # task 2.5 (II)
    ("Trước 15/12", 2023, None, D(2023, 12, 15), DEADLINE),  # task 2.1 (II)
    ("<p>Trước 15/12</p>", 2023, None, D(2023, 12, 15), DEADLINE),  # task 2.4 (II)
    # seeds/004, section III (report deadline in prose): "trước ngày 15/12 theo quy định"
    ("trước ngày 15/12", 2023, None, D(2023, 12, 15), DEADLINE),
]

BRIEF_CASES = [
    ("Năm 2022", 2024, D(2022, 1, 1), D(2022, 12, 31), DEADLINE),  # written year wins
    ("Trong năm 2023", None, D(2023, 1, 1), D(2023, 12, 31), DEADLINE),
    ("Quý II", 2024, D(2024, 4, 1), D(2024, 6, 30), DEADLINE),
    ("Từ Quý I", 2024, D(2024, 1, 1), D(2024, 12, 31), DEADLINE),
    ("Quý I/2024", None, D(2024, 1, 1), D(2024, 3, 31), DEADLINE),
    ("Tháng 01", 2024, D(2024, 1, 1), D(2024, 1, 31), DEADLINE),
    ("Từ Tháng 01", 2024, D(2024, 1, 1), D(2024, 12, 31), DEADLINE),
    ("Trước 15/12", 2024, None, D(2024, 12, 15), DEADLINE),
    ("Trước ngày 15/12/2023", 2024, None, D(2023, 12, 15), DEADLINE),
    ("6 tháng đầu năm", 2024, D(2024, 1, 1), D(2024, 6, 30), DEADLINE),
    ("6 tháng cuối năm", 2024, D(2024, 7, 1), D(2024, 12, 31), DEADLINE),
    ("Thường xuyên", None, None, None, ONGOING),
    ("Liên tục", 2024, None, None, ONGOING),
    ("2022-2025", None, D(2022, 1, 1), D(2025, 12, 31), DEADLINE),
    ("Giai đoạn 2021-2025", None, D(2021, 1, 1), D(2025, 12, 31), DEADLINE),
    ("Trước 30/6/2024", 2023, None, D(2024, 6, 30), DEADLINE),
    ("Tháng 3/2024", None, D(2024, 3, 1), D(2024, 3, 31), DEADLINE),
    ("Quý III năm 2024", 2022, D(2024, 7, 1), D(2024, 9, 30), DEADLINE),
    ("Năm 2024 và các năm tiếp theo", None, D(2024, 1, 1), None, ONGOING),
]

VARIANT_CASES = [
    ("  NĂM   2022 ", None, D(2022, 1, 1), D(2022, 12, 31), DEADLINE),  # case, spaces
    ("2022", None, D(2022, 1, 1), D(2022, 12, 31), DEADLINE),  # "năm" optional
    ("- Năm 2022.", None, D(2022, 1, 1), D(2022, 12, 31), DEADLINE),  # bullet, period
    ("Năm\u00a02022", None, D(2022, 1, 1), D(2022, 12, 31), DEADLINE),  # no-break space
    ("Năm nay", 2024, D(2024, 1, 1), D(2024, 12, 31), DEADLINE),
    ("Quý 1", 2024, D(2024, 1, 1), D(2024, 3, 31), DEADLINE),  # Arabic quarter
    ("quý iv", 2024, D(2024, 10, 1), D(2024, 12, 31), DEADLINE),
    ("Quý IV/2023", 2024, D(2023, 10, 1), D(2023, 12, 31), DEADLINE),
    ("Quý 3 - 2024", None, D(2024, 7, 1), D(2024, 9, 30), DEADLINE),
    ("Quí II", 2024, D(2024, 4, 1), D(2024, 6, 30), DEADLINE),  # old spelling
    ("Trong quý II", 2024, D(2024, 4, 1), D(2024, 6, 30), DEADLINE),
    ("Quý\u00a0II.", 2024, D(2024, 4, 1), D(2024, 6, 30), DEADLINE),
    ("Từ quý 2 năm 2025", 2024, D(2025, 4, 1), D(2025, 12, 31), DEADLINE),
    ("tháng 1", 2024, D(2024, 1, 1), D(2024, 1, 31), DEADLINE),
    ("Tháng 02", 2024, D(2024, 2, 1), D(2024, 2, 29), DEADLINE),  # leap year
    ("Tháng 12 năm 2023", None, D(2023, 12, 1), D(2023, 12, 31), DEADLINE),
    ("từ tháng 3/2024", None, D(2024, 3, 1), D(2024, 12, 31), DEADLINE),
    ("6 tháng đầu năm 2025", 2024, D(2025, 1, 1), D(2025, 6, 30), DEADLINE),
    ("Sáu tháng cuối năm", 2024, D(2024, 7, 1), D(2024, 12, 31), DEADLINE),
    ("Trước 29/02", 2024, None, D(2024, 2, 29), DEADLINE),
    ("Trước ngày 15 / 12 / 2023", None, None, D(2023, 12, 15), DEADLINE),
    ("Chậm nhất ngày 15 tháng 12 năm 2023", None, None, D(2023, 12, 15), DEADLINE),
    ("Thường xuyên, liên tục", None, None, None, ONGOING),
    ("2022 - 2025", None, D(2022, 1, 1), D(2025, 12, 31), DEADLINE),
    ("2022–2025", None, D(2022, 1, 1), D(2025, 12, 31), DEADLINE),  # en dash
    ("2022 đến 2025", None, D(2022, 1, 1), D(2025, 12, 31), DEADLINE),
    ("Từ năm 2022 đến năm 2025", None, D(2022, 1, 1), D(2025, 12, 31), DEADLINE),
    ("Giai đoạn 2022 – 2025.", None, D(2022, 1, 1), D(2025, 12, 31), DEADLINE),
    ("Từ năm 2024 trở đi", None, D(2024, 1, 1), None, ONGOING),
    # Decomposed (NFD) Vietnamese letters, as some exporters write them
    (unicodedata.normalize("NFD", "Từ Quý I"), 2024, D(2024, 1, 1), D(2024, 12, 31), DEADLINE),
    (unicodedata.normalize("NFD", "Thường xuyên"), None, None, None, ONGOING),
    (
        unicodedata.normalize("NFD", "6 tháng đầu năm"),
        2024,
        D(2024, 1, 1),
        D(2024, 6, 30),
        DEADLINE,
    ),
]


# Issue 17's list, and the common plan language it names: none of these was read before.
ISSUE_CASES = [
    ("đến năm 2025", 2022, None, D(2025, 12, 31), DEADLINE),  # seed 001 "định hướng đến năm 2025"
    ("Đến hết năm 2025", None, None, D(2025, 12, 31), DEADLINE),
    ("Quý I, II", 2024, D(2024, 1, 1), D(2024, 6, 30), DEADLINE),  # one span, one deadline
    ("Quý I và II năm 2024", None, D(2024, 1, 1), D(2024, 6, 30), DEADLINE),
    ("Quý III-IV/2023", None, D(2023, 7, 1), D(2023, 12, 31), DEADLINE),
    ("Quý III - Quý IV năm 2023", None, D(2023, 7, 1), D(2023, 12, 31), DEADLINE),
    ("Từ Quý II/2023 đến Quý IV/2023", None, D(2023, 4, 1), D(2023, 12, 31), DEADLINE),
    ("Từ quý II đến quý IV", 2024, D(2024, 4, 1), D(2024, 12, 31), DEADLINE),
    ("Cuối năm 2023", None, None, D(2023, 12, 31), DEADLINE),
    ("Cuối năm", 2024, None, D(2024, 12, 31), DEADLINE),
    ("Cuối quý II", 2024, None, D(2024, 6, 30), DEADLINE),
    ("Cuối tháng 6/2024", None, None, D(2024, 6, 30), DEADLINE),
    ("Từ tháng 3 đến tháng 6", 2024, D(2024, 3, 1), D(2024, 6, 30), DEADLINE),
    ("Trong năm", 2023, D(2023, 1, 1), D(2023, 12, 31), DEADLINE),
    ("6 tháng đầu năm", 2023, D(2023, 1, 1), D(2023, 6, 30), DEADLINE),
    ("Quý IV năm 2023", 2022, D(2023, 10, 1), D(2023, 12, 31), DEADLINE),
    ("Trước ngày 30/6", 2023, None, D(2023, 6, 30), DEADLINE),
    ("Giai đoạn 2023-2025", None, D(2023, 1, 1), D(2025, 12, 31), DEADLINE),
    ("Thường xuyên", 2023, None, None, ONGOING),
    ("Hằng tuần", 2023, None, None, ONGOING),  # weekly work is followed as continuous work
    # seed 002's own period, given to its tasks that name no timing of their own
    ("năm 2022 và giai đoạn 2022 - 2025", None, D(2022, 1, 1), D(2025, 12, 31), DEADLINE),
]

# (text, plan_year, every, every_month, every_day, due dates): a deadline every period.
RECURRING_CASES = [
    (
        "Hằng quý",
        2023,
        "quarter",
        None,
        None,
        [D(2023, 3, 31), D(2023, 6, 30), D(2023, 9, 30), D(2023, 12, 31)],
    ),
    (
        "Định kỳ hằng quý",
        2023,
        "quarter",
        None,
        None,
        [D(2023, 3, 31), D(2023, 6, 30), D(2023, 9, 30), D(2023, 12, 31)],
    ),
    (
        "Hàng quý.",
        2024,
        "quarter",
        None,
        None,
        [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)],
    ),
    ("Trước 15/12 hằng năm", 2023, "year", 12, 15, [D(2023, 12, 15)]),
    ("Hằng năm, trước ngày 15/12", 2023, "year", 12, 15, [D(2023, 12, 15)]),
    ("Hằng năm", 2024, "year", None, None, [D(2024, 12, 31)]),
    ("Định kỳ 6 tháng", 2023, "half_year", None, None, [D(2023, 6, 30), D(2023, 12, 31)]),
    ("6 tháng một lần", 2023, "half_year", None, None, [D(2023, 6, 30), D(2023, 12, 31)]),
    (
        "Hằng tháng",
        2023,
        "month",
        None,
        None,
        [D(2023, m, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31) for m in range(1, 13)],
    ),
    ("Trước ngày 25 hằng tháng", 2024, "month", None, 25, [D(2024, m, 25) for m in range(1, 13)]),
    (
        "Trước ngày 31 hằng tháng",
        2024,
        "month",
        None,
        31,
        [D(2024, m, 29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31) for m in range(1, 13)],
    ),
]


@pytest.mark.parametrize(("text", "plan_year", "every", "month", "day", "dues"), RECURRING_CASES)
def test_recurring_deadlines_give_one_due_date_per_period(
    text: str, plan_year: int, every: str, month: int | None, day: int | None, dues: list[date]
) -> None:
    timing = parse_timing(text, plan_year)
    assert (timing.kind, timing.every, timing.every_month, timing.every_day) == (
        RECURRING,
        every,
        month,
        day,
    )
    assert timing.start == D(plan_year, 1, 1) and timing.due == dues[-1]
    assert timing.due_dates() == dues


@pytest.mark.parametrize(
    ("text", "plan_year", "start", "due", "kind"),
    SEED_CASES + BRIEF_CASES + VARIANT_CASES + ISSUE_CASES,
)
def test_parse_timing(
    text: str, plan_year: int | None, start: date | None, due: date | None, kind: str
) -> None:
    assert parse_timing(text, plan_year) == Timing(start, due, kind, text)


@pytest.mark.parametrize(
    ("text", "plan_year", "message"),
    [
        ("sớm nhất có thể", 2024, "cannot read timing text 'sớm nhất có thể'"),
        ("", 2024, "cannot read timing text ''"),
        ("   ", 2024, "cannot read timing text '   '"),
        ("Trong", 2023, "cannot read timing text 'Trong'"),  # half of seed 004's split cell
        ("Quý V", 2024, "cannot read timing text 'Quý V'"),
        ("Quý I, V", 2024, "cannot read timing text 'Quý I, V'"),
        ("Định kỳ", 2024, "timing text 'Định kỳ' names no period"),
        ("Hằng quý", None, "timing text 'Hằng quý' has no year and no plan year was given"),
        ("Trước 31/02 hằng năm", 2024, "invalid date in timing text 'Trước 31/02 hằng năm'"),
        ("Trước 15/12 hằng quý", 2024, "timing text 'Trước 15/12 hằng quý' names a month"),
        ("Quý IV - II/2024", None, "timing text 'Quý IV - II/2024' ends before it starts"),
        ("Cuối năm nay nhé", 2024, "cannot read timing text 'Cuối năm nay nhé'"),
        ("Hằng năm 2024", None, "cannot read timing text 'Hằng năm 2024'"),
        ("Trước 15/12/23", 2024, "cannot read timing text 'Trước 15/12/23'"),
        ("Trước 31/02", 2024, "invalid date in timing text 'Trước 31/02'"),
        ("Trước 29/02", 2023, "invalid date in timing text 'Trước 29/02'"),
        ("Tháng 13", 2024, "invalid date in timing text 'Tháng 13'"),
        ("Trước 0/5/2024", None, "invalid date in timing text 'Trước 0/5/2024'"),
        ("2025-2022", None, "timing text '2025-2022' ends before it starts"),
        ("Quý II", None, "timing text 'Quý II' has no year and no plan year was given"),
        ("Trong năm", None, "timing text 'Trong năm' has no year and no plan year was given"),
        ("Trước 15/12", None, "timing text 'Trước 15/12' has no year and no plan year"),
        ("6 tháng đầu năm", None, "timing text '6 tháng đầu năm' has no year"),
    ],
)
def test_parse_timing_errors(text: str, plan_year: int | None, message: str) -> None:
    with pytest.raises(TimingError) as caught:
        parse_timing(text, plan_year)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


def test_timing_is_frozen_and_keeps_original_text() -> None:
    timing = parse_timing("- Quý\u00a0II.", 2024)
    assert timing.text == "- Quý\u00a0II."
    with pytest.raises(dataclasses.FrozenInstanceError):
        timing.due = None  # type: ignore[misc]
