"""The Edit page, driven as a user would through Streamlit's AppTest, on a copy of the data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.store import open_store
from geo.tables import load_dataset
from tests.apptest import failures, start
from tests.tables import copy_fixture

ALMATY = "2016-07-18-almaty-shooting"


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def _edit_page(monkeypatch: pytest.MonkeyPatch, table: Path):  # type: ignore[no-untyped-def]
    at = start(monkeypatch, data=table)
    at.switch_page("pages/edit.py").run()
    assert not failures(at), failures(at)
    return at


def test_an_edit_made_on_the_page_is_saved_with_its_history(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = _edit_page(monkeypatch, table)
    at.selectbox(key="edit_choice").set_value(ALMATY).run()
    summary = next(t for t in at.text_area if t.label.startswith("Summary"))
    summary.set_value("Changed on the Edit page <b>as text</b>.")
    at.button[0].click().run()  # Save, with no name set
    assert any("Set your name" in e.value for e in at.error)
    assert load_dataset(table).incidents.set_index("incident_id").loc[ALMATY, "summary"] != (
        "Changed on the Edit page <b>as text</b>."
    )
    at.text_input(key="editor_name").set_value("Aigerim").run()
    summary = next(t for t in at.text_area if t.label.startswith("Summary"))
    summary.set_value("Changed on the Edit page <b>as text</b>.")
    save = next(b for b in at.button if b.label == "Save")
    save.click().run()
    assert not failures(at), failures(at)
    assert any("Saved" in s.value for s in at.success)
    saved = load_dataset(table).incidents.set_index("incident_id").loc[ALMATY, "summary"]
    assert saved == "Changed on the Edit page <b>as text</b>."
    history = open_store(table).history(ALMATY)
    assert [(c.who, c.action) for c in history] == [("Aigerim", "update")]


def test_an_invalid_save_writes_nothing_and_keeps_what_was_typed(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    before = table.read_bytes()
    at = _edit_page(monkeypatch, table)
    at.text_input(key="editor_name").set_value("Aigerim").run()
    at.selectbox(key="edit_choice").set_value(ALMATY).run()
    killed = next(t for t in at.text_input if t.label == "killed best")
    killed.set_value("many")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("nothing was written" in e.value for e in at.error)
    assert "killed_best" in "\n".join(c.value for c in at.code)
    assert table.read_bytes() == before
    assert next(t for t in at.text_input if t.label == "killed best").value == "many"


def test_editing_is_off_when_the_server_says_so(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    monkeypatch.setenv("INCIDENT_ATLAS_READONLY", "1")
    at = _edit_page(monkeypatch, table)
    assert any("switched off" in i.value for i in at.info)
    assert not any(b.label == "Save" for b in at.button)


def test_a_new_incident_placed_from_a_gazetteer_candidate_is_added_then_undone(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = _edit_page(monkeypatch, table)
    at.text_input(key="editor_name").set_value("Aigerim <b>").run()
    find = next(t for t in at.text_input if t.label == "Find a place")
    find.set_value("Alma-Ata").run()
    assert any(r.label == "Candidates" for r in at.radio)
    next(b for b in at.button if b.label == "Use this place").click().run()
    # The gazetteer's Almaty (the shipped geocoder test's answer): city in Almaty City, KZ.
    assert next(t for t in at.text_input if t.label == "Country (ISO code)").value == "KZ"
    lat = next(n for n in at.number_input if n.label == "lat").value
    assert abs(lat - 43.25) < 0.1
    next(t for t in at.text_input if t.label.startswith("Id")).set_value("2026-12-03-almaty-test")
    next(t for t in at.text_input if t.label == "killed best").set_value("2")
    next(t for t in at.text_input if t.label == "killed low").set_value("2")
    next(t for t in at.text_input if t.label == "killed high").set_value("2")
    before = table.read_bytes()
    next(b for b in at.button if b.label == "Save").click().run()
    # A new incident has no date until one is given: nothing is saved at today's date.
    assert any("give the date it began" in e.value for e in at.error)
    assert table.read_bytes() == before
    next(d for d in at.date_input if d.label == "From").set_value(date(2026, 12, 3))
    next(b for b in at.button if b.label == "Save").click().run()
    assert not failures(at), failures(at)
    added = load_dataset(table).incidents.set_index("incident_id").loc["2026-12-03-almaty-test"]
    assert added["date_end"] == added["date_start"]  # "To" left empty: the same day
    assert (added["country"], added["region"], added["killed_best"]) == ("KZ", "Almaty City", 2)
    assert at.selectbox(key="edit_choice").value == "2026-12-03-almaty-test"
    # The time range followed the data to the new incident's day.
    assert at.slider(key="f_dates").value[1] == date(2026, 12, 3)
    history = open_store(table).history("2026-12-03-almaty-test")
    assert [(c.who, c.action) for c in history] == [("Aigerim <b>", "add")]
    next(b for b in at.button if b.label == "Undo this change").click().run()
    assert not failures(at), failures(at)
    assert "2026-12-03-almaty-test" not in set(load_dataset(table).incidents["incident_id"])


def test_a_colleagues_save_in_between_is_shown_as_a_conflict_not_lost(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = _edit_page(monkeypatch, table)
    at.text_input(key="editor_name").set_value("Bob").run()
    at.selectbox(key="edit_choice").set_value(ALMATY).run()
    summary = next(t for t in at.text_area if t.label.startswith("Summary"))
    summary.set_value("Bob's summary.")
    colleague = open_store(table)  # Alice saves the same incident from another session
    record = colleague.open(ALMATY)
    colleague.save({**record.values, "perpetrator": "Alice's finding."}, version=1, who="Alice")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not failures(at), failures(at)
    assert any("since you opened it" in w.value for w in at.warning)
    differing = "\n".join(str(d.value) for d in at.dataframe)
    assert "Alice's finding." in differing and "Bob's summary." in differing
    typed = next(t for t in at.text_area if t.label.startswith("Summary"))
    assert typed.value == "Bob's summary."  # what Bob typed is still there
    stored = load_dataset(table).incidents.set_index("incident_id").loc[ALMATY]
    assert stored["perpetrator"] == "Alice's finding." and stored["summary"] != "Bob's summary."
    next(b for b in at.button if b.label == "Save mine over theirs").click().run()
    stored = load_dataset(table).incidents.set_index("incident_id").loc[ALMATY]
    assert stored["summary"] == "Bob's summary."
    assert [c.who for c in open_store(table).history(ALMATY)] == ["Alice", "Bob"]


def test_a_new_incident_starts_with_no_point_and_no_date(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = _edit_page(monkeypatch, table)
    assert next(d for d in at.date_input if d.label == "From").value is None
    assert next(n for n in at.number_input if n.label == "lat").value is None
    at.text_input(key="editor_name").set_value("Aigerim").run()
    next(t for t in at.text_input if t.label.startswith("Id")).set_value("no-point-yet")
    next(d for d in at.date_input if d.label == "From").set_value(date(2016, 1, 5))
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("give its point" in e.value for e in at.error)
    assert "no-point-yet" not in set(load_dataset(table).incidents["incident_id"])


def test_the_picker_lists_date_place_and_type_beside_the_id(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = _edit_page(monkeypatch, table)
    # tests/fixtures/incidents.csv: 2016-07-18, "Alma-Ata (Almaly district)", an armed attack
    listed = "2016-07-18 · Alma-Ata (Almaly district) · armed attack · 2016-07-18-almaty-shooting"
    assert listed in (at.selectbox(key="edit_choice").options)
