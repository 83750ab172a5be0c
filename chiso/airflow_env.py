"""Airflow's environment for chiso: home, SQLite metadata and logs under ``$CHISO_HOME``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from chiso import config


def environ(settings: config.Settings | None = None) -> dict[str, str]:
    settings = settings or config.load()
    home = settings.airflow_home
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_dir),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "GX_ANALYTICS_ENABLED": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "CHISO_HOME": str(settings.home),
            "NO_PROXY": "*",
        }
    )
    env.setdefault("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "http://127.0.0.1:8080/execution/")
    return env


def airflow_bin() -> str:
    local = Path(sys.executable).parent / "airflow"
    return str(local) if local.exists() else (shutil.which("airflow") or "airflow")


def ensure_db(settings: config.Settings | None = None) -> None:
    """Create Airflow's metadata database on first use (about 10 s, once)."""
    settings = settings or config.load()
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    if not (settings.airflow_home / "airflow.db").exists():
        subprocess.run(
            [airflow_bin(), "db", "migrate"],
            env=environ(settings),
            check=True,
            stdout=subprocess.DEVNULL,
        )


def run(args: list[str], settings: config.Settings | None = None) -> int:
    settings = settings or config.load()
    ensure_db(settings)
    return subprocess.call([airflow_bin(), *args], env=environ(settings))
