"""A file store's history under attack: malformed lines, forged undo, oversized changes, and
a file that grows by appending. Every hostile line is built here."""

from __future__ import annotations

import json
import pathlib
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from geo.errors import DataError
from geo.store import open_store
from geo.store.edits import FileStore
from geo.tables import load_dataset
from tests.apptest import failures, start
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import copy_fixture

ALMATY = "2016-07-18-almaty-shooting"
OTHER = "2011-05-17-aktobe-knb-suicide-bombing"
NAME = "incidents.history.jsonl"


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    """A copy of the frozen seed table with one recorded change (change 1, to Almaty's target)."""
    store = open_store(copy_fixture(tmp_path))
    assert isinstance(store, FileStore)
    store.save({**store.open(ALMATY).values, "target": "edited once"}, version=1, who="a")
    return store


def _line(**fields: Any) -> str:
    change = {"change_id": 2, "at": "2026-01-01T00:00:00", "who": "x", "incident_id": ALMATY}
    change |= {"action": "update", "old": {"incident_id": ALMATY}, "new": {"incident_id": ALMATY}}
    return json.dumps({**change, **fields})


MALFORMED = {
    "merge conflict marker": "<<<<<<< HEAD",
    "not JSON": "this is not json {",
    "at as a number": _line(at=20260101),
    "duplicate change_id": _line(change_id=1),
    "old as a list": _line(old=["incident_id", ALMATY]),
    "claims as numbers": _line(old={"incident_id": ALMATY, "claims": [1, 2]}),
    "change_id as text": _line(change_id="2"),
    "change_id too large": _line(change_id=2**63),
    "a field too many": _line(extra=1),
    "JSON nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "an object nested 100,000 deep": '{"a":' * 100_000 + "1" + "}" * 100_000,
}
GIVES_NUMBER_2 = {"at as a number", "old as a list", "claims as numbers", "a field too many"}
"""Skipped lines that still give change number 2: the next change is 3, so a line mended later
never shares its number."""


def _append(store: FileStore, text: str | bytes) -> None:
    with store.history_path.open("ab") as fh:
        fh.write(text if isinstance(text, bytes) else text.encode())


@pytest.mark.parametrize("form", MALFORMED)
def test_a_malformed_history_line_is_skipped_and_named_by_its_line(
    store: FileStore, form: str
) -> None:
    _append(store, MALFORMED[form] + "\n")
    assert store.source_ids()  # no read stops at the line
    assert [c.change_id for c in store.history()] == [1]
    problems = [str(p) for p in store.history_problems()]
    assert len(problems) == 1 and problems[0].startswith(f"{NAME}, row 2: ")
    assert str(store.history_path.parent) not in problems[0]  # the name, never the folder
    # Editing goes on: the next change is numbered after the highest kept, and is read back.
    record = store.open(ALMATY)
    assert record.version == 2
    change = store.save({**record.values, "target": "edited twice"}, version=2, who="b")
    assert change.change_id == (3 if form in GIVES_NUMBER_2 else 2)
    assert [c.change_id for c in store.history(ALMATY)] == [1, change.change_id]
    assert store.open(ALMATY).version == 3


def test_a_50_mb_line_is_skipped_without_being_held(store: FileStore) -> None:
    _append(store, b'{"change_id": 2, "who": "' + b"a" * 50_000_000 + b'"}\n')
    _append(store, _line(change_id=3, action="note") + "\n")
    tracemalloc.start()
    try:
        changes = store.history()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [c.change_id for c in changes] == [1, 3]  # the line after it is read
    assert [p.row for p in store.history_problems()] == [2]
    assert peak < 10_000_000  # never the 50 MB line whole


def test_a_line_cut_short_at_the_end_is_skipped_and_the_next_change_starts_its_own_line(
    store: FileStore,
) -> None:
    _append(store, _line()[:40])  # a write that stopped mid-line
    record = store.open(ALMATY)
    change = store.save({**record.values, "target": "after the cut"}, version=2, who="b")
    assert [c.change_id for c in store.history()] == [1, change.change_id]
    assert [p.row for p in store.history_problems()] == [2]


def _forged(store: FileStore, old: dict[str, Any]) -> str:
    """Change 4, to Almaty (at version 3 with it), claiming to have replaced ``old``."""
    mine = store.open(ALMATY)
    new = {**mine.values, "claims": mine.claims}
    return _line(change_id=4, old={**old, "claims": []}, new=new)


def test_undo_of_a_change_whose_record_names_another_incident_is_refused(
    store: FileStore,
) -> None:
    other = store.open(OTHER)
    store.save({**other.values, "target": "first"}, version=1, who="a")
    store.save({**other.values, "target": "kept"}, version=2, who="a")  # changes 2 and 3
    before = {p.name: p.read_bytes() for p in store.path.parent.glob("*.csv")}
    forged = {**store.open(OTHER).values, "summary": "Forged.", "target": "forged"}
    forged |= {"killed_low": 40, "killed_best": 40, "killed_high": 40}
    _append(store, _forged(store, forged) + "\n")
    with pytest.raises(
        DataError, match=rf"change 4 cannot be undone: .*values name incident '{OTHER}'"
    ):
        store.undo(4, who="mallory")
    assert {p.name: p.read_bytes() for p in store.path.parent.glob("*.csv")} == before
    assert load_dataset(store.path).incidents.set_index("incident_id").loc[OTHER, "target"] == (
        "kept"
    )


def test_undo_of_a_change_holding_fields_an_incident_lacks_is_refused(store: FileStore) -> None:
    mine = store.open(ALMATY)
    forged = {**mine.values, "target": "forged", "geometry": "POINT (0 0)"}
    new = {**mine.values, "claims": mine.claims}
    _append(store, _line(change_id=2, old={**forged, "claims": mine.claims}, new=new) + "\n")
    before = store.path.read_bytes()
    with pytest.raises(DataError, match="fields an incident does not have .'geometry'."):
        store.undo(2, who="mallory")
    assert store.path.read_bytes() == before


def test_a_change_over_1_mb_is_refused_before_anything_is_written(store: FileStore) -> None:
    record = store.open(ALMATY)
    claim = record.claims[0]
    claims = [{**claim, "note": "n" * 32_000, "paragraph": str(i + 1)} for i in range(40)]
    files = [store.path, store.claims_path, store.history_path]
    before = [p.read_bytes() for p in files]
    with pytest.raises(DataError, match=r"over the 1,000,000 one change may take"):
        store.save(record.values, version=2, who="a", claims=claims)
    assert [p.read_bytes() for p in files] == before
    assert store.open(ALMATY).version == 2


def test_a_record_at_the_largest_cells_in_cyrillic_fits_the_bound(store: FileStore) -> None:
    record = store.open(ALMATY)
    long = "Ж" * 32_767  # two bytes each
    values = {**record.values, "summary": long, "perpetrator": long, "target": long}
    change = store.save(values, version=2, who="a")
    grown = {**store.open(ALMATY).values, "place": long, "source_event_type": long}
    store.save({**grown, "source_sub_event_type": long}, version=3, who="a")
    assert [c.change_id for c in store.history(ALMATY)] == [1, change.change_id, 3]
    assert store.history_path.stat().st_size < 3_000_000


def test_a_save_appends_to_the_history_and_leaves_what_it_held(store: FileStore) -> None:
    first = store.history_path.read_bytes()
    inode = store.history_path.stat().st_ino
    store.save({**store.open(ALMATY).values, "target": "edited twice"}, version=2, who="b")
    assert store.history_path.stat().st_ino == inode  # the same file, not a replacement
    now = store.history_path.read_bytes()
    assert now.startswith(first) and now.count(b"\n") == 2


def _history_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The history file's openings for reading, recorded as they happen."""
    seen: list[str] = []
    opened = pathlib.Path.open

    def counting(self: pathlib.Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self.name == NAME and "r" in mode and "+" not in mode:
            seen.append(mode)
        return opened(self, mode, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", counting)
    return seen


def test_the_edit_page_reads_the_history_at_most_once_a_run(
    monkeypatch: pytest.MonkeyPatch, store: FileStore
) -> None:
    at = start(monkeypatch, data=store.path)
    at.switch_page("pages/edit.py").run()
    reads = _history_reads(monkeypatch)
    at.selectbox(key="edit_choice").set_value(ALMATY).run()
    assert not failures(at), failures(at)
    assert any(e.label.startswith("\\#1 ") for e in at.expander)
    assert len(reads) <= 1, reads
    reads.clear()
    at.run()  # the file unchanged: not read again
    assert reads == []


def test_the_edit_page_works_and_warns_on_a_malformed_history(
    monkeypatch: pytest.MonkeyPatch, store: FileStore
) -> None:
    for line in MALFORMED.values():
        _append(store, line + "\n")
    at = start(monkeypatch, data=store.path)
    at.switch_page("pages/edit.py").run()  # the default view: a new incident, recent changes
    assert not failures(at), failures(at)
    assert any("line(s) of the history are not changes" in w.value for w in at.warning)
    said = "\n".join(c.value for c in at.code)
    assert all(f"{NAME}, row {n}: " in said for n in range(2, 2 + len(MALFORMED)))
    assert str(store.path.parent) not in said
    assert [e.label.split(" ")[0] for e in at.expander if e.label.startswith("\\#")] == ["\\#1"]
    at.selectbox(key="edit_choice").set_value(ALMATY).run()
    assert not failures(at), failures(at)
    assert any(e.label.startswith("\\#1 ") for e in at.expander)


def test_undo_in_the_team_store_refuses_a_change_naming_another_incident(
    pg_url: str,  # noqa: F811 - the fixture
) -> None:
    from psycopg.types.json import Jsonb

    from geo.store import postgis
    from tests.tables import FROZEN_CSV

    postgis.init_schema(pg_url)
    postgis.import_dataset(pg_url, load_dataset(FROZEN_CSV))
    store = open_store(pg_url)
    for incident_id in (ALMATY, OTHER):  # both at version 2
        record = store.open(incident_id)
        store.save({**record.values, "target": "kept"}, version=1, who="a")
    forged = {**store.open(OTHER).values, "summary": "Forged.", "target": "forged"}
    mine = store.open(ALMATY)
    with postgis.connect(pg_url) as conn:
        (change_id,) = conn.execute(
            "INSERT INTO history (who, incident_id, action, old, new) VALUES "
            "('mallory', %s, 'update', %s, %s) RETURNING change_id",
            (
                ALMATY,
                Jsonb({**forged, "claims": []}),
                Jsonb({**mine.values, "claims": mine.claims}),
            ),
        ).fetchone()
    with pytest.raises(DataError, match=f"values name incident '{OTHER}'"):
        store.undo(change_id, who="mallory")
    assert store.open(OTHER).values["summary"] != "Forged."
    assert store.open(OTHER).version == 2
