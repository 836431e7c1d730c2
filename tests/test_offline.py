"""Offline by proof: the command line and every page run with outbound connections blocked.

A later change that quietly adds a web call (a CDN, a geocoding service, a tile server) makes
these tests fail instead of making the product fail for a user without internet.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.cli import main
from tests.apptest import failures

ROOT = Path(__file__).resolve().parent.parent
LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", ""}  # noqa: S104


class NetworkAttempt(AssertionError):
    pass


def _host(address: object) -> str:
    if isinstance(address, tuple) and address:
        return str(address[0])
    return str(address) if isinstance(address, str) else ""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail on any connection or name lookup that leaves this machine."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def guard(host: str) -> None:
        if host not in LOCAL and not host.startswith("/"):
            attempts.append(host)
            raise NetworkAttempt(f"network access attempted: {host}")

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(_host(address))
        return real_connect(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        guard(str(host) if host is not None else "")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.chdir(ROOT)  # INCIDENT_ATLAS_DATA: the run's copy of tests/fixtures (conftest)
    yield attempts
    assert attempts == []


def test_the_guard_catches_a_web_call(no_network: list[str]) -> None:
    with pytest.raises(NetworkAttempt):
        socket.create_connection(("example.org", 443), timeout=1)
    no_network.clear()


def test_cli_commands_work_offline(no_network: list[str], tmp_path: Path) -> None:
    assert main(["validate"]) == 0
    assert main(["geocode", "Alma-Ata", "Aktyubinsk", "Semipalatinsk", "Bishkek"]) == 0
    assert main(["locate", "--check"]) == 0
    assert (
        main(["snapshot", "--year", "2011", "--dpi", "50", "--out", str(tmp_path / "s.png")]) == 0
    )
    assert main(["export", "--out", str(tmp_path / "m.html")]) == 0
    assert main(["export", "--out", str(tmp_path / "m.geojson")]) == 0
    assert main(["timelapse", "--out", str(tmp_path / "t.gif")]) == 0


@pytest.mark.parametrize(
    "page", ["pages/map.py", "pages/timeline.py", "pages/incidents.py", "pages/about.py"]
)
def test_every_page_runs_offline(no_network: list[str], page: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not failures(at), failures(at)
