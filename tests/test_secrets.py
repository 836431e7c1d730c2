"""A team store's password never reaches a visitor, a command's output or an error's text, in
any of the forms a connection string can carry it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.cli import main
from geo.store.conninfo import driver_message, has_password, redacted
from tests.apptest import ROOT

PASSWORD = "Kq7Zm%zzWv3Xp"
"""A password with an invalid percent escape: the driver's message used to quote it."""
PIECES = ("Kq7Z", "Wv3X", "Kq7Zm", "zzWv")

FORMS = [
    "postgresql://atlas:Kq7ZmWv3Xp@127.0.0.1:1/atlas",
    f"postgresql://atlas:{PASSWORD}@127.0.0.1:1/atlas",
    f"postgresql://atlas@127.0.0.1:1/atlas?password={PASSWORD}",
    "postgresql://atlas@127.0.0.1:1/atlas?password=Kq7ZmWv3Xp",
    "postgresql://atlas@127.0.0.1:1/atlas?passw%6Frd=Kq7ZmWv3Xp",  # the key percent-encoded
    "postgresql://atlas@127.0.0.1:1/atlas?password=Kq7Zm%57v3Xp",  # the value encoded
    "postgresql://atlas:Kq7Zm%57v3Xp@127.0.0.1:1/atlas",
    "postgresql://atlas:Kq7Zm@Wv3Xp@127.0.0.1:1/atlas",  # an unescaped @: the host holds a piece
    "postgresql://atlas@127.0.0.1:1/atlas?sslmode=bogus&password=Kq7ZmWv3Xp",
    "postgresql://atlas@127.0.0.1:1/atlas?password=Kq7ZmWv3Xp&sslmode=bogus",
    "host=127.0.0.1 port=1 dbname=atlas password=Kq7ZmWv3Xp",
    "host=127.0.0.1 port=1 dbname=atlas password='Kq7Zm Wv3Xp' sslmode=bogus",
]


def _clean(text: str) -> bool:
    return not any(piece in text for piece in PIECES)


@pytest.mark.parametrize("url", FORMS)
def test_no_command_prints_a_password(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "init", "--db", url]) == 1
    assert main(["export", "--data", url, "--out", str(tmp_path / "out.csv")]) == 1
    out = capsys.readouterr()
    assert "error:" in out.err  # the command did say why it failed
    assert _clean(out.out + out.err), out.err


@pytest.mark.parametrize("url", FORMS)
def test_a_url_with_a_password_is_named_without_it(url: str) -> None:
    assert has_password(url)
    assert redacted(url) == "the database"
    quoting = ValueError(f'invalid connection option in "{url}"')  # a driver quoting the URL
    assert _clean(driver_message(quoting, url))


def test_a_url_without_a_password_keeps_the_drivers_reason_but_not_its_values() -> None:
    url = "postgresql://atlas@127.0.0.1:1/atlas?sslmode=bogus&application_name=Kq7ZmWv3Xp"
    assert not has_password(url)
    assert redacted(url) == "atlas on 127.0.0.1:1"
    message = driver_message(ValueError('invalid sslmode value: "bogus"\nDETAIL'), url)
    assert message == 'invalid sslmode value: "***"'
    assert _clean(driver_message(ValueError("application_name Kq7ZmWv3Xp"), url))


def test_a_service_files_password_is_never_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    services = tmp_path / "pg_service.conf"
    services.write_text(
        "[atlas]\nhost=127.0.0.1\nport=1\ndbname=atlas\npassword=Kq7ZmWv3Xp\nsslmode=bogus\n"
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    for url in ("postgresql:///?service=atlas", "service=atlas"):
        assert main(["db", "init", "--db", url]) == 1
        out = capsys.readouterr()
        assert "error:" in out.err and _clean(out.out + out.err), out.err


@pytest.mark.parametrize("url", [FORMS[2], FORMS[7], FORMS[11]])
def test_no_page_shows_a_password(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("INCIDENT_ATLAS_DATA", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    shown = [
        str(getattr(element, "value", "")) + str(getattr(element, "body", ""))
        for kind in ("error", "code", "markdown", "info", "caption", "warning", "text", "exception")
        for element in getattr(at, kind)
    ]
    assert any("team store" in text for text in shown)  # the sidebar did say what failed
    assert all(_clean(text) for text in shown), [t for t in shown if not _clean(t)]
