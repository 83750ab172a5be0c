"""The publication report: ONE self-contained HTML file per run date, bilingual (vi / en).

``<reports_dir>/<run date>.html``: what was loaded and rejected per feed, the checks, the
publication, and charts of the published marts for the home province (``CHISO_HOME_PROVINCE``):
index scores and ranks over the years, each target's actual against its target, the service
index by unit for the month, overdue tasks by lead unit. Inline CSS and SVG only: it opens
offline, in a browser or attached to an e-mail.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from chiso import charts, config, pages, runinfo

INDEX_NAMES = {
    "pci": "PCI",
    "papi": "PAPI",
    "par_index": "PAR INDEX",
    "sipas": "SIPAS",
    "dti": "DTI",
}
STATUS_VI = {
    "succeeded": "thành công",
    "failed": "thất bại",
    "blocked": "bị chặn",
    "running": "đang chạy",
}


def _value(conn: psycopg.Connection, query: str, params: tuple[Any, ...] = ()) -> Any:
    """The one value of a query that always returns one row (an aggregate, a lookup)."""
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row[0]


def _exists(conn: psycopg.Connection, relation: str) -> bool:
    return bool(_value(conn, "select to_regclass(%s) is not null", (relation,)))


def collect(conn: psycopg.Connection, summary: dict, settings: config.Settings) -> dict:
    """Everything the report shows, read from audit and the published marts."""
    home = settings.home_province
    run_date = date.fromisoformat(summary["run_date"])
    covered = run_date - timedelta(days=1)  # the run of D covers everything up to the end of D-1
    data: dict = {
        "summary": summary,
        "home": home,
        "month": None,
        "province_name": None,
        "indices": [],
        "targets": [],
        "service": [],
        "service_max": None,
        "overdue": [],
        "failures": [],
        "marts_version": None,
    }
    run = conn.execute(
        "select code_version, started_at, finished_at from audit.runs where run_id = %s",
        (summary["run_id"],),
    ).fetchone()
    data["code_version"] = run[0] if run else runinfo.code_version()
    data["failures"] = conn.execute(
        "select suite || '.' || check_name || coalesce(' [' || column_name || ']', ''),"
        " severity, unexpected_count, observed_value from audit.check_results"
        " where run_id = %s and not success order by severity, suite, check_name",
        (summary["run_id"],),
    ).fetchall()
    current = conn.execute(
        "select version, published_at from audit.publications order by publication_id desc limit 1"
    ).fetchone()
    data["marts_version"] = current
    if _exists(conn, "marts.index_scores"):
        data["indices"] = conn.execute(
            "select distinct on (index_code, year) index_code, year, score::float8,"
            " rank, number_ranked, province_name from marts.index_scores"
            " where province_code = %s and component_code is null"
            " order by index_code, year, is_derived desc",
            (home,),
        ).fetchall()
        if data["indices"]:
            data["province_name"] = data["indices"][0][5]
    if _exists(conn, "marts.indicator_targets"):
        data["targets"] = [
            {
                "label": label,
                "actual": _num(a),
                "target": _num(t),
                "unit": unit,
                "status": status,
                "operator": op,
            }
            for label, a, t, unit, status, op in conn.execute(
                "select coalesce(indicator_name, plan_indicator_text) || ' (' || target_year"
                " || ')', actual_value, target_value, unit, status, target_operator"
                " from marts.indicator_targets where province_code = %s"
                " order by array_position(array['off track','on track','no data','met'], status),"
                " indicator_name",
                (home,),
            )
        ]
    if _exists(conn, "marts.service_index_monthly"):
        names = (
            "left join reference.ref_agencies a on a.agency_code = s.unit_code"
            if _exists(conn, "reference.ref_agencies")
            else ""
        )
        label = (
            "coalesce(a.agency_name || ' (' || s.unit_code || ')', s.unit_code)"
            if names
            else "s.unit_code"
        )
        month = _value(
            conn,
            "select max(month_start) from marts.service_index_monthly where month_start <= %s",
            (covered,),
        )
        data["month"] = month
        rows = conn.execute(
            f"select {label}, s.total_points::float8, s.max_points_computed::float8"
            f" from marts.service_index_monthly s {names}"
            " where s.scope = 'agency' and s.month_start = %s"
            " order by s.total_points desc, s.unit_code",
            (month,),
        ).fetchall()
        data["service"] = [(n, p) for n, p, _ in rows]
        data["service_max"] = max((m for *_, m in rows if m is not None), default=None)
    if _exists(conn, "marts.overdue_tasks"):
        data["overdue"] = conn.execute(
            "select coalesce(lead_unit_name, lead_unit_text, '?'), count(distinct task_id)"
            " from marts.overdue_tasks group by 1 order by 2 desc, 1"
        ).fetchall()
    return data


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


# -- rendering (chiso/templates/report.html.j2) ---------------------------------------------
def _index_charts(data: dict[str, Any], name: str) -> dict[str, Any]:
    by_index: dict[str, list[tuple[int, float, int, int]]] = {}
    for code, year, score, rank, ranked, _ in data["indices"]:
        by_index.setdefault(code, []).append((year, score, rank, ranked))
    if not by_index:
        empty = charts.empty_panel(
            f"Điểm và xếp hạng các chỉ số / Index scores and ranks — {name}",
            "marts.index_scores has no composite rows for this province",
        )
        return {"index_scores": None, "index_empty": empty, "index_ranks": None}
    scores = [
        charts.line_chart(
            f"{INDEX_NAMES.get(code, code)}: điểm / score",
            {INDEX_NAMES.get(code, code): [(y, s) for y, s, _, _ in pts]},
            y_label="điểm / score",
            width=380,
            height=230,
        )
        for code, pts in by_index.items()
    ]
    ranks = charts.line_chart(
        f"Xếp hạng qua các năm (1 = cao nhất) / Rank over the years (1 = best) — {name}",
        {INDEX_NAMES.get(c, c): [(y, r) for y, _, r, _ in pts] for c, pts in by_index.items()},
        invert=True,
        y_label="hạng / rank",
    )
    return {"index_scores": scores, "index_empty": None, "index_ranks": ranks}


def render(data: dict[str, Any]) -> str:
    s = data["summary"]
    month = data["month"].strftime("%m/%Y") if data["month"] else "—"
    province = f"{data['province_name'] or data['home']} ({data['home']})"
    loads: list[list[Any]] = [
        [
            f["feed"],
            *(
                int(f[k])
                for k in ("files_loaded", "files_rejected", "rows_loaded", "rows_rejected")
            ),
        ]
        for f in s["feeds"]
    ]
    loads.append(["Tổng / Total", *(sum(r[i] for r in loads) for i in range(1, 5))])
    published = s["published"]
    return pages.render(
        "report.html.j2",
        title=f"Báo cáo công bố dữ liệu / Publication report — {s['run_date']}",
        data=data,
        status_vi=STATUS_VI,
        generated=datetime.now(runinfo.LOCAL).strftime("%Y-%m-%d %H:%M"),
        loads=loads,
        published_rows=[
            [f"marts.{t}", n] for t, n in sorted((published or {}).get("row_counts", {}).items())
        ],
        province=province,
        **_index_charts(data, province),
        targets=charts.bullet_chart(
            "Chỉ tiêu: thực hiện so với mục tiêu / Targets: actual against target", data["targets"]
        ),
        service=charts.bar_chart(
            f"Chỉ số phục vụ theo đơn vị, tháng {month} / Service index by unit, "
            f"{month} (điểm / points; vạch đứt = tối đa / dashed = maximum)",
            data["service"],
            max_value=data["service_max"],
        ),
        overdue=charts.bar_chart(
            "Nhiệm vụ quá hạn theo đơn vị chủ trì / Overdue tasks by lead unit",
            data["overdue"],
            colour=charts.PALETTE[1],
            integer=True,
        ),
    )


def write(conn: psycopg.Connection, summary: dict, settings: config.Settings | None = None) -> Path:
    """Write ``<reports_dir>/<run date>.html`` for a run's summary; return its path."""
    settings = settings or config.load()
    html = render(collect(conn, summary, settings))
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    path = settings.reports_dir / f"{summary['run_date']}.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
