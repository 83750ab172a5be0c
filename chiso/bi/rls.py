"""Row-level security: a BI role per province sees only its own province's rows in every mart.

Enforced by PostgreSQL, not by the BI tool: every published table ``marts_v<N>.<mart>`` gets
row-level security (forced, so it also binds the table's owner) and one policy. The ``marts``
views stay ordinary views, so PostgreSQL checks the tables' policies for the view owner, while
``current_user`` inside the policy is the role that runs the query. The policy therefore asks
"is ``current_user`` a province role?" (``audit.bi_roles``): if not — ``chiso_bi``, the
pipeline, an analyst — every row is visible; if so, only rows whose place is among that role's
codes (``audit.bi_role_scopes``). Both lookups are uncorrelated subqueries, run once per query,
so the province-wide role pays nothing per row. The same holds through any view stacked on
``marts`` (an analyst's ``public.my_report``) that its owner may not bypass: policies follow the
table, not the path to it. A superuser bypasses every policy, including for those reading
through the views it owns; so when chiso runs as one, the ``marts`` views belong to a plain
NOLOGIN role (``chiso_marts``) instead. This works on every PostgreSQL chiso supports (no
``security_invoker`` views, which need 15+, and no grants on the version schemas to BI roles).

A role for a post-2025 province also sees its predecessors' rows (the units merged into it,
``reference.ref_province_mergers``): the merged province inherited their administrations, plans
and index series, and its own pre-2025 roll-ups are built from them. A role for a dissolved
province sees that province's rows only (archive access); its successor's rows are not its own.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from chiso import config
from chiso.warehouse import BI_ROLE, scalar

POLICY = "chiso_province_rows"
VIEW_OWNER = "chiso_marts"  # owns the marts views when chiso runs as a superuser


class GrantError(RuntimeError):
    pass


@dataclass(frozen=True)
class Scope:
    """Where a mart's row belongs: the column naming its place and which codes it holds."""

    column: str | None  # None: the mart names no place; province roles see none of its rows
    kinds: tuple[str, ...] = ()  # province / agency / unit codes of the role it is matched with
    listed: bool = False  # the column holds several codes, '; '-separated
    why: str = ""

    def describe(self) -> str:
        if self.column is None:
            return f"no rows ({self.why})"
        what = " or ".join(self.kinds)
        many = " (any of the listed codes)" if self.listed else ""
        return f"{self.column} is one of the role's {what} codes{many}"


AGENCY = ("agency",)
# One decision per mart (docs/marts.md says the same). Agencies and plan units belong to a
# province through reference.ref_agencies / ref_units.province_code.
RULES: dict[str, Scope] = {
    "dossiers": Scope("agency_code", AGENCY),
    "onestop_monthly": Scope("agency_code", AGENCY),
    "late_dossiers": Scope("agency_code", AGENCY),
    "satisfaction": Scope("agency_code", AGENCY),
    "service_index_monthly": Scope("unit_code", ("agency", "province")),
    "index_scores": Scope("province_code", ("province",)),
    "indicator_targets": Scope("province_code", ("province",)),
    "task_scorecard": Scope("unit_code", ("unit",)),
    "overdue_tasks": Scope("lead_unit_code", ("unit",)),
    "task_units": Scope("unit_code", ("unit",)),
    "indicator_actions": Scope("lead_unit_codes", ("unit",), listed=True),
    "task_report_rejections": Scope(
        None, why="reports that match no task name no unit chiso can place: the data team's list"
    ),
}
# A mart with no rule (added later) is matched by the first of these columns it has; with none
# of them its rows stay hidden from province roles.
FALLBACK = (
    ("province_code", ("province",)),
    ("agency_code", AGENCY),
    ("unit_code", ("agency", "province", "unit")),
)


def scope_for(table: str, columns: list[str]) -> Scope:
    if table in RULES:
        return RULES[table]
    for column, kinds in FALLBACK:
        if column in columns:
            return Scope(column, kinds, why="by its column name (no rule in chiso.bi.rls)")
    return Scope(None, why="it has no province, agency or unit column")


def role_name(province_code: str) -> str:
    return "chiso_bi_p" + re.sub(r"[^a-z0-9]", "_", province_code.lower())


def _columns(conn: psycopg.Connection, schema: str, table: str) -> list[str]:
    rows = conn.execute(
        "select attname from pg_attribute where attrelid = to_regclass(%s)"
        " and attnum > 0 and not attisdropped order by attnum",
        (f'"{schema}"."{table}"',),
    ).fetchall()
    return [r[0] for r in rows]


def protect(conn: psycopg.Connection, schema: str, table: str) -> Scope:
    """Row-level security on a freshly published table (no reader holds it yet)."""
    scope = scope_for(table, _columns(conn, schema, table))
    target = sql.Identifier(schema, table)
    not_province_role = sql.SQL(
        "not exists (select 1 from audit.bi_roles r where r.role_name = current_user::text)"
    )
    using: sql.Composable
    if scope.column is None:
        using = not_province_role
    else:
        codes = sql.SQL(
            "select s.code from audit.bi_role_scopes s"
            " where s.role_name = current_user::text and s.kind = any({})"
        ).format(sql.Literal(list(scope.kinds)))
        column = sql.Identifier(scope.column)
        if scope.listed:
            match = sql.SQL("string_to_array({}, '; ') && array({})").format(column, codes)
        else:
            match = sql.SQL("{} in ({})").format(column, codes)
        using = sql.SQL("{} or {}").format(not_province_role, match)
    conn.execute(sql.SQL("alter table {} enable row level security").format(target))
    conn.execute(sql.SQL("alter table {} force row level security").format(target))
    conn.execute(
        sql.SQL("create policy {} on {} for select using ({})").format(
            sql.Identifier(POLICY), target, using
        )
    )
    return scope


def view_owner(conn: psycopg.Connection) -> str | None:
    """The role the ``marts`` views must belong to for the policies to bind, or None when the
    current user may own them itself. A superuser (or BYPASSRLS) owner would bypass every
    policy for whoever reads through its views, so a plain NOLOGIN role owns them instead
    (a superuser can always create it)."""
    bypasses = scalar(
        conn, "select rolsuper or rolbypassrls from pg_roles where rolname = current_user"
    )
    if not bypasses:
        return None
    if not conn.execute("select 1 from pg_roles where rolname = %s", (VIEW_OWNER,)).fetchone():
        conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(VIEW_OWNER)))
    ident = sql.Identifier(VIEW_OWNER)
    # The policies look the querying role up in these two tables with the view owner's rights.
    conn.execute(sql.SQL("grant usage on schema audit, marts to {}").format(ident))
    conn.execute(
        sql.SQL("grant select on audit.bi_roles, audit.bi_role_scopes to {}").format(ident)
    )
    return VIEW_OWNER


def expose(conn: psycopg.Connection, schema: str, owner: str | None) -> None:
    """Let the views' owner read a version schema (the BI roles never read it directly)."""
    if owner:
        ident = sql.Identifier(owner)
        conn.execute(
            sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), ident)
        )
        conn.execute(
            sql.SQL("grant select on all tables in schema {} to {}").format(
                sql.Identifier(schema), ident
            )
        )


def province_roles(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(role, province) of every registered province role that still exists."""
    return conn.execute(
        "select r.role_name, r.province_code from audit.bi_roles r"
        " join pg_roles p on p.rolname = r.role_name order by 1"
    ).fetchall()


def reader_roles(conn: psycopg.Connection) -> list[str]:
    """Roles that read ``marts``: chiso_bi (when it exists) and every province role."""
    roles = [
        r for (r,) in conn.execute("select rolname from pg_roles where rolname = %s", (BI_ROLE,))
    ]
    return roles + [role for role, _ in province_roles(conn)]


def refresh_scopes(conn: psycopg.Connection, role: str | None = None) -> None:
    """Recompute the codes each province role (or just ``role``) may see from the reference
    tables: run at every publication, since the seeds that place agencies and units change."""

    def has(table: str) -> bool:
        return scalar(conn, "select to_regclass(%s) is not null", (table,))

    which = "(%(role)s::text is null or r.role_name = %(role)s)"
    places = [f"select r.role_name, r.province_code as code from audit.bi_roles r where {which}"]
    if has("reference.ref_province_mergers"):
        places.append(
            "select r.role_name, m.old_province_code from audit.bi_roles r"
            " join reference.ref_province_mergers m on m.new_province_code = r.province_code"
            f" where {which}"
        )
    scoped = ["select role_name, 'province' as kind, code from places"]
    if has("reference.ref_agencies"):
        scoped.append(
            "select p.role_name, 'agency', a.agency_code from places p"
            " join reference.ref_agencies a on a.province_code = p.code"
        )
    if has("reference.ref_units"):
        scoped.append(
            "select p.role_name, 'unit', u.unit_code from places p"
            " join reference.ref_units u on u.province_code = p.code"
        )
    conn.execute(
        "delete from audit.bi_role_scopes where %(role)s::text is null or role_name = %(role)s",
        {"role": role},
    )
    conn.execute(
        "insert into audit.bi_role_scopes (role_name, kind, code)"
        f" with places as ({' union '.join(places)})"
        f" select distinct role_name, kind, code from ({' union all '.join(scoped)}) as scoped"
        " where code is not null",
        {"role": role},
    )


@dataclass
class Grant:
    role: str
    province_code: str
    province_name: str
    dissolved_into: str | None
    created: bool
    password_file: Path | None
    codes: dict[str, int]


def _province(conn: psycopg.Connection, code: str) -> tuple[str, str | None]:
    """Name of a province code, and its successor when it was merged away."""
    if not scalar(conn, "select to_regclass('reference.ref_provinces') is not null"):
        raise GrantError(
            "reference.ref_provinces is missing: build the warehouse first (chiso run), "
            "then grant province roles"
        )
    row = conn.execute(
        "select p.province_name, m.new_province_code from reference.ref_provinces p"
        " left join reference.ref_province_mergers m on m.old_province_code = p.province_code"
        "  and m.new_province_code <> p.province_code and p.valid_to is not null"
        " where p.province_code = %s",
        (code,),
    ).fetchone()
    if row is None:
        hint = scalar(
            conn,
            "select string_agg(province_code || ' (' || province_name || ')', ', ')"
            " from reference.ref_provinces where official_code = %s and valid_to is null",
            (code,),
        )
        raise GrantError(
            f"no province '{code}' in reference.ref_provinces (codes as in the marts, e.g. 45, "
            f"N44){'; current unit with official code ' + code + ': ' + hint if hint else ''}"
        )
    return row[0], row[1]


def grant(
    conn: psycopg.Connection, province_code: str, settings: config.Settings | None = None
) -> Grant:
    """Create (or refresh) the BI login role of one province and what it may read."""
    settings = settings or config.load()
    name, successor = _province(conn, province_code)
    role = role_name(province_code)
    exists = bool(conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone())
    password_file = settings.home / "bi-roles" / f"{role}.password"
    created = False
    if not exists:
        can_create = scalar(
            conn, "select rolcreaterole or rolsuper from pg_roles where rolname = current_user"
        )
        if not can_create:
            raise GrantError(
                f"role {role} does not exist and {conn.info.user} may not create roles: ask a "
                f"DBA to run `create role {role} login password '…'`, then grant again"
            )
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(18)
        password_file.write_text(password)
        password_file.chmod(0o600)
        conn.execute(
            sql.SQL("create role {} login password {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        created = True
    ident = sql.Identifier(role)
    conn.execute(
        sql.SQL("grant connect on database {} to {}").format(
            sql.Identifier(conn.info.dbname), ident
        )
    )
    conn.execute(sql.SQL("grant usage on schema marts to {}").format(ident))
    conn.execute(sql.SQL("grant select on all tables in schema marts to {}").format(ident))
    conn.execute(
        sql.SQL("alter default privileges in schema marts grant select on tables to {}").format(
            ident
        )
    )
    conn.execute(
        "insert into audit.bi_roles (role_name, province_code) values (%s, %s)"
        " on conflict (role_name) do update set province_code = excluded.province_code,"
        " granted_at = now(), granted_by = current_user",
        (role, province_code),
    )
    refresh_scopes(conn, role)
    codes: dict[str, int] = dict(
        conn.execute(
            "select kind, count(*) from audit.bi_role_scopes where role_name = %s group by kind",
            (role,),
        ).fetchall()
    )
    return Grant(
        role,
        province_code,
        name,
        successor,
        created,
        password_file if password_file.exists() else None,
        codes,
    )


def published_scopes(conn: psycopg.Connection) -> dict[str, Scope]:
    """How each mart now in ``marts`` is filtered for province roles."""
    views = [
        r[0]
        for r in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'marts' and c.relkind = 'v' order by 1"
        )
    ]
    return {v: scope_for(v, _columns(conn, "marts", v)) for v in views}
