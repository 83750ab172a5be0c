"""Superset, as `make bi` runs it, in a real headless Chromium (issue 19, items 1-3).

One Superset per module: its own metadata in a temporary home, the bundle imported with
``superset import-dashboards`` against a copy of the published sample, gunicorn on a free
port. Each dashboard is opened in Debian's Chromium (driven by Playwright's Python package, no
browser download); every chart must answer its data request and render, the big numbers must
equal the same figures queried from ``marts``, and nothing may be fetched from outside the
machine. Screenshots go to ``$CHISO_ARTIFACTS_DIR/superset/`` (default
``.chiso/ci-artifacts/superset/``).

Outside CI a missing ``.venv-bi`` or Chromium skips with the command that installs it; in CI
(``CHISO_CI`` or ``CI`` set) it fails.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from chiso import config, warehouse
from chiso.bi import bundle, superset
from tests.bi.conftest import copy_database

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = bool(os.environ.get("CHISO_CI") or os.environ.get("CI"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Per dashboard: (chart name, SQL giving the same figure from marts, decimals shown).
FIGURES = {
    "chiso-onestop": [
        (
            "Chỉ số 766 toàn tỉnh, tháng gần nhất (điểm)",
            "select total_points from marts.service_index_monthly where scope = 'province'"
            " order by month_start desc limit 1",
        ),
        ("Hồ sơ đang quá hạn", "select count(*) from marts.late_dossiers"),
    ],
    "chiso-plans": [
        ("Nhiệm vụ quá hạn chưa hoàn thành", "select count(*) from marts.overdue_tasks"),
    ],
    "chiso-indices": [
        (
            "Điểm và xếp hạng các chỉ số qua các năm",
            "select score from marts.index_scores where current_province_code = 'N44'"
            " and is_derived and index_code = 'pci' and component_code is null"
            " order by year desc limit 1",
        ),
    ],
}
RENDERED = {  # what a rendered chart of each type contains
    "big_number_total": ".header-line",
    "table": "table tbody tr",
    "echarts_timeseries_line": "canvas",
    "echarts_timeseries_bar": "canvas",
}


def _missing(what: str, fix: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is missing in CI: {fix}")
    pytest.skip(f"{what} is missing: {fix}")


def artifacts_dir() -> Path:
    root = os.environ.get("CHISO_ARTIFACTS_DIR") or config.REPO_ROOT / ".chiso" / "ci-artifacts"
    path = Path(root) / "superset"
    path.mkdir(parents=True, exist_ok=True)
    return path


TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def site(bi_sample, server_url, tmp_path_factory):
    found = superset.locate()
    if not found.installed():
        _missing(f"Superset ({found.venv})", "run `make bi-install`")
    home = tmp_path_factory.mktemp("superset")
    site = superset.Superset(venv=found.venv, home=home)
    url = copy_database(server_url, bi_sample, f"chiso_bi_superset_{os.getpid()}")
    started = time.monotonic()
    superset.setup(site, say=lambda _: None)
    TIMINGS["setup_s"] = time.monotonic() - started
    started = time.monotonic()
    superset.import_dashboards(site, warehouse.bi_url(url), config.load(), say=lambda _: None)
    TIMINGS["import_s"] = time.monotonic() - started
    yield site, url
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{urlsplit(url).path[1:]}" with (force)')


@pytest.fixture(scope="module")
def server(site):
    started = time.monotonic()
    running = superset.start(site[0], superset.free_port(), workers=1)
    TIMINGS["start_s"] = time.monotonic() - started
    yield running
    running.stop()
    (artifacts_dir() / "timings.json").write_text(json.dumps(TIMINGS, indent=2))


@pytest.fixture(scope="module")
def page(server, site):
    if not CHROMIUM.exists():
        _missing("Chromium (/usr/bin/chromium)", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        tab = browser.new_page(viewport={"width": 1600, "height": 1200}, locale="vi-VN")
        tab.set_default_timeout(60_000)
        tab.goto(f"{server.url}/login/")
        tab.fill("#username", superset.ADMIN)
        tab.fill("#password", superset.admin_password(site[0]))
        tab.click("[data-test=login-button]")
        tab.wait_for_url(re.compile(r".*/superset/welcome/.*"))
        yield tab
        browser.close()


def _metadata_state(path: Path) -> dict[str, list[tuple]]:
    """Every row of the tables an import writes, without its timestamps and audit users."""
    skip = re.compile(
        r"^(changed_on|created_on|changed_by_fk|created_by_fk|last_saved_at|last_saved_by_fk)$"
    )
    state = {}
    with sqlite3.connect(path) as db:
        for table in (
            "dbs",
            "tables",
            "table_columns",
            "sql_metrics",
            "slices",
            "dashboards",
            "dashboard_slices",
            "slice_user",
            "dashboard_user",
        ):
            columns = [
                r[1] for r in db.execute(f"pragma table_info({table})") if not skip.match(r[1])
            ]
            if table in ("dashboard_slices", "slice_user", "dashboard_user"):
                columns.remove("id")  # link rows are rewritten by each import: compare the links
            state[table] = sorted(
                db.execute(f"select {', '.join(columns)} from {table}").fetchall()
            )
    return state


def test_a_second_import_changes_and_duplicates_nothing(site):
    s, url = site
    before = _metadata_state(s.home / "superset.db")
    assert len(before["dashboards"]) == len(bundle.dashboards()) == 3
    assert len(before["tables"]) == len(bundle.datasets())
    assert len(before["slices"]) == sum(len(b["charts"]) for b in bundle.dashboards())
    assert len(before["dbs"]) == 1

    superset.import_dashboards(s, warehouse.bi_url(url), config.load(), say=lambda _: None)

    after = _metadata_state(s.home / "superset.db")
    assert after == before


def test_the_warehouse_password_is_stored_by_superset_not_in_the_bundle(site):
    s, url = site
    password = warehouse.url_parts(warehouse.bi_url(url))["password"]
    committed = "".join(p.read_text(encoding="utf-8") for p in bundle.BUNDLE_DIR.rglob("*.yaml"))
    assert password not in committed and "__CHISO_BI_SQLALCHEMY_URI__" in committed
    assert not (s.home / "bundle-import.zip").exists()
    with sqlite3.connect(s.home / "superset.db") as db:
        (uri,) = db.execute("select sqlalchemy_uri from dbs").fetchone()
    assert uri.startswith("postgresql+psycopg2://chiso_bi:") and password not in uri


def _number(text: str) -> float:
    """A figure as the dashboards show it (Vietnamese: 1.234,5)."""
    return float(text.strip().replace(".", "").replace(",", "."))


@pytest.mark.parametrize("board", bundle.dashboards(), ids=lambda b: b["slug"])
def test_dashboard_renders_every_chart_and_shows_the_marts_figures(board, page, server, site):
    outside: dict[str, str | None] = {}  # URL -> why the browser did not fetch it
    answers: list[tuple[int, dict]] = []

    def local(url: str) -> bool:
        return url.startswith((server.url, "data:", "blob:"))

    def on_request(request) -> None:
        if not local(request.url):
            outside[request.url] = None

    def on_failed(request) -> None:
        if not local(request.url):
            outside[request.url] = request.failure

    def on_response(response) -> None:
        if "/api/v1/chart/data" in response.url:
            body = response.json() if response.ok else {"status": response.status}
            answers.append((response.status, body))

    handlers = {"request": on_request, "requestfailed": on_failed, "response": on_response}
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        page.goto(f"{server.url}/superset/dashboard/{board['slug']}/")
        charts = len(board["charts"])
        deadline = time.monotonic() + 90
        while len(answers) < charts and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # let ECharts paint after its data arrives
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)

    assert len(answers) == charts, f"{len(answers)} of {charts} charts asked for data"
    failed = [
        (status, body)
        for status, body in answers
        if status != 200
        or any(r.get("status") != "success" or r.get("error") for r in body["result"])
    ]
    assert failed == []
    # Superset's PyPI build asks for a telemetry pixel on every page: the content security
    # policy of bi/superset_config.py must stop it (and anything else) in the browser.
    assert {url: why for url, why in outside.items() if why != "csp"} == {}

    holders = page.locator('[data-test="chart-grid-component"]')
    assert holders.count() == charts
    for i in range(charts):
        holder = holders.nth(i)
        name = holder.get_attribute("data-test-chart-name")
        viz = holder.get_attribute("data-test-viz-type")
        assert holder.locator('[role="alert"]').count() == 0, f"{name}: shows an error"
        assert holder.locator(RENDERED[viz]).count() > 0, f"{name}: nothing rendered ({viz})"

    with psycopg.connect(warehouse.bi_url(site[1]), autocommit=True) as bi:
        for chart, query in FIGURES[board["slug"]]:
            expected = float(bi.execute(query).fetchone()[0])
            holder = page.locator(
                f'[data-test="chart-grid-component"][data-test-chart-name="{chart}"]'
            )
            big = holder.locator(".header-line")
            if big.count():
                assert _number(big.inner_text()) == pytest.approx(expected, abs=0.005), chart
            else:
                shown = [
                    _number(x)
                    for x in re.findall(r"-?\d[\d.]*,\d+|-?\d[\d.]*", holder.inner_text())
                ]
                assert any(abs(x - expected) < 0.005 for x in shown), (chart, expected)

    page.screenshot(path=str(artifacts_dir() / f"{board['slug']}.png"), full_page=True)
