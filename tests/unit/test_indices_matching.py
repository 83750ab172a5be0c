"""Pure functions of the index feeds: province/component matching, targets, file context."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from ingest.feeds import indices as ix

END_2021, END_2025 = date(2021, 12, 31), date(2025, 12, 31)


@pytest.mark.parametrize(
    "name, code",
    [
        ("Quảng Ninh", "22"),
        ("Tỉnh Quảng Ninh", "22"),
        ("quang ninh", "22"),
        ("QUẢNG NINH", "22"),
        ("TP. Hải Phòng", "31"),
        ("TP Hải Phòng", "31"),
        ("Thành phố Hải Phòng", "31"),
        ("Hai Phong", "31"),
        ("Thừa Thiên Huế", "46"),
        ("Thua Thien - Hue", "46"),
        ("TP.HCM", "79"),
        ("Bà Rịa-Vũng Tàu", "77"),
        ("Ba Ria Vung Tau", "77"),
        ("Thanh Hoá", "38"),
        ("Dak Lak", "66"),
    ],
)
def test_names_match_with_or_without_prefixes_and_diacritics(name, code):
    assert ix.match_province(name, END_2021) == (code, None)


def test_a_name_identifies_a_unit_only_with_the_date():
    assert ix.match_province("Hải Phòng", END_2021) == ("31", None)
    assert ix.match_province("Hải Phòng", END_2025) == ("N31", None)
    assert ix.match_province("Quảng Ninh", END_2025) == ("22", None)  # unchanged unit
    code, problem = ix.match_province("Hải Dương", END_2025)
    assert code is None and "did not exist on 2025-12-31" in problem


def test_unknown_names_and_aggregates_are_named():
    assert ix.match_province("Tỉnh Hà Tây", END_2021) == (
        None,
        "unknown province 'Tỉnh Hà Tây': not a name or alias in ref_provinces.csv "
        "(add the spelling to its aliases)",
    )
    assert "national aggregate" in ix.match_province("Trung bình", END_2021)[1]


@pytest.mark.parametrize(
    "index, text, code",
    [
        ("pci", "Gia nhập thị trường (5%)", "entry"),
        ("pci", "Tính năng động", "proactivity"),
        ("pci", "Thiết chế pháp lý & ANTT", "legal"),
        ("pci", "PCI 2021", ""),
        ("pci", "Điểm PCI", ""),
        ("papi", "Công khai, minh bạch", "transparency"),
        ("papi", "Tổng điểm", ""),
        ("pci", "Công khai, minh bạch", None),
    ],
)
def test_component_headers(index, text, code):
    assert ix.match_component(index, text) == code


@pytest.mark.parametrize(
    "texts, expected",
    [
        (
            ("BẢNG XẾP HẠNG CHỈ SỐ NĂNG LỰC CẠNH TRANH CẤP TỈNH (PCI) NĂM 2021", None, "x"),
            ("pci", 2021),
        ),
        ((None, None, "PCI 2022 - chi so thanh phan"), ("pci", 2022)),
        (("Chỉ số PAPI năm 2023", None, "papi_results"), ("papi", 2023)),
        (("", "Sheet1", "par_index_2024"), ("par_index", 2024)),
        (("Kết quả", None, "bang"), (None, None)),
    ],
)
def test_index_and_year_from_title_sheet_or_file_name(texts, expected):
    assert ix.context_of(*texts) == expected


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("100%", (None, "100", "percent")),
        ("5", (None, "5", None)),
        ("52,61", (None, "52.61", None)),
        ("≥ 85%", (">=", "85", "percent")),
        ("đạt từ 85% trở lên", (">=", "85", "percent")),
        ("tối thiểu đạt 90%", (">=", "90", "percent")),
        ("không quá 5 ngày", ("<=", "5", None)),
        ("Top 10", ("<=", "10", "rank")),
        ("chưa xác định", (None, None, None)),
    ],
)
def test_parse_target(text, parsed):
    assert ix.parse_target(text) == parsed


@pytest.mark.parametrize(
    "text, split",
    [
        ("Chỉ số hài lòng ≥ 85%", ("Chỉ số hài lòng", "≥ 85%")),
        (
            "Chỉ số hài lòng năm 2023 đạt từ 85% trở lên",
            ("Chỉ số hài lòng năm 2023", "đạt từ 85% trở lên"),
        ),
        (
            "Website của tỉnh - Điều chỉnh năm 2021",
            ("Website của tỉnh - Điều chỉnh năm 2021", None),
        ),
        ("Số ngày chờ đợi (Trung vị)", ("Số ngày chờ đợi (Trung vị)", None)),
    ],
)
def test_split_plain_target(text, split):
    assert ix.split_plain_target(text) == split


def test_indicator_matching_ignores_numbering_case_and_punctuation():
    assert (
        ix.match_indicator("12. CHẤT LƯỢNG WEBSITE CỦA TỈNH - ĐIỀU CHỈNH NĂM 2021")
        == "pci_website_quality_score"
    )
    assert ix.match_indicator("Chỉ số hài lòng") == "sipas_score"
    assert ix.match_indicator("Một chỉ tiêu khác") is None


def test_derive_hook_rejects_unknown_values_with_row_and_value():
    cols = {
        n: pa.array(v, pa.string())
        for n, v in {
            "year": ["2021", "2021", "2021", "2025"],
            "index_name": ["PCI", "PCI", "XYZ", "PCI"],
            "province_name": ["TP. Hải Phòng", "Hà Tây", "Quảng Ninh", "Hải Phòng"],
            "component_name": ["Tính minh bạch", None, None, None],
        }.items()
    }
    extra, errors = ix.resolve_index_results(cols, {})
    assert extra["province_code"].to_pylist() == ["31", None, None, "N31"]
    assert extra["component_code"].to_pylist() == ["transparency", None, None, None]
    assert [(i, c, v) for i, c, _, v in errors] == [
        (1, "province_name", "Hà Tây"),
        (2, "index_name", "XYZ"),
    ]
