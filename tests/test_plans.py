"""The plan reader: the five seed plans (tests/data/seeds, copied from the shared seeds), as text
and as Word documents built from them, loaded through the plan_tasks and targets feeds.

Task counts were made by hand from each seed's text, counting one task per piece of work the
plan assigns: a numbered item of a task section, or each of its lettered sub-items (a, b, c)
or "-" bullets when it has them; sections "Mục đích, yêu cầu" and "Tổ chức thực hiện" hold no
tasks. Seed 000: items 1–13 of section I, with 8 → a, b; 10 → a, b; 11 → a, b, c: 13 − 3 + 7
= 17. Seed 001: II.1 has 2 bullets, II.2.1 has 2, II.2.2 has 9: 13. Seed 002: II.1 a) 5
bullets, b) 2, c) 3, d) 2, đ) 1 = 13 (the copy stops at "[...]"). Seed 003: 1 paragraph, 5
bullets, 2 bullets, 1 paragraph = 9. Seed 004: appendix rows 1.1–1.4, 2.1–2.3 of part I and
1.1–1.4, 2.1–2.5 of part II = 16. Targets: seed 001's appendix has 18 rows; seed 000 states 1
("Xử lý 100% kiến nghị"), seed 002 one clause naming 3 ranks ("trong số 10 tỉnh dẫn đầu"),
seed 003 1 ("100% hồ sơ … đúng thời gian quy định"), seed 004 5 (85 %, 90 %, 87 %, PAR 85 %
in section I; 55 % online in row II.2.5).
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from chiso import config
from ingest.pii import load_key
from ingest.plans.load import import_plans
from ingest.plans.parse import read_plan

SEEDS = Path(__file__).parent / "data" / "seeds"
SEED = {p.name[:3]: p for p in sorted(SEEDS.glob("*.txt"))}
# seed → (tasks, targets), counted by hand (module docstring)
COUNTS = {"000": (17, 1), "001": (13, 18), "002": (13, 3), "003": (9, 1), "004": (16, 5)}


def docx_from_text(source: Path, target: Path) -> Path:
    """A Word document with the seed's paragraphs and tables (tab-separated lines become table
    rows; a cell's HTML paragraphs and list items become its paragraphs), as a province's."""
    import docx

    document = docx.Document()
    table_rows: list[list[str]] = []

    def flush() -> None:
        if not table_rows:
            return
        width = max(len(r) for r in table_rows)
        table = document.add_table(rows=0, cols=width)
        for cells in table_rows:
            row = table.add_row()
            for i, text in enumerate(cells):
                parts = [
                    re.sub(r"<[^>]*>", " ", p).strip()
                    for p in re.split(r"</?(?:p|li|ul)\b[^>]*>", text)
                ]
                parts = [re.sub(r"\s+", " ", p) for p in parts if p.strip()]
                cell = row.cells[i]
                cell.text = parts[0] if parts else ""
                for extra in parts[1:]:
                    cell.add_paragraph(extra)
        table_rows.clear()

    for line in source.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            table_rows.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            document.add_paragraph(re.sub(r"^#+\s*|\*+", "", line).strip())
    flush()
    document.save(target)
    return target


@pytest.mark.parametrize("seed", sorted(COUNTS))
def test_each_seed_reads_its_own_tasks_and_targets_as_text_and_as_docx(seed, tmp_path):
    text_plan = read_plan(SEED[seed])
    word_plan = read_plan(docx_from_text(SEED[seed], tmp_path / f"{seed}.docx"))
    for plan in (text_plan, word_plan):
        assert (len(plan.tasks), len(plan.targets)) == COUNTS[seed]
        assert len({(t.section, t.number) for t in plan.tasks}) == len(plan.tasks)
    # the Word document and its text say the same
    strip = lambda p: [(t.section, t.number, t.lead, t.timing_text) for t in p.tasks]  # noqa: E731
    assert strip(word_plan) == strip(text_plan)


def test_header_facts_of_each_seed():
    facts = {
        s: (p.number, p.date_text, p.province, p.issuer, p.period_text)
        for s, p in ((s, read_plan(SEED[s])) for s in COUNTS)
    }
    assert facts == {
        "000": (
            "/KH-STTTT",
            "ngày 21 tháng 7 năm 2022",
            "Khánh Hòa",
            "Sở Thông tin và Truyền thông",
            "năm 2022",
        ),
        # no number in the header: the appendix's "(… Kế hoạch số: /KH-VP ngày /3/2024 …)"
        "001": ("/KH-VP", "ngày /3/2024", "Quảng Trị", "Văn phòng UBND tỉnh", "năm 2024"),
        "002": (
            "211/KH-UBND",
            "ngày 26 tháng 8 năm 2022",
            "Thanh Hóa",
            "UBND tỉnh",
            "năm 2022 và giai đoạn 2022-2025",
        ),
        "003": ("/KH-KHCN", "ngày tháng 8 năm 2023", "Tây Ninh", "Sở Khoa học và Công nghệ", None),
        "004": (
            "1337/KH-SKHĐT",
            "ngày 11 tháng 4 năm 2023",
            "Khánh Hòa",
            "Sở Kế hoạch và Đầu tư",
            "năm 2023",
        ),
    }
    notes = read_plan(SEED["004"]).notes
    assert any("appendix names plan 133/KH-SKHDT of 4/4/2023" in n for n in notes)
    assert any("'[...]'" in n for n in read_plan(SEED["002"]).notes)


def test_units_in_every_seed_phrasing():
    tasks = {s: {t.number: t for t in reversed(read_plan(SEED[s]).tasks)} for s in COUNTS}
    # "- Đơn vị chủ trì: X (điểm a); Y (điểm b, c)" gives each point its own unit
    assert tasks["000"]["11.a"].lead == "Văn phòng"
    assert (
        tasks["000"]["11.c"].lead
        == "Trung tâm Công nghệ thông tin và Dịch vụ hành chính công trực tuyến"
    )
    assert tasks["000"]["3"].lead == (
        "Phòng Thông tin – Báo chí – Xuất bản; Phòng Công nghệ thông tin – Bưu chính – Viễn thông"
    )
    # "c) Phân công thực hiện: Thanh tra chủ trì; các phòng, đơn vị liên quan phối hợp."
    assert (tasks["003"]["3-2"].lead, tasks["003"]["3-2"].coordinating) == (
        "Thanh tra",
        "các phòng, đơn vị liên quan",
    )
    # "Văn phòng Sở chủ trì, phối hợp với các phòng, Trung tâm có thủ tục hành chính lập …"
    # (seed 004 restarts its numbers in part II: the first "1.1" is part I's)
    assert (tasks["004"]["1.1"].lead, tasks["004"]["1.1"].coordinating) == (
        "Văn phòng Sở",
        "các phòng, Trung tâm có thủ tục hành chính",
    )
    # subject-first prose: "Các sở, ban, ngành cấp tỉnh phối hợp với Sở Tư pháp và …"
    assert (tasks["002"]["1.b-2"].lead, tasks["002"]["1.b-2"].coordinating) == (
        "Các sở, ban, ngành cấp tỉnh",
        "Sở Tư pháp và các cơ quan, đơn vị liên quan",
    )
    assert tasks["002"]["1.a-1"].lead == "Các sở, ngành cấp tỉnh; UBND các huyện, thị xã, thành phố"
    # a task naming no unit is the issuer's, and says so
    t = tasks["001"]["2.2-3"]
    assert (t.lead, t.lead_source) == ("Văn phòng UBND tỉnh", "plan_issuer")
    # linked indices and sub-indices
    assert tasks["000"]["8.b"].linked_index == "Tính minh bạch"
    assert tasks["003"]["2-4"].linked_index == "PAR INDEX | SIPAS"
    assert tasks["002"]["1.c-2"].linked_index == "PAR INDEX | Cải cách thủ tục hành chính (TTHC)"
    # a table row broken by a page: "Trong" + "năm" are one timing
    assert tasks["004"]["2.3"].timing_text == "Trong năm"


@pytest.fixture(scope="module")
def loaded(server_url, tmp_path_factory):
    """Every seed loaded twice into one warehouse: as text, then as .docx (another content,
    so another batch) — module-scoped: built once."""
    import os

    import psycopg

    from chiso import warehouse
    from tests.conftest import _with_db

    name = f"chiso_plans_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f'drop database if exists "{name}"')
        c.execute(f'create database "{name}"')
    url = _with_db(server_url, name)
    conn = warehouse.connect(url, autocommit=True)
    warehouse.bootstrap(conn, config.load())
    folder = tmp_path_factory.mktemp("plans")
    docs = tmp_path_factory.mktemp("docs")
    texts = [shutil.copy(SEED[s], folder / SEED[s].name) for s in sorted(COUNTS)]
    done = import_plans(conn, [Path(p) for p in texts], load_key(config.load().home), "t", docs)
    again = import_plans(conn, [Path(p) for p in texts], load_key(config.load().home), "t2", docs)
    words = [docx_from_text(SEED[s], folder / f"{s}.docx") for s in sorted(COUNTS)]
    done_docx = import_plans(conn, words, load_key(config.load().home), "t3", docs)
    yield conn, done, again, done_docx, docs
    conn.close()


def test_every_task_and_target_of_every_seed_is_loaded_or_rejected_with_a_reason(loaded):
    conn, done, _, done_docx, _ = loaded
    for imports in (done, done_docx):
        got = {
            i.path.name[:3]: tuple((r.rows_read, r.rows_loaded, r.rows_rejected) for r in i.results)
            for i in imports
        }
        assert got == {s: ((n, n, 0), (g, g, 0)) for s, (n, g) in COUNTS.items()}
    by_plan = dict(
        conn.execute(
            "select file_name, count(*) from raw.plan_tasks t join audit.load_batches b"
            " on b.batch_id = t._batch_id group by 1"
        ).fetchall()
    )
    assert by_plan["001_116e88d5bca89d95.txt"] == 13 and by_plan["001.docx"] == 13


def test_reimport_is_skipped_not_duplicated(loaded):
    conn, _, again, _, _ = loaded
    assert {r.status for i in again for r in i.results} == {"skipped"}
    assert conn.execute(
        "select count(*) from raw.plan_tasks t join audit.load_batches b on b.batch_id ="
        " t._batch_id where b.file_name like '%.txt'"
    ).fetchone() == (sum(n for n, _ in COUNTS.values()),)


def test_loaded_values_blank_day_dates_provinces_and_deadlines(loaded):
    conn = loaded[0]
    rows = {
        (r[0], r[1]): r[2:]
        for r in conn.execute(
            "select plan_number, task_key, plan_date::text, plan_date_precision, province_code,"
            " timing_kind, start_date::text, due_date::text, timing_source from raw.plan_tasks t"
            " join audit.load_batches b on b.batch_id = t._batch_id where b.file_name like '%.txt'"
        )
    }
    # "ngày tháng 8 năm 2023" and "ngày /3/2024": month precision, never a guessed day
    assert rows[("/KH-KHCN", "II.2-4")] == (
        "2023-08-01",
        "month",
        "72",
        "ongoing",
        None,
        None,
        "task",
    )
    assert rows[("/KH-VP", "II.2.2-9")] == (
        "2024-03-01",
        "month",
        "45",
        "deadline",
        "2024-01-01",
        "2024-12-31",
        "plan",
    )
    assert rows[("211/KH-UBND", "II.1.đ-1")][2:] == (
        "38",
        "deadline",
        "2022-01-01",
        "2025-12-31",
        "plan",
    )
    assert rows[("1337/KH-SKHĐT", "I.1.3")] == (
        "2023-04-11",
        "day",
        "56",
        "deadline",
        "2023-04-01",
        "2023-06-30",
        "task",
    )
    assert rows[("1337/KH-SKHĐT", "II.2.4")][4:6] == (None, "2023-12-15")


def test_targets_are_the_plans_own_values_and_units(loaded):
    conn = loaded[0]
    got = {
        (r[0], r[1]): r[2:]
        for r in conn.execute(
            "select province_code, indicator_code, target_operator, target_value, target_unit,"
            " target_year, scope_unit from raw.targets t join audit.load_batches b"
            " on b.batch_id = t._batch_id where b.file_name like '%.txt'"
        )
    }
    assert len(got) == sum(g for _, g in COUNTS.values())
    # seed 001, appendix: "5" days (median), "52,61" points, "20" for a "% Đồng ý" indicator
    assert got[("45", "pci_info_request_wait_days")] == (None, Decimal("5"), None, 2025, None)
    assert got[("45", "pci_website_quality_score")] == (None, Decimal("52.61"), None, 2025, None)
    assert got[("45", "pci_large_firms_prioritised")] == (
        None,
        Decimal("20"),
        "percent",
        2025,
        None,
    )
    # seed 002: "… đến năm 2025 trong số 10 tỉnh dẫn đầu cả nước" on three indices
    for code in ("pci_rank", "par_index_rank", "sipas_rank"):
        assert got[("38", code)] == ("<=", Decimal("10"), "rank", 2025, None)
    # number-first targets of departments' own plans measure the department
    assert got[("72", "onestop_on_time_rate")] == (
        None,
        Decimal("100"),
        "percent",
        2023,
        "Sở Khoa học và Công nghệ",
    )
    assert got[("56", "onestop_online_dossier_rate")] == (
        ">=",
        Decimal("55"),
        "percent",
        2023,
        "Sở Kế hoạch và Đầu tư",
    )
    assert got[("56", "sipas_investment_procedures_satisfaction")][:2] == (">=", Decimal("87"))


def test_review_page_shows_each_task_read_and_escapes_the_plans_text(loaded):
    docs = loaded[4]
    page = (docs / "plans" / "004_6349143c1c6dfa22.txt.html").read_text(encoding="utf-8")
    assert "16 nhiệm vụ / tasks read" in page and "16 loaded" in page
    assert "Văn phòng Sở chủ trì, phối hợp với các phòng" in page  # the text read
    assert "2023-12-15" in page  # what "Trước 15/12" became
    # seed 004's cells hold HTML fragments: shown as text, not markup
    assert "<ul" not in page.split("<h2>Nhiệm vụ")[1]
    page001 = (docs / "plans" / "001_116e88d5bca89d95.txt.html").read_text(encoding="utf-8")
    assert "Cần có &#34;mối quan hệ&#34;" in page001 or "Cần có &quot;mối quan hệ&quot;" in page001


def test_unreadable_timing_is_rejected_quoting_it_and_a_non_plan_file_is_refused(conn, tmp_path):
    text = (
        SEED["000"]
        .read_text(encoding="utf-8")
        .replace("- Thời gian thực hiện: Năm 2022.", "- Thời gian thực hiện: Khi có điều kiện.", 1)
    )
    plan = tmp_path / "ke_hoach_sua.txt"
    plan.write_text(text, encoding="utf-8")
    odd = tmp_path / "ke_hoach.pdf"
    odd.write_bytes(b"%PDF-1.4")
    done = import_plans(conn, [plan, odd], load_key(config.load().home), "t", tmp_path / "docs")
    tasks = done[0].results[0]
    assert (tasks.rows_read, tasks.rows_loaded, tasks.rows_rejected) == (17, 16, 1)
    assert conn.execute(
        "select source_row, column_name, reason from audit.rejected_rows"
    ).fetchall() == [(15, "timing_text", "cannot read timing text 'Khi có điều kiện.'")]
    assert done[1].results[0].status == "rejected"
    assert "unsupported plan file type '.pdf'" in done[1].results[0].message
    page = done[0].review.read_text(encoding="utf-8")
    assert "cannot read timing text" in page and "Khi có điều kiện." in page


def test_cli_imports_a_plan_and_the_landing_zone_picks_plans_up(conn, landing, tmp_path, capsys):
    from chiso import cli
    from ingest.run import ingest

    plan = tmp_path / "003.txt"
    shutil.copy(SEED["003"], plan)
    assert cli.main(["plans", "import", str(plan)]) == 0
    out = capsys.readouterr().out
    assert "plan_tasks/003.txt: 9 loaded, 0 rejected of 9" in out and "review" in out
    (landing / "plans").mkdir()
    shutil.copy(SEED["000"], landing / "plans" / "000.txt")
    results = ingest(conn, landing, load_key(config.load().home), "night")
    plans = [r for r in results if r.file_name == "000.txt"]
    assert [(r.feed, r.rows_loaded) for r in plans] == [("plan_tasks", 17), ("targets", 1)]


def test_sample_targets_are_seed_001s_own_value_for_value_and_unit_for_unit(tmp_path):
    import csv
    from datetime import date

    from chiso.samples import indices as sample

    sample.generate(tmp_path, date(2026, 1, 5), 1, seed=1)
    with open(tmp_path / "targets" / "targets_2025.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[2:]
    seed = read_plan(SEED["001"]).targets
    assert [(r[1], r[2], r[3], r[4] or None) for r in rows] == [
        (g.indicator_name, g.target_text, g.lead, g.coordinating) for g in seed
    ]
    ranks = (tmp_path / "index_results" / "thanh_hoa_2021_ranks.csv").read_text(encoding="utf-8")
    # seed 002: "PAPI đứng thứ 03; PAR INDEX … 14; SIPAS … 24; PCI … 43 trên 63"
    assert ranks.splitlines()[1:] == [
        "2021,PAPI,Thanh Hóa,,3,0",
        "2021,PAR INDEX,Thanh Hóa,,14,0",
        "2021,SIPAS,Thanh Hóa,,24,0",
        "2021,PCI,Thanh Hóa,,43,0",
    ]


def test_seed_plans_reach_the_marts_with_province_recurring_reports_and_target_reasons(
    conn, landing
):
    """Seeds 001 and 003 in the landing zone, a recurring task ("Hằng quý") and its reports,
    through ingest → dbt → gate → publish."""
    from datetime import date

    from chiso import pipeline
    from tests import onestop_rows

    (landing / "plans").mkdir()
    for s in ("001", "003"):
        shutil.copy(SEED[s], landing / "plans" / SEED[s].name)
    (landing / "plan_tasks").mkdir()
    (landing / "plan_tasks" / "quarterly.csv").write_text(
        "Số kế hoạch,Ngày ban hành,STT,Nội dung,Tiến độ thực hiện,Đơn vị chủ trì\n"
        "77/KH-UBND,ngày tháng 1 năm 2024,1,Báo cáo tiến độ cải cách hành chính,Hằng quý,Sở Nội vụ\n",
        encoding="utf-8",
    )
    (landing / "task_reports").mkdir()
    (landing / "task_reports" / "reports.csv").write_text(
        "Ngày báo cáo,Số kế hoạch,STT,Tình trạng\n"
        "25/03/2024,77/KH-UBND,1,Đang thực hiện\n"  # Q1 on time
        "05/07/2024,77/KH-UBND,1,Đang thực hiện\n",  # Q2 late (after 30/6); Q3 missing
        encoding="utf-8",
    )
    onestop_rows.write(
        landing / "onestop" / "onestop_2024-10-01.csv",
        [
            onestop_rows.row(
                "P-1",
                NgayNopHoSo="01/10/2024 08:00:00",
                NgayTiepNhan="01/10/2024 08:10:00",
                NgayHenTra="04/10/2024 17:00:00",
            )
        ],
    )
    summary = pipeline.run_all(pipeline.Run("plans-1", date(2024, 10, 15), quiet=True))
    assert summary["status"] == "succeeded", summary
    per_province = dict(
        conn.execute(
            "select province_code, count(distinct task_id) from marts.task_units group by 1"
        ).fetchall()
    )
    assert per_province == {"45": 13 + 1, "72": 9}
    card = conn.execute(
        "select reports_due, reports_on_time, reports_late, reports_missing"
        " from marts.task_scorecard where unit_code = 'QT-SNV' and period_label = '2024-Q3'"
    ).fetchone()
    assert card == (3, 1, 1, 1)
    # seed 003's "100% hồ sơ … đúng thời gian": the department's own rate, which chiso
    # cannot measure here (its unit is not in ref_units): no data, with the reason
    target = conn.execute(
        "select province_code, status, status_reason from marts.indicator_targets"
        " where indicator_code = 'onestop_on_time_rate'"
    ).fetchone()
    assert target[:2] == ("72", "no data")
    assert "Sở Khoa học và Công nghệ" in target[2] and "ref_units" in target[2]
    # seed 001: 18 targets of Quảng Trị to 2025, none invented
    assert conn.execute(
        "select count(*), count(*) filter (where is_mapped) from marts.indicator_targets"
        " where province_code = '45'"
    ).fetchone() == (18, 18)
