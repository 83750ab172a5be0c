"""Progress lines for long steps: one line per step with its counts, time and rate.

The pipeline reports through ``Run.progress`` (a callable taking one line); the CLI passes
``print`` unless ``--quiet``, the DAG passes nothing. Every line is also logged (chiso.progress).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: progress is imported before the heavy stages
    from chiso.dbt import DbtOutcome
    from chiso.publish import Publication
    from ingest.loader import LoadResult

log = logging.getLogger("chiso.progress")

Say = Callable[[str], None]


def say(callback: Say | None, text: str, quiet: bool = False) -> None:
    log.info(text)
    if callback is not None and not quiet:
        callback(text)


def rate(count: int, seconds: float, unit: str = "rows") -> str:
    per_second = count / seconds if seconds > 0 else 0
    return f"{seconds:.1f} s = {per_second:,.0f} {unit}/s"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def ingest_line(result: LoadResult) -> str:
    """One landing file (an ``ingest.loader.LoadResult``)."""
    name = f"{result.feed}/{result.file_name}"
    if result.status != "loaded":
        return f"ingest {name}: {result.status} — {result.message}"
    return (
        f"ingest {name}: {result.rows_loaded:,} loaded, {result.rows_rejected:,} rejected"
        f" of {result.rows_read:,} rows in {rate(result.rows_read, result.seconds)}"
    )


def ingest_total(results: list[LoadResult], seconds: float) -> str:
    loaded = [r for r in results if r.status == "loaded"]
    rows = sum(r.rows_read for r in loaded)
    skipped = sum(r.status == "skipped" for r in results)
    rejected_files = sum(r.status in ("rejected", "failed") for r in results)
    return (
        f"ingest: {plural(len(loaded), 'file')} loaded, {skipped:,} skipped,"
        f" {rejected_files:,} rejected; {sum(r.rows_loaded for r in loaded):,} rows loaded,"
        f" {sum(r.rows_rejected for r in loaded):,} rejected in {rate(rows, seconds)}"
    )


def build_line(outcome: DbtOutcome) -> str:
    """``dbt build``'s outcome (a ``chiso.dbt.DbtOutcome``)."""
    kinds = outcome.kinds or {}
    parts = [plural(kinds[k], k) for k in ("model", "test", "seed", "snapshot") if kinds.get(k)]
    nodes = sum(kinds.values())
    statuses = ", ".join(f"{n:,} {s}" for s, n in sorted(outcome.counts.items()))
    return (
        f"build: {', '.join(parts) or 'nothing to build'} in"
        f" {rate(nodes, outcome.seconds, 'nodes')}" + (f" ({statuses})" if statuses else "")
    )


def gate_line(passed: int, blocking: int, warning: int, seconds: float) -> str:
    total = passed + blocking + warning
    return (
        f"gate: {plural(total, 'check')} in {rate(total, seconds, 'checks')}:"
        f" {passed:,} passed, {blocking:,} blocking failed, {warning:,} warnings"
    )


def publish_line(pub: Publication, seconds: float) -> str:
    rows = sum(pub.row_counts.values())
    return (
        f"publish: version {pub.version} ({pub.schema}), {plural(len(pub.row_counts), 'mart')},"
        f" {rows:,} rows in {rate(rows, seconds)}"
    )


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    """``with timed() as elapsed: ...; elapsed()`` — seconds since the block started."""
    start = time.perf_counter()
    yield lambda: time.perf_counter() - start
