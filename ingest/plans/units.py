"""Lead and coordinating units as plans write them.

Readings (each seen in the seed plans):

- a field: "Đơn vị chủ trì: X; Y" (both lead), "Đơn vị phối hợp: Z";
- an assignment: "X chủ trì, phối hợp với Y", "Thanh tra chủ trì; các phòng, đơn vị liên quan
  phối hợp", "Phân công thực hiện: các phòng, đơn vị thuộc Sở";
- a sentence whose subject is a unit: "Sở Nội vụ tham mưu …", "Các sở, ban, ngành cấp tỉnh,
  UBND các huyện, thị xã, thành phố xây dựng …" (the subject ends at the first verb of
  ``VERBS``; a sentence that opens with a verb names no unit);
- point markers: "Văn phòng (điểm a); Trung tâm … (điểm b, c)" assign units to sub-items.

Names are split on ";" and line breaks, and on "," / "và" only before a word that opens a
unit's name; parentheses are never split. A collective ("Các phòng, Trung tâm thuộc Sở") is
split only before a named body (Sở …, UBND, Văn phòng), never before "Trung tâm"/"Phòng".
"""

from __future__ import annotations

import re

_OPEN = (
    r"(?:Sở|Văn phòng|VP|UBND|Ủy ban|Uỷ ban|Trung tâm|Phòng|Ban|Thanh tra|Công an|Cổng|Chi đoàn|"
    r"Đoàn|Bộ phận|Các|Đài|Báo|Hội|Liên đoàn|Kho bạc|Cục|Chi cục|Ngân hàng|Bảo hiểm|BHXH|"
    r"Tỉnh đoàn|Hiệp hội|Viện|Bưu điện|Bộ Chỉ huy|Kiểm toán|Đảng ủy|Chủ tịch)"
)
_STRONG = r"(?:Sở [A-ZĐÂ]|Văn phòng|VP|UBND|Ủy ban|Uỷ ban|Chủ tịch|Công an|Thanh tra)"
# Verbs that end a sentence's subject ("Sở Nội vụ tham mưu …").
VERBS = (
    "chủ trì",
    "phối hợp",
    "tham mưu",
    "đôn đốc",
    "thường xuyên",
    "tiếp tục",
    "tăng cường",
    "kiểm tra",
    "đẩy mạnh",
    "xây dựng",
    "triển khai",
    "thực hiện",
    "rà soát",
    "kịp thời",
    "cập nhật",
    "tiến hành",
    "tích cực",
    "chủ động",
    "nâng cao",
    "hướng dẫn",
    "lên kế hoạch",
    "giải trình",
    "phát huy",
    "tập trung",
    "theo dõi",
    "báo cáo",
    "căn cứ",
    "phấn đấu",
    "đề xuất",
    "cung cấp",
    "tổ chức",
    "hỗ trợ",
    "duy trì",
    "sắp xếp",
    "xem xét",
    "có trách nhiệm",
    "chịu trách nhiệm",
    "khẩn trương",
    "vệ sinh",
    "đăng tải",
    "công khai",
    "giúp",
    "lập",
)
_VERB = re.compile(r"(?:^|[\s,])(" + "|".join(VERBS) + r")\b")
_POINTS = re.compile(r"\(\s*(?:điểm|tiết|mục)\s+([a-zđ](?:\s*(?:,|và)\s*[a-zđ])*)\s*\)", re.I)


def _split_outside_parens(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split ``text`` where ``pattern`` matches, except inside parentheses."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and (m := pattern.match(text, i)):
            out.append(text[start:i])
            start = i = m.end()
            continue
        i += 1
    out.append(text[start:])
    return out


_HARD = re.compile(r"\s*(?:;|\n|•)\s*|\s+-\s+(?=" + _OPEN + r"\b)")
_SOFT = re.compile(r"\s*,\s*(?=" + _OPEN + r"\b)|\s+và\s+(?=" + _OPEN + r"\b)")
_SOFT_IN_COLLECTIVE = re.compile(r"\s*,\s*(?=" + _STRONG + r")|\s+và\s+(?=" + _STRONG + r")")


def _tidy(name: str) -> str:
    name = re.sub(r"^[\s\-–—•*+]+|[\s.;,:]+$", "", name)
    return re.sub(r"\s+", " ", name)


def split_names(text: str | None) -> list[str]:
    """One cell or phrase of unit names → the names, in order, without duplicates."""
    if not text or not text.strip():
        return []
    out: list[str] = []
    for piece in _split_outside_parens(text.strip(), _HARD):
        piece = _tidy(piece)
        soft = _SOFT_IN_COLLECTIVE if re.match(r"(?i)các\b", piece) else _SOFT
        for name in _split_outside_parens(piece, soft):
            name = _tidy(name)
            if name and name not in out:
                out.append(name)
    return out


def _upto_verb(text: str) -> tuple[str, str]:
    """(subject, rest) at the first verb; the subject is empty when there is no verb."""
    m = _VERB.search(text)
    if not m:
        return "", text
    return text[: m.start(1)].strip(" ,"), text[m.start(1) :]


def read_assignment(text: str | None) -> tuple[list[str], list[str]]:
    """(lead units, coordinating units) of an assignment phrase or a field value."""
    leads: list[str] = []
    coords: list[str] = []
    if not text:
        return leads, coords
    for clause in _split_outside_parens(text.strip(), re.compile(r"\s*;\s*")):
        clause = _tidy(re.sub(r"^(?:giao|do)\s+", "", clause.strip(), flags=re.I))
        if not clause:
            continue
        if m := re.match(r"(?is)^phối hợp(?: với)?\s+(.+)$", clause):
            coords += split_names(_upto_verb(m[1])[0] or m[1])
        elif m := re.match(r"(?is)^(.+?)\s+phối hợp(?:\s+thực hiện)?$", clause):
            coords += split_names(m[1])
        elif m := re.match(r"(?is)^(.+?)\s+chủ trì\b[,\s]*(.*)$", clause):
            leads += split_names(m[1])
            if c := re.match(r"(?is)^phối hợp với\s+(.+)$", m[2]):
                coords += split_names(_upto_verb(c[1])[0] or c[1])
        else:
            leads += split_names(clause)
    return _unique(leads), [c for c in _unique(coords) if c not in leads]


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def subject_units(sentence: str) -> tuple[list[str], list[str]]:
    """Units that are the subject of a sentence ("Sở Nội vụ tham mưu …"), else ([], [])."""
    text = re.sub(r"^[\s\-–—•*+]+", "", sentence).strip()
    text = re.sub(r"^(?:giao)\s+", "", text, flags=re.I)
    if not re.match(_OPEN + r"\b", text) and not re.match(r"(?i)các\s", text):
        return [], []
    subject, rest = _upto_verb(text)
    if not subject or len(subject.split()) > 20:
        return [], []
    leads = split_names(subject)
    coords: list[str] = []
    if m := re.match(r"(?is)^(?:chủ trì[,\s]*)?phối hợp với\s+(.+)$", rest):
        coords = split_names(_upto_verb(m[1])[0] or "")
    return leads, coords


def sentences(text: str) -> list[str]:
    """Bullets and sentences of a cell or paragraph, in order."""
    out: list[str] = []
    # A bullet opens a line ("- ", "– ", "• "); inside a line only an ASCII " - " before a
    # capital is one (HTML exports flatten a cell's list); an en dash there joins names.
    for line in re.split(r"\n\s*[-–•]\s+|\n|^\s*[-–•]\s+|\s-\s+(?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ])", text):
        for s in re.split(r"(?<=[.;])\s+(?=[A-ZĐ])", line or ""):
            if s and s.strip(" -"):
                out.append(s.strip(" -"))
    return out


def units_in_text(text: str | None) -> tuple[list[str], list[str]]:
    """Lead and coordinating units named as subjects of the sentences of ``text``."""
    leads: list[str] = []
    coords: list[str] = []
    for s in sentences(text or ""):
        lead, coord = subject_units(s)
        leads += lead
        coords += coord
    leads = _unique(leads)
    return leads, [c for c in _unique(coords) if c not in leads]


def by_point(text: str) -> dict[str | None, str]:
    """ "Văn phòng (điểm a); Trung tâm X (điểm b, c)" → {'a': 'Văn phòng', 'b': …, 'c': …};
    pieces without a marker go under None (they apply to every point)."""
    out: dict[str | None, list[str]] = {}
    for piece in _split_outside_parens(text, re.compile(r"\s*;\s*")):
        m = _POINTS.search(piece)
        name = _tidy(_POINTS.sub("", piece))
        if not name:
            continue
        keys = re.split(r"\s*(?:,|và)\s*", m[1].lower()) if m else [None]
        for key in keys:
            out.setdefault(key, []).append(name)
    return {k: "; ".join(v) for k, v in out.items()}
