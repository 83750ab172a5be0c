"""Every feed's sample is byte-identical for the same arguments, so a second `make demo`
loads nothing again (files are recognised by their SHA-256)."""

from __future__ import annotations

import hashlib
from datetime import date

from chiso.samples import generate_all


def _digests(root):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_generate_all_is_reproducible_for_every_feed(tmp_path):
    for name in ("a", "b"):
        generate_all(
            tmp_path / name,
            date(2026, 11, 1),
            7,
            seed=1,
            dossiers_per_day=20,
            formats=("csv", "jsonl", "xlsx"),
        )
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first == second
    assert {path.split("/")[0] for path in first} >= {"onestop", "index_results"}
    assert any(p.endswith(".xlsx") for p in first)
