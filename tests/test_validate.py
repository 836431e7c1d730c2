"""The validator on the shipped data and on a set of broken tables.

The first tests are about the product's own ``data/incidents.csv`` (it validates cleanly): they
read it, and only read it. Every other test writes its own table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.paths import DATA_ENV
from geo.tables import check_dataset, load_dataset
from tests.tables import GOOD_ROWS, HEADER, SHIPPED_CSV, problems_of, write_csv

ROOT = Path(__file__).resolve().parent.parent


def test_good_table_passes(good_table: Path) -> None:
    dataset = load_dataset(good_table)
    assert len(dataset.incidents) == 3
    assert list(dataset.incidents["region"]) == ["Almaty City", "Atyrau", "Atyrau"]
    assert dataset.incidents.crs.to_epsg() == 4326
    assert int(dataset.incidents.loc[0, "killed_high"]) == 5


def test_shipped_data_passes_validation() -> None:
    dataset = load_dataset(SHIPPED_CSV)
    assert len(dataset.incidents) >= 30
    assert set(dataset.claims["incident_id"]) == set(dataset.incidents["incident_id"])
    # Every document is cited, and the Aktobe attack keeps all four conflicting figures.
    assert set(dataset.claims["source"]) == set(dataset.sources["source_id"])
    aktobe = dataset.claims[dataset.claims["incident_id"] == "2016-06-05-aktobe-attack"]
    assert sorted(int(k) for k in aktobe["killed"]) == [7, 17, 17, 21]
    row = dataset.incidents.set_index("incident_id").loc["2016-06-05-aktobe-attack"]
    assert (row["killed_low"], row["killed_best"], row["killed_high"]) == (7, 17, 21)


def test_cli_validate_shipped_data_exits_zero() -> None:
    # With no table named (not even the run's INCIDENT_ATLAS_DATA), the command reads the
    # shipped data/incidents.csv; validating never writes to it.
    env = {k: v for k, v in os.environ.items() if k != DATA_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "geo", "validate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"{SHIPPED_CSV}: OK" in result.stdout


def broken(tmp_path: Path, row_index: int, column: str, value: str) -> Path:
    rows = [list(r) for r in GOOD_ROWS]
    rows[row_index][HEADER.index(column)] = value
    return write_csv(tmp_path / "t.csv", HEADER, rows)


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (0, "date_start", "18/07/2016", "row 2, column 'date_start'"),
        (1, "date_end", "2011-10-01", "row 3, column 'date_end': date_end is before"),
        (0, "lat", "north", "row 2, column 'lat': lat 'north' is not a number"),
        (0, "lat", "95", "row 2, column 'lat': lat 95.0 is outside"),
        (0, "lon", "nan", "row 2, column 'lon'"),
        (
            0,
            "region",
            "Atyrau",
            "row 2, column 'region': lat 43.2525, lon 76.9115 lies in Almaty City, not in 'Atyrau'",
        ),
        (0, "region", "Narnia", "row 2, column 'region': unknown region 'Narnia'"),
        (2, "killed_low", "9", "row 4, column 'killed_low': killed_low 9 is above killed_best 5"),
        (0, "killed_best", "-1", "row 2, column 'killed_best'"),
        (0, "wounded_high", "many", "row 2, column 'wounded_high'"),
        (0, "event_type", "riot", "row 2, column 'event_type': unknown event_type 'riot'"),
        (
            1,
            "incident_id",
            "a-almaty",
            "row 3, column 'incident_id': duplicate incident_id 'a-almaty' (first used on row 2)",
        ),
        (0, "geo_precision", "exact", "row 2, column 'geo_precision'"),
        (0, "date_precision", "day", None),  # valid: stays valid
        (2, "date_precision", "day", "row 4, column 'date_end': date range of 136 days"),
        (0, "country", "Kazakhstan", "row 2, column 'country'"),
    ],
)
def test_broken_cells_are_reported_with_row_and_column(
    tmp_path: Path, row: int, column: str, value: str, expected: str | None
) -> None:
    found = problems_of(broken(tmp_path, row, column, value))
    if expected is None:
        assert found == []
    else:
        assert any(expected in p for p in found), found
        assert all(p.startswith("t.csv") for p in found)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][HEADER.index("lat")] = "x"
    rows[1][HEADER.index("event_type")] = "?"
    rows[2][HEADER.index("date_start")] = ""
    found = problems_of(write_csv(tmp_path / "t.csv", HEADER, rows))
    assert len(found) == 3


def test_missing_required_column(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "lon"]
    rows = [[v for h, v in zip(HEADER, r) if h != "lon"] for r in GOOD_ROWS]
    found = problems_of(write_csv(tmp_path / "t.csv", header, rows))
    assert found and "column 'lon': required column 'lon' is missing" in found[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b",".join(h.encode() for h in HEADER) + b"\n", "header but no rows"),
        (b";".join(h.encode() for h in HEADER) + b"\n1;2\n", "separated by semicolons"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    found = problems_of(path)
    assert any(expected in p and p.startswith("t.csv") for p in found), found


def test_a_table_saved_as_windows_1252_is_read_and_says_so(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][HEADER.index("place")] = "Almaty café"
    path = write_csv(tmp_path / "t.csv", HEADER, rows)
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    dataset, problems = check_dataset(path)
    assert problems == []
    assert dataset.incidents["place"].iloc[0] == "Almaty café"
    assert [str(w) for w in dataset.warnings] == [
        "t.csv: not UTF-8 (byte 0xe9 on line 2); read as cp1252. If letters look wrong, "
        "state the encoding (--encoding)"
    ]


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", HEADER, [list(r) for r in GOOD_ROWS])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems_of(path) == []


def test_fake_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "t.gpkg"
    path.write_text("incident_id,lat\n")
    assert any("not a GeoPackage" in p for p in problems_of(path))


def test_claim_outside_incident_range(good_table: Path) -> None:
    claims = good_table.with_name("claims.csv")
    claims.write_text(claims.read_text().replace("a-almaty,src2,4,5", "a-almaty,src2,4,9"))
    found = problems_of(good_table)
    assert any(
        "claims.csv, row 3, column 'killed': claim of 9 killed is outside the range 3-5" in p
        for p in found
    ), found


def test_unknown_source(good_table: Path) -> None:
    text = good_table.read_text().replace("src1;src2", "src1;src9")
    good_table.write_text(text)
    found = problems_of(good_table)
    assert any("row 4, column 'sources': unknown source id(s) src9" in p for p in found), found


def test_validate_never_modifies_the_file(tmp_path: Path) -> None:
    path = broken(tmp_path, 0, "lat", "x")
    before = path.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "geo", "validate", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "t.csv, row 2, column 'lat'" in result.stderr
    assert path.read_bytes() == before


def test_geojson_table(tmp_path: Path, good_table: Path) -> None:
    dataset = load_dataset(good_table)
    out = tmp_path / "mine.geojson"
    dataset.incidents.drop(columns=["row"]).to_file(out, driver="GeoJSON")
    again = load_dataset(out)
    assert list(again.incidents["incident_id"]) == ["a-almaty", "b-atyrau", "c-atyrau-region"]


@pytest.mark.parametrize(
    ("low", "best", "high", "expected"),
    [
        ("5", "", "", (5, 5, 5)),
        ("", "", "9", (9, 9, 9)),
        ("2", "", "9", (2, 2, 9)),
        ("", "4", "", (4, 4, 4)),
    ],
)
def test_partial_tolls_make_a_consistent_range(
    tmp_path: Path, low: str, best: str, high: str, expected: tuple[int, int, int]
) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    for column, value in zip(("killed_low", "killed_best", "killed_high"), (low, best, high)):
        rows[1][HEADER.index(column)] = value
    dataset = load_dataset(write_csv(tmp_path / "t.csv", HEADER, rows))
    row = dataset.incidents.iloc[1]
    assert (row["killed_low"], row["killed_best"], row["killed_high"]) == expected


def test_fractional_claim_is_rejected(good_table: Path) -> None:
    claims = good_table.with_name("claims.csv")
    claims.write_text(claims.read_text().replace("a-almaty,src2,4,5", "a-almaty,src2,4,4.5"))
    assert any(
        "column 'killed': killed '4.5' is not a whole number" in p for p in problems_of(good_table)
    )


def test_a_source_kind_outside_the_vocabulary_is_named(good_table: Path) -> None:
    sources = good_table.with_name("sources.csv")
    sources.write_text(sources.read_text().replace("src2,Two,,,,opinion", "src2,Two,,,,rumour"))
    assert problems_of(good_table) == [
        "sources.csv, row 3, column 'kind': unknown kind 'rumour'; use one of analysis, dataset, "
        "news, opinion, report"
    ]


def test_a_point_in_another_country_is_a_warning_that_names_the_row(tmp_path: Path) -> None:
    from geo.tables import load_dataset

    # Maroua (10.59 N, 14.32 E) is in Cameroon's Extrême-Nord, not in Nigeria.
    path = tmp_path / "t.csv"
    path.write_text(
        "incident_id,date_start,place,country,lat,lon,event_type\n"
        "a,2020-01-01,Maroua,NG,10.59,14.32,armed_attack\n",
        encoding="utf-8",
    )
    dataset = load_dataset(path)  # loads: a warning, not a problem
    assert [str(w) for w in dataset.warnings] == [
        "t.csv, row 2, column 'country': the point lies in Extrême-Nord (CM), not in NG"
    ]


def test_a_range_over_the_whole_supported_span_is_refused_not_a_crash(tmp_path: Path) -> None:
    from geo.errors import DataError
    from geo.tables import load_dataset

    path = tmp_path / "t.csv"
    path.write_text(
        "incident_id,date_start,date_end,lat,lon,event_type\n"
        "x,1800-01-01,2200-12-31,43.2,76.9,unrest\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="row 2, column 'date_end': date range is longer"):
        load_dataset(path)


def test_the_rows_to_look_at_are_the_rows_named_once_and_the_rows_counted() -> None:
    from geo.errors import Problem
    from geo.validate.collector import rows_to_look_at

    # rows 2 and 3 (row 2 twice), and 1,541 more of one kind: 1,543; a note about the whole
    # file names no row
    problems = [
        Problem("t.csv", 2, "lat", "a"), Problem("t.csv", 2, "admin1", "b"),
        Problem("t.csv", 3, "lat", "c"),
        Problem("t.csv", None, "lat", "... 1,541 more rows like this"),
        Problem("t.csv", None, "admin1", "3 admin1 name(s) in 9 row(s) join no region shape"),
    ]  # fmt: skip
    assert rows_to_look_at(problems) == 1543
