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
    """The test run's cache folder, for dashboards the tests start in processes of their own
    (``TEST_TABLE_CACHE``), set before any module's fixtures start one."""
    os.environ["TEST_TABLE_CACHE"] = str(tmp_path_factory.getbasetemp() / "cache")
    yield
    os.environ.pop("TEST_TABLE_CACHE", None)


@pytest.fixture(autouse=True)
def _table_cache_in_a_temporary_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables read during the tests are cached in a folder of the test run, not the user's
    (uploads and the engine's spill files too; a dashboard the tests start in a process of
    its own is given the folder in ``TEST_TABLE_CACHE``)."""
    folder = tmp_path_factory.getbasetemp() / "cache"
    monkeypatch.setattr("geo.table_cache.cache_dir", lambda: folder)
    monkeypatch.setattr("geo.query.tables.cache_dir", lambda: folder)
    monkeypatch.setattr("geo.query.duck.spill_dir", lambda: folder / "spill")
