"""The embedded PostgreSQL: pgserver's bundled binaries, run as a normal server on loopback.

pgserver's own ``get_server()`` listens on a Unix socket only and stops the server when the
Python process exits; Airflow, dbt and GX all want a TCP URL that outlives one process, so we
drive ``initdb``/``pg_ctl`` ourselves. PostgreSQL refuses to run as root: when we are root the
server runs as ``nobody`` and owns only its own directory.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import secrets
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NOBODY = 65534
DB_NAME = "chiso"
SUPERUSER = "chiso"
SERVER_SETTINGS = {
    # Bulk loads: fewer checkpoints, and COPY into a table created in the same transaction
    # skips WAL with wal_level=minimal.
    "max_wal_size": "4GB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "512MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
    "max_connections": "60",
    "timezone": "'UTC'",
    "lock_timeout": "0",
}


class EmbeddedError(RuntimeError):
    pass


def _bin_dir() -> Path:
    # Found without importing pgserver: its import has side effects (runtime-dir warnings).
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedError(
            "the pgserver package is not installed: run `make install`, or "
            "set CHISO_WAREHOUSE_URL to use another PostgreSQL"
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def _as_server_user() -> None:
    if os.geteuid() == 0:
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class EmbeddedPostgres:
    """A PostgreSQL cluster under ``root`` (``$CHISO_HOME/pg``), started on first use and reused."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.sockets = root / "run"
        self.log = root / "postgres.log"

    # -- state kept on disk so every process (CLI, Airflow task, dbt, tests) finds the server
    @property
    def _port_file(self) -> Path:
        return self.root / "port"

    @property
    def _password_file(self) -> Path:
        return self.root / "superuser.password"

    def url(self) -> str:
        port = int(self._port_file.read_text())
        password = self._password_file.read_text().strip()
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/{DB_NAME}"

    def is_running(self) -> bool:
        if not (self.data / "postmaster.pid").exists():
            return False
        status = self._pg_ctl("status", check=False)
        return status.returncode == 0

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    def start(self) -> str:
        with self._lock():
            if not (self.data / "PG_VERSION").exists():
                self._initdb()
            if self.is_running():
                return self.url()
            port = int(self._port_file.read_text()) if self._port_file.exists() else 0
            if not port or _port_taken(port):
                port = _free_port()
                self._port_file.write_text(str(port))
            self.sockets.mkdir(exist_ok=True)
            self._own(self.sockets)
            opts = f"-h 127.0.0.1 -p {port} -k {self.sockets}"
            result = self._pg_ctl(
                "start", "-w", "-t", "60", "-l", str(self.log), "-o", opts, check=False
            )
            if result.returncode != 0:
                tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
                raise EmbeddedError(f"embedded PostgreSQL did not start: {result.stderr}{tail}")
            self._ensure_database(port)
            return self.url()

    def stop(self) -> None:
        with self._lock():
            if self.is_running():
                self._pg_ctl("stop", "-m", "fast", "-w")

    # -- internals
    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(_bin_dir() / "pg_ctl"), "-D", str(self.data), *args],
            preexec_fn=_as_server_user,
            capture_output=True,
            text=True,
            check=check,
        )

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            os.chown(path, NOBODY, NOBODY)

    def _initdb(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._own(self.root)
        # The server user must be able to reach its directory through every parent.
        for parent in self.root.parents:
            if os.geteuid() == 0 and not os.stat(parent).st_mode & 0o001:
                raise EmbeddedError(f"{parent} is not traversable by the server user 'nobody'")
        password = secrets.token_urlsafe(24)
        pwfile = self.root / ".initdb.pw"
        pwfile.write_text(password)
        self._own(pwfile)
        try:
            subprocess.run(
                [
                    str(_bin_dir() / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    SUPERUSER,
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    f"--pwfile={pwfile}",
                ],
                preexec_fn=_as_server_user,
                capture_output=True,
                text=True,
                check=True,
            )
        except subprocess.CalledProcessError as exc:
            raise EmbeddedError(f"initdb failed in {self.data}: {exc.stderr.strip()}") from exc
        finally:
            pwfile.unlink(missing_ok=True)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# chiso embedded warehouse\n")
            conf.writelines(f"{k} = {v}\n" for k, v in SERVER_SETTINGS.items())
        self._password_file.write_text(password)
        self._password_file.chmod(0o600)

    def _ensure_database(self, port: int) -> None:
        import psycopg

        admin = self.url().rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute(
                "select 1 from pg_database where datname = %s", (DB_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'create database "{DB_NAME}"')
