"""Ingest every feed's new landing files. Entry point for the CLI and the Airflow task."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from ingest import contract as contracts
from ingest.landing import discover
from ingest.loader import Loader, LoadResult, ensure_raw_table
from ingest.pii import Hasher


class IngestError(RuntimeError):
    pass


def ingest(
    conn: psycopg.Connection,
    landing_dir: Path,
    key: bytes,
    run_id: str | None,
    feeds: list[str] | None = None,
    code_version: str | None = None,
    on_result: Callable[[LoadResult], object] | None = None,
) -> list[LoadResult]:
    """Load all new files of the given feeds (default: every feed with a contract)."""
    hasher = Hasher(key)
    results: list[LoadResult] = []
    # Every contract first: a mistake in one stops the run before any file is loaded.
    for contract in [contracts.load(feed) for feed in feeds or contracts.feeds()]:
        feed = contract.feed
        with conn.transaction():
            ensure_raw_table(conn, contract)
        loader = Loader(conn, contract, hasher, run_id, code_version)
        for file in discover(landing_dir, contract):
            try:
                result = loader.load(file)
            except Exception as exc:
                raise IngestError(
                    f"ingest failed on {feed}/{file.name}: "
                    f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                ) from exc
            results.append(result)
            if on_result:
                on_result(result)
    if feeds is None:  # plans dropped in <landing>/plans feed plan_tasks and targets
        from ingest.plans.load import import_landing

        results += import_landing(conn, landing_dir, key, run_id, code_version, on_result)
    return results
