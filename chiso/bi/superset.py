"""Apache Superset for chiso: installed from PyPI in its own virtual environment (``.venv-bi``,
from ``bi/requirements-bi.lock``), metadata in SQLite under ``$CHISO_HOME/superset``, connected
to the warehouse as the read-only ``chiso_bi``, dashboards imported from ``bi/superset/`` with
Superset's own ``import-dashboards`` command, served by gunicorn on 127.0.0.1.

Everything runs Superset's own executables from that environment: chiso never imports
Superset, so the two dependency sets never meet.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

from chiso import config, warehouse
from chiso.bi import bundle

ADMIN = "admin"
STARTUP_TIMEOUT_S = 180.0


class SupersetError(RuntimeError):
    pass


@dataclass(frozen=True)
class Superset:
    venv: Path  # the BI virtual environment
    home: Path  # metadata, secret key, admin password, logs, pid file

    @property
    def config_file(self) -> Path:
        return config.REPO_ROOT / "bi" / "superset_config.py"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def installed(self) -> bool:
        return self.bin("superset").exists() and self.bin("gunicorn").exists()

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(self.config_file),
            "SUPERSET_HOME": str(self.home),
            "CHISO_SUPERSET_HOME": str(self.home),
            "FLASK_APP": "superset",
            "PYTHONUNBUFFERED": "1",
        }


def locate(settings: config.Settings | None = None) -> Superset:
    settings = settings or config.load()
    venv = Path(os.environ.get("CHISO_BI_VENV") or config.REPO_ROOT / ".venv-bi")
    return Superset(venv=venv, home=settings.home / "superset")


def admin_password(s: Superset) -> str:
    """``CHISO_SUPERSET_ADMIN_PASSWORD``, or one generated once beside the metadata."""
    if os.environ.get("CHISO_SUPERSET_ADMIN_PASSWORD"):
        return os.environ["CHISO_SUPERSET_ADMIN_PASSWORD"]
    return _secret_file(s.home / "admin.password", 12)


def _secret_file(path: Path, size: int) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(size))
        path.chmod(0o600)
    return path.read_text().strip()


def _require(s: Superset) -> None:
    if not s.installed():
        raise SupersetError(
            f"Superset is not installed in {s.venv}: run `make bi-install` (creates it from "
            "bi/requirements-bi.lock)"
        )


def run_cli(s: Superset, *args: str, timeout: float = 600) -> str:
    """One ``superset`` command in the BI environment; its output goes to the setup log."""
    _require(s)
    s.log_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(s.bin("superset")), *args],
        env=s.env(),
        cwd=s.home,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    with (s.log_dir / "setup.log").open("a") as log:
        log.write(f"$ superset {' '.join(args)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise SupersetError(
            f"superset {args[0]} failed (exit {done.returncode}; log {s.log_dir / 'setup.log'}): "
            + " | ".join(tail)
        )
    return done.stdout + done.stderr


def _version(s: Superset) -> str:
    done = subprocess.run(
        [
            str(s.bin("python")),
            "-c",
            "import importlib.metadata as m; print(m.version('apache-superset'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def setup(s: Superset, say: Callable[[str], None] = print) -> None:
    """Metadata schema, the admin account and Superset's roles; skipped when already done for
    this Superset version."""
    _require(s)
    s.home.mkdir(parents=True, exist_ok=True)
    _secret_file(s.home / "secret.key", 42)
    stamp = s.home / "setup.done"
    version = _version(s)
    if stamp.exists() and stamp.read_text().strip() == version:
        return
    for step in (
        ("db", "upgrade"),
        (
            "fab",
            "create-admin",
            "--username",
            ADMIN,
            "--firstname",
            "chiso",
            "--lastname",
            "admin",
            "--email",
            "admin@localhost",
            "--password",
            admin_password(s),
        ),
        ("init",),
    ):
        started = time.monotonic()
        run_cli(s, *step)
        say(f"superset {' '.join(step[:2])}: {time.monotonic() - started:.1f} s")
    stamp.write_text(version)


def sqlalchemy_uri(bi_url: str) -> str:
    p = warehouse.url_parts(bi_url)
    return (
        f"postgresql+psycopg2://{quote(p['user'], safe='')}:{quote(p['password'], safe='')}"
        f"@{p['host']}:{p['port']}/{quote(p['dbname'], safe='')}"
    )


def home_unit(bi_url: str, settings: config.Settings) -> str:
    """The post-2025 unit of the home province, whose index series the dashboards follow."""
    with psycopg.connect(bi_url, autocommit=True) as conn:
        try:
            row = conn.execute(
                "select current_province_code from marts.index_scores where province_code = %s"
                " limit 1",
                (settings.home_province,),
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            row = None
    return row[0] if row else settings.home_province


def import_dashboards(
    s: Superset,
    bi_url: str | None = None,
    settings: config.Settings | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Import the bundle with ``superset import-dashboards`` (overwrite by UUID: importing again
    updates the same objects, never duplicates them)."""
    settings = settings or config.load()
    bi_url = bi_url or warehouse.bi_url(warehouse.url(settings))
    values = {
        "CHISO_BI_SQLALCHEMY_URI": sqlalchemy_uri(bi_url),
        "CHISO_HOME_UNIT": home_unit(bi_url, settings),
    }
    data = bundle.build_zip(values)
    # The ZIP holds chiso_bi's password: private, and removed as soon as Superset has read it.
    path = s.home / "bundle-import.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    started = time.monotonic()
    try:
        output = run_cli(s, "import-dashboards", "--path", str(path), "--username", ADMIN)
    finally:
        path.unlink(missing_ok=True)
    if "There was an error when importing" in output:
        raise SupersetError(f"superset import-dashboards failed: see {s.log_dir / 'setup.log'}")
    say(
        f"superset import-dashboards: {len(bundle.dashboards())} dashboards, "
        f"{len(bundle.datasets())} datasets ({time.monotonic() - started:.1f} s)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_from_env() -> int:
    text = os.environ.get("CHISO_BI_PORT", "")
    if not text:
        return free_port()
    if not text.isdigit():
        raise SupersetError(f"CHISO_BI_PORT must be a port number, got '{text}'")
    return int(text)


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(s: Superset, port: int, workers: int = 2) -> Server:
    """gunicorn serving Superset on 127.0.0.1:port; returns once /health answers."""
    _require(s)
    s.log_dir.mkdir(parents=True, exist_ok=True)
    log = s.log_dir / "superset.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                str(s.bin("gunicorn")),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--timeout",
                "120",
                "--preload",  # import Superset once, then fork the workers
                "superset.app:create_app()",
            ],
            env=s.env(),
            cwd=s.home,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    (s.home / "superset.pid").write_text(str(process.pid))
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise SupersetError(
                f"Superset exited at start-up (exit {process.returncode}; log {log}): "
                + " | ".join(tail)
            )
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            pass
        time.sleep(0.5)
    server.stop()
    raise SupersetError(f"Superset did not answer on {server.url} within {STARTUP_TIMEOUT_S:g} s")
