"""One-stop logs as provinces export them: three formats, history order, personal data."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date
from pathlib import Path

from chiso import config, pipeline
from chiso.embedded import _bin_dir
from chiso.samples import onestop
from ingest.pii import load_key
from ingest.run import ingest

COMMON = (
    "dossier_code",
    "procedure_code",
    "agency_code",
    "channel",
    "status_code",
    "received_at",
    "due_at",
    "processed_at",
    "returned_at",
    "supplement_count",
    "new_due_at",
    "applicant_name_hash",
    "applicant_id_number_hash",
    "paid_online",
    "is_digitised",
)


def _ingest(conn, landing: Path):
    return ingest(conn, landing, load_key(config.load().home), "t", feeds=["onestop"])


def test_csv_xlsx_and_jsonl_of_the_same_day_load_the_same_rows(conn, landing, tmp_path):
    day = date(2026, 11, 3)
    for fmt in ("csv", "xlsx", "jsonl"):
        onestop.generate(tmp_path / fmt, day, 1, seed=5, dossiers_per_day=80, formats=(fmt,))
        src = next((tmp_path / fmt / "onestop").iterdir())
        (landing / "onestop").mkdir(parents=True, exist_ok=True)
        src.rename(landing / "onestop" / f"{fmt}_{src.name}")

    results = {r.file_name.split("_")[0]: r for r in _ingest(conn, landing)}

    assert {k: (r.status, r.rows_rejected) for k, r in results.items()} == {
        "csv": ("loaded", 0),
        "xlsx": ("loaded", 0),
        "jsonl": ("loaded", 0),
    }
    cols = ", ".join(COMMON)
    per_batch = [
        set(
            conn.execute(
                f"select {cols} from raw.onestop where _batch_id = %s", (r.batch_id,)
            ).fetchall()
        )
        for r in results.values()
    ]
    assert len(per_batch[0]) == results["csv"].rows_loaded > 50
    assert per_batch[0] == per_batch[1] == per_batch[2]
    # The JSON Lines nested lists were summarised: documents counted, digitised ones too.
    docs = conn.execute(
        "select count(*) filter (where document_count > 0),"
        " count(*) filter (where documents_digitised > 0) from raw.onestop"
        " where _batch_id = %s",
        (results["jsonl"].batch_id,),
    ).fetchone()
    assert docs[0] == results["jsonl"].rows_loaded and docs[1] > 0


def test_an_older_export_arriving_late_does_not_roll_dossiers_back(conn, landing, tmp_path):
    onestop.generate(tmp_path, date(2026, 11, 2), 4, seed=9, dossiers_per_day=40)
    files = sorted((tmp_path / "onestop").glob("*.csv"))
    newest = {
        r["MaHoSo"]: r["TrangThaiHoSo"]
        for f in files
        for r in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8")))
    }
    (landing / "onestop").mkdir(parents=True, exist_ok=True)
    # Night 1: the newest export first; night 2: the two older ones arrive late.
    files[-1].rename(landing / "onestop" / files[-1].name)
    files[-2].rename(landing / "onestop" / files[-2].name)
    pipeline.run_all(pipeline.Run("night-1", date(2026, 11, 6), quiet=True))
    for f in files[:-2]:
        f.rename(landing / "onestop" / f.name)
    pipeline.run_all(pipeline.Run("night-2", date(2026, 11, 6), quiet=True))

    got = dict(
        conn.execute("select dossier_code, status_code::text from marts.dossiers").fetchall()
    )
    assert got == newest
    history = conn.execute(
        "select count(*), count(distinct dossier_code) from intermediate.int_dossier_states"
    ).fetchone()
    assert history[0] > history[1]  # every observed state kept, each dossier counted once


def test_no_personal_data_anywhere_in_the_warehouse_or_logs(conn, landing, warehouse_url):
    paths = onestop.generate(
        landing,
        date(2026, 11, 2),
        3,
        seed=11,
        dossiers_per_day=30,
        formats=("csv", "jsonl", "xlsx"),
    )
    csv_path = next(p for p in paths if p.suffix == ".csv")
    people = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    # A row that will be rejected still carries personal data: it must be hashed there too.
    bad = dict(people[0], MaHoSo="REJECT-ME", KenhThucHien="9")
    with open(csv_path, "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(bad)).writerow(bad)
    pipeline.run_all(pipeline.Run("pii", date(2026, 11, 6), quiet=True))
    assert conn.execute("select count(*) from audit.rejected_rows").fetchone()[0] == 1

    dump = subprocess.run(
        [str(_bin_dir() / "pg_dump"), warehouse_url], capture_output=True, text=True, check=True
    ).stdout
    logs = "".join(p.read_text(errors="replace") for p in config.load().home.rglob("*.log"))
    clear = {r[k] for r in people for k in ("ChuHoSo", "SoGiayToChuHoSo", "SoDienThoai", "DiaChi")}
    assert len(clear) > 50
    leaked = {v for v in clear if v in dump or v in logs}
    assert leaked == set()
    assert people[0]["MaHoSo"] in dump  # the data itself is there


def test_xlsx_with_title_block_and_several_sheets_loads_every_sheet(conn, landing):
    from openpyxl import Workbook

    from tests import onestop_rows as rows

    book = Workbook()
    for i, sheet in enumerate((book.active, book.create_sheet("Tháng 11 (tiếp)"))):
        sheet.append(["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"])
        sheet.append(["Đơn vị: Sở Kế hoạch và Đầu tư"])
        sheet.append([])
        sheet.append(rows.HEADER)
        for n in range(3):
            rec = rows.row(f"S{i}-{n}")
            sheet.append(
                [int(v) if v.isdigit() and len(v) < 3 else v for v in (rec[h] for h in rows.HEADER)]
            )
    (landing / "onestop").mkdir(parents=True, exist_ok=True)
    book.save(landing / "onestop" / "bao_cao_2026-11-05.xlsx")

    [result] = _ingest(conn, landing)

    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 6, 6)
    assert sorted(r[0] for r in conn.execute("select dossier_code from raw.onestop")) == [
        "S0-0",
        "S0-1",
        "S0-2",
        "S1-0",
        "S1-1",
        "S1-2",
    ]
    assert conn.execute("select distinct channel from raw.onestop").fetchall() == [(2,)]
