"""Pseudonymisation of personal data with a keyed hash (BLAKE2b in keyed mode, a MAC).

The same person gets the same token in every file, so dossiers link across exports, but without
the key nobody can test a guessed name or ID number against the token. Values are normalised
first (Unicode NFC, case, spacing) so 'NGUYỄN  Văn An' and 'Nguyễn Văn An' are one person.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

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


CACHE_SIZE = 1 << 16  # distinct values remembered across blocks and files (~10 MB at most)


class Hasher:
    """Keyed hashing of distinct values; tokens are remembered across blocks and files, since the
    same people come back (a dossier's applicant in every export that lists the dossier)."""

    def __init__(self, key: bytes):
        self._key = key
        self._cache: dict[str, str] = {}

    def hash_one(self, value: str) -> str:
        data = normalise(value).encode()
        return hashlib.blake2b(data, key=self._key, digest_size=16).hexdigest()

    def _tokens(self, distinct: list[str]) -> list[str]:
        cache, key, blake2b = self._cache, self._key, hashlib.blake2b
        nfc = unicodedata.normalize
        if len(cache) + len(distinct) > CACHE_SIZE:
            cache.clear()
        out = []
        for v in distinct:
            token = cache.get(v)
            if token is None:  # hash_one, inlined: this loop is the ingest's hottest Python
                data = " ".join(nfc("NFC", v).casefold().split()).encode()
                token = cache[v] = blake2b(data, key=key, digest_size=16).hexdigest()
            out.append(token)
        return out

    def hash_array(self, values: pa.Array) -> pa.Array:
        """Hash each distinct value once, then spread the tokens back over the rows."""
        if values.null_count == len(values):
            return pa.nulls(len(values), pa.string())
        encoded = pc.dictionary_encode(values)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        tokens = pa.array(self._tokens(encoded.dictionary.to_pylist()), pa.string())
        return pc.take(tokens, encoded.indices)
