"""The landing zone: ``<landing>/<feed>/…`` files waiting to be loaded."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest.contract import Contract

IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")


@dataclass(frozen=True)
class LandingFile:
    path: Path
    feed: str
    kind: str  # csv | xlsx | jsonl
    observed_date: date | None
    problem: str | None = None  # set when the file must be refused without reading it

    @property
    def name(self) -> str:
        return self.path.name


def file_kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl",
            ".ndjson": "jsonl"}.get(suffix)


def observed_date(name: str, contract: Contract) -> date | None:
    if not contract.observed_date_pattern:
        return None
    for m in re.finditer(contract.observed_date_pattern, name):
        try:
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
    return None


def discover(landing_dir: Path, contract: Contract) -> list[LandingFile]:
    """Files of one feed, oldest export first. Symlinks leaving the zone are refused unread."""
    folder = landing_dir / contract.feed
    if not folder.is_dir():
        return []
    root = landing_dir.resolve()
    found: list[LandingFile] = []
    for path in sorted(folder.rglob("*")):
        if path.name.startswith(".") or path.name.endswith(IGNORED_SUFFIXES):
            continue
        if path.is_dir():
            continue
        problem = None
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            problem = "symbolic link pointing outside the landing zone: refused, not read"
        kind = file_kind(path)
        if kind is None and problem is None:
            problem = f"unsupported file type '{path.suffix or '(none)'}'"
        elif kind is not None and kind not in contract.file_types and problem is None:
            problem = f"{kind} files are not accepted for feed {contract.feed}"
        found.append(LandingFile(path, contract.feed, kind or "unknown",
                                 observed_date(path.name, contract), problem))
    found.sort(key=lambda f: (f.observed_date or date.max, f.path.name))
    return found


def sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
