"""Feed contracts: the declared mapping from source headers to canonical, typed columns.

One YAML file per feed in ``ingest/contracts/``. Code never hard-codes a source header:
a new province's export with other labels is a contract change, not a code change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

TYPES = {"text", "int", "code", "bool", "timestamp", "date", "decimal", "pii"}
SQL_TYPES = {
    "text": "text",
    "int": "integer",
    "code": "smallint",
    "bool": "boolean",
    "timestamp": "timestamptz",
    "date": "date",
    "decimal": "numeric",
    "pii": "text",
}


TEXT_MAX = 10_000  # characters; a longer text value is a broken export, not data
_RULE = re.compile(
    r"^(?P<left>\w+)\s*(?P<op><=|>=|<|>|=|!=)\s*(?P<right>\d{4}-\d\d-\d\d|\w+)"
    r"(?:\s*(?P<sign>[+-])\s*(?P<days>\d+)\s*days?)?$"
)


@dataclass(frozen=True)
class Rule:
    """A check across columns of one row, e.g. ``processed_at >= received_at``.

    ``left`` is a column; ``right`` a column, ``observed_date`` (the export date the file speaks
    for) or an ISO date, optionally ``+ N days``. A row whose values make the check false is
    rejected with ``reason`` (as a wrong value of ``left``); a missing value passes.
    """

    check: str
    reason: str
    left: str
    op: str
    right: str
    days: int = 0


def header_key(text: str) -> str:
    """Fold a header for matching: 'Mã hồ sơ', 'MaHoSo' and 'ma_ho_so' all give 'mahoso'."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", text.casefold())


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    headers: tuple[str, ...]
    required: bool = False
    codes: tuple[int, ...] = ()
    description: str = ""
    max_length: int | None = None  # text: longer values reject the row (default TEXT_MAX)

    @property
    def stored_name(self) -> str:
        """Personal data is stored only as a keyed hash, under a name that says so."""
        return f"{self.name}_hash" if self.type == "pii" else self.name

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    def label(self) -> str:
        return f"{self.name} ({' / '.join(self.headers[:3])})"


@dataclass(frozen=True)
class Contract:
    feed: str
    description: str
    columns: tuple[Column, ...]
    file_types: tuple[str, ...] = ("csv",)
    observed_date_pattern: str | None = None
    nested: dict = field(default_factory=dict)  # JSON Lines: nested list → derived columns
    # Feed-specific code, named as "module:function" (see ingest/hooks.py for the contracts):
    reader: str | None = None  # replaces the generic reader (e.g. wide tables → long rows)
    derive: str | None = None  # adds columns computed from several source columns
    rules: tuple[Rule, ...] = ()  # checks across columns of a row (see Rule)

    @property
    def table(self) -> str:
        return f"raw.{self.feed}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def match_headers(self, headers: list[str]) -> tuple[dict[str, int], list[str]]:
        """Map canonical column → position in the source; also return unused source headers."""
        by_key: dict[str, str] = {}
        for col in self.columns:
            for h in (col.name, *col.headers):
                by_key.setdefault(header_key(h), col.name)
        mapping: dict[str, int] = {}
        unused: list[str] = []
        for pos, raw in enumerate(headers):
            name = by_key.get(header_key(raw or ""))
            if name and name not in mapping:
                mapping[name] = pos
            else:
                unused.append(raw)
        return mapping, unused

    def missing_required(self, mapping: dict[str, int]) -> list[Column]:
        return [c for c in self.columns if c.required and c.name not in mapping]


def _parse(data: dict) -> Contract:
    columns = []
    for c in data["columns"]:
        if c["type"] not in TYPES:
            raise ValueError(
                f"contract {data['feed']}: column {c['name']} has unknown type {c['type']}"
            )
        columns.append(
            Column(
                name=c["name"],
                type=c["type"],
                headers=tuple(c.get("headers", ())),
                required=bool(c.get("required", False)),
                codes=tuple(c.get("codes", ())),
                description=c.get("description", ""),
                max_length=c.get("max_length"),
            )
        )
    names = {c.name for c in columns}
    rules = tuple(_parse_rule(data["feed"], r, names) for r in data.get("rules", ()))
    return Contract(
        feed=data["feed"],
        description=data.get("description", ""),
        columns=tuple(columns),
        file_types=tuple(data.get("file_types", ("csv",))),
        observed_date_pattern=data.get("observed_date_pattern"),
        nested=data.get("nested", {}),
        reader=data.get("reader"),
        derive=data.get("derive"),
        rules=rules,
    )


def _parse_rule(feed: str, data: dict, names: set[str]) -> Rule:
    m = _RULE.match(str(data.get("check", "")).strip())
    if not m or not data.get("reason"):
        raise ValueError(
            f"contract {feed}: rule {data!r} must be {{check: 'column op column|"
            "observed_date|YYYY-MM-DD [+|- N days]', reason: '...'}"
        )
    right = m["right"]
    for side in (m["left"], right):
        if side not in names and side != "observed_date" and not side[:1].isdigit():
            raise ValueError(f"contract {feed}: rule '{data['check']}' names unknown column {side}")
    if m["left"] not in names:
        raise ValueError(f"contract {feed}: rule '{data['check']}': the left side must be a column")
    days = int(m["days"] or 0) * (-1 if m["sign"] == "-" else 1)
    return Rule(data["check"], data["reason"], m["left"], m["op"], right, days)


@cache
def load(feed: str) -> Contract:
    path = resources.files("ingest").joinpath(f"contracts/{feed}.yml")
    if not path.is_file():
        raise KeyError(f"no contract for feed '{feed}' (expected ingest/contracts/{feed}.yml)")
    return _parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def feeds() -> list[str]:
    folder = resources.files("ingest").joinpath("contracts")
    return sorted(p.name.removesuffix(".yml") for p in folder.iterdir() if p.name.endswith(".yml"))
