"""Write-audit-publish: audited candidate tables become a numbered version that ``marts`` shows.

``marts`` holds only views; each points at ``marts_v<N>.<table>``, a frozen copy of the audited
candidate. Publishing copies the candidate into a new version schema and repoints every view in
one transaction (PostgreSQL DDL is transactional), so a BI query sees the old version or the
new one, never a mix. The last ``keep`` versions stay for ``chiso publish --rollback``.
The BI role reads the views only: views run with their owner's rights, so it needs no access
to the version schemas, the candidate, raw or audit. Each published table carries row-level
security (``chiso.bi.rls``): a province's BI role sees its own rows only, through any view.

Publishing never fights its readers. The views are replaced in place (``create or replace``),
so views that analysts build on ``marts`` survive every publication; when a mart's columns
change in a way PostgreSQL cannot replace in place (one removed, renamed or retyped) and views
depend on it, publication stops and names them. Repointing a view waits for the BI queries
reading it; each attempt waits at most a couple of seconds (a waiting exclusive lock queues new
readers behind it) and the attempts stop after ``CHISO_PUBLISH_LOCK_TIMEOUT`` seconds (default
30) with an error naming the sessions in the way: the night fails clearly, never hangs, and the
retried task succeeds once they are done.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from chiso.bi import rls
from chiso.warehouse import BI_ROLE

LOCK_TIMEOUT_S = 30.0  # default of CHISO_PUBLISH_LOCK_TIMEOUT: the most publish waits for readers
ATTEMPT_S = 2.0  # one attempt's lock_timeout: how long new BI queries may queue behind publish


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


def lock_budget() -> float:
    """Seconds publish may wait for readers in all (``CHISO_PUBLISH_LOCK_TIMEOUT``)."""
    text = os.environ.get("CHISO_PUBLISH_LOCK_TIMEOUT", "")
    try:
        return float(text) if text else LOCK_TIMEOUT_S
    except ValueError:
        raise PublishError(
            f"CHISO_PUBLISH_LOCK_TIMEOUT must be a number of seconds, got '{text}'"
        ) from None


def _set_lock_timeout(conn: psycopg.Connection, seconds: float) -> None:
    conn.execute(f"set local lock_timeout = '{max(int(seconds * 1000), 1)}ms'")


def _blockers(conn: psycopg.Connection, schema: str = "marts") -> str:
    """Other sessions holding locks on ``schema``'s relations, for the error message."""
    rows = conn.execute(
        "select a.pid, a.usename, coalesce(nullif(a.application_name, ''), '-'), a.state,"
        " round(extract(epoch from now() - a.xact_start)), string_agg(distinct c.relname, ', ')"
        " from pg_locks l join pg_class c on c.oid = l.relation"
        " join pg_namespace n on n.oid = c.relnamespace"
        " join pg_stat_activity a on a.pid = l.pid"
        " where n.nspname = %s and l.granted and l.pid <> pg_backend_pid()"
        " group by 1, 2, 3, 4, 5 order by 5 desc nulls last",
        (schema,),
    ).fetchall()
    if not rows:
        return "the sessions holding them have ended since"
    return "; ".join(
        f"pid {pid} ({user}, application {app}, {state}, transaction open {age} s, on {rels})"
        for pid, user, app, state, age, rels in rows
    )


def _with_readers(conn: psycopg.Connection, what: str, step: Callable[[], None]) -> None:
    """Run ``step`` (which takes exclusive locks on ``marts`` views) in a savepoint, retried
    while BI sessions hold those views, up to the lock budget; then fail naming them."""
    budget = lock_budget()
    deadline = time.monotonic() + budget
    pause = 0.2
    while True:
        left = deadline - time.monotonic()
        try:
            with conn.transaction():
                _set_lock_timeout(conn, min(ATTEMPT_S, max(left, 0.05)))
                step()
            return
        except psycopg.errors.LockNotAvailable:
            if deadline - time.monotonic() <= pause:
                raise PublishError(
                    f"{what}: BI sessions kept marts in use for {budget:g} s "
                    f"(CHISO_PUBLISH_LOCK_TIMEOUT): {_blockers(conn)}. Nothing changed; "
                    "publish again once they finish (the nightly task's retry does), or end "
                    "them with select pg_terminate_backend(pid)"
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _relation_columns(conn: psycopg.Connection, schema: str, name: str) -> list[tuple[str, str]]:
    return conn.execute(
        "select attname, format_type(atttypid, atttypmod) from pg_attribute"
        " where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped order by attnum",
        (f'"{schema}"."{name}"',),
    ).fetchall()


def _dependents(conn: psycopg.Connection, view: str) -> list[str]:
    """Views (any schema) built on ``marts.<view>``."""
    rows = conn.execute(
        "select distinct n.nspname || '.' || c.relname from pg_depend d"
        " join pg_rewrite r on r.oid = d.objid"
        " join pg_class c on c.oid = r.ev_class"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass"
        " and d.refobjid = to_regclass(%s) and c.oid <> d.refobjid order by 1",
        (f'marts."{view}"',),
    ).fetchall()
    return [r[0] for r in rows]


def _view_sql(conn: psycopg.Connection, schema: str, table: str) -> tuple[sql.Composed, bool]:
    """The statement that points ``marts.<table>`` at ``schema``, and whether the view must be
    dropped first. ``create or replace view`` keeps the views built on it, but only when the
    old columns come first, unchanged; a column added elsewhere is appended instead (the view's
    order stays), and a column removed, renamed or retyped needs a new view, which views built
    on the old one would block."""
    src = sql.Identifier(schema, table)
    view = sql.Identifier("marts", table)
    old = _relation_columns(conn, "marts", table)
    new = _relation_columns(conn, schema, table)
    plain = sql.SQL("create or replace view {} as select * from {}").format(view, src)
    if not old or new[: len(old)] == old:
        return plain, False
    dependents = _dependents(conn, table)
    if not dependents:
        return sql.SQL("create view {} as select * from {}").format(view, src), True
    new_types = dict(new)
    changed = [
        f"{name} {kind} → {new_types[name]}" if name in new_types else f"{name} removed"
        for name, kind in old
        if new_types.get(name) != kind
    ]
    if changed:
        raise PublishError(
            f"marts.{table} changes its columns ({'; '.join(changed)}) and these views are "
            f"built on it: {', '.join(dependents)}. Nothing was published. Drop or adapt them "
            "(see their SQL with \\d+ in psql), then publish again"
        )
    kept = [name for name, _ in old]
    columns = kept + [name for name, _ in new if name not in kept]
    return sql.SQL("create or replace view {} as select {} from {}").format(
        view, sql.SQL(", ").join(map(sql.Identifier, columns)), src
    ), False


def _point_views(conn: psycopg.Connection, schema: str, tables: list[str]) -> None:
    """Make ``marts`` show exactly ``tables`` of ``schema``, with their comments, replacing the
    views in place (see the module's docstring)."""
    owner = rls.view_owner(conn)
    rls.expose(conn, schema, owner)
    readers = rls.reader_roles(conn)
    statements = [(table, *_view_sql(conn, schema, table)) for table in tables]
    gone = [
        name
        for (name,) in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'marts' and c.relkind = 'v' and not (c.relname = any(%s))",
            (tables,),
        )
    ]
    for name in gone:
        if dependents := _dependents(conn, name):
            raise PublishError(
                f"marts.{name} is no longer published and these views are built on it: "
                f"{', '.join(dependents)}. Nothing was published. Drop or adapt them, then "
                "publish again"
            )

    def swap() -> None:
        for name in gone:
            conn.execute(sql.SQL("drop view marts.{}").format(sql.Identifier(name)))
        for table, statement, drop_first in statements:
            view = sql.Identifier("marts", table)
            if drop_first:
                conn.execute(sql.SQL("drop view if exists {}").format(view))
            conn.execute(statement)
            if owner:
                conn.execute(
                    sql.SQL("alter view {} owner to {}").format(view, sql.Identifier(owner))
                )
            for role in readers:
                conn.execute(sql.SQL("grant select on {} to {}").format(view, sql.Identifier(role)))
            _copy_comments(conn, schema, "marts", table, "view")

    _with_readers(conn, f"publishing {schema}", swap)


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


def _serialise(conn: psycopg.Connection) -> None:
    """One publication or rollback at a time."""
    _set_lock_timeout(conn, lock_budget())
    try:
        conn.execute("select pg_advisory_xact_lock(hashtext('chiso.publish'))")
    except psycopg.errors.LockNotAvailable:
        raise PublishError(
            "another publication or rollback is in progress (waited "
            f"{lock_budget():g} s): let it finish, then try again"
        ) from None


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
        _serialise(conn)
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
            rls.protect(conn, schema, table)
        rls.refresh_scopes(conn)
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
        _serialise(conn)
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
            # A reader still on an old version (a query begun before the swap) keeps it until
            # the next publication rather than failing this one.
            try:
                with conn.transaction():
                    _set_lock_timeout(conn, ATTEMPT_S)
                    conn.execute(
                        sql.SQL("drop schema {} cascade").format(sql.Identifier(version_schema(v)))
                    )
            except psycopg.errors.LockNotAvailable:
                continue
