"""Running the dashboard under Streamlit's AppTest."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from geo.paths import DATA_ENV


def failures(at: AppTest) -> list[str]:
    """What went wrong in the last run: uncaught exceptions and errors the page caught and
    reported to the user as ``ui.UNEXPECTED`` (they are logged, not raised)."""
    found = [str(e.value) for e in at.exception]
    found += [str(e.value) for e in at.error if ui.UNEXPECTED in str(e.value)]
    return found


ROOT = Path(__file__).resolve().parent.parent


def start(
    monkeypatch: pytest.MonkeyPatch,
    *,
    data: Path | None = None,
    query: Mapping[str, object] | None = None,
    timeout: float = 60,
) -> AppTest:
    """The dashboard after its first run, on ``data`` (default: the run's copy of the frozen
    data set, which ``INCIDENT_ATLAS_DATA`` names for the whole run, see ``tests/conftest.py``),
    opened with the URL query ``query``."""
    monkeypatch.chdir(ROOT)
    if data is not None:
        monkeypatch.setenv(DATA_ENV, str(data))
    assert os.environ.get(DATA_ENV), "no table named: the dashboard would read data/"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value  # type: ignore[assignment]
    at.run()
    return at
