"""Importing into the team store with COPY and set-based writes, on the real server the tests
start: hostile text kept exactly, the large-import path (indexes set aside and made again)
writing the same store as the row-by-row one, and the choice between them."""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from geo.store import open_store, postgis
from geo.store.postgis import importing
from geo.tables import Dataset, load_dataset
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import FROZEN_CSV

ACLED = Path(__file__).parent / "data" / "formats" / "acled.csv"
GTD = Path(__file__).parent / "data" / "formats" / "gtd.csv"
ALMATY = "2016-07-18-almaty-shooting"
HOSTILE = [
    "quote ' and \" and '' and \"\"",
    "tab\there\t\tand a tab at the end\t",
    "line one\nline two\r\nline three\rend\n",
    "back\\slash \\N \\t \\n \\\\ and \\",
    "\\.",  # COPY's end of data, alone
    "\\.\nafter the marker at a line's start",
    "\\N",  # COPY's NULL, as text
    "Алматы — 東京 — عربى — 🙂 — e\u0301 — \u200f rtl — \u2028 line separator",
    "'); DROP TABLE incidents; -- <img src=x onerror=alert(1)> {{7*7}}",
    "  spaces kept  ",
    "",
]


def _second_database(pg_server: str) -> str:  # noqa: F811 - the server's URL
    name = f"atlas_import_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return pg_server.rsplit("/", 1)[0] + f"/{name}"


def _hostile(dataset: Dataset) -> Dataset:
    """The data set with a hostile text in the summary, target and place of the first
    incidents, the note of the first claims and the title of the first source."""
    incidents, claims, sources = dataset.incidents, dataset.claims, dataset.sources
    for k, text in enumerate(HOSTILE):
        at = incidents.index[k]
        incidents.loc[at, "summary"] = text
        incidents.loc[at, "target"] = HOSTILE[-1 - k]
        incidents.loc[at, "place"] = text
        claims.loc[claims.index[k], "note"] = text
    sources.loc[sources.index[0], "title"] = HOSTILE[4]
    return dataset


@pytest.mark.parametrize("bulk", [False, True], ids=["row by row", "indexes set aside"])
def test_hostile_text_is_copied_and_read_back_exactly(pg_url: str, bulk: bool) -> None:  # noqa: F811
    postgis.init_schema(pg_url)
    dataset = _hostile(load_dataset(FROZEN_CSV))
    ids = list(dataset.incidents["incident_id"][: len(HOSTILE)])
    postgis.import_dataset(pg_url, dataset, who="x'); DROP TABLE history; --\t\\N", bulk=bulk)
    back = postgis.read_dataset(pg_url)
    incidents = back.incidents.set_index("incident_id")
    assert len(incidents) == 33
    assert [incidents.loc[i, "summary"] for i in ids] == HOSTILE
    assert [incidents.loc[i, "place"] for i in ids] == HOSTILE
    assert [incidents.loc[i, "target"] for i in ids] == HOSTILE[::-1]
    assert list(back.claims["note"][: len(HOSTILE)]) == HOSTILE  # claims in file order
    assert HOSTILE[4] in set(back.sources["title"])
    with postgis.connect(pg_url) as conn:
        logged = dict(
            conn.execute(
                "SELECT incident_id, new->>'summary' FROM history WHERE who = %s",
                ("x'); DROP TABLE history; --\t\\N",),
            ).fetchall()
        )
    assert [logged[i] for i in ids] == HOSTILE


def _store(url: str) -> dict[str, Any]:
    """Everything an import writes, in a form two stores can be compared by."""
    dataset = postgis.read_dataset(url)
    with postgis.connect(url) as conn:
        history = conn.execute(
            "SELECT who, incident_id, action, old, new FROM history ORDER BY change_id"
        ).fetchall()
        versions = dict(conn.execute("SELECT incident_id, version FROM incidents").fetchall())
    return {
        "incidents": dataset.incidents.to_dict("records"),
        "claims": dataset.claims.to_dict("records"),
        "sources": dataset.sources.to_dict("records"),
        "history": history,
        "versions": versions,
    }


def _import_twice(url: str, bulk: bool) -> list[dict[str, int]]:
    """The frozen seed data set imported, a claim from a source of the editor's own added by an
    edit, then the data set again with one incident's best figure changed and another's
    claim of an imported source dropped."""
    postgis.init_schema(url)
    counts = [postgis.import_dataset(url, load_dataset(FROZEN_CSV), who="first", bulk=bulk)]
    store = open_store(url)
    store.add_source({"source_id": "desk-note", "title": "Desk note", "kind": "report"}, who="e")
    record = store.open(ALMATY)
    mine = {"source": "desk-note", "paragraph": "1", "killed": "4", "wounded": "", "note": "x"}
    store.save(record.values, version=record.version, who="e", claims=[*record.claims, mine])
    newer = load_dataset(FROZEN_CSV)
    at = newer.incidents["incident_id"] == ALMATY
    newer.incidents.loc[at, "killed_best"] = 4  # shipped: 3, 5, 5
    first = newer.claims.index[newer.claims["incident_id"] == ALMATY][0]
    newer.claims = newer.claims.drop(index=first).reset_index(drop=True)
    counts.append(postgis.import_dataset(url, newer, who="second", bulk=bulk))
    return counts


def test_both_import_paths_write_the_same_store(pg_url: str, pg_server: str) -> None:  # noqa: F811
    other = _second_database(pg_server)
    by_row, set_aside = _import_twice(pg_url, bulk=False), _import_twice(other, bulk=True)
    expected = [
        {"added": 33, "updated": 0, "unchanged": 0},
        {"added": 0, "updated": 1, "unchanged": 32},
    ]
    assert by_row == set_aside == expected
    first, second = _store(pg_url), _store(other)
    assert first == second
    assert first["versions"][ALMATY] == 3  # imported, edited, imported again with a change
    assert sum(v == 1 for v in first["versions"].values()) == 32
    almaty = [c for c in first["claims"] if c["incident_id"] == ALMATY]
    # The edit's own claim is kept; tests/fixtures/claims.csv rows 47-48 come after it, imported
    # again (row 46 is left out of the second import).
    assert [(c["source"], c["killed"]) for c in almaty] == [
        ("desk-note", "4"),
        ("003_2f11906d63638778", "5"),
        ("004_5f5978043113cffd", "5"),
    ]
    for url in (pg_url, other):  # a claim added after the imports takes an id after theirs
        store = open_store(url)
        record = store.open(ALMATY)
        later = {"source": "desk-note", "paragraph": "2", "killed": "5", "note": "later"}
        store.save(record.values, version=record.version, who="e", claims=[*record.claims, later])
        assert [c["note"] for c in postgis.read_dataset(url).claims[-1:].to_dict("records")] == [
            "later"
        ]
    with open(FROZEN_CSV, encoding="utf-8", newline="") as fh:
        file_order = [row["incident_id"] for row in csv.DictReader(fh)]
    history = first["history"]
    assert [h[1] for h in history if h[2] == "import-add"] == file_order  # file order
    update = [h for h in history if h[2] == "import-update"]
    assert [(h[0], h[1], h[3]["killed_best"], h[4]["killed_best"]) for h in update] == [
        ("second", ALMATY, 5, 4)
    ]


def _indexes(url: str) -> dict[str, tuple[int, str]]:
    with postgis.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.oid, pg_get_indexdef(c.oid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid IN ('incidents'::regclass, 'claims'::regclass)"
        ).fetchall()
        rows += conn.execute(
            "SELECT conname, oid, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'claims'::regclass AND contype = 'f'"
        ).fetchall()
    return {name: (oid, definition) for name, oid, definition in rows}


def test_indexes_set_aside_are_made_again_as_the_schema_has_them(pg_url: str) -> None:  # noqa: F811
    postgis.init_schema(pg_url)
    before = _indexes(pg_url)
    assert set(before) == {
        "incidents_pkey", "incidents_geom", "incidents_dates", "incidents_region",
        "incidents_country", "incidents_map", "claims_pkey", "claims_incident",
        "claims_incident_id_fkey",
    }  # fmt: skip
    postgis.import_dataset(pg_url, load_dataset(FROZEN_CSV), bulk=True)
    after = _indexes(pg_url)
    assert {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in before.items()}
    made_again = {k for k in after if after[k][0] != before[k][0]}
    assert made_again == set(before) - {"incidents_pkey", "claims_pkey"}
    with postgis.connect(pg_url) as conn:  # the key is in force again: claims go with
        conn.execute("DELETE FROM incidents WHERE incident_id = %s", (ALMATY,))
        left = conn.execute("SELECT count(*) FROM claims WHERE incident_id = %s", (ALMATY,))
        assert left.fetchone() == (0,)
    with pytest.raises(postgis.StoreError, match="foreign key"):
        with postgis.connect(pg_url) as conn:
            conn.execute("INSERT INTO claims (incident_id, source) VALUES ('none', 'x')")


def test_only_an_import_adding_many_incidents_sets_the_indexes_aside(
    pg_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ACLED sample adds 9 incidents, the frozen seed table 33, the GTD sample 8."""
    postgis.init_schema(pg_url)
    geom = "SELECT 'incidents_geom'::regclass::oid"

    def set_aside(path: Path, threshold: int) -> bool:
        monkeypatch.setattr(importing, "BULK_ROWS", threshold)
        with postgis.connect(pg_url) as conn:
            before = conn.execute(geom).fetchone()
        postgis.import_dataset(pg_url, load_dataset(path))
        with postgis.connect(pg_url) as conn:
            return conn.execute(geom).fetchone() != before

    assert not set_aside(ACLED, 20)  # 9 added: under the threshold
    assert set_aside(FROZEN_CSV, 20)  # 33 added to a store of 9
    assert not set_aside(GTD, 5)  # 8 added to a store of 42: too few against it
    assert not set_aside(FROZEN_CSV, 1)  # imported again: none added
    assert len(postgis.read_incidents(pg_url)) == 50


def test_rows_are_written_as_copy_text() -> None:
    """COPY's text format, by hand: tab between cells, \\N for a missing one, a backslash,
    tab, newline or carriage return in text escaped, dates as days, whole numbers as read."""
    import pandas as pd

    from geo.store.postgis.copy_text import DATE, REAL, TEXT, WHOLE, copy_blocks

    frame = pd.DataFrame(
        {
            "text": pd.array(["a\tb", "c\\d\ne\rf", None, "\\N"], dtype="string"),
            "day": pd.to_datetime(
                ["2016-07-18", "2016-07-18 23:59", None, "1800-01-01"], format="ISO8601"
            ),
            "whole": pd.array([3, None, 1_000_000_007, 0], dtype="Int64"),
            "said": ["8", "", "2.0", "many"],
            "real": [43.25249, -0.00001, 76.9115, 1 / 3],
        }
    )
    kinds = {"text": TEXT, "day": DATE, "whole": WHOLE, "said": WHOLE, "real": REAL}
    text = b"".join(bytes(block) for block in copy_blocks(frame, kinds)).decode()
    assert text.split("\n") == [
        "a\\tb\t2016-07-18\t3\t8\t43.25249",
        "c\\\\d\\ne\\rf\t2016-07-18\t\\N\t\\N\t-0.00001",
        "\t\\N\t1000000007\t2\t76.9115",
        "\\\\N\t1800-01-01\t0\t\\N\t0.3333333333333333",
        "",
    ]
