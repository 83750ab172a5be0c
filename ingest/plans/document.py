"""A plan file as a sequence of lines: paragraphs and table rows, in document order.

Two forms are read: the Word document a province issues (``.docx``: paragraphs and tables, read
with python-docx) and the text form of the seed plans (``.txt``/``.md``: one paragraph a line;
a table row is a line of tab-separated cells whose text may carry HTML fragments such as
``<p>…</p>``, ``<ul><li>…</li></ul>``, as Word-to-web exporters leave them). Both become the
same :class:`Line` list, so one parser reads both.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

PLAN_SUFFIXES = (".docx", ".txt", ".md")


class PlanFileError(ValueError):
    """The file cannot be read as a plan (wrong type, broken document); the message says why."""


@dataclass(frozen=True)
class Line:
    """One paragraph (``cells`` None) or one table row (``cells`` set; ``text`` = cells joined)."""

    number: int  # 1-based: the line of a text file, the paragraph / table row of a document
    text: str
    cells: tuple[str, ...] | None = None

    @property
    def is_row(self) -> bool:
        return self.cells is not None


_BLOCK_TAGS = re.compile(r"</?(?:p|li|ul|ol|br|div|tr)\b[^>]*>", re.IGNORECASE)


def clean(text: str) -> str:
    """NFC, HTML fragments turned into line breaks and dropped, Markdown emphasis dropped,
    spaces folded (line breaks kept: a cell's paragraphs stay apart)."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    text = _BLOCK_TAGS.sub("\n", text)
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = re.sub(r"\*{1,3}", "", text)
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _text_lines(path: Path) -> list[Line]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"not UTF-8 text (byte {exc.start}); save the plan as UTF-8") from None
    out: list[Line] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" in line:
            cells = tuple(clean(c) for c in line.split("\t"))
            out.append(Line(number, " | ".join(c for c in cells if c), cells))
            continue
        line = re.sub(r"^#+\s*", "", clean(line))  # Markdown headings of exported text
        if line:
            out.append(Line(number, line))
    return out


def _docx_lines(path: Path) -> list[Line]:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - python-docx is in requirements.lock
        raise PlanFileError(f"python-docx is not installed: {exc}") from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise PlanFileError(f"not a readable Word document: {type(exc).__name__}: {exc}") from None
    out: list[Line] = []
    number = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            number += 1
            text = clean(Paragraph(child, document).text)
            if text:
                out.append(Line(number, text))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                number += 1
                cells: list[str] = []
                seen: list[object] = []
                for cell in row.cells:  # a merged cell is returned once per grid column
                    if any(cell._tc is s for s in seen):
                        continue
                    seen.append(cell._tc)
                    cells.append(clean("\n".join(p.text for p in cell.paragraphs)))
                out.append(Line(number, " | ".join(c for c in cells if c), tuple(cells)))
    return out


def read_lines(path: Path) -> list[Line]:
    """The plan's lines; raises :class:`PlanFileError` for a file that is not a plan."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_lines(path)
    if suffix in (".txt", ".md"):
        return _text_lines(path)
    raise PlanFileError(
        f"unsupported plan file type '{path.suffix or '(none)'}': give a Word document (.docx)"
        " or its text (.txt)"
    )
