"""The one-stop dossier sample generator: determinism, file layout, lifecycle, formats."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from chiso.samples import onestop
from chiso.samples.onestop import COLUMNS, SEEDS_DIR, generate, load_reference

START = date(2026, 3, 2)  # a Monday
DAYS = 21
PER_DAY = 60

OPEN = {2, 4, 5}
TERMINAL = {7, 8, 10}
FMT = "%d/%m/%Y %H:%M:%S"


def _dt(s: str) -> datetime:
    return datetime.strptime(s, FMT)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _file_day(path: Path) -> date:
    return date.fromisoformat(path.stem.removeprefix("onestop_"))


def _progress(row: dict[str, str]) -> tuple[int, int]:
    """A key that grows with every state change of a dossier."""
    status, n = int(row["TrangThaiHoSo"]), int(row["SoLanBoSung"])
    if status == 2:
        return (0, 0)
    if status in (4, 5):
        return (1, 2 * n - (1 if status == 5 else 0))
    if status == 9:
        return (2, 0)
    return (3, 0)  # 7, 8, 10: final


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[list[Path], dict[Path, list[dict[str, str]]]]:
    out = tmp_path_factory.mktemp("onestop")
    paths = generate(out, START, DAYS, seed=5, dossiers_per_day=PER_DAY)
    return paths, {p: _read_csv(p) for p in paths}


@pytest.fixture(scope="module")
def histories(run) -> dict[str, list[tuple[date, dict[str, str]]]]:
    paths, rows = run
    h: dict[str, list[tuple[date, dict[str, str]]]] = defaultdict(list)
    for p in paths:
        for r in rows[p]:
            h[r["MaHoSo"]].append((_file_day(p), r))
    return h


def _working_days_after(d: date, n: int) -> date:
    while n:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


# --- files -----------------------------------------------------------------------------------


def test_one_file_per_day_with_the_header(run):
    paths, rows = run
    assert [p.name for p in paths] == [
        f"onestop_{START + timedelta(days=i):%Y-%m-%d}.csv" for i in range(DAYS)
    ]
    assert all(p.parent.name == "onestop" for p in paths)
    for p in paths:
        raw = p.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert b"\r" not in raw
        assert raw.decode("utf-8").split("\n", 1)[0] == ",".join(COLUMNS)
    sundays = [p for p in paths if _file_day(p).weekday() == 6]
    assert sundays and all(rows[p] == [] for p in sundays)  # nothing changes on Sundays
    assert all(rows[p] for p in paths if _file_day(p).weekday() < 5)


def test_csv_is_what_the_csv_module_writes(run):
    paths, _ = run
    for p in paths:
        text = p.read_text(encoding="utf-8")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(csv.reader(io.StringIO(text)))
        assert buf.getvalue() == text


def test_same_arguments_same_bytes(tmp_path):
    kwargs = dict(
        start=START, days=6, seed=11, dossiers_per_day=25, formats=("csv", "jsonl", "xlsx")
    )
    a = generate(tmp_path / "a", **kwargs)
    b = generate(tmp_path / "b", **kwargs)
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    c = generate(tmp_path / "c", **{**kwargs, "seed": 12})
    assert any(pa.read_bytes() != pc.read_bytes() for pa, pc in zip(a, c, strict=True))
    assert not list((tmp_path / "a" / "onestop").glob(".*"))  # no temporary files left


def test_formats_round_robin_each_day_once(tmp_path):
    paths = generate(tmp_path, START, 7, dossiers_per_day=10, formats=("csv", "jsonl", "xlsx"))
    assert [p.name for p in paths] == [
        f"onestop_{START + timedelta(days=i):%Y-%m-%d}.{('csv', 'jsonl', 'xlsx')[i % 3]}"
        for i in range(7)
    ]


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, START, 2, formats=("parquet",))
    with pytest.raises(ValueError):
        generate(tmp_path, START, 2, formats=())
    with pytest.raises(ValueError):
        generate(tmp_path, START, 2, agencies=0)
    assert generate(tmp_path, START, 0) == []


def test_agencies_keeps_the_first_ones(tmp_path):
    ref = load_reference()
    processing = [a.code for a in ref.agencies if ref.handled.get(a.code)]
    paths = generate(tmp_path, START, 3, agencies=2, dossiers_per_day=40)
    seen = {r["DonViXuLy"] for p in paths for r in _read_csv(p)}
    assert seen == set(processing[:2])


# --- lifecycle -------------------------------------------------------------------------------


def test_dossiers_start_clean_and_only_move_forward(histories):
    for code, hist in histories.items():
        days = [d for d, _ in hist]
        assert days == sorted(set(days)), code  # at most once a day, in order
        first_day, first = hist[0]
        assert _dt(first["NgayTiepNhan"]).date() == first_day  # first seen the day received
        keys = [_progress(r) for _, r in hist]
        assert all(a < b for a, b in itertools.pairwise(keys)), (code, keys)
        assert all(int(r["TrangThaiHoSo"]) not in TERMINAL for _, r in hist[:-1]), code
        # what does not change stays the same
        static = {tuple(r[c] for c in COLUMNS[:13]) for _, r in hist}
        assert len(static) == 1, code


def test_row_invariants(run):
    paths, rows = run
    ref = load_reference()
    for p in paths:
        day = _file_day(p)
        end_of_day = datetime.combine(day, datetime.max.time())
        for r in rows[p]:
            status = int(r["TrangThaiHoSo"])
            assert status in {2, 4, 5, 7, 8, 9, 10}
            assert r["KenhThucHien"] in {"1", "2", "3"}
            sub, recv, due = _dt(r["NgayNopHoSo"]), _dt(r["NgayTiepNhan"]), _dt(r["NgayHenTra"])
            assert sub <= recv <= end_of_day
            assert due > recv and due.weekday() < 5
            legal = ref.procedures[r["MaTTHC"]].legal_days
            assert due.date() == _working_days_after(recv.date(), legal)
            assert recv.weekday() < 6 and "07:30:00" <= recv.strftime("%H:%M:%S") <= "17:00:00"
            if status in (7, 8, 9, 10):
                end = _dt(r["NgayKetThucXuLy"])
                assert recv <= end <= end_of_day
            else:
                assert r["NgayKetThucXuLy"] == ""
            if status == 10:
                assert _dt(r["NgayKetThucXuLy"]) <= _dt(r["NgayTra"]) <= end_of_day
            else:
                assert r["NgayTra"] == ""
            n = int(r["SoLanBoSung"])
            assert 0 <= n <= 2
            if status == 5:
                assert n >= 1
            if r["NgayHenTraMoi"]:
                assert n >= 1 and _dt(r["NgayHenTraMoi"]) > recv
            assert r["ThanhToanTrucTuyen"] in (
                {"0", "1"} if ref.procedures[r["MaTTHC"]].fee else {""}
            )
            assert r["SoHoaHoSo"] in {"0", "1"} and r["XinLoi"] in {"0", "1"}
            assert re.fullmatch(r"0\d{11}", r["SoGiayToChuHoSo"])
            assert re.fullmatch(r"0[35789]\d{8}", r["SoDienThoai"])
            assert len(r["ChuHoSo"].split()) >= 3 and r["DiaChi"]


def test_dossier_codes(histories):
    ref = load_reference()
    agencies = {a.code: a for a in ref.agencies}
    for code, hist in histories.items():
        r = hist[0][1]
        prefix, yymmdd, seq = code.rsplit("-", 2)
        assert prefix == agencies[r["DonViXuLy"]].sync_code
        assert yymmdd == _dt(r["NgayTiepNhan"]).strftime("%y%m%d")
        assert re.fullmatch(r"\d{4}", seq) and seq != "0000"


def test_codes_exist_in_the_seeds(run):
    paths, rows = run
    with (SEEDS_DIR / "ref_procedures.csv").open(encoding="utf-8") as f:
        procedures = {r["procedure_code"]: r for r in csv.DictReader(f)}
    with (SEEDS_DIR / "ref_agencies.csv").open(encoding="utf-8") as f:
        agencies = {r["agency_code"]: r for r in csv.DictReader(f)}
    with (SEEDS_DIR / "ref_agency_procedures.csv").open(encoding="utf-8") as f:
        handled = {(r["agency_code"], r["procedure_code"]) for r in csv.DictReader(f)}
    assert all(a["province_code"] == "45" for a in agencies.values())
    assert {a for a, _ in handled} <= set(agencies) and {p for _, p in handled} <= set(procedures)
    for p in paths:
        for r in rows[p]:
            proc = procedures[r["MaTTHC"]]
            assert r["DonViXuLy"] in agencies
            assert (r["DonViXuLy"], r["MaTTHC"]) in handled
            assert (r["TenTTHC"], r["MaLinhVuc"]) == (proc["procedure_name"], proc["field_code"])
            if proc["online_level"] == "none":
                assert r["KenhThucHien"] == "1"


def test_realistic_mix(histories):
    last_day = START + timedelta(days=DAYS - 1)
    count: dict[str, int] = defaultdict(int)
    channels: dict[str, int] = defaultdict(int)
    for hist in histories.values():
        r = hist[-1][1]
        channels[r["KenhThucHien"]] += 1
        status, n = int(r["TrangThaiHoSo"]), int(r["SoLanBoSung"])
        due = _dt(r["NgayHenTraMoi"] or r["NgayHenTra"]).date()
        if n:
            count["supplement"] += 1
        if status == 7:
            count["withdrawn"] += 1
        elif status == 8:
            count["stopped"] += 1
        elif status in OPEN:
            count["open"] += 1
            if due < last_day:
                count["open_overdue"] += 1
        else:
            end = _dt(r["NgayKetThucXuLy"]).date()
            kind = "early" if end < due else "on_time" if end == due else "late"
            count[kind] += 1
            if kind == "late" and r["XinLoi"] == "1":
                count["apology"] += 1
    total = len(histories)
    for kind in (
        "early",
        "on_time",
        "late",
        "supplement",
        "withdrawn",
        "stopped",
        "open",
        "open_overdue",
        "apology",
    ):
        assert count[kind] > 0, (kind, dict(count))
    assert count["early"] > count["on_time"] > 0 and count["early"] > total / 2
    assert 0.35 < channels["2"] / total < 0.65
    assert 0 < channels["3"] / total < 0.12


# --- jsonl and xlsx --------------------------------------------------------------------------


def _as_text(v) -> str:
    return "" if v is None else str(v)


def test_jsonl_and_xlsx_carry_the_same_rows(tmp_path):
    from openpyxl import load_workbook

    kwargs = dict(start=START, days=6, seed=3, dossiers_per_day=30)
    plain = generate(tmp_path / "csv", **kwargs)
    mixed = generate(tmp_path / "mixed", formats=("csv", "jsonl", "xlsx"), **kwargs)
    assert {p.suffix for p in mixed} == {".csv", ".jsonl", ".xlsx"}
    for p_csv, p in zip(plain, mixed, strict=True):
        expected = [[r[c] for c in COLUMNS] for r in _read_csv(p_csv)]
        day = _file_day(p)
        if p.suffix == ".csv":
            assert p.read_bytes() == p_csv.read_bytes()
            continue
        if p.suffix == ".jsonl":
            objs = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
            got = [[_as_text(o[c]) for c in COLUMNS] for o in objs]
            assert got == expected, p.name
            for o in objs:
                _check_nested(o)
        else:
            wb = load_workbook(p, read_only=True)
            values = list(wb.active.iter_rows(values_only=True))
            wb.close()
            assert values[0][0] == onestop.XLSX_TITLE
            assert values[1][0] == f"Ngày xuất: {day:%d/%m/%Y}"
            assert list(values[2]) == list(COLUMNS)
            got = [[_as_text(v) for v in row] for row in values[3:]]
            assert got == expected, p.name


def _check_nested(o: dict) -> None:
    assert len(o["YeuCauBoSung"]) == o["SoLanBoSung"]
    news = [y["NgayHenTraMoi"] for y in o["YeuCauBoSung"] if y["NgayHenTraMoi"]]
    assert (news[-1] if news else None) == o["NgayHenTraMoi"]
    if o["YeuCauBoSung"]:
        assert o["YeuCauBoSung"][0]["NgayHenTraCu"] == o["NgayHenTra"]
    if o["ThanhToanTrucTuyen"] is None:
        assert o["PhiLePhi"] == []
    else:
        assert [f["ThanhToanTrucTuyen"] for f in o["PhiLePhi"]] == [o["ThanhToanTrucTuyen"] == 1]
        assert all(isinstance(f["SoTien"], int) and f["SoTien"] > 0 for f in o["PhiLePhi"])
    assert o["GiayToNop"] and o["SoHoaHoSo"] == int(all(g["DaSoHoa"] for g in o["GiayToNop"]))
    assert all(g["DaSoHoa"] or not g["TaiSuDung"] for g in o["GiayToNop"])
    assert bool(o["KetQua"]) == (o["TrangThaiHoSo"] in (8, 9, 10))


def test_xlsx_reads_with_calamine(tmp_path):
    calamine = pytest.importorskip("python_calamine")
    (p,) = generate(tmp_path, START, 1, dossiers_per_day=20, formats=("xlsx",))
    rows = calamine.CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == onestop.XLSX_TITLE and list(rows[2]) == list(COLUMNS)
    assert len(rows) > 3
