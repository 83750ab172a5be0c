"""``chiso`` — the command line. Every verb exits non-zero with one line saying what failed."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from chiso import config, runinfo, warehouse

if TYPE_CHECKING:
    from collections.abc import Iterator

    import psycopg


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got '{text}'") from None


def _today() -> date:
    return datetime.now(runinfo.LOCAL).date()


@contextmanager
def _bootstrapped(settings: config.Settings) -> Iterator[psycopg.Connection]:
    """A connection to a warehouse whose schemas and audit tables exist."""
    with warehouse.connect(warehouse.url(settings)) as conn:
        warehouse.bootstrap(conn, settings)
        conn.commit()
        yield conn


# -- verbs ------------------------------------------------------------------------------------
def cmd_warehouse(args: argparse.Namespace) -> int:
    settings = config.load()
    if args.action in ("start", "url"):
        dsn = warehouse.url(settings)
        with warehouse.connect(dsn) as conn:
            warehouse.bootstrap(conn, settings)
            conn.commit()
        print(dsn)
    elif args.action == "stop":
        if settings.warehouse_url:
            print("CHISO_WAREHOUSE_URL is set: chiso does not manage that server")
            return 0
        warehouse.embedded(settings).stop()
        print("embedded warehouse stopped")
    elif args.action == "psql":
        dsn = warehouse.bi_url() if args.bi else warehouse.url(settings)
        return warehouse.psql(args.psql_args, dsn)
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from chiso.samples import generate_all

    out = Path(args.out) if args.out else config.load().landing_dir
    written = generate_all(
        out,
        args.start,
        args.days,
        seed=args.seed,
        dossiers_per_day=args.dossiers_per_day,
        agencies=args.agencies,
        formats=tuple(args.formats.split(",")),
    )
    for feed, paths in written.items():
        print(f"sample {feed}: {len(paths)} file(s) in {out / feed}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from chiso import pipeline

    run = pipeline.Run(
        args.run_id or runinfo.cli_run_id(_today()), _today(), quiet=args.quiet, progress=print
    )
    pipeline.begin(run)
    with pipeline.stage(run, "ingest"):
        results = pipeline.ingest(run)  # prints a line per file as it goes, unless --quiet
    pipeline.finish(run, "succeeded")
    for r in results:  # --quiet: the files' results; else the skipped ones (rest printed live)
        if args.quiet or r.status == "skipped":
            print(r.line())
    if not results:
        print(f"no files in {run.settings.landing_dir}")
    return 0


def cmd_plans(args: argparse.Namespace) -> int:
    """`chiso plans import FILE…`: the logic is ingest/plans/load.py; this prints the outcome."""
    from ingest.pii import load_key
    from ingest.plans.load import import_plans

    settings = config.load()
    with _bootstrapped(settings) as conn:
        done = import_plans(
            conn,
            [Path(p) for p in args.files],
            load_key(settings.home),
            args.run_id or runinfo.cli_run_id(_today()),
            settings.docs_dir,
            runinfo.code_version(),
        )
    failed = False
    for item in done:
        for r in item.results:
            print(r.line())
            failed |= r.status in ("rejected", "failed")
        if item.review:
            print(f"{item.path.name}: review {item.review}")
    return 1 if failed else 0


def cmd_build(args: argparse.Namespace) -> int:
    from chiso import pipeline, progress

    run = pipeline.Run(
        args.run_id or runinfo.cli_run_id(args.date),
        args.date,
        quiet=args.quiet,
        full_refresh=args.full_refresh,
        progress=print,
    )
    outcome = pipeline.build(run)
    if args.quiet:
        print(progress.build_line(outcome))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from chiso import gate, pipeline

    run = pipeline.Run(
        args.run_id or runinfo.cli_run_id(args.date), args.date, quiet=args.quiet, progress=print
    )
    pipeline.begin(run)
    try:
        passed, _, warning = pipeline.check(run)
    except gate.GateBlocked as exc:
        pipeline.finish(run, "blocked", str(exc))
        raise
    pipeline.finish(run, "succeeded")
    print(
        f"checks for {run.run_id}: {passed} passed, {warning} warning(s); "
        f"data docs in {gate.docs_path(run.run_id)}"
    )
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from chiso import pipeline, publish

    settings = config.load()
    with warehouse.connect(warehouse.url(settings)) as conn:
        warehouse.bootstrap(conn, settings)
        if args.rollback:
            pub = publish.rollback(
                conn, args.run_id or runinfo.cli_run_id(_today()), runinfo.code_version()
            )
            print(f"rolled back: marts now shows version {pub.version} ({pub.schema})")
            return 0
        run_id = args.run_id or _latest_checked_run(conn)
    if run_id is None:
        raise publish.PublishError("no checked run to publish: run `chiso check` first")
    run = pipeline.Run(run_id, _today())
    pub = pipeline.publish_candidate(run)
    print(f"published version {pub.version} ({pub.schema}) from run {run_id}")
    return 0


def _latest_checked_run(conn: psycopg.Connection) -> str | None:
    row = conn.execute(
        "select run_id from audit.check_results order by checked_at desc limit 1"
    ).fetchone()
    return row[0] if row else None


def cmd_run(args: argparse.Namespace) -> int:
    from chiso import pipeline

    run = pipeline.Run(
        args.run_id or runinfo.cli_run_id(args.date),
        args.date,
        quiet=args.quiet,
        full_refresh=args.full_refresh,
        progress=print,
    )
    result = pipeline.run_all(run)
    print(pipeline.format_summary(result))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from chiso import status

    settings = config.load()
    with _bootstrapped(settings) as conn:
        report = status.collect(conn, run_id=args.run_id)
    if args.summary:
        from chiso import pipeline

        if report["run_id"] is None:
            print("no run yet")
            return 1
        run = pipeline.Run(report["run_id"], date.today(), settings=settings)
        result = pipeline.summary(run, write_report=False)
        print(pipeline.format_summary(result))
        print(status.HINTS)
        return 0 if result["status"] == "succeeded" else 1
    print(json.dumps(report, indent=2, default=str) if args.json else status.format(report))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from chiso import audit

    settings = config.load()
    with _bootstrapped(settings) as conn:
        rows = audit.history(conn, args.since, args.until)
    if args.format == "csv":
        sys.stdout.write(audit.to_csv(rows))
    else:
        print(audit.format_table(rows))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from chiso import audit, pipeline, report

    settings = config.load()
    with _bootstrapped(settings) as conn:
        row = conn.execute(
            "select run_id from audit.runs where (%s::text is not null and run_id = %s)"
            " or (%s::text is null and run_date = %s) order by started_at desc limit 1",
            (args.run_id, args.run_id, args.run_id, args.date),
        ).fetchone()
        if row is None:
            raise LookupError(
                f"no run {args.run_id}"
                if args.run_id
                else f"no run for run date {args.date}: run `chiso run --date {args.date}` first"
            )
        result = pipeline.summary(
            pipeline.Run(row[0], args.date, settings=settings), write_report=False
        )
        path = report.write(conn, result, settings)
        audit.write_checks_index(conn, settings)
    print(f"report for {result['run_date']} (run {result['run_id']}): {path}")
    return 0


def cmd_bi(args: argparse.Namespace) -> int:
    from chiso.bi import command

    return command.run(args)


def cmd_airflow(args: argparse.Namespace) -> int:
    from chiso import airflow_env

    return airflow_env.run(args.airflow_args)


def cmd_dbt(args: argparse.Namespace) -> int:
    """dbt with chiso's project, profile, connection, vars and run-date cut-off (one model:
    ``chiso dbt build -s dossiers``). Builds into the candidate schema, like ``chiso build``."""
    from chiso import dbt

    settings = config.load()
    if not args.dbt_args:
        raise ValueError("give dbt's arguments, e.g. chiso dbt build -s dossiers")
    url = warehouse.url(settings)
    with warehouse.connect(url) as conn:  # the schemas the models read exist
        warehouse.bootstrap(conn, settings)
        conn.commit()
    outcome = dbt.run(args.dbt_args, url, runinfo.as_of(args.date), settings)
    return 0 if outcome.success else 1


# -- parser -----------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chiso", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true", help="log every step")
    sub = p.add_subparsers(dest="verb", required=True)

    w = sub.add_parser("warehouse", help="the warehouse: start|stop|url|psql")
    w.add_argument("action", choices=["start", "stop", "url", "psql"])
    w.add_argument("--bi", action="store_true", help="psql as the read-only BI role")
    w.add_argument("psql_args", nargs=argparse.REMAINDER, help="arguments passed to psql")
    w.set_defaults(fn=cmd_warehouse)

    s = sub.add_parser("sample", help="generate sample landing files")
    s.add_argument("--out", help="landing directory (default: $CHISO_LANDING_DIR)")
    s.add_argument("--start", type=_date, required=True)
    s.add_argument("--days", type=int, default=7)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument(
        "--dossiers-per-day",
        type=int,
        default=200,
        help="scale: one-stop dossiers received per day",
    )
    s.add_argument("--agencies", type=int, help="scale: number of processing agencies")
    s.add_argument("--formats", default="csv", help="comma-separated: csv,jsonl,xlsx")
    s.set_defaults(fn=cmd_sample)

    for name, fn, helptext in (
        ("ingest", cmd_ingest, "load new landing files into raw"),
        ("build", cmd_build, "dbt build into the candidate schema"),
        ("check", cmd_check, "run the quality gate on the candidate"),
        ("run", cmd_run, "all stages for a run date (what the nightly DAG does)"),
    ):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("--run-id")
        c.add_argument("--quiet", action="store_true", help="no progress output (cron)")
        if name in ("build", "run"):
            c.add_argument(
                "--full-refresh",
                action="store_true",
                help="rebuild incremental models from all of raw",
            )
        if name != "ingest":
            c.add_argument(
                "--date",
                type=_date,
                default=_today(),
                help="run date YYYY-MM-DD (cut-off: local midnight starting it)",
            )
        c.set_defaults(fn=fn)

    pl = sub.add_parser("plans", help="plans as provinces issue them (.docx or text)")
    pl_sub = pl.add_subparsers(dest="plans_action", required=True)
    pli = pl_sub.add_parser("import", help="load plans into plan_tasks and targets, write reviews")
    pli.add_argument("files", nargs="+", metavar="FILE")
    pli.add_argument("--run-id")
    pli.set_defaults(fn=cmd_plans)

    pb = sub.add_parser("publish", help="publish the checked candidate, or --rollback")
    pb.add_argument("--run-id", help="the checked run to publish (default: the latest)")
    pb.add_argument("--rollback", action="store_true", help="restore the previous version")
    pb.set_defaults(fn=cmd_publish)

    st = sub.add_parser("status", help="last loads, last publication, failing checks")
    st.add_argument("--run-id", help="summarise this run (default: the latest)")
    st.add_argument("--json", action="store_true")
    st.add_argument(
        "--summary", action="store_true", help="the run's summary and how to look at the result"
    )
    st.set_defaults(fn=cmd_status)

    au = sub.add_parser("audit", help="the audited history: loads, rejects, checks, publications")
    au.add_argument(
        "--since",
        type=_date,
        default=_today() - timedelta(days=30),
        help="first day YYYY-MM-DD (default: 30 days ago)",
    )
    au.add_argument("--until", type=_date, help="last day YYYY-MM-DD (default: today)")
    au.add_argument(
        "--format",
        choices=["table", "csv"],
        default="table",
        help="csv for spreadsheets (cells that look like formulas are escaped)",
    )
    au.set_defaults(fn=cmd_audit)

    rp = sub.add_parser("report", help="write the publication report of a run date (HTML)")
    rp.add_argument("--date", type=_date, default=_today(), help="run date YYYY-MM-DD")
    rp.add_argument("--run-id", help="this run (default: the latest of the run date)")
    rp.set_defaults(fn=cmd_report)

    db = sub.add_parser("dbt", help="dbt with chiso's project, profile and warehouse")
    db.add_argument("--date", type=_date, default=_today(), help="run date (the cut-off)")
    db.add_argument("dbt_args", nargs=argparse.REMAINDER)
    db.set_defaults(fn=cmd_dbt)

    from chiso.bi import command as bi_command  # the `bi` verb: Superset, province roles

    bi_command.add_parser(sub)

    af = sub.add_parser("airflow", help="the airflow CLI with chiso's AIRFLOW_HOME")
    af.add_argument("airflow_args", nargs=argparse.REMAINDER)
    af.set_defaults(fn=cmd_airflow)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
    )
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        print(f"chiso {args.verb}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line a user can act on; -v shows the traceback
        if args.verbose:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"chiso {args.verb}: {type(exc).__name__}: {first}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
