"""Test fixtures: one embedded PostgreSQL per session, a fresh database per test that needs one.

Set ``CHISO_TEST_WAREHOUSE_URL`` to run the suite against another PostgreSQL server instead
(its user must be allowed to create databases and roles).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")

_db_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def session_home():
    """The session's chiso home (its embedded server's data: over a gigabyte by the end),
    removed afterwards unless ``CHISO_KEEP_TEST_HOME`` is set, to look into a failure."""
    # Not pytest's tmp_path: its folders are private (0700) and the embedded server runs as
    # 'nobody' when the suite runs as root.
    base = Path(tempfile.mkdtemp(prefix="chiso-test-"))
    base.chmod(0o755)
    os.environ["CHISO_HOME"] = str(base / "home")
    os.environ["CHISO_PII_KEY"] = "test-key-0123456789abcdef"
    yield base
    if os.environ.get("CHISO_KEEP_TEST_HOME"):
        print(f"\nchiso test home kept: {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def server_url(session_home: Path):
    """The server every test database lives on."""
    external = os.environ.get("CHISO_TEST_WAREHOUSE_URL")
    if external:
        yield external
        return
    from chiso.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(session_home / "home" / "pg")
    url = server.start()
    yield url
    server.stop()


def _with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


@pytest.fixture
def warehouse_url(server_url: str, monkeypatch, tmp_path: Path) -> str:
    """A new, empty warehouse database for this test; chiso's settings point at it."""
    name = f"chiso_t{os.getpid()}_{next(_db_numbers)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}"')
        conn.execute(f'create database "{name}"')
    url = _with_db(server_url, name)
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("CHISO_WAREHOUSE_URL", url)
    monkeypatch.setenv("CHISO_LANDING_DIR", str(landing))
    from chiso import config, warehouse

    with warehouse.connect(url) as conn:
        warehouse.bootstrap(conn, config.load())
    return url


@pytest.fixture
def landing(warehouse_url: str) -> Path:
    return Path(os.environ["CHISO_LANDING_DIR"])


@pytest.fixture
def conn(warehouse_url: str):
    from chiso import warehouse

    with warehouse.connect(warehouse_url, autocommit=True) as c:
        yield c
