"""``chiso status``: the last loads, the last publication and failing checks, from audit."""

from __future__ import annotations

import psycopg

HINTS = """
Look at it:
  .venv/bin/chiso warehouse psql -c 'select * from marts.onestop_monthly limit 20'
  .venv/bin/chiso warehouse psql --bi          # as the read-only BI role chiso_bi
  .venv/bin/chiso status                       # last loads, publication, failing checks
  .venv/bin/chiso airflow standalone           # Airflow UI on http://127.0.0.1:8080
  .chiso/reports/<run date>.html               # the run's report with charts (offline)
  .chiso/docs/checks/index.html                # every gate run and its Data Docs
"""


def collect(conn: psycopg.Connection, run_id: str | None = None) -> dict:
    if run_id is None:
        row = conn.execute(
            "select run_id from audit.runs order by started_at desc limit 1"
        ).fetchone()
        run_id = row[0] if row else None
    loads = conn.execute(
        "select batch_id, feed, file_name, status, rows_read, rows_loaded, rows_rejected,"
        " finished_at, message from audit.load_batches order by batch_id desc limit 10"
    ).fetchall()
    pub = conn.execute(
        "select version, action, schema_name, run_id, published_at, row_counts"
        " from audit.publications order by publication_id desc limit 1"
    ).fetchone()
    last_check = conn.execute(
        "select run_id from audit.check_results order by checked_at desc limit 1"
    ).fetchone()
    failing = []
    if last_check:
        failing = conn.execute(
            "select suite, check_name, column_name, severity, unexpected_count, observed_value"
            " from audit.check_results where run_id = %s and not success"
            " order by severity, suite, check_name",
            (last_check[0],),
        ).fetchall()
    return {
        "run_id": run_id,
        "loads": [
            dict(
                zip(
                    (
                        "batch_id",
                        "feed",
                        "file",
                        "status",
                        "read",
                        "loaded",
                        "rejected",
                        "finished_at",
                        "message",
                    ),
                    r,
                    strict=True,
                )
            )
            for r in loads
        ],
        "publication": dict(
            zip(("version", "action", "schema", "run_id", "at", "row_counts"), pub, strict=True)
        )
        if pub
        else None,
        "checked_run": last_check[0] if last_check else None,
        "failing_checks": [
            dict(
                zip(
                    ("suite", "check", "column", "severity", "unexpected", "observed"),
                    f,
                    strict=True,
                )
            )
            for f in failing
        ],
    }


def format(report: dict) -> str:
    out = ["Last loads:"]
    for b in report["loads"] or []:
        out.append(
            f"  #{b['batch_id']} {b['feed']}/{b['file']}: {b['status']}"
            + (
                f", {b['loaded']} loaded / {b['rejected']} rejected of {b['read']}"
                if b["status"] == "loaded"
                else f" — {b['message'] or ''}"
            )
        )
    if not report["loads"]:
        out.append("  (none)")
    p = report["publication"]
    out.append(
        "Publication: "
        + (
            f"version {p['version']} ({p['action']}, {p['schema']}) by {p['run_id']}"
            f" at {p['at']:%Y-%m-%d %H:%M}"
            if p
            else "none yet"
        )
    )
    fails = report["failing_checks"]
    out.append(f"Failing checks in {report['checked_run']}: " + ("none" if not fails else ""))
    for f in fails:
        col = f"[{f['column']}]" if f["column"] else ""
        out.append(
            f"  {f['severity']}: {f['suite']}.{f['check']}{col}"
            + (f" — {f['unexpected']} unexpected" if f["unexpected"] else "")
        )
    return "\n".join(out)
