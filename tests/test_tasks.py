"""Plan tasks and progress reports: ingest (deadlines, units), statuses and the published marts."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from chiso import config, pipeline
from ingest.pii import load_key
from ingest.run import ingest
from tests import onestop_rows as rows

DATA = Path(__file__).parent / "data" / "tasks"
RUN_DATE = date(2023, 7, 5)  # cut-off: local midnight starting 5 July 2023


def _ingest(conn, landing: Path, feeds: list[str]):
    return ingest(conn, landing, load_key(config.load().home), "t", feeds=feeds)


def _xlsx_plan(path: Path) -> Path:
    """A plan as a department's XLSX: title block, one 'Kế hoạch' cell with number and date."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["PHỤ LỤC NỘI DUNG, NHIỆM VỤ VÀ TRÁCH NHIỆM THỰC HIỆN"])
    ws.append(["(Kèm theo Kế hoạch số 1337/KH-SKHĐT ngày 11/4/2023)"])
    ws.append(
        [
            "Kế hoạch",
            "STT",
            "Nội dung/Nhiệm vụ",
            "Kết quả/ Sản phẩm",
            "Thời gian thực hiện",
            "Đơn vị chủ trì",
            "Đơn vị phối hợp",
            "Chỉ số",
        ]
    )
    ws.append(
        [
            "1337/KH-SKHĐT, 11/4/2023",
            "1.1",
            "Cập nhật quy trình giải quyết TTHC",
            "Cải thiện Chỉ số Tiếp cận dịch vụ",
            "Từ Quý I",
            "Văn phòng Sở",
            None,
            None,
        ]
    )
    ws.append(
        [
            "1337/KH-SKHĐT, 11/4/2023",
            "1.2",
            "Hỗ trợ doanh nghiệp thực hiện TTHC",
            "Sổ tay hướng dẫn",
            "Trước 15/12",
            "Sở Kế hoạch và Đầu tư, Văn phòng UBND tỉnh",
            "Sở Nội vụ; Sở Thông tin và Truyền thông\nUBND các huyện, thị xã, thành phố",
            "Chỉ số PCI",
        ]
    )
    ws.append(
        [
            "1337/KH-SKHĐT, 11/4/2023",
            "1.3",
            "Duy trì ISO 9001",
            None,
            "Thường xuyên",
            "Văn phòng Sở",
            None,
            None,
        ]
    )
    ws.append(
        [
            "1337/KH-SKHĐT, 11/4/2023",
            "1.4",
            "Báo cáo CCHC định kỳ",
            None,
            "Khi có yêu cầu",
            "Văn phòng Sở",
            None,
            None,
        ]
    )
    ws.append(
        [
            "1337/KH-SKHĐT, 11/4/2023",
            "1.4",
            "Dòng trùng số",
            None,
            "Quý II",
            "Văn phòng Sở",
            None,
            None,
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_plan_xlsx_deadlines_units_and_unreadable_timing_rejected_quoted(conn, landing):
    _xlsx_plan(landing / "plan_tasks" / "ke_hoach_1337.xlsx")

    [result] = _ingest(conn, landing, ["plan_tasks"])

    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "loaded",
        5,
        3,
        2,
    )
    got = conn.execute(
        "select task_key, plan_number, plan_date::text, start_date::text, due_date::text,"
        " timing_kind, lead_unit_list, coordinating_unit_list, linked_index_list"
        " from raw.plan_tasks order by task_key"
    ).fetchall()
    assert got == [
        (
            "1.1",
            "1337/KH-SKHĐT",
            "2023-04-11",
            "2023-01-01",
            "2023-12-31",
            "deadline",
            "Văn phòng Sở",
            None,
            "Tiếp cận dịch vụ",
        ),
        (
            "1.2",
            "1337/KH-SKHĐT",
            "2023-04-11",
            None,
            "2023-12-15",
            "deadline",
            "Sở Kế hoạch và Đầu tư | Văn phòng UBND tỉnh",
            "Sở Nội vụ | Sở Thông tin và Truyền thông | UBND các huyện, thị xã, thành phố",
            "PCI",
        ),
        ("1.3", "1337/KH-SKHĐT", "2023-04-11", None, None, "ongoing", "Văn phòng Sở", None, None),
    ]
    rejected = conn.execute(
        "select source_row, column_name, reason, value from audit.rejected_rows order by source_row"
    ).fetchall()
    assert rejected[0] == (
        4,
        "timing_text",
        "cannot read timing text 'Khi có yêu cầu'",
        "Khi có yêu cầu",
    )
    assert rejected[1][:2] == (5, "task_number")
    assert "duplicate task number '1.4'" in rejected[1][2]


def test_plan_without_a_date_is_rejected_not_guessed(conn, landing):
    path = landing / "plan_tasks" / "no_date.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "Số kế hoạch,STT,Nội dung,Tiến độ,Chủ trì\n"
        "/KH-STTTT,1,Tham mưu Ban Chỉ đạo Chuyển đổi số,Quý II,Văn phòng\n",
        encoding="utf-8",
    )
    [result] = _ingest(conn, landing, ["plan_tasks"])
    assert (result.rows_loaded, result.rows_rejected) == (0, 1)
    column, reason = conn.execute("select column_name, reason from audit.rejected_rows").fetchone()
    assert column == "plan_date" and reason.startswith("plan date missing")


@pytest.fixture
def published(conn, landing):
    for name in ("plan_tasks_2023-04-11.csv",):
        (landing / "plan_tasks").mkdir(exist_ok=True)
        shutil.copy(DATA / name, landing / "plan_tasks" / name)
    (landing / "task_reports").mkdir(exist_ok=True)
    for name in ("task_reports_2023-06-30.csv", "task_reports_2023-07-06.csv"):
        shutil.copy(DATA / name, landing / "task_reports" / name)
    # the one-stop suite wants rows: one dossier of the same days
    rows.write(
        landing / "onestop" / "onestop_2023-07-01.csv",
        [
            rows.row(
                "A-1",
                NgayNopHoSo="01/07/2023 08:00:00",
                NgayTiepNhan="01/07/2023 08:10:00",
                NgayHenTra="06/07/2023 17:00:00",
            )
        ],
    )
    summary = pipeline.run_all(pipeline.Run("tasks-1", RUN_DATE, quiet=True))
    assert summary["status"] == "succeeded", summary
    return conn, summary


def test_statuses_scorecard_overdue_list_units_and_rejected_reports(published):
    conn, summary = published
    feeds = {f["feed"]: (f["rows_loaded"], f["rows_rejected"]) for f in summary["feeds"]}
    assert feeds["plan_tasks"] == (7, 1)  # "Cuối năm nay nhé" rejected at ingest
    assert feeds["task_reports"] == (6, 1)  # "Tạm hoãn": unknown status text
    reason = conn.execute(
        "select reason from audit.rejected_rows where feed = 'plan_tasks'"
    ).fetchone()[0]
    assert reason == "cannot read timing text 'Cuối năm nay nhé'"

    def card(unit: str | None, period: str) -> tuple:
        return conn.execute(
            "select tasks_assigned, tasks_completed_on_time, tasks_completed_late,"
            " tasks_in_progress, tasks_overdue, tasks_no_deadline, completion_rate::float,"
            " on_time_rate::float from marts.task_scorecard"
            " where unit_code is not distinct from %s and period_label = %s",
            (unit, period),
        ).fetchone()

    # Sở KH&ĐT leads 1.1 (done 20/6, due 30/6), 1.2 (done 10/6, due 31/5), 1.3 (60 %, due
    # 30/6) and 2.1 (no report, due 31/3; plan issued 11/4, so not in Q1).
    assert card("QT-SKHDT", "2023-Q2") == (4, 1, 1, 0, 2, 0, 0.5, 0.5)
    assert card("QT-SKHDT", "2023-H1") == (4, 1, 1, 0, 2, 0, 0.5, 0.5)
    # 1.3 reported done on 6/7: after the cut-off, so still overdue in Q3 and the year.
    assert card("QT-SKHDT", "2023-Q3") == (4, 1, 1, 0, 2, 0, 0.5, 0.5)
    assert card("QT-SKHDT", "2023") == (4, 1, 1, 0, 2, 0, 0.5, 0.5)
    assert card("QT-SKHDT", "2023-Q1") is None
    assert card("QT-SKHDT", "2023-Q4") is None  # has not started at the cut-off
    assert card("QT-VPUBND", "2023-Q2") == (1, 0, 0, 0, 1, 0, 0.0, None)  # co-lead of 1.3
    assert card("QT-CAC-HUYEN", "2023-Q2") == (1, 0, 0, 1, 0, 0, 0.0, None)  # "Ủy ban nhân dân ..."
    assert card("QT-TTPVHCC", "2023-Q2") == (1, 0, 0, 0, 0, 1, None, None)  # Thường xuyên
    unmatched = conn.execute(
        "select unit_name, tasks_in_progress from marts.task_scorecard"
        " where unit_code is null and period_label = '2023'"
    ).fetchall()
    assert unmatched == [("Phòng Quản trị mạng", 1)]
    periods = conn.execute(
        "select period_type, count(distinct period_label)"
        " from marts.task_scorecard group by 1 order by 1"
    ).fetchall()
    assert periods == [("half_year", 2), ("quarter", 2), ("year", 1)]

    overdue = conn.execute(
        "select overdue_rank, task_key, due_date::text, days_overdue,"
        " lead_unit_code from marts.overdue_tasks"
        " order by overdue_rank, lead_unit_code"
    ).fetchall()
    assert overdue == [
        (1, "II.2.1", "2023-03-31", 96, "QT-SKHDT"),
        (2, "I.1.3", "2023-06-30", 5, "QT-SKHDT"),
        (2, "I.1.3", "2023-06-30", 5, "QT-VPUBND"),
    ]

    coordinating = conn.execute(
        "select name_as_written, unit_code from marts.task_units"
        " where task_key = 'II.1.1' and unit_role = 'coordinating' order by unit_position"
    ).fetchall()
    assert coordinating == [
        ("Sở Nội vụ", "QT-SNV"),
        ("Sở Thông tin và Truyền thông", "QT-STTTT"),
        ("UBND các huyện, thị xã, thành phố", "QT-CAC-HUYEN"),
    ]

    rejections = conn.execute(
        "select task_number, rejection_reason from marts.task_report_rejections order by source_row"
    ).fetchall()
    assert rejections == [
        ("9.9", "unknown task: plan 1337/KH-SKHĐT has no task I.9.9"),
        ("2.1", "unknown plan: no plan 999/KH-UBND is loaded"),
    ]

    served = conn.execute(
        "select task_key, index_code, component_code, task_status"
        " from marts.indicator_actions order by 1, 2, 3"
    ).fetchall()
    assert ("I.1.1", "sipas", "access", "completed_on_time") in served
    assert ("I.1.1", "sipas", "procedures", "completed_on_time") in served
    assert ("II.2.1", "pci", "proactivity", "overdue") in served
    assert ("II.1.1", None, None, "no_deadline") in served  # "Điều kiện tiếp đón": unmatched

    warnings = {
        r[0]
        for r in conn.execute(
            "select suite || '.' || check_name from audit.check_results"
            " where run_id = 'tasks-1' and not success"
        )
    }
    assert warnings == {
        "task_scorecard.lead_unit_in_reference",
        "task_units.unit_in_reference",
        "task_report_rejections.no_rejected_reports",
        "indicator_actions.index_name_in_catalogue",
    }


def test_generated_sample_runs_through_the_pipeline(conn, landing):
    from chiso.samples import tasks as sample

    sample.generate(landing, date(2026, 3, 1), 150, seed=2)
    rows.write(
        landing / "onestop" / "onestop_2026-07-01.csv",
        [
            rows.row(
                "S-1",
                NgayNopHoSo="01/07/2026 08:00:00",
                NgayTiepNhan="01/07/2026 08:10:00",
                NgayHenTra="06/07/2026 17:00:00",
            )
        ],
    )
    summary = pipeline.run_all(pipeline.Run("sample", date(2026, 7, 30), quiet=True))
    assert summary["status"] == "succeeded", summary
    assert all(f["rows_rejected"] == 0 for f in summary["feeds"])
    n_tasks, n_assigned = conn.execute(
        "select (select count(*) from intermediate.int_tasks_classified),"
        " (select sum(tasks_assigned) from marts.task_scorecard where period_label = '2026')"
    ).fetchone()
    assert n_tasks == 14 and n_assigned >= 14
    assert conn.execute("select count(*) from marts.task_report_rejections").fetchone()[0] == 0
