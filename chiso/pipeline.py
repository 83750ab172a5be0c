"""The nightly pipeline's stages. The CLI (`chiso run`) and the Airflow DAG call these same
functions, so both paths do exactly the same work.

Stages: ingest → build (dbt into the candidate schema) → check (GX gate) → publish → summary.
Every stage is idempotent for a run id: rerunning a task after a failure is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

import psycopg

from chiso import config, dbt, gate, progress, publish, runinfo, warehouse
from ingest.pii import load_key
from ingest.run import ingest as ingest_feeds

log = logging.getLogger("chiso")


class RunLocked(RuntimeError):
    pass


@dataclass
class Run:
    run_id: str
    run_date: date
    trigger: str = "cli"
    settings: config.Settings = field(default_factory=config.load)
    quiet: bool = False
    full_refresh: bool = False
    progress: Callable[[str], None] | None = None  # gets one line per step (CLI: print)

    @property
    def as_of(self) -> datetime:
        return runinfo.as_of(self.run_date)

    @property
    def dsn(self) -> str:
        return warehouse.url(self.settings)

    def connect(self) -> psycopg.Connection:
        return warehouse.connect(self.dsn)


def begin(run: Run) -> None:
    """Bootstrap the warehouse and register the run (a retried run keeps its row)."""
    with run.connect() as conn:
        warehouse.bootstrap(conn, run.settings)
        conn.execute(
            "insert into audit.runs (run_id, run_date, trigger, code_version) values"
            " (%s, %s, %s, %s) on conflict (run_id) do update set status = 'running',"
            " finished_at = null, message = null",
            (run.run_id, run.run_date, run.trigger, runinfo.code_version()),
        )
        conn.commit()


def finish(run: Run, status: str, message: str | None = None) -> None:
    with run.connect() as conn:
        conn.execute(
            "update audit.runs set status = %s, message = %s, finished_at = now()"
            " where run_id = %s",
            (status, message, run.run_id),
        )
        conn.commit()


def say(run: Run, text: str) -> None:
    progress.say(run.progress, text, run.quiet)


def ingest(run: Run) -> list:
    with run.connect() as conn, progress.timed() as elapsed:
        warehouse.bootstrap(conn, run.settings)
        results = ingest_feeds(
            conn,
            run.settings.landing_dir,
            load_key(run.settings.home),
            run.run_id,
            code_version=runinfo.code_version(),
            on_result=lambda r: (
                r.status == "skipped"  # counted below
                or say(run, progress.ingest_line(r))
            ),
        )
        say(run, progress.ingest_total(results, elapsed()))
        return results


def build(run: Run) -> dbt.DbtOutcome:
    outcome = dbt.build(
        run.dsn, run.as_of, run.settings, quiet=run.quiet, full_refresh=run.full_refresh
    )
    say(run, progress.build_line(outcome))
    return outcome


def check(run: Run) -> tuple[int, int, int]:
    """Run the gate; raise ``GateBlocked`` naming the failing blocking checks."""
    with run.connect() as conn, progress.timed() as elapsed:
        gate.run_checks(conn, run.dsn, run.run_id, runinfo.code_version(), run.settings)
        passed, blocking, warning = gate.counts(conn, run.run_id)
        say(run, progress.gate_line(passed, blocking, warning, elapsed()))
        write_checks_index(run, conn)
        if blocking:
            failing = gate.blocking_failures(conn, run.run_id)
            raise gate.GateBlocked(
                f"{blocking} blocking check(s) failed; nothing published: " + "; ".join(failing)
            )
    return passed, blocking, warning


def publish_candidate(run: Run) -> publish.Publication:
    """Publish only what this run's gate passed (re-checked here: the gate is not optional)."""
    with run.connect() as conn:
        passed, blocking, warning = gate.counts(conn, run.run_id)
        if passed + blocking + warning == 0:
            raise publish.PublishError(
                f"run {run.run_id} has no check results: run the gate "
                "(chiso check) before publishing"
            )
        if blocking:
            raise publish.PublishError(
                f"run {run.run_id} failed {blocking} blocking check(s): "
                + "; ".join(gate.blocking_failures(conn, run.run_id))
            )
        with progress.timed() as elapsed:
            pub = publish.publish(
                conn,
                run.settings.candidate_schema,
                run.run_id,
                run.settings.keep_versions,
                passed,
                warning,
                runinfo.code_version(),
            )
        say(run, progress.publish_line(pub, elapsed()))
        write_checks_index(run, conn)
        return pub


def write_checks_index(run: Run, conn: psycopg.Connection) -> None:
    """Rewrite ``<docs_dir>/checks/index.html`` from audit; never fails the stage."""
    from chiso import audit

    try:
        audit.write_checks_index(conn, run.settings)
    except Exception as exc:
        log.warning("checks index not written: %s: %s", type(exc).__name__, exc)


@contextmanager
def run_lock(run: Run) -> Iterator[None]:
    """One run at a time per warehouse: a second one refuses at once, naming the first."""
    conn = run.connect()
    conn.autocommit = True
    try:
        got = conn.execute("select pg_try_advisory_lock(hashtext('chiso.run'))").fetchone()[0]
        if not got:
            holder = conn.execute(
                "select run_id from audit.runs where status = 'running'"
                " order by started_at desc limit 1"
            ).fetchone()
            raise RunLocked(
                "another chiso run is in progress"
                + (f" ({holder[0]})" if holder else "")
                + "; try again when it ends"
            )
        yield
    finally:
        conn.close()  # closing the session releases the lock


@contextmanager
def stage(run: Run, name: str) -> Iterator[None]:
    """Record a stage's failure on the run before letting it propagate."""
    try:
        yield
    except gate.GateBlocked as exc:
        finish(run, "blocked", str(exc))
        raise
    except Exception as exc:
        try:
            finish(run, "failed", f"{name}: {type(exc).__name__}: {exc}")
        except psycopg.OperationalError as lost:  # the warehouse is gone: say what failed first
            log.info("run %s: could not record the failure: %s", run.run_id, lost)
        raise


def run_all(run: Run) -> dict:
    """All stages in order (what the DAG does, in one process); returns the summary."""
    with run.connect() as conn:
        warehouse.bootstrap(conn, run.settings)
    with run_lock(run):
        begin(run)
        for name, fn in (
            ("ingest", ingest),
            ("build", build),
            ("check", check),
            ("publish", publish_candidate),
        ):
            with stage(run, name):
                fn(run)
        finish(run, "succeeded")
    return summary(run)


def summary(run: Run, write_report: bool = True) -> dict:
    """What the run did, read back from the audit tables (so Airflow's summary task can too).

    With ``write_report`` (the summary stage) it also writes the publication report
    ``<reports_dir>/<run date>.html`` and the checks index; a failure there only logs a warning.
    """
    with run.connect() as conn:
        feeds = conn.execute(
            "select feed, count(*) filter (where status = 'loaded'),"
            " count(*) filter (where status = 'rejected'),"
            " coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0)"
            " from audit.load_batches where run_id = %s group by feed order by feed",
            (run.run_id,),
        ).fetchall()
        passed, blocking, warning = gate.counts(conn, run.run_id)
        pub = conn.execute(
            "select version, schema_name, row_counts from audit.publications"
            " where run_id = %s and action = 'publish'"
            " order by publication_id desc limit 1",
            (run.run_id,),
        ).fetchone()
        status = conn.execute(
            "select status, message, run_date from audit.runs where run_id = %s", (run.run_id,)
        ).fetchone()
    result = {
        "run_id": run.run_id,
        "run_date": (status[2] if status else run.run_date).isoformat(),
        "status": status[0] if status else None,
        "message": status[1] if status else None,
        "feeds": [
            {
                "feed": f,
                "files_loaded": fl,
                "files_rejected": fr,
                "rows_loaded": rl,
                "rows_rejected": rr,
            }
            for f, fl, fr, rl, rr in feeds
        ],
        "checks": {"passed": passed, "failed_blocking": blocking, "failed_warning": warning},
        "published": {"version": pub[0], "schema": pub[1], "row_counts": pub[2]} if pub else None,
        "report": None,
    }
    if write_report:
        result["report"] = _write_report(run, result)
    return result


def _write_report(run: Run, result: dict) -> str | None:
    from chiso import report

    try:
        with run.connect() as conn:
            write_checks_index(run, conn)
            return str(report.write(conn, result, run.settings))
    except Exception as exc:  # the report describes the run; it must not fail it
        log.warning("publication report not written: %s: %s", type(exc).__name__, exc)
        return None


def format_summary(s: dict) -> str:
    lines = [f"chiso run {s['run_id']} (run date {s['run_date']}): {s['status']}"]
    if not s["feeds"]:
        lines.append("  ingest: no new files (everything in the landing zone was loaded before)")
    for f in s["feeds"]:
        lines.append(
            f"  ingest {f['feed']}: {f['files_loaded']} file(s) loaded, "
            f"{f['files_rejected']} rejected; {f['rows_loaded']:,} rows loaded, "
            f"{f['rows_rejected']:,} rejected"
        )
    c = s["checks"]
    lines.append(
        f"  checks: {c['passed']} passed, {c['failed_blocking']} blocking failed, "
        f"{c['failed_warning']} warnings"
    )
    if s["published"]:
        p = s["published"]
        tables = ", ".join(f"marts.{t} ({n:,} rows)" for t, n in sorted(p["row_counts"].items()))
        lines.append(f"  published: version {p['version']} ({p['schema']}): {tables}")
    else:
        lines.append("  published: nothing (marts unchanged)")
    if s["message"]:
        lines.append(f"  message: {s['message']}")
    if s.get("report"):
        lines.append(f"  report: {s['report']}")
    return "\n".join(lines)
