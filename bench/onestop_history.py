"""Superseded by ``python -m bench --only build`` (bench/history.py); kept as a shortcut.

    python -m bench.onestop_history --days 240 --per-day 6000
"""

from __future__ import annotations

import sys

from bench.__main__ import main

if __name__ == "__main__":
    main(["--only", "build", *sys.argv[1:]])
