"""Write-audit-publish: audited candidate tables become a numbered version that ``marts`` shows.

``marts`` holds only views; each points at ``marts_v<N>.<table>``, a frozen copy of the audited
candidate. Publishing copies the candidate into a new version schema and repoints every view in
one transaction (PostgreSQL DDL is transactional), so a BI query sees the old version or the
new one, never a mix. The last ``keep`` versions stay for ``chiso publish --rollback``.
The BI role reads the views only: views run with their owner's rights, so it needs no access
to the version schemas, the candidate, raw or audit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import psycopg
from psycopg import sql

from chiso.warehouse import BI_ROLE

LOCK_TIMEOUT = "15s"  # do not wait forever behind a long BI query; fail and say so


class PublishError(RuntimeError):
    pass


@dataclass
class Publication:
    version: int
    schema: str
    action: str
    row_counts: dict[str, int]


def version_schema(version: int) -> str:
    return f"marts_v{version:06d}"


def current(conn: psycopg.Connection) -> tuple[int, str] | None:
    row = conn.execute(
        "select version, schema_name from audit.publications order by publication_id desc limit 1"
    ).fetchone()
    return (row[0], row[1]) if row else None


def _tables(conn: psycopg.Connection, schema: str) -> list[str]:
    rows = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('r', 'p') order by 1",
        (schema,),
    ).fetchall()
    return [r[0] for r in rows]


def _schemas_like(conn: psycopg.Connection, prefix: str) -> list[str]:
    rows = conn.execute(
        "select nspname from pg_namespace where nspname like %s order by 1", (prefix + "%",)
    ).fetchall()
    return [r[0] for r in rows]


def _point_views(conn: psycopg.Connection, schema: str, tables: list[str]) -> None:
    """Make ``marts`` show exactly ``tables`` of ``schema``, with their comments."""
    existing = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'marts' and c.relkind = 'v'"
    ).fetchall()
    for (name,) in existing:
        conn.execute(sql.SQL("drop view marts.{}").format(sql.Identifier(name)))
    for table in tables:
        src = sql.Identifier(schema, table)
        view = sql.Identifier("marts", table)
        conn.execute(sql.SQL("create view {} as select * from {}").format(view, src))
        conn.execute(sql.SQL("grant select on {} to {}").format(view, sql.Identifier(BI_ROLE)))
        _copy_comments(conn, schema, "marts", table, "view")


def _copy_comments(
    conn: psycopg.Connection, source: str, target: str, table: str, kind: str
) -> None:
    """BI tools show PostgreSQL comments: carry dbt's descriptions along with the data."""
    src = f'"{source}"."{table}"'
    rel = conn.execute("select obj_description(to_regclass(%s), 'pg_class')", (src,)).fetchone()[0]
    if rel:
        conn.execute(
            sql.SQL("comment on {} {} is {}").format(
                sql.SQL(kind), sql.Identifier(target, table), sql.Literal(rel)
            )
        )
    cols = conn.execute(
        "select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a"
        " where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped"
        " and col_description(a.attrelid, a.attnum) is not null",
        (src,),
    ).fetchall()
    for col, text in cols:
        conn.execute(
            sql.SQL("comment on column {} is {}").format(
                sql.Identifier(target, table, col), sql.Literal(text)
            )
        )


def _role_exists(conn: psycopg.Connection) -> bool:
    return bool(conn.execute("select 1 from pg_roles where rolname = %s", (BI_ROLE,)).fetchone())


def publish(
    conn: psycopg.Connection,
    candidate: str,
    run_id: str,
    keep: int,
    checks_passed: int,
    checks_warned: int,
    code_version: str,
) -> Publication:
    """Copy the audited candidate into a new version and make ``marts`` show it."""
    if not _role_exists(conn):
        raise PublishError(f"role {BI_ROLE} does not exist: create it (see README) first")
    with conn.transaction():
        conn.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
        conn.execute("select pg_advisory_xact_lock(hashtext('chiso.publish'))")
        tables = _tables(conn, candidate)
        if not tables:
            raise PublishError(f"candidate schema '{candidate}' has no tables to publish")
        version = conn.execute(
            "select coalesce(max(version), 0) + 1 from audit.publications"
        ).fetchone()[0]
        schema = version_schema(version)
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        counts: dict[str, int] = {}
        for table in tables:
            # The copy's command tag counts its rows: no second pass over the new table.
            counts[table] = conn.execute(
                sql.SQL("create table {} as table {}").format(
                    sql.Identifier(schema, table), sql.Identifier(candidate, table)
                )
            ).rowcount
            _copy_comments(conn, candidate, schema, table, "table")
        _point_views(conn, schema, tables)
        _record(
            conn,
            version,
            "publish",
            schema,
            run_id,
            counts,
            checks_passed,
            checks_warned,
            code_version,
        )
        _prune(conn, keep, version)
    return Publication(version, schema, "publish", counts)


def rollback(conn: psycopg.Connection, run_id: str, code_version: str) -> Publication:
    """Point ``marts`` back at the version published before the current one."""
    with conn.transaction():
        conn.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
        conn.execute("select pg_advisory_xact_lock(hashtext('chiso.publish'))")
        now = current(conn)
        if now is None:
            raise PublishError("nothing has been published yet: nothing to roll back to")
        kept = {int(s.removeprefix("marts_v")) for s in _schemas_like(conn, "marts_v")}
        older = sorted(v for v in kept if v < now[0])
        if not older:
            raise PublishError(
                f"version {now[0]} is the oldest kept: no earlier version to "
                "restore (raise CHISO_KEEP_VERSIONS to keep more)"
            )
        version = older[-1]
        schema = version_schema(version)
        tables = _tables(conn, schema)
        _point_views(conn, schema, tables)
        counts = {
            t: conn.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(schema, t))
            ).fetchone()[0]
            for t in tables
        }
        _record(conn, version, "rollback", schema, run_id, counts, None, None, code_version)
    return Publication(version, schema, "rollback", counts)


def _record(
    conn: psycopg.Connection,
    version: int,
    action: str,
    schema: str,
    run_id: str,
    counts: dict[str, int],
    passed: int | None,
    warned: int | None,
    code_version: str,
) -> None:
    conn.execute(
        "insert into audit.publications (version, action, schema_name, run_id, row_counts,"
        " checks_passed, checks_warned, code_version) values (%s, %s, %s, %s, %s, %s, %s, %s)",
        (version, action, schema, run_id, json.dumps(counts), passed, warned, code_version),
    )


def _prune(conn: psycopg.Connection, keep: int, current_version: int) -> None:
    """Keep the ``keep`` newest versions (the current one always among them)."""
    versions = sorted(int(s.removeprefix("marts_v")) for s in _schemas_like(conn, "marts_v"))
    for v in versions[: max(0, len(versions) - max(keep, 1))]:
        if v != current_version:
            conn.execute(
                sql.SQL("drop schema {} cascade").format(sql.Identifier(version_schema(v)))
            )
