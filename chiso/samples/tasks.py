"""Synthetic improvement-plan tasks and the units' periodic progress reports.

:func:`generate` writes, deterministically from a seed, one plan of the provincial People's
Committee for the year of ``start`` (in the style of the seed plans: numbered tasks with
content, expected result "Cải thiện Chỉ số ...", timing text as the plans write it, lead and
coordinating units from ``dbt_project/seeds/tasks/ref_units.csv``, spelled as plans spell them)
and a progress report at each month end inside the window and on its last day.

Files: ``<out_dir>/plan_tasks/plan_tasks_YYYY-MM-DD.csv`` (the plan's issue date) and
``<out_dir>/task_reports/task_reports_YYYY-MM-DD.csv`` (the report date); UTF-8, ",", LF.
Each task gets a fate drawn at the start (done early, done late, not done, ongoing); a report
on date R says "Đã hoàn thành" with the completion date once that date is ≤ R, else "Đang
thực hiện" with a percentage, or "Chưa thực hiện" before the task's start.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

from ingest.timing import parse_timing

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "tasks" / "ref_units.csv"

PLAN_HEADER = [
    "Số kế hoạch",
    "Ngày ban hành",
    "Mục",
    "STT",
    "Nội dung/Nhiệm vụ",
    "Kết quả/ Sản phẩm",
    "Tiến độ thực hiện",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Dữ liệu mẫu",  # every generated row says it is made up (is_synthetic)
]
REPORT_HEADER = [
    "Ngày báo cáo",
    "Số kế hoạch",
    "Mục",
    "STT",
    "Đơn vị báo cáo",
    "Tình trạng",
    "Tỷ lệ hoàn thành",
    "Ngày hoàn thành",
    "Ghi chú",
    "Dữ liệu mẫu",
]

# (section, content, expected result) — wording taken from the seed plans.
TASKS = [
    (
        "I",
        "Rà soát, cập nhật đầy đủ, kịp thời, chính xác thông tin, quy trình giải quyết TTHC "
        "lên Cổng Dịch vụ công của tỉnh",
        "Cải thiện Chỉ số Tiếp cận dịch vụ và Chỉ số Thủ tục hành chính",
    ),
    (
        "I",
        "Hỗ trợ, hướng dẫn cá nhân, tổ chức thực hiện TTHC trực tuyến, thanh toán trực tuyến, "
        "bưu chính công ích",
        "Cải thiện Chỉ số Tiếp cận dịch vụ",
    ),
    (
        "I",
        "Tiếp tục rà soát, đề xuất phương án đơn giản hóa TTHC, giảm số lượng giấy tờ, thời "
        "gian giải quyết",
        "Cải thiện Chỉ số Thủ tục hành chính",
    ),
    (
        "I",
        "Niêm yết công khai thủ tục tại bộ phận một cửa; hướng dẫn thủ tục cấp phép các ngành "
        "kinh doanh có điều kiện rõ ràng, đầy đủ",
        "Cải thiện Chỉ số Gia nhập thị trường",
    ),
    (
        "I",
        "Công khai đầy đủ các quy hoạch được duyệt, danh mục dự án thu hút đầu tư trên Cổng "
        "thông tin điện tử tỉnh",
        "Cải thiện Chỉ số Tính minh bạch",
    ),
    (
        "I",
        "Tổ chức hội nghị đối thoại với doanh nghiệp theo chuyên ngành, lĩnh vực phụ trách",
        "Cải thiện Chỉ số Tính năng động và tiên phong của chính quyền",
    ),
    (
        "I",
        "Cung cấp thông tin về các hiệp định thương mại tự do (FTA), hỗ trợ doanh nghiệp tận "
        "dụng cơ hội từ các FTA",
        "Cải thiện Chỉ số Chính sách hỗ trợ doanh nghiệp",
    ),
    (
        "II",
        "Hoàn thành các nhiệm vụ đã đặt ra trong kế hoạch CCHC năm",
        "Mức độ hoàn thành Kế hoạch CCHC",
    ),
    (
        "II",
        "Thực hiện chế độ báo cáo CCHC định kỳ",
        "Đáp ứng đầy đủ về số lượng, nội dung và đúng thời gian",
    ),
    (
        "II",
        "Lập danh mục văn bản quy phạm pháp luật hết hiệu lực trong năm",
        "Đầy đủ và đúng thời hạn",
    ),
    (
        "II",
        "Áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001",
        "Duy trì tốt hệ thống quản lý chất lượng",
    ),
    (
        "II",
        "Có mô hình, sáng kiến tham gia cuộc thi Mô hình, sáng kiến CCHC của công chức, viên "
        "chức trẻ",
        "Văn bản chứng minh việc triển khai áp dụng sáng kiến",
    ),
    (
        "II",
        "Nâng cao tỷ lệ hồ sơ trực tuyến; bố trí cán bộ hướng dẫn người dân nộp hồ sơ trực "
        "tuyến tại Bộ phận Một cửa",
        "Cải thiện Chỉ số Cải cách hành chính",
    ),
    (
        "II",
        "Xử lý 100% kiến nghị của người dân, tổ chức về quy định hành chính",
        "Cải thiện Chỉ số Hài lòng",
    ),
]
TIMINGS = [
    "Năm {y}",
    "Từ Quý I",
    "Quý II",
    "Trước 15/12",
    "Trong năm",
    "Thường xuyên",
    "Từ Tháng 01",
    "6 tháng đầu năm",
    "Quý III",
    "Trước 30/6",
    "Trong năm {y}",
]
JOINERS = [", ", "; ", " và ", "\n"]


def _units() -> tuple[list[str], list[str]]:
    """Official names, and official names plus aliases (plans use an alias now and then)."""
    with open(SEEDS, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    officials = [r["unit_name"] for r in rows]
    return officials, officials + [a for r in rows for a in r["aliases"].split("|") if a]


def generate(out_dir: Path, start: date, days: int, seed: int = 1, **_: object) -> list[Path]:
    rng = random.Random(f"tasks-{seed}")
    end = start + timedelta(days=max(days, 1) - 1)
    year = start.year
    issued = min(start, date(year, 3, 15) + timedelta(days=rng.randint(0, 20)))
    number = f"{rng.randint(100, 999)}/KH-UBND"
    officials, names = _units()
    counter: dict[str, int] = {}
    plan_rows, fates = [], []
    for section, content, result in TASKS:
        counter[section] = counter.get(section, 0) + 1
        stt = f"1.{counter[section]}"
        timing = rng.choice(TIMINGS).format(y=year)
        parsed = parse_timing(timing, year)
        lead = rng.choice(officials if rng.random() < 0.8 else names)
        coord = rng.choice(JOINERS).join(
            rng.sample([n for n in officials if n != lead], rng.randint(0, 3))
        )
        plan_rows.append(
            [
                number,
                issued.strftime("%d/%m/%Y"),
                section,
                stt,
                content,
                result,
                timing,
                lead,
                coord,
                1,
            ]
        )
        fate = rng.choices(["early", "late", "open"], [5, 2, 3])[0]
        done = None
        if parsed.due is not None and fate != "open":
            shift = rng.randint(1, 45)
            done = parsed.due + timedelta(days=-shift if fate == "early" else shift)
            done = max(done, issued + timedelta(days=rng.randint(1, 30)))
        fates.append((section, stt, lead, parsed, done))

    written = [
        _write(
            out_dir / "plan_tasks" / f"plan_tasks_{issued.isoformat()}.csv", PLAN_HEADER, plan_rows
        )
    ]
    report_dates = sorted(
        {
            (date(d.year, d.month, 1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            for d in _days(start, end)
        }
        | {end}
    )
    for when in report_dates:
        if when < issued or when > end:
            continue
        rows = []
        for section, stt, lead, parsed, done in fates:
            if done is not None and done <= when:
                rows.append(
                    [
                        when.strftime("%d/%m/%Y"),
                        number,
                        section,
                        stt,
                        lead,
                        "Đã hoàn thành",
                        "100%",
                        done.strftime("%d/%m/%Y"),
                        "",
                        1,
                    ]
                )
            elif parsed.start is not None and parsed.start > when:
                rows.append(
                    [
                        when.strftime("%d/%m/%Y"),
                        number,
                        section,
                        stt,
                        lead,
                        "Chưa thực hiện",
                        "0%",
                        "",
                        "Chưa đến thời gian thực hiện",
                        1,
                    ]
                )
            else:
                pct = rng.randint(10, 90)
                rows.append(
                    [
                        when.strftime("%d/%m/%Y"),
                        number,
                        section,
                        stt,
                        lead,
                        "Đang thực hiện",
                        f"{pct}%",
                        "",
                        rng.choice(["", "Đang tổng hợp số liệu", "Chờ ý kiến các sở, ngành"]),
                        1,
                    ]
                )
        written.append(
            _write(
                out_dir / "task_reports" / f"task_reports_{when.isoformat()}.csv",
                REPORT_HEADER,
                rows,
            )
        )
    return written


def _days(start: date, end: date) -> Iterator[date]:
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path
