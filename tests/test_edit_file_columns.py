"""An edit keeps the incident file's own columns (``geo.store.edits.FileStore``)."""

from __future__ import annotations

import csv
from pathlib import Path

from geo.store import open_store
from tests.tables import HEADER


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_one_edit_changes_one_line_and_adds_no_empty_columns(good_table: Path) -> None:
    before = _lines(good_table)
    store = open_store(good_table)
    record = store.open("a-almaty")
    record.values["summary"] = "Changed by hand."
    store.save(record.values, version=record.version, who="Aigerim")
    assert _header(good_table) == HEADER  # the optional dataset columns stay out
    after = _lines(good_table)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and "Changed by hand." in after[changed[0]]


def test_a_column_the_file_lacks_is_added_once_an_incident_has_a_value(good_table: Path) -> None:
    store = open_store(good_table)
    record = store.open("a-almaty")
    record.values["actor1"] = "A group named by hand"
    store.save(record.values, version=record.version, who="Aigerim")
    assert _header(good_table) == [*HEADER, "actor1"]
    assert store.open("a-almaty").values["actor1"] == "A group named by hand"
