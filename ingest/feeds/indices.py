"""Hooks for the index feeds: published index results, SIPAS-style survey answers, plan targets.

Matching against reference data happens here, at load time, so a row that names an unknown
province, index or component is quarantined with the value named (audit.rejected_rows) instead
of reaching the marts. Reference data is read from the dbt seed CSVs (the same files dbt loads
into ``reference``), never from code:

- provinces: ``dbt_project/seeds/reference/ref_provinces.csv`` (names, ASCII names, aliases,
  validity). A name identifies a unit only together with a date, since 23 names exist in both
  eras: an index edition for year Y describes the units as they are at the end of Y (so 2024
  results are the 63 old units, 2025 results the 34 new ones); a plan target for year Y is
  matched as of 1 January of Y (a plan "to 2025" was adopted by the unit existing before the
  July 2025 merger).
- index components: ``reference/ref_index_components.csv`` plus the spellings in
  ``indices/ref_index_component_aliases.csv``.
- indicators: ``reference/ref_pci_indicators.csv`` (exact name after folding, or the code).

Layouts of ``index_results`` (the reader hook):

- LONG: a header naming the province and a value column (Năm, Chỉ số, Tỉnh/Thành phố, Chỉ số
  thành phần, Chỉ tiêu, Giá trị, Xếp hạng); year and index may be missing from the columns and
  then come from the title rows, the sheet name or the file name.
- WIDE (official PCI/PAPI tables): one row per province, one column per sub-index (catalogue
  names, codes or aliases; "(5%)"-style notes in headers are ignored), the composite under the
  index's name ("PCI", "Tổng điểm"), and "Xếp hạng" = rank on the composite. The index and the
  year come from a title row above the header ("CHỈ SỐ PCI 2021"), the sheet name, or the file
  name (``pci_2021.xlsx``), in that order; a "Năm" column, when present, wins per row. Each
  province row becomes one long row per column, all sharing the source row number.
Source row numbers count data rows after the header (1 = first row under the header).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ingest import readers
from ingest.contract import Contract, header_key
from ingest.readers import Block, FileRejected, Source

if TYPE_CHECKING:
    from ingest.hooks import RowErrors
    from ingest.landing import LandingFile

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
INDEX_CODES = ("pci", "papi", "par_index", "sipas", "dti")
# Index names in titles, sheet and file names (plain text: lower case, no accents).
_INDEX_PATTERNS = (
    ("par_index", r"\bpar\s*index\b|\bcai cach hanh chinh\b|\bcchc\b|\bpar\b"),
    ("papi", r"\bpapi\b|\bhieu qua quan tri\b"),
    ("pci", r"\bpci\b|\bnang luc canh tranh\b"),
    ("sipas", r"\bsipas\b|\bhai long\b"),
    ("dti", r"\bdti\b|\bchuyen doi so\b"),
)
_YEAR = re.compile(r"(?<!\d)(20\d\d|19\d\d)(?!\d)")
_PREFIX = re.compile(r"^(?:tỉnh|tinh|thành phố|thanh pho)\s+|^t\.?p(?:\.\s*|\s+)", re.IGNORECASE)
_AGGREGATES = {
    "trung binh",
    "trung vi",
    "ca nuoc",
    "tong",
    "tong cong",
    "binh quan",
    "trung binh ca nuoc",
    "national average",
    "average",
    "median",
}


# -- text folding -------------------------------------------------------------------------------
def plain(text: str | None) -> str:
    """Lower case, no accents, đ→d, punctuation → spaces: 'TP. Hồ Chí Minh' → 'tp ho chi minh'."""
    text = unicodedata.normalize("NFKD", str(text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def strip_prefix(name: str) -> str:
    """'Tỉnh Quảng Ninh', 'TP. Hải Phòng', 'Thành phố Huế' → the bare name."""
    return _PREFIX.sub("", unicodedata.normalize("NFC", name.strip())).strip()


# -- reference data -----------------------------------------------------------------------------
def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _province_keys(seeds: Path = SEEDS) -> dict[str, list[tuple[str, date, date | None]]]:
    keys: dict[str, list[tuple[str, date, date | None]]] = {}
    for row in _csv(seeds / "reference" / "ref_provinces.csv"):
        valid = (
            row["province_code"],
            date.fromisoformat(row["valid_from"]),
            date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
        )
        names = [
            row["province_name"],
            row["province_name_ascii"],
            *filter(None, row["aliases"].split("|")),
        ]
        for name in names:
            for key in {header_key(name), header_key(strip_prefix(name))}:
                if key and valid not in keys.setdefault(key, []):
                    keys[key].append(valid)
    return keys


def match_province(
    name: str | None, on: date, seeds: Path = SEEDS
) -> tuple[str | None, str | None]:
    """(province_code, None) or (None, reason). ``on``: the date the name speaks for."""
    if name is None or not str(name).strip():
        return None, "province name is missing"
    keys = _province_keys(seeds)
    found = keys.get(header_key(name)) or keys.get(header_key(strip_prefix(str(name))))
    if not found:
        if plain(name) in _AGGREGATES:
            return None, f"'{name}' is a national aggregate row, not a province"
        return None, (
            f"unknown province '{name}': not a name or alias in ref_provinces.csv "
            "(add the spelling to its aliases)"
        )
    live = sorted(
        {code for code, start, end in found if start <= on and (end is None or on <= end)}
    )
    if len(live) == 1:
        return live[0], None
    if not live:
        return None, f"province '{name}' did not exist on {on.isoformat()}"
    return None, f"province '{name}' is ambiguous on {on.isoformat()}: {', '.join(live)}"


@cache
def _components(seeds: Path = SEEDS) -> dict[str, dict[str, str]]:
    """index → folded name/code/alias → component code ('' for the composite)."""
    out: dict[str, dict[str, str]] = {i: {} for i in INDEX_CODES}
    for row in _csv(seeds / "reference" / "ref_index_components.csv"):
        comp = row["component_code"] or ""
        idx = out.setdefault(row["index_code"], {})
        for name in (row["component_name_vi"], row["component_name_en"], comp):
            if name:
                idx.setdefault(header_key(name), comp)
    for row in _csv(seeds / "indices" / "ref_index_component_aliases.csv"):
        out.setdefault(row["index_code"], {}).setdefault(
            header_key(row["alias"]), row["component_code"] or ""
        )
    return out


def match_component(index_code: str, text: str | None, seeds: Path = SEEDS) -> str | None:
    """Component code ('' = composite) of a header or cell, or None when unknown."""
    if text is None:
        return None
    table = _components(seeds).get(index_code, {})
    variants = (text, re.sub(r"\(.*?\)", "", text), re.sub(r"\s*\b(19|20)\d\d\s*$", "", text))
    for candidate in variants:
        key = header_key(candidate)
        if key and key in table:
            return table[key]
    return None


@cache
def _indicators(seeds: Path = SEEDS) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in _csv(seeds / "reference" / "ref_pci_indicators.csv"):
        out.setdefault(header_key(row["indicator_name_vi"]), row["indicator_code"])
        out.setdefault(header_key(row["indicator_code"]), row["indicator_code"])
    return out


@cache
def _indicator_scopes(seeds: Path = SEEDS) -> dict[str, str]:
    return {
        r["indicator_code"]: r.get("scope") or "province"
        for r in _csv(seeds / "reference" / "ref_pci_indicators.csv")
    }


def _indicator_scope(code: str) -> str:
    return _indicator_scopes().get(code, "province")


def match_indicator_alias(text: str | None, unit: str | None = None) -> str | None:
    """The indicator a plan's wording names (seed ref_indicator_aliases.csv, longest wording
    found in the text); a rank target looks among the rank wordings."""
    if not text:
        return None
    from ingest.plans.targets import match_alias

    return match_alias(text, "rank" if unit == "rank" else "value")


def match_indicator(text: str | None, seeds: Path = SEEDS) -> str | None:
    if not text:
        return None
    text = re.sub(r"^\s*\d+[.)]\s*", "", str(text))  # "12. Chất lượng website ..."
    return _indicators(seeds).get(header_key(text))


def index_code_of(text: str | None) -> str | None:
    if not text:
        return None
    p = plain(text)
    if p.replace(" ", "_") in INDEX_CODES:
        return p.replace(" ", "_")
    return next((code for code, pat in _INDEX_PATTERNS if re.search(pat, p)), None)


def context_of(*texts: str | None) -> tuple[str | None, int | None]:
    """(index_code, year) from the first texts that name them (title rows, sheet, file name)."""
    index = year = None
    for text in texts:
        if not text:
            continue
        text = str(text).replace("_", " ")
        index = index or index_code_of(text)
        if year is None and (m := _YEAR.search(text)):
            year = int(m.group(1))
    return index, year


# -- reading whole sheets (these files are small) ---------------------------------------------
def _sheets(file: LandingFile) -> list[tuple[str | None, list[list[str | None]]]]:
    path = Path(file.path)
    if file.kind == "xlsx":
        from python_calamine import CalamineError, CalamineWorkbook

        readers._check_zip(path)
        try:
            book = CalamineWorkbook.from_path(str(path))
        except (CalamineError, OSError, ValueError) as exc:
            raise FileRejected(f"unreadable XLSX workbook: {exc}") from None
        return [
            (
                name,
                [
                    [readers._cell_text(v) for v in row]
                    for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                ],
            )
            for name in book.sheet_names
        ]
    if file.kind != "csv":
        raise FileRejected(f"{file.kind} files are not read for this feed")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileRejected("file is empty")
    encoding = readers._detect_encoding(raw[:4096])
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileRejected(
            f"not valid {encoding.upper()} text (byte {exc.start}); re-export as UTF-8"
        ) from None
    head = text.splitlines()[: readers.HEADER_SEARCH_ROWS]
    delimiter = max(
        (";", ",", "\t", "|"), key=lambda d: max((ln.count(d) for ln in head), default=0)
    )
    rows = [
        [v if v.strip() else None for v in r]
        for r in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]
    return [(None, rows)]


def _blank(row: list) -> bool:
    return all(v in (None, "") or not str(v).strip() for v in row)


def _at(row: list[Any], pos: int | None) -> Any:
    return row[pos] if pos is not None and pos < len(row) else None


def _title(rows: list[list], header: int) -> str:
    return " ".join(str(v) for r in rows[:header] for v in r if v not in (None, ""))


def _block(values: dict[str, list], numbers: list[int]) -> Block:
    cols = {k: pa.array(v, pa.string()) for k, v in values.items()}
    return Block(
        cols, len(numbers), numbers[0] if numbers else 0, row_numbers=pa.array(numbers, pa.int64())
    )


# -- index_results ------------------------------------------------------------------------------
def read_index_results(file: LandingFile, contract: Contract) -> Source:
    """Reader hook: long or wide result tables (CSV or every sheet of an XLSX workbook)."""
    blocks: list[Block] = []
    unused: set[str] = set()
    problems: list[str] = []
    for sheet, rows in _sheets(file):
        try:
            block, un = _index_sheet(rows, contract, sheet, file.path.name)
        except FileRejected as exc:
            problems.append(f"sheet '{sheet}': {exc}" if sheet else str(exc))
            continue
        blocks.append(block)
        unused |= set(un)
    if not blocks:
        raise FileRejected("; ".join(problems) or "workbook has no sheets")
    return Source(sorted(unused), iter(blocks))


def _index_sheet(
    rows: list[list[Any]], contract: Contract, sheet: str | None, file_name: str
) -> tuple[Block, list[str]]:
    for h, row in enumerate(rows[: readers.HEADER_SEARCH_ROWS]):
        headers = [str(v or "").strip() for v in row]
        mapping, unused = contract.match_headers(headers)
        if "province_name" not in mapping:
            continue
        ctx_index, ctx_year = context_of(_title(rows, h), sheet, Path(file_name).stem)
        if "value" in mapping:
            return _long(rows, h, mapping, unused, ctx_index, ctx_year, file_name)
        wide = _wide(rows, h, headers, mapping, ctx_index, ctx_year, file_name)
        if wide is not None:
            return wide
    raise FileRejected(
        "no header row found: expected a long table (Năm, Chỉ số, Tỉnh/Thành phố, Chỉ số thành "
        "phần, Giá trị, Xếp hạng) or a wide table (Tỉnh/Thành phố and one column per sub-index "
        "such as 'Gia nhập thị trường', plus the composite 'PCI' and 'Xếp hạng')"
    )


def _need(ctx: object, what: str, file_name: str) -> None:
    if ctx is None:
        raise FileRejected(
            f"cannot tell the {what} of {file_name}: add a '{what}' column, a "
            "title row such as 'PCI 2021' above the header, or name the file "
            "like pci_2021.xlsx"
        )


def _long(
    rows: list[list[Any]],
    h: int,
    mapping: dict[str, int],
    unused: list[str],
    ctx_index: str | None,
    ctx_year: int | None,
    file_name: str,
) -> tuple[Block, list[str]]:
    if "year" not in mapping:
        _need(ctx_year, "year", file_name)
    if "index_name" not in mapping:
        _need(ctx_index, "index", file_name)
    names = [
        c
        for c in (
            "year",
            "index_name",
            "province_name",
            "component_name",
            "indicator_name",
            "value",
            "rank",
            "is_synthetic",
        )
        if c != "is_synthetic" or c in mapping
    ]
    values: dict[str, list] = {n: [] for n in names}
    numbers: list[int] = []
    for i, row in enumerate(rows[h + 1 :], start=1):
        if _blank(row):
            continue
        for n in names:
            v = _at(row, mapping.get(n))
            if v is None and n == "year":
                v = str(ctx_year) if "year" not in mapping else None
            if v is None and n == "index_name" and "index_name" not in mapping:
                v = ctx_index
            values[n].append(None if v is None else str(v))
        numbers.append(i)
    return _block(values, numbers), unused


def _wide(
    rows: list[list[Any]],
    h: int,
    headers: list[str],
    mapping: dict[str, int],
    ctx_index: str | None,
    ctx_year: int | None,
    file_name: str,
) -> tuple[Block, list[str]] | None:
    taken = set(mapping.values())  # is_synthetic's column too: it is no sub-index
    candidates = [(pos, text) for pos, text in enumerate(headers) if pos not in taken and text]
    index = ctx_index
    if index is None:  # the index whose component names the header matches best
        scores = {
            i: sum(match_component(i, t) is not None for _, t in candidates) for i in INDEX_CODES
        }
        best = max(scores, key=scores.get)
        index = best if scores[best] >= 2 else None
    if index is None:
        return None
    columns = {pos: match_component(index, text) for pos, text in candidates}
    columns = {pos: comp for pos, comp in columns.items() if comp is not None}
    if not columns:
        return None
    if "year" not in mapping:
        _need(ctx_year, "year", file_name)
    unused = [text for pos, text in candidates if pos not in columns]
    names = ("year", "index_name", "province_name", "component_name", "value", "rank")
    synthetic_pos = mapping.get("is_synthetic")
    if synthetic_pos is not None:
        names = (*names, "is_synthetic")
    values: dict[str, list] = {n: [] for n in names}
    numbers: list[int] = []
    rank_pos = mapping.get("rank")
    has_composite = "" in columns.values()
    for i, row in enumerate(rows[h + 1 :], start=1):
        if _blank(row):
            continue
        year = _at(row, mapping.get("year")) if "year" in mapping else str(ctx_year)
        province = _at(row, mapping["province_name"])
        out = [(comp, _at(row, pos)) for pos, comp in columns.items()]
        if not has_composite and _at(row, rank_pos) is not None:
            out.append(("", None))
        for comp, value in out:
            values["year"].append(year)
            values["index_name"].append(index)
            values["province_name"].append(province)
            values["component_name"].append(comp or None)
            values["value"].append(value)
            values["rank"].append(_at(row, rank_pos) if comp == "" else None)
            if synthetic_pos is not None:
                values["is_synthetic"].append(_at(row, synthetic_pos))
            numbers.append(i)
    return _block(values, numbers), unused


def _texts(columns: dict[str, pa.Array], name: str, n: int) -> list[str | None]:
    arr = columns.get(name)
    if arr is None:
        return [None] * n
    return [None if v is None or not str(v).strip() else str(v).strip() for v in arr.to_pylist()]


def _year(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def resolve_index_results(
    columns: dict[str, pa.Array], context: dict[str, Any]
) -> tuple[dict[str, pa.Array], RowErrors]:
    """Derive hook: index, province, component and indicator codes; unknown values rejected."""
    n = len(next(iter(columns.values()))) if columns else 0
    index_name = _texts(columns, "index_name", n)
    year = _texts(columns, "year", n)
    province = _texts(columns, "province_name", n)
    component = _texts(columns, "component_name", n)
    indicator = _texts(columns, "indicator_name", n)
    out = {
        k: [None] * n for k in ("index_code", "province_code", "component_code", "indicator_code")
    }
    errors: list[tuple[int, str, str, str | None]] = []
    for i in range(n):
        idx = index_code_of(index_name[i])
        if index_name[i] is not None and idx is None:
            errors.append(
                (
                    i,
                    "index_name",
                    "unknown index (expected PCI, PAPI, PAR INDEX, SIPAS or DTI)",
                    index_name[i],
                )
            )
            continue
        out["index_code"][i] = idx
        y = _year(year[i])
        if y is not None and province[i] is not None:
            code, problem = match_province(province[i], date(y, 12, 31))
            if problem:
                errors.append((i, "province_name", problem, province[i]))
                continue
            out["province_code"][i] = code
        if component[i] is not None and idx is not None:
            comp = match_component(idx, component[i])
            if comp is None:
                errors.append(
                    (
                        i,
                        "component_name",
                        f"unknown component of {idx} (add the name "
                        "to ref_index_component_aliases.csv)",
                        component[i],
                    )
                )
                continue
            out["component_code"][i] = comp or None
        out["indicator_code"][i] = match_indicator(indicator[i])
    return {k: pa.array(v, pa.string()) for k, v in out.items()}, errors


# -- survey_responses ---------------------------------------------------------------------------
def resolve_survey_responses(
    columns: dict[str, pa.Array], context: dict[str, Any]
) -> tuple[dict[str, pa.Array], RowErrors]:
    """Derive hook: the SIPAS element code of the element text (null when not a SIPAS element)."""
    n = len(next(iter(columns.values()))) if columns else 0
    element = _texts(columns, "element", n)
    codes = [match_component("sipas", e) or None for e in element]
    return {"element_code": pa.array(codes, pa.string())}, []


# -- targets ------------------------------------------------------------------------------------
_GE = r"≥|>=|=>|từ|tối thiểu|ít nhất|không thấp hơn|không dưới|trở lên|trên|đạt trên"
_LE = r"≤|<=|=<|tối đa|không quá|không vượt quá|dưới|không cao hơn|trở xuống"
_NUMBER = re.compile(r"(?<![\w.,])([+-]?\d+(?:[.,]\d+)?)\s*(%)?")
_TOP = re.compile(
    r"\b(?:top|nhóm)\s*(\d+)\b|\btrong (?:số |nhóm )?(\d+)\s*(?:tỉnh|địa phương)[^;.]*?dẫn đầu",
    re.IGNORECASE,
)
_HEADER_YEAR = re.compile(r"\s*(?:(?:đến|tới|trong)\s+)?(?:năm\s+)?(20\d\d)\s*$", re.IGNORECASE)
# "Chỉ số hài lòng ≥ 85%", "... đạt từ 85% trở lên", "... tối thiểu đạt 90%"
_PLAIN_TARGET = re.compile(
    r"^(?P<name>.*?)[\s:,]*(?P<target>(?:(?:phấn đấu\s+)?(?:đạt\s+)?(?:"
    + _GE
    + "|"
    + _LE
    + r"|=)\s*(?:đạt\s+)?)?[+-]?\d+(?:[.,]\d+)?\s*%?(?:\s*(?:trở lên|trở xuống))?)\s*$",
    re.IGNORECASE,
)


def parse_target(text: str | None) -> tuple[str | None, str | None, str | None]:
    """'≥ 85%' → ('>=', '85', 'percent'); '52,61' → (None, '52.61', None);
    'Top 10' → ('<=', '10', 'rank').

    The operator is None when the text has none: the indicator's direction then decides.
    """
    if not text:
        return None, None, None
    t = unicodedata.normalize("NFC", str(text)).strip()
    if m := _TOP.search(t):
        return "<=", m.group(1) or m.group(2), "rank"
    m = _NUMBER.search(t)
    if not m:
        return None, None, None
    value = m.group(1).replace(",", ".")
    unit = "percent" if m.group(2) else None
    low = t.lower()
    if re.search(_LE, low):
        op = "<="
    elif re.search(_GE, low):
        op = ">="
    elif "=" in low[: m.start()]:
        op = "="
    else:
        op = None
    return op, value, unit


_NUMBER_FIRST = re.compile(
    r"(?P<target>(?:(?:phấn đấu|phần đầu)\s+)?(?:(?:" + _GE + "|" + _LE + r")\s+)?(?:đạt\s+)?"
    r"\d+(?:[.,]\d+)?\s*%)",
    re.IGNORECASE,
)


def split_number_first(text: str | None) -> tuple[str | None, str | None]:
    """'100% hồ sơ … đúng hạn' → (text, '100%'); 'tối thiểu 55% hồ sơ trực tuyến' → (text,
    'tối thiểu 55%'): the indicator is the whole phrase (matched to the catalogue through
    ref_indicator_aliases), the target the number with the words that qualify it."""
    if not text:
        return text, None
    m = _NUMBER_FIRST.search(unicodedata.normalize("NFC", str(text)))
    return (text, m.group("target").strip()) if m else (text, None)


def split_plain_target(text: str | None) -> tuple[str | None, str | None]:
    """'Chỉ số hài lòng ≥ 85%' → ('Chỉ số hài lòng', '≥ 85%'); no target → (text, None)."""
    if not text:
        return text, None
    m = _PLAIN_TARGET.match(unicodedata.normalize("NFC", str(text)).strip())
    if not m or not m.group("name").strip() or re.search(r"\bnăm\s*$", m.group("name"), re.I):
        return text, None
    name = re.sub(r"\s*(?:phấn đấu|đạt)\s*$", "", m.group("name").strip(), flags=re.IGNORECASE)
    return name.strip(" :,-"), m.group("target").strip()


def read_targets(file: LandingFile, contract: Contract) -> Source:
    """Reader hook: plan appendices. A year in a header ('Điểm số định hướng đến năm 2025') or
    in the title / file name fills ``target_year`` where the row has none."""
    blocks: list[Block] = []
    unused: set[str] = set()
    problems: list[str] = []
    for sheet, rows in _sheets(file):
        header_years: list[int] = []
        head = []
        for row in rows[: readers.HEADER_SEARCH_ROWS]:
            cells = []
            for v in row:
                text = str(v or "").strip()
                if (m := _HEADER_YEAR.search(text)) and m.start() > 0:
                    header_years.append(int(m.group(1)))
                    text = text[: m.start()].strip()
                cells.append(text)
            head.append(cells)
        # The year may come from a header, the title or the file name: not required in the header.
        relaxed = replace(
            contract,
            columns=tuple(
                replace(c, required=False) if c.name == "target_year" else c
                for c in contract.columns
            ),
        )
        try:
            h, mapping, un = readers.choose_header(head, relaxed)
        except FileRejected as exc:
            problems.append(f"sheet '{sheet}': {exc}" if sheet else str(exc))
            continue
        _, ctx_year = context_of(_title(rows, h), sheet, file.path.stem)
        hint = header_years[0] if header_years else ctx_year
        names = [c.name for c in contract.columns if c.name in mapping]
        values: dict[str, list] = {n: [] for n in {*names, "target_year"}}
        numbers: list[int] = []
        for i, row in enumerate(rows[h + 1 :], start=1):
            if _blank(row):
                continue
            for n in names:
                pos = mapping[n]
                values[n].append(row[pos] if pos < len(row) else None)
            if "target_year" not in mapping:
                values["target_year"].append(None)
            if values["target_year"][-1] is None and hint is not None:
                values["target_year"][-1] = str(hint)
            numbers.append(i)
        blocks.append(_block(values, numbers))
        unused |= {u for u in un if u}
    if not blocks:
        raise FileRejected("; ".join(problems))
    return Source(sorted(unused), iter(blocks))


def resolve_targets(
    columns: dict[str, pa.Array], context: dict[str, Any]
) -> tuple[dict[str, pa.Array], RowErrors]:
    """Derive hook: operator, value and unit of the target; indicator and province codes."""
    n = len(next(iter(columns.values()))) if columns else 0
    names = _texts(columns, "indicator_name", n)
    targets = _texts(columns, "target_text", n)
    provinces = _texts(columns, "province_name", n)
    years = _texts(columns, "target_year", n)
    out = {
        k: [None] * n
        for k in (
            "indicator_name",
            "target_text",
            "target_operator",
            "target_value",
            "target_unit",
            "indicator_code",
            "province_code",
        )
    }
    errors: list[tuple[int, str, str, str | None]] = []
    scopes = _texts(columns, "scope_unit", n)
    out["scope_unit"] = list(scopes)
    for i in range(n):
        name, target = names[i], targets[i]
        if target is None:
            name, target = split_plain_target(name)
        if target is None:  # "100% hồ sơ … đúng hạn": the number comes first
            name, target = split_number_first(name)
        out["indicator_name"][i] = name
        out["target_text"][i] = target
        op, value, unit = parse_target(target)
        if unit is None and name and re.search(r"%|\bphần trăm\b", name):
            unit = "percent"  # "(% DN Đồng ý)": the value is a share even when written "20"
        if value is None:
            errors.append(
                (
                    i,
                    "target_text",
                    "no target value (expected e.g. '85%', '≥ 90%', "
                    "'5', '52,61', or 'Chỉ số hài lòng ≥ 85%')",
                    target or name,
                )
            )
            continue
        out["target_operator"][i], out["target_value"][i], out["target_unit"][i] = op, value, unit
        code = match_indicator(name) or match_indicator_alias(name, unit)
        out["indicator_code"][i] = code
        if code is not None and _indicator_scope(code) == "province":
            out["scope_unit"][i] = None  # PCI, PAPI, DTI and ranks exist only per province
        y = _year(years[i])
        if provinces[i] is not None and y is not None:
            code, problem = match_province(provinces[i], date(y, 1, 1))
            if problem:
                errors.append((i, "province_name", problem, provinces[i]))
                continue
            out["province_code"][i] = code
    return {k: pa.array(v, pa.string()) for k, v in out.items()}, errors


__all__ = [
    "context_of",
    "index_code_of",
    "match_component",
    "match_indicator",
    "match_province",
    "parse_target",
    "plain",
    "read_index_results",
    "read_targets",
    "resolve_index_results",
    "resolve_survey_responses",
    "resolve_targets",
    "split_plain_target",
    "strip_prefix",
]
