"""What auditors read: the run history (``chiso audit``) and the index of gate runs' Data Docs.

Both come from the ``audit`` schema in the warehouse, never from Airflow's metadata (which
``airflow db clean`` purges): the history from the view ``audit.history`` (bootstrap.sql), the
index page ``<docs_dir>/checks/index.html`` from ``audit.check_results``, ``audit.runs`` and
``audit.publications``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from chiso import config, gate, pages, runinfo

COLUMNS = ("kind", "time", "run_id", "code_version", "subject", "outcome", "counts")
_KIND_ORDER = "array_position(array['run','load','rejected','check','publish','rollback'], kind)"


def history(conn: psycopg.Connection, since: date, until: date | None = None) -> list[dict]:
    """Every audited event from local midnight starting ``since`` (to the end of ``until``)."""
    start = runinfo.as_of(since)
    end = runinfo.as_of(until + timedelta(days=1)) if until else None
    rows = conn.execute(
        "select kind, at, run_id, code_version, subject, outcome, counts from audit.history"
        " where at >= %s and (%s::timestamptz is null or at < %s)"
        f" order by at, {_KIND_ORDER}, subject",
        (start, end, end),
    ).fetchall()
    return [dict(zip(COLUMNS, (k, _local(at), *rest), strict=True)) for k, at, *rest in rows]


def _local(at: datetime) -> str:
    return at.astimezone(runinfo.LOCAL).strftime("%Y-%m-%d %H:%M:%S")


# -- output -----------------------------------------------------------------------------------
def format_table(rows: list[dict], width: int = 60) -> str:
    """A plain-text table, one event per line; long cells are cut at ``width`` characters."""
    if not rows:
        return "no audited events in that period"
    cells = [[_cut(str(r[c] if r[c] is not None else ""), width) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(COLUMNS)]
    line = "  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    out += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(out)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: never run as a formula (CWE-1236)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([safe_cell(r[c]) for c in COLUMNS])
    return buf.getvalue()


# -- the checks index -------------------------------------------------------------------------
def gate_runs(conn: psycopg.Connection) -> list[dict]:
    """One row per gate run, newest first: counts, suites and what became of it."""
    rows = conn.execute(
        "select c.run_id, max(c.checked_at) as at, array_agg(distinct c.suite order by c.suite),"
        " count(*) filter (where c.success),"
        " count(*) filter (where not c.success and c.severity = 'blocking'),"
        " count(*) filter (where not c.success and c.severity = 'warning'),"
        " r.run_date, r.status, max(c.code_version),"
        " (select max(p.version) from audit.publications p"
        "   where p.run_id = c.run_id and p.action = 'publish')"
        " from audit.check_results c left join audit.runs r on r.run_id = c.run_id"
        " group by c.run_id, r.run_date, r.status order by at desc, c.run_id"
    ).fetchall()
    out = []
    for run_id, at, suites, passed, blocking, warning, run_date, status, code, version in rows:
        if version is not None:
            outcome = f"published v{version}"
        elif blocking:
            outcome = "blocked"
        else:
            outcome = "not published" + (f" ({status})" if status else "")
        out.append(
            {
                "run_id": run_id,
                "time": _local(at),
                "run_date": run_date,
                "suites": suites,
                "passed": passed,
                "failed_blocking": blocking,
                "failed_warning": warning,
                "outcome": outcome,
                "code_version": code,
            }
        )
    return out


_OUTCOME_VI = {"published": "đã công bố", "blocked": "bị chặn", "not published": "chưa công bố"}


def checks_index_html(runs: list[dict[str, Any]], docs_root: Path) -> str:
    """The page (chiso/templates/checks_index.html.j2); a run links its Data Docs if built."""
    shown = []
    for r in runs:
        folder = gate.safe_name(r["run_id"])
        kind = next((k for k in _OUTCOME_VI if r["outcome"].startswith(k)), "not published")
        shown.append(
            {
                **r,
                "docs": folder if (docs_root / folder / "index.html").exists() else None,
                "css": {"published": "ok", "blocked": "bad"}.get(kind, "warn"),
                "outcome_vi": _OUTCOME_VI[kind],
            }
        )
    return pages.render(
        "checks_index.html.j2",
        title="Kiểm tra chất lượng dữ liệu / Data quality checks",
        runs=shown,
    )


def write_checks_index(conn: psycopg.Connection, settings: config.Settings | None = None) -> Path:
    settings = settings or config.load()
    root = settings.docs_dir / "checks"
    root.mkdir(parents=True, exist_ok=True)
    path = root / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(checks_index_html(gate_runs(conn), root), encoding="utf-8")
    tmp.replace(path)  # readers never see half a page
    return path
