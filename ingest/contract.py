"""Feed contracts: the declared mapping from source headers to canonical, typed columns.

One YAML file per feed in ``ingest/contracts/``. Code never hard-codes a source header:
a new province's export with other labels is a contract change, not a code change.

The classes below are the contract's schema (pydantic dataclasses, ``extra="forbid"``): a key
that is not a field is an error naming the file, the line and the allowed keys, raised when
the contract is loaded (``chiso ingest`` loads every contract before it reads any file). A new
key is one field with a default on :class:`Column` or :class:`Contract`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

import yaml
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from pydantic.dataclasses import dataclass

ColumnType = Literal["text", "int", "code", "bool", "timestamp", "date", "decimal", "pii"]
TYPES = frozenset(get_args(ColumnType))
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
# "plan": a plan document (.docx, text) that ingest/plans reads into the plan_tasks and targets
# feeds; no contract lists it, the plan reader adds it to the two feeds it fills.
FileType = Literal["csv", "xlsx", "jsonl", "plan"]


TEXT_MAX = 10_000  # characters; a longer text value is a broken export, not data
_RULE = re.compile(
    r"^(?P<left>\w+)\s*(?P<op><=|>=|<|>|=|!=)\s*(?P<right>\d{4}-\d\d-\d\d|\w+)"
    r"(?:\s*(?P<sign>[+-])\s*(?P<days>\d+)\s*days?)?$"
)
_RULE_FORM = "'column op column|observed_date|YYYY-MM-DD [+|- N days]' (op: < <= > >= = !=)"
_NESTED = re.compile(r"^(count|(any|count_true|last) \w+)$")
_NAME = r"^[a-z_][a-z0-9_]*$"  # column and feed names become SQL identifiers, unquoted in dbt
_HOOK = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"
# Contracts are written by hand: a misspelt key fails (forbid), and "2025" as a header is a
# header (numbers read as text), but nothing else is coerced silently.
_SCHEMA = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class ContractError(ValueError):
    """A contract that cannot be used; the message starts with ``<file>:<line>:``."""


class _At(ValueError):
    """A problem found across fields, at ``loc`` below the object that raised it."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


@dataclass(frozen=True, config=_SCHEMA)
class Rule:
    """A check across columns of one row, e.g. ``processed_at >= received_at``.

    ``left`` is a column; ``right`` a column, ``observed_date`` (the export date the file speaks
    for) or an ISO date, optionally ``+ N days``. A row whose values make the check false is
    rejected with ``reason`` (as a wrong value of ``left``); a missing value passes. In YAML a
    rule is ``{check, reason}``; the other attributes are read from ``check``.
    """

    check: str
    reason: Annotated[str, Field(min_length=1)]
    left: str = dataclasses.field(init=False, default="")
    op: str = dataclasses.field(init=False, default="")
    right: str = dataclasses.field(init=False, default="")
    days: int = dataclasses.field(init=False, default=0)

    @field_validator("check")
    @classmethod
    def _readable(cls, check: str) -> str:
        if not _RULE.match(check.strip()):
            raise ValueError(f"cannot read check {check!r}: write it as {_RULE_FORM}")
        return check

    def __post_init__(self) -> None:
        m = _RULE.match(self.check.strip())
        assert m is not None  # checked by _readable
        days = int(m["days"] or 0) * (-1 if m["sign"] == "-" else 1)
        for name, value in (("left", m["left"]), ("op", m["op"]), ("right", m["right"])):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "days", days)

    def columns(self) -> list[str]:
        """The sides that name columns (not ``observed_date`` or a date)."""
        return [s for s in (self.left, self.right) if s != "observed_date" and not s[:1].isdigit()]


def header_key(text: str) -> str:
    """Fold a header for matching: 'Mã hồ sơ', 'MaHoSo' and 'ma_ho_so' all give 'mahoso'."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", text.casefold())


@dataclass(frozen=True, config=_SCHEMA)
class Column:
    name: Annotated[str, Field(pattern=_NAME)]
    type: ColumnType
    headers: tuple[str, ...] = ()  # source labels besides the name itself
    required: bool = False  # a row without a value is rejected; a file without it too
    codes: tuple[int, ...] = ()  # code: the allowed values
    description: str = ""
    max_length: Annotated[int, Field(gt=0)] | None = None  # text: longer values reject the row

    def __post_init__(self) -> None:
        if self.type == "code" and not self.codes:
            raise _At(("codes",), "a code column needs its code list (codes: [1, 2, ...])")

    @property
    def stored_name(self) -> str:
        """Personal data is stored only as a keyed hash, under a name that says so."""
        return f"{self.name}_hash" if self.type == "pii" else self.name

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    def label(self) -> str:
        return f"{self.name} ({' / '.join(self.headers[:3])})"


@dataclass(frozen=True, config=_SCHEMA)
class Contract:
    feed: Annotated[str, Field(pattern=_NAME)]  # the file's name: contracts/<feed>.yml
    columns: Annotated[tuple[Column, ...], Field(min_length=1)]
    description: str = ""
    file_types: tuple[FileType, ...] = ("csv",)
    # The export date a file speaks for, from its name: groups y, m and d.
    observed_date_pattern: str | None = None
    # JSON Lines: nested list → {derived column: count | any F | count_true F | last F}
    nested: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    # Feed-specific code, named as "module:function" (see ingest/hooks.py for the contracts):
    reader: str | None = None  # replaces the generic reader
    derive: str | None = None  # adds columns computed from several source columns
    rules: tuple[Rule, ...] = ()  # checks across columns of a row (see Rule)

    @field_validator("reader", "derive")
    @classmethod
    def _hook(cls, ref: str | None) -> str | None:
        if ref is not None and not re.match(_HOOK, ref):
            raise ValueError(f"{ref!r}: write a hook as 'module:function'")
        return ref

    @field_validator("observed_date_pattern")
    @classmethod
    def _date_groups(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                groups = set(re.compile(pattern).groupindex)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
            if not {"y", "m", "d"} <= groups:
                raise ValueError("the pattern needs the named groups (?P<y>…), (?P<m>…), (?P<d>…)")
        return pattern

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise _At(("columns", i, "name"), f"column {name} is declared twice")
        for i, rule in enumerate(self.rules):
            unknown = [s for s in rule.columns() if s not in names]
            if unknown:
                raise _At(
                    ("rules", i, "check"), f"rule {rule.check!r} names unknown column {unknown[0]}"
                )
            if rule.left not in names:
                raise _At(
                    ("rules", i, "check"), f"rule {rule.check!r}: the left side must be a column"
                )
        for list_key, derived in self.nested.items():
            for column, how in derived.items():
                if column not in names:
                    raise _At(("nested", list_key, column), f"nested: unknown column {column}")
                if not _NESTED.match(how):
                    raise _At(
                        ("nested", list_key, column),
                        f"nested rule {how!r}: expected count | any F | count_true F | last F",
                    )

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


# -- reading a contract file ------------------------------------------------------------------
def parse(text: str, source: str, feed: str | None = None) -> Contract:
    """The contract in ``text`` (YAML); errors name ``source`` and the line in it."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{mark.line + 1}: column {mark.column + 1}:" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContractError(f"{source}:{at} not valid YAML: {problem}") from None
    if not isinstance(data, dict) or root is None:
        raise ContractError(f"{source}:1: a contract is a mapping (feed:, columns:, ...)")
    try:
        contract = _SCHEMA_OF_CONTRACT.validate_python(data)
    except ValidationError as exc:
        # An unknown key first: a misspelt required key also reports that key as missing.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "unexpected_keyword_argument")
        problems = [_describe(err, root, source) for err in errors]
        raise ContractError("\n".join(problems)) from None
    if feed is not None and contract.feed != feed:
        raise ContractError(
            f"{source}:{_line(root, ('feed',))}: feed: {contract.feed} differs from the file "
            f"name ({feed}.yml)"
        )
    return contract


def _describe(err: Any, root: yaml.Node, source: str) -> str:
    """One line: ``<file>:<line>: <where>: <what>`` for one pydantic error."""
    loc = tuple(err["loc"]) + getattr(err.get("ctx", {}).get("error"), "loc", ())
    kind = err["type"]
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):
        owner = _model_at(loc[:-1])
        allowed = ", ".join(f.name for f in dataclasses.fields(owner) if f.init) if owner else ""
        what = f"unknown key {loc[-1]!r} (allowed keys: {allowed})"
        where = loc[:-1]
    elif kind in ("missing", "missing_argument"):
        what, where = f"missing key {loc[-1]!r}", loc[:-1]
    else:
        error = err.get("ctx", {}).get("error")
        if isinstance(error, ValueError):
            what = str(error)
        else:
            got = err.get("input")
            what = err["msg"] + (f" (got {got!r})" if isinstance(got, str | int | float) else "")
        where = loc
    place = _where(where, root)
    return f"{source}:{_line(root, loc)}: {place + ': ' if place else ''}{what}"


def _where(loc: tuple[Any, ...], root: yaml.Node) -> str:
    """'columns[3] (received_at)' rather than a bare path: name the column when there is one."""

    def path(parts: tuple[Any, ...]) -> str:
        return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")

    if len(loc) >= 2 and loc[0] == "columns" and isinstance(loc[1], int):
        node = _node(root, loc[:2])
        name = _value(node, "name") if isinstance(node, yaml.MappingNode) else None
        if name:
            return f"{path(loc[:2])} ({name})" + (f", {path(loc[2:])}" if loc[2:] else "")
    return path(loc)


def _node(root: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node:
    """The deepest YAML node on the path ``loc``; for a key, the key itself (its value may
    span lines below it)."""
    node = root
    for depth, part in enumerate(loc, 1):
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == str(part)), None)
            if match is None:
                break
            node = match[0] if depth == len(loc) else match[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            break
    return node


def _line(root: yaml.Node, loc: tuple[Any, ...]) -> int:
    return _node(root, loc).start_mark.line + 1


def _value(node: yaml.MappingNode, key: str) -> str | None:
    return next((str(v.value) for k, v in node.value if k.value == key), None)


def _model_at(loc: tuple[Any, ...]) -> type | None:
    """The schema class of the object at ``loc`` (Contract, Column, Rule)."""
    owner: Any = Contract
    for part in loc:
        if isinstance(part, int):
            continue
        if not dataclasses.is_dataclass(owner):
            return None
        hint = get_type_hints(owner, include_extras=False).get(part)
        while get_origin(hint) is not None and not dataclasses.is_dataclass(hint):
            args = [a for a in get_args(hint) if a is not Ellipsis and a is not type(None)]
            hint = args[0] if args else None
        owner = hint
    return owner if isinstance(owner, type) and dataclasses.is_dataclass(owner) else None


_SCHEMA_OF_CONTRACT = TypeAdapter(Contract)


def _shown(path: Traversable) -> str:
    """The contract's path as a user can open it: relative to the working directory if inside."""
    full = Path(str(path))
    try:
        return os.path.relpath(full) if full.resolve().is_relative_to(Path.cwd()) else str(full)
    except ValueError:
        return str(full)


@cache
def load(feed: str) -> Contract:
    path = resources.files("ingest").joinpath(f"contracts/{feed}.yml")
    if not path.is_file():
        raise KeyError(f"no contract for feed '{feed}' (expected ingest/contracts/{feed}.yml)")
    return parse(path.read_text(encoding="utf-8"), _shown(path), feed)


def feeds() -> list[str]:
    folder = resources.files("ingest").joinpath("contracts")
    return sorted(p.name.removesuffix(".yml") for p in folder.iterdir() if p.name.endswith(".yml"))
