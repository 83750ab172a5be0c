"""The ingest's fast paths give exactly what the general code gives (types, nulls, slices)."""

from __future__ import annotations

import random
import threading
import time
from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ingest import contract as contracts
from ingest import convert, copybin, loader, prefetch, readers, timestamps
from ingest.contract import Column
from ingest.pii import Hasher
from tests import onestop_rows as rows


# -- timestamps -------------------------------------------------------------------------------
def _random_stamp(rnd: random.Random, seconds: bool) -> str:
    d = rnd.choice([rnd.randint(1, 28), rnd.randint(0, 32)])
    m = rnd.choice([rnd.randint(1, 12), rnd.randint(0, 13)])
    y = rnd.choice([rnd.randint(1900, 2100), rnd.randint(0, 9999), 2000, 2024, 2023, 1900])
    hh, mi = rnd.choice([rnd.randint(0, 23), 24]), rnd.choice([rnd.randint(0, 59), 60])
    text = f"{d:02d}/{m:02d}/{y:04d} {hh:02d}:{mi:02d}"
    return text + f":{rnd.choice([rnd.randint(0, 59), 60]):02d}" if seconds else text


def _other_layout(rnd: random.Random) -> str:
    return rnd.choice(
        ["2026-03-01 10:00", "1/3/2026", "01.03.2026 07:05", "2026-03-01T10:00:00Z", "x", ""]
    )


def test_byte_level_timestamps_equal_the_general_parser_row_by_row():
    """Blocks mixing the usual layout (valid or not), other layouts and nulls: the one parser
    gives exactly what the regex path alone gives, values and unreadable flags."""
    rnd = random.Random(7)
    read = 0
    for _ in range(3000):
        seconds = rnd.random() < 0.3
        mixed = rnd.random() < 0.3
        values = pa.array(
            [
                None
                if rnd.random() < 0.1
                else _other_layout(rnd)
                if mixed and rnd.random() < 0.3
                else _random_stamp(rnd, seconds or (mixed and rnd.random() < 0.5))
                for _ in range(rnd.randint(1, 6))
            ],
            pa.string(),
        )
        typed, bad = timestamps.parse(values)
        expected, expected_bad = timestamps._general(values)
        assert typed.equals(expected), values
        assert bad.to_pylist() == expected_bad.to_pylist(), values
        _, by_bytes = timestamps._usual_layout(values)
        read += int(by_bytes.sum())
    assert read > 1000  # valid values in the usual layout were read from the bytes


@pytest.mark.parametrize(
    "values",
    [
        ["29/02/2024 23:59", None, "01/01/0000 00:00", "31/12/9999 23:59"],
        ["15/06/1900 12:30:59", "01/03/2023 00:00:00"],
        ["15/06/1900 12:30", "2023-03-01T00:00:00+07:00", None, "31/02/2023 00:00"],
    ],
)
def test_timestamps_of_slices_and_large_strings(values):
    arr = pa.array(["junk", *values], pa.string()).slice(1)
    expected = timestamps._general(pa.array(values, pa.string()))
    for got in (timestamps.parse(arr), timestamps.parse(pa.array(values, pa.large_string()))):
        assert got[0].equals(expected[0]) and got[1].equals(expected[1])


@pytest.mark.parametrize(
    "values",
    [
        ["31/02/2026 08:00"],
        ["29/02/2023 08:00"],
        ["01/13/2026 08:00"],
        ["01/01/2026 24:00"],
        ["01/01/2026 23:60"],
        ["01/01/2026 10:00:60"],
        ["01-01-2026 10:00"],
        ["1/01/2026 10:00"],
        ["2026-01-01 10:00"],
        ["01/01/2026T10:00"],
        ["０1/01/2026 10:00"],
    ],
)
def test_byte_level_timestamps_leave_anything_else_to_the_general_path(values):
    _, read = timestamps._usual_layout(pa.array(["01/01/2026 10:00", *values], pa.string()))
    assert read.tolist() == [True] + [False] * len(values)


def test_impossible_moments_are_unreadable_whatever_the_rest_of_the_block():
    """A second of 60 or 31/02 is unreadable both in a block of valid dates and beside a bad
    value (the parser once rolled 10:00:60 over to 10:01 when the rest of the block was valid)."""
    for other in ("01/01/2026 10:00:00", "not a date"):
        typed, bad = timestamps.parse(
            pa.array([other, "01/01/2026 10:00:60", "31/02/2026 08:00:00"])
        )
        assert typed.to_pylist()[1:] == [None, None] and bad.to_pylist()[1:] == [True, True]
    typed, bad = timestamps.parse(pa.array(["01/01/2026 10:00", None, "2026-01-01T03:00:00Z"]))
    assert typed.to_pylist() == [datetime(2026, 1, 1, 10), None, datetime(2026, 1, 1, 10)]
    assert bad.to_pylist() == [False, False, False]


# -- cleaning ---------------------------------------------------------------------------------
def _clean_reference(values: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.is_in(pc.utf8_lower(trimmed), pa.array(convert._NULLS)), None, trimmed)


def test_clean_reads_every_spelling_of_the_markers_as_missing():
    values = [
        "",
        " ",
        "N/A",
        "n/A",
        " NA ",
        "Na",
        "-",
        "--",
        "NULL",
        "nUlL",
        "None",
        "NONE",
        "\u00a0n/a\u00a0",
        "\tnone\n",
        "NAN",
        "nul",
        "---",
        "0",
        "x",
        "Không",
        None,
        "045159884006",
        "QT-SKHDT",
        "02/03/2026 06:45",
        " à",
        "à ",
        "a\u3000",
        "\u2003b",
    ]
    arr = pa.array(["skip", *values]).slice(1)
    assert convert._clean(arr).equals(_clean_reference(arr))
    assert (
        convert._clean(pa.array(values)).to_pylist()
        == _clean_reference(pa.array(values)).to_pylist()
    )


def test_trimming_by_edge_bytes_equals_trimming_every_value():
    """Every code point at either end, alone, inside and beside padding: only the values whose
    ends may be whitespace are trimmed, and the result is the full trim's."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for shape in ("{}", "x{}", "{}x", "{}x{}", " {}", "{} ", "Ủy{}"):
        values = pa.array([shape.format(c, c) for c in chars])
        assert convert._trimmed(values).equals(pc.utf8_trim_whitespace(values)), shape
    rnd = random.Random(3)
    alphabet = [
        " ",
        "\t",
        "\u00a0",
        "\u2003",
        "\u3000",
        "\u1680",
        "\u0085",
        "a",
        "Đ",
        "ạ",
        "ư",
        "Ủ",
        "©",
        "…",
        "、",
        "ᚠ",
        "😀",
        "0",
    ]
    for _ in range(300):
        values = [
            None if rnd.random() < 0.1 else "".join(rnd.choices(alphabet, k=rnd.randint(0, 5)))
            for _ in range(rnd.randint(1, 40))
        ]
        arr = pa.array(["  pad  ", *values]).slice(1)
        assert convert._clean(arr).equals(_clean_reference(arr)), values
        assert (
            convert._clean(pa.array(values, pa.large_string())).to_pylist()
            == _clean_reference(pa.array(values)).to_pylist()
        )


def test_values_without_padding_are_not_copied_by_trimming():
    values = pa.array(["Ủy ban nhân dân", "Sở Tư pháp", "045159884006", "02/03/2026 06:45", "Hà"])
    assert convert._trimmed(values) is values
    padded = pa.array(["Ủy ban ", "Sở Tư pháp", "x\u3000", "ok"])
    assert convert._trimmed(padded).to_pylist() == ["Ủy ban", "Sở Tư pháp", "x", "ok"]


def test_whole_numbers_of_digits_alone_equal_the_regex_path(monkeypatch):
    rnd = random.Random(5)
    taken = 0
    for _ in range(500):
        values = pa.array(
            [
                "".join(
                    rnd.choices("0123456789" + "+- x١", [30] * 10 + [1] * 5, k=rnd.randint(0, 11))
                )
                for _ in range(rnd.randint(1, 6))
            ]
        ).slice(rnd.randint(0, 1))
        taken += convert._short_digits(values)
        got = convert._ints(values)
        with monkeypatch.context() as m:
            m.setattr(convert, "_short_digits", lambda v: False)
            expected = convert._ints(values)
        assert got[0].equals(expected[0]), values
        assert pc.fill_null(got[1], False).equals(pc.fill_null(expected[1], False)), values
    assert taken > 50
    assert convert._short_digits(pa.array(["1", "02", "123456789"]))
    assert convert._ints(pa.array(["+5", "-3", "+", "7"]))[0].to_pylist() == [5, -3, None, 7]
    assert not convert._short_digits(pa.array(["1", "1234567890"]))


def test_only_ascii_letters_lowercase_into_the_markers_letters():
    """Why comparing with every ASCII case spelling equals lowercasing first."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    lowered = pc.utf8_lower(pa.array(chars)).to_pylist()
    letters = set("".join(convert._NULLS))
    assert [
        c for c, low in zip(chars, lowered, strict=True) if not c.isascii() and set(low) & letters
    ] == []


# -- typing: columns with no value ---------------------------------------------------------------
@pytest.mark.parametrize(
    "col_type,sample",
    [
        ("text", "x"),
        ("pii", "x"),
        ("int", "3"),
        ("code", "1"),
        ("timestamp", "02/03/2026 06:45"),
        ("date", "02/03/2026"),
        ("bool", "có"),
        ("decimal", "1,5"),
    ],
)
def test_a_column_without_values_has_the_type_its_converter_gives(col_type, sample):
    col = Column("c", col_type, ("c",), codes=(1, 2))
    hasher = Hasher(b"k" * 64)
    typed, _, _ = convert._convert(col, pa.array([sample]), hasher)
    empty, bad, _ = convert._convert(col, pa.nulls(3, pa.string()), hasher)
    assert empty.type == typed.type == convert.TYPED[col_type]
    assert empty.null_count == 3 and not pc.any(pc.fill_null(bad, False)).as_py()


def test_text_length_counts_characters_not_bytes():
    col = Column("c", "text", ("c",), max_length=10)
    values = pa.array(["Đông Hà", "ĐĐĐĐĐĐĐĐĐĐ", "ĐĐĐĐĐĐĐĐĐĐĐ", "0123456789"])  # 7, 10, 11, 10
    _, too_long, _ = convert._convert(col, values, Hasher(b"k" * 64))
    assert pc.fill_null(too_long, False).to_pylist() == [False, False, True, False]
    _, too_long, _ = convert._convert(col, values.slice(0, 2), Hasher(b"k" * 64))
    assert not pc.any(pc.fill_null(too_long, False)).as_py()


# -- reading ----------------------------------------------------------------------------------
def _read_all(path, monkeypatch, read_bytes: int, block_bytes: int) -> list[readers.Block]:
    monkeypatch.setattr(readers, "READ_BYTES", read_bytes)
    monkeypatch.setattr(readers, "BLOCK_BYTES", block_bytes)
    layout = readers.sniff_csv(path, contracts.load("onestop"))
    return list(readers.read_csv(path, layout))


def test_small_reads_merge_into_blocks_with_consecutive_rows(tmp_path, monkeypatch):
    path = rows.write(
        tmp_path / "onestop_2026-11-02.csv",
        [rows.row(f"D-{i:05d}", ChuHoSo=f"Người {i}") for i in range(3000)],
    )
    one = _read_all(path, monkeypatch, 1 << 20, 1 << 20)
    merged = _read_all(path, monkeypatch, 16 << 10, 96 << 10)
    assert len(one) == 1 and len(merged) > 2
    assert [b.first_row for b in merged] == list(np.cumsum([1] + [b.num_rows for b in merged[:-1]]))
    for name, values in one[0].columns.items():
        assert pa.concat_arrays([b.columns[name] for b in merged]).equals(values)


def test_prefetched_items_come_in_order_and_errors_where_they_happened():
    def items():
        yield from range(5)
        raise ValueError("bad row")

    got = []
    with pytest.raises(ValueError, match="bad row"):
        for i in prefetch.prefetched(items()):
            got.append(i)
    assert got == [0, 1, 2, 3, 4]


def test_a_consumer_that_stops_early_stops_the_reading_thread():
    produced = []

    def items():
        for i in range(1000):
            produced.append(i)
            yield i

    before = threading.active_count()
    stream = prefetch.prefetched(items(), depth=2)
    assert next(stream) == 0
    stream.close()
    time.sleep(0.05)
    assert threading.active_count() == before and len(produced) < 10


def test_nul_scan_skips_columns_whose_bytes_hold_no_nul():
    assert not loader._may_hold_nul(pa.array(["a", "b"]))
    assert loader._may_hold_nul(pa.array(["a", "b\x00"]))
    # A slice's buffer may hold a NUL outside it: the exact scan then finds no row.
    sliced = pa.array(["a\x00", "b"]).slice(1)
    assert loader._may_hold_nul(sliced)
    block = readers.Block({"dossier_code": sliced}, 1, 1)
    assert next(loader._without_nul(iter([block]))).errors == []


# -- binary COPY: local time to UTC ---------------------------------------------------------------
@pytest.mark.parametrize("zone", ["UTC", "Asia/Ho_Chi_Minh", "Europe/Berlin"])
def test_utc_conversion_of_a_block_on_one_offset_equals_day_by_day(zone, monkeypatch):
    start = datetime(2026, 3, 20)
    for span_days in (3, 20, 400):  # within one offset; across a daylight-saving change
        moments = [start + timedelta(hours=7 * i) for i in range(span_days * 24 // 7)]
        secs = np.array([int((m - datetime(1970, 1, 1)).total_seconds()) for m in moments])
        valid = np.ones(len(secs), bool)
        valid[::5] = False
        got = copybin.Encoder(zone)._to_utc(secs, valid)
        monkeypatch.setattr(copybin, "_ONE_OFFSET_SPAN", 0)
        expected = copybin.Encoder(zone)._to_utc(secs, valid)
        monkeypatch.undo()
        assert (got[valid] == expected[valid]).all(), (zone, span_days)


def test_encoded_rows_do_not_depend_on_the_timestamp_path(monkeypatch):
    table = pa.table(
        {
            "t": pa.array(
                [datetime(2026, 3, 29, 1, 30), None, datetime(2026, 10, 25, 2, 30)],
                pa.timestamp("s"),
            ),
            "d": pa.array([date(2026, 3, 29)] * 3, pa.date32()),
        }
    )
    got = copybin.Encoder("Europe/Berlin").encode(table)
    monkeypatch.setattr(copybin, "_ONE_OFFSET_SPAN", 0)
    assert copybin.Encoder("Europe/Berlin").encode(table).equals(got)
