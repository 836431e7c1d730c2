"""Exports follow the dashboard's filters exactly, and the command line reports bad filters."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.export import export_text, snapshot_bytes
from geo.filters import Filters
from geo.snapshot import MapFrame
from geo.tables import Dataset, load_dataset
from tests.tables import FROZEN_CSV
from tests.test_maps import external_refs

ROOT = Path(__file__).resolve().parent.parent
FILTERS = [
    Filters(years=(2011,), regions=("Atyrau",)),
    Filters(types=("armed_attack", "suicide_bombing"), countries=("RU",)),
    Filters(exact_only=True, years=(2012,)),
]
# Read off tests/fixtures/incidents.csv by hand for each of FILTERS, by date, then id (the
# export's order).
EXPECTED_IDS = [
    ["2011-10-31-atyrau-courtyard-explosion", "2011-10-31-atyrau-sary-arka-suicide-bombing"],
    [
        "2012-ingushetia-policeman-killed",
        "2012-tatarstan-mufti-attack",
        "2012-08-ingushetia-funeral-suicide-bombing",
        "2012-08-khasavyurt-mosque-shooting",
        "2012-08-20-khasavyurt-soldiers-shot",
        "2012-08-kabardino-balkaria-police-chief-attempt",
    ],
    [
        "2012-05-25-ridder-arsenal-seizure",
        "2012-atyrau-accidental-self-explosion",
        "2012-08-khasavyurt-mosque-shooting",
        "2012-08-20-khasavyurt-soldiers-shot",
        "2012-08-kazan-car-explosion",
    ],
]
# The first expected incident's lon, lat as the table gives them.
FIRST_POINTS = [[51.88427, 47.10480], [45.00079, 43.12487], [83.51562, 50.34524]]
CASES = list(zip(FILTERS, EXPECTED_IDS, FIRST_POINTS, strict=True))


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return load_dataset(FROZEN_CSV)


@pytest.mark.parametrize(("filters", "expected", "first"), CASES)
def test_csv_rows_equal_the_filter(
    shipped: Dataset, filters: Filters, expected: list[str], first: list[float]
) -> None:
    rows = list(csv.DictReader(io.StringIO(export_text(shipped, filters, "csv"))))
    assert [r["incident_id"] for r in rows] == expected
    assert all(r["claims"] for r in rows)  # every shipped incident has its claims inline


@pytest.mark.parametrize(("filters", "expected", "first"), CASES)
def test_geojson_features_equal_the_filter(
    shipped: Dataset, filters: Filters, expected: list[str], first: list[float]
) -> None:
    doc = json.loads(export_text(shipped, filters, "geojson"))
    assert [f["properties"]["incident_id"] for f in doc["features"]] == expected
    feature = doc["features"][0]
    assert feature["geometry"]["coordinates"] == pytest.approx(first)
    assert feature["properties"]["claims"] and feature["properties"]["cited_sources"]
    assert feature["properties"]["cited_sources"][0]["title"]


def test_aktobe_geojson_keeps_every_claim(shipped: Dataset) -> None:
    doc = json.loads(
        export_text(
            shipped,
            Filters(start=None, regions=("Aktobe",), years=(2016,), types=("armed_attack",)),
            "geojson",
        )
    )
    (feature,) = doc["features"]
    assert sorted(int(c["killed"]) for c in feature["properties"]["claims"]) == [7, 17, 17, 21]


def test_html_export_is_offline_and_filtered(shipped: Dataset) -> None:
    page = export_text(shipped, FILTERS[0], "html")
    assert external_refs(page) == []
    assert page.count("Incidents by city (2)") == 2  # the layer control, the frame's note


def test_snapshot_bytes_follow_the_filter(shipped: Dataset) -> None:
    filters = FILTERS[0]
    chosen = shipped.incidents[shipped.incidents["incident_id"].isin(EXPECTED_IDS[0])]
    svg = snapshot_bytes(
        chosen, filters, fmt="svg", frame=MapFrame(size="800x450", dpi=100)
    ).decode()
    assert sorted(re.findall(r'id="incident-([^"]+)"', svg)) == EXPECTED_IDS[0]
    assert "regions: Atyrau" in svg


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, timeout=180
    )


def test_cli_snapshot_png(tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "atyrau-2011.png"
    result = run_cli(
        "snapshot", "--year", "2011", "--region", "Atyrau", "--dpi", "100", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size == (1169, 827)  # A4 landscape at 100 dpi


def test_cli_export_geojson(tmp_path: Path) -> None:
    out = tmp_path / "ru.geojson"
    result = run_cli("export", "--country", "RU", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(out.read_text())["features"]) == 7


def test_cli_empty_filter_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "none.csv"
    result = run_cli("export", "--year", "2014", "--out", str(out))
    assert result.returncode == 1
    assert "no incident matches the filters" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--region", "Xyzzy"], "unknown region 'Xyzzy' (give a region's name"),
        (["--region", "Atyrauu"], "unknown region 'Atyrauu'; did you mean 'Atyrau'"),
        (["--type", "riot"], "unknown event type(s) 'riot'; valid types: armed_attack"),
    ],
)
def test_cli_unknown_names_list_the_choices(tmp_path: Path, args: list[str], expected: str) -> None:
    result = run_cli("snapshot", *args, "--out", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert expected in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_cli_timelapse(tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "lapse.gif"
    result = run_cli(
        "timelapse", "--freq", "year", "--out", str(out), "--frames", str(tmp_path / "frames")
    )
    assert result.returncode == 0, result.stderr
    assert Image.open(out).n_frames == 6  # 2011 to 2016
    assert len(list((tmp_path / "frames").glob("*.png"))) == 6


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--size", "foo", "--out", "{tmp}/x.png"], "unknown size 'foo'"),
        (["--out", "{tmp}/x.jpg"], "unknown snapshot type 'jpg'"),
        (["--format", "svg", "--out", "{tmp}/x.png"], "the name says .png but --format is svg"),
        (["--out", "{tmp}/missing/x.png"], "no such folder for x.png"),
    ],
)
def test_cli_snapshot_bad_arguments_are_clear(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    result = run_cli("snapshot", *[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_one_export_function_gives_every_format_as_bytes(shipped: Dataset) -> None:
    from geo.errors import FilterError, UsageError
    from geo.export import MIME_TYPES, ExportOptions, export

    options = ExportOptions(size="640x400", dpi=100)
    starts = {
        "csv": b"incident_id,",
        "geojson": b"{",
        "html": b"<!DOCTYPE html>",
        "png": b"\x89PNG",
        "svg": b"<?xml",
        "pdf": b"%PDF",
        "gif": b"GIF8",
        "zip": b"PK\x03\x04",  # a ZIP's local file header
    }
    assert set(starts) == set(MIME_TYPES)
    for fmt, start in starts.items():
        assert export(shipped, FILTERS[0], fmt, options).startswith(start), fmt
    rows = list(csv.DictReader(io.StringIO(export(shipped, FILTERS[0], "csv").decode())))
    assert [r["incident_id"] for r in rows] == EXPECTED_IDS[0]
    with pytest.raises(FilterError):
        export(shipped, Filters(regions=("Pavlodar",)), "png", options)
    with pytest.raises(UsageError):
        export(shipped, FILTERS[0], "xlsx")


def test_every_export_of_a_table_from_five_continents() -> None:
    from PIL import Image

    from geo.export import ExportOptions, export
    from geo.tables import load_dataset

    world = load_dataset(Path(__file__).parent / "data" / "world.csv")
    borno = Filters(regions=("NG-BORNO",)).normalised()  # the code names the region
    rows = list(csv.DictReader(io.StringIO(export(world, borno, "csv").decode())))
    assert [r["incident_id"] for r in rows] == ["w-maiduguri", "w-borno-region"]
    assert {r["region"] for r in rows} == {"Borno"}
    features = json.loads(export(world, Filters(), "geojson"))["features"]
    assert len(features) == 12
    assert b"Incidents by city (12)" in export(world, Filters(), "html")
    png = export(world, Filters(), "png", ExportOptions(size="800x500", dpi=100, extent="world"))
    assert Image.open(io.BytesIO(png)).size == (800, 500)


def test_a_csv_export_reads_back_with_its_claims_and_sources(tmp_path: Path) -> None:
    from geo.cli import main

    out = tmp_path / "sel.csv"
    assert main(["export", "--year", "2012", "--out", str(out)]) == 0
    exported = load_dataset(out)
    ids = set(exported.incidents["incident_id"])
    # The claims of those incidents, read from tests/fixtures/claims.csv, not by the exporter.
    shipped = list(csv.DictReader(FROZEN_CSV.with_name("claims.csv").open(encoding="utf-8")))
    expected = sorted((c["incident_id"], c["source"], c["paragraph"]) for c in shipped
                      if c["incident_id"] in ids)  # fmt: skip
    got = sorted(zip(exported.claims["incident_id"], exported.claims["source"],
                     exported.claims["paragraph"].astype(str)))  # fmt: skip
    assert got == expected and len(got) > 0
    assert (tmp_path / "sel.sources.csv").exists() and len(exported.sources) > 0


def test_claims_beside_an_export_are_safe_in_a_spreadsheet(tmp_path: Path) -> None:
    from geo.export import write_claims_beside
    from geo.query import table_of

    data = load_dataset(FROZEN_CSV)
    data.claims = data.claims.copy()
    data.claims.loc[data.claims.index[0], "note"] = '=HYPERLINK("http://x","y")'
    written = write_claims_beside(table_of(data), Filters(), tmp_path / "x.csv")
    text = written[0].read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_an_export_without_claims_replaces_the_claims_an_earlier_one_left(tmp_path: Path) -> None:
    from geo.cli import main

    out = tmp_path / "x.csv"
    assert main(["export", "--year", "2012", "--out", str(out)]) == 0
    assert len(load_dataset(out).claims) > 0
    # The same incidents with no claims and no sources file beside them.
    bare = tmp_path / "bare.csv"
    load_dataset(FROZEN_CSV).incidents.drop(columns="geometry").to_csv(bare, index=False)
    assert main(["export", "--data", str(bare), "--year", "2012", "--out", str(out)]) == 0
    assert load_dataset(out).claims.empty  # not the first export's claims


def test_ids_that_look_like_formulas_still_match_beside_the_export(tmp_path: Path) -> None:
    from geo.export import write_claims_beside, write_export
    from geo.query import table_of

    data = load_dataset(FROZEN_CSV)
    first = data.incidents["incident_id"].iloc[0]
    old_source = data.sources["source_id"].iloc[0]
    data.sources = data.sources.replace({old_source: "-001_x"})
    data.claims = data.claims.replace({old_source: "-001_x", first: "=id"})
    data.incidents = data.incidents.replace({first: "=id"})
    data.incidents["sources"] = data.incidents["sources"].str.replace(old_source, "-001_x")
    table, out = table_of(data), tmp_path / "x.csv"
    write_export(table, Filters(), out)
    write_claims_beside(table, Filters(), out)
    back = load_dataset(out)  # every reference still names what is beside it
    assert "'=id" in set(back.incidents["incident_id"])
    assert "'-001_x" in set(back.sources["source_id"])


def test_an_export_never_overwrites_its_table_or_a_folder(tmp_path: Path) -> None:
    from geo.cli import main

    table = tmp_path / "t.csv"
    load_dataset(FROZEN_CSV).incidents.drop(columns="geometry").to_csv(table, index=False)
    before = table.read_bytes()
    assert main(["export", "--data", str(table), "--out", str(table)]) == 1
    assert table.read_bytes() == before
    (tmp_path / "y.claims.csv").mkdir()
    assert main(["export", "--out", str(tmp_path / "y.csv")]) == 1
    assert not (tmp_path / "y.csv").exists()  # nothing half written


def test_an_hxl_export_carries_hashtags_and_reads_back(tmp_path: Path) -> None:
    from geo.cli import main

    out = tmp_path / "h.csv"
    assert main(["export", "--year", "2012", "--hxl", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    header, tags = lines[0].split(","), lines[1].split(",")
    # HXL 1.1: dates, admin-1 name, coordinates, killed (the best figure)
    assert tags[header.index("date_start")] == "#date+start"
    assert tags[header.index("region")] == "#adm1+name"
    assert tags[header.index("lat")] == "#geo+lat"
    assert tags[header.index("killed_best")] == "#affected+killed"
    plain = tmp_path / "p.csv"
    assert main(["export", "--year", "2012", "--out", str(plain)]) == 0
    assert list(load_dataset(out).incidents["incident_id"]) == list(
        load_dataset(plain).incidents["incident_id"]
    )


def test_a_problem_under_an_hxl_row_is_named_by_its_line(tmp_path: Path) -> None:
    from geo.errors import DataError

    path = tmp_path / "t.csv"
    path.write_text(
        "incident_id,date_start,lat,lon,event_type\n"
        "#event+id,#date+start,#geo+lat,#geo+lon,#event+type\n"
        "a,2012-01-01,43.2,76.9,unrest\n"
        "b,2012-01-02,north,76.9,unrest\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="row 4, column 'lat'"):
        load_dataset(path)


def test_the_html_download_carries_its_basemap_whatever_the_dashboard_serves() -> None:
    from geo.export import ExportOptions, export
    from geo.tables import load_dataset
    from geo.webmap.build import MapOptions

    shipped = load_dataset(FROZEN_CSV)
    served = MapOptions(basemap_url="../../app/static/vendor/basemap-x.json")
    page = export(shipped, Filters(), "html", ExportOptions(map=served)).decode()
    assert "basemap-x.json" not in page  # the server's address means nothing in a file
    assert '"outlines":' in page  # the country outlines are in the page itself
