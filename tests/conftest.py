"""Shared fixtures."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.paths import DATA_DIR, DATA_ENV
from tests.tables import FROZEN_DIR, FROZEN_FILES, GOOD_ROWS, HEADER, copy_fixture, write_csv


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too), by its path there, with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What differs between two :func:`folder_state` answers, one line per file."""
    said = [f"added {name}" for name in sorted(after.keys() - before.keys())]
    said += [f"removed {name}" for name in sorted(before.keys() - after.keys())]
    said += [f"changed {n}" for n in sorted(before.keys() & after.keys()) if before[n] != after[n]]
    return said


@pytest.fixture(scope="session", autouse=True)
def _no_writes_to_data() -> Iterator[None]:
    """Fail the run if any test changed, added or removed a file under ``data/`` (the product's
    shipped data) or ``tests/fixtures/`` (the frozen copy the tests' figures were counted in).
    Defined first, so that it is set up before, and checked after, every other fixture."""
    watched = {DATA_DIR: folder_state(DATA_DIR), FROZEN_DIR: folder_state(FROZEN_DIR)}
    yield
    found = [
        f"{folder.name}/: {line}"
        for folder, before in watched.items()
        for line in changes(before, folder_state(folder))
    ]
    if found:
        pytest.fail("the test run wrote to data/ or tests/fixtures/:\n" + "\n".join(found))


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


@pytest.fixture(scope="session", autouse=True)
def frozen_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The run's copy of the frozen data set (``tests/fixtures/``), named in
    ``INCIDENT_ATLAS_DATA`` for the whole run: every dashboard, AppTest, command and child
    process that is not given a table reads this copy (and the Edit page writes to it), never
    ``data/``. It yields the copy's table, for a test that names it.

    Tests that change a table work on their own copy (``copy_fixture``); the run fails if this
    one was changed, since later tests count on its figures."""
    table = copy_fixture(tmp_path_factory.mktemp("frozen-data"))
    before = os.environ.get(DATA_ENV)
    os.environ[DATA_ENV] = str(table)
    yield table
    if before is None:
        os.environ.pop(DATA_ENV, None)
    else:
        os.environ[DATA_ENV] = before
    frozen = {n: h for n, h in folder_state(FROZEN_DIR).items() if n in FROZEN_FILES}
    found = changes(frozen, folder_state(table.parent))
    if found:
        pytest.fail(
            f"a test wrote to the run's copy of tests/fixtures ({table.parent}), which later "
            "tests read (a test that edits makes its own copy):\n" + "\n".join(found)
        )
