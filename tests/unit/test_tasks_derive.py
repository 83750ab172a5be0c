"""The plan-task derive hooks' text readers, and the sample generator (no database)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from chiso.samples import tasks as sample
from ingest.feeds.tasks import (
    derive_plan_tasks,
    derive_task_reports,
    plan_key,
    read_status,
    split_indices,
    split_plan_ref,
    split_units,
)
from ingest.timing import parse_timing


def test_plan_reference_forms():
    assert split_plan_ref("1337/KH-SKHĐT, 11/4/2023") == ("1337/KH-SKHĐT", date(2023, 4, 11))
    assert split_plan_ref("Kế hoạch số 211/KH-UBND ngày 26/08/2022") == (
        "211/KH-UBND",
        date(2022, 8, 26),
    )
    assert split_plan_ref("/KH-STTTT") == ("/KH-STTTT", None)  # seed 000: number left blank
    assert plan_key("1337/KH-SKHĐT") == plan_key("1337/kh-skhdt ") == "1337khskhdt"


def test_units_split_on_separators_but_not_inside_names():
    whole = "UBND các huyện, thị xã, thành phố"
    assert split_units(whole) == [whole]
    assert split_units("Sở Kế hoạch và Đầu tư, Văn phòng UBND tỉnh và Sở Nội vụ") == [
        "Sở Kế hoạch và Đầu tư",
        "Văn phòng UBND tỉnh",
        "Sở Nội vụ",
    ]
    assert split_units("Sở Lao động - Thương binh và Xã hội\nCông an tỉnh") == [
        "Sở Lao động - Thương binh và Xã hội",
        "Công an tỉnh",
    ]
    # seed 000, task 9
    assert split_units(
        "Phòng Thông tin – Báo chí – Xuất bản; Phòng Công nghệ thông tin – Bưu "
        "chính – Viễn thông, Văn phòng (việc công khai các mức phí)."
    ) == [
        "Phòng Thông tin – Báo chí – Xuất bản",
        "Phòng Công nghệ thông tin – Bưu chính – Viễn thông",
        "Văn phòng (việc công khai các mức phí)",
    ]
    assert split_units("Các phòng, trung tâm") == ["Các phòng, trung tâm"]


def test_indices_served_seed_004_wording():
    assert split_indices("Cải thiện Chỉ số Tiếp cận dịch vụ và Chỉ số Thủ tục hành chính") == [
        "Tiếp cận dịch vụ",
        "Thủ tục hành chính",
    ]
    assert split_indices(
        "Cải thiện Chi số Thủ tục hành chính, chỉ số Sự phục vụ của cán bộ, công chức"
    ) == ["Thủ tục hành chính", "Sự phục vụ của cán bộ, công chức"]


def test_status_text_and_percent():
    assert read_status("Đã hoàn thành", None) == "completed"
    assert read_status("Hoàn thành (trễ hạn)", None) == "completed"
    assert read_status("Chưa hoàn thành", None) == "in_progress"
    assert read_status("ĐANG THỰC HIỆN", None) == "in_progress"
    assert read_status("Chưa thực hiện", None) == "not_started"
    assert read_status(None, 100.0) == "completed"
    assert read_status("Tạm hoãn", None) is None


def test_derive_rejects_unreadable_timing_quoting_it_and_takes_the_year_from_the_plan():
    cols = {
        "plan_ref": pa.array(["1337/KH-SKHĐT, 11/4/2023"] * 2),
        "task_number": pa.array(["1.1", "1.2"]),
        "timing_text": pa.array(["Quý II", "Sớm nhất có thể"]),
        "lead_unit": pa.array(["Văn phòng Sở", "Văn phòng Sở"]),
    }
    extra, errors = derive_plan_tasks(cols, {})
    assert extra["due_date"].to_pylist() == ["2023-06-30", None]
    assert errors == [
        (1, "timing_text", "cannot read timing text 'Sớm nhất có thể'", "Sớm nhất có thể")
    ]


def test_derive_reports_rejects_unknown_status_and_future_completion():
    cols = {
        "report_date": pa.array(["30/06/2023"] * 3),
        "plan_ref": pa.array(["1/KH"] * 3),
        "task_number": pa.array(["1", "2", "3"]),
        "status_text": pa.array(["Đã hoàn thành", "Tạm hoãn", "Đã hoàn thành"]),
        "percent_done": pa.array(["100%", None, "62,5"]),
        "completion_date": pa.array(["20/06/2023", None, "02/07/2023"]),
    }
    extra, errors = derive_task_reports(cols, {})
    assert extra["percent_done"].to_pylist() == ["100", None, "62.5"]
    assert [(i, c) for i, c, _, _ in errors] == [(1, "status_text"), (2, "completion_date")]


def test_sample_is_deterministic_and_every_timing_parses(tmp_path):
    a = sample.generate(tmp_path / "a", date(2026, 5, 20), 60, seed=4)
    b = sample.generate(tmp_path / "b", date(2026, 5, 20), 60, seed=4)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.parent.name for p in a] == ["plan_tasks"] + ["task_reports"] * 3  # 31/5, 30/6, 18/7
    import csv

    with open(a[0], encoding="utf-8", newline="") as fh:
        plan = list(csv.DictReader(fh))
    assert len(plan) == len(sample.TASKS)
    for row in plan:
        parse_timing(row["Tiến độ thực hiện"], 2026)
