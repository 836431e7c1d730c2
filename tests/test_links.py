"""A link's query string is bounded before anything is looked up: a crafted link costs a page
load what an ordinary one does, and says what it left out."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from geo.filters import MAX_QUERY_VALUES, Filters
from tests.apptest import failures, start
from tests.tables import FROZEN_CSV


def test_thousands_of_names_are_cut_before_any_is_looked_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fuzzy_search(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError("a link's name was searched for spelling suggestions")

    monkeypatch.setattr(difflib, "get_close_matches", no_fuzzy_search)
    names = ",".join(f"q{i}" for i in range(8000))
    filters, notes = Filters.parse_query({"region": f"Atyrau,{names}", "type": "bombing"})
    assert filters.regions == ("Atyrau",) and filters.types == ("bombing",)
    assert "region: 8,001 values given; only the first 100 are read" in notes
    assert sum("is not a known region" in n for n in notes) == MAX_QUERY_VALUES - 1


def test_repeated_parameters_and_long_values_are_bounded() -> None:
    query = {"year": ["2016"] * 5000, "country": ["K" * 100_000, "kz"]}
    query |= {f"junk{i}": ["1"] for i in range(3000)}
    filters, notes = Filters.parse_query(query)
    assert filters.years == (2016,) and filters.countries == ("KZ",)
    assert "year: 5,000 values given; only the first 100 are read" in notes
    assert any("longer than 200 characters" in n for n in notes)
    unknown = next(n for n in notes if n.startswith("unknown parameter"))
    assert unknown.endswith("and 2,995 more") and len(unknown) < 200


def test_a_crafted_link_loads_the_dashboard_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ",".join(f"q{i}" for i in range(8000))
    at = start(monkeypatch, query={"region": names, "year": "2016"})
    assert not failures(at), failures(at)
    shown = " ".join(w.value.replace("\\", "") for w in at.sidebar.warning)
    assert "8,000 values given; only the first 100 are read" in shown


def test_an_area_travels_in_the_link_and_on_the_command_line() -> None:
    from geo.filters import Filters

    wanted, notes = Filters.parse_query({"area": "46,40,56,49.5"})
    assert wanted.area == (46.0, 40.0, 56.0, 49.5) and notes == []
    assert wanted.to_query() == {"area": ["46,40,56,49.5"]}
    assert wanted.to_cli() == ["--bbox", "46,40,56,49.5"]
    assert "in the area 46,40,56,49.5" in wanted.describe()
    # hostile or wrong boxes are left out, each with a note
    for bad in ("1,2,3", "nan,1,2,3", "1,2,3,4,5", "-200,0,10,10", "0,50,10,40",
                "0,0,1e400,1", "1,2,3,4' OR '1'='1", "9" * 300):  # fmt: skip
        kept, said = Filters.parse_query({"area": bad})
        assert kept.area is None and len(said) == 1, bad


def test_the_area_narrows_the_dashboard(monkeypatch: pytest.MonkeyPatch) -> None:
    # the frozen table inside 46-56 E, 40-49 N (by hand from tests/fixtures/incidents.csv, which
    # the run's INCIDENT_ATLAS_DATA names): Atyrau's 5 incidents, Zhanaozen's 1 and Khasavyurt's
    # 2; Aktobe (57.2 E) is outside
    at = start(monkeypatch, query={"area": "46,40,56,49"})
    assert not failures(at), failures(at)
    assert at.text_input(key="f_area").value == "46,40,56,49"
    assert next(m.value for m in at.metric if m.label == "Incidents") == "8"
    at.text_input(key="f_area").set_value("").run()
    assert next(m.value for m in at.metric if m.label == "Incidents") == "33"


def test_the_command_line_takes_a_box(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "box.csv"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "export", "--bbox", "46,40,56,49", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and ": 8 incidents" in done.stdout  # as counted above
    refused = subprocess.run(
        [sys.executable, "-m", "geo", "export", "--bbox", "46,40,56", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode == 2 and "is not an area" in refused.stderr


def test_a_popup_links_to_its_incident_and_the_link_opens_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from geo.tables import load_dataset
    from geo.webmap.popups import popup_html

    row = load_dataset(FROZEN_CSV).incidents.iloc[0].to_dict()
    hostile = {**row, "incident_id": "x'><script>alert(1)</script>&y=1"}
    html = popup_html(hostile, None)
    assert "<script>" not in html and "?id=x%27%3E%3Cscript%3Ealert%281%29" in html
    assert f"href='?id={row['incident_id']}'" in popup_html(row, None)
    # the link opens that one incident
    at = start(monkeypatch, query={"id": row["incident_id"]})
    assert not failures(at), failures(at)
    assert next(m.value for m in at.metric if m.label == "Incidents") == "1"
    wanted, notes = Filters.parse_query({"id": row["incident_id"]})
    assert wanted.to_cli() == ["--id", row["incident_id"]] and notes == []


TRIANGLE = "46 40,56 40,46 49"
"""46 E 40 N, 56 E 40 N, 46 E 49 N: of the frozen table, only Khasavyurt's 2 incidents (43.25 N,
46.59 E: 0.59 east of 46 where the edge lies 6.4 east) are inside; Atyrau's (47.10 N, 51.88 E)
lie east of the edge (2.1 east of 46 there), Zhanaozen's (43.34 N, 52.86 E) too (6.3)."""


def test_a_drawn_area_travels_in_the_link_and_is_bounded() -> None:
    from geo.facets import MAX_VERTICES

    wanted, notes = Filters.parse_query({"within": TRIANGLE})
    assert wanted.within == (((46.0, 40.0), (56.0, 40.0), (46.0, 49.0)),) and notes == []
    assert wanted.to_query() == {"within": [TRIANGLE]}
    assert "in a drawn area (3 points)" in wanted.describe()
    many = ",".join(f"{i % 90} {i % 80}" for i in range(MAX_VERTICES + 1))
    for bad in ("46 40,56 40", "46 40,56 40,nan 49", "46 40,56 40,46", "1 2,3 4,5 6' OR '1'='1",
                "46 40,56 40,46 99", many, "9" * 30_000, ";", "46 40,56 40,46 49;1 1"):  # fmt: skip
        kept, said = Filters.parse_query({"within": bad})
        assert kept.within is None and len(said) == 1, bad[:40]


def test_a_drawn_area_narrows_the_dashboard_and_clears_in_one_click(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = start(monkeypatch, query={"within": TRIANGLE})
    assert not failures(at), failures(at)
    assert next(m.value for m in at.metric if m.label == "Incidents") == "2"
    said = [c.value.replace("\\", "") for c in at.sidebar.caption]
    assert "Drawn area (3 points): only the incidents in it" in said
    at.sidebar.button(key="clear_within").click().run()
    assert next(m.value for m in at.metric if m.label == "Incidents") == "33"


def test_the_command_line_reads_an_area_from_a_geojson_file(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    def export(area: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "geo", "export", "--within", str(area),
             "--out", str(tmp_path / "out.csv")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip

    ring = [[46, 40], [56, 40], [46, 49], [46, 40]]
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "<b>x</b>"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))  # fmt: skip
    done = export(area)
    assert done.returncode == 0, done.stderr
    assert ": 2 incidents" in done.stdout  # Khasavyurt's two, as counted above
    for name, text, said in (
        ("text.geojson", "not json", "not a GeoJSON file"),
        ("point.geojson", '{"type": "Point", "coordinates": [1, 2]}', "no Polygon"),
        ("deep.geojson", "[" * 100_000, "not a GeoJSON file"),
        (
            "big.geojson",
            json.dumps(
                {"type": "Polygon", "coordinates": [[[i % 90, i % 80] for i in range(2000)]]}
            ),
            "at most 100",
        ),  # fmt: skip
        (
            "metres.geojson",
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [[[500000, 4000000], [600000, 4000000], [500000, 4100000]]],
                }
            ),
            "EPSG:4326",
        ),  # fmt: skip
        ("strings.geojson", '{"type": "Polygon", "coordinates": [[["a", "b"]]]}', "longitude"),
    ):
        (tmp_path / name).write_text(text)
        refused = export(tmp_path / name)
        assert refused.returncode == 2 and said in refused.stderr, (name, refused.stderr)
    missing = export(tmp_path / "none.geojson")
    assert missing.returncode == 2 and "cannot read the area file" in missing.stderr


def test_a_shape_drawn_on_the_map_is_the_area_it_outlines() -> None:
    from geo.webmap.view import filter_of_drawing

    ring = [[46, 40], [56, 40], [46, 49], [46, 40]]
    drawn = {"type": "Feature", "properties": {"atlas": "drawn"},
             "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip
    assert filter_of_drawing(drawn) == ("within", TRIANGLE)
    box = {**drawn, "properties": {}}  # shift and drag
    assert filter_of_drawing(box) == ("area", "46,40,56,49")
    assert filter_of_drawing({**drawn, "properties": {"region": "Atyrau"}}) is None
    for hostile in ([[[1, 1], [2, 2]]], [[["<b>", 1], [2, 2], [3, 3]]], "x", [[]]):
        assert filter_of_drawing({**drawn, "geometry": {"coordinates": hostile}}) is None


def test_a_source_with_a_web_address_is_a_link_and_no_other_scheme_is() -> None:
    from geo.tables import load_dataset
    from geo.webmap.popups import popup_html

    row = load_dataset(FROZEN_CSV).incidents.iloc[0].to_dict()
    linked = {**row, "sources": "https://news.example/a?b=1&c=2;javascript:alert(1);plain"}
    html = popup_html(linked, None)
    assert "<a href='https://news.example/a?b=1&amp;c=2' target='_blank'" in html
    assert "rel='noopener noreferrer'" in html
    assert "href='javascript" not in html and "javascript:alert(1)" in html  # shown as text
    quoted = popup_html({**row, "sources": "https://x.example/'onmouseover='alert(1)"}, None)
    assert "href" not in quoted.split("Sources:")[1].split("<a class='atlas-open'")[0]


def test_a_link_to_one_incident_opens_its_popup_on_the_map() -> None:
    from geo.query import table_of
    from geo.tables import load_dataset
    from geo.webmap.build import MapOptions
    from geo.webmap.view import map_of

    dataset = load_dataset(FROZEN_CSV)
    engine = table_of(dataset).engine
    one = Filters(ids=(str(dataset.incidents["incident_id"].iloc[0]),))
    assert "openPopup()" in map_of(engine, one, MapOptions()).get_root().render()
    assert "openPopup()" not in map_of(engine, Filters(), MapOptions()).get_root().render()


def test_a_drawn_area_of_many_corners_survives_the_link(monkeypatch: pytest.MonkeyPatch) -> None:
    import math

    from geo.facets import parse_within, within_text

    # a circle of 90 corners, 3.5 degrees round 49 E 43.5 N: Khasavyurt's 2 (43.25 N 46.59 E,
    # 2.4 away) and Zhanaozen's 1 (43.34 N, 52.86 E: 3.9 away) by hand: only Khasavyurt's
    turns = [2 * math.pi * k / 90 for k in range(90)]
    ring = [(49 + 3.5 * math.cos(t), 43.5 + 3.5 * math.sin(t)) for t in turns]
    text = within_text((tuple(ring),))
    assert len(text) > 1000 and parse_within(text) is not None  # far past 200 characters
    wanted, notes = Filters.parse_query({"within": text})
    assert notes == [] and wanted.within is not None and len(wanted.within[0]) == 90
    at = start(monkeypatch, query={"within": text})
    assert not failures(at), failures(at)
    assert next(m.value for m in at.metric if m.label == "Incidents") == "2"


def test_an_area_across_the_180th_meridian_goes_the_short_way(tmp_path: Path) -> None:
    from geo.facets import parse_within
    from geo.query import table_of
    from geo.tables import load_dataset
    from geo.webmap.view import filter_of_drawing, view_of

    path = tmp_path / "fiji.csv"
    path.write_text(
        "incident_id,date_start,place,country,lat,lon,event_type\n"
        "suva,2019-01-01,Suva,FJ,-18.14,178.44,unrest\n"
        "taveuni,2019-01-01,Taveuni,FJ,-16.85,-179.95,unrest\n"
        "lau,2019-01-01,Lau,FJ,-17.5,-178.8,unrest\n"
        "far,2019-01-01,Far,FJ,-17.5,170.0,unrest\n",
        encoding="utf-8",
    )
    engine = table_of(load_dataset(path)).engine
    # 178 E to 179 W (181 E), 19 S to 16 S: Suva (178.44) and Taveuni (180.05), not Lau (181.2)
    rings = parse_within("178 -19,-179 -19,-179 -16,178 -16")
    assert rings == (((178.0, -19.0), (181.0, -19.0), (181.0, -16.0), (178.0, -16.0)),)
    kept = engine.rows(Filters(within=rings))
    assert sorted(kept["incident_id"]) == ["suva", "taveuni"]
    # drawn on the map east of 180, as Leaflet gives it: the same area
    drawn = {
        "type": "Feature",
        "properties": {"atlas": "drawn"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[178, -19], [181, -19], [181, -16], [178, -16]]],
        },
    }
    kind, text = filter_of_drawing(drawn)
    assert kind == "within" and parse_within(text) == rings
    # a view across it is an area across it (west above east), not one cut at 180
    view = {"_southWest": {"lat": -20, "lng": 170}, "_northEast": {"lat": -10, "lng": 185}}
    assert view_of(view) == (170.0, -20.0, -175.0, -10.0)
