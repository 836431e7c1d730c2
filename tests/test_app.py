"""The dashboard's pages under Streamlit's AppTest, on the frozen seed data set.

Expected figures were counted by hand from tests/fixtures/incidents.csv (a frozen copy of the
shipped data, which the run's INCIDENT_ATLAS_DATA names) and the five documents: 33
incidents; killed 88-107 (sum of lows to sum of highs); 10 incidents in 2011 with 27 killed;
Atyrau: 5 incidents, 7 killed, 2 wounded; from 2016 on: 7 incidents, 10-26 killed.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.apptest import failures, start
from tests.parquet_tables import row as tables_row
from tests.tables import FROZEN_DIR, HEADER, write_csv

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "formats"
PAGES = [
    "pages/map.py",
    "pages/timeline.py",
    "pages/incidents.py",
    "pages/edit.py",
    "pages/review.py",
    "pages/about.py",
]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = start(monkeypatch)  # on the run's copy of tests/fixtures
    assert not failures(at), failures(at)
    return at


def figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(app: AppTest, page: str) -> None:
    app.switch_page(page).run()
    assert not failures(app), failures(app)
    assert app.title[0].value


def test_headline_for_all_data(app: AppTest) -> None:
    f = figures(app)
    assert f["Incidents"] == "33"
    assert f["Killed"] == "88–107"
    assert f["Wounded"] == "35"
    assert f["Regions affected"] == "12"
    assert f["Hidden by precision"] == "0"


def test_year_filter(app: AppTest) -> None:
    app.multiselect(key="f_years").set_value([2011]).run()
    f = figures(app)
    # None of 2011's ten incidents has a wounded figure (tests/fixtures/incidents.csv): no
    # figure, not 0.
    assert (f["Incidents"], f["Killed"], f["Wounded"]) == ("10", "27", "no figure")
    assert app.query_params["year"] in ("2011", ["2011"])


def test_an_incident_with_no_killed_figure_is_no_figure_not_zero(app: AppTest) -> None:
    # The Zhanaozen oil strike of December 2011 gives neither killed nor wounded figures.
    app.text_input(key="f_search").set_value("Zhanaozen").run()
    f = figures(app)
    assert (f["Incidents"], f["Killed"], f["Wounded"]) == ("1", "no figure", "no figure")


def test_region_filter(app: AppTest) -> None:
    app.multiselect(key="f_regions").set_value(["Atyrau"]).run()
    f = figures(app)
    assert (f["Incidents"], f["Killed"], f["Wounded"], f["Regions affected"]) == (
        "5",
        "7",
        "2",
        "1",
    )


def test_time_slider(app: AppTest) -> None:
    app.slider(key="f_dates").set_value((date(2016, 1, 1), date(2016, 7, 18))).run()
    f = figures(app)
    assert (f["Incidents"], f["Killed"]) == ("7", "10–26")
    assert app.query_params["start"] in ("2016-01-01", ["2016-01-01"])


def test_precision_switch_reports_hidden(app: AppTest) -> None:
    app.toggle(key="f_exact").set_value(True).run()
    f = figures(app)
    # 18 incidents located to the city, 15 only to a district, region or country.
    assert (f["Incidents"], f["Hidden by precision"]) == ("18", "15")


def test_filters_survive_page_switch(app: AppTest) -> None:
    app.multiselect(key="f_regions").set_value(["Atyrau"]).run()
    app.switch_page("pages/timeline.py").run()
    assert not failures(app), failures(app)
    assert figures(app)["Incidents"] == "5"
    app.switch_page("pages/incidents.py").run()
    assert figures(app)["Incidents"] == "5"
    assert len(app.dataframe[0].value) == 5


def test_filters_from_url() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["region"] = "Atyrau"
    at.query_params["year"] = "2011"
    at.run()
    assert not failures(at), failures(at)
    assert at.multiselect(key="f_regions").value == ["Atyrau"]
    # Atyrau's two explosions of 31 October 2011.
    assert figures(at)["Incidents"] == "2"


def test_a_link_naming_one_region_thrice_and_values_the_table_lacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = start(
        monkeypatch,
        query={"region": ["Atyrau", "atyrau", "Atyrau Region"], "year": ["2011", "2014"],
               "country": ["KZ", "US"], "start": "2015-01-01", "end": "2012-01-01"},
    )  # fmt: skip
    assert not failures(at)
    assert at.multiselect(key="f_regions").value == ["Atyrau"]  # one region, named thrice
    assert at.multiselect(key="f_years").value == [2011]
    assert at.multiselect(key="f_countries").value == ["KZ"]
    notes = " ".join(w.value for w in at.sidebar.warning).replace("\\", "")  # markdown escapes
    # tests/fixtures/incidents.csv has no incident in 2014 and none in the United States.
    assert "year=2014: no incident of this table has it" in notes
    assert "country='US': no incident of this table has it" in notes
    assert "the start date is after the end date" in notes


def test_incidents_page_table_follows_filters(app: AppTest) -> None:
    app.switch_page("pages/incidents.py").run()
    assert len(app.dataframe[0].value) == 33
    # A toll no source gives is an empty cell, not the word "None".
    assert app.dataframe[0].proto.HasField("placeholder")
    assert app.dataframe[0].proto.placeholder == ""
    app.multiselect(key="f_types").set_value(["unrest"]).run()
    table = app.dataframe[0].value
    assert len(table) == 5
    assert set(table["Type"]) == {"unrest"}


def test_timeline_follows_filters(app: AppTest) -> None:
    app.switch_page("pages/timeline.py").run()
    app.radio(key="timeline_period").set_value("year").run()
    assert not failures(app), failures(app)
    app.multiselect(key="f_years").set_value([2016]).run()
    assert figures(app)["Incidents"] == "7"


def _folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_upload_good_then_bad_table_keeps_last_good_data(app: AppTest, frozen_data: Path) -> None:
    from tests.tables import GOOD_ROWS, HEADER

    before = _folder_state(frozen_data.parent)  # the configured table's folder
    good = "\n".join(",".join(r) for r in [HEADER, *GOOD_ROWS]) + "\n"
    app.file_uploader(key="upload").set_value(("mine.csv", good.encode(), "text/csv")).run()
    assert not failures(app), failures(app)
    assert figures(app)["Incidents"] == "3"

    broken = good.replace("43.25249", "north").replace("armed_attack", "riot")
    app.file_uploader(key="upload").set_value(
        ("bad <b>name</b>.csv", broken.encode(), "text/csv")
    ).run()
    assert not failures(app), failures(app)
    assert figures(app)["Incidents"] == "3"  # still the last good table
    listed = "\n".join(c.value for c in app.sidebar.code)
    assert "bad <b>name</b>.csv, row 2, column 'lat'" in listed  # as plain text, not HTML
    assert "row 2, column 'event_type'" in listed
    assert any("was not loaded" in e.value for e in app.sidebar.error)
    app.multiselect(key="f_types").set_value(["bombing"]).run()  # a later rerun
    assert figures(app)["Incidents"] == "1"  # still filtering the last good table
    assert any("was not loaded" in e.value for e in app.sidebar.error)
    assert _folder_state(frozen_data.parent) == before


def test_map_page_downloads_hold_the_filtered_incidents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each download button's data is made when clicked: call what a click would call."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, object] = {}
    register = MediaFileManager.add_deferred

    def remember(self, data_callable, *args, **kwargs):  # type: ignore[no-untyped-def]
        file_id = register(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", remember)
    at = start(monkeypatch, query={"region": "Atyrau", "year": "2011"})
    at.selectbox(key="snap_dpi").set_value(100).run()

    def data(label: str) -> bytes:
        (button,) = [b for b in at.get("download_button") if b.proto.label == label]
        result = made[button.proto.deferred_file_id]()  # type: ignore[operator]
        return result.encode() if isinstance(result, str) else result

    # Atyrau, 2011: the two explosions of 31 October (tests/fixtures/incidents.csv, by hand).
    table = data("Table (CSV, each incident's claims in one column)").decode()
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["incident_id"] for r in rows] == [
        "2011-10-31-atyrau-courtyard-explosion",
        "2011-10-31-atyrau-sary-arka-suicide-bombing",
    ]
    # The ZIP: the same table with its claims and sources, which reads back as a table.
    import zipfile

    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(data(
        "Table with its claims and sources (ZIP of CSV files, reads back)"
    ))) as archive:  # fmt: skip
        archive.extractall(folder)
    from geo.tables import load_dataset

    back = load_dataset(folder / "incidents.csv")
    shipped = list(csv.DictReader((FROZEN_DIR / "claims.csv").open(encoding="utf-8")))
    ids = {r["incident_id"] for r in rows}
    assert len(back.claims) == sum(1 for c in shipped if c["incident_id"] in ids) > 0
    features = json.loads(data("Points with claims and sources (GeoJSON)"))["features"]
    assert len(features) == 2
    assert b"Incidents by city (2)" in data("Interactive map (HTML, works offline)")
    png = Image.open(io.BytesIO(data("Download PNG snapshot")))
    assert png.format == "PNG" and png.size == (1169, 827)  # A4 landscape at 100 dpi
    at.selectbox(key="snap_fmt").set_value("pdf").run()
    assert data("Download PDF snapshot").startswith(b"%PDF")


def test_the_timelapse_is_made_on_request_and_kept_for_the_same_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = start(monkeypatch, query={"region": "Atyrau", "year": "2011"})

    def offered() -> bool:
        labels = [b.proto.label for b in at.get("download_button")]
        return "Download time-lapse (GIF)" in labels

    assert not offered() and at.button(key="lapse_make").label == "Make time-lapse (GIF)"
    at.button(key="lapse_make").click().run()
    assert not failures(at) and offered()
    gif = Image.open(io.BytesIO(at.session_state["lapse_made"][1]))
    # Atyrau in 2011 is two incidents on one day (counted by hand): one yearly frame.
    assert gif.format == "GIF" and gif.n_frames == 1
    at.radio(key="lapse_freq").set_value("month").run()
    assert not offered()  # another step: the kept GIF is not offered for it
    at.radio(key="lapse_freq").set_value("year").run()
    assert offered()
    at.multiselect(key="f_years").set_value([2012]).run()  # other rows: made again on request
    assert not offered()


def test_configured_table_broken_while_running_keeps_last_good(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.tables import GOOD_ROWS, HEADER, write_csv

    table = write_csv(tmp_path / "mine.csv", HEADER, [list(r) for r in GOOD_ROWS])
    monkeypatch.setenv("INCIDENT_ATLAS_DATA", str(table))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert figures(at)["Incidents"] == "3"
    before = table.read_bytes()
    table.write_text(before.decode().replace("armed_attack", "riot"))
    at.run()
    assert not failures(at), failures(at)
    assert figures(at)["Incidents"] == "3"
    assert any("showing its last good version" in e.value for e in at.sidebar.error)
    assert "row 2, column 'event_type'" in "\n".join(c.value for c in at.sidebar.code)


def test_new_upload_resets_filters_and_back_button_returns(app: AppTest) -> None:
    from tests.tables import GOOD_ROWS, HEADER

    app.multiselect(key="f_regions").set_value(["Zhambyl"]).run()
    assert figures(app)["Incidents"] == "1"
    good = "\n".join(",".join(r) for r in [HEADER, *GOOD_ROWS]) + "\n"
    app.file_uploader(key="upload").set_value(("mine.csv", good.encode(), "text/csv")).run()
    assert app.multiselect(key="f_regions").value == []
    assert figures(app)["Incidents"] == "3"
    app.button(key="drop_upload").click().run()
    assert figures(app)["Incidents"] == "33"
    app.run()  # the file is still in the uploader; it must not come back
    assert figures(app)["Incidents"] == "33"


def test_region_without_incidents_can_be_chosen(app: AppTest) -> None:
    app.multiselect(key="f_regions").set_value(["Kostanay"]).run()
    assert not failures(app), failures(app)
    assert figures(app)["Incidents"] == "0"


def test_timeline_has_one_ordered_axis_with_every_period(app: AppTest) -> None:
    app.switch_page("pages/timeline.py").run()
    app.radio(key="timeline_period").set_value("quarter").run()
    assert not failures(app), failures(app)
    charts = [json.loads(c.proto.spec) for c in app.get("vega_lite_chart")]
    assert len(charts) == 2

    def domains(spec: dict) -> list[list[str]]:
        layers = spec.get("layer", [spec])
        return [layer["encoding"]["x"]["scale"]["domain"] for layer in layers]

    # By hand from tests/fixtures/incidents.csv, each incident at its date range's middle: the
    # first is the Temir district killing (2011-01-01 to 2011-07-08, middle in 2011 Q2), the
    # last the Almaty shooting of 2016-07-18. 2011 Q2 to 2016 Q3 is 22 quarters, most of them
    # empty.
    quarters = [f"{y} Q{q}" for y in range(2011, 2017) for q in range(1, 5)][1:-1]
    assert len(quarters) == 22
    for spec in charts:
        assert all(domain == quarters for domain in domains(spec))


def test_incidents_table_sorts_tolls_as_numbers_and_searches_text(app: AppTest) -> None:
    app.switch_page("pages/incidents.py").run()
    table = app.dataframe[0].value
    assert pd.api.types.is_integer_dtype(table["Killed high"])
    # The three highest killed_high figures of tests/fixtures/incidents.csv: 21, 14 and 12.
    top = table.sort_values("Killed high", ascending=False)["Id"].head(3).tolist()
    assert top == [
        "2016-06-05-aktobe-attack",
        "2012-05-31-arkankergen-border-post",
        "2012-08-14-ile-alatau-killings",
    ]
    app.text_input(key="f_search").set_value("GUN SHOP").run()
    assert not failures(app), failures(app)
    assert list(app.dataframe[0].value["Id"]) == ["2016-06-05-aktobe-attack"]
    # The search is a filter like any other: the figures follow it, and the link keeps it.
    assert next(m.value for m in app.metric if m.label == "Incidents") == "1"
    assert app.query_params.get("q") == "GUN SHOP"
    app.text_input(key="f_search").set_value("[unbalanced(").run()  # text, not a pattern
    assert not failures(app), failures(app)
    assert len(app.dataframe[0].value) == 0


def test_a_record_names_its_sources(app: AppTest) -> None:
    app.switch_page("pages/incidents.py").run()
    app.text_input(key="f_search").set_value("gun shop").run()
    table = app.dataframe[0]
    # Select the one row as a click would.
    app.session_state[table.key] = {"selection": {"rows": [0], "columns": []}}
    app.run()
    assert not failures(app), failures(app)
    claims = app.dataframe[2].value
    # tests/fixtures/sources.csv: document 004 is "What Next After Kazak Shootings?" (IWPR).
    assert any(str(s).startswith("What Next After Kazak Shootings?") for s in claims["source"])
    assert "004_5f5978043113cffd" in set(claims["source_id"])
    warning = " ".join(w.value for w in app.warning)
    assert "What Next After Kazak Shootings?" in warning.replace("\\\\", "")


WORLD_CSV = ROOT / "tests" / "data" / "world.csv"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_a_table_from_five_continents(
    monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    at = start(monkeypatch, data=WORLD_CSV)
    # tests/data/world.csv: 12 incidents in 10 countries, 9 distinct regions (counted by hand:
    # Borno holds two; Peru and the Gulf of Aden have none).
    assert figures(at)["Incidents"] == "12"
    assert figures(at)["Regions affected"] == "9"
    at.switch_page(page).run()
    assert not failures(at), failures(at)
    # The row at sea is loaded, and named in the sidebar's warning.
    assert any("row 13" in c.value for c in at.sidebar.code)


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("region", "NG-BORNO", "2"),  # a region by its code: Maiduguri and Borno State
        ("region", "Banaadir", "1"),  # Mogadishu
        ("country", "UA", "1"),
        ("type", "bombing", "2"),  # Kramatorsk, Mogadishu
        ("year", "2019", "2"),  # Maiduguri, and Peru's year-long range
    ],
)
def test_world_filters_from_the_link(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, shown: str
) -> None:
    at = start(monkeypatch, data=WORLD_CSV, query={key: value})
    assert not failures(at), failures(at)
    assert figures(at)["Incidents"] == shown


def test_large_tolls_fit_their_metric_and_the_exact_range_is_in_the_help(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = start(monkeypatch, data=WORLD_CSV)
    killed = next(m for m in at.metric if m.label == "Killed")
    # tests/data/world.csv, summed by hand: low 4+50+1+900+170+130+500+67+2+20+0 = 1,844,
    # high 9+61+1+1200+185+131+600+71+3+20+0 = 2,281.
    assert killed.value == "1.8k–2.3k"
    assert "1,844–2,281" in killed.proto.help


def test_an_upload_with_a_point_at_sea_is_shown_with_a_warning_naming_its_file(
    app: AppTest,
) -> None:
    table = WORLD_CSV.read_bytes()  # row 13 is in the Gulf of Aden, in no region
    name = "<img src=x onerror=alert(1)>{{7*191}}.csv"
    app.file_uploader(key="upload").set_value((name, table, "text/csv")).run()
    assert not failures(app), failures(app)
    assert figures(app)["Incidents"] == "12"
    listed = "\n".join(c.value for c in app.sidebar.code)  # plain text, never markup
    assert f"{name}, row 13, column 'lat'" in listed


def test_the_datasets_own_fields_are_facets_of_the_sidebar(monkeypatch: pytest.MonkeyPatch) -> None:
    # tests/data/formats/acled.csv by hand: 12 rows; TST1007 (no coordinates), TST1008 (a date
    # in neither ACLED form) and TST1009 (time_precision 4) are skipped: 9 incidents.
    at = start(monkeypatch, data=FIXTURES / "acled.csv")
    assert not failures(at), failures(at)
    assert next(m.value for m in at.metric if m.label == "Incidents") == "9"
    actors = at.multiselect(key="f_actors")
    # Civilians (Nigeria): TST1001, 1005, 1006; Unidentified Armed Group (Nigeria): TST1001,
    # 1005, 1011; by count, then by name
    assert list(actors.options[:2]) == [
        "Civilians (Nigeria) (3)", "Unidentified Armed Group (Nigeria) (3)",
    ]  # fmt: skip
    at.multiselect(key="f_admin1").set_value(["Borno"]).run()
    # Borno: TST1001, 1002, 1006, 1010 (1007, 1008, 1009 skipped)
    assert next(m.value for m in at.metric if m.label == "Incidents") == "4"
    assert at.query_params.get("admin1") == "Borno"
    at.multiselect(key="f_actors").set_value(["Civilians (Nigeria)"]).run()
    # Civilians (Nigeria) in Borno: TST1001 and TST1006
    assert next(m.value for m in at.metric if m.label == "Incidents") == "2"
    assert not failures(at), failures(at)


def test_a_link_with_an_actor_and_a_search_opens_that_view(monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(
        monkeypatch,
        data=FIXTURES / "acled.csv",
        query={"actor": "Military Forces of Nigeria (2015-2023)", "q": "BAMA"},
    )
    assert not failures(at), failures(at)
    assert at.text_input(key="f_search").value == "BAMA"
    # Of that actor's rows only TST1002 is kept (1007-1009 are skipped); its place is Bama.
    assert next(m.value for m in at.metric if m.label == "Incidents") == "1"


def test_the_actors_page_ranks_actors_and_a_pick_filters_every_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = start(monkeypatch, data=FIXTURES / "acled.csv")
    at.switch_page("pages/actors.py").run()
    assert not failures(at), failures(at)
    table = at.dataframe[0].value
    # By hand (see above): Civilians (Nigeria) in TST1001 (4 killed), 1005 (0) and 1006 (7);
    # Unidentified Armed Group (Nigeria) in TST1001, 1005 and 1011 (4 killed in all).
    assert list(table["Actor"][:2]) == ["Civilians (Nigeria)", "Unidentified Armed Group (Nigeria)"]
    assert list(table["Incidents"][:2]) == [3, 3]
    assert table["Killed (best; lowest–highest)"][0] == "11"
    at.session_state[at.dataframe[0].key] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    at.button(key="actor_pick").click().run()
    assert not failures(at), failures(at)
    assert at.multiselect(key="f_actors").value == ["Civilians (Nigeria)"]
    assert next(m.value for m in at.metric if m.label == "Incidents") == "3"


def test_the_actors_page_says_when_a_table_names_none(app: AppTest) -> None:
    app.switch_page("pages/actors.py").run()
    assert not failures(app), failures(app)
    assert any("names no actors" in i.value for i in app.info)


def test_a_short_selection_charts_actors_by_month() -> None:
    from geo.actors import actor_years
    from geo.filters import Filters
    from geo.query import open_table, table_files

    engine = open_table(table_files(FIXTURES / "acled.csv")).engine
    found = actor_years(engine, Filters(years=(2022,)), ["Civilians (Nigeria)"])
    # Civilians (Nigeria): TST1001 on 14 February 2022, TST1005 on 3 May, TST1006 on 4 May;
    # every month between them on the axis.
    assert list(zip(found["period"], found["incidents"])) == [
        ("2022-02", 1), ("2022-03", 0), ("2022-04", 0), ("2022-05", 2),
    ]  # fmt: skip


def test_the_region_filter_uses_the_datasets_admin1_and_lists_only_units_with_incidents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # By hand: the point of bj-1 (Djougou) lies in Donga, but its admin1 "Atacora" joins
    # Atakora; bj-2 is in Cotonou (Littoral) with no admin1. Two regions hold incidents, and
    # the filter lists those two only, Atakora with the dataset's own spelling.
    header = [*HEADER, "admin1"]
    rows = [
        [*tables_row(0, incident_id="bj-1", country="BJ", lat="9.7085", lon="1.6660",
                     region=""), "Atacora"],
        [*tables_row(0, incident_id="bj-2", country="BJ", lat="6.3654", lon="2.4183",
                     region=""), ""],
    ]  # fmt: skip
    at = start(monkeypatch, data=write_csv(tmp_path / "benin.csv", header, rows))
    assert not failures(at), failures(at)
    assert figures(at)["Regions affected"] == "2"
    regions = at.multiselect(key="f_regions")
    assert list(regions.options) == ["Atakora · Benin (Atacora)", "Littoral, Benin"]
    regions.set_value(["Atakora"]).run()
    assert figures(at)["Incidents"] == "1"


def test_the_map_colours_symbols_by_a_field_the_table_has(monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(monkeypatch, data=FIXTURES / "acled.csv")
    colour = at.radio(key="map_colour")
    # the ACLED fixture has its own types, actors and a dataset name
    assert list(colour.options) == [
        "event type", "the dataset's own type", "actor (first side)", "dataset"
    ]  # fmt: skip
    colour.set_value("actor1").run()
    assert not failures(at), failures(at)
