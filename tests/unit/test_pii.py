"""The keyed hash: same token for the same person, whatever the spelling, block or cache."""

import pyarrow as pa

from ingest import pii
from ingest.pii import Hasher


def test_hash_array_matches_hash_one_across_blocks_and_cache_resets(monkeypatch):
    h = Hasher(b"k" * 64)
    first = pa.array(["Nguyễn Văn An", None, "045159884006", "Nguyễn Văn An"])
    second = pa.array(["NGUYỄN  Văn An", "Nguye\u0302\u0303n Văn An", "045159884006", None])
    expected = h.hash_one("Nguyễn Văn An")
    assert h.hash_array(first).to_pylist() == [expected, None, h.hash_one("045159884006"), expected]
    # Normalised spellings (case, spacing, decomposed diacritics) give the same token, also
    # when the first spelling's token came from the cache of an earlier block.
    assert h.hash_array(second).to_pylist() == [
        expected,
        expected,
        h.hash_one("045159884006"),
        None,
    ]
    monkeypatch.setattr(pii, "CACHE_SIZE", 2)  # a full cache is emptied, tokens unchanged
    assert h.hash_array(first).to_pylist()[0] == expected
    assert Hasher(b"x" * 64).hash_array(first).to_pylist()[0] != expected


def _per_value(h: Hasher, values: list[str | None]) -> list[str | None]:
    return [None if v is None else h.hash_one(v) for v in values]


def test_dictionary_hashing_gives_the_per_value_tokens(monkeypatch):
    # ID numbers (the byte-range fast path), passport-style IDs with capitals, phone numbers
    # with single spaces (the regex fast path), and text needing full normalisation (tabs,
    # double spaces, decomposed diacritics, ß which casefolds to ss, the empty string).
    values = [
        "045159884006",
        "B1234567",
        "b1234567",
        "0912 345 678",
        "0912  345 678",
        "A\tB",
        "Nguye\u0302\u0303n Văn An",
        "NGUYỄN VĂN AN",
        "Straße",
        "STRASSE",
        "",
        None,
        "045159884006",
        "x" * 300,
    ]
    h = Hasher(b"k" * 64)
    expected = _per_value(h, values)
    assert h.hash_array(pa.array(values), "c").to_pylist() == expected
    assert expected[6] == expected[7] and expected[8] == expected[9]
    # Repeated across blocks (served by the column's cache), sliced, and without a cache.
    assert h.hash_array(pa.array(values).slice(3), "c").to_pylist() == expected[3:]
    assert Hasher(b"k" * 64).hash_array(pa.array(values, pa.large_string())).to_pylist() == expected
    monkeypatch.setattr(pii, "CACHE_SIZE", 4)
    monkeypatch.setattr(pii, "MIN_HIT_RATE", 1.1)  # the first full cache switches it off
    cold = Hasher(b"k" * 64)
    for _ in range(3):
        assert cold.hash_array(pa.array(values), "c").to_pylist() == expected
    assert not cold._caches["c"].enabled


def test_only_ids_all_in_one_layout_take_the_byte_range_path():
    ids = pa.array(["045159884006", "AB-12/3"])
    assert pii._graphic_ascii(ids)
    assert not pii._graphic_ascii(pa.array(["0451 5988", "1"]))  # a space: regex path
    assert not pii._graphic_ascii(pa.array(["045159884006", "Đ1"]))
    assert not pii._graphic_ascii(pa.array(["1", None]))
    assert not pii._graphic_ascii(pa.array([""]))
    assert pii._graphic_ascii(pa.array(["x", "045159884006"]).slice(1))


def test_a_column_of_distinct_values_is_hashed_without_finding_its_distinct_values(monkeypatch):
    monkeypatch.setattr(pii, "CACHE_SIZE", 8)
    h = Hasher(b"k" * 64)
    ids = [f"0451{n:08d}" for n in range(40)]
    repeated = ["Nguyễn Văn An", "Trần Thị Bình"] * 10
    for start in range(0, 40, 10):  # every value new: the cache serves nothing and goes
        block = ids[start : start + 10]
        assert h.hash_array(pa.array(block), "id").to_pylist() == _per_value(h, block)
        mixed = [f"x{start}-{i}" for i in range(10)] + repeated[:10]
        assert h.hash_array(pa.array(mixed), "mixed").to_pylist() == _per_value(h, mixed)
    assert h._caches["id"].direct  # blocks of distinct values: hashed as they come
    assert not h._caches["mixed"].enabled and not h._caches["mixed"].direct  # repeats within
    # The direct path gives the same tokens, also for a slice, and a block with a missing value
    # takes the dictionary path again.
    assert h.hash_array(pa.array(ids).slice(5, 10), "id").to_pylist() == _per_value(h, ids[5:15])
    with_null = [ids[0], None, "Nguye\u0302\u0303n Văn An", ids[0]]
    assert h.hash_array(pa.array(with_null), "id").to_pylist() == _per_value(h, with_null)
    assert h.hash_array(pa.array(repeated), "id").to_pylist() == _per_value(h, repeated)
