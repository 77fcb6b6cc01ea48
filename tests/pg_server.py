"""A real PostgreSQL server for the tests and benchmarks, on a temporary folder and a free port.

Debian's `postgresql` package (make apt-deps installs it) puts initdb and pg_ctl under
/usr/lib/postgresql/<version>/bin, off the PATH. initdb refuses to run as root, so as
root the server runs as the `postgres` user, in a folder that user owns. The settings
trade durability for speed (fsync off): the cluster is thrown away at the end.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psycopg


class ServerUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says why."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise ServerUnavailable(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run make apt-deps"
    )


def _version(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except (ValueError, IndexError):
        return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One throw-away cluster; `url(name)` names a database on it."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="qualkit-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as: list[str] = []
        self._names = itertools.count(1)
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailable("running as root and there is no postgres user") from None
            shutil.chown(self.root, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, args: Sequence[str]) -> None:
        done = subprocess.run(
            [*self._as, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise ServerUnavailable(f"{Path(args[0]).name} failed: {done.stderr.strip()[-400:]}")

    def start(self) -> PgServer:
        self._run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )
        self._options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                self._options,
                "-l",
                str(self.root / "server.log"),
                "-w",
                "start",
            ]
        )
        return self

    def stop(self) -> None:
        if self.data.is_dir():
            with contextlib.suppress(ServerUnavailable):
                self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)

    def restart(self) -> None:
        """Stop and start the server: clients' connections are cut."""
        self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                self._options,
                "-l",
                str(self.root / "server.log"),
                "-m",
                "fast",
                "-w",
                "restart",
            ]
        )

    def url(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(), autocommit=True)

    def new_database(self, template: str | None = None) -> str:
        """A fresh, empty database (or a copy of `template`); its URL."""
        name = f"study{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:
            clause = f" TEMPLATE {template}" if template else ""
            conn.execute(f"CREATE DATABASE {name}{clause}")  # type: ignore[arg-type]
        return self.url(name)
