"""The map builder, tested on its HTML: symbols, regions, escaping, and no CDN."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.filters import Filters
from geo.tables import Dataset, load_dataset
from geo.webmap.assets import offline_map, standalone_html
from geo.webmap.build import MapOptions, build_map, grid_cells
from tests.tables import FROZEN_CSV
from tests.tables import kept as filter_incidents

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "back`tick",
    "${alert(1)}",
    "javascript:alert(1)",
]


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return load_dataset(FROZEN_CSV)


def symbol_rows(html: str) -> list[list[object]]:
    match = re.search(r"var data = (\[.*?\]);\s*\n", html, flags=re.S)
    assert match, "no incident data in the map"
    return list(json.loads(match.group(1)))


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.refs.append(str(a["src"]))
        if tag == "link" and a.get("href"):
            self.refs.append(str(a["href"]))


def external_refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return [r for r in parser.refs if r.startswith(("http://", "https://", "//"))]


def legend_of(page: str) -> str:
    """The legend's HTML, as the map's script puts it in (a JSON string)."""
    (text,) = re.findall(r'box\.innerHTML = ("(?:[^"\\]|\\.)*");', page)
    return str(json.loads(text))


def test_one_symbol_per_incident_for_a_filter(shipped: Dataset) -> None:
    chosen = filter_incidents(shipped.incidents, Filters(years=(2011,)))
    html = build_map(chosen, claims=shipped.claims).get_root().render()
    rows = symbol_rows(html)
    assert len(rows) == len(chosen) == 10
    # Each symbol carries its precision class: 0 exact, 1 approximate (district), 2 coarse.
    # 2011 in tests/fixtures/incidents.csv, by hand: 7 located to the city, the two Temir district
    # incidents, and the Almaty Region operation of 3 December located to the region.
    classes = sorted(int(r[4]) for r in rows)
    assert classes == [0] * 7 + [1] * 2 + [2]


def test_region_shapes_and_figures_present(shipped: Dataset) -> None:
    html = build_map(shipped.incidents, claims=shipped.claims).get_root().render()
    for region in ("Atyrau", "Aktobe", "Almaty City", "Zhambyl", "Dagestan"):
        assert f'"region":"{region}"' in html  # the shape
        assert re.search(f'"{region}":\\[[1-9]', html)  # its figures: incidents, killed, fill
    features = html.count('"type": "Feature"') + html.count('"type":"Feature"')
    assert features >= 21 + 30  # regions + country outlines
    killed = build_map(shipped.incidents, options=MapOptions(metric="killed")).get_root().render()
    assert "Killed per region (best)</b>" in legend_of(killed)


def test_popups_keep_every_claim(shipped: Dataset) -> None:
    chosen = shipped.incidents[shipped.incidents["incident_id"] == "2016-06-05-aktobe-attack"]
    rows = symbol_rows(build_map(chosen, claims=shipped.claims).get_root().render())
    popup = str(rows[0][5])
    assert "7–21 (best 17)" in popup
    for source in (
        "000_b01b73891350e37e",
        "001_877946554ffe2060",
        "003_2f11906d63638778",
        "004_5f5978043113cffd",
    ):
        assert source in popup


@pytest.mark.parametrize("text", HOSTILE)
def test_data_text_is_escaped(shipped: Dataset, text: str) -> None:
    incidents = shipped.incidents.head(3).copy()
    for column in ("place", "summary", "perpetrator", "sources"):
        incidents[column] = text
    claims = shipped.claims[shipped.claims["incident_id"].isin(incidents["incident_id"])].copy()
    claims["note"] = text
    claims["source"] = text
    html = offline_map(build_map(incidents, claims=claims)).get_root().render()
    if text.startswith("javascript:"):
        # Harmless as text; it must never become a link or a source.
        assert not re.search(r"""(href|src)\s*=\s*["']?javascript:""", html)
    else:
        assert text not in html
    assert "<img src=x" not in html
    assert "<script>alert(1)" not in html


def test_no_cdn_in_the_dashboard_map_or_the_export(shipped: Dataset) -> None:
    fmap = offline_map(build_map(shipped.incidents, claims=shipped.claims))
    assert external_refs(fmap.get_root().render()) == []
    page = standalone_html(build_map(shipped.incidents, claims=shipped.claims))
    assert external_refs(page) == []
    assert "L.map(" in page or "L.map (" in page


def test_large_sets_are_aggregated(shipped: Dataset) -> None:
    many = pd.concat([shipped.incidents] * 100, ignore_index=True)  # 3,300 incidents
    rows = symbol_rows(build_map(many, options=MapOptions(max_symbols=500)).get_root().render())
    assert len(rows) <= 500
    assert sum(int(r[7]) for r in rows) == len(many)  # every incident counted in a cell


def test_grid_cells_keep_counts_and_deaths(shipped: Dataset) -> None:
    cells = grid_cells(shipped.incidents, max_cells=5)
    assert len(cells) <= 5
    assert cells["count"].sum() == len(shipped.incidents)
    assert cells["killed"].sum() == shipped.incidents["killed_best"].fillna(0).sum()


@pytest.mark.parametrize("max_cells", [10, 300, 5_000])
def test_grid_cells_are_the_cells_of_the_first_size_that_fits(max_cells: int) -> None:
    """The cells are those of squares of 0.05 degrees doubled until few enough, counted here
    the plain way: every incident's cell at each size in turn, east and west, north and south."""
    rng = np.random.default_rng(3)
    n = 60_000
    table = pd.DataFrame(
        {
            "lat": rng.uniform(-60, 75, n),
            "lon": rng.uniform(-180, 180, n),
            "killed_best": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "geo_precision": "city",
            "event_type": rng.choice(["armed_attack", "bombing", "unrest"], n),
        }
    )
    size = 0.05
    while True:
        keys = list(zip(np.floor(table["lat"] / size), np.floor(table["lon"] / size)))
        counts = pd.Series(keys).value_counts()
        if len(counts) <= max_cells:
            break
        size *= 2
    cells = grid_cells(table, max_cells=max_cells)
    assert sorted(cells["count"]) == sorted(counts)
    assert cells["killed"].sum() == table["killed_best"].sum()


def test_map_names_sources_shades_with_a_key_and_keeps_clusters_neutral() -> None:
    from geo.symbology import TYPE_COLOURS
    from geo.tables import load_dataset

    dataset = load_dataset(FROZEN_CSV)
    page = (
        build_map(dataset.incidents, claims=dataset.claims, sources=dataset.sources)
        .get_root()
        .render()
    )
    # A source by its title and outlet (tests/fixtures/sources.csv), with its id in small print.
    assert "What Next After Kazak Shootings? (IWPR" in page
    # The key of the region shading: Almaty Region has the most incidents, 6
    # (tests/fixtures/incidents.csv, counted by hand), so the darkest class ends at 6.
    legend = legend_of(page)
    assert "Incidents per region</b>" in legend and "5–6" in legend
    # Clusters drawn in greys, in no type's colour.
    css = page[
        page.index(".marker-cluster-small") : page.index(
            "</style>", page.index(".marker-cluster-small")
        )
    ]
    assert not any(colour in css for colour in TYPE_COLOURS.values())
    assert '"collapsed": true' in page  # the layer control is folded


def test_a_cluster_click_zooms_no_closer_than_a_city(shipped: Dataset) -> None:
    page = build_map(shipped.incidents).get_root().render()
    assert '"maxZoom": 13,' in page  # then the cluster spreads out (spiderfyOnMaxZoom)
    assert '"spiderfyOnMaxZoom": true' in page


def test_the_legend_lists_only_the_precision_classes_on_the_map(shipped: Dataset) -> None:
    exact = shipped.incidents[shipped.incidents["geo_precision"].isin(["point", "city"])]
    page = legend_of(build_map(exact).get_root().render())
    assert "to the place or city" in page
    assert "to a district or area" not in page and "only to the region or country" not in page
    everything = legend_of(build_map(shipped.incidents).get_root().render())
    assert "to a district or area" in everything and "only to the region or country" in everything


def test_the_legend_lists_only_the_event_types_on_the_map(shipped: Dataset) -> None:
    legend = legend_of

    # the frozen seed table's suicide bombings only: the legend lists that type alone
    bombings = shipped.incidents[shipped.incidents["event_type"] == "suicide_bombing"]
    shown = legend(build_map(bombings).get_root().render())
    assert "suicide bombing" in shown and "armed attack" not in shown and "unrest" not in shown
    everything = legend(build_map(shipped.incidents).get_root().render())
    assert "armed attack" in everything and "unrest" in everything


def test_a_table_across_the_180th_meridian_opens_on_it(tmp_path: Path) -> None:
    """Suva (178.4 E) and Taveuni (179.95 W), Fiji: the map opens east of 180, not on the
    whole world."""
    path = tmp_path / "fiji.csv"
    path.write_text(
        "incident_id,date_start,place,country,lat,lon,event_type\n"
        "a,2019-01-01,Suva,FJ,-18.14,178.44,unrest\n"
        "b,2019-01-01,Taveuni,FJ,-16.85,-179.95,unrest\n",
        encoding="utf-8",
    )
    html = build_map(load_dataset(path).incidents).get_root().render()
    (bounds,) = re.findall(r"fitBounds\(\s*\[\[(.*?)\]\]", html, re.S)
    south, west, north, east = (float(v) for v in re.findall(r"-?\d+\.?\d*", bounds))
    assert 175 < west < 178.44 and 180.05 < east < 185 and south < -18.14 < -16.85 < north


def test_points_all_round_the_world_stay_where_the_basemap_is() -> None:
    import numpy as np

    from geo.symbology import unwrap_longitudes

    # A world table: from -179.6 to 179.8 as given (359.4 degrees), 355.9 wrapped: no gain
    # worth leaving the basemap for.
    world = np.array([-179.6, -100.0, -60.0, 0.0, 30.0, 120.0, 179.8])
    assert list(unwrap_longitudes(world)) == list(world)
    # Chukotka and Alaska with the Russian Far East: 171 degrees east of 180 when wrapped.
    east = np.array([150.0, 177.0, -175.0, -170.0])
    assert list(unwrap_longitudes(east)) == [150.0, 177.0, 185.0, 190.0]


def test_the_area_kept_is_drawn_as_a_dashed_box() -> None:
    from geo.filters import Filters
    from geo.query import open_engine, table_files
    from geo.webmap.build import MapOptions
    from geo.webmap.view import map_of

    engine = open_engine(table_files(FROZEN_CSV))
    boxed = map_of(engine, Filters(area=(46.0, 40.0, 56.0, 49.0)), MapOptions())
    page = boxed.get_root().render()
    dashed = '"dashArray": "6 4"'
    assert page.count(dashed) == 1 and "[[40.0, 46.0], [49.0, 56.0]]" in page
    across = map_of(engine, Filters(area=(170.0, -60.0, 10.0, 60.0)), MapOptions())
    assert across.get_root().render().count(dashed) == 2  # either side of 180
    assert dashed not in map_of(engine, Filters(), MapOptions()).get_root().render()


def test_a_box_drawn_on_the_map_is_an_area_and_nothing_else_is() -> None:
    from geo.webmap.view import area_of_drawing

    box = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[46, 40], [46, 49], [56, 49], [56, 40], [46, 40]]]}}  # fmt: skip
    assert area_of_drawing(box) == "46,40,56,49"
    region = {**box, "properties": {"region": "Atyrau"}}  # a region clicked
    assert area_of_drawing(region) == ""
    rings = ([[]], [[["a", 1]]], [[[1, 1], [1, 1]]])  # empty, not numbers, no area
    for hostile in ({}, {"geometry": "x"}, *({"geometry": {"type": "Polygon", "coordinates": r}}
                                            for r in rings)):  # fmt: skip
        assert area_of_drawing(hostile) == ""
    # beyond the world it is cut to it
    wide = {"properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[-200, -95], [200, 95]]]}}  # fmt: skip
    assert area_of_drawing(wide) == "-180,-90,180,90"


def test_play_counts_each_incident_in_its_middle_days_period() -> None:
    from geo.webmap.play import play_periods

    frame = pd.DataFrame(
        {
            "date_start": pd.to_datetime(["2020-01-10", "2020-02-01", "2020-04-05"]),
            "date_end": pd.to_datetime(["2020-01-10", "2020-03-31", "2020-04-05"]),
        }
    )
    # months (a few months of data): the second's middle day is 1 March; March has it, and
    # February, with none, is still a period
    numbers, labels = play_periods(frame)
    assert labels == ["2020-01", "2020-02", "2020-03", "2020-04"]
    assert numbers.tolist() == [0, 2, 3]
    years = frame.copy()
    years.loc[2, ["date_start", "date_end"]] = pd.Timestamp("2035-06-01")
    assert play_periods(years)[1][:2] == ["2020", "2021"]  # fifteen years: by year


def test_symbols_coloured_by_an_actor_list_the_actors_in_the_legend() -> None:
    from geo.webmap.build import MapOptions
    from geo.webmap.colour_by import colour_key

    table = load_dataset(Path("tests/data/formats/acled.csv")).incidents
    # actor1 of the fixture's 9 incidents, by hand: the Unidentified Armed Group 3 times, each
    # other actor once (by name after it)
    codes, colours, items = colour_key(table, "actor1")
    assert items is not None and [v for v, _ in items] == [
        "Unidentified Armed Group (Nigeria)",
        "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad",
        "Military Forces of Nigeria (2015-2023)", "Military Forces of Nigeria (2023-)",
        "Police Forces of Nigeria (2015-2023)", "Protesters (Benin)", "{{7*7}} ${alert(1)}",
    ]  # fmt: skip
    assert codes.tolist()[:3] == [0, 2, 3] and colours[0] == dict(items)[items[0][0]]
    hostile = table.assign(actor1=["<b>x</b>"] + [""] * (len(table) - 1))
    page = build_map(hostile, options=MapOptions(colour_by="actor1")).get_root().render()
    legend = legend_of(page)
    assert "Actor (first side)" in legend and "&lt;b&gt;x&lt;/b&gt;" in legend
    assert "other or none" in legend and "<b>x</b>" not in legend


def _four_in_nigeria(tmp_path: Path) -> Path:
    """Three incidents in one 0.05-degree cell of Lagos (3.38-3.40 E, 6.45-6.46 N: the cell
    of rows 129 and columns 67, at 6.45 N and 3.35 E), one in Kano."""
    path = tmp_path / "four.csv"
    path.write_text(
        "incident_id,date_start,place,country,lat,lon,event_type,killed_best\n"
        "a,2020-01-01,Lagos,NG,6.455,3.384,unrest,1\n"
        "b,2020-02-01,Lagos,NG,6.456,3.390,unrest,\n"
        "c,2020-03-01,Lagos,NG,6.458,3.395,bombing,4\n"
        "d,2020-03-01,Kano,NG,12.002,8.517,armed_attack,2\n",
        encoding="utf-8",
    )
    return path


def test_the_grid_layer_draws_each_cell_as_its_square_shaded_on_a_log_scale(
    tmp_path: Path,
) -> None:
    from geo.query import table_of
    from geo.tables import load_dataset
    from geo.webmap.choropleth import CHOROPLETH_COLOURS
    from geo.webmap.view import map_of

    engine = table_of(load_dataset(_four_in_nigeria(tmp_path))).engine
    page = map_of(engine, Filters(), MapOptions(layer="grid")).get_root().render()
    (found,) = re.findall(r"var cells = (\[.*?\]), colours", page)
    cells = sorted(json.loads(found))
    # [south, west, size, class, tooltip]. The cells span 3.35 to 8.55 E, 5.2 degrees: squares
    # of at least a sixtieth of that (0.087), so 0.1, twice the finest. Lagos 6.4 N 3.3 E, Kano
    # 12.0 N 8.5 E (the floor of each finest cell's centre over 0.1); 3 incidents the most, so
    # Lagos is the top class and Kano's 1 is log(2)/log(4) of the way: class 2 of 0-4.
    assert [c[:4] for c in cells] == [[6.4, 3.3, 0.1, 4], [12.0, 8.5, 0.1, 2]]
    assert cells[0][4].startswith("3 incidents, 5 killed (best)")
    legend = legend_of(page)
    assert "Incidents per cell" in legend and "Incidents per region" not in legend
    assert legend.index(CHOROPLETH_COLOURS[2]) < legend.index(CHOROPLETH_COLOURS[4])
    killed = map_of(engine, Filters(), MapOptions(layer="grid", metric="killed"))
    (found,) = re.findall(r"var cells = (\[.*?\]), colours", killed.get_root().render())
    # killed: Lagos 5 (1 + 4), Kano 2: log(3)/log(6) of the way, class 3
    assert sorted(c[3] for c in json.loads(found)) == [3, 4]


def test_the_heatmap_weighs_each_cell_by_the_square_root_of_its_share(tmp_path: Path) -> None:
    from geo.query import table_of
    from geo.tables import load_dataset
    from geo.webmap.view import map_of

    def weights(options: MapOptions) -> tuple[list[float], str]:
        page = map_of(engine, Filters(), options).get_root().render()
        (found,) = re.findall(r"var points = (\[.*?\]), ramp", page)
        return sorted(p[2] for p in json.loads(found)), legend_of(page)

    engine = table_of(load_dataset(_four_in_nigeria(tmp_path))).engine
    # more incidents than symbols (here 2): cells, Kano's 1 of Lagos's 3
    cells, legend = weights(MapOptions(layer="heatmap", max_symbols=2))
    assert cells == [round((1 / 3) ** 0.5, 3), 1.0]
    assert "3 incidents in the densest cell" in legend
    # few: each incident's own heat, finer than a cell; by killed, 1, 4 and 2 of the top 4
    # (the one with no figure is not drawn)
    assert weights(MapOptions(layer="heatmap"))[0] == [1.0] * 4
    killed = weights(MapOptions(layer="heatmap", metric="killed"))[0]
    assert killed == [0.5, round(0.5**0.5, 3), 1.0]
    with pytest.raises(ValueError, match="layer must be one of"):
        map_of(engine, Filters(), MapOptions(layer="<script>"))
    # two incidents at one point weigh as two: one heat point, and the other's 1 of 2
    path = tmp_path / "same.csv"
    path.write_text(
        "incident_id,date_start,place,country,lat,lon,event_type\n"
        "a,2020-01-01,Kano,NG,12.0,8.5,unrest\nb,2020-01-02,Kano,NG,12.0,8.5,unrest\n"
        "c,2020-01-03,Zaria,NG,11.1,7.7,unrest\n",
        encoding="utf-8",
    )
    engine = table_of(load_dataset(path)).engine
    shared, legend = weights(MapOptions(layer="heatmap"))
    assert shared == [round(0.5**0.5, 3), 1.0] and "2 incidents in the densest cell" in legend


def test_cells_from_the_engine_are_the_squares_counted_in_memory(tmp_path: Path) -> None:
    from geo.query import table_of
    from geo.tables import load_dataset

    rng = np.random.default_rng(5)
    n = 5000
    table = pd.DataFrame(
        {
            "incident_id": [f"i{k}" for k in range(n)],
            "date_start": "2020-01-01",
            "place": "somewhere",
            "country": "NG",
            "lat": rng.uniform(4.5, 13.5, n).round(4),
            "lon": rng.uniform(3.0, 14.0, n).round(4),
            "event_type": "unrest",
        }
    )
    path = tmp_path / "many.csv"
    table.to_csv(path, index=False)
    dataset = load_dataset(path)
    summary = table_of(dataset).engine.map_summary(Filters(), max_cells=300, count=n)
    memory = grid_cells(dataset.incidents, max_cells=300)
    columns = ["south", "west", "size", "count"]
    key = ["south", "west"]
    assert len(summary.cells) <= 300 and summary.cells["size"].iloc[0] > 0.05
    pd.testing.assert_frame_equal(
        summary.cells[columns].sort_values(key).reset_index(drop=True),
        memory[columns].sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
