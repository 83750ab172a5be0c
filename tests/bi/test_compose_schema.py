"""docker-compose.yml against the Compose Specification's JSON schema (issue 19, item 6).

The schema is the compose-spec project's ``schema/compose-spec.json`` (Apache-2.0) as Docker
Compose 1.29.2 ships it on PyPI (``compose/config/compose_spec.json``, May 2021): taken from the
registry with pip, checked against its SHA-256, and cached in ``.chiso/cache/`` — not committed.
A key the specification does not know (a typo such as ``helthcheck``) fails the test.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from chiso import config

WHEEL = "docker-compose==1.29.2"
MEMBER = "compose/config/compose_spec.json"
SHA256 = "0dc04bd346dcfee1b1419628fff79937bbf076925f298f272a2b490e2b112bac"
CACHE = config.REPO_ROOT / ".chiso" / "cache" / "compose-spec-docker-compose-1.29.2.json"


def _download() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        done = subprocess.run(
            [*command, "--only-binary=:all:", "--dest", tmp, WHEEL],
            capture_output=True,
            text=True,
            timeout=300,
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            message = f"pip download {WHEEL} failed: {done.stderr.strip()[-300:]}"
            if os.environ.get("CHISO_CI") or os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        with zipfile.ZipFile(wheels[0]) as wheel:
            return wheel.read(MEMBER)


@pytest.fixture(scope="session")
def schema() -> dict:
    data = CACHE.read_bytes() if CACHE.exists() else _download()
    assert hashlib.sha256(data).hexdigest() == SHA256, f"unexpected schema content ({WHEEL})"
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(data)
    return json.loads(data)


def _errors(schema: dict, document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_docker_compose_yml_follows_the_compose_specification(schema):
    compose = yaml.safe_load((config.REPO_ROOT / "docker-compose.yml").read_text())
    assert _errors(schema, compose) == []


def test_the_schema_rejects_what_compose_would(schema):
    compose = yaml.safe_load((config.REPO_ROOT / "docker-compose.yml").read_text())
    broken = copy.deepcopy(compose)
    broken["services"]["metabase"]["helthcheck"] = broken["services"]["metabase"].pop("healthcheck")
    broken["services"]["metabase-db"]["depends_on"] = {"warehouse": {"condition": "sometimes"}}
    errors = _errors(schema, broken)
    assert any("helthcheck" in e for e in errors)
    assert any("sometimes" in e for e in errors)
