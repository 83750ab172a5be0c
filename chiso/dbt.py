"""Running dbt in-process (dbt's Python API) against the warehouse."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from psycopg import sql

from chiso import config, warehouse

log = logging.getLogger("chiso.dbt")
DOCS_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")


class DbtError(RuntimeError):
    pass


@dataclass
class DbtOutcome:
    command: str
    success: bool
    failures: list[str]  # "model.chiso.x: error text" / "test ...: N failing rows"
    counts: dict[str, int]
    kinds: dict[str, int] = field(default_factory=dict)  # nodes run by type: model, test, seed
    seconds: float = 0.0


@contextmanager
def _env(dsn: str, settings: config.Settings, as_of: datetime | None) -> Iterator[None]:
    """dbt reads its connection from env vars (profiles.yml); set them only for the call.

    The cut-off travels as CHISO_AS_OF too: as a --var it would change every night and make
    dbt re-parse the whole project.
    """
    parts = warehouse.url_parts(dsn)
    values = {
        "CHISO_DB_HOST": parts["host"],
        "CHISO_DB_PORT": parts["port"],
        "CHISO_DB_USER": parts["user"],
        "CHISO_DB_PASSWORD": parts["password"],
        "CHISO_DB_NAME": parts["dbname"],
        "CHISO_CANDIDATE_SCHEMA": settings.candidate_schema,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "CHISO_AS_OF": as_of.isoformat() if as_of is not None else None,
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    for k in (k for k, v in values.items() if v is None):
        os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run(
    command: list[str],
    dsn: str,
    as_of: datetime | None = None,
    settings: config.Settings | None = None,
    quiet: bool = False,
) -> DbtOutcome:
    from dbt.cli.main import dbtRunner  # heavy import: only when dbt actually runs

    settings = settings or config.load()
    dbt_vars: dict = {"home_province_code": settings.home_province}
    command = list(command)
    if "--vars" in command:  # the caller's vars win over chiso's, in one --vars argument
        at = command.index("--vars")
        dbt_vars.update(yaml.safe_load(command[at + 1]) or {})
        del command[at : at + 2]
    args = [
        *command,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target-path",
        str(settings.dbt_target_dir),
        "--log-path",
        str(settings.dbt_log_dir),
    ]
    args += ["--vars", json.dumps(dbt_vars)]
    if quiet:
        args += ["--quiet"]  # errors still print; the outcome's counts give the summary
    started = time.perf_counter()
    with _env(dsn, settings, as_of):
        result = dbtRunner().invoke(args)
    seconds = time.perf_counter() - started
    failures: list[str] = []
    counts: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for node in getattr(result.result, "results", None) or []:
        status = str(node.status)
        counts[status] = counts.get(status, 0) + 1
        kind = str(getattr(node.node, "resource_type", "node"))
        kinds[kind] = kinds.get(kind, 0) + 1
        if status in ("error", "fail", "runtime error"):
            failures.append(f"{node.node.unique_id}: {(node.message or status).splitlines()[0]}")
    if result.exception is not None:
        failures.append(f"dbt {command[0]}: {result.exception}")
    return DbtOutcome(command[0], bool(result.success), failures, counts, kinds, seconds)


def build(
    dsn: str,
    as_of: datetime,
    settings: config.Settings | None = None,
    quiet: bool = False,
    full_refresh: bool = False,
) -> DbtOutcome:
    """``dbt build``: seeds, models and their tests, in dependency order.

    Seeds (and their tests) are reloaded only when their files changed since the warehouse last
    loaded them: a night then costs what its new data costs, not a reload of reference data.
    When they did change, every model is rebuilt (``--full-refresh``): holidays, legal
    durations and code lists decide verdicts that incremental models otherwise keep.
    ``full_refresh`` rebuilds incremental models from all of raw (after a model changed shape).
    """
    settings = settings or config.load()
    seeds = _seeds_digest(settings)
    loaded = _loaded_seeds_digest(dsn)
    # dbt's unit tests check the SQL, not the night's data: they run in CI (``unit_tests``).
    args = ["build", "--exclude-resource-type", "unit_test"]
    if loaded == seeds and not full_refresh:
        # The seeds and the tests declared beside them (seeds/*.yml): same files, same verdict.
        args += ["--exclude", "path:seeds"]
    elif full_refresh or loaded is not None:
        if not full_refresh:
            log.warning("reference seeds changed since the last build: rebuilding every model")
        args.append("--full-refresh")
    outcome = run(args, dsn, as_of, settings, quiet)
    if not outcome.success:
        raise DbtError("dbt build failed: " + "; ".join(outcome.failures[:5]))
    if "--full-refresh" in args or loaded is None:
        _vacuum_analyze(dsn, settings)
    _record_seeds_digest(dsn, seeds)
    docs(dsn, as_of, settings)
    return outcome


def unit_tests(dsn: str, settings: config.Settings | None = None) -> DbtOutcome:
    """dbt's unit tests (fixed inputs, expected rows) against a built warehouse."""
    return run(["test", "--select", "test_type:unit"], dsn, None, settings, quiet=True)


def docs(
    dsn: str, as_of: datetime | None = None, settings: config.Settings | None = None
) -> Path | None:
    """dbt's documentation site into ``<docs_dir>/dbt`` (``static_index.html`` opens offline).

    Runs after each successful build, reusing its manifest (``--no-compile``). A failure here
    must not fail the nightly build: it is logged as a warning and None is returned.
    """
    settings = settings or config.load()
    try:
        outcome = run(
            ["docs", "generate", "--no-compile", "--static"], dsn, as_of, settings, quiet=True
        )
        if not outcome.success:
            raise DbtError("; ".join(outcome.failures) or "dbt docs generate failed")
        out = settings.docs_dir / "dbt"
        out.mkdir(parents=True, exist_ok=True)
        for name in DOCS_FILES:
            if (settings.dbt_target_dir / name).exists():
                shutil.copy2(settings.dbt_target_dir / name, out / name)
        return out
    except Exception as exc:  # documentation is a by-product: never fail the build for it
        log.warning(
            "dbt docs were not generated (the build itself succeeded): %s: %s",
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
        )
        return None


def _vacuum_analyze(dsn: str, settings: config.Settings) -> None:
    """After a rebuild: planner statistics (`create table as` leaves none, and the next night's
    "newer than the watermark" filters would be planned as full scans) and the visibility map
    (index-only scans for the gate's counts; no autovacuum pass over millions of new rows
    during the next night)."""
    schemas = ["intermediate", settings.candidate_schema]
    with warehouse.connect(dsn, autocommit=True) as conn:
        tables = conn.execute(
            "select schemaname, tablename from pg_tables where schemaname = any(%s)", (schemas,)
        ).fetchall()
        for schema, table in tables:
            conn.execute(
                sql.SQL("vacuum (analyze) {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
            )


def _seeds_digest(settings: config.Settings) -> str:
    digest = hashlib.sha256()
    for path in sorted((settings.dbt_project_dir / "seeds").rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# The digest lives on the warehouse's `reference` schema, so each warehouse (and each test
# database) knows which seed files it holds.
def _loaded_seeds_digest(dsn: str) -> str | None:
    with warehouse.connect(dsn) as conn:
        row = conn.execute(
            "select obj_description(oid, 'pg_namespace') from pg_namespace"
            " where nspname = 'reference'"
        ).fetchone()
    text = (row[0] or "") if row else ""
    return text.removeprefix("chiso seeds sha256: ") if text.startswith("chiso seeds") else None


def _record_seeds_digest(dsn: str, digest: str) -> None:
    with warehouse.connect(dsn, autocommit=True) as conn:
        conn.execute(f"comment on schema reference is 'chiso seeds sha256: {digest}'")
