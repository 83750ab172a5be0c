"""Where the warehouse is, how to connect to it, and the schemas every stage relies on."""

from __future__ import annotations

import os
import secrets
import subprocess
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql
from psycopg.abc import Params

from chiso import config
from chiso.embedded import EmbeddedPostgres

BI_ROLE = "chiso_bi"
SCHEMAS = ("raw", "audit", "staging", "intermediate", "marts")


def embedded(settings: config.Settings | None = None) -> EmbeddedPostgres:
    settings = settings or config.load()
    return EmbeddedPostgres(settings.home / "pg")


def url(settings: config.Settings | None = None, start: bool = True) -> str:
    """The warehouse URL: ``CHISO_WAREHOUSE_URL`` or the embedded server (started if asked)."""
    settings = settings or config.load()
    if settings.warehouse_url:
        return settings.warehouse_url
    server = embedded(settings)
    return server.start() if start else server.url()


def connect(dsn: str | None = None, **kwargs: Any) -> psycopg.Connection:
    conn = psycopg.connect(dsn or url(), **kwargs)
    # Source timestamps are local wall-clock times with no offset.
    conn.execute("set timezone = 'Asia/Ho_Chi_Minh'")
    if not kwargs.get("autocommit"):
        conn.commit()
    return conn


def url_parts(dsn: str) -> dict[str, str]:
    """Host, port, user, password and database of a URL, for tools that take them apart (dbt)."""
    parts = urlsplit(dsn)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or os.environ.get("USER", "postgres")),
        "password": unquote(parts.password or ""),
        "dbname": parts.path.lstrip("/") or "postgres",
    }


def bi_password(settings: config.Settings | None = None) -> str:
    """``CHISO_BI_PASSWORD``, or one generated once and kept beside the embedded server."""
    settings = settings or config.load()
    if os.environ.get("CHISO_BI_PASSWORD"):
        return os.environ["CHISO_BI_PASSWORD"]
    path = settings.home / "bi.password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(18))
        path.chmod(0o600)
    return path.read_text().strip()


def bi_url(dsn: str | None = None) -> str:
    p = url_parts(dsn or url())
    return f"postgresql://{BI_ROLE}:{bi_password()}@{p['host']}:{p['port']}/{p['dbname']}"


def bootstrap(conn: psycopg.Connection, settings: config.Settings | None = None) -> None:
    """Create schemas, audit tables and the BI role. Idempotent; safe to run on every start."""
    settings = settings or config.load()
    sql = resources.files("chiso").joinpath("sql/bootstrap.sql").read_text()
    with conn.transaction():
        # Serialise concurrent bootstraps (two runs starting at once).
        conn.execute("select pg_advisory_xact_lock(hashtext('chiso.bootstrap'))")
        conn.execute(sql)
        for schema in (*SCHEMAS, settings.candidate_schema):
            conn.execute(f'create schema if not exists "{schema}"')
        _ensure_bi_role(conn)


def _ensure_bi_role(conn: psycopg.Connection) -> None:
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (BI_ROLE,)).fetchone()
    can_create = conn.execute(
        "select rolcreaterole or rolsuper from pg_roles where rolname = current_user"
    ).fetchone()[0]
    if not exists and can_create:
        conn.execute(f"create role {BI_ROLE} login password {sql.quote(bi_password())}")
    elif exists and can_create:
        conn.execute(f"alter role {BI_ROLE} login password {sql.quote(bi_password())}")
    if not exists and not can_create:
        return  # A DBA creates the role on a managed server; publication still grants to it.
    dbname = conn.info.dbname
    conn.execute(f'grant connect on database "{dbname}" to {BI_ROLE}')
    conn.execute(f"grant usage on schema marts to {BI_ROLE}")
    conn.execute(f"alter default privileges in schema marts grant select on tables to {BI_ROLE}")


def psql(args: list[str], dsn: str | None = None) -> int:
    """Run psql against the warehouse (pgserver's psql, so no client needs installing)."""
    from chiso.embedded import _bin_dir

    binary = _bin_dir() / "psql"
    return subprocess.call([str(binary), dsn or url(), *args])


def scalar(
    conn: psycopg.Connection, query: str | sql.SQL | sql.Composed, params: Params | None = None
) -> Any:
    """The first column of the first row of a query that always returns a row (count(*),
    to_regclass(…) is not null, a role attribute): a missing row is a bug, said plainly."""
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise RuntimeError(f"query returned no row: {query!r}")
    return row[0]
