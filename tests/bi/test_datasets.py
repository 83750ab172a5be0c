"""The bundle's SQL against the published marts, on every supported server: each dataset's SQL
runs as chiso_bi and returns the columns its YAML declares, each metric evaluates, and every
column or metric a chart names exists in its dataset. A mart column renamed under a dashboard
fails here, by name, before any browser starts."""

from __future__ import annotations

import psycopg
import pytest

from chiso import warehouse
from chiso.bi import bundle

pytestmark = pytest.mark.server_contract

DATASETS = bundle.datasets()


@pytest.fixture(scope="module")
def bi(bi_sample):
    with psycopg.connect(warehouse.bi_url(bi_sample), autocommit=True) as conn:
        yield conn


@pytest.mark.parametrize("dataset", DATASETS, ids=[d.name for d in DATASETS])
def test_dataset_sql_runs_on_the_published_marts_as_chiso_bi(bi, dataset):
    cursor = bi.execute(f"select * from ({dataset.sql}) as dataset")
    rows = cursor.fetchall()
    assert [c.name for c in cursor.description] == dataset.columns, dataset.path
    assert rows, f"{dataset.name}: no rows on the sample"
    for name, expression in dataset.metrics.items():
        value = bi.execute(f"select {expression} from ({dataset.sql}) as dataset").fetchone()[0]
        assert value is not None, f"{dataset.name}.{name}: {expression} is null on the sample"


def _named(params: dict) -> set[str]:
    """Columns and metrics a chart's form data refers to."""
    names: set[str] = set()
    for key in ("all_columns", "groupby", "metrics"):
        names.update(x for x in params.get(key) or [] if isinstance(x, str))
    for key in ("metric", "x_axis", "timeseries_limit_metric", "x_axis_sort"):
        if isinstance(params.get(key), str):
            names.add(params[key])
    names.update(f["subject"] for f in params.get("adhoc_filters", []) if f.get("subject"))
    for entry in params.get("order_by_cols") or []:
        names.add(entry.split('"')[1])
    return names


def test_every_chart_names_only_columns_and_metrics_of_its_dataset():
    by_uuid = {bundle.load(d.path)["uuid"]: set(d.columns) | set(d.metrics) for d in DATASETS}
    missing = {}
    for path in sorted((bundle.BUNDLE_DIR / "charts").glob("*.yaml")):
        chart = bundle.load(path)
        unknown = _named(chart["params"]) - by_uuid[chart["dataset_uuid"]]
        if unknown:
            missing[path.name] = sorted(unknown)
    assert missing == {}


def test_every_dashboard_chart_is_in_the_bundle_and_every_chart_on_a_dashboard():
    on_boards = [c["uuid"] for board in bundle.dashboards() for c in board["charts"]]
    charts = [bundle.load(p)["uuid"] for p in (bundle.BUNDLE_DIR / "charts").glob("*.yaml")]
    assert sorted(on_boards) == sorted(charts)


def test_every_charts_query_runs_as_chiso_bi_and_finds_rows(bi):
    queries = bundle.chart_queries({"CHISO_HOME_UNIT": "N44"})
    empty = [name for name, query in queries.items() if not bi.execute(query).fetchall()]
    assert empty == []
