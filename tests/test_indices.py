"""Index results, plan targets and satisfaction surveys: ingest, marts, gate (real PostgreSQL).

Fixtures in tests/data/indices (see README.md there): the PCI 2021/2022 and PAPI 2023
composites and ranks are the published figures quoted in /work/shared/domain.md; sub-indices
and Hải Dương's scores are synthetic.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chiso import config, dbt, pipeline
from ingest.pii import load_key
from ingest.run import ingest
from tests import onestop_rows

DATA = Path(__file__).parent / "data" / "indices"
RUN_DATE = date(2026, 3, 1)
RESULTS = (
    "pci_2021.xlsx",
    "PCI 2022 - chi so thanh phan.csv",
    "papi_results.csv",
    "results_long.csv",
)
TARGETS = ("targets_appendix_2025.csv", "targets_sipas.csv")


def _land(landing: Path, feed: str, *names: str) -> None:
    (landing / feed).mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(DATA / name, landing / feed / name)


def _ingest(conn, landing: Path, feeds: list[str]):
    return {
        r.file_name: r
        for r in ingest(conn, landing, load_key(config.load().home), "t", feeds=feeds)
    }


@pytest.fixture(scope="module")
def published(server_url, tmp_path_factory):
    """Every fixture loaded and published once (a module-scoped warehouse keeps tests fast)."""
    import os

    import psycopg

    from chiso import warehouse
    from tests.conftest import _with_db

    name = f"chiso_indices_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f'drop database if exists "{name}"')
        c.execute(f'create database "{name}"')
    url = _with_db(server_url, name)
    landing = tmp_path_factory.mktemp("landing")
    mp = pytest.MonkeyPatch()
    mp.setenv("CHISO_WAREHOUSE_URL", url)
    mp.setenv("CHISO_LANDING_DIR", str(landing))
    _land(landing, "index_results", *RESULTS)
    _land(landing, "targets", *TARGETS)
    _land(landing, "survey_responses", "survey_responses.csv")
    # The one-stop mart must not be empty for the gate: one dossier.
    onestop_rows.write(
        landing / "onestop" / "onestop_2026-02-10.csv",
        [
            onestop_rows.row(
                "IDX-1",
                NgayNopHoSo="10/02/2026 08:00:00",
                NgayTiepNhan="10/02/2026 08:10:00",
                NgayHenTra="13/02/2026 17:00:00",
            )
        ],
    )
    summary = pipeline.run_all(pipeline.Run("indices", RUN_DATE, quiet=True))
    conn = warehouse.connect(url, autocommit=True)
    yield conn, url, summary
    conn.close()
    mp.undo()


def _scores(conn, index: str, year: int) -> list[tuple]:
    return conn.execute(
        "select province_name, score, rank from marts.index_scores where index_code = %s"
        " and year = %s and component_code is null and not is_derived and rank is not null"
        " order by rank, province_name",
        (index, year),
    ).fetchall()


def test_wide_official_tables_publish_real_scores_and_ranks(published):
    conn, _, _ = published
    assert _scores(conn, "pci", 2021)[:5] == [
        ("Quảng Ninh", Decimal("73.02"), 1),
        ("Hải Phòng", Decimal("70.61"), 2),
        ("Đồng Tháp", Decimal("70.53"), 3),
        ("Đà Nẵng", Decimal("70.42"), 4),
        ("Vĩnh Phúc", Decimal("69.69"), 5),
    ]
    assert _scores(conn, "pci", 2022)[:3] == [
        ("Quảng Ninh", Decimal("72.95"), 1),
        ("Bắc Giang", Decimal("72.80"), 2),
        ("Hải Phòng", Decimal("70.76"), 3),
    ]
    # PAPI 2023 from a title row ("Chỉ số PAPI năm 2023"); Huế written as Thừa Thiên Huế.
    assert _scores(conn, "papi", 2023) == [
        ("Huế", Decimal("46.04"), 1),
        ("Thái Nguyên", Decimal("45.78"), 2),
    ]
    # Quảng Ninh and Bình Dương: no PAPI score in 2023 ("N/A", "-") → null, not zero.
    assert conn.execute(
        "select province_code, score from marts.index_scores where index_code = 'papi'"
        " and year = 2023 and component_code is null and score is null order by 1"
    ).fetchall() == [("22", None), ("74", None)]
    # Sub-indices are long rows with the catalogue code; the scale comes from the catalogue.
    row = conn.execute(
        "select score, scale_max, component_name from marts.index_scores where"
        " province_code = '22' and year = 2022 and index_code = 'pci'"
        " and component_code = 'entry'"
    ).fetchone()
    assert row == (Decimal("8.10"), Decimal("10"), "Gia nhập thị trường")
    # N/A sub-index (Vĩnh Phúc, Cạnh tranh bình đẳng 2021) is loaded as a null score.
    assert conn.execute(
        "select score from marts.index_scores where province_code = '26' and year = 2021"
        " and component_code = 'bias'"
    ).fetchone() == (None,)


def test_year_on_year_change_of_score_and_rank(published):
    conn, _, _ = published
    rows = conn.execute(
        "select province_code, previous_score, score_change, previous_rank, rank_change"
        " from marts.index_scores where index_code = 'pci' and year = 2022"
        " and component_code is null and province_code in ('22', '31') order by 1"
    ).fetchall()
    assert rows == [
        ("22", Decimal("73.02"), Decimal("-0.07"), 1, 0),
        ("31", Decimal("70.61"), Decimal("0.15"), 2, -1),
    ]


def test_province_names_match_with_and_without_prefixes_and_diacritics(published):
    conn, _, _ = published
    # "Tỉnh Quảng Ninh", "TP. Hải Phòng", "Dong Thap", "Thành phố Đà Nẵng", "Hai Duong",
    # "Quang Tri", "TP Hải Phòng", "Thừa Thiên Huế": every one resolved to a pre-2025 unit.
    codes = conn.execute(
        "select distinct source_province_name, province_code"
        " from staging.stg_indices__index_results"
        " where source_province_name in ('Tỉnh Quảng Ninh', 'TP. Hải Phòng', 'Dong Thap',"
        " 'Thành phố Đà Nẵng', 'Hai Duong', 'Quang Tri', 'TP Hải Phòng', 'Thừa Thiên Huế')"
        " order by 1"
    ).fetchall()
    assert codes == [
        ("Dong Thap", "87"),
        ("Hai Duong", "30"),
        ("Quang Tri", "45"),
        ("TP Hải Phòng", "31"),
        ("TP. Hải Phòng", "31"),
        ("Thành phố Đà Nẵng", "48"),
        ("Thừa Thiên Huế", "46"),
        ("Tỉnh Quảng Ninh", "22"),
    ]


def test_unknown_province_component_and_aggregate_rows_are_rejected_by_name(published):
    conn, _, _ = published
    rejected = conn.execute(
        "select r.source_row, r.column_name, r.value, r.reason from audit.rejected_rows r"
        " join audit.load_batches b using (batch_id) where b.file_name = 'results_long.csv'"
        " order by 1"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rejected] == [
        (10, "province_name", "Tỉnh Hà Tây"),
        (11, "component_name", "Chỉ số lạ"),
        (12, "province_name", "Trung bình"),
    ]
    assert "unknown province 'Tỉnh Hà Tây'" in rejected[0][3]
    assert "national aggregate" in rejected[2][3]
    loaded = dict(
        conn.execute(
            "select file_name, rows_loaded from audit.load_batches where feed = 'index_results'"
        ).fetchall()
    )
    # 6 provinces × 11 columns; 4 × 11; 4 × 9; 12 long rows − 3 rejected.
    assert loaded == {
        "pci_2021.xlsx": 66,
        "PCI 2022 - chi so thanh phan.csv": 44,
        "papi_results.csv": 36,
        "results_long.csv": 9,
    }


def test_decimal_comma_percent_and_na(published):
    conn, _, _ = published
    values = conn.execute(
        "select index_code, province_code, year, score from marts.index_scores"
        " where index_code = 'par_index' order by year"
    ).fetchall()
    # "92,18%" and "96.17%" → 92.18 and 96.17 on the 0–100 % scale.
    assert values == [
        ("par_index", "22", 2023, Decimal("92.18")),
        ("par_index", "31", 2024, Decimal("96.17")),
    ]


def test_merger_roll_up_gives_a_34_unit_series_before_2025(published):
    conn, _, _ = published
    row = conn.execute(
        "select province_name, score, source_units, expected_units, current_units_rank"
        " from marts.index_scores where province_code = 'N31' and year = 2021"
        " and index_code = 'pci' and component_code is null and is_derived"
    ).fetchone()
    # New Hải Phòng = mean of old Hải Phòng (70.61) and Hải Dương (66.01, synthetic).
    assert row == ("Hải Phòng", Decimal("68.31"), 2, 2, 2)  # behind Quảng Ninh (unchanged unit)
    # The old units point to the new unit; an unchanged unit points to itself.
    assert conn.execute(
        "select province_code, current_province_code, current_province_name"
        " from marts.index_scores where year = 2021 and index_code = 'pci'"
        " and component_code is null and province_code in ('22', '30', '31') order by 1"
    ).fetchall() == [
        ("22", "22", "Quảng Ninh"),
        ("30", "N31", "Hải Phòng"),
        ("31", "N31", "Hải Phòng"),
    ]
    # Đồng Tháp 2021 alone (Tiền Giang missing): incomplete, so no derived value.
    assert conn.execute(
        "select count(*) from marts.index_scores where province_code = 'N82'"
    ).fetchone() == (0,)


def test_roll_up_method_is_a_setting(published):
    conn, url, _ = published
    out = dbt.run(
        [
            "run",
            "--select",
            "int_index_scores_rolled_up",
            "--vars",
            '{"index_rollup_method": "max"}',
        ],
        url,
        quiet=True,
    )
    assert out.success, out.failures
    assert conn.execute(
        "select score from intermediate.int_index_scores_rolled_up where province_code = 'N31'"
        " and year = 2021 and component_code is null and index_code = 'pci'"
    ).fetchone() == (Decimal("70.61"),)
    dbt.run(["run", "--select", "int_index_scores_rolled_up"], url, quiet=True)


def test_target_status_gap_and_direction(published):
    conn, _, _ = published
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            "select indicator_code, target_operator, target_value, target_year, actual_value,"
            " actual_year, gap, status, lead_unit, coordinating_units from marts.indicator_targets"
            " where indicator_code is not null"
        )
    }
    # 52,61 points by 2025; 53.00 in 2024 → met.
    assert rows["pci_website_quality_score"][:7] == (
        ">=",
        Decimal("52.61"),
        2025,
        Decimal("53.00"),
        2024,
        Decimal("-0.39"),
        "met",
    )
    # 5 days (lower is better, from the catalogue): 9 → 7 days, 2 a year → 3 by 2025: on track.
    assert rows["pci_info_request_wait_days"][:7] == (
        "<=",
        Decimal("5"),
        2025,
        Decimal("7"),
        2023,
        Decimal("2"),
        "on track",
    )
    # 60 %: 40 → 41 %, +1 a year reaches 42 by 2025: off track.
    assert rows["pci_website_regular_visits"][6] == "off track"
    assert rows["pci_website_regular_visits"][7:] == (
        "Công thông tin điện tử tỉnh",
        "Các phòng, trung tâm",
    )
    assert rows["pci_onestop_procedures_posted"][6] == "no data"
    # Plain target "Chỉ số hài lòng ≥ 85%" for 2023: SIPAS 83.50 % that year → off track.
    assert rows["sipas_score"][:7] == (
        ">=",
        Decimal("85"),
        2023,
        Decimal("83.50"),
        2023,
        Decimal("1.50"),
        "off track",
    )
    assert rows["sipas_procedures_satisfaction"][:3] == (">=", Decimal("90"), 2023)
    # Unmapped target kept (and warned about); a target without a value was rejected.
    unmapped = conn.execute(
        "select indicator_name, status from marts.indicator_targets where not is_mapped"
    ).fetchall()
    assert unmapped == [
        (
            "Tỷ lệ doanh nghiệp hài lòng với dịch vụ của Trung tâm (chưa có trong danh mục)",
            "no data",
        )
    ]
    assert conn.execute(
        "select value from audit.rejected_rows where feed = 'targets'"
    ).fetchall() == [("chưa xác định",)]


def test_satisfaction_rates_with_levels_setting(published):
    conn, url, _ = published
    query = (
        "select element_code, responses, satisfied_responses, satisfaction_pct"
        " from {schema}.satisfaction where agency_code = 'SNV' and period_type = %s"
        " and period_start = %s order by 1"
    )
    jan = conn.execute(query.format(schema="marts"), ("month", date(2026, 1, 1))).fetchall()
    assert jan == [
        ("access", 5, 3, Decimal("60.00")),
        ("all", 8, 5, Decimal("62.50")),
        ("procedures", 3, 2, Decimal("66.67")),
    ]
    year = conn.execute(query.format(schema="marts"), ("year", date(2026, 1, 1))).fetchall()
    # February adds one "5" (access); the answer "6" was rejected at load.
    assert year == [
        ("access", 6, 4, Decimal("66.67")),
        ("all", 9, 6, Decimal("66.67")),
        ("procedures", 3, 2, Decimal("66.67")),
    ]
    # Respondents are stored only as keyed hashes.
    assert conn.execute(
        "select count(*) from raw.survey_responses where respondent_id_hash like '0791%'"
    ).fetchone() == (0,)
    out = dbt.run(
        ["run", "--select", "satisfaction", "--vars", '{"satisfied_levels": [5]}'], url, quiet=True
    )
    assert out.success, out.failures
    only5 = conn.execute(query.format(schema="candidate"), ("month", date(2026, 1, 1))).fetchall()
    assert only5 == [
        ("access", 5, 2, Decimal("40.00")),
        ("all", 8, 2, Decimal("25.00")),
        ("procedures", 3, 0, Decimal("0.00")),
    ]
    dbt.run(["run", "--select", "satisfaction"], url, quiet=True)


def test_gate_warns_on_pci_composite_mismatch_naming_province_and_year(published):
    conn, _, _ = published
    results = {
        r[0]: r[1:]
        for r in conn.execute(
            "select check_name, success, severity, details::text from audit.check_results"
            " where run_id = 'indices' and suite in ('index_scores', 'indicator_targets')"
        )
    }
    success, severity, details = results["pci_composite_recomputed"]
    assert (success, severity) == (False, "warning")
    assert "Hải Dương" in details and "2021" in details
    assert "Quảng Ninh" not in details  # the published composites reproduce
    assert results["targets_mapped"][:2] == (False, "warning")
    for name in ("score_on_scale", "ranks_without_gaps"):
        assert results[name][0] is True, name


def test_sample_passes_the_gate_and_a_rank_gap_blocks(conn, landing):
    from chiso import gate
    from chiso.samples import indices as sample

    sample.generate(landing, date(2026, 1, 5), 3, seed=2)
    onestop_rows.write(
        landing / "onestop" / "onestop_2026-01-05.csv",
        [
            onestop_rows.row(
                "S-1",
                NgayNopHoSo="05/01/2026 08:00:00",
                NgayTiepNhan="05/01/2026 08:10:00",
                NgayHenTra="08/01/2026 17:00:00",
            )
        ],
    )
    run = pipeline.Run("sample", date(2026, 1, 8), quiet=True)
    pipeline.begin(run)
    results = pipeline.ingest(run)
    assert {r.status for r in results} == {"loaded"}
    assert sum(r.rows_rejected for r in results) == 0
    pipeline.build(run)
    pipeline.check(run)  # all blocking checks pass: 63 complete ranks per year
    assert conn.execute(
        "select count(*), max(rank), min(number_ranked) from candidate.index_scores"
        " where index_code = 'pci' and year = 2025 - 1 and component_code is null"
        " and not is_derived"
    ).fetchone() == (63, 63, 63)
    assert conn.execute(
        "select count(*) from candidate.index_scores where is_derived and year = 2024"
        " and index_code = 'pci' and component_code is null"
    ).fetchone() == (23,)
    # A rank gap in a complete year (rank 2 → 64) is blocking.
    conn.execute(
        "update candidate.index_scores set rank = 64 where index_code = 'pci'"
        " and year = 2024 and component_code is null and not is_derived and rank = 2"
    )
    with pytest.raises(gate.GateBlocked, match=r"index_scores\.ranks_without_gaps"):
        pipeline.check(pipeline.Run("sample-broken", date(2026, 1, 8), quiet=True))
