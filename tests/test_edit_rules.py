"""The Edit page's rules, apart from its widgets (``geo.store.edit_rules``); every expected
value is worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.store.edit_rules import (
    NEW_INCIDENT,
    READONLY_ENV,
    changed_fields,
    clicked_point,
    editable_store,
    picker_view,
    place_values,
    shown_value,
    version_differences,
)
from tests.tables import copy_fixture


def test_a_new_incident_starts_with_no_date_and_no_point() -> None:
    assert "date_start" not in NEW_INCIDENT and "lat" not in NEW_INCIDENT
    assert NEW_INCIDENT["date_precision"] == "day"


def test_a_place_found_fills_the_form_and_keeps_a_typed_name() -> None:
    found = {"name": "Almaty", "lat": 43.25249, "lon": 76.9115, "country": "KZ",
             "region": None, "precision": "point of interest"}  # fmt: skip
    values = place_values(found)
    assert values == {"lat": 43.25249, "lon": 76.9115, "country": "KZ", "region": "",
                      "geo_precision": "city", "place": "Almaty"}  # fmt: skip
    assert "place" not in place_values(found, place_given="Almaly district")
    assert place_values({**found, "precision": "region"})["geo_precision"] == "region"


def test_a_click_round_the_world_comes_back_within_180_degrees() -> None:
    assert clicked_point(43.2524912, 76.9114999) == (43.25249, 76.9115)
    assert clicked_point(10.0, 200.0) == (10.0, -160.0)  # 200 east is 160 west
    assert clicked_point(10.0, -190.0) == (10.0, 170.0)


def test_the_picker_opens_on_the_point_or_on_the_world() -> None:
    assert picker_view(None, None) == (0.0, 0.0, 2, False)
    assert picker_view(43.25, None) == (0.0, 0.0, 2, False)
    assert picker_view("43.25", 76.91) == (43.25, 76.91, 8, True)
    assert picker_view(0, 0) == (0.0, 0.0, 8, True)  # a point given at 0, 0 is shown as one


def test_what_a_change_changed_and_how_claims_read() -> None:
    old = {"place": "Almaty", "killed_best": "3", "region": "Almaty"}
    new = {"place": "Almaty", "killed_best": "5", "summary": "added"}
    assert changed_fields(old, new) == ["killed_best", "region", "summary"]
    assert changed_fields(None, {"a": 1}) == ["a"]
    claims = [{"source": "s1", "paragraph": "3", "killed": "5", "wounded": ""}]
    assert shown_value(claims) == "s1 ¶3: killed 5, wounded -"
    assert shown_value(None) == "" and shown_value(7) == "7"


def test_a_conflict_shows_only_what_differs() -> None:
    theirs = {"place": "Almaty", "killed_best": 3}
    mine = {"place": "Almaty", "killed_best": 5}
    shown = version_differences(theirs, mine)
    assert list(shown.index) == ["killed_best"]
    assert list(shown.iloc[0]) == ["3", "5"]
    assert len(version_differences(theirs, theirs)) == 2  # nothing differs: all shown


def test_editing_is_off_where_the_server_says_so_or_the_table_is_not_the_products(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = copy_fixture(tmp_path)
    monkeypatch.setenv("INCIDENT_ATLAS_DATA", str(table))
    store, where = editable_store("", uploaded=False)
    assert store is not None and where == "the table incidents.csv"
    assert editable_store("", uploaded=True)[0] is None  # a visitor's upload is never written
    assert editable_store("ACLED", uploaded=False)[0] is None  # an export: import it first
    monkeypatch.setenv(READONLY_ENV, "1")
    store, where = editable_store("", uploaded=False)
    assert store is None and "switched off" in where


def test_a_snapshot_offers_a_country_only_when_the_incidents_lie_in_one(good_table: Path) -> None:
    from geo.filters import Filters
    from geo.query import table_of
    from geo.records import only_country
    from geo.tables import load_dataset

    engine = table_of(load_dataset(good_table)).engine
    # GOOD_ROWS (tests/tables.py): all three incidents are in Kazakhstan
    assert only_country(engine, Filters()) == "Kazakhstan"


def test_after_an_undone_addition_nothing_is_opened_and_after_an_edit_the_incident(
    good_table: Path,
) -> None:
    from geo.store import open_store
    from geo.store.edit_rules import opened_after

    store = open_store(good_table)
    record = store.open("a-almaty")
    copy = {**record.values, "incident_id": "a-almaty-again"}
    added = store.save(copy, version=None, who="Aigerim")
    assert opened_after(added) == "a-almaty-again"
    undone = store.undo(added.change_id, who="Aigerim")  # the incident is gone again
    assert opened_after(undone) is None
    with pytest.raises(Exception, match="a-almaty-again"):
        store.open("a-almaty-again")
    record.values["summary"] = "Changed."
    edited = store.save(record.values, version=record.version, who="Aigerim")
    assert opened_after(store.undo(edited.change_id, who="Aigerim")) == "a-almaty"
