"""The review page of an imported plan: per task, the text read and what it became.

Rendered with Jinja2 (autoescape on: a plan's text is data, never markup) from
``ingest/plans/templates/review.html.j2`` into ``<docs>/plans/<file name>.html``. What a task
became is read back from the warehouse (``raw.plan_tasks``, ``raw.targets`` of the batch, and
``audit.rejected_rows`` with the reason), so the page shows what was loaded, not a re-reading.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:
    from jinja2 import Environment

    from ingest.plans.load import PlanImport

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _batch_rows(
    conn: psycopg.Connection, table: str, batch_id: int | None, columns: str
) -> dict[int, list[tuple[Any, ...]]]:
    if batch_id is None:
        return {}
    rows = conn.execute(
        f"select _source_row, {columns} from raw.{table} where _batch_id = %s order by _source_row",
        (batch_id,),
    ).fetchall()
    out: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row[1:])
    return out


def _rejects(conn: psycopg.Connection, batch_id: int | None) -> dict[int, list[tuple]]:
    if batch_id is None:
        return {}
    out: dict[int, list[tuple[Any, ...]]] = {}
    for row, column, reason, value in conn.execute(
        "select source_row, column_name, reason, value from audit.rejected_rows"
        " where batch_id = %s order by source_row",
        (batch_id,),
    ):
        out.setdefault(row, []).append((column, reason, value))
    return out


def review_data(conn: psycopg.Connection, done: PlanImport) -> dict:
    plan = done.plan
    assert plan is not None
    batches = {r.feed: r for r in done.results}
    tasks_batch = batches.get("plan_tasks")
    targets_batch = batches.get("targets")
    t_id = tasks_batch.batch_id if tasks_batch else None
    g_id = targets_batch.batch_id if targets_batch else None
    loaded = _batch_rows(
        conn,
        "plan_tasks",
        t_id,
        "task_key, timing_kind, start_date, due_date, recurrence, lead_unit_list,"
        " coordinating_unit_list, linked_index_list, province_code, plan_date,"
        " plan_date_precision",
    )
    targets = _batch_rows(
        conn,
        "targets",
        g_id,
        "indicator_name, target_operator, target_value, target_unit, target_year,"
        " indicator_code, scope_unit, province_code",
    )
    t_rejects, g_rejects = _rejects(conn, t_id), _rejects(conn, g_id)
    tasks = []
    for t in plan.tasks:
        rows = loaded.get(t.line)
        row = rows[0] if rows else None
        tasks.append({"task": t, "loaded": row, "rejects": t_rejects.get(t.line, [])})
    goals = []
    seen: dict[int, int] = {}
    for g in plan.targets:
        k = seen.get(g.line, 0)
        seen[g.line] = k + 1
        rows = targets.get(g.line) or []
        goals.append(
            {
                "target": g,
                "loaded": rows[k] if k < len(rows) else None,
                "rejects": g_rejects.get(g.line, []),
            }
        )
    return {
        "plan": plan,
        "file_name": done.path.name,
        "results": done.results,
        "tasks": tasks,
        "targets": goals,
        "counts": {
            "tasks": len(plan.tasks),
            "tasks_loaded": sum(1 for t in tasks if t["loaded"]),
            "tasks_rejected": sum(1 for t in tasks if t["rejects"]),
            "targets": len(plan.targets),
            "targets_loaded": sum(1 for g in goals if g["loaded"]),
            "targets_rejected": sum(1 for g in goals if g["rejects"] and not g["loaded"]),
        },
    }


def write_review(conn: psycopg.Connection, done: PlanImport, folder: Path) -> Path:
    """Write ``<folder>/<plan file name>.html`` and return its path."""
    html = _environment().get_template("review.html.j2").render(**review_data(conn, done))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{done.path.name}.html"
    path.write_text(html, encoding="utf-8")
    return path
