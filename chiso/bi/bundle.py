"""The dashboards kept as code in ``bi/superset/`` (Superset's export format, version 1.0.0).

Each dataset's SQL lives in one place, its YAML file under ``datasets/chiso_marts/``; tests run
it against the published marts and the bench times it. ``build_zip`` fills in the values that
are never committed (the warehouse URI with chiso_bi's password, the home province) and zips
the tree the way ``superset export-dashboards`` does, for ``superset import-dashboards``.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chiso import config

BUNDLE_DIR = config.REPO_ROOT / "bi" / "superset"
ROOT = "chiso_dashboards"  # the folder inside the ZIP (Superset strips the first level)


@dataclass(frozen=True)
class Dataset:
    name: str
    sql: str
    description: str
    columns: list[str]
    metrics: dict[str, str]  # metric name -> SQL expression over the dataset's columns
    path: Path


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def datasets(root: Path = BUNDLE_DIR) -> list[Dataset]:
    found = []
    for path in _files(root / "datasets"):
        data = load(path)
        found.append(
            Dataset(
                name=data["table_name"],
                sql=data["sql"].strip().rstrip(";"),
                description=data.get("description") or "",
                columns=[c["column_name"] for c in data.get("columns", [])],
                metrics={m["metric_name"]: m["expression"] for m in data.get("metrics", [])},
                path=path,
            )
        )
    return found


def dashboards(root: Path = BUNDLE_DIR) -> list[dict[str, Any]]:
    """Each dashboard's title, slug, uuid and its charts (uuid, name, viz type) in layout order."""
    charts = {load(p)["uuid"]: load(p) for p in _files(root / "charts")}
    found = []
    for path in _files(root / "dashboards"):
        data = load(path)
        members = [
            charts[node["meta"]["uuid"]]
            for node in data["position"].values()
            if isinstance(node, dict) and node.get("type") == "CHART"
        ]
        found.append(
            {
                "title": data["dashboard_title"],
                "slug": data["slug"],
                "uuid": data["uuid"],
                "charts": [
                    {"uuid": c["uuid"], "name": c["slice_name"], "viz_type": c["viz_type"]}
                    for c in members
                ],
            }
        )
    return found


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, text in values.items():
            value = value.replace(f"__{key}__", text)
        return value
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def build_zip(values: dict[str, str], root: Path = BUNDLE_DIR) -> bytes:
    """The bundle as a ZIP with ``__KEY__`` placeholders replaced (YAML re-written, so any
    character in a password stays a plain string)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for path in _files(root):
            data = _fill(load(path), values)
            left = _placeholders(data)
            if left:
                raise ValueError(f"{path}: no value for {', '.join(sorted(set(left)))}")
            name = f"{ROOT}/{path.relative_to(root).as_posix()}"
            out.writestr(name, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return buffer.getvalue()


def _placeholders(value: Any) -> list[str]:
    if isinstance(value, str):
        return re.findall(r"__(CHISO_[A-Z_]+)__", value)
    if isinstance(value, list):
        return [p for v in value for p in _placeholders(v)]
    if isinstance(value, dict):
        return [p for v in value.values() for p in _placeholders(v)]
    return []


# -- the queries the charts send ------------------------------------------------------------
GRAINS = {"P1D": "day", "P1W": "week", "P1M": "month", "P3M": "quarter", "P1Y": "year"}


def _filter(f: dict[str, Any]) -> str | None:
    if f.get("expressionType") == "SQL":
        return f["sqlExpression"]
    column, op, value = f'"{f["subject"]}"', f["operator"], f.get("comparator")
    if op == "TEMPORAL_RANGE":
        return None if value in (None, "No filter") else f"{column} is not null"
    if op in ("IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL"):
        return f"{column} {op.lower()}"
    literal = "'" + str(value).replace("'", "''") + "'"
    return f"{column} {'=' if op == '==' else op} {literal}"


def chart_sql(chart: dict[str, Any], dataset: Dataset) -> str:
    """The query a chart sends, in the shape Superset gives it: the virtual dataset as a
    subquery, the chart's filters, grouping, order and row limit (used by the bench and by the
    tests that run every chart's query on every supported server)."""
    p, viz = chart["params"], chart["viz_type"]
    source = f"({dataset.sql}) as virtual_table"
    wheres = [w for w in map(_filter, p.get("adhoc_filters", [])) if w]
    where = f" where {' and '.join(wheres)}" if wheres else ""

    def metric(name: str) -> str:
        return f'{dataset.metrics[name]} as "{name}"'

    if viz == "table" and p.get("query_mode") == "raw":
        columns = ", ".join(f'"{c}"' for c in p["all_columns"])
        order = [e.split('"')[1] + ("" if "true" in e else " desc") for e in p["order_by_cols"]]
        order_by = f" order by {', '.join(order)}" if order else ""
        return f"select {columns} from {source}{where}{order_by} limit {p['row_limit']}"
    if viz == "big_number_total":
        return f"select {metric(p['metric'])} from {source}{where} limit 50000"
    if viz == "table":
        groups = [f'"{g}"' for g in p["groupby"]]
        metrics = [metric(m) for m in p["metrics"]]
        return (
            f"select {', '.join(groups + metrics)} from {source}{where}"
            f' group by {", ".join(groups)} order by "{p["metrics"][0]}" desc'
            f" limit {p['row_limit']}"
        )
    if viz.startswith("echarts_timeseries"):
        x = f'"{p["x_axis"]}"'
        if p.get("time_grain_sqla") in GRAINS:
            x = f"date_trunc('{GRAINS[p['time_grain_sqla']]}', {x})"
        groups = [x] + [f'"{g}"' for g in p.get("groupby", [])]
        metrics = [metric(m) for m in p["metrics"]]
        return (
            f"select {', '.join(groups + metrics)} from {source}{where}"
            f" group by {', '.join(groups)} order by {x} limit {p['row_limit']}"
        )
    raise ValueError(f"{chart['slice_name']}: no query shape for viz type {viz}")


def chart_queries(values: dict[str, str], root: Path = BUNDLE_DIR) -> dict[str, str]:
    """Every chart's query, by chart file name (without .yaml), placeholders filled in."""
    by_uuid = {load(d.path)["uuid"]: d for d in datasets(root)}
    queries = {}
    for path in _files(root / "charts"):
        chart = _fill(load(path), values)
        queries[path.stem] = chart_sql(chart, by_uuid[chart["dataset_uuid"]])
    return queries
