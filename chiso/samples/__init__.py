"""Deterministic, realistic sample data for demos, tests and benchmarks.

Each feed's module has ``generate(out_dir, start, days, seed=..., **options) -> list[Path]``
writing into ``out_dir/<feed>/``; ``chiso sample`` runs every module listed in ``FEEDS``.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any

FEEDS = ("onestop", "tasks", "indices")


def generate_all(
    out_dir: Path, start: date, days: int, seed: int = 1, **options: Any
) -> dict[str, list[Path]]:
    """Every feed's sample; ``options`` go to the feeds whose ``generate`` accepts them."""
    import inspect

    written: dict[str, list[Path]] = {}
    for feed in FEEDS:
        gen = import_module(f"chiso.samples.{feed}").generate
        accepted = inspect.signature(gen).parameters
        kwargs = {k: v for k, v in options.items() if k in accepted}
        written[feed] = gen(out_dir, start, days, seed=seed, **kwargs)
    return written
