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
