"""Editing incidents: one behaviour suite, run on the file store and on PostGIS."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.errors import DataError
from geo.store import EditConflict, Store, open_store, postgis
from geo.tables import load_dataset
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import FROZEN_CSV, copy_fixture

ALMATY = "2016-07-18-almaty-shooting"


@pytest.fixture(params=["files", "postgis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The frozen seed data set (tests/fixtures) in a store of each kind."""
    if request.param == "files":
        return open_store(copy_fixture(tmp_path))
    url = request.getfixturevalue("pg_url")
    postgis.init_schema(url)
    postgis.import_dataset(url, load_dataset(FROZEN_CSV))
    return open_store(url)


def test_the_shipped_incident_opens_at_version_1(store: Store) -> None:
    record = store.open(ALMATY)
    assert record.version == 1
    assert record.values["region"] == "Almaty City"
    assert record.values["date_start"] == "2016-07-18"


def test_an_edit_is_saved_with_its_history_and_can_be_undone(
    store: Store,
) -> None:
    record = store.open(ALMATY)
    killed, original = record.values["killed_best"], record.values["summary"]
    record.values["summary"] = "Edited by a test."
    record.values["killed_high"] = killed + 4
    change = store.save(record.values, version=record.version, who="Aigerim")
    assert (change.action, change.who) == ("update", "Aigerim")
    assert change.old["summary"] != "Edited by a test." and change.new["killed_high"] == killed + 4
    again = store.open(ALMATY)
    assert (again.version, again.values["summary"]) == (2, "Edited by a test.")
    store.undo(change.change_id, who="Dmitri")
    back = store.open(ALMATY)
    assert (back.values["summary"], back.version) == (original, 3)
    assert back.values["killed_high"] == change.old["killed_high"]
    edits = [c.action for c in store.history(ALMATY) if not c.action.startswith("import")]
    assert edits == ["update", f"undo {change.change_id}"]


def test_two_people_editing_one_incident_never_lose_an_edit(
    store: Store,
) -> None:
    first, second = store.open(ALMATY), store.open(ALMATY)
    first.values["summary"] = "First editor's words."
    store.save(first.values, version=first.version, who="one")
    second.values["summary"] = "Second editor's words."
    with pytest.raises(EditConflict) as conflict:
        store.save(second.values, version=second.version, who="two")
    assert conflict.value.theirs is not None
    assert conflict.value.theirs["summary"] == "First editor's words."
    assert conflict.value.version == 2
    assert store.open(ALMATY).values["summary"] == "First editor's words."
    # Having seen theirs, the second editor saves on top of it.
    store.save(second.values, version=conflict.value.version, who="two")
    assert store.open(ALMATY).values["summary"] == "Second editor's words."


def test_an_invalid_edit_writes_nothing(store: Store) -> None:
    record = store.open(ALMATY)
    before = store.history()
    record.values["lat"] = 123.0
    record.values["event_type"] = "riot"
    with pytest.raises(DataError) as error:
        store.save(record.values, version=record.version, who="x")
    text = str(error.value)
    assert "lat 123.0 is outside -90..90" in text and "unknown event_type 'riot'" in text
    assert store.open(ALMATY).version == 1 and store.history() == before


def test_add_then_delete_with_confirmation_of_the_version(
    store: Store,
) -> None:
    values = dict(store.open(ALMATY).values)
    values.update(incident_id="2026-12-02-almaty-new", summary="<img src=x onerror=alert(1)>")
    added = store.save(values, version=None, who="Aigerim")
    assert added.action == "add"
    stored = store.open("2026-12-02-almaty-new")
    assert stored.values["summary"] == "<img src=x onerror=alert(1)>"  # kept as text
    with pytest.raises(DataError, match="is taken"):
        store.save(values, version=None, who="Aigerim")
    with pytest.raises(EditConflict):
        store.delete("2026-12-02-almaty-new", version=5, who="x")
    store.delete("2026-12-02-almaty-new", version=stored.version, who="x")
    with pytest.raises(DataError):
        store.open("2026-12-02-almaty-new")


def test_deleting_an_incident_takes_its_claims_and_undo_puts_both_back(
    store: Store,
) -> None:
    record = store.open(ALMATY)
    assert [c["source"] for c in record.claims] == [
        "000_b01b73891350e37e",
        "003_2f11906d63638778",
        "004_5f5978043113cffd",
    ]  # fmt: skip  (tests/fixtures/claims.csv rows 46-48)
    deletion = store.delete(ALMATY, version=record.version, who="x")
    assert deletion.old is not None and len(deletion.old["claims"]) == 3
    with pytest.raises(DataError):
        store.open(ALMATY)
    store.undo(deletion.change_id, who="y")
    back = store.open(ALMATY)
    assert back.values == record.values
    assert back.claims == record.claims  # "3;6", 3, 11 and the notes, as they were
    with pytest.raises(DataError, match="no change 999999"):
        store.undo(999999, who="x")


def test_claims_are_edited_per_source_and_checked_like_the_claims_file(
    store: Store,
) -> None:
    record = store.open(ALMATY)  # killed 3-5, wounded 11-11
    unknown = [{"source": "no-such-source", "paragraph": "1", "killed": "4"}]
    with pytest.raises(DataError, match="unknown source 'no-such-source'"):
        store.save(record.values, version=record.version, who="a", claims=unknown)
    outside = [{"source": "003_2f11906d63638778", "paragraph": "3", "killed": "9"}]
    with pytest.raises(DataError, match="claim of 9 killed is outside the range 3-5"):
        store.save(record.values, version=record.version, who="a", claims=outside)
    assert store.open(ALMATY).version == 1  # nothing written
    record.values["killed_high"] = 9
    claims = [
        *record.claims[:2],
        {"source": "004_5f5978043113cffd", "paragraph": "15", "killed": "9", "wounded": "",
         "note": "<b>updated</b> toll {{ 7*7 }}"},
        {"source": "", "paragraph": "", "killed": "", "wounded": "", "note": ""},  # blank row
    ]  # fmt: skip
    change = store.save(record.values, version=record.version, who="a", claims=claims)
    again = store.open(ALMATY)
    assert [c["killed"] for c in again.claims] == ["3", "5", "9"]
    assert again.claims[2]["note"] == "<b>updated</b> toll {{ 7*7 }}"
    assert change.new is not None and len(change.new["claims"]) == 3
    store.undo(change.change_id, who="b")
    undone = store.open(ALMATY)
    assert undone.claims == record.claims and undone.values["killed_high"] == 5


def test_undoing_an_old_change_keeps_later_edits_of_other_fields(
    store: Store,
) -> None:
    record = store.open(ALMATY)
    first = store.save({**record.values, "summary": "First."}, version=1, who="a")
    store.save({**record.values, "summary": "First.", "target": "Later."}, version=2, who="b")
    store.undo(first.change_id, who="c")  # puts the summary back, keeps the target
    now = store.open(ALMATY)
    assert (now.values["summary"], now.values["target"]) == (record.values["summary"], "Later.")
    third = store.save({**now.values, "target": "Again."}, version=now.version, who="a")
    store.save({**now.values, "target": "Once more."}, version=third_version(store), who="b")
    with pytest.raises(DataError, match="target changed again after change"):
        store.undo(third.change_id, who="c")
    assert store.open(ALMATY).values["target"] == "Once more."


def third_version(store: Store) -> int:
    return store.open(ALMATY).version


def test_a_new_id_must_be_a_plain_slug(store: Store) -> None:
    record = store.open(ALMATY)
    for bad in ("two;ids", "line\nbreak", " spaced out", "-leading-dash"):
        with pytest.raises(DataError, match="may hold only letters, digits"):
            store.save({**record.values, "incident_id": bad}, version=None, who="a")


def test_a_history_that_cannot_be_written_leaves_the_table_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(copy_fixture(tmp_path))
    before = (tmp_path / "incidents.csv").read_bytes()
    record = store.open(ALMATY)
    record.values["summary"] = "Never kept."

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched, pytest.raises(OSError, match="No space"):
        patched.setattr("geo.store.history.os.fsync", full)  # the line is written, not kept
        store.save(record.values, version=record.version, who="a")
    assert (tmp_path / "incidents.csv").read_bytes() == before
    assert store.history_path.read_bytes() == b""  # the part written is cut away
    assert store.open(ALMATY).version == 1


def test_the_file_store_keeps_a_backup_and_refuses_a_file_changed_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(copy_fixture(tmp_path))
    original = (tmp_path / "incidents.csv").read_bytes()
    record = store.open(ALMATY)
    record.values["summary"] = "Edited."
    store.save(record.values, version=record.version, who="a")
    assert (tmp_path / "incidents.csv.bak").read_bytes() == original
    assert (
        load_dataset(tmp_path / "incidents.csv")
        .incidents.set_index("incident_id")
        .loc[ALMATY, "summary"]
        == "Edited."
    )
    # A write that fails half-way leaves the table as it was.
    before = (tmp_path / "incidents.csv").read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("geo.tables.write_text_atomic", broken)
    record = store.open(ALMATY)
    record.values["summary"] = "Never written."
    with pytest.raises(OSError, match="disk full"):
        store.save(record.values, version=record.version, who="a")
    assert (tmp_path / "incidents.csv").read_bytes() == before


def test_a_hand_edit_made_after_the_record_was_opened_is_not_overwritten(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path)
    store = open_store(path)
    record = store.open(ALMATY)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("police and the KNB", "police and the KNB (checked)"), "utf-8")
    mine = {**record.values, "summary": "Mine."}
    with pytest.raises(EditConflict) as caught:
        store.save(mine, version=record.version, who="a", opened=record.values)
    assert caught.value.theirs is not None
    assert caught.value.theirs["target"] == "police and the KNB (checked)"
    assert "police and the KNB (checked)" in path.read_text(encoding="utf-8")


def test_the_file_store_keeps_columns_of_its_own(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",analyst_flag"] + [line + ",checked" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store(path)
    record = store.open(ALMATY)
    store.save({**record.values, "summary": "Edited."}, version=record.version, who="a")
    added = {**record.values, "incident_id": "2026-12-03-new"}
    store.save(added, version=None, who="a")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    header = lines[0].split(",")
    assert list(back.columns)[: len(header)] == header  # the file's own order first
    flags = back.set_index("incident_id")["analyst_flag"]
    assert flags[ALMATY] == "checked" and flags["2026-12-03-new"] == ""
    assert (flags == "checked").sum() == 33  # every shipped row kept its own cell


def test_a_source_is_added_once_and_claims_can_cite_it(store: Store) -> None:
    hostile = '=HYPERLINK("http://x") <script>alert(1)</script> {{ 7*7 }}'
    source = {"source_id": "2026-12-03-wire", "title": hostile, "outlet": "Wire", "kind": "news"}
    change = store.add_source(source, who="a")
    assert (change.action, change.who) == ("add-source", "a")
    with pytest.raises(DataError, match="'2026-12-03-wire' is taken"):
        store.add_source(source, who="b")
    with pytest.raises(DataError, match="unknown kind 'rumour'"):
        store.add_source({**source, "source_id": "other", "kind": "rumour"}, who="b")
    assert "2026-12-03-wire" in store.source_ids()
    record = store.open(ALMATY)
    claim = {"source": "2026-12-03-wire", "paragraph": "2", "killed": "4", "note": hostile}
    store.save(record.values, version=record.version, who="a", claims=[*record.claims, claim])
    assert store.open(ALMATY).claims[-1]["note"] == hostile


def test_empty_bounds_are_filled_from_the_claims_and_best_only_where_they_agree() -> None:
    from geo.store.checks import fill_range_from_claims

    values = {"killed_low": "", "killed_best": "", "killed_high": "", "wounded_low": "2",
              "wounded_best": "", "wounded_high": ""}  # fmt: skip
    claims = [{"killed": "17", "wounded": "3"}, {"killed": "21"}, {"killed": "7", "wounded": "3"}]
    filled = fill_range_from_claims(values, claims)
    assert (filled["killed_low"], filled["killed_best"], filled["killed_high"]) == (7, "", 21)
    assert (filled["wounded_low"], filled["wounded_best"], filled["wounded_high"]) == ("2", 3, 3)


def test_no_save_leaves_a_table_that_would_not_load(store: Store) -> None:
    """A record is checked with the table's rules as a whole: cells, sources, and the claims it
    keeps against its new range (the hostile review's tables that no visitor could load)."""
    record = store.open(ALMATY)  # killed 3-5, claims of 3, 5, 5
    for bad, message in (
        ({"summary": "x" * 40_000}, "the limit is 32,767"),
        ({"summary": "a\x00b"}, "NUL"),
        ({"sources": "000_b01b73891350e37e;no-such-source"}, "no-such-source"),
        ({"killed_best": 4, "killed_high": 4}, "claim of 5 killed is outside the range 3-4"),
    ):
        with pytest.raises(DataError, match=message):
            store.save({**record.values, **bad}, version=record.version, who="a")
    with pytest.raises(DataError, match="NUL"):
        store.add_source({"source_id": "s1", "title": "a\x00b"}, who="a")
    assert store.open(ALMATY).version == 1  # nothing written
    widened = store.save({**record.values, "killed_high": 9}, version=1, who="a")
    claims = [*record.claims, {"source": "003_2f11906d63638778", "paragraph": "9", "killed": "9"}]
    store.save({**record.values, "killed_high": 9}, version=2, who="a", claims=claims)
    with pytest.raises(DataError, match="claim of 9 killed is outside the range"):
        store.undo(widened.change_id, who="b")  # would leave the claim of 9 outside 3-5


def test_undo_refuses_what_it_cannot_put_back_sensibly(store: Store) -> None:
    source = store.add_source({"source_id": "s-1", "title": "A wire report"}, who="a")
    with pytest.raises(DataError, match="added a source"):
        store.undo(source.change_id, who="a")
    record = store.open(ALMATY)
    edit = store.save({**record.values, "target": "Edited."}, version=1, who="a")
    gone = store.delete(ALMATY, version=2, who="a")
    store.undo(gone.change_id, who="a")
    with pytest.raises(DataError, match="was deleted after change"):
        store.undo(edit.change_id, who="a")


def test_a_deleted_incident_with_an_id_of_any_form_comes_back(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path)
    path.write_text(path.read_text("utf-8").replace(ALMATY, "Almaty 2016/07"), "utf-8")
    claims = path.with_name("claims.csv")
    claims.write_text(claims.read_text("utf-8").replace(ALMATY, "Almaty 2016/07"), "utf-8")
    store = open_store(path)
    gone = store.delete("Almaty 2016/07", version=1, who="a")
    store.undo(gone.change_id, who="a")
    assert len(store.open("Almaty 2016/07").claims) == 3


def test_the_claims_file_keeps_columns_of_its_own(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path)
    claims = path.with_name("claims.csv")
    lines = claims.read_text("utf-8").splitlines()
    claims.write_text("\n".join([lines[0] + ",quote", *(x + ",q" for x in lines[1:])]) + "\n")
    store = open_store(path)
    record = store.open(ALMATY)
    store.save(record.values, version=1, who="a", claims=record.claims[:2])
    back = pd.read_csv(claims, dtype=str, keep_default_na=False)
    assert list(back.columns)[-1] == "quote"
    assert (back["quote"] == "q").sum() == len(lines) - 1 - 3  # the other incidents' rows
    assert (back["incident_id"] == ALMATY).sum() == 2


def test_a_history_line_that_is_not_a_change_is_named(tmp_path: Path) -> None:
    store = open_store(copy_fixture(tmp_path))
    store.save({**store.open(ALMATY).values, "target": "x"}, version=1, who="a")
    with store.history_path.open("a", encoding="utf-8") as fh:
        fh.write("<<<<<<< HEAD\n")
    assert store.open(ALMATY).version == 2  # the line is skipped, and said
    assert [str(p)[:31] for p in store.history_problems()] == ["incidents.history.jsonl, row 2:"]
