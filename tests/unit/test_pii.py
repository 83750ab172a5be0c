"""The keyed hash: same token for the same person, whatever the spelling, block or cache."""

import pyarrow as pa

from ingest import pii
from ingest.pii import Hasher


def test_hash_array_matches_hash_one_across_blocks_and_cache_resets(monkeypatch):
    h = Hasher(b"k" * 64)
    first = pa.array(["Nguyễn Văn An", None, "045159884006", "Nguyễn Văn An"])
    second = pa.array(["NGUYỄN  Văn An", "Nguye\u0302\u0303n Văn An", "045159884006", None])
    expected = h.hash_one("Nguyễn Văn An")
    assert h.hash_array(first).to_pylist() == [expected, None, h.hash_one("045159884006"),
                                               expected]
    # Normalised spellings (case, spacing, decomposed diacritics) give the same token, also
    # when the first spelling's token came from the cache of an earlier block.
    assert h.hash_array(second).to_pylist() == [expected, expected,
                                                h.hash_one("045159884006"), None]
    monkeypatch.setattr(pii, "CACHE_SIZE", 2)  # a full cache is emptied, tokens unchanged
    assert h.hash_array(first).to_pylist()[0] == expected
    assert Hasher(b"x" * 64).hash_array(first).to_pylist()[0] != expected
