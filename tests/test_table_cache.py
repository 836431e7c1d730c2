"""The table cache's Parquet files: built once per table as it is, in one schema, never for a
table with problems."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from geo import table_cache
from geo.columnar import INCIDENTS_SCHEMA
from geo.errors import DataError
from geo.table_cache import cached_table, load_cached
from tests.parquet_tables import row, write_broken, write_parquet
from tests.tables import HEADER


def _schema(path: Path) -> list[tuple[str, str]]:
    return [(f.name, str(f.type)) for f in pq.read_schema(path)]


def test_a_parquet_table_is_checked_once_and_its_files_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_parquet(tmp_path / "t.parquet", HEADER, [row(0), row(1), row(2)])
    entry = cached_table(path)
    assert (entry.rows, entry.counts) == (3, {"incidents": 3, "claims": 0, "sources": 0})
    assert _schema(entry.incidents) == [(f.name, str(f.type)) for f in INCIDENTS_SCHEMA]
    table = pq.read_table(entry.incidents).to_pydict()
    assert table["region"] == ["Almaty City", "Atyrau", "Atyrau"]
    assert table["row"] == [1, 2, 3]
    built = []
    monkeypatch.setattr(table_cache, "_build", lambda *a: built.append(a))
    assert cached_table(path) == entry and built == []  # from the cache
    dataset = load_cached(path, geometry=False)
    assert list(dataset.incidents["incident_id"]) == ["a-almaty", "b-atyrau", "c-atyrau-region"]


def test_a_csv_table_gets_the_same_schema(good_table: Path) -> None:
    entry = cached_table(good_table)
    assert _schema(entry.incidents) == [(f.name, str(f.type)) for f in INCIDENTS_SCHEMA]
    assert (entry.counts["claims"], entry.counts["sources"]) == (3, 2)
    assert pq.read_table(entry.incidents).column("row").to_pylist() == [2, 3, 4]


def test_a_table_with_problems_gets_no_entry(tmp_path: Path) -> None:
    path = write_broken(tmp_path)
    with pytest.raises(DataError) as caught:
        cached_table(path)
    assert len(caught.value.problems) == 27  # as listed in test_columnar
    folder = table_cache.cache_dir() / "tables"
    key = table_cache.cache_key(path, table_cache.ReadOptions())
    assert sorted(folder.glob(f"{key}.*")) == []
    assert sorted(folder.glob(f".build-{key}-*")) == []  # the build's folder is removed too


def test_an_entry_is_built_again_when_a_file_beside_the_table_changes(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "t.parquet", HEADER, [row(0), row(1), row(2)])
    first = cached_table(path)
    write_parquet(
        tmp_path / "t.sources.parquet", ["source_id", "title"], [["src1", "One"], ["src2", "Two"]]
    )
    second = cached_table(path)
    assert second.incidents != first.incidents and second.counts["sources"] == 2
    assert not first.incidents.exists()  # the table's older entry is gone


def test_an_entry_can_be_built_in_a_child_process(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "t.parquet", HEADER, [row(0), row(1), row(2)])
    entry = cached_table(path, in_child=True)
    assert entry.rows == 3 and entry.incidents.exists()
    assert cached_table(path) == entry


def test_an_entry_keeps_the_engines_database_in_date_order_with_each_cell(
    tmp_path: Path,
) -> None:
    import duckdb

    from geo.filters import Filters
    from geo.query import open_engine, table_files

    rows = [row(0), row(1), row(2)]
    path = write_parquet(tmp_path / "t.parquet", HEADER, rows[::-1])
    entry = cached_table(path)
    assert entry.database is not None and entry.database.exists()
    con = duckdb.connect(str(entry.database), read_only=True)
    found = con.execute("SELECT incident_id, typeof(date_start), cy, cx FROM incidents").fetchall()
    con.close()
    # By hand: the rows come in date order (2011-10-31, 2012-08-17, 2016-07-18) whatever the
    # table's order; Almaty is at 43.25249 N, 76.91150 E: 865.05 and 1538.23 cells of 0.05.
    assert [f[0] for f in found] == ["b-atyrau", "c-atyrau-region", "a-almaty"]
    assert found[2][1:] == ("DATE", 865, 1538)
    # Two engines (two sessions, or a session and the command line) read it at once.
    one, two = (open_engine(table_files(path)) for _ in range(2))
    assert one.headline(Filters()).incidents == two.headline(Filters()).incidents == 3
    table_cache.remove_entry(entry.database.parent, entry.database.name.split(".")[0])
    assert not entry.database.exists() and not entry.incidents.exists()


def test_an_entry_without_the_database_gets_it_without_a_new_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_parquet(tmp_path / "t.parquet", HEADER, [row(0), row(1), row(2)])
    entry = cached_table(path)
    assert entry.database is not None
    entry.database.unlink()  # as an entry made by an earlier version of the product
    built = []
    monkeypatch.setattr(table_cache, "_build", lambda *a: built.append(a))
    again = cached_table(path, in_child=True)
    assert built == [] and again.database is not None and again.database.exists()


def test_the_first_check_says_how_big_and_about_how_long(tmp_path: Path) -> None:
    from geo.table_cache import first_check_note, has_entry

    small = write_parquet(tmp_path / "t.parquet", HEADER, [row(0)])
    assert first_check_note(small) == "Reading and checking t.parquet…"
    assert not has_entry(small)
    cached_table(small)
    assert has_entry(small)
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:  # 400 MB of CSV, sparse: at 0.3 s per MB, two minutes
        fh.truncate(400 * 2**20)
    note = first_check_note(big)
    assert "big.csv (400 MB)" in note and "about 2 minutes" in note


@pytest.mark.parametrize("damage", ["garbage", "cut", "folder"])
def test_a_damaged_database_file_is_made_again(tmp_path: Path, damage: str) -> None:
    import shutil

    from geo.filters import Filters
    from geo.query import open_engine, table_files

    path = write_parquet(tmp_path / "t.parquet", HEADER, [row(0), row(1), row(2)])
    database = cached_table(path).database
    assert database is not None
    if damage == "garbage":
        database.write_bytes(b"not a database")
    elif damage == "cut":
        database.write_bytes(database.read_bytes()[:4096])
    else:
        database.unlink()
        database.mkdir()
    assert not table_cache.has_entry(path)
    assert open_engine(table_files(path)).headline(Filters()).incidents == 3
    assert database.is_file() and table_cache.has_entry(path)
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_an_entry_read_with_other_options_is_left_to_its_reader(tmp_path: Path) -> None:
    from geo.tables import ReadOptions

    path = write_parquet(tmp_path / "t.parquet", HEADER, [row(0), row(1), row(2)])
    first = cached_table(path)
    other = cached_table(path, ReadOptions(encoding="utf-8"))
    assert other.incidents != first.incidents
    assert first.incidents.exists() and first.claims.exists()  # still there for its reader


def test_a_killed_builds_leftovers_are_swept(tmp_path: Path) -> None:
    import os

    path = write_parquet(tmp_path / "t.parquet", HEADER, [row(0)])
    folder = table_cache.cache_dir() / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    old, new = folder / ".build-old-x", folder / ".build-new.duckdb"
    old.mkdir()
    new.write_bytes(b"")
    hours = table_cache.STALE_BUILD_HOURS + 1
    os.utime(old, (old.stat().st_atime, old.stat().st_mtime - hours * 3600))
    cached_table(path)
    assert not old.exists() and new.exists()  # a build under way now is left alone
