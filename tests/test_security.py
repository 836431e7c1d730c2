"""Untrusted tables on the server side: no template evaluation, no file read or request through a
table file, limits counted on what is parsed, and nothing that passes validation crashes a page.

Each test here covers one finding of the security review (see SECURITY.md); the expected values
come from the review's reproductions and the limits stated in data/SCHEMA.md.
"""

from __future__ import annotations

import csv
import html
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import DataError
from geo.export import export_text
from geo.filters import Filters
from geo.schema import CLAIM_COLUMNS, SOURCE_COLUMNS
from geo.tables import check_dataset, load_dataset
from geo.webmap.build import build_map
from tests.apptest import failures, start
from tests.tables import GOOD_ROWS, HEADER, problems_of, write_csv

JINJA = [
    "{{7*191}}",
    "{{ lipsum.__globals__.os.popen('id').read() }}",
    "{# x",
    "{{ unclosed",
    "{% for x in range(3) %}{{x}}{% endfor %}",
    "${7*191} #{7*191} <%= 7*191 %>",
]
FREE_TEXT = ["place", "perpetrator", "target", "summary"]


def _table(tmp_path: Path, text: str, *, ids: bool = False) -> Path:
    """The three good rows with ``text`` in every free-text field, the claims' notes and
    paragraphs and the sources' titles; with ``ids`` also in incident and source ids."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    rows = [list(r) for r in GOOD_ROWS]
    source = f"{text}-src" if ids else "src1"
    for n, row in enumerate(rows):
        for column in FREE_TEXT:
            row[HEADER.index(column)] = text
        if ids:
            row[HEADER.index("incident_id")] = f"{text}-{n}"
        row[HEADER.index("sources")] = source
    first = rows[0][HEADER.index("incident_id")]
    write_csv(
        tmp_path / "sources.csv",
        SOURCE_COLUMNS,
        [[source, text, text, "2016-07-18", text, "news"]],
    )
    write_csv(
        tmp_path / "claims.csv",
        CLAIM_COLUMNS,
        [[first, source, text, "3", "11", text], [first, source, "2", "5", "", text]],
    )
    return write_csv(tmp_path / "incidents.csv", HEADER, rows)


def _rows_in(page: str) -> list[list[object]]:
    """The incident rows (popups, tooltips) a map page hands to its marker layer."""
    found = re.search(r"var data = (.*?);\s*var cluster = ", page, re.S)
    assert found, "no marker data in the page"
    return json.loads(found.group(1))


def _map_page(dataset_path: Path) -> str:
    """The map the Map page sends to the browser, rendered the way st_folium renders it."""
    from streamlit_folium import generate_leaflet_string

    from geo.webmap.assets import offline_map

    dataset = load_dataset(dataset_path)
    fmap = offline_map(build_map(dataset.incidents, claims=dataset.claims))
    page = fmap.get_root().render()
    return page + generate_leaflet_string(fmap)


def _assert_shown_verbatim(page: str, text: str) -> None:
    assert "uid=0(" not in page  # what `id` prints, had a cell run it
    popups = [html.unescape(str(row[5])) for row in _rows_in(page)]
    tooltips = [html.unescape(str(row[6])) for row in _rows_in(page)]
    assert all(text in p for p in popups), popups[:1]
    assert all(t.startswith(text + " · ") for t in tooltips), tooltips[:1]
    # a claim's paragraph, as given (a paragraph reference is trimmed of spaces and line ends)
    if text.strip():
        assert any(f"¶{text.strip()}" in p for p in popups)


# Finding 1: template syntax in a table is text, never code.


@pytest.mark.parametrize("text", JINJA)
def test_template_syntax_in_any_field_is_shown_not_run(tmp_path: Path, text: str) -> None:
    path = _table(tmp_path, text, ids=True)
    dataset = load_dataset(path)
    for page in (_map_page(path), export_text(dataset, Filters(), "html")):
        _assert_shown_verbatim(page, text)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["{{", "}}", "{%", "%}", "{#", "#}", "7*191", "'", '"', "<", "&"]),
            st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")),
        ),
        max_size=8,
    ).map(lambda parts: "x" + "".join(parts))
)
def test_any_text_reaches_the_popup_as_the_same_characters(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = _table(tmp_path_factory.mktemp("t"), text)
    dataset = load_dataset(path)
    assert set(dataset.incidents["summary"]) == {text}  # kept exactly, spaces included
    for page in (_map_page(path), export_text(dataset, Filters(), "html")):
        _assert_shown_verbatim(page, text)


EVALUATED = re.compile(r"(?<![0-9a-f])1337(?![0-9a-f])")
"""7*191 worked out; folium's random hex ids may hold the digits, so not inside a hex run."""


def test_a_layer_never_compiles_its_rendered_output() -> None:
    """The root of finding 1: branca compiled each layer's rendered script as a template."""
    import folium

    from geo.webmap.elements import DataMarkerCluster

    m = folium.Map(tiles=None)
    DataMarkerCluster([[1.0, 2.0, "{{7*191}} {% if 1 %}x{% endif %}"]]).add_to(m)
    page = m.get_root().render()
    assert "{{7*191}} {% if 1 %}x{% endif %}" in page
    assert not EVALUATED.search(page)


def test_template_syntax_on_the_map_page_under_apptest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(monkeypatch, data=_table(tmp_path, "{{7*191}}", ids=True))
    assert not failures(at), failures(at)
    (component,) = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    # the map, then its layers (st_folium's feature group): data in the layers only
    _assert_shown_verbatim(args["feature_group"], "{{7*191}}")
    drawn = args["script"] + args["feature_group"] + args["html"]
    assert not EVALUATED.search(drawn)  # no vendor scripts here


# Finding 2: a table file is read only by the driver its suffix names, never reaching elsewhere.


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on the loopback address that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"incident_id,date_start,lat,lon,event_type\n")

        do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def _vrt(source: str) -> bytes:
    return (
        '<OGRVRTDataSource><OGRVRTLayer name="x">'
        f"<SrcDataSource>{source}</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


@pytest.mark.parametrize("suffix", [".json", ".geojson", ".gpkg"])
def test_a_vrt_in_disguise_reads_no_file_and_fetches_nothing(
    tmp_path: Path, suffix: str, local_server: tuple[str, list[str]]
) -> None:
    url, seen = local_server
    secret = tmp_path / "secret.csv"
    secret.write_text("incident_id,date_start,lat,lon,event_type\nTOP-SECRET,2011-01-01,1,1,x\n")
    for source in (f"CSV:{secret}", f"/vsicurl/{url}/incidents.csv"):
        path = tmp_path / f"upload{suffix}"
        path.write_bytes(_vrt(source))
        found = problems_of(path)
        assert found and all(p.startswith(path.name) for p in found)
        assert "not GeoJSON" in found[0] or "not a GeoPackage" in found[0]
        assert not any("TOP-SECRET" in p for p in found)
    assert seen == []


def test_gdal_in_this_process_reaches_no_network(local_server: tuple[str, list[str]]) -> None:
    import pyogrio

    import geo.tables  # noqa: F401  (the engine locks GDAL down when it is imported)

    url, seen = local_server
    with pytest.raises(Exception):  # noqa: B017  (pyogrio's error types vary)
        pyogrio.read_dataframe(f"/vsicurl/{url}/x.geojson")
    assert seen == []


def test_an_sqlite_file_that_is_not_a_geopackage_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "t.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("create table t (a)")
    assert problems_of(path) == [
        "t.gpkg: an SQLite file but not a GeoPackage (no GPKG application id)"
    ]


# Finding 3: limits are counted on what the parser reads.


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_row_limit_holds_whatever_the_line_endings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    monkeypatch.setattr("geo.tables.MAX_ROWS", 50)
    path = tmp_path / "t.csv"
    row = ",".join(GOOD_ROWS[0])
    rows = [row.replace("a-almaty", f"id{i}") for i in range(51)]
    path.write_text(ending.join([",".join(HEADER), *rows]) + ending, newline="")
    assert problems_of(path) == ["t.csv: more than 50 rows; the limit is 50"]
    path.write_text(ending.join([",".join(HEADER), *rows[:50]]) + ending, newline="")
    assert len(load_dataset(path).incidents) == 50


def test_feature_limit_holds_for_geojson(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("geo.tables.MAX_ROWS", 5)
    frame = pd.DataFrame([GOOD_ROWS[0]] * 6, columns=HEADER)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy([76.9] * 6, [43.2] * 6), crs=4326)
    gdf.to_file(tmp_path / "t.geojson", driver="GeoJSON")
    assert problems_of(tmp_path / "t.geojson") == [
        "t.geojson: more than 5 features; the limit is 5"
    ]


def test_a_cell_over_the_length_limit_is_named(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][HEADER.index("summary")] = "y" * 32_768
    path = write_csv(tmp_path / "t.csv", HEADER, rows)
    assert problems_of(path) == [
        "t.csv, row 3, column 'summary': the cell holds 32,768 characters; the limit is 32,767"
    ]


# Finding 4: validation rejects what the pages cannot show, and what passes, every page shows.


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("date_start", "1677-12-31", "date_start 1677-12-31 is outside the supported range"),
        ("date_start", "1799-12-31", "date_start 1799-12-31 is outside the supported range"),
        ("date_end", "2262-04-12", "date_end 2262-04-12 is outside the supported range"),
        ("killed_best", "1e300", "killed_best '1e300' is not a whole number from 0 to 10,000,000"),
        ("killed_high", "9e18", "killed_high '9e18' is not a whole number from 0 to 10,000,000"),
        ("wounded_low", "10000001", "wounded_low '10000001' is not a whole number"),
        ("summary", "a\x00b", "the cell holds a NUL byte"),
    ],
)
def test_values_no_page_can_show_are_rejected_with_row_and_column(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][HEADER.index(column)] = value
    if column.startswith("killed"):
        rows[1][HEADER.index("killed_high")] = value
    found = problems_of(write_csv(tmp_path / "t.csv", HEADER, rows))
    assert any(p.startswith(f"t.csv, row 3, column {column!r}: {message}") for p in found), found


def test_a_column_named_twice_is_rejected(tmp_path: Path) -> None:
    header = [*HEADER, "lat"]
    rows = [[*r, "0"] for r in GOOD_ROWS]
    assert problems_of(write_csv(tmp_path / "t.csv", header, rows)) == [
        "t.csv, row 1, column 'lat': column 'lat' appears twice in the header "
        f"(columns {HEADER.index('lat') + 1} and {len(header)}); keep one"
    ]


def test_a_claim_of_1_point_0_is_read_as_1_everywhere(good_table: Path) -> None:
    from geo.records import claims_of, disagreement

    claims = good_table.with_name("claims.csv")
    claims.write_text(claims.read_text().replace("a-almaty,src1,3,3,", "a-almaty,src1,3,3.0,"))
    dataset = load_dataset(good_table)
    assert list(claims_of(dataset.claims, "a-almaty")["killed"]) == ["3", "5"]
    assert disagreement(claims_of(dataset.claims, "a-almaty"))[0].startswith(
        "Sources disagree on killed: 3, 5 (src1 ¶3: 3; src2 ¶4: 5)"
    )


EDGE_ROWS = [
    # The earliest and latest supported dates, the largest toll, free text with leading
    # whitespace and formula characters, template syntax, and a 32,767-character summary.
    ["e-first", "1800-01-01", "1800-01-01", "day", "\t=1+1", "KZ", "", "43.25", "76.91", "city",
     "armed_attack", "0", "10000000", "10000000", "", "", "", "{{7*191}}", "@SUM(A1)",
     "z" * 32_767, "src1"],
    ["e-last", "2200-12-31", "2200-12-31", "day", "-2+3", "RU", "", "43.02", "44.68", "city",
     "bombing", "1", "1", "1", "0", "0", "0", "", "", " leading space", "src1"],
]  # fmt: skip


@pytest.fixture
def edge_table(tmp_path: Path) -> Path:
    path = write_csv(tmp_path / "incidents.csv", HEADER, [list(r) for r in EDGE_ROWS])
    write_csv(tmp_path / "sources.csv", SOURCE_COLUMNS, [["src1", "One", "", "", "", "news"]])
    write_csv(
        tmp_path / "claims.csv",
        CLAIM_COLUMNS,
        [["e-first", "src1", "1", "10000000", "", ""], ["e-first", "src1", "2", "0.0", "", ""]],
    )
    return path


@pytest.mark.parametrize(
    "page", ["pages/map.py", "pages/timeline.py", "pages/incidents.py", "pages/about.py"]
)
def test_a_table_at_every_limit_is_shown_by_every_page(
    edge_table: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    assert check_dataset(edge_table)[1] == []
    at = start(monkeypatch, data=edge_table, timeout=120)
    at.switch_page(page).run()
    assert not failures(at), failures(at)
    shown = {m.label: m.value for m in at.metric}
    if shown:
        assert shown["Incidents"] == "2"
        assert shown["Killed"] == "1–10M"  # shortened to fit; the exact range is in its help
        killed = next(m for m in at.metric if m.label == "Killed")
        assert "1–10,000,001" in killed.proto.help
    if page == "pages/incidents.py":
        at.multiselect(key="f_years").set_value([1800]).run()
        assert not failures(at), failures(at)
    if page == "pages/map.py":  # 401 years make too many frames: said beside the exports
        assert any("would make more than 400 frames" in i.value for i in at.info)
        labels = [b.proto.label for b in at.get("download_button")]
        assert "Download time-lapse (GIF)" not in labels and "Download PNG snapshot" in labels


# Finding 5: every other kind of bad input is one clear message, never a traceback.


def _points() -> list[shapely.Point]:
    """The good rows' own points."""
    lat, lon = HEADER.index("lat"), HEADER.index("lon")
    return [shapely.Point(float(r[lon]), float(r[lat])) for r in GOOD_ROWS]


def _frame(geometry: list[object] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame([list(r) for r in GOOD_ROWS], columns=HEADER)
    if geometry is None:
        return frame
    return gpd.GeoDataFrame(frame.drop(columns=["lat", "lon"]), geometry=geometry, crs=4326)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_polygons_and_multipoints_are_refused_with_their_row(tmp_path: Path, suffix: str) -> None:
    point, square = shapely.Point(76.9, 43.2), shapely.box(76, 43, 77, 44)
    geometry = [point, square, shapely.MultiPoint([(51.8, 47.1), (52, 47)])]
    path = tmp_path / f"t{suffix}"
    _frame(geometry).to_file(path)
    assert problems_of(path) == [
        f"t{suffix}, row 2, column 'geometry': geometry is a Polygon; only points can be mapped",
        f"t{suffix}, row 3, column 'geometry': geometry is a MultiPoint; only points can be mapped",
    ]


def test_an_attribute_only_geopackage_is_read_from_its_lat_lon(tmp_path: Path) -> None:
    path = tmp_path / "t.gpkg"
    import pyogrio

    pyogrio.write_dataframe(_frame(), path, layer="incidents")
    assert len(load_dataset(path).incidents) == 3


def test_a_geopackage_with_two_layers_asks_which(tmp_path: Path) -> None:
    from geo.cli import main

    path = tmp_path / "t.gpkg"
    _frame(_points()).to_file(path, layer="incidents")
    _frame(_points()).head(1).to_file(path, layer="older")
    with pytest.raises(DataError) as error:
        load_dataset(path)
    assert error.value.layers == ["incidents", "older"]  # type: ignore[attr-defined]
    assert "has 2 layers; choose one of incidents, older with --layer NAME" in str(error.value)
    assert len(load_dataset(path, layer="older").incidents) == 1
    assert main(["validate", str(path), "--layer", "incidents"]) == 0
    assert main(["validate", str(path)]) == 1


def test_a_path_that_cannot_be_read_is_a_data_error(tmp_path: Path) -> None:
    too_long = tmp_path / ("x" * 300 + ".csv")  # refused by the operating system, even for root
    found = problems_of(too_long)
    assert len(found) == 1 and "cannot be read: File name too long" in found[0], found


QUERIES = [
    {"year": "²"},
    {"year": ["2011", "99999", "-1", "1e3"]},
    {"start": "2011-02-30", "end": "{{7*191}}"},
    {"region": ["Atyrau", "<script>", "Nowhere"], "country": ["kz", "KZZ", "ß"]},
    {"type": "riot", "exact": "yes", "../../etc/passwd": "1"},
]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), st.one_of(st.text(), st.lists(st.text(), max_size=3))))
def test_any_query_string_gives_filters_and_notes(query: dict[str, object]) -> None:
    filters, notes = Filters.parse_query(query)  # type: ignore[arg-type]
    assert filters.normalised() == filters.normalised()  # usable as they are
    assert all(isinstance(n, str) for n in notes)


PAGES = ["pages/map.py", "pages/timeline.py", "pages/incidents.py", "pages/about.py"]


@pytest.mark.parametrize(
    ("page", "query"),
    [(page, QUERIES[0]) for page in PAGES] + [("pages/map.py", q) for q in QUERIES[1:]],
)
def test_every_page_takes_any_query_string(
    monkeypatch: pytest.MonkeyPatch, page: str, query: dict[str, object]
) -> None:
    at = start(monkeypatch, query=query)
    at.switch_page(page).run()
    assert not failures(at), failures(at)
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "Parts of the link were left out" in warnings


def test_the_error_details_setting_hides_tracebacks() -> None:
    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


# Finding 6: exported CSV cells never run as formulas; GeoJSON keeps the text exactly.


FORMULAS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_export_neutralises_formulas_and_geojson_keeps_them(tmp_path: Path, text: str) -> None:
    dataset = load_dataset(_table(tmp_path, text))
    assert set(dataset.incidents["place"]) == {text}  # validation keeps leading whitespace
    rows = list(csv.DictReader(export_text(dataset, Filters(), "csv").splitlines(keepends=True)))
    for column in FREE_TEXT:
        assert {r[column] for r in rows} == {"'" + text}
    assert all(r["claims"].startswith("src1 para") for r in rows if r["claims"])
    almaty = next(r for r in rows if r["incident_id"] == "a-almaty")
    assert float(almaty["lat"]) == pytest.approx(43.25249)  # numbers stay numbers
    features = json.loads(export_text(dataset, Filters(), "geojson"))["features"]
    assert {f["properties"]["place"] for f in features} == {text}


def test_an_uploaded_geopackage_with_two_layers_asks_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.gpkg"
    _frame(_points()).to_file(path, layer="incidents")
    _frame(_points()).head(1).to_file(path, layer="older")
    at = start(monkeypatch)
    upload = ("mine.gpkg", path.read_bytes(), "application/geopackage+sqlite3")
    at.file_uploader(key="upload").set_value(upload).run()
    assert not failures(at), failures(at)
    (box,) = [
        s
        for s in at.sidebar.selectbox
        if s.label == "Your GeoPackage has several layers: which one?"
    ]
    assert box.options == ["incidents", "older"]
    assert {m.label: m.value for m in at.metric}["Incidents"] == "33"  # nothing loaded yet
    assert any("Choose a layer to load mine" in i.value for i in at.sidebar.info)
    box.set_value("older").run()
    assert not failures(at), failures(at)
    assert {m.label: m.value for m in at.metric}["Incidents"] == "1"


def test_a_new_session_on_an_unreadable_table_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(monkeypatch, data=tmp_path / ("x" * 300 + ".csv"))
    assert not failures(at), failures(at)
    assert "cannot be read: File name too long" in "\n".join(c.value for c in at.sidebar.code)
    main = [e.value for e in at.main.error]
    assert any("could not be loaded" in e for e in main), main
    shown = [str(getattr(e, "value", "")) for e in [*at.sidebar, *at.main]]
    assert not any(str(tmp_path) in text for text in shown)  # no server folder for visitors


def test_an_unexpected_error_is_logged_and_shown_as_one_sentence(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import ui

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("/srv/secret/path.py exploded")

    monkeypatch.setattr("geo.webmap.view.map_layers", broken)
    at = start(monkeypatch)
    assert not at.exception
    assert [e.value for e in at.main.error] == [ui.UNEXPECTED]
    shown = " ".join(str(getattr(e, "value", "")) for e in at.main)
    assert "/srv/secret" not in shown
    assert "/srv/secret/path.py exploded" in caplog.text


# A second review, with the fixes above in place: small files that cost a lot to read, and values
# that passed validation but broke an export.


def _geojson(path: Path, features: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(properties: dict[str, object]) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [76.9115, 43.25249]},
        "properties": properties,
    }


def test_a_small_file_with_many_columns_is_refused_before_it_is_read(tmp_path: Path) -> None:
    base = {"incident_id": "a", "date_start": "2016-07-18", "event_type": "armed_attack"}
    wide = _geojson(tmp_path / "wide.geojson", [_feature(base | {f"k{i}": 1 for i in range(300)})])
    assert problems_of(wide) == ["wide.geojson: 303 columns; the limit is 200"]
    sparse = _geojson(
        tmp_path / "sparse.geojson", [_feature(base | {f"k{i}": 1}) for i in range(300)]
    )
    assert problems_of(sparse) == ["sparse.geojson: 303 columns; the limit is 200"]
    header = ",".join([*HEADER, *(f"k{i}" for i in range(200))])
    csv_path = tmp_path / "wide.csv"
    csv_path.write_text(header + "\n" + "x\n" * 1000)
    assert problems_of(csv_path) == ["wide.csv, row 1: 221 columns; the limit is 200"]


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        (
            "CREATE VIEW v AS SELECT i.* FROM incidents i WHERE (WITH RECURSIVE c(x) AS "
            "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000000) SELECT count(*) "
            "FROM c) > 0",
            "a view 'v'",
        ),
        (
            "CREATE TABLE v AS SELECT * FROM incidents; ALTER TABLE v ADD COLUMN big TEXT "
            "GENERATED ALWAYS AS (printf('%.*c', 50000000, 'x')) VIRTUAL",
            "generated (computed) columns in 'v'",
        ),
        (  # GDAL reads gpkg_contents (and other metadata tables) when it opens the file
            "CREATE TABLE v AS SELECT * FROM incidents; "
            "ALTER TABLE gpkg_contents RENAME TO gc_real; CREATE VIEW gpkg_contents AS "
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
            "SELECT g.* FROM gc_real g, c",
            "a view 'gpkg_contents'",
        ),
    ],
)
def test_a_geopackage_layer_that_computes_its_rows_is_refused_unread(
    tmp_path: Path, sql: str, kind: str
) -> None:
    import sqlite3
    import time

    path = tmp_path / "t.gpkg"
    _frame(_points()).to_file(path, layer="incidents")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
            "VALUES ('v', 'attributes', 'v')"
        )
        db.executescript(sql)
    started = time.perf_counter()
    for layer in (None, "incidents", "v"):
        with pytest.raises(DataError) as error:
            load_dataset(path, layer=layer)
        assert str(error.value) == f"t.gpkg: holds {kind}; only stored tables are read"
    assert time.perf_counter() - started < 10  # the view would run for minutes


def test_rows_are_counted_as_read_not_taken_from_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    path = tmp_path / "t.gpkg"
    _frame(_points()).to_file(path, layer="incidents")
    with sqlite3.connect(path) as db:  # the file states 1 feature; it holds 3
        db.execute("UPDATE gpkg_ogr_contents SET feature_count = 1")
    assert len(load_dataset(path).incidents) == 3
    monkeypatch.setattr("geo.tables.MAX_ROWS", 2)
    assert problems_of(path) == ["t.gpkg: more than 2 features; the limit is 2"]


def test_a_geopackage_with_too_many_layers_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "t.gpkg"
    _frame(_points()).to_file(path, layer="incidents")
    with sqlite3.connect(path) as db:
        for i in range(101):
            db.execute(f"CREATE TABLE t{i} (a)")
            db.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                "VALUES (?, 'attributes', ?)",
                (f"t{i}", f"t{i}"),
            )
    assert problems_of(path) == ["t.gpkg: lists more than 100 layers"]


def test_a_colon_in_a_geopackage_path_opens_no_other_file(tmp_path: Path) -> None:
    other = tmp_path / "a"
    _frame(_points()).head(1).to_file(other, driver="GPKG", layer="b.gpkg")
    path = tmp_path / "a:b.gpkg"
    _frame(_points()).to_file(path)
    assert problems_of(path) == [
        "a:b.gpkg: a GeoPackage's path must not contain ':'; rename the file or its folder"
    ]


def test_a_crs_that_cannot_become_longitude_and_latitude_is_a_data_error(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "moon.geojson", [_feature(dict(zip(HEADER, GOOD_ROWS[0])))])
    collection = json.loads(path.read_text())
    for feature in collection["features"]:
        del feature["properties"]["lat"], feature["properties"]["lon"]
    collection["crs"] = {"type": "name", "properties": {"name": "IAU_2015:30100"}}
    path.write_text(json.dumps(collection))
    (problem,) = problems_of(path)
    assert problem.startswith("moon.geojson: its coordinates (Moon (2015)")


def test_header_problems_are_data_errors(tmp_path: Path) -> None:
    long_header = tmp_path / "long.csv"
    long_header.write_text(",".join(HEADER) + "," + "x" * 140_000 + "\n")
    assert problems_of(long_header) == [
        "long.csv, row 1: the header cannot be read: field larger than field limit (131072)"
    ]
    blank_first = tmp_path / "blank.csv"
    blank_first.write_text("\n" + ",".join([*HEADER, "lat"]) + "\n")
    assert problems_of(blank_first) == [
        "blank.csv, row 1: the first line is empty; put the header there"
    ]


def test_a_source_id_used_twice_is_named(good_table: Path) -> None:
    sources = good_table.with_name("sources.csv")
    sources.write_text(sources.read_text() + "src1,Again,,,,news\n")
    assert problems_of(good_table) == [
        "sources.csv, row 4, column 'source_id': duplicate source_id 'src1' (first used on row 2)"
    ]


@pytest.mark.parametrize("lat", ["90", "-90", "89.9", "-87"])
def test_snapshot_and_timelapse_of_a_point_near_a_pole(tmp_path: Path, lat: str) -> None:
    from geo.export import snapshot_bytes, timelapse_bytes
    from geo.snapshot import MapFrame

    rows = [list(GOOD_ROWS[1])]
    rows[0][HEADER.index("lat")], rows[0][HEADER.index("lon")] = lat, "180"
    rows[0][HEADER.index("region")] = rows[0][HEADER.index("country")] = ""
    dataset = load_dataset(write_csv(tmp_path / "t.csv", HEADER, rows))
    png = snapshot_bytes(dataset.incidents, Filters(), frame=MapFrame(size="640x400", dpi=100))
    assert png.startswith(b"\x89PNG")
    assert timelapse_bytes(dataset.incidents, Filters()).startswith(b"GIF8")


def test_text_that_looks_like_an_asset_placeholder_is_exported(tmp_path: Path) -> None:
    dataset = load_dataset(_table(tmp_path, "see atlas-asset:leaflet_js"))
    page = export_text(dataset, Filters(), "html")
    _assert_shown_verbatim(page, "see atlas-asset:leaflet_js")


def test_an_output_that_is_not_a_file_is_written_into_never_replaced(tmp_path: Path) -> None:
    # "--out /dev/null" must not put a regular file where the device was: a pipe stands in
    # for it here (a reader takes what is written; the pipe stays a pipe).
    import os
    import stat

    from geo.files import write_text_atomic

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_text(encoding="utf-8")))
    reader.start()
    write_text_atomic(pipe, "unit,period\n")
    reader.join(timeout=10)
    assert got == ["unit,period\n"]
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    with pytest.raises(IsADirectoryError):
        write_text_atomic(tmp_path, "x")
