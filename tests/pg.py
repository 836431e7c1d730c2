"""A real PostgreSQL server with PostGIS for the tests: started in a temporary folder on a free
loopback port for the session, stopped afterwards.

It needs Debian's ``postgresql-15-postgis-3`` (``.ci/run`` installs it, as it installs Chromium).
Where the server cannot be found, the tests that need it are skipped with the reason; with
``INCIDENT_ATLAS_REQUIRE_PG=1`` (set by ``.ci/run``) they fail instead, so CI never skips them.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_counter = itertools.count(1)


def _binaries() -> Path | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        version = Path(folder).parent.name
        control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if (Path(folder) / "initdb").exists() and control.exists():
            return Path(folder)
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("INCIDENT_ATLAS_REQUIRE_PG"):
        pytest.fail(f"PostgreSQL with PostGIS is required here: {reason}")
    pytest.skip(f"PostgreSQL with PostGIS not available: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A PostgreSQL server with PostGIS in a temporary folder on a free loopback port."""

    def __init__(self, binaries: Path) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root: run it as postgres
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = _free_port()
        data = self.folder / "data"
        self.ctl = [*self.as_user, str(binaries / "pg_ctl"), "-D", str(data)]
        subprocess.run(
            [
                *self.as_user,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "atlas",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*self.ctl, "-o", options, "-l", str(self.folder / "log"), "-w", "start"],
            check=True,
            capture_output=True,
        )
        self.url = f"postgresql://atlas@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run([*self.ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> Server:
    """Start a server (``Server.stop`` ends it); ``RuntimeError`` where none can be started."""
    binaries = _binaries()
    if binaries is None:
        raise RuntimeError("no initdb with a postgis extension under /usr/lib/postgresql")
    try:
        return Server(binaries)
    except KeyError:
        raise RuntimeError("running as root and there is no postgres user") from None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The server's URL (its ``postgres`` database), for the whole session."""
    try:
        server = start_server()
    except RuntimeError as exc:
        _unavailable(str(exc))
        raise
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A new, empty database on the session's server."""
    import psycopg
    from psycopg import sql

    name = f"atlas_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return pg_server.rsplit("/", 1)[0] + f"/{name}"
