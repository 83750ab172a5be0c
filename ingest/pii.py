"""Pseudonymisation of personal data with a keyed hash (BLAKE2b in keyed mode, a MAC).

The same person gets the same token in every file, so dossiers link across exports, but without
the key nobody can test a guessed name or ID number against the token. Values are normalised
first (Unicode NFC, case, spacing) so 'NGUYỄN  Văn An' and 'Nguyễn Văn An' are one person.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import secrets
import unicodedata
from pathlib import Path
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest import arrowbytes

KEY_ENV = "CHISO_PII_KEY"


def load_key(home: Path) -> bytes:
    """``CHISO_PII_KEY``, or a key generated once under ``home`` (demo and tests only)."""
    value = os.environ.get(KEY_ENV)
    if not value:
        path = home / "pii.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        value = path.read_text().strip()
    key = value.encode()
    if len(key) < 16:
        raise ValueError(f"{KEY_ENV} must be at least 16 characters")
    return hashlib.blake2b(key, digest_size=64).digest()  # BLAKE2b keys are at most 64 bytes


def normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


# Printable ASCII words joined by single spaces (ID and phone numbers): NFC leaves them alone
# and split/join changes nothing, so ``normalise`` is just ASCII lowercasing, done by Arrow.
_PLAIN_ASCII = r"^[!-~]+( [!-~]+)*$"
CACHE_SIZE = 1 << 16  # distinct values remembered per column (~10 MB at most)
MIN_HIT_RATE = 0.2  # a column whose full cache served fewer hits stops using one (see _Cache)
MIN_DISTINCT_SHARE = 0.9  # ... and whose blocks had more distinct values is hashed directly


class _Cache:
    """Tokens of one column remembered across blocks and files: the same people come back (an
    applicant in every export that lists the dossier). A lookup costs about a third of a hash,
    so a column whose values rarely repeat within ``CACHE_SIZE`` (ID numbers of a large file)
    stops using its cache when it fills; if its blocks were nearly all distinct values too, it
    also stops finding them first (a dictionary encoding per block that saves no hashes)."""

    def __init__(self) -> None:
        self.tokens: dict[bytes, bytes] = {}  # UTF-8 value → digest
        self.rows = self.lookups = self.hits = 0  # lookups: distinct values of each block
        self.enabled = True
        self.direct = False  # hash every value as it comes, no dictionary encoding

    def make_room(self, adding: int) -> None:
        """Empty the cache when ``adding`` tokens would overfill it; judge its use first."""
        if len(self.tokens) + adding <= CACHE_SIZE:
            return
        self.enabled = self.hits >= MIN_HIT_RATE * self.lookups
        self.direct = not self.enabled and self.lookups >= MIN_DISTINCT_SHARE * self.rows
        self.tokens.clear()
        self.rows = self.lookups = self.hits = 0


def _graphic_ascii(values: pa.Array) -> bool:
    """Every byte of every value is printable ASCII other than space: one word each (the usual
    ID number), a byte-range check far cheaper than the regex."""
    if not pa.types.is_string(values.type) or values.null_count:
        return False
    offsets = arrowbytes.offsets(values)
    data = arrowbytes.data(values)[offsets[0] : offsets[-1]]
    return bool(data.size) and bool(((data > 0x20) & (data < 0x7F)).all())


def _hex(digests: bytes, n: int) -> pa.Array:
    """``n`` 16-byte digests as a string array of 32 lowercase hex digits each."""
    offsets = np.arange(0, 32 * n + 1, 32, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(binascii.hexlify(digests))]
    )


class Hasher:
    """Keyed hashing of each distinct value of a block once, tokens spread back over rows (a
    column whose values do not repeat is hashed value by value: see ``_Cache``)."""

    def __init__(self, key: bytes):
        self._key = key
        # The keyed state before any data: copying it costs less than keying anew.
        self._keyed = hashlib.blake2b(key=key, digest_size=16)
        self._caches: dict[str, _Cache] = {}

    def hash_one(self, value: str) -> str:
        data = normalise(value).encode()
        return hashlib.blake2b(data, key=self._key, digest_size=16).hexdigest()

    def _digests(self, values: pa.Array) -> list[bytes]:
        """16-byte digests of non-null values (``hash_one`` without the hex)."""
        plain = (
            _graphic_ascii(values) or pc.all(pc.match_substring_regex(values, _PLAIN_ASCII)).as_py()
        )
        if plain:
            data = pc.ascii_lower(values).cast(pa.binary()).to_pylist()
        else:
            data = [normalise(v).encode() for v in values.to_pylist()]
        digests: list[bytes] = []
        append, fresh = digests.append, self._keyed.copy
        for d in data:  # the ingest's hottest Python: one iteration per distinct value
            h = fresh()
            h.update(d)
            append(h.digest())
        return digests

    def _cached_digests(self, values: pa.Array, cache: _Cache) -> list[bytes]:
        texts = values.cast(pa.binary()).to_pylist()  # bytes: cheaper to make and hash
        found = list(map(cache.tokens.get, texts))
        missing = [i for i, d in enumerate(found) if d is None]
        cache.lookups += len(texts)
        cache.hits += len(texts) - len(missing)
        if missing:
            fresh = self._digests(
                values.take(pa.array(missing, pa.int32())) if len(missing) < len(texts) else values
            )
            cache.make_room(len(fresh))
            for i, d in zip(missing, fresh, strict=True):
                found[i] = d
            if cache.enabled:
                cache.tokens.update(zip([texts[i] for i in missing], fresh, strict=True))
        return cast(list[bytes], found)  # every None was a missing value, now filled

    def hash_array(self, values: pa.Array, column: str = "") -> pa.Array:
        """Tokens of ``values``; ``column`` names the cache (values of one kind repeat)."""
        if values.null_count == len(values):
            return pa.nulls(len(values), pa.string())
        cache = self._caches.setdefault(column, _Cache())
        if cache.direct and isinstance(values, pa.Array) and not values.null_count:
            return _hex(b"".join(self._digests(values)), len(values))
        encoded = pc.dictionary_encode(values)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        distinct = encoded.dictionary
        if cache.enabled:
            cache.rows += len(values) - values.null_count
        digests = (
            self._cached_digests(distinct, cache) if cache.enabled else self._digests(distinct)
        )
        return pc.take(_hex(b"".join(digests), len(distinct)), encoded.indices)
