"""Plans into the plan_tasks and targets feeds: the same contracts, loader, rejects and audit.

A plan file is loaded as one batch of ``plan_tasks`` (its tasks) and, when it states targets,
one batch of ``targets``, each recorded in ``audit.load_batches`` under the plan's own file
name and SHA-256 (a plan imported twice is skipped, like any file). The feeds' contracts are
used as they are, with the plan reader as their reader hook: derive hooks read deadlines,
units and target values exactly as for CSV files, and every row they cannot read lands in
``audit.rejected_rows`` with the reason. Each import writes a review page
(``<docs>/plans/<file>.html``): per task, the text read and what it became, or why it was
rejected.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import psycopg
import pyarrow as pa

from ingest import contract as contracts
from ingest.landing import IGNORED_PREFIXES, IGNORED_SUFFIXES, LandingFile
from ingest.loader import Loader, LoadResult, ensure_raw_table
from ingest.pii import Hasher
from ingest.plans.document import PLAN_SUFFIXES, PlanFileError
from ingest.plans.parse import Plan, read_plan
from ingest.readers import Block, FileRejected, Source

FEEDS = ("plan_tasks", "targets")
LANDING_FOLDER = "plans"  # <landing>/plans/*.docx|*.txt


@lru_cache(maxsize=16)
def _plan(path: str, signature: tuple[int, int]) -> Plan:
    return read_plan(Path(path))


def plan_of(path: Path) -> Plan:
    """The plan read from ``path`` (read once per content version: both feeds share it)."""
    st = path.stat()
    try:
        return _plan(str(path), (st.st_mtime_ns, st.st_size))
    except PlanFileError as exc:
        raise FileRejected(str(exc)) from None


def _block(values: dict[str, list[str | None]], numbers: list[int]) -> Block:
    return Block(
        {k: pa.array(v, pa.string()) for k, v in values.items()},
        len(numbers),
        numbers[0] if numbers else 0,
        row_numbers=pa.array(numbers, pa.int64()),
    )


def read_plan_tasks(file: LandingFile, contract: contracts.Contract) -> Source:
    """Reader hook for plan files in the plan_tasks feed: one row per task read."""
    plan = plan_of(file.path)
    if not plan.tasks:
        raise FileRejected(
            "no tasks found: expected numbered tasks (1., 2.1., a), '-' bullets) under a section"
            " such as 'II. NHIỆM VỤ', or an appendix table with 'Nội dung/Nhiệm vụ' and 'Tiến độ"
            " thực hiện'"
        )
    values: dict[str, list[str | None]] = {
        k: []
        for k in (
            "plan_ref",
            "plan_date",
            "plan_title",
            "section",
            "task_number",
            "task_content",
            "expected_result",
            "timing_text",
            "lead_unit",
            "coordinating_units",
            "linked_index",
            "method",
            "province_name",
            "issuer",
            "timing_source",
            "lead_unit_source",
        )
    }
    for t in plan.tasks:
        row = {
            "plan_ref": plan.number,
            "plan_date": plan.date_text,
            "plan_title": plan.title,
            "section": t.section,
            "task_number": t.number,
            "task_content": t.content,
            "expected_result": t.expected_result,
            "timing_text": t.timing_text,
            "lead_unit": t.lead,
            "coordinating_units": t.coordinating,
            "linked_index": t.linked_index,
            "method": t.method,
            "province_name": plan.province,
            "issuer": plan.issuer,
            "timing_source": t.timing_source,
            "lead_unit_source": t.lead_source,
        }
        for k, v in row.items():
            values[k].append(v)
    return Source([], iter([_block(values, [t.line for t in plan.tasks])]))


def read_plan_targets(file: LandingFile, contract: contracts.Contract) -> Source:
    """Reader hook for plan files in the targets feed: one row per target read."""
    plan = plan_of(file.path)
    values: dict[str, list[str | None]] = {
        k: []
        for k in (
            "item_number",
            "indicator_name",
            "target_text",
            "target_year",
            "lead_unit",
            "coordinating_units",
            "province_name",
            "scope_unit",
            "plan_ref",
            "task_number",
        )
    }
    for g in plan.targets:
        row = {
            "item_number": g.item_number,
            "indicator_name": g.indicator_name,
            "target_text": g.target_text,
            "target_year": str(g.target_year) if g.target_year else None,
            "lead_unit": g.lead,
            "coordinating_units": g.coordinating,
            "province_name": plan.province,
            "scope_unit": g.scope_unit,
            "plan_ref": plan.number,
            "task_number": g.task_number,
        }
        for k, v in row.items():
            values[k].append(v)
    return Source([], iter([_block(values, [g.line for g in plan.targets])]))


_HOOKS = {
    "plan_tasks": "ingest.plans.load:read_plan_tasks",
    "targets": "ingest.plans.load:read_plan_targets",
}


@dataclass
class PlanImport:
    """What one plan file became: the plan read, a load result per feed, the review page."""

    path: Path
    plan: Plan | None
    results: list[LoadResult] = field(default_factory=list)
    review: Path | None = None
    problem: str | None = None


def _contract(feed: str) -> contracts.Contract:
    base = contracts.load(feed)
    return replace(base, reader=_HOOKS[feed], file_types=(*base.file_types, "plan"))


def _file(path: Path, feed: str, problem: str | None = None) -> LandingFile:
    from ingest.landing import observed_date

    observed = observed_date(path.name, contracts.load(feed))
    return LandingFile(path, feed, "plan", observed, problem, unread=False)


def import_plans(
    conn: psycopg.Connection,
    paths: list[Path],
    key: bytes,
    run_id: str | None,
    docs_dir: Path | None = None,
    code_version: str | None = None,
    on_result: Callable[[LoadResult], object] | None = None,
) -> list[PlanImport]:
    """Load each plan file into plan_tasks and targets; write its review page."""
    from ingest.plans.review import write_review

    hasher = Hasher(key)
    for feed in FEEDS:
        with conn.transaction():
            ensure_raw_table(conn, contracts.load(feed))
    docs = docs_dir or _docs_dir()
    out: list[PlanImport] = []
    for path in paths:
        path = Path(path)
        done = PlanImport(path, None)
        problem = None
        if path.suffix.lower() not in PLAN_SUFFIXES:
            problem = (
                f"unsupported plan file type '{path.suffix or '(none)'}': give a Word document"
                " (.docx) or its text (.txt)"
            )
        else:
            try:
                done.plan = plan_of(path)
            except FileRejected as exc:
                problem = str(exc)
        done.problem = problem
        feeds = FEEDS if done.plan is None or done.plan.targets else ("plan_tasks",)
        for feed in feeds:
            loader = Loader(conn, _contract(feed), hasher, run_id, code_version)
            result = loader.load(_file(path, feed, problem))
            done.results.append(result)
            if on_result:
                on_result(result)
        if done.plan is not None:
            done.review = write_review(conn, done, docs / "plans")
        out.append(done)
    return out


def _docs_dir() -> Path:
    from chiso import config

    return config.load().docs_dir


def landing_plans(landing_dir: Path) -> list[Path]:
    """Plan files waiting in ``<landing>/plans/`` (files being written and lock files wait)."""
    folder = landing_dir / LANDING_FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not p.name.startswith(IGNORED_PREFIXES)
        and not p.name.endswith(IGNORED_SUFFIXES)
    )


def import_landing(
    conn: psycopg.Connection,
    landing_dir: Path,
    key: bytes,
    run_id: str | None,
    code_version: str | None = None,
    on_result: Callable[[LoadResult], object] | None = None,
) -> list[LoadResult]:
    """The nightly ingest's step for plans dropped in the landing zone."""
    paths = landing_plans(landing_dir)
    if not paths:
        return []
    docs = Path(os.environ["CHISO_DOCS_DIR"]) if os.environ.get("CHISO_DOCS_DIR") else None
    imported = import_plans(conn, paths, key, run_id, docs, code_version, on_result)
    return [r for i in imported for r in i.results]
