"""``chiso bi …``: the verb's arguments and what each action does (kept out of chiso/cli.py)."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

import psycopg

from chiso import config, warehouse

if TYPE_CHECKING:
    from chiso.bi.superset import Superset


def add_parser(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("bi", help="BI: Superset from code, province roles with row-level security")
    actions = b.add_subparsers(dest="bi_action", required=True)
    g = actions.add_parser("grant", help="a BI login role that sees one province's rows only")
    g.add_argument(
        "--province",
        required=True,
        help="province code as in the marts (reference.ref_provinces): 45, N44, …",
    )
    actions.add_parser("setup", help="Superset's metadata and admin account, then import")
    actions.add_parser("import", help="import the dashboards of bi/superset/ into Superset")
    sv = actions.add_parser("serve", help="set up, import, and serve Superset on 127.0.0.1")
    sv.add_argument("--port", type=int, help="default: CHISO_BI_PORT, else a free port")
    sv.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    b.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    settings = config.load()
    with warehouse.connect(warehouse.url(settings)) as conn:
        warehouse.bootstrap(conn, settings)
        conn.commit()
        if args.bi_action == "grant":
            return _grant(conn, args.province, settings)
        published = warehouse.scalar(conn, "select count(*) from audit.publications")
    if not published:
        print(
            "note: nothing is published yet, so the dashboards will be empty: run `make demo` "
            "(sample data) or `chiso run` first"
        )
    from chiso.bi import superset

    site = superset.locate(settings)
    superset.setup(site)
    if args.bi_action in ("setup", "import", "serve"):
        superset.import_dashboards(site, settings=settings)
    if args.bi_action == "serve":
        return _serve(site, args)
    return 0


def _serve(site: Superset, args: argparse.Namespace) -> int:
    from chiso.bi import bundle, superset

    port = args.port or superset.port_from_env()
    server = superset.start(site, port, workers=args.workers)
    where = (
        "CHISO_SUPERSET_ADMIN_PASSWORD"
        if os.environ.get("CHISO_SUPERSET_ADMIN_PASSWORD")
        else site.home / "admin.password"
    )
    print(f"Superset on {server.url}  (user {superset.ADMIN}, password: {where})")
    for board in bundle.dashboards():
        print(f"  {server.url}/superset/dashboard/{board['slug']}/  {board['title']}")
    print(f"log: {server.log}; Ctrl-C stops it")
    try:
        return server.process.wait()
    except KeyboardInterrupt:
        server.stop()
        return 0


def _grant(conn: psycopg.Connection, province: str, settings: config.Settings) -> int:
    from chiso.bi import rls

    with conn.transaction():
        done = rls.grant(conn, province, settings)
        scopes = rls.published_scopes(conn)
    print(
        f"{'created' if done.created else 'refreshed'} role {done.role}: province "
        f"{done.province_code} ({done.province_name})"
    )
    if done.dissolved_into:
        print(
            f"  {done.province_code} was merged into {done.dissolved_into} on 1 July 2025: this "
            f"role sees {done.province_code}'s own rows only; the merged province's role is "
            f"`chiso bi grant --province {done.dissolved_into}`"
        )
    counts = ", ".join(f"{n} {kind} code(s)" for kind, n in sorted(done.codes.items()))
    print(f"  sees rows placed in: {counts}")
    for mart, scope in scopes.items():
        print(f"  marts.{mart}: {scope.describe()}")
    parts = warehouse.url_parts(warehouse.url(settings))
    where = f"{parts['host']}:{parts['port']}/{parts['dbname']}"
    if done.password_file:
        print(f"  connect: postgresql://{done.role}:<password in {done.password_file}>@{where}")
    else:
        print(f"  connect: postgresql://{done.role}:<its password>@{where}")
    return 0
