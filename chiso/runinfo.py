"""Run identity: ids, run dates and the code version recorded with every audit row."""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from chiso import __version__
from chiso.config import LOCAL_TZ, REPO_ROOT

LOCAL = ZoneInfo(LOCAL_TZ)


@cache
def code_version() -> str:
    """The git commit that runs (``-dirty`` when the tree has changes), else the package version."""
    if os.environ.get("CHISO_CODE_VERSION"):
        return os.environ["CHISO_CODE_VERSION"]
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return f"v{__version__}"


def cli_run_id(run_date: date) -> str:
    stamp = datetime.now(LOCAL).strftime("%Y%m%dT%H%M%S")
    return f"cli__{run_date.isoformat()}__{stamp}"


def as_of(run_date: date) -> datetime:
    """The cut-off of the nightly run for ``run_date``: local midnight starting that day.

    The run of D (at 01:00 on D) reports on everything up to the end of D-1; dossiers still
    open are judged at this instant.
    """
    return datetime.combine(run_date, time(0, 0), tzinfo=LOCAL)
