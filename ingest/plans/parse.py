"""A plan's lines → its header facts, tasks and targets (see ingest/plans/__init__.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.contract import header_key
from ingest.contract import load as load_contract
from ingest.feeds.tasks import serves_index
from ingest.plans.document import Line, read_lines
from ingest.plans.targets import prose_targets
from ingest.plans.units import by_point, read_assignment, split_names, units_in_text

# Section headings: "I. NỘI DUNG CẢI THIỆN", "II. NHIỆM VỤ", "III. TỔ CHỨC THỰC HIỆN"
_ROMAN = re.compile(r"^(?P<r>[IVX]{1,4})\.\s+(?P<t>\S.*)$")
_NUMBERED = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<t>\S.*)$")
_LETTERED = re.compile(r"^(?P<l>[a-zđ])\)\s*(?P<t>.*)$")
_BULLET = re.compile(r"^[-–•+]\s*(?P<t>\S.*)$")
_FIELD = re.compile(
    r"^(?P<label>đơn vị chủ trì|cơ quan chủ trì|chủ trì|đơn vị phối hợp|cơ quan phối hợp|"
    r"phối hợp|thời gian thực hiện|thời gian hoàn thành|thời gian|tiến độ thực hiện|tiến độ|"
    r"thời hạn hoàn thành|thời hạn|phân công thực hiện|phân công|kết quả(?: ?/ ?sản phẩm)?|"
    r"sản phẩm|kết quả dự kiến|nội dung thực hiện|nội dung|chỉ số liên quan|chỉ số|"
    r"cách thức thực hiện)\s*:\s*(?P<v>.*)$",
    re.IGNORECASE,
)
_FIELD_KEYS = {
    "lead": ("đơn vị chủ trì", "cơ quan chủ trì", "chủ trì"),
    "coordinating": ("đơn vị phối hợp", "cơ quan phối hợp", "phối hợp"),
    "timing": ("thời gian", "tiến độ", "thời hạn"),
    "assignment": ("phân công",),
    "result": ("kết quả", "sản phẩm"),
    "content": ("nội dung",),
    "index": ("chỉ số",),
    "method": ("cách thức",),
}
_INDEX_TITLE = re.compile(
    r"^(?:(?:cải thiện|nâng cao|duy trì)(?:,? (?:cải thiện|nâng cao))?\s+)?(?:các\s+)?ch[ỉiị]\s*số\b",
    re.IGNORECASE,
)
_ACRONYMS = re.compile(r"\b(PAR[\s-]?INDEX|PCI|PAPI|SIPAS|DTI)\b", re.IGNORECASE)
_PLACE_DATE = re.compile(
    r"^(?P<place>[^\d,()]{2,40}),\s*ngày\s*(?P<d>\d{0,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
# The plan's own number: "Số: 1337/KH-SKHĐT", "Số hiệu 211/KH-UBND" at a line's start, else an
# appendix's "(Kèm theo Kế hoạch số: /KH-VP ngày /3/2024 …)"; never a plan cited in the text.
_NUMBER = re.compile(r"^số(?: hiệu)?\s*:?\s*(?P<n>[\w.]*/\s*KH-[\w.&Đđ-]+)", re.I)
_ANNEX_NUMBER = re.compile(
    r"^\(?\s*(?:ban hành )?kèm theo kế hoạch\s+số\s*:?\s*(?P<n>[\w.]*/\s*KH-[\w.&Đđ-]+)", re.I
)
_REF_DATE = re.compile(r"(?:ngày|,)\s*(?P<date>(?:\d{1,2}\s*)?/\s*\d{1,2}\s*/\s*\d{4})", re.I)
# The unit that issues the plan: "Sở Kế hoạch và Đầu tư xây dựng Kế hoạch …", "Chủ tịch UBND
# tỉnh ban hành Kế hoạch …" (a unit name without digits, "về việc" or "của": not a decision cited).
_ISSUER = re.compile(
    r"(?P<u>(?:Sở|Văn phòng|Ủy ban|UBND|Ban|Trung tâm)(?:(?!về việc|của)[^.;:,\d]){2,80}?)"
    r"\s*(?:\([^)]*\)\s*)?(?:xây dựng|ban hành)\s+(?:các\s+)?kế hoạch",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"năm\s+(?P<y>\d{4})(?:\s+và\s+giai\s+đoạn\s+(?P<a>\d{4})\s*[-–]\s*(?P<b>\d{4}))?", re.I
)
_END = re.compile(r"^(?:nơi nhận|kt\.|tm\.|giám đốc|chánh văn phòng|chủ tịch)\b", re.I)
_APPENDIX = re.compile(r"^phụ lục\b", re.I)
_TRUNCATED = re.compile(r"^\[\s*(?:\.\.\.|…)\s*\]$")


@dataclass
class PlanTask:
    section: str | None
    number: str
    content: str
    line: int  # first line of the task in the file
    source_text: str  # what was read for it (title, content, fields), for the review
    expected_result: str | None = None
    timing_text: str | None = None
    timing_source: str = "task"  # task | plan (the plan's own period, from its title)
    lead: str | None = None
    lead_source: str = "task"  # task | plan_issuer
    coordinating: str | None = None
    linked_index: str | None = None
    method: str | None = None


@dataclass
class PlanTarget:
    item_number: str | None
    indicator_name: str
    target_text: str | None
    target_year: int | None
    line: int
    source_text: str
    lead: str | None = None
    coordinating: str | None = None
    scope_unit: str | None = None  # the unit whose result the target is, None = the province
    task_number: str | None = None  # the task whose text states it, if any


@dataclass
class Plan:
    path: Path
    number: str | None = None
    date_text: str | None = None  # as written: "ngày tháng 8 năm 2023", "26/08/2022"
    year: int | None = None
    title: str | None = None
    province: str | None = None
    issuer: str | None = None
    period_text: str | None = None  # the plan's own period from its title ("năm 2024")
    tasks: list[PlanTask] = field(default_factory=list)
    targets: list[PlanTarget] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read but not taken, and why

    @property
    def is_unit_plan(self) -> bool:
        """A plan of a department or centre (its targets measure that unit), not of the
        provincial People's Committee or its office (their targets measure the province)."""
        key = header_key(self.issuer or "")
        return bool(key) and not re.match(r"^(?:uybannhandan|ubnd|vanphongubnd|vanphonguy)", key)


# -- header facts -----------------------------------------------------------------------------
def _header(plan: Plan, lines: list[Line]) -> None:
    provinces = _province_names()
    for ln in lines:
        t = ln.text
        if plan.number is None and (m := _NUMBER.search(t)):
            plan.number = re.sub(r"\s+", "", m["n"])
        if m := _ANNEX_NUMBER.search(t):
            annexed = re.sub(r"\s+", "", m["n"])
            d = _REF_DATE.search(t[m.end() :])
            when = re.sub(r"\s+", "", d["date"]) if d else None
            if plan.number is None:
                plan.number = annexed
                if when and plan.date_text is None:
                    plan.date_text = "ngày " + when
            elif header_key(annexed) != header_key(plan.number):
                plan.notes.append(
                    f"line {ln.number}: the appendix names plan {annexed}"
                    f"{' of ' + when if when else ''}; the plan's header"
                    f" says {plan.number}: the header is used"
                )
        if plan.date_text is None or not re.search(r"\d{4}", plan.date_text or ""):
            if m := _PLACE_DATE.match(t):
                plan.date_text = t[len(m["place"]) + 1 : m.end()].strip()
                plan.province = plan.province or _province_in(m["place"], provinces)
        elif plan.province is None and (m := _PLACE_DATE.match(t)):
            plan.province = _province_in(m["place"], provinces)
        if plan.issuer is None and (m := _ISSUER.search(t)):
            plan.issuer = m["u"].strip()
    if plan.province is None:  # the province named most often as "tỉnh X"
        counts: dict[str, int] = {}
        for ln in lines:
            for m in re.finditer(r"\btỉnh\s+([A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,2})", ln.text):
                if name := _province_in(m[1], provinces):
                    counts[name] = counts.get(name, 0) + 1
        plan.province = max(counts, key=lambda name: counts[name]) if counts else None
    for i, ln in enumerate(lines[:40]):
        if re.fullmatch(r"(?i)kế hoạch\b.*", ln.text) and plan.title is None:
            rest = re.sub(r"(?i)^kế hoạch\s*", "", ln.text).strip()
            if rest and not re.match(r"(?i)^số", rest):
                plan.title = rest if len(rest) > 12 else None
            if plan.title is None and i + 1 < len(lines):
                plan.title = lines[i + 1].text
    if plan.title:
        periods = list(_PERIOD.finditer(plan.title))
        if periods:
            plan.period_text = periods[-1].group(0)
    if plan.date_text and (m := re.search(r"(\d{4})", plan.date_text)):
        plan.year = int(m[1])


def _province_names() -> list[tuple[str, str]]:
    """(folded spelling, official name) of every province name and alias, longest first."""
    from ingest.feeds.indices import SEEDS, _csv

    names: dict[str, str] = {}
    for row in _csv(SEEDS / "reference" / "ref_provinces.csv"):
        for spelling in (row["province_name"], *filter(None, row["aliases"].split("|"))):
            names.setdefault(header_key(spelling), row["province_name"])
    return sorted(names.items(), key=lambda kv: (-len(kv[0]), kv[0]))


def _province_in(text: str, names: list[tuple[str, str]]) -> str | None:
    key = header_key(text)
    return next((name for folded, name in names if folded and folded in key), None)


# -- prose tasks ------------------------------------------------------------------------------
@dataclass
class _Node:
    kind: str  # numbered | lettered | bullet
    key: str
    title: str
    line: int
    children: list[_Node] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    source: list[str] = field(default_factory=list)


def _field(text: str) -> tuple[str, str] | None:
    m = _FIELD.match(text)
    if not m:
        return None
    label = m["label"].lower()
    kind = next(k for k, words in _FIELD_KEYS.items() if any(label.startswith(w) for w in words))
    return kind, m["v"].strip()


def _section_kind(title: str) -> str:
    t = title.upper()
    if re.search(r"MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|QUAN ĐIỂM", t):
        return "purpose"
    if re.search(r"TỔ CHỨC THỰC HIỆN|KINH PHÍ|CHẾ ĐỘ BÁO CÁO|ĐIỀU KHOẢN", t):
        return "organisation"
    return "tasks"


def _prose(plan: Plan, lines: list[Line]) -> list[Line]:
    """Read the body's task sections; return the lines of appendix tables for later."""
    section: str | None = None
    kind = "preamble"
    stack: list[_Node] = []  # numbered nodes, outermost first
    roots: list[tuple[str | None, _Node]] = []
    current: _Node | None = None  # innermost open node (numbered, lettered)
    in_appendix = False
    table_lines: list[Line] = []
    for ln in lines:
        t = ln.text
        if ln.is_row:
            table_lines.append(ln)
            continue
        if _APPENDIX.match(t):
            in_appendix = True
        if in_appendix:
            table_lines.append(ln)
            continue
        if _END.match(t):
            kind = "end"
            continue
        if _TRUNCATED.match(t):
            plan.notes.append(
                f"line {ln.number}: the text says '{t}': part of the plan is left out of this"
                " copy; its tasks cannot be read"
            )
            continue
        if m := _ROMAN.match(t):
            section, kind = m["r"], _section_kind(m["t"])
            stack, current = [], None
            if kind != "tasks":
                plan.notes.append(
                    f"line {ln.number}: section {m['r']} '{m['t']}' states the plan's "
                    f"{'purpose' if kind == 'purpose' else 'organisation'}: not read as tasks"
                    " (targets in it are read)"
                )
            continue
        if kind != "tasks":
            continue
        if (m := _NUMBERED.match(t)) and not _field(t):
            node = _Node("numbered", m["n"], m["t"], ln.number, source=[t])
            depth = m["n"].count(".")
            while stack and stack[-1].key.count(".") >= depth:
                stack.pop()
            if stack:
                stack[-1].children.append(node)
            else:
                roots.append((section, node))
            stack.append(node)
            current = node
            continue
        if not stack:
            continue
        top = stack[-1]
        top.source.append(t)
        body = _BULLET.match(t)
        text = body["t"] if body else t
        if f := _field(text):
            top.fields[f[0]] = (top.fields.get(f[0], "") + " " + f[1]).strip()
            current = top if f[0] != "content" else current
            continue
        if (m := _LETTERED.match(t)) and not body:
            f = _field(m["t"])
            if f:
                top.fields[f[0]] = f[1]
                current = top
                continue
            node = _Node("lettered", m["l"], m["t"], ln.number)
            top.children.append(node)
            current = node
            continue
        if body:
            (current or top).children.append(_Node("bullet", "", text, ln.number))
            continue
        (current or top).paragraphs.append(t)
    for sec, node in roots:
        _tasks_of(plan, sec, node, inherited=None)
    return table_lines


def _index_of(title: str) -> str | None:
    """The index a heading names ("Cải thiện Chỉ số Tính minh bạch" → "Tính minh bạch";
    "Chỉ số PAR INDEX và SIPAS" → "PAR INDEX | SIPAS"); None for other headings."""
    if not _INDEX_TITLE.match(title):
        return None
    rest = _INDEX_TITLE.sub("", title).strip(" .:")
    acronyms = [a.upper().replace("-", " ") for a in _ACRONYMS.findall(rest)]
    if acronyms and len(rest.split()) <= 8:
        return " | ".join(dict.fromkeys("PAR INDEX" if "PAR" in a else a for a in acronyms))
    return rest or None


def _tasks_of(plan: Plan, section: str | None, node: _Node, inherited: str | None) -> None:
    index = _index_of(node.title) or inherited
    numbered = [c for c in node.children if c.kind == "numbered"]
    for child in numbered:
        _tasks_of(plan, section, child, index)
    lettered = [c for c in node.children if c.kind == "lettered"]
    bullets = [c for c in node.children if c.kind == "bullet"]
    title_is_heading = _index_of(node.title) is not None or bool(numbered or lettered or bullets)
    fields = node.fields
    base = dict(
        section=section,
        timing=fields.get("timing"),
        result=fields.get("result"),
        method=fields.get("method"),
        index=fields.get("index") or index,
    )
    sub_indices: dict[str, str | None] = {}  # lettered sub-item → the sub-index it names
    leads_by_point = by_point(fields["lead"]) if fields.get("lead") else {}
    assignment = fields.get("assignment")
    coord = fields.get("coordinating")
    source = "\n".join(node.source)
    items: list[tuple[str, str, str | None, int, str]] = []  # number, content, point, line, src
    for sub in lettered:
        sub_index = index
        sub_bullets = [c for c in sub.children if c.kind == "bullet"]
        if sub_bullets:
            sub_index = " | ".join(filter(None, [index, sub.title.rstrip(". ")]))
            for k, b in enumerate(sub_bullets, start=1):
                items.append((f"{node.key}.{sub.key}-{k}", b.title, sub.key, b.line, b.title))
        else:
            text = " ".join([sub.title, *sub.paragraphs]).strip()
            items.append((f"{node.key}.{sub.key}", text, sub.key, sub.line, f"{sub.key}) {text}"))
        sub_indices[sub.key] = sub_index
    if not lettered:
        if len(bullets) > 1:
            for k, b in enumerate(bullets, start=1):
                items.append((f"{node.key}-{k}", b.title, None, b.line, b.title))
        elif bullets or node.paragraphs or fields.get("content"):
            parts = [fields.get("content", ""), *node.paragraphs, *(b.title for b in bullets)]
            text = " ".join(p for p in parts if p).strip()
            if not title_is_heading or not text:
                text = f"{node.title} {text}".strip() if text else node.title
            items.append((node.key, text, None, node.line, source))
        elif not numbered:
            items.append((node.key, node.title, None, node.line, source))
    for number, content, point, line, src in items:
        lead_text = leads_by_point.get(point) or leads_by_point.get(None)
        if point and point in leads_by_point and None in leads_by_point:
            lead_text = f"{leads_by_point[point]}; {leads_by_point[None]}"
        leads: list[str] = split_names(lead_text) if lead_text else []
        coords: list[str] = split_names(coord) if coord else []
        if assignment:
            a_lead, a_coord = read_assignment(assignment)
            leads, coords = leads or a_lead, coords or a_coord
        if not leads:
            leads, s_coord = units_in_text(content)
            coords = coords or s_coord
        sub_index = sub_indices.get(point) if point else None
        task = PlanTask(
            section=section,
            number=number,
            content=content,
            line=line,
            source_text=src if src != source else source,
            expected_result=base["result"],
            timing_text=base["timing"],
            linked_index=sub_index or base["index"],
            method=base["method"],
            lead="; ".join(leads) or None,
            coordinating="; ".join(coords) or None,
        )
        if src != source:
            task.source_text = f"{node.key}. {node.title}\n… {src}"
        plan.tasks.append(task)


# -- appendix tables --------------------------------------------------------------------------
def _tables(plan: Plan, lines: list[Line]) -> None:
    tasks_contract = load_contract("plan_tasks")
    targets_contract = load_contract("targets")
    mode: str | None = None
    mapping: dict[str, int] = {}
    header_year: int | None = None
    section: str | None = None
    last: PlanTask | None = None
    section_index: str | None = None
    rows = [ln for ln in lines if ln.is_row]
    for pos, ln in enumerate(rows):
        cells = list(ln.cells or ())
        t_map, _ = tasks_contract.match_headers(cells)
        g_map, _ = targets_contract.match_headers([_strip_year(c) for c in cells])
        if "target_text" in g_map and "indicator_name" in g_map:
            mode, mapping = "targets", g_map
            header_year = next((y for c in cells if (y := _year_in_header(c))), None)
            continue
        if {"task_content", "timing_text"} <= set(t_map):
            if mode != "tasks":
                plan.notes.append(f"line {ln.number}: appendix table of tasks")
            mode, mapping = "tasks", t_map
            continue
        if mode is None:
            plan.notes.append(f"line {ln.number}: table row before any known header: not read")
            continue

        def cell(name: str, row: list[str] = cells, columns: dict[str, int] = mapping) -> str:
            pos_ = columns.get(name)
            return row[pos_].strip() if pos_ is not None and pos_ < len(row) else ""

        if mode == "targets":
            name = cell("indicator_name")
            if not name:
                continue
            plan.targets.append(
                PlanTarget(
                    item_number=cell("item_number").rstrip(".") or None,
                    indicator_name=name,
                    target_text=cell("target_text") or None,
                    target_year=header_year,
                    line=ln.number,
                    source_text=ln.text,
                    lead=cell("lead_unit") or None,
                    coordinating=cell("coordinating_units") or None,
                )
            )
            continue
        number = cell("task_number").rstrip(".")
        content = cell("task_content")
        if re.fullmatch(r"[IVX]{1,4}", number):
            section, last = number, None
            section_index = _index_of(content.capitalize())
            continue
        if not number:  # a row broken by a page: its cells continue the previous task's
            if last is not None:
                _continue(last, cells, mapping, ln)
            continue
        nxt = next((r for r in rows[pos + 1 :] if (r.cells or ())[:1] != ("",)), None)
        next_number = ""
        if nxt is not None and mapping.get("task_number") is not None:
            nc = list(nxt.cells or ())
            next_number = (
                nc[mapping["task_number"]].strip() if mapping["task_number"] < len(nc) else ""
            )
        if next_number.startswith(number + "."):  # a group heading ("1. Đối với người dân …")
            if last is not None:  # its other cells are the previous task's, cut by a page
                extra = [
                    c
                    if i != mapping.get("task_content") and i != mapping.get("task_number")
                    else ""
                    for i, c in enumerate(cells)
                ]
                _continue(last, extra, mapping, ln)
            continue
        last = PlanTask(
            section=section,
            number=number,
            content=content,
            line=ln.number,
            source_text=ln.text,
            expected_result=cell("expected_result") or None,
            timing_text=cell("timing_text") or None,
            method=cell("method") or None,
            lead=cell("lead_unit") or None,
            coordinating=cell("coordinating_units") or None,
            linked_index=cell("linked_index") or None,
        )
        if not last.linked_index and not serves_index(last.expected_result):
            last.linked_index = section_index  # "NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"
        plan.tasks.append(last)
    for task in plan.tasks:
        if task.line in {ln.number for ln in rows} and task.lead is None:
            leads, coords = units_in_text(task.method or "")
            task.lead = "; ".join(leads) or None
            task.coordinating = task.coordinating or ("; ".join(coords) or None)


def _continue(task: PlanTask, cells: list[str], mapping: dict[str, int], ln: Line) -> None:
    attrs = {
        "task_content": "content",
        "expected_result": "expected_result",
        "timing_text": "timing_text",
        "method": "method",
        "lead_unit": "lead",
        "coordinating_units": "coordinating",
    }
    for column, attr in attrs.items():
        pos = mapping.get(column)
        if pos is None or pos >= len(cells) or not cells[pos].strip():
            continue
        before = getattr(task, attr)
        sep = "\n" if attr in ("content", "method") else " "
        setattr(task, attr, f"{before}{sep}{cells[pos].strip()}" if before else cells[pos].strip())
    task.source_text += f"\n(line {ln.number}, continued after a page break) {ln.text}"


_HEADER_YEAR = re.compile(r"\s*(?:(?:đến|tới|trong)\s+)?(?:năm\s+)?(20\d\d)\s*$", re.I)


def _strip_year(cell: str) -> str:
    m = _HEADER_YEAR.search(cell)
    return cell[: m.start()].strip() if m and m.start() > 0 else cell


def _year_in_header(cell: str) -> int | None:
    m = _HEADER_YEAR.search(cell)
    return int(m[1]) if m and m.start() > 0 else None


# -- defaults from the plan itself ------------------------------------------------------------
def _defaults(plan: Plan) -> None:
    no_timing = [t for t in plan.tasks if not t.timing_text]
    if no_timing and plan.period_text:
        for t in no_timing:
            t.timing_text, t.timing_source = plan.period_text, "plan"
        plan.notes.append(
            f"{len(no_timing)} task(s) give no timing of their own: they take the plan's period"
            f" '{plan.period_text}' from its title (timing_source 'plan')"
        )
    no_lead = [t for t in plan.tasks if not t.lead]
    if no_lead and plan.issuer:
        for t in no_lead:
            t.lead, t.lead_source = plan.issuer, "plan_issuer"
        plan.notes.append(
            f"{len(no_lead)} task(s) name no unit: they are the issuer's, '{plan.issuer}'"
            " (lead_unit_source 'plan_issuer')"
        )


def read_plan(path: Path) -> Plan:
    """Read a plan file (.docx or its text); raises PlanFileError when it is not one."""
    lines = read_lines(path)
    plan = Plan(path)
    _header(plan, lines)
    table_lines = _prose(plan, lines)
    _tables(plan, table_lines)
    _defaults(plan)
    plan.targets += prose_targets(plan, lines)
    return plan
