"""Inline SVG charts, CSV escaping and progress lines (no warehouse)."""

from __future__ import annotations

import csv
import io
import logging
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from chiso import audit, charts, dbt, progress

SVG = "{http://www.w3.org/2000/svg}"


def _svg(figure: str) -> ET.Element:
    """The chart's <svg>, parsed as XML (so it is well-formed)."""
    start, end = figure.index("<svg"), figure.index("</svg>") + len("</svg>")
    return ET.fromstring(figure[start:end])


def _cls(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if e.get("class") == cls]


def test_bar_chart_has_one_bar_per_item_scaled_to_its_value():
    fig = charts.bar_chart(
        "Chỉ số / Index",
        [("Sở Tư pháp", 80), ("Sở Y tế", 40), ("Sở <Xây dựng> & co", 0)],
        max_value=82,
    )
    root = _svg(fig)
    bars = _cls(root, "rect", "bar")
    assert len(bars) == 3
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01) and widths[2] >= 1
    assert len(_cls(root, "line", "target")) == 1  # the dashed maximum
    labels = [t.text for t in _cls(root, "text", "label")]
    assert "Sở <Xây dựng> & co" in labels  # escaped in the markup, intact once parsed
    assert "<Xây" not in fig


def test_counts_get_whole_ticks_and_negative_values_draw_left_of_zero():
    ticks = [
        t.text
        for t in _cls(
            _svg(charts.bar_chart("n", [("a", 1), ("b", 2)], integer=True)), "text", "tick"
        )
    ]
    assert all("." not in t for t in ticks) and "0" in ticks
    root = _svg(charts.bar_chart("change", [("up", 3.5), ("down", -2)]))
    up, down = _cls(root, "rect", "bar")
    assert float(down.get("x")) < float(up.get("x"))


def test_line_chart_points_lines_and_inverted_rank_axis():
    fig = charts.line_chart(
        "Xếp hạng / Rank", {"PCI": [(2023, 11), (2024, 9)], "PAPI": [(2024, 20)]}, invert=True
    )
    root = _svg(fig)
    assert len(_cls(root, "polyline", "line")) == 2
    points = _cls(root, "circle", "point")
    assert len(points) == 3
    y = {p.find(SVG + "title").text: float(p.get("cy")) for p in points}
    assert y["PCI 2024: 9"] < y["PCI 2023: 11"] < y["PAPI 2024: 20"]  # rank 1 at the top
    scores = _svg(charts.line_chart("score", {"PCI": [(2023, 60), (2024, 70)]}))
    p23, p24 = _cls(scores, "circle", "point")
    assert float(p24.get("cy")) < float(p23.get("cy"))  # higher score higher up


def test_bullet_chart_marks_each_target_and_colours_by_status():
    rows = [
        {
            "label": "Hài lòng",
            "actual": 82.0,
            "target": 85.0,
            "unit": "percent",
            "status": "off track",
            "operator": ">=",
        },
        {
            "label": "Ngày chờ",
            "actual": None,
            "target": 5.0,
            "unit": "days",
            "status": "no data",
            "operator": "<=",
        },
    ]
    root = _svg(charts.bullet_chart("Chỉ tiêu / Targets", rows))
    assert len(_cls(root, "rect", "bar")) == 1  # no actual, no bar
    assert len(_cls(root, "line", "target")) == 2
    assert _cls(root, "rect", "bar")[0].get("fill") == charts.STATUS_COLOURS["off track"]


@pytest.mark.parametrize(
    "fig",
    [
        charts.bar_chart("Trống / Empty", []),
        charts.line_chart("Trống / Empty", {"PCI": []}),
        charts.bullet_chart("Trống / Empty", []),
    ],
)
def test_no_data_is_a_clear_panel_not_a_broken_chart(fig):
    assert "<svg" not in fig
    assert 'class="nodata"' in fig and "Chưa có dữ liệu / No data" in fig


def test_page_is_self_contained():
    html = charts.page("Báo cáo / Report", charts.bar_chart("x", [("a", 1)]))
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    for external in ("<script", "<link", "@import", "url(", "src="):
        assert external not in html


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cells_that_look_like_formulas_are_escaped(value, cell):
    assert audit.safe_cell(value) == cell


def test_csv_has_a_header_and_round_trips():
    rows = [
        dict(
            zip(
                audit.COLUMNS,
                (
                    "load",
                    "2026-11-08 01:00:00",
                    "r1",
                    "abc",
                    "=x/y.csv",
                    'failed: a, "b"',
                    "1 read",
                ),
                strict=True,
            )
        )
    ]
    parsed = list(csv.reader(io.StringIO(audit.to_csv(rows))))
    assert parsed[0] == list(audit.COLUMNS)
    assert parsed[1][4] == "'=x/y.csv" and parsed[1][5] == 'failed: a, "b"'


def test_audit_table_has_one_line_per_event():
    rows = [
        dict(zip(audit.COLUMNS, ("check", "t", "r", "c", "s" * 200, "passed", None), strict=True))
    ]
    lines = audit.format_table(rows).splitlines()
    assert lines[0].split() == list(audit.COLUMNS) and len(lines) == 3
    assert "…" in lines[2]
    assert audit.format_table([]) == "no audited events in that period"


def test_progress_lines_give_counts_time_and_rate():
    loaded = SimpleNamespace(
        feed="onestop",
        file_name="onestop_2026-11-02.csv",
        status="loaded",
        rows_read=1617,
        rows_loaded=1617,
        rows_rejected=0,
        seconds=0.3,
        message="",
    )
    assert progress.ingest_line(loaded) == (
        "ingest onestop/onestop_2026-11-02.csv: 1,617 loaded, 0 rejected of 1,617 rows"
        " in 0.3 s = 5,390 rows/s"
    )
    outcome = dbt.DbtOutcome(
        "build", True, [], {"success": 42, "pass": 120}, {"model": 42, "test": 120}, 8.1
    )
    assert progress.build_line(outcome).startswith("build: 42 models, 120 tests in 8.1 s")
    assert progress.gate_line(29, 0, 2, 2.0).startswith("gate: 31 checks in 2.0 s")
    seen: list[str] = []
    progress.say(seen.append, "shown")
    progress.say(seen.append, "hidden", quiet=True)
    assert seen == ["shown"]


def test_dbt_docs_failure_is_a_warning_not_an_error(monkeypatch, tmp_path, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("catalog query failed")

    monkeypatch.setenv("CHISO_DOCS_DIR", str(tmp_path / "docs"))
    monkeypatch.setattr(dbt, "run", broken)
    with caplog.at_level(logging.WARNING, logger="chiso.dbt"):
        assert dbt.docs("postgresql://nowhere/x") is None
    assert "dbt docs were not generated" in caplog.text and "catalog query failed" in caplog.text


# -- escaping: names from source files are text, never markup --------------------------------
# A unit name as a plan copied from Word may write it: markup characters, quotes, and a vertical
# tab (Word's Shift+Enter line break), which HTML forbids and XML cannot hold.
NASTY = "Sở <script>alert(\"x\")</script> & Đoàn\x0bthanh niên 'TN'"
SHOWN = "Sở <script>alert(\"x\")</script> & Đoàn thanh niên 'TN'"


def _strict_html(page: str):
    """The page parsed by a real HTML5 parser that raises on any parse error."""
    import html5lib

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(page)


def _sample_report(name: str) -> dict:
    from datetime import date, datetime

    return {
        "summary": {
            "run_date": "2026-11-01",
            "run_id": f"run {name}",
            "status": "blocked",
            "message": f"gate: {name}",
            "feeds": [
                {
                    "feed": "plan_tasks",
                    "files_loaded": 1,
                    "files_rejected": 0,
                    "rows_loaded": 1742,
                    "rows_rejected": 3,
                }
            ],
            "checks": {"passed": 10, "failed_blocking": 1, "failed_warning": 0},
            "published": None,
        },
        "home": "45",
        "month": date(2026, 10, 1),
        "province_name": name,
        "indices": [("pci", 2023, 64.2, 12, 63, name), ("pci", 2024, 66.0, 9, 63, name)],
        "targets": [
            {
                "label": name,
                "actual": 80.0,
                "target": 85.0,
                "unit": "percent",
                "status": "off track",
                "operator": ">=",
            }
        ],
        "service": [(name, 71.5), ("Sở Y tế", 80.0)],
        "service_max": 100.0,
        "overdue": [(name, 4)],
        "failures": [(f"tasks.{name}", "blocking", 2, None)],
        "marts_version": (3, datetime(2026, 10, 31)),
        "code_version": "abc123",
    }


def test_report_escapes_names_and_validates_as_html_with_svg_that_is_xml():
    from chiso import report

    page = report.render(_sample_report(NASTY))
    doc = _strict_html(page)
    assert doc.findall(".//script") == []  # shown as text, never run
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; Đoàn" in page
    text = " ".join(doc.itertext())
    assert text.count(SHOWN) >= 5  # province, run id, message, failed check, unit
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(svgs) == 5  # PCI score, ranks, targets, service index, overdue tasks
    labels = []
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed XML, the quote and the tab included
        labels += ["".join(t.itertext()) for t in root.iter(SVG + "title")]
    assert f"{SHOWN}: 71.5" in labels and f"{SHOWN}: 4" in labels and f"{SHOWN}: 80" in labels


def test_checks_index_escapes_run_ids_and_suites_and_validates(tmp_path):
    runs = [
        {
            "run_id": NASTY,
            "time": "2026-11-01 01:00:00",
            "run_date": None,
            "suites": ["dossiers", NASTY],
            "passed": 1200,
            "failed_blocking": 1,
            "failed_warning": 0,
            "outcome": "blocked",
            "code_version": None,
        }
    ]
    folder = tmp_path / gate_folder(NASTY)
    folder.mkdir()
    (folder / "index.html").write_text("docs")
    page = audit.checks_index_html(runs, tmp_path)
    doc = _strict_html(page)
    assert doc.findall(".//script") == [] and "<script>" not in page
    cells = ["".join(td.itertext()) for td in doc.iter("td")]
    assert cells[1] == SHOWN and cells[3] == f"2: dossiers, {SHOWN}" and cells[4] == "1,200"
    (link,) = doc.iter("a")
    assert link.get("href") == f"{gate_folder(NASTY)}/index.html"
    assert (tmp_path / link.get("href")).exists()


def gate_folder(run_id: str) -> str:
    from chiso import gate

    return gate.safe_name(run_id)
