"""The publication report and dbt's documentation site, after a real run on sample data."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import psycopg
import pytest

from chiso import cli, config, pipeline, warehouse

RUN_DATE = date(2026, 11, 1)
_SAMPLE: dict[str, str] = {}


def sample_env(server_url: str, base: Path) -> dict[str, str]:
    """A warehouse with every sample feed run through the pipeline once per session; returns
    the environment pointing at it (own docs and reports dirs). Shared with test_browser."""
    if not _SAMPLE:
        from chiso.samples import generate_all
        from tests.conftest import _with_db

        name = f"chiso_report_{os.getpid()}"
        with psycopg.connect(server_url, autocommit=True) as c:
            c.execute(f'drop database if exists "{name}"')
            c.execute(f'create database "{name}"')
        env = {
            "CHISO_WAREHOUSE_URL": _with_db(server_url, name),
            "CHISO_LANDING_DIR": str(base / "landing"),
            "CHISO_DOCS_DIR": str(base / "docs"),
            "CHISO_REPORTS_DIR": str(base / "reports"),
        }
        mp = pytest.MonkeyPatch()
        try:
            for k, v in env.items():
                mp.setenv(k, v)
            generate_all(
                Path(env["CHISO_LANDING_DIR"]), date(2026, 10, 1), 31, seed=2, dossiers_per_day=40
            )
            lines: list[str] = []
            run = pipeline.Run("report-sample", RUN_DATE, progress=lines.append)
            result = pipeline.run_all(run)
            env["progress"] = "\n".join(lines)
            env["summary"] = json.dumps(result, default=str)
        finally:
            mp.undo()
        _SAMPLE.update(env)
    return dict(_SAMPLE)


@pytest.fixture(scope="module")
def sample(server_url, tmp_path_factory):
    env = sample_env(server_url, tmp_path_factory.mktemp("report"))
    mp = pytest.MonkeyPatch()
    for k in ("CHISO_WAREHOUSE_URL", "CHISO_LANDING_DIR", "CHISO_DOCS_DIR", "CHISO_REPORTS_DIR"):
        mp.setenv(k, env[k])
    yield env
    mp.undo()


def test_run_prints_a_progress_line_per_step_with_counts_and_rates(sample):
    text = sample["progress"]
    assert re.search(
        r"^ingest onestop/onestop_2026-10-0\d\.csv: \d+ loaded, 0 rejected of \d+ "
        r"rows in \d+\.\d s = [\d,]+ rows/s$",
        text,
        re.M,
    ), text
    assert re.search(r"^build: \d+ models, \d+ tests(, \d+ seeds)? in \d+\.\d s", text, re.M)
    assert re.search(
        r"^gate: \d+ checks in \d+\.\d s = [\d,]+ checks/s: \d+ passed, 0 blocking", text, re.M
    )
    assert re.search(r"^publish: version 1 \(marts_v000001\), 12 marts", text, re.M)


def test_report_is_one_self_contained_bilingual_file_with_charts(sample):
    summary = json.loads(sample["summary"])
    path = Path(sample["CHISO_REPORTS_DIR"]) / "2026-11-01.html"
    assert summary["report"] == str(path) and path.exists()
    html = path.read_text(encoding="utf-8")
    for external in ("<script", "<link", "@import", "url(", "src=", "<iframe", "<object"):
        assert external not in html, external
    # The only address is the SVG namespace, an identifier that is never fetched.
    assert set(re.findall(r"https?://[^\"' <]+", html)) == {"http://www.w3.org/2000/svg"}
    for label in (
        "Dữ liệu đã nạp và bị loại / Loaded and rejected, per feed",
        "Kiểm tra chất lượng / Quality checks",
        "Quảng Trị (45)",
        "Service index by unit, 10/2026",
        "Overdue tasks by lead unit",
        "Targets: actual against target",
        "Rank over the years",
    ):
        assert label in html, label
    assert "Chưa có dữ liệu" not in html  # the sample has data for every chart
    assert html.count("<svg") >= 6 and html.count('class="bar"') > 20
    assert html.count('class="point"') >= 6 and '<td class="num">1,742</td>' in html


def test_report_command_rewrites_it_and_says_where(sample, capsys):
    path = Path(sample["CHISO_REPORTS_DIR"]) / "2026-11-01.html"
    path.unlink()
    assert cli.main(["report", "--date", "2026-11-01"]) == 0
    assert capsys.readouterr().out.strip() == (f"report for 2026-11-01 (run report-sample): {path}")
    assert path.exists()
    assert cli.main(["report", "--date", "2020-01-01"]) == 1
    assert "no run for run date 2020-01-01" in capsys.readouterr().err


def test_dbt_docs_site_is_generated_with_the_build(sample):
    site = Path(sample["CHISO_DOCS_DIR"]) / "dbt"
    for name in ("index.html", "static_index.html", "manifest.json", "catalog.json"):
        assert (site / name).stat().st_size > 1000, name


def test_every_mart_and_column_is_described_in_the_dbt_docs(sample):
    """Reads dbt's manifest (descriptions) and catalog (the columns the tables really have)."""
    site = Path(sample["CHISO_DOCS_DIR"]) / "dbt"
    manifest = json.loads((site / "manifest.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())
    marts = {
        uid: n
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] == "model" and "marts" in n["fqn"]
    }
    assert len(marts) >= 12
    undescribed = []
    for uid, node in sorted(marts.items()):
        if not (node.get("description") or "").strip():
            undescribed.append(node["name"])
        described = {
            c.lower() for c, d in node["columns"].items() if (d.get("description") or "").strip()
        }
        undescribed += [
            f"{node['name']}.{c}"
            for c in catalog["nodes"][uid]["columns"]
            if c.lower() not in described
        ]
    assert undescribed == [], f"marts/columns without a description: {undescribed}"


def test_report_of_a_run_with_no_data_shows_no_data_panels(warehouse_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("CHISO_DOCS_DIR", str(tmp_path / "docs"))
    run = pipeline.Run("empty", date(2026, 11, 8), settings=config.load())
    pipeline.begin(run)
    pipeline.finish(run, "failed", "ingest: nothing to do")
    result = pipeline.summary(run)
    html = Path(result["report"]).read_text(encoding="utf-8")
    assert html.count('class="nodata"') == 4 and "<svg" not in html
    assert "Không có tệp mới" in html and "nothing published yet" in html
    assert "thất bại / failed — ingest: nothing to do" in html
    with warehouse.connect(warehouse_url) as conn:  # the checks index exists, saying so
        assert conn.execute("select count(*) from audit.check_results").fetchone()[0] == 0
    assert "No gate runs yet" in (tmp_path / "docs" / "checks" / "index.html").read_text()
