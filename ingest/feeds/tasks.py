"""Derive hooks for the plan-task feeds (``plan_tasks``, ``task_reports``).

``derive_plan_tasks`` reads what a plan's table leaves as free text:

- the plan's number and date: "1337/KH-SKHĐT, 11/4/2023", "Kế hoạch số 211/KH-UBND ngày
  26/08/2022", or the number alone with the date in "Ngày ban hành". The date is required:
  it gives the year that "Quý II" or "Trước 15/12" leave out. A signed plan often leaves the
  day blank ("ngày tháng 8 năm 2023", "ngày /3/2024"): such a date is read at month precision
  (plan_date = the 1st, plan_date_precision 'month'), never given a guessed day.
- the province (province_name, matched as of the plan date; empty = the dbt var
  home_province_code, for files that never named one).
- the timing text, with :func:`ingest.timing.parse_timing` and the plan's year: start_date,
  due_date, timing_kind (deadline / ongoing). Unreadable text rejects the row, quoting it; a
  deadline is never guessed.
- the lead and coordinating units, one cell each, split into a list (" | "-joined). Splitting
  is structural: on ";" and line breaks always, on "," and "và" only when the next piece starts
  like a unit name (Sở, Văn phòng, UBND, Trung tâm, ...), so "Sở Kế hoạch và Đầu tư" and "UBND
  các huyện, thị xã, thành phố" stay whole. Matching names to units is dbt's job (seed
  ``ref_units``), so editing the seed re-matches every loaded task.
- the index or indicator the task serves: the "Chỉ số" column, or the expected result when it
  reads "Cải thiện Chỉ số ..." (seed plan 004 puts it there), split into one name per index.

``derive_task_reports`` keys the plan reference the same way and reads the status text
("Đã hoàn thành", "Đang thực hiện", "Chưa thực hiện", ...) into a status code; text it does
not know, with no percentage to go by, rejects the row quoting the text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ingest.contract import header_key
from ingest.timing import TimingError, parse_timing

if TYPE_CHECKING:
    from ingest.hooks import RowErrors

Errors = list[tuple[int, str, str, str | None]]

# -- small text helpers ---------------------------------------------------------------------------

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
# Dates with the day left blank: "ngày tháng 8 năm 2023", "ngày /3/2024", "tháng 8/2023".
_MONTH_WORDS = re.compile(r"(?:ngày\s*)?tháng\s*(\d{1,2})\s*(?:năm|/)\s*(\d{4})", re.IGNORECASE)
_MONTH_SLASH = re.compile(r"(?:ngày\s*|^\s*)/?\s*(\d{1,2})\s*/\s*(\d{4})(?!\d)", re.IGNORECASE)


def _nfc(text: str | None) -> str | None:
    if text is None:
        return None
    text = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").strip()
    return text or None


def find_date(text: str | None) -> date | None:
    """The first date written in ``text`` (dd/mm/yyyy, ISO, "ngày 11 tháng 4 năm 2023")."""
    if not text:
        return None
    for pattern, order in ((_WORDS, "dmy"), (_DMY, "dmy"), (_ISO, "ymd")):
        m = pattern.search(text)
        if m:
            a, b, c = (int(g) for g in m.groups())
            d, mth, y = (a, b, c) if order == "dmy" else (c, b, a)
            try:
                return date(y, mth, d)
            except ValueError:
                return None
    return None


def read_plan_date(text: str | None) -> tuple[date, str] | None:
    """A plan date and its precision: (date, 'day'), or (first of the month, 'month') when the
    day is left blank ("ngày tháng 8 năm 2023", "ngày /3/2024"); None when unreadable."""
    if not text:
        return None
    if (found := find_date(text)) is not None:
        return found, "day"
    for pattern in (_MONTH_WORDS, _MONTH_SLASH):
        if m := pattern.search(text):
            month, year = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                return date(year, month, 1), "month"
    return None


def split_plan_ref(text: str | None) -> tuple[str | None, date | None]:
    """ "1337/KH-SKHĐT, 11/4/2023" → ("1337/KH-SKHĐT", 2023-04-11); a number alone → no date."""
    text = _nfc(text)
    if not text:
        return None, None
    when = find_date(text)
    number = text
    m = re.search(r"[\w/.&-]*/[\w.&-]+", text)  # "1337/KH-SKHĐT", "/KH-STTTT"
    if m:
        number = m.group(0)
    elif when is not None:
        number = re.split(r"[,;(]|\bngày\b", text)[0].strip()
    number = re.sub(r"^(?:kế hoạch\s+)?(?:số\s*:?\s*)", "", number, flags=re.IGNORECASE).strip()
    return number or None, when


def plan_key(number: str | None) -> str | None:
    """Plan numbers compared without case, accents or punctuation: KH-SKHĐT = kh-skhdt."""
    if not number:
        return None
    return header_key(number) or None


# Where a "," or "và" starts a new unit: the next piece opens like a unit's name.
_UNIT_START = (
    r"(?:Sở|Văn phòng|VP|UBND|Ủy ban|Uỷ ban|Trung tâm|Phòng|Ban|Thanh tra|Công an|Cổng|"
    r"Chi đoàn|Đoàn|Bộ phận|Các|Đài|Báo|Hội|Liên đoàn|Kho bạc|Cục|Chi cục|Ngân hàng|"
    r"Bảo hiểm|BHXH|Tỉnh đoàn|Hiệp hội|Viện|Bưu điện|Bộ Chỉ huy|Kiểm toán|Đảng ủy|Ban Quản lý)"
)
_SPLIT_ALWAYS = re.compile(r"\s*(?:;|\n|\r|•)\s*|\s+-\s+(?=" + _UNIT_START + r"\b)")
_SPLIT_SOFT = re.compile(r"\s*,\s*(?=" + _UNIT_START + r"\b)|\s+và\s+(?=" + _UNIT_START + r"\b)")


def split_units(text: str | None) -> list[str]:
    """One cell of unit names → the names, in order, without duplicates or bullets (never
    split inside parentheses; see ingest.plans.units.split_names)."""
    from ingest.plans.units import split_names

    return split_names(_nfc(text))


_INDEX_PREFIX = re.compile(
    r"^(?:(?:cải thiện|nâng cao|duy trì|tăng)\s+(?:(?:và|,)\s*(?:cải thiện|nâng cao)\s+)?)?"
    r"(?:các\s+)?(?:ch[ỉiị]\s*số|chỉ tiêu|tiêu chí)\s*(?:thành phần\s*)?:?\s*",
    re.IGNORECASE,
)
_INDEX_SPLIT = re.compile(r"\s*(?:,|;|\bvà\b)\s*(?=(?:các\s+)?ch[ỉiị]\s*số\b)", re.IGNORECASE)
_IMPROVES = re.compile(r"^\s*(?:cải thiện|nâng cao|duy trì)\b.*\bch[ỉiị]\s*số\b", re.IGNORECASE)


def split_indices(text: str | None) -> list[str]:
    """ "Cải thiện Chỉ số Tiếp cận dịch vụ và Chỉ số Thủ tục hành chính" → both names."""
    text = _nfc(text)
    if not text:
        return []
    text = re.sub(r"\s+", " ", text)
    out = []
    for piece in _INDEX_SPLIT.split(text):
        name = _INDEX_PREFIX.sub("", piece).strip(" .;,:")
        if name and name not in out:
            out.append(name)
    return out


def serves_index(expected_result: str | None) -> bool:
    """An expected result that names an index ("Cải thiện Chỉ số ...")."""
    return bool(expected_result and _IMPROVES.search(_nfc(expected_result) or ""))


def _text_list(array: pa.Array | None, n: int) -> list[str | None]:
    return [None] * n if array is None else [_nfc(v) for v in array.to_pylist()]


# -- plan_tasks -----------------------------------------------------------------------------------


def derive_plan_tasks(
    columns: dict[str, pa.Array], context: dict[str, Any]
) -> tuple[dict[str, pa.Array], RowErrors]:
    n = len(next(iter(columns.values()))) if columns else 0
    refs = _text_list(columns.get("plan_ref"), n)
    dates = _text_list(columns.get("plan_date"), n)
    sections = _text_list(columns.get("section"), n)
    numbers = _text_list(columns.get("task_number"), n)
    timings = [
        None if v is None else str(v)
        for v in (columns["timing_text"].to_pylist() if "timing_text" in columns else [None] * n)
    ]
    leads = _text_list(columns.get("lead_unit"), n)
    coords = _text_list(columns.get("coordinating_units"), n)
    linked = _text_list(columns.get("linked_index"), n)
    results = _text_list(columns.get("expected_result"), n)
    provinces = _text_list(columns.get("province_name"), n)

    out: dict[str, list] = {
        k: []
        for k in (
            "plan_number",
            "plan_key",
            "plan_date",
            "task_key",
            "start_date",
            "due_date",
            "timing_kind",
            "plan_date_precision",
            "recurrence",
            "recurrence_month",
            "recurrence_day",
            "province_code",
            "lead_unit_list",
            "coordinating_unit_list",
            "linked_index",
            "linked_index_list",
        )
    }
    errors: Errors = []
    seen: dict[tuple, int] = {}
    for i in range(n):
        number, _ = split_plan_ref(refs[i])
        read = read_plan_date(dates[i] or refs[i])
        when, precision = read if read else (None, None)
        task_key = _task_key(sections[i], numbers[i])
        timing = start = due = kind = None
        province = None
        if provinces[i]:
            from ingest.feeds.indices import match_province

            province, problem = match_province(provinces[i], when or date.today())
            if problem:
                errors.append((i, "province_name", problem, provinces[i]))
        if dates[i] and when is None:
            errors.append((i, "plan_date", "unreadable plan date", dates[i]))
        elif refs[i] and when is None:
            errors.append(
                (
                    i,
                    "plan_date",
                    "plan date missing: give 'Ngày ban hành' or write the date after the plan "
                    "number (1337/KH-SKHĐT, 11/4/2023; a blank day is read at month precision: "
                    "ngày /3/2024)",
                    refs[i],
                )
            )
        elif timings[i] is not None and str(timings[i]).strip():
            try:
                timing = parse_timing(timings[i], when.year if when else None)
                start, due, kind = timing.start, timing.due, timing.kind
            except TimingError as exc:
                errors.append((i, "timing_text", str(exc), timings[i]))
        key = (plan_key(number), when, task_key)
        if task_key and key in seen:
            errors.append(
                (
                    i,
                    "task_number",
                    f"duplicate task number {task_key!r} in plan "
                    f"{number} (also on data row {seen[key] + 1})",
                    numbers[i],
                )
            )
        elif task_key:
            seen[key] = i
        index_text = linked[i] or (results[i] if serves_index(results[i]) else None)
        out["plan_number"].append(number)
        out["plan_key"].append(plan_key(number))
        out["plan_date"].append(when.isoformat() if when else None)
        out["task_key"].append(task_key)
        out["start_date"].append(start.isoformat() if start else None)
        out["due_date"].append(due.isoformat() if due else None)
        out["timing_kind"].append(kind)
        out["plan_date_precision"].append(precision)
        every = timing.every if timing else None
        out["recurrence"].append(every)
        month = timing.every_month if timing and every else None
        day = timing.every_day if timing and every else None
        out["recurrence_month"].append(str(month) if month else None)
        out["recurrence_day"].append(str(day) if day else None)
        out["province_code"].append(province)
        out["lead_unit_list"].append(" | ".join(split_units(leads[i])) or None)
        out["coordinating_unit_list"].append(" | ".join(split_units(coords[i])) or None)
        out["linked_index"].append(index_text)
        out["linked_index_list"].append(" | ".join(split_indices(index_text)) or None)
    return {k: pa.array(v, pa.string()) for k, v in out.items()}, errors


def _task_key(section: str | None, number: str | None) -> str | None:
    """Section "II" + number "1.2" → "II.1.2" (seed 004 restarts numbering in each section)."""
    number = re.sub(r"\s+", "", number or "").strip(".") or None
    section = re.sub(r"\s+", "", section or "").strip(".") or None
    if number and section and not number.upper().startswith(section.upper() + "."):
        return f"{section}.{number}"
    return number


# -- task_reports ---------------------------------------------------------------------------------

COMPLETED, IN_PROGRESS, NOT_STARTED = "completed", "in_progress", "not_started"
# Folded status text (header_key: no case, accents, spaces) → status. Prefixes are enough:
# "Đã hoàn thành đúng hạn", "Hoàn thành (trễ hạn)" are both completed; lateness comes from
# the dates, never from the words.
_STATUS_PREFIXES = (
    ("chuahoanthanh", IN_PROGRESS),  # "chưa hoàn thành" before "hoàn thành"
    ("khonghoanthanh", IN_PROGRESS),
    ("dahoanthanh", COMPLETED),
    ("hoanthanh", COMPLETED),
    ("xong", COMPLETED),
    ("daxong", COMPLETED),
    ("dathuchienxong", COMPLETED),
    ("completed", COMPLETED),
    ("dangthuchien", IN_PROGRESS),
    ("dangtrienkhai", IN_PROGRESS),
    ("danglam", IN_PROGRESS),
    ("dangxuly", IN_PROGRESS),
    ("thuongxuyenthuchien", IN_PROGRESS),
    ("dathuchien", IN_PROGRESS),
    ("datrienkhai", IN_PROGRESS),
    ("inprogress", IN_PROGRESS),
    ("chuathuchien", NOT_STARTED),
    ("chuatrienkhai", NOT_STARTED),
    ("notstarted", NOT_STARTED),
)


def read_percent(text: str | None) -> float | None:
    """ "60%", "62,5", "0.625"? — a percentage 0–100; raises ValueError for anything else."""
    if text is None or not str(text).strip():
        return None
    value = float(re.sub(r"[%\s]", "", str(text)).replace(",", "."))
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value


def read_status(text: str | None, percent: float | None) -> str | None:
    key = header_key(text or "")
    for prefix, status in _STATUS_PREFIXES:
        if key.startswith(prefix):
            return status
    if not key and percent is not None:
        return COMPLETED if percent >= 100 else NOT_STARTED if percent <= 0 else IN_PROGRESS
    return None


def derive_task_reports(
    columns: dict[str, pa.Array], context: dict[str, Any]
) -> tuple[dict[str, pa.Array], RowErrors]:
    n = len(next(iter(columns.values()))) if columns else 0
    refs = _text_list(columns.get("plan_ref"), n)
    dates = _text_list(columns.get("plan_date"), n)
    sections = _text_list(columns.get("section"), n)
    numbers = _text_list(columns.get("task_number"), n)
    statuses = _text_list(columns.get("status_text"), n)
    percents = _text_list(columns.get("percent_done"), n)
    report_dates = _text_list(columns.get("report_date"), n)
    done_dates = _text_list(columns.get("completion_date"), n)
    out: dict[str, list] = {
        k: []
        for k in (
            "plan_number",
            "plan_key",
            "plan_date",
            "task_key",
            "report_status",
            "percent_done",
        )
    }
    errors: Errors = []
    for i in range(n):
        number, _ = split_plan_ref(refs[i])
        read = read_plan_date(dates[i] or refs[i])
        when = read[0] if read else None
        try:
            percent = read_percent(percents[i])
        except ValueError:
            percent = None
            errors.append((i, "percent_done", "not a percentage between 0 and 100", percents[i]))
        status = read_status(statuses[i], percent)
        if status is None and (statuses[i] or percents[i]):
            errors.append(
                (
                    i,
                    "status_text",
                    f"unknown status text {statuses[i]!r}: expected "
                    "'Đã hoàn thành', 'Đang thực hiện' or 'Chưa thực hiện'",
                    statuses[i],
                )
            )
        elif status is None:
            errors.append(
                (i, "status_text", "status missing (no status text, no percent done)", None)
            )
        reported, done = find_date(report_dates[i]), find_date(done_dates[i])
        if reported and done and done > reported:
            errors.append(
                (i, "completion_date", "completion date after the report date", done_dates[i])
            )
        out["plan_number"].append(number)
        out["plan_key"].append(plan_key(number))
        out["plan_date"].append(when.isoformat() if when else None)
        out["task_key"].append(_task_key(sections[i], numbers[i]))
        out["report_status"].append(status)
        out["percent_done"].append(None if percent is None else f"{percent:g}")
    return {k: pa.array(v, pa.string()) for k, v in out.items()}, errors
