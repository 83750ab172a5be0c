"""Fixtures of the BI tests: one warehouse with six weeks of sample data published, built once
per session and only read; copies of it (``CREATE DATABASE … TEMPLATE``) for tests that change
what is published."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

SAMPLE_START = date(2026, 9, 17)  # six weeks: two months for the trends, small enough to build
SAMPLE_DAYS = 45
RUN_DATE = date(2026, 11, 1)
_copies = itertools.count(1)


def with_db(url: str, dbname: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{dbname}"))


@pytest.fixture(scope="session")
def bi_sample(server_url: str, tmp_path_factory) -> str:
    """URL of a warehouse database with the sample published (do not change it: copy it)."""
    from chiso import config, pipeline, warehouse
    from chiso.samples import generate_all

    name = f"chiso_bi_sample_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}"')
        conn.execute(f'create database "{name}"')
    url = with_db(server_url, name)
    landing = tmp_path_factory.mktemp("bi-landing")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHISO_WAREHOUSE_URL", url)
        mp.setenv("CHISO_LANDING_DIR", str(landing))
        with warehouse.connect(url) as conn:
            warehouse.bootstrap(conn, config.load())
            conn.commit()
        generate_all(landing, SAMPLE_START, SAMPLE_DAYS, seed=2, dossiers_per_day=40)
        pipeline.run_all(pipeline.Run("bi-sample", RUN_DATE, quiet=True))
    return url


@pytest.fixture
def bi_copy(bi_sample: str, server_url: str, monkeypatch) -> Iterator[str]:
    """A private copy of the published sample; chiso's settings point at it."""
    url = copy_database(server_url, bi_sample, f"chiso_bi_copy_{os.getpid()}_{next(_copies)}")
    monkeypatch.setenv("CHISO_WAREHOUSE_URL", url)
    yield url
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{urlsplit(url).path[1:]}" with (force)')


def copy_database(server_url: str, template_url: str, name: str) -> str:
    """``CREATE DATABASE name TEMPLATE …``: a copy in a second or two. The pipeline's pooled
    connections to the template (GX keeps an engine) are ended first: a template must be idle."""
    template = urlsplit(template_url).path[1:]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = %s and pid <> pg_backend_pid()",
            (template,),
        )
        conn.execute(f'drop database if exists "{name}"')
        conn.execute(f'create database "{name}" template "{template}"')
    return with_db(server_url, name)


def login(url: str, role: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port}"))


def password_of(path: Path) -> str:
    return path.read_text().strip()
