"""Shared fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tables import GOOD_ROWS, HEADER, write_csv


@pytest.fixture
def good_table(tmp_path: Path) -> Path:
    """A valid three-row table with claims and sources beside it."""
    path = write_csv(tmp_path / "incidents.csv", HEADER, [list(r) for r in GOOD_ROWS])
    write_csv(
        tmp_path / "sources.csv",
        ["source_id", "title", "outlet", "published", "published_note", "kind"],
        [["src1", "One", "", "", "", "news"], ["src2", "Two", "", "", "", "opinion"]],
    )
    write_csv(
        tmp_path / "claims.csv",
        ["incident_id", "source", "paragraph", "killed", "wounded", "note"],
        [
            ["a-almaty", "src1", "3", "3", "11", "attacker killed"],
            ["a-almaty", "src2", "4", "5", "", "attacker arrested"],
            ["c-atyrau-region", "src1", "4", "5", "2", ""],
        ],
    )
    return path


@pytest.fixture(scope="session", autouse=True)
def _test_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The test run's cache folder (tables, uploads, the engine's spill files, the offline
    gazetteer's index), set in the environment for the whole run, before any fixture starts a
    dashboard or a child process: they inherit it, and nothing is written to the user's own
    cache folder."""
    before = os.environ.get("INCIDENT_ATLAS_CACHE")
    os.environ["INCIDENT_ATLAS_CACHE"] = str(tmp_path_factory.getbasetemp() / "cache")
    yield
    if before is None:
        os.environ.pop("INCIDENT_ATLAS_CACHE", None)
    else:
        os.environ["INCIDENT_ATLAS_CACHE"] = before
