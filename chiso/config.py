"""Settings, read from the environment once per process.

Every path defaults to somewhere under ``CHISO_HOME`` (``<repo>/.chiso``), so a clone is
self-contained and ``rm -rf .chiso`` is a full reset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_TZ = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    warehouse_url: str | None  # None: use the embedded PostgreSQL under home/pg
    candidate_schema: str
    keep_versions: int
    docs_dir: Path
    reports_dir: Path
    dbt_project_dir: Path
    dags_dir: Path
    home_province: str = "45"  # dbt var home_province_code: the province the report follows

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.home / "dbt" / "logs"


def load() -> Settings:
    env = os.environ
    home = Path(env.get("CHISO_HOME", REPO_ROOT / ".chiso")).resolve()
    return Settings(
        home=home,
        landing_dir=Path(env.get("CHISO_LANDING_DIR", home / "landing")).resolve(),
        warehouse_url=env.get("CHISO_WAREHOUSE_URL") or None,
        candidate_schema=env.get("CHISO_CANDIDATE_SCHEMA", "candidate"),
        keep_versions=int(env.get("CHISO_KEEP_VERSIONS", "3")),
        docs_dir=Path(env.get("CHISO_DOCS_DIR", home / "docs")).resolve(),
        reports_dir=Path(env.get("CHISO_REPORTS_DIR", home / "reports")).resolve(),
        dbt_project_dir=REPO_ROOT / "dbt_project",
        dags_dir=REPO_ROOT / "dags",
        home_province=env.get("CHISO_HOME_PROVINCE", "45"),
    )
