"""Every page on both back ends: the frozen seed table from its files (DuckDB) and from the team
store (the real PostgreSQL server the tests start), with the same filters giving the same
figures on each page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.paths import DATA_ENV
from geo.store import postgis
from geo.tables import load_dataset
from tests.apptest import ROOT, failures
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import FROZEN_CSV

PAGES = ["map", "timeline", "incidents", "edit", "review", "about"]
# Counted in tests/fixtures/incidents.csv: 16 incidents touch 2012; of them, 7 are armed attacks.
YEAR_2012 = 16
ARMED_2012 = 7


def _metric(at: AppTest, label: str) -> str:
    return str(next(m.value for m in at.metric if m.label == label))


def _every_page(monkeypatch: pytest.MonkeyPatch, data: str) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv(DATA_ENV, data)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["year"] = "2012"
    at.run()
    assert not failures(at), failures(at)
    assert _metric(at, "Incidents") == str(YEAR_2012)
    at.multiselect(key="f_types").set_value(["armed_attack"]).run()
    assert _metric(at, "Incidents") == str(ARMED_2012)
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not failures(at), (page, failures(at))
        assert at.multiselect(key="f_types").value == ["armed_attack"], page
        if page in ("timeline", "incidents", "map"):
            assert _metric(at, "Incidents") == str(ARMED_2012), page
        if page == "incidents":
            caption = " ".join(c.value for c in at.caption)
            assert f"of the {ARMED_2012} incidents the filters keep" in caption
            assert len(at.dataframe[0].value) == ARMED_2012


def test_every_page_from_the_files(monkeypatch: pytest.MonkeyPatch, frozen_data: Path) -> None:
    _every_page(monkeypatch, str(frozen_data))


def test_every_page_from_the_team_store(
    monkeypatch: pytest.MonkeyPatch,
    pg_url: str,  # noqa: F811
) -> None:
    postgis.init_schema(pg_url)
    postgis.import_dataset(pg_url, load_dataset(FROZEN_CSV))
    _every_page(monkeypatch, pg_url)
