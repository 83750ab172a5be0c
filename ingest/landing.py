"""The landing zone: ``<landing>/<feed>/…`` files waiting to be loaded."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest.contract import Contract

IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")
# Files still being written, hidden files and office lock files ("~$bao_cao.xlsx") wait.
IGNORED_PREFIXES = (".", "~$")


@dataclass(frozen=True)
class LandingFile:
    path: Path
    feed: str
    kind: str  # csv | xlsx | jsonl
    observed_date: date | None
    problem: str | None = None  # set when the file must be refused without reading it
    unread: bool = False  # refused without even hashing it (outside the zone, not a file)

    @property
    def name(self) -> str:
        return self.path.name


def file_kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {
        ".csv": "csv",
        ".txt": "csv",
        ".tsv": "csv",
        ".xlsx": "xlsx",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
    }.get(suffix)


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
    """Files of one feed, oldest export first.

    Refused unread (a rejected batch naming the problem, the content never opened): anything
    whose real path leaves the landing zone (a symbolic link, or a link in a folder above it),
    broken links, and what is not a regular file (a FIFO would block a reader forever).
    """
    folder = landing_dir / contract.feed
    if not folder.is_dir():
        return []
    root = landing_dir.resolve()
    found: list[LandingFile] = []
    for path in sorted(folder.rglob("*")):
        if path.name.startswith(IGNORED_PREFIXES) or path.name.endswith(IGNORED_SUFFIXES):
            continue
        problem = None
        if not path.resolve().is_relative_to(root):
            problem = "symbolic link pointing outside the landing zone: refused, not read"
        elif path.is_dir():  # a folder (even one named like a file): its files are listed
            continue
        elif not path.exists():
            problem = "broken symbolic link: refused"
        elif not path.is_file():
            problem = "not a regular file (a FIFO, socket or device): refused, not read"
        unread = problem is not None
        kind = file_kind(path)
        if kind is None and problem is None:
            problem = f"unsupported file type '{path.suffix or '(none)'}'"
        elif kind is not None and kind not in contract.file_types and problem is None:
            problem = f"{kind} files are not accepted for feed {contract.feed}"
        found.append(
            LandingFile(
                path,
                contract.feed,
                kind or "unknown",
                observed_date(path.name, contract),
                problem,
                unread,
            )
        )
    found.sort(key=lambda f: (f.observed_date or date.max, f.path.name))
    return found


def fingerprint(file: LandingFile) -> tuple[str, int]:
    """The content's SHA-256 and size; for a file refused unread, a digest of its name and
    problem (and of a link's target text), so it is recorded once and never opened."""
    if not file.unread:
        return sha256(file.path)
    try:
        target = os.readlink(file.path) if file.path.is_symlink() else ""
    except OSError:
        target = ""
    text = f"refused unread\0{file.path.name}\0{target}\0{file.problem}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest(), 0


def stat_signature(file: LandingFile) -> str | None:
    """Device, inode, size, mtime and ctime of a readable file. Rewriting or replacing a file
    changes its ctime (which nothing can set back), so an equal signature means the content
    read before: a night re-reads only what is new, not the whole landing zone's history."""
    if file.unread:
        return None
    st = file.path.stat()
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
