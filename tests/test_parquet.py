"""Parquet and GeoParquet tables read wherever a table is read: good files, bad files, hostile
cells, and the row limits."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from geo.cli import main
from geo.errors import DataError
from geo.formats.parquet import MAX_COLUMNAR_ROWS
from geo.tables import MAX_ROWS, check_dataset, load_dataset
from tests.parquet_tables import CLAIM_NAMES, row, write_parquet
from tests.tables import GOOD_ROWS, HEADER, write_csv

FIXTURES = Path(__file__).parent / "data" / "formats"


def _typed(folder: Path, name: str = "typed.parquet") -> Path:
    """The three good rows with typed columns: dates, doubles, integers with nulls."""
    cells = {c: [r[i] for r in GOOD_ROWS] for i, c in enumerate(HEADER)}
    columns: dict[str, pa.Array] = {}
    for name_, values in cells.items():
        if name_ in ("date_start", "date_end"):
            columns[name_] = pa.array([datetime.date.fromisoformat(v) for v in values])
        elif name_ in ("lat", "lon"):
            columns[name_] = pa.array([float(v) for v in values])
        elif name_.startswith(("killed_", "wounded_")):
            columns[name_] = pa.array([int(v) if v else None for v in values], pa.int64())
        else:
            columns[name_] = pa.array(values)
    pq.write_table(pa.table(columns), folder / name)
    return folder / name


def _geo(table: pa.Table, encoding: str = "WKB", crs: object = "absent") -> pa.Table:
    spec: dict[str, object] = {"encoding": encoding, "geometry_types": ["Point"]}
    if crs != "absent":
        spec["crs"] = crs
    meta = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": spec}}
    return table.replace_schema_metadata({b"geo": json.dumps(meta).encode()})


def _without_lon_lat(geometry: pa.Array) -> pa.Table:
    keep = [c for c in HEADER if c not in ("lat", "lon")]
    cells = {c: [r[HEADER.index(c)] for r in GOOD_ROWS] for c in keep}
    return pa.table({**cells, "geometry": geometry})


def test_a_typed_parquet_table_loads_with_its_regions_and_tolls(tmp_path: Path) -> None:
    dataset = load_dataset(_typed(tmp_path))
    table = dataset.incidents
    assert list(table["incident_id"]) == ["a-almaty", "b-atyrau", "c-atyrau-region"]
    assert list(table["region"]) == ["Almaty City", "Atyrau", "Atyrau"]
    assert list(table["date_start"].dt.strftime("%Y-%m-%d")) == [
        "2016-07-18", "2011-10-31", "2012-08-17"
    ]  # fmt: skip
    assert table["killed_high"].isna().tolist() == [False, True, False]
    assert (int(table.loc[0, "killed_high"]), int(table.loc[2, "killed_high"])) == (5, 5)
    assert table["row"].tolist() == [1, 2, 3]  # the first row of a Parquet file is row 1
    assert table.crs.to_epsg() == 4326


def test_geoparquet_points_give_lon_and_lat(tmp_path: Path) -> None:
    points = [shapely.Point(76.9115, 43.25249), shapely.Point(51.88427, 47.1048),
              shapely.Point(52.5, 47.3)]  # fmt: skip
    wkb = pa.array([shapely.to_wkb(p) for p in points], pa.binary())
    pq.write_table(_geo(_without_lon_lat(wkb)), tmp_path / "g.parquet")
    table = load_dataset(tmp_path / "g.parquet").incidents
    assert table["lon"].tolist() == [76.9115, 51.88427, 52.5]
    assert table["lat"].tolist() == [43.25249, 47.1048, 47.3]
    assert list(table["region"]) == ["Almaty City", "Atyrau", "Atyrau"]


def test_geoarrow_point_encoding_and_big_endian_wkb_are_read(tmp_path: Path) -> None:
    xy = pa.array([{"x": 76.9115, "y": 43.25249}, {"x": 51.88427, "y": 47.1048},
                   {"x": 52.5, "y": 47.3}])  # fmt: skip
    pq.write_table(_geo(_without_lon_lat(xy), "point"), tmp_path / "p.parquet")
    assert load_dataset(tmp_path / "p.parquet").incidents["lat"].tolist() == [
        43.25249, 47.1048, 47.3
    ]  # fmt: skip
    points = [(76.9115, 43.25249), (51.88427, 47.1048), (52.5, 47.3)]
    big = [shapely.to_wkb(shapely.Point(x, y), byte_order=0) for x, y in points]
    pq.write_table(_geo(_without_lon_lat(pa.array(big, pa.binary()))), tmp_path / "b.parquet")
    assert load_dataset(tmp_path / "b.parquet").incidents["lon"].tolist() == [
        76.9115, 51.88427, 52.5
    ]  # fmt: skip


def test_a_polygon_is_refused_with_its_row(tmp_path: Path) -> None:
    shapes = [shapely.Point(76.9, 43.2), shapely.box(50, 46, 51, 47), None]
    wkb = pa.array([None if s is None else shapely.to_wkb(s) for s in shapes], pa.binary())
    pq.write_table(_geo(_without_lon_lat(wkb)), tmp_path / "poly.parquet")
    with pytest.raises(DataError) as caught:
        load_dataset(tmp_path / "poly.parquet")
    assert [str(p) for p in caught.value.problems] == [
        "poly.parquet, row 2, column 'geometry': geometry is a Polygon; only points can be mapped"
    ]


def test_coordinates_in_another_reference_system_are_refused(tmp_path: Path) -> None:
    wkb = pa.array([shapely.to_wkb(shapely.Point(1e6, 5e6))] * 3, pa.binary())
    crs = {"name": "WGS 84 / UTM zone 43N", "id": {"authority": "EPSG", "code": 32643}}
    pq.write_table(_geo(_without_lon_lat(wkb), crs=crs), tmp_path / "utm.parquet")
    with pytest.raises(DataError, match=r"utm.parquet: its coordinates are in WGS 84 / UTM"):
        load_dataset(tmp_path / "utm.parquet")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"incident_id,date_start\na,2016-01-01\n", "not a Parquet file"),
        (b"PAR1" + b"\x00" * 40 + b"PAR1", "not a readable Parquet file"),
        (b"PAR1" + b"\x00" * 40 + b"PARE", "an encrypted Parquet file"),
        (b"", "the file is empty"),
    ],
)
def test_a_file_that_claims_to_be_parquet_but_is_not(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "claims-to-be.parquet"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_dataset(path)
    assert str(caught.value).startswith(f"claims-to-be.parquet: {message}")
    assert main(["validate", str(path)]) == 1


def test_a_damaged_parquet_file_is_refused_naming_it(tmp_path: Path) -> None:
    data = _typed(tmp_path).read_bytes()
    broken = tmp_path / "cut.parquet"
    broken.write_bytes(data[:8] + bytes(len(data) - 16) + data[-8:])  # pages zeroed
    with pytest.raises(DataError, match=r"^cut.parquet: not a readable Parquet file"):
        load_dataset(broken)


HOSTILE = [
    '=HYPERLINK("http://example.invalid","x")',
    "<script>alert(1)</script>",
    "'); DROP TABLE staging; --",
    "\u202eevil\u202c and \u200b",
    'a "quoted" \\ back\\slash\nnew line\r',
]


def test_hostile_cells_are_kept_as_they_are(tmp_path: Path) -> None:
    rows = [row(i, summary=HOSTILE[i], perpetrator=HOSTILE[i + 2]) for i in range(3)]
    header = [*HEADER, 'x"; DROP TABLE t; --']  # a column the product does not read
    path = write_parquet(tmp_path / "h.parquet", header, [[*r, "ignored"] for r in rows])
    write_csv(tmp_path / "h.claims.csv", [*CLAIM_NAMES, "y'); --"], [
        ["a-almaty", "src1", "3", "3", "11", HOSTILE[3], HOSTILE[4]]
    ])  # fmt: skip
    dataset = load_dataset(path)
    assert list(dataset.incidents["summary"]) == HOSTILE[:3]
    assert list(dataset.incidents["perpetrator"]) == HOSTILE[2:5]
    assert dataset.claims.loc[0, "note"] == HOSTILE[3]
    assert dataset.claims.loc[0, "y'); --"] == HOSTILE[4]


def test_a_column_of_lists_or_a_name_used_twice_is_refused_by_name(tmp_path: Path) -> None:
    cells = {c: [GOOD_ROWS[0][i]] for i, c in enumerate(HEADER)}
    pq.write_table(
        pa.table({**cells, "event_type": pa.array([["bombing"]])}), tmp_path / "l.parquet"
    )
    with pytest.raises(DataError) as caught:
        load_dataset(tmp_path / "l.parquet")
    assert str(caught.value) == (
        "l.parquet, column 'event_type': the column holds list<element: string>; only text, "
        "numbers, dates and booleans can be read"
    )
    twice = pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"])], names=["lat", " lat"])
    pq.write_table(twice, tmp_path / "twice.parquet")
    with pytest.raises(DataError, match=r"column 'lat' appears twice \(columns 1 and 2\)"):
        load_dataset(tmp_path / "twice.parquet")


def test_the_row_limit_of_parquet_is_the_columnar_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert MAX_ROWS == 2_000_000 and MAX_COLUMNAR_ROWS >= 20_000_000
    rows = [row(i % 3, incident_id=f"id-{i}") for i in range(4)]
    parquet = write_parquet(tmp_path / "four.parquet", HEADER, rows)
    csv = write_csv(tmp_path / "four.csv", HEADER, rows)
    monkeypatch.setattr("geo.tables.MAX_ROWS", 3)
    assert len(load_dataset(parquet).incidents) == 4  # the text formats' limit does not apply
    with pytest.raises(DataError, match="more than 3 rows; the limit is 3"):
        load_dataset(csv)
    monkeypatch.setattr("geo.formats.parquet.MAX_COLUMNAR_ROWS", 3)
    with pytest.raises(DataError) as caught:
        load_dataset(parquet)
    assert str(caught.value) == "four.parquet: 4 rows; the limit is 3"


def test_an_export_in_parquet_is_converted_within_the_text_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = pd.read_csv(FIXTURES / "acled.csv", dtype=str, keep_default_na=False)
    pq.write_table(pa.Table.from_pandas(export, preserve_index=False), tmp_path / "a.parquet")
    dataset, problems = check_dataset(tmp_path / "a.parquet")
    assert problems == []
    assert dataset.origin.startswith("ACLED export: 12 rows read, 9 converted, 3 skipped")
    assert dataset.warnings[0].row == 8  # the CSV's row 9 is the Parquet file's row 8
    monkeypatch.setattr("geo.tables.MAX_ROWS", 11)
    with pytest.raises(DataError, match="a.parquet: 12 rows; the limit is 11"):
        check_dataset(tmp_path / "a.parquet")


def test_claims_and_sources_beside_a_parquet_table_may_be_csv_or_parquet(
    tmp_path: Path,
) -> None:
    path = _typed(tmp_path, "incidents.parquet")
    claims = [
        ["a-almaty", "src1", "3", "3", "11", ""],
        ["c-atyrau-region", "src1", "4", "5", "2", ""],
    ]
    write_csv(tmp_path / "claims.csv", CLAIM_NAMES, claims)
    write_csv(tmp_path / "sources.csv", ["source_id", "title"], [["src1", "One"], ["src2", "Two"]])
    first = load_dataset(path)
    assert (len(first.claims), len(first.sources)) == (2, 2)
    write_parquet(tmp_path / "claims.parquet", CLAIM_NAMES, claims[:1])  # Parquet comes first
    assert len(load_dataset(path).claims) == 1
    write_parquet(tmp_path / "claims.parquet", CLAIM_NAMES, [["nobody", "src1", "", "1", "", ""]])
    with pytest.raises(DataError, match="claims.parquet, row 1, column 'incident_id'"):
        load_dataset(path)


def test_every_command_and_the_environment_read_parquet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _typed(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert "typed.parquet: OK, 3 incidents, 0 claims, 0 source(s)" in capsys.readouterr().out
    out = tmp_path / "out.csv"
    assert main(["export", "--data", str(path), "--out", str(out), "--type", "bombing"]) == 0
    assert "b-atyrau" in out.read_text(encoding="utf-8")
    monkeypatch.setenv("INCIDENT_ATLAS_DATA", str(path))
    assert main(["export", "--out", str(out), "--year", "2016"]) == 0
    assert out.read_text(encoding="utf-8").count("a-almaty") == 1


def test_an_uploaded_parquet_table_is_read_in_the_limited_worker(tmp_path: Path) -> None:
    from geo.uploads import read_upload

    data = _typed(tmp_path).read_bytes()
    files = read_upload(
        "mine.parquet", data, layer=None, max_bytes=len(data), folder=tmp_path / "uploads"
    )
    assert files.path == "mine.parquet" and pq.read_metadata(files.incidents).num_rows == 3
    with pytest.raises(DataError, match=r"^mine.parquet: the file is 0 MB; the limit is 0 MB"):
        read_upload("mine.parquet", data, layer=None, max_bytes=len(data) - 1)
    bad = tmp_path / "x.csv"
    shutil.copy(FIXTURES / "acled.csv", bad)
    with pytest.raises(DataError, match=r"^mine.parquet: not a Parquet file"):
        read_upload("mine.parquet", bad.read_bytes(), layer=None, max_bytes=10**6)


def test_wkb_points_are_decoded_without_a_geometry_library() -> None:
    from geo.formats.wkb import UNREADABLE, decode_points, encode_points

    values = [
        shapely.to_wkb(shapely.Point(1.5, -2.25)),
        shapely.to_wkb(shapely.Point(3, 4, 5)),  # with Z
        shapely.to_wkb(shapely.set_srid(shapely.Point(6, 7), 4326), include_srid=True),
        shapely.to_wkb(shapely.Point()),  # empty
        None,
        b"\x01\x01\x00",
        shapely.to_wkb(shapely.LineString([(0, 0), (1, 1)])),
    ]
    lon, lat, problems = decode_points(pa.array(values, pa.binary()))
    assert lon[:3].tolist() == [1.5, 3.0, 6.0] and lat[:3].tolist() == [-2.25, 4.0, 7.0]
    assert np.isnan(lon[3:]).all()
    assert problems.tolist() == [None, None, None, None, None, UNREADABLE, "a LineString"]
    written = encode_points(np.array([76.9115, np.nan]), np.array([43.25249, 1.0]))
    assert shapely.from_wkb(written.to_numpy(zero_copy_only=False))[0].equals(
        shapely.Point(76.9115, 43.25249)
    )
    assert written.null_count == 1


# --- import --out NAME.parquet -------------------------------------------------------------------


def test_import_writes_geoparquet_that_reads_back_the_same(tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    import shapely

    out = tmp_path / "acled.parquet"
    assert main(["import", str(FIXTURES / "acled.csv"), "--out", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "acled.claims.parquet", "acled.parquet", "acled.sources.parquet"
    ]  # fmt: skip
    table = pq.read_table(out)
    assert table.schema.field("date_start").type == "date32[day]"
    assert table.schema.field("killed_best").type == "int64"
    assert pq.read_schema(out).metadata[b"geo"].startswith(b'{"version": "1.1.0"')
    first = table.slice(0, 1).to_pylist()[0]
    assert (first["incident_id"], str(first["date_start"]), first["killed_best"]) == (
        "ACLED-TST1001", "2022-02-14", 4
    )  # fmt: skip
    assert first["wounded_best"] is None  # no figure given: null, never 0
    point = shapely.from_wkb(first["geometry"])
    assert (point.x, point.y) == (first["lon"], first["lat"]) == (13.15, 11.8333)
    claims = pq.read_table(tmp_path / "acled.claims.parquet").to_pylist()
    assert (claims[0]["incident_id"], claims[0]["killed"], claims[0]["wounded"]) == (
        "ACLED-TST1001", 4, None
    )  # fmt: skip
    back = load_dataset(out)
    rows = {
        r["incident_id"]: r for _, r in load_dataset(FIXTURES / "acled.csv").incidents.iterrows()
    }
    assert len(back.incidents) == 9 and back.origin == ""
    for _, got in back.incidents.iterrows():
        want = rows[got["incident_id"]]
        for column in ("date_start", "date_end", "region", "lat", "lon", "killed_high", "summary"):
            assert (pd.isna(got[column]) and pd.isna(want[column])) or got[column] == want[column]
    assert len(back.claims) == 9 and list(back.sources["source_id"]) == ["acled"]


def test_import_into_an_existing_parquet_table_updates_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.parquet"
    assert main(["import", str(FIXTURES / "acled.csv"), "--out", str(out)]) == 0
    assert main(["import", str(FIXTURES / "acled.csv"), "--out", str(out)]) == 0
    assert "0 incidents added, 0 updated, 9 unchanged" in capsys.readouterr().out
    assert len(load_dataset(out).incidents) == 9
    assert main(["import", str(FIXTURES / "acled.csv"), "--out", str(tmp_path / "t.json")]) == 1
    assert "write the imported table as .csv or .parquet" in capsys.readouterr().err
