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


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The server's URL (its ``postgres`` database), for the whole session."""
    binaries = _binaries()
    if binaries is None:
        _unavailable("no initdb with a postgis extension under /usr/lib/postgresql")
    assert binaries is not None
    folder = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres user
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no postgres user")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"
    run = [*as_user, str(binaries / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*as_user, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "atlas"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*run, "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://atlas@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A new, empty database on the session's server."""
    import psycopg
    from psycopg import sql

    name = f"atlas_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return pg_server.rsplit("/", 1)[0] + f"/{name}"
