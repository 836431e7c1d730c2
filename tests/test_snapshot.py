"""Static map exports (geo.snapshot) and the time-lapse GIF (geo.timelapse)."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from geo.errors import FilterError
from geo.filters import Filters
from geo.snapshot import (
    MIN_SPAN_KM,
    MapFrame,
    TimeStep,
    data_extent,
    parse_size,
    render_snapshot,
)
from geo.tables import load_dataset
from geo.timelapse import GifStyle, render_timelapse
from tests.tables import FROZEN_CSV
from tests.tables import kept as filter_incidents

ALMATY = (76.9115, 43.2525)
ATYRAU = (51.8843, 47.1048)
AKTOBE = (57.2072, 50.2797)
TARAZ = (71.373, 42.898)
ATYRAU_REGION = (52.50, 47.30)


def _row(
    incident_id: str,
    place: str,
    region: str,
    lonlat: tuple[float, float],
    kind: str,
    killed: float | None,
    *,
    date: str = "2016-07-18",
    precision: str = "city",
    country: str = "KZ",
) -> dict[str, object]:
    day = pd.Timestamp(date)
    toll = float("nan") if killed is None else float(killed)
    return {
        "incident_id": incident_id,
        "date_start": day,
        "date_end": day,
        "date_precision": "day",
        "place": place,
        "country": country,
        "region": region,
        "lat": lonlat[1],
        "lon": lonlat[0],
        "geo_precision": precision,
        "event_type": kind,
        "killed_low": toll,
        "killed_best": toll,
        "killed_high": toll,
        "wounded_low": float("nan"),
        "wounded_best": float("nan"),
        "wounded_high": float("nan"),
        "perpetrator": "",
        "target": "",
        "summary": "",
        "sources": "src1;src2",
    }


def _frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    table = pd.DataFrame(rows)
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326"
    )


@pytest.fixture(scope="module")
def incidents() -> gpd.GeoDataFrame:
    """Seven incidents: three at Almaty, two at Atyrau city plus one for the Atyrau region."""
    return _frame(
        [
            _row("almaty-1", "Almaty", "Almaty City", ALMATY, "armed_attack", 5),
            _row(
                "almaty-2",
                "Alma-Ata (Almaly district)",
                "Almaty City",
                ALMATY,
                "armed_attack",
                2,
                date="2012-03-01",
            ),
            _row(
                "almaty-3",
                "near Almaty",
                "Almaty City",
                ALMATY,
                "security_operation",
                9,
                date="2013-05-05",
            ),
            _row("atyrau-1", "Atyrau", "Atyrau", ATYRAU, "bombing", None, date="2011-10-31"),
            _row(
                "atyrau-region",
                "Atyrau region",
                "Atyrau",
                ATYRAU_REGION,
                "security_operation",
                5,
                precision="region",
                date="2012-08-17",
            ),
            _row("aktobe-1", "Aktobe", "Aktobe", AKTOBE, "armed_attack", 17, date="2016-06-05"),
            _row("taraz-1", "Taraz", "Zhambyl", TARAZ, "armed_attack", 7, date="2011-11-12"),
        ]
    )


FRAME_KEYS = ("size", "dpi", "extent", "title", "credits")


def _render(table: pd.DataFrame, **options: object) -> bytes:
    out = io.BytesIO()
    options.setdefault("dpi", 50)
    frame = MapFrame(**{k: options.pop(k) for k in FRAME_KEYS if k in options})  # type: ignore[arg-type]
    render_snapshot(table, out=out, frame=frame, **options)  # type: ignore[arg-type]
    return out.getvalue()


def _svg_symbols(svg: str) -> dict[str, tuple[float, float]]:
    """The position of each incident's symbol, by incident id."""
    found = re.findall(
        r'<g id="incident-([^"]+)">.*?<use [^>]*?x="([-\d.]+)" y="([-\d.]+)"', svg, flags=re.S
    )
    return {name: (float(x), float(y)) for name, x, y in found}


@pytest.fixture(scope="module")
def armed_svg(incidents: gpd.GeoDataFrame) -> tuple[str, pd.DataFrame]:
    filters = Filters(types=("armed_attack",))
    chosen = filter_incidents(incidents, filters)
    svg = _render(chosen, filters=filters, title="Armed attacks: test title", fmt="svg")
    return svg.decode("utf-8"), chosen


# --- page sizes ---------------------------------------------------------------------------


def test_png_a4_landscape_has_the_paper_size_in_pixels(incidents: gpd.GeoDataFrame) -> None:
    png = _render(incidents, size="a4-landscape", dpi=50, fmt="png")
    expected = (round(297 / 25.4 * 50), round(210 / 25.4 * 50))
    assert expected == (585, 413)
    assert Image.open(io.BytesIO(png)).size == expected


def test_png_custom_size_is_exact_in_pixels(incidents: gpd.GeoDataFrame) -> None:
    png = _render(incidents, size="800x450", dpi=72, fmt="png")
    assert Image.open(io.BytesIO(png)).size == (800, 450)


@pytest.mark.parametrize(
    ("size", "width_pt", "height_pt"),
    [("a4-landscape", 841.89, 595.28), ("a4-portrait", 595.28, 841.89), ("slide", 960, 540)],
)
def test_pdf_page_is_the_paper_size(
    incidents: gpd.GeoDataFrame, size: str, width_pt: float, height_pt: float
) -> None:
    pdf = _render(incidents, size=size, fmt="pdf")
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box is not None
    assert float(box[1]) == pytest.approx(width_pt, abs=0.01)
    assert float(box[2]) == pytest.approx(height_pt, abs=0.01)


def test_svg_viewbox_is_the_figure_size_in_points(armed_svg: tuple[str, pd.DataFrame]) -> None:
    svg, _ = armed_svg
    box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert box is not None
    assert float(box[1]) == pytest.approx(297 / 25.4 * 72, abs=0.001)
    assert float(box[2]) == pytest.approx(210 / 25.4 * 72, abs=0.001)


def test_parse_size_names_and_pixels() -> None:
    assert parse_size("slide") == (40 / 3, 7.5)
    assert parse_size("1600x900", dpi=200) == (8.0, 4.5)
    with pytest.raises(ValueError, match="unknown size"):
        parse_size("letter")
    with pytest.raises(ValueError, match="50 to"):
        parse_size("10x10", dpi=100)


def test_unknown_format_is_refused(incidents: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="format must be one of"):
        _render(incidents, fmt="jpeg")


# --- content --------------------------------------------------------------------------------


def test_svg_has_title_filters_and_one_symbol_per_filtered_incident(
    armed_svg: tuple[str, pd.DataFrame],
) -> None:
    svg, chosen = armed_svg
    assert ">Armed attacks: test title<" in svg
    assert Filters(types=("armed_attack",)).describe() in svg
    symbols = _svg_symbols(svg)
    assert len(re.findall(r'id="incident-', svg)) == len(chosen) == 4
    assert set(symbols) == set(chosen["incident_id"])
    assert "Data: Incident Atlas, 4 incidents" in svg
    assert "Natural Earth (public domain)" in svg


def test_incidents_at_one_place_stay_apart_and_the_place_is_labelled_once(
    armed_svg: tuple[str, pd.DataFrame],
) -> None:
    svg, _ = armed_svg
    symbols = _svg_symbols(svg)
    (x1, y1), (x2, y2) = symbols["almaty-1"], symbols["almaty-2"]
    assert math.hypot(x1 - x2, y1 - y2) > 3  # points on the page, not stacked
    assert len(re.findall(r">Almaty<", svg)) == 1  # the shortest name, once
    assert "Alma-Ata" not in svg


def test_map_without_filters_says_all_incidents(incidents: gpd.GeoDataFrame) -> None:
    svg = _render(incidents, fmt="svg").decode()
    assert ">all incidents<" in svg
    assert "Security incidents in Kazakhstan, 2011–2016" in svg  # the default title


_RENDER_BOTH = """
import sys
from geo.tables import load_dataset
from geo.snapshot import MapFrame, render_snapshot
incidents = load_dataset(sys.argv[2]).incidents
for fmt in ("svg", "pdf"):
    render_snapshot(
        incidents, out=f"{sys.argv[1]}.{fmt}", fmt=fmt, frame=MapFrame(size="800x450", dpi=100)
    )
"""


def test_svg_and_pdf_are_the_same_bytes_from_two_processes_at_two_times(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parent.parent
    for name in ("first", "second"):
        subprocess.run(
            [sys.executable, "-c", _RENDER_BOTH, str(tmp_path / name), str(FROZEN_CSV)],
            cwd=root,
            check=True,
            timeout=120,
        )
        time.sleep(1.1)  # a timestamp in the file would now differ by a second
    for fmt in ("svg", "pdf"):
        first = (tmp_path / f"first.{fmt}").read_bytes()
        assert first == (tmp_path / f"second.{fmt}").read_bytes()
        assert len(first) > 10_000


def test_empty_selection_raises_filter_error(incidents: gpd.GeoDataFrame) -> None:
    filters = Filters(regions=("Pavlodar",))
    with pytest.raises(FilterError, match="no incident matches the filters: .*Pavlodar"):
        _render(filter_incidents(incidents, filters), filters=filters)


def test_hostile_place_names_are_drawn_as_plain_text(incidents: gpd.GeoDataFrame) -> None:
    table = incidents.copy()
    table.loc[table["incident_id"] == "taraz-1", "place"] = "Taraz $x^2$ <script>"
    png = _render(table, fmt="png", title="Cost in $ and $$")
    assert Image.open(io.BytesIO(png)).size == (585, 413)
    svg = _render(table, fmt="svg", title="Cost in $ and $$").decode()
    assert "<script>" not in svg
    assert ">Taraz $x^2$ &lt;script&gt;<" in svg
    assert ">Cost in $ and $$<" in svg


def test_shipped_style_table_renders_to_a_file(good_table: Path, tmp_path: Path) -> None:
    dataset = load_dataset(good_table)
    out = tmp_path / "map.svg"
    render_snapshot(
        dataset.incidents, out=out, frame=MapFrame(dpi=50, extent="country")
    )  # format from suffix
    svg = out.read_text(encoding="utf-8")
    assert len(re.findall(r'id="incident-', svg)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["map.svg", "incidents.csv", "claims.csv", "sources.csv"]
    )  # no temp file left


def test_data_extent_of_one_city_is_not_a_pin_prick() -> None:
    west, south, east, north = data_extent([ALMATY[0]], [ALMATY[1]])
    assert (north - south) * 111.2 >= MIN_SPAN_KM
    assert west < ALMATY[0] < east and south < ALMATY[1] < north


# --- time-lapse -------------------------------------------------------------------------------


def test_timelapse_has_a_frame_per_period_including_empty_ones(
    incidents: gpd.GeoDataFrame,
    tmp_path: Path,
) -> None:
    keep = ["atyrau-1", "taraz-1", "almaty-3"]  # 2011, 2011 and 2013: nothing in 2012
    chosen = incidents[incidents["incident_id"].isin(keep)]
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    (frames_dir / "frame-0009.png").write_bytes(b"stale")
    (frames_dir / "notes.txt").write_text("keep me")
    out = tmp_path / "lapse.gif"
    frames = render_timelapse(
        chosen, out=out, freq="year", frames_dir=frames_dir, frame=MapFrame(size="400x225", dpi=40)
    )
    assert [f.period for f in frames] == ["2011", "2012", "2013"]
    assert [f.new for f in frames] == [2, 0, 1]  # 2012 is empty but still a frame
    assert [f.shown for f in frames] == [2, 2, 3]
    with Image.open(out) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == 3
        assert gif.size == (400, 225)
    assert sorted(p.name for p in frames_dir.iterdir()) == [
        "frame-0001.png",
        "frame-0002.png",
        "frame-0003.png",
        "notes.txt",
    ]
    assert frames[0].path == frames_dir / "frame-0001.png"
    assert Image.open(frames_dir / "frame-0002.png").size == (400, 225)


def test_timelapse_frames_keep_the_event_type_colours(
    incidents: gpd.GeoDataFrame,
    tmp_path: Path,
) -> None:
    out = tmp_path / "lapse.gif"
    render_timelapse(
        incidents,
        out=out,
        freq="year",
        frame=MapFrame(size="400x225", dpi=40),
        gif=GifStyle(colours=32),
    )
    with Image.open(out) as gif:
        gif.seek(gif.n_frames - 1)
        present = {rgb for _, rgb in gif.convert("RGB").getcolors(maxcolors=4096) or []}
    for name in ("#d62728", "#ff7f0e", "#1f77b4"):  # armed attack, bombing, security op.
        r, g, b = (int(name[i : i + 2], 16) for i in (1, 3, 5))
        as_drawn = [0.9 * c + 0.1 * 255 for c in (r, g, b)]  # 90% opaque over white
        assert any(
            max(abs(p - q) for p, q in zip(rgb, as_drawn, strict=True)) <= 3 for rgb in present
        ), name


def test_timelapse_refuses_too_many_frames(incidents: gpd.GeoDataFrame, tmp_path: Path) -> None:
    long_ago = incidents.copy()
    long_ago.loc[long_ago.index[0], ["date_start", "date_end"]] = pd.Timestamp("1975-01-01")
    out = tmp_path / "lapse.gif"
    with pytest.raises(FilterError, match="coarser step"):
        render_timelapse(long_ago, out=out, freq="month")
    assert not out.exists()


@pytest.mark.parametrize(("size", "dpi"), [("huge", 300), ("100x100", 0), ("30x30", 100)])
def test_a_size_that_cannot_be_drawn_is_a_usage_error(size: str, dpi: int) -> None:
    from geo.errors import FilterError, UsageError

    with pytest.raises(UsageError) as error:
        parse_size(size, dpi=dpi)
    assert not isinstance(error.value, FilterError)  # not a filter problem: the request is


def test_the_time_lapse_puts_an_incident_where_the_timeline_does(tmp_path: Path) -> None:
    """One period rule: an incident known to a range counts at the range's middle."""
    from geo.query import table_of
    from geo.tables import Dataset
    from geo.timelapse import timelapse_frames

    table = pd.DataFrame(
        {
            "date_start": pd.to_datetime(["2012-01-01", "2012-12-20"]),
            # The first is known only to the year: its middle, 2 July, is in Q3, not Q1.
            "date_end": pd.to_datetime(["2012-12-31", "2012-12-20"]),
            "event_type": ["unrest", "unrest"],
            **{k: pd.array([None, None], dtype="Int64") for k in ("killed_low", "killed_best")},
            "killed_high": pd.array([None, None], dtype="Int64"),
        }
    )
    timeline = table_of(Dataset(table)).engine.periods(Filters(), "quarter")
    assert timeline.labels == ["2012 Q3", "2012 Q4"]
    assert timelapse_frames(table, "quarter") == 2  # Q3 and Q4, not Q1 to Q4


def test_the_legend_names_the_three_precision_classes() -> None:
    from geo.tables import load_dataset

    incidents = load_dataset(FROZEN_CSV).incidents
    svg = _render(incidents, fmt="svg", size="1200x800").decode()
    for label in ("to the place or city", "to a district or area", "only to the region or country"):
        assert label in svg


def test_every_time_lapse_frame_has_the_same_legend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The legend is fixed to the whole series: the sizes key of 2011's frame already reaches
    the largest toll, 17 killed at Aktobe in 2016 (tests/fixtures/incidents.csv, by hand)."""
    import geo.snapshot.render
    from geo.tables import load_dataset

    seen = []
    draw = geo.snapshot.render.snapshot_image

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs["period"].legend)
        return draw(*args, **kwargs)

    monkeypatch.setattr(geo.snapshot.render, "snapshot_image", spy)
    incidents = load_dataset(FROZEN_CSV).incidents
    render_timelapse(
        incidents, out=tmp_path / "lapse.gif", freq="year", frame=MapFrame(size="400x225", dpi=40)
    )
    assert len(seen) == 6  # 2011 to 2016, one frame a year
    assert {scope.killed_top for scope in seen} == {17.0}
    assert len({scope.types for scope in seen}) == 1
    out = io.BytesIO()
    first_year = incidents[incidents["date_start"].dt.year == 2011]
    render_snapshot(
        first_year,
        out=out,
        fmt="svg",
        frame=MapFrame(size="960x540", dpi=100),
        period=TimeStep(legend=seen[0]),
    )
    assert "17 (most)" in out.getvalue().decode()


def test_an_all_of_kazakhstan_map_keeps_the_caucasus_incidents_in_its_frame() -> None:
    """Ingushetia (45.0 E, 43.1 N) and Kabardino-Balkaria (43.4 E, 43.5 N) lie west of
    Kazakhstan (tests/fixtures/incidents.csv): the frame of the whole country grows to hold them."""
    from geo.places.regions import country_bounds
    from geo.snapshot import country_extent
    from geo.snapshot.projection import projection_for, view_box

    kazakhstan = country_bounds("KZ")
    assert kazakhstan is not None
    lon = np.array([45.00080, 43.41974, 76.91150])
    lat = np.array([43.12485, 43.46075, 43.25249])
    # The country most incidents are in frames the map (here all three are given as KZ).
    box = country_extent(lon, lat, np.array(["KZ", "KZ", "KZ"]))
    assert box[0] <= 43.41974 - 1 and box[2] == kazakhstan[2]
    projection = projection_for(box)
    for aspect in (1.0, 1.5, 16 / 9):
        west, south, east, north = view_box(box, aspect, projection)
        x, y = projection.to_map().transform(lon, lat)
        assert ((west <= x) & (x <= east) & (south <= y) & (y <= north)).all()
    assert country_extent(np.array([70.0]), np.array([48.0]), np.array(["KZ"])) == kazakhstan


def test_the_baikonur_lease_is_hatched_not_ringed_like_a_symbol() -> None:
    from geo.snapshot.decor import _basemap_for
    from geo.snapshot.projection import projection_for

    box = (46.0, 40.0, 88.0, 56.0)
    base = _basemap_for(projection_for(box), box, frozenset({"KZ"}))
    baikonur = base.regions.geometry[base.regions["region"] == "Baikonur"].iloc[0]
    # Kazakhstan's dark border line no longer runs round the lease (a hole in the country).
    assert not base.home_outline.iloc[0].intersects(baikonur.buffer(-1000))
    assert base.regions.loc[base.enclaves, "region"].tolist() == ["Baikonur"]
    svg = _render(
        load_dataset(FROZEN_CSV).incidents, fmt="svg", extent="country", size="800x560"
    ).decode()
    assert "<pattern" in svg  # the hatch


def test_the_projection_follows_the_extent() -> None:
    from geo.snapshot.projection import projection_for

    assert projection_for((46.0, 40.0, 88.0, 56.0)).proj.startswith("+proj=lcc")
    assert projection_for((2.7, 4.3, 14.7, 13.9)).proj.startswith("+proj=laea")  # Nigeria
    world = projection_for((-120.0, -40.0, 150.0, 60.0))
    assert world.world and world.proj.startswith("+proj=eqearth")


def test_a_world_table_is_titled_in_words_and_drawn_in_equal_earth() -> None:
    world = load_dataset(Path(__file__).parent / "data" / "world.csv").incidents
    svg = _render(world, fmt="svg", size="1200x800").decode()
    # Ten countries (tests/data/world.csv): more than three are counted, never coded.
    assert "Security incidents in 10 countries, 2013–2022" in svg
    assert "Projection: Equal Earth; no single scale holds" in svg
    assert " km<" not in svg  # no scale bar on a world map
    # Marawi's 1,100 dead would cover the Philippines: symbols stop growing at 100.
    assert "100 or more (most: 1,100)" in svg
    nigeria = world[world["country"] == "NG"]
    svg = _render(nigeria, fmt="svg", size="1200x800", extent="country").decode()
    assert "Security incidents in Nigeria, 2019–2020" in svg
    assert "Lambert azimuthal equal-area" in svg


def test_many_incidents_are_counted_in_cells_not_piled_up() -> None:
    from geo.snapshot.cell_circles import AGGREGATE_ABOVE
    from geo.synth import WORLD, make_synthetic

    table = make_synthetic(AGGREGATE_ABOVE + 500, seed=4, countries=WORLD)
    svg = _render(table, fmt="svg", size="1200x800").decode()
    assert "Incidents per cell" in svg and 'id="cells"' in svg
    assert f"{AGGREGATE_ABOVE + 500:,} incidents, counted in cells of about" in svg
    assert 'id="incident-' not in svg  # no symbol per incident
    few = _render(table.head(AGGREGATE_ABOVE), fmt="svg", size="1200x800").decode()
    assert "Incidents per cell" not in few


def test_a_country_across_the_180th_meridian_is_drawn_as_one_place(tmp_path: Path) -> None:
    """Fiji: Suva at 178.4°E, Taveuni at 179.95°W, Lau at 178.8°W (hand-picked points)."""
    from geo.snapshot import data_extent
    from geo.snapshot.projection import projection_for

    lon = np.array([178.4415, -179.95, -178.8])
    lat = np.array([-18.1416, -16.85, -18.2])
    west, south, east, north = data_extent(lon, lat)
    assert 170 < west < 178.4415 and 181.2 < east < 190  # east of 180, not round the world
    projection = projection_for((west, south, east, north))
    assert not projection.world and "+lon_0=180" in projection.proj.replace("180.0", "180")
    table = pd.DataFrame(
        {"lon": lon, "lat": lat, "country": "FJ", "event_type": "unrest", "geo_precision": "point",
         "incident_id": ["a", "b", "c"], "place": ["Suva", "Taveuni", "Lau"],
         "killed_best": np.nan, "date_start": pd.Timestamp("2019-01-01")}
    )  # fmt: skip
    svg = _render(table, fmt="svg", size="1000x700").decode()
    assert "Security incidents in Fiji, 2019" in svg and "Lambert conformal conic, 180" in svg


def test_russia_is_drawn_in_a_conic_projection_not_a_world_one() -> None:
    from geo.synth import make_synthetic

    russia = make_synthetic(300, seed=3, countries=("RU",))
    svg = _render(russia, fmt="svg", size="1200x800").decode()
    assert "Lambert conformal conic" in svg and "Equal Earth" not in svg
    assert " km<" in svg  # a scale bar


def test_a_world_map_on_a_landscape_page_spans_its_width() -> None:
    from PIL import Image

    from geo.snapshot.style import SEA

    world = load_dataset(Path(__file__).parent / "data" / "world.csv").incidents
    png = Image.open(io.BytesIO(_render(world, fmt="png", size="a4-landscape", extent="world")))
    pixels = np.asarray(png.convert("RGB"))
    sea = np.array([int(SEA[i : i + 2], 16) for i in (1, 3, 5)])
    columns = np.flatnonzero((np.abs(pixels.astype(int) - sea).sum(axis=2) < 12).any(axis=0))
    # the globe's sea from its west to its east edge: most of the page's width (the legend
    # goes under a world map; beside it, the globe took about 60%)
    assert (columns.max() - columns.min()) / pixels.shape[1] > 0.8


def test_a_long_description_of_the_filters_is_never_cut_short(incidents: gpd.GeoDataFrame) -> None:
    from datetime import date

    # forty-five regions as a link may give them: six lines of description at the first size
    regions = tuple(sorted(set(incidents["region"])))
    regions += tuple(f"Region number {k}" for k in range(45 - len(regions)))
    filters = Filters(
        start=date(2012, 9, 1), end=date(2016, 6, 30), regions=regions,
        types=("armed_attack", "bombing", "security_operation", "unrest"), exact_only=True,
    )  # fmt: skip
    chosen = incidents[incidents["region"].isin(filters.regions)]
    out = io.BytesIO()
    frame = MapFrame(size="480x360", dpi=100)
    render_snapshot(chosen, out=out, fmt="svg", filters=filters, frame=frame)
    svg = out.getvalue().decode()
    header = " ".join(re.sub(r"<[^>]*>", " ", svg).split())
    # every word of the description is on the page, the end date and the last type included
    for word in filters.describe().split():
        assert word in header, word
    assert "…" not in header


def test_the_busiest_place_is_named_even_when_crowded() -> None:
    """A town of 40 incidents packed round by 48 one-incident hamlets (no room for a label
    beside it) and a village of one at the edge: the town is named, with a line to it."""
    rows = [_row(f"t{k}", "Bigtown", "R", (2.5, 9.5), "unrest", 1, country="BJ") for k in range(40)]
    for k in range(48):
        angle, radius = 2 * math.pi * k / 24, 0.12 if k < 24 else 0.22
        at = (2.5 + radius * math.cos(angle), 9.5 + radius * math.sin(angle))
        rows.append(_row(f"h{k}", f"Hamlet {k}", "R", at, "armed_attack", 2, country="BJ"))
    rows.append(_row("v", "Edgeville", "R", (3.6, 11.8), "unrest", None, country="BJ"))
    table = gpd.GeoDataFrame(pd.DataFrame(rows))
    out = io.BytesIO()
    render_snapshot(table, out=out, fmt="svg", frame=MapFrame(size="a4-landscape", dpi=100))
    svg = out.getvalue().decode()
    assert re.search(r">\s*Bigtown\s*<", svg)


@pytest.mark.parametrize("size", ["320x240", "400x300"])
def test_the_smallest_custom_sizes_still_draw_a_map(incidents: gpd.GeoDataFrame, size: str) -> None:
    out = io.BytesIO()
    render_snapshot(incidents, out=out, fmt="png", frame=MapFrame(size=size, dpi=100))
    image = Image.open(io.BytesIO(out.getvalue()))
    assert image.size == tuple(int(v) for v in size.split("x"))
