"""The SQL checks of a Parquet table (``geo.columnar``) against the pandas checks: the same
problems, rows, columns and words from both, and the same checked table."""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from geo.columnar import INCIDENTS_SCHEMA, check_parquet, read_parts
from geo.errors import Problem
from geo.formats.parquet import open_parquet
from geo.tables import check_raw_table, read_table
from tests.parquet_tables import CLAIM_NAMES, row, write_broken, write_parquet
from tests.tables import HEADER, write_csv

T, C = "t.parquet", "t.claims.parquet"
EXPECTED = [
    (T, 24, "summary", "the cell holds a NUL byte (\\x00); remove it"),
    (T, 25, "summary", "the cell holds 32,768 characters; the limit is 32,767"),
    (T, 5, "incident_id", "incident_id is empty"),
    (T, 4, "incident_id", "duplicate incident_id 'a-almaty' (first used on row 1)"),
    (T, 5, "date_start", "date_start '18/07/2016' is not a date in YYYY-MM-DD form"),
    (T, 7, "date_start",
     "date_start 2300-01-01 is outside the supported range 1800-01-01 to 2200-12-31"),
    (T, 6, "date_end", "date_end is before date_start"),
    (T, 8, "date_precision",
     "unknown date_precision 'fortnight'; use one of day, week, month, year"),
    (T, 9, "date_end", "date range of 60 days is too long for its date_precision"),
    (T, 10, "date_end", "date range is longer than a year; narrow it or split the incident"),
    (T, 11, "lat", "lat 'north' is not a number"),
    (T, 12, "lat", "lat 95.0 is outside -90..90"),
    (T, 13, "lon", "lon '1_000' is not a number"),
    (T, 14, "geo_precision",
     "unknown geo_precision 'exact'; use one of point, city, district, region, country"),
    (T, 15, "region",
     "unknown region 'Narnia'; did you mean 'Nara'? (give a region's name, its name and "
     "country, 'Central, Ghana', or its code, 'GH-CENTRAL')"),
    (T, 16, "region", "lat 43.2525, lon 76.9115 lies in Almaty City, not in 'Atyrau'"),
    (T, 18, "country", "country 'KZZ' is not an ISO 3166-1 alpha-2 code"),
    (T, 20, "event_type",
     "unknown event_type 'riot'; use one of armed_attack, bombing, suicide_bombing, explosion, "
     "security_operation, weapons_seizure, foiled_plot, unrest, armed_clash, "
     "shelling_airstrike, kidnapping, property_attack, arrest, other"),
    (T, 21, "killed_best", "killed_best '-1' is not a whole number from 0 to 10,000,000"),
    (T, 22, "killed_low", "killed_low 9 is above killed_best 5"),
    (T, 21, "wounded_high", "wounded_high 'many' is not a whole number from 0 to 10,000,000"),
    (T, 23, "sources", "unknown source id(s) nope, zz"),
    (C, 2, "incident_id", "claim for unknown incident 'zz-unknown'"),
    (C, 3, "source", "unknown source 'srcX'"),
    (C, 4, "killed", "killed '2.5' is not a whole number from 0 to 10,000,000"),
    (C, 5, "killed", "claim of 9 killed is outside the range 3-5 of incident 'a-almaty'"),
    (C, 6, "killed", "claim of 1 killed is outside the range ?-? of incident 'b-atyrau'"),
]  # fmt: skip
EXPECTED_WARNINGS = [
    (T, 17, "lat",
     "lat 0.0000, lon -30.0000 lies in no region (more than 0.1° from any): at sea, or lat "
     "and lon swapped?"),
    (T, 19, "country", "the point lies in Almaty City (KZ), not in RU"),
]  # fmt: skip


def _tuples(problems: list[Problem]) -> list[tuple[object, ...]]:
    return [astuple(p) for p in problems]


def _both(
    path: Path, folder: Path
) -> tuple[list[Problem], list[Problem], list[Problem], list[Problem]]:
    """(problems, warnings) by pandas, then by SQL."""
    dataset, by_pandas = check_raw_table(path, read_table(path))
    folder.mkdir()
    checked = check_parquet(open_parquet(path), folder)
    return by_pandas, dataset.warnings, checked.problems, checked.warnings


def test_both_checks_find_every_deliberate_error_with_its_row_and_column(tmp_path: Path) -> None:
    by_pandas, pandas_warnings, by_sql, sql_warnings = _both(write_broken(tmp_path), tmp_path / "s")
    assert _tuples(by_pandas) == EXPECTED
    assert _tuples(by_sql) == EXPECTED
    assert _tuples(pandas_warnings) == EXPECTED_WARNINGS
    assert _tuples(sql_warnings) == EXPECTED_WARNINGS
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == []  # nothing written, no copy


def test_both_list_two_hundred_rows_of_a_kind_and_count_the_rest(tmp_path: Path) -> None:
    rows = [row(0, incident_id=f"id-{i}", event_type="riot") for i in range(203)]
    path = write_parquet(tmp_path / "many.parquet", HEADER, rows)
    by_pandas, _, by_sql, _ = _both(path, tmp_path / "s")
    for found in (by_pandas, by_sql):
        assert [p.row for p in found] == [*range(1, 201), None]
        assert str(found[-1]) == "many.parquet, column 'event_type': ... 3 more rows like this"


def test_both_name_a_missing_column_with_the_columns_there_are(tmp_path: Path) -> None:
    header = [c for c in HEADER if c != "event_type"]
    rows = [[c for h, c in zip(HEADER, r, strict=True) if h != "event_type"] for r in [row(0)]]
    path = write_parquet(tmp_path / "m.parquet", header, rows)
    expected = [
        (
            "m.parquet",
            None,
            "event_type",
            "required column 'event_type' is missing (columns found: incident_id, date_start, "
            "date_end, date_precision, place, country, region, lat, lon, geo_precision, "
            "killed_low, killed_best)",
        )
    ]
    by_pandas, _, by_sql, _ = _both(path, tmp_path / "s")
    assert _tuples(by_pandas) == expected
    assert _tuples(by_sql) == expected


def test_claims_in_csv_beside_a_parquet_table_are_numbered_as_a_spreadsheet(
    tmp_path: Path,
) -> None:
    path = write_parquet(tmp_path / "t.parquet", HEADER, [row(0), row(1)])
    write_csv(tmp_path / "t.claims.csv", CLAIM_NAMES, [
        ["a-almaty", "src1", "3", "3", "11", ""], ["nobody", "src1", "1", "1", "", ""]
    ])  # fmt: skip
    expected = [("t.claims.csv", 3, "incident_id", "claim for unknown incident 'nobody'")]
    by_pandas, _, by_sql, _ = _both(path, tmp_path / "s")
    assert _tuples(by_pandas) == expected
    assert _tuples(by_sql) == expected


def test_both_give_the_same_checked_table(tmp_path: Path) -> None:
    rows = [
        row(0, region="", date_precision="", killed_low="", killed_high=""),
        row(2, geo_precision="country", date_end=""),
        row(1, incident_id=" d-spaces ", lat="\u00a047.10480 ", country=" kz"),
    ]
    path = write_parquet(tmp_path / "ok.parquet", HEADER, rows)
    dataset, problems = check_raw_table(path, read_table(path))
    assert problems == []
    checked = check_parquet(open_parquet(path), tmp_path)
    assert checked.problems == [] and checked.counts == {"incidents": 3, "claims": 0, "sources": 0}
    written = pq.read_schema(checked.files["incidents"])
    assert [(f.name, f.type) for f in written] == [(f.name, f.type) for f in INCIDENTS_SCHEMA]
    by_sql = read_parts(checked.files)["incidents"]
    by_pandas = pd.DataFrame(dataset.incidents.drop(columns="geometry"))
    # What both derive, written by hand: the region from the point (none for a country-level
    # incident), the precision from the dates, the missing bounds from the best figure.
    for table in (by_sql, by_pandas):
        assert list(table["incident_id"]) == ["a-almaty", "c-atyrau-region", "d-spaces"]
        assert list(table["region"]) == ["Almaty City", "", "Atyrau"]
        assert list(table["country"]) == ["KZ", "KZ", "KZ"]
        assert list(table["date_precision"]) == ["day", "year", "day"]
        assert list(table["date_end"].dt.strftime("%Y-%m-%d")) == [
            "2016-07-18", "2012-08-17", "2011-10-31"
        ]  # fmt: skip
        assert table["killed_low"].tolist() == [5, 5, pd.NA]
        assert table["lat"].tolist() == [43.25249, 47.30, 47.10480]
        assert table["row"].tolist() == [1, 2, 3]
    for name in by_sql.columns:
        assert by_sql[name].astype(object).where(by_sql[name].notna(), None).tolist() == (
            by_pandas[name].astype(object).where(by_pandas[name].notna(), None).tolist()
        ), name


@pytest.mark.parametrize("cell", ["'); DROP TABLE staging; --", '" OR 1=1 --', "$1", "chr(0)"])
def test_a_cell_that_looks_like_sql_is_a_value(tmp_path: Path, cell: str) -> None:
    path = write_parquet(tmp_path / "h.parquet", HEADER, [row(0, summary=cell, place=cell)])
    checked = check_parquet(open_parquet(path), tmp_path)
    assert checked.problems == []
    table = read_parts(checked.files)["incidents"]
    assert (table.loc[0, "summary"], table.loc[0, "place"]) == (cell, cell)


def test_a_column_empty_in_every_row_counts_no_problem(tmp_path: Path) -> None:
    rows = [row(1, incident_id=f"b-{i}") for i in range(2)]  # no toll given in any row
    path = write_parquet(tmp_path / "e.parquet", HEADER, rows)
    by_pandas, _, by_sql, _ = _both(path, tmp_path / "s")
    assert by_pandas == by_sql == []


ADMIN_HEADER = [*HEADER, "admin1"]


def _admin_rows(places: list[tuple[str, str, str, str, str]]) -> list[list[str]]:
    """Rows (id, country, lat, lon, admin1) of the first good row, their region not given."""
    return [
        [*row(0, incident_id=i, country=c, lat=la, lon=lo, region=""), a]
        for i, c, la, lo, a in places
    ]


def test_both_join_the_datasets_own_admin1_to_its_region_and_list_what_does_not_join(
    tmp_path: Path,
) -> None:
    # Four Benin/Nigeria rows, the regions worked out by hand from the region layer: ACLED's
    # "Atacora" is Natural Earth's Atakora, although the point (Djougou) lies in Donga; "Borno
    # state" is Borno; "Nowhere Land" joins nothing, so the point's region is used and said.
    places = [
        ("bj-1", "BJ", "9.7085", "1.6660", "Atacora"),
        ("bj-2", "BJ", "6.3654", "2.4183", "Nowhere Land"),
        ("ng-1", "NG", "11.8333", "13.15", "Borno state"),
        ("bj-3", "BJ", "6.3654", "2.4183", ""),
    ]
    rows = _admin_rows(places)
    # A table the atlas wrote keeps the region its admin1 joined: stated, and vouched for by
    # the admin1, it is kept (a warning), not refused as a point in another region.
    rows.append([*row(0, incident_id="bj-4", country="BJ", lat="9.7085", lon="1.6660",
                      region="Atakora"), "Atacora"])  # fmt: skip
    path = write_parquet(tmp_path / "adm.parquet", ADMIN_HEADER, rows)
    dataset, problems = check_raw_table(path, read_table(path))
    assert problems == []
    checked = check_parquet(open_parquet(path), tmp_path / "s")
    by_sql = read_parts(checked.files)["incidents"]
    expected = ["Atakora", "Littoral, Benin", "Borno", "Littoral, Benin", "Atakora"]
    assert list(dataset.incidents["region"]) == expected
    assert list(by_sql["region"]) == expected
    warnings = [
        ("adm.parquet", 2, "admin1",
         "admin1 'Nowhere Land' joins no region shape of the row's country by name or code; its "
         "region is the one its point lies in (Littoral, Benin)"),
        ("adm.parquet", 1, "admin1",
         "the point lies in Donga, not in admin1 'Atacora' (Atakora); the dataset's unit is kept"),
        ("adm.parquet", 5, "admin1",
         "the point lies in Donga, not in admin1 'Atacora' (Atakora); the dataset's unit is kept"),
        ("adm.parquet", None, "admin1",
         "1 admin1 name(s) in 1 row(s) join no region shape by name or code (the point decides "
         "their region): 'Nowhere Land' (BJ): 1"),
    ]  # fmt: skip
    assert _tuples(dataset.warnings) == warnings
    assert _tuples(checked.warnings) == warnings


def test_a_close_spelling_never_overrides_the_point(tmp_path: Path) -> None:
    # By hand: "Aragon" is spelt close to Tarragona and "Campania" to Catania, "Altai
    # Republic" is Gorno-Altay, not Altai Krai: none joins by name, so the point decides
    # (Zaragoza, Napoli, Gorno-Altay). "Zaporizhia" is only close to Zaporizhzhya, where its
    # point lies: the hint is taken, with no warning.
    places = [
        ("es-1", "ES", "41.65", "-0.88", "Aragon"),
        ("it-1", "IT", "40.85", "14.27", "Campania"),
        ("ru-1", "RU", "51.96", "85.96", "Altai Republic"),
        ("ua-1", "UA", "47.84", "35.14", "Zaporizhia"),
    ]
    rows = _admin_rows(places)
    path = write_parquet(tmp_path / "close.parquet", ADMIN_HEADER, rows)
    dataset, problems = check_raw_table(path, read_table(path))
    assert problems == []
    checked = check_parquet(open_parquet(path), tmp_path / "s")
    expected = ["Zaragoza", "Napoli", "Gorno-Altay", "Zaporizhzhya"]
    assert list(dataset.incidents["region"]) == expected
    assert list(read_parts(checked.files)["incidents"]["region"]) == expected
    for warnings in (dataset.warnings, checked.warnings):
        assert [p.row for p in warnings] == [1, 2, 3, None]  # three unjoined, then the list
        assert "'Aragon' (ES): 1" in warnings[-1].message
