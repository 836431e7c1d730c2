"""Every facet, alone and combined, gives the same answers from DuckDB (the validated table's
Parquet files), from PostGIS (the real server the tests start), from the dashboard's columnar
copy of PostGIS and from counting by hand.

The fixture below is ten incidents written for this test; every expected value in ``CASES``
and the tests after it was worked out by hand from those rows (the working is in comments),
not by the code under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.filters import Filters
from geo.query import MirrorEngine, PostgisEngine, SqlEngine, open_engine, table_files
from geo.store import postgis
from geo.tables import load_dataset
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import HEADER, write_csv

# id, start, end, date precision, place, country, region, lat, lon, precision, type,
# killed low/best/high, wounded low/best/high
ROWS = [
    ("k1", "2011-03-10", "2011-03-10", "day", "Almaty", "KZ", "Almaty City", "43.25", "76.91",
     "city", "armed_attack", "2", "3", "4", "1", "1", "1"),
    ("k2", "2011-12-20", "2012-01-10", "month", "Atyrau", "KZ", "Atyrau", "47.10", "51.88",
     "city", "bombing", "0", "0", "0", "", "", ""),
    ("k3", "2012-05-05", "2012-05-05", "day", "Aktobe", "KZ", "Aktobe", "50.28", "57.21",
     "point", "armed_attack", "5", "6", "9", "2", "3", "3"),
    ("k4", "2012-06-01", "2012-06-30", "month", "Atyrau region", "KZ", "Atyrau", "47.30",
     "52.50", "region", "security_operation", "1", "1", "1", "", "", ""),
    ("k5", "2013-02-14", "2013-02-14", "day", "Almaty market", "KZ", "Almaty City", "43.26",
     "76.93", "district", "unrest", "", "", "", "10", "12", "15"),
    ("r1", "2012-09-01", "2012-09-01", "day", "Makhachkala", "RU", "Dagestan", "42.98",
     "47.50", "city", "armed_attack", "3", "3", "3", "", "", ""),
    ("r2", "2013-01-01", "2013-12-31", "year", "Dagestan", "RU", "Dagestan", "42.80", "47.00",
     "region", "security_operation", "0", "0", "0", "", "", ""),
    ("n1", "2013-07-07", "2013-07-07", "day", "Maiduguri", "NG", "Borno", "11.852", "13.161",
     "city", "suicide_bombing", "20", "25", "40", "30", "30", "30"),
    ("n2", "2014-01-15", "2014-01-15", "day", "Nigeria", "NG", "", "9.08", "8.68",
     "country", "armed_attack", "7", "7", "7", "", "", ""),
    ("n3", "2014-03-03", "2014-03-03", "day", "Maiduguri outskirts", "NG", "Borno", "11.841",
     "13.152", "city", "armed_attack", "4", "4", "4", "1", "1", "1"),
]  # fmt: skip

BOKO = "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"
# The dataset's own fields, written for this test: dataset, actor1, actor2, assoc_actors,
# admin1, admin2, the dataset's type and sub-type; the summary where it is not "Incident <id>."
OWN = {
    "k1": ("ACLED", "JNIM", "Civilians (Kazakhstan)", "", "Almaty", "",
           "Violence against civilians", "Attack", ""),
    "k2": ("ACLED", "Unidentified Armed Group", "", "JNIM; Ansaroul Islam", "Atyrau", "",
           "Explosions/Remote violence", "Remote explosive/landmine/IED", ""),
    "k3": ("GTD", "Soldiers of the Caliphate", "", "", "Aktyubinsk", "", "Armed Assault",
           "Police", ""),
    "r1": ("UCDP GED", "Government of Russia (Soviet Union)", "Forces of the Caucasus Emirate",
           "", "Dagestan republic", "Makhachkala district", "state-based conflict", "", ""),
    "n1": ("ACLED", BOKO, "Civilians (Nigeria)", "", "Borno", "Maiduguri",
           "Explosions/Remote violence", "Suicide bomb", ""),
    "n3": ("ACLED", "Military Forces of Nigeria (2015-2023)", BOKO, "", "Borno", "Jere",
           "Battles", "Armed clash", "Troops held the camp at Ségou after a night attack."),
}  # fmt: skip
OWN_COLUMNS = ["dataset", "actor1", "actor2", "assoc_actors", "admin1", "admin2",
               "source_event_type", "source_sub_event_type"]  # fmt: skip

ALL = {"k1", "k2", "k3", "k4", "k5", "r1", "r2", "n1", "n2", "n3"}
CASES = [
    # (filters, the incidents kept, the precision switch hides)
    (Filters(), ALL, 0),
    # touching 2012: k2 ends in January 2012, k3, k4, r1
    (Filters(years=(2012,)), {"k2", "k3", "k4", "r1"}, 0),
    (Filters(years=(2011, 2014)), {"k1", "k2", "n2", "n3"}, 0),
    # overlap: k2 ends 01-10 (after 01-05), k3, k4 starts 06-01 (the end day itself)
    (Filters(start=date(2012, 1, 5), end=date(2012, 6, 1)), {"k2", "k3", "k4"}, 0),
    (Filters(start=date(2013, 6, 1)), {"r2", "n1", "n2", "n3"}, 0),
    (Filters(end=date(2011, 12, 31)), {"k1", "k2"}, 0),
    (Filters(regions=("Atyrau",)), {"k2", "k4"}, 0),
    # a box around the Caspian's north (46-56 E, 40-49 N): Atyrau's k2 (47.10 N, 51.88 E)
    # and k4 (47.30, 52.50), Makhachkala's r1 (42.98, 47.50) and r2 (42.80, 47.00)
    (Filters(area=(46.0, 40.0, 56.0, 49.0)), {"k2", "k4", "r1", "r2"}, 0),
    # across the 180th meridian (170 E to 10 E, all latitudes south of 60 N): everything west
    # of 10 E: the Nigerian n2 (8.68 E)
    (Filters(area=(170.0, -60.0, 10.0, 60.0)), {"n2"}, 0),
    # the box and a type: the security operations k4 (Atyrau region) and r2 (Dagestan)
    (Filters(area=(46.0, 40.0, 56.0, 49.0), types=("security_operation",)), {"k4", "r2"}, 0),
    # A drawn triangle (46 E 40 N, 56 E 40 N, 46 E 49 N): inside where lon - 46 is at most
    # 10 (49 - lat) / 9: r1 (1.5 against 6.7) and r2 (1.0 against 6.9), not Atyrau's k2 (5.88
    # against 2.1) or k4 (6.5 against 1.9)
    (Filters(within=(((46.0, 40.0), (56.0, 40.0), (46.0, 49.0)),)), {"r1", "r2"}, 0),
    # a square (40-60 E, 35-55 N) with a hole around Atyrau (51-53 E, 46-48 N): Aktobe's k3
    # and Dagestan's r1, r2; k2 and k4 lie in the hole
    (Filters(within=(((40.0, 35.0), (60.0, 35.0), (60.0, 55.0), (40.0, 55.0)),
                     ((51.0, 46.0), (53.0, 46.0), (53.0, 48.0), (51.0, 48.0)))),
     {"k3", "r1", "r2"}, 0),
    # two parts: the triangle and a box around Maiduguri (13-13.5 E, 11.5-12 N): n1 and n3
    (Filters(within=(((46.0, 40.0), (56.0, 40.0), (46.0, 49.0)),
                     ((13.0, 11.5), (13.5, 11.5), (13.5, 12.0), (13.0, 12.0)))),
     {"r1", "r2", "n1", "n3"}, 0),
    (Filters(types=("armed_attack",)), {"k1", "k3", "r1", "n2", "n3"}, 0),
    (Filters(countries=("NG",)), {"n1", "n2", "n3"}, 0),
    # k4, r2 region; k5 district; n2 country
    (Filters(exact_only=True), {"k1", "k2", "k3", "r1", "n1", "n3"}, 4),
    (Filters(countries=("KZ",), types=("armed_attack", "bombing"), exact_only=True),
     {"k1", "k2", "k3"}, 0),
    (Filters(regions=("Dagestan", "Borno"), years=(2013,)), {"r2", "n1"}, 0),
    # armed attacks in NG: n2 (country) and n3 (city); the switch hides n2
    (Filters(countries=("NG",), types=("armed_attack",), exact_only=True), {"n3"}, 1),
    (Filters(types=("foiled_plot",)), set(), 0),
    (Filters(years=(2013,), regions=("Atyrau",)), set(), 0),
    # The dataset's own fields (OWN): an actor on either side or among the associated ones,
    # a whole name only ("Ansaroul" is part of a name, not a name)
    (Filters(actors=("JNIM",)), {"k1", "k2"}, 0),
    (Filters(actors=(BOKO,)), {"n1", "n3"}, 0),
    (Filters(actors=("Ansaroul",)), set(), 0),
    (Filters(actors=("JNIM; Ansaroul Islam",)), set(), 0),  # two names, not one of k2's
    (Filters(actors=("Ansaroul Islam", "Soldiers of the Caliphate")), {"k2", "k3"}, 0),
    (Filters(source_types=("Explosions/Remote violence",)), {"k2", "n1"}, 0),
    (Filters(source_types=("Armed clash",)), {"n3"}, 0),
    (Filters(admin1=("Borno",)), {"n1", "n3"}, 0),
    (Filters(admin2=("Jere", "Makhachkala district")), {"n3", "r1"}, 0),
    (Filters(datasets=("ACLED",)), {"k1", "k2", "n1", "n3"}, 0),
    (Filters(datasets=("UCDP GED", "GTD")), {"k3", "r1"}, 0),
    (Filters(datasets=("ACLED",), admin1=("Borno",), years=(2014,)), {"n3"}, 0),
    # the search: place, summary and actors, case and accents ignored
    (Filters(search="segou"), {"n3"}, 0),
    (Filters(search="SÉGOU"), {"n3"}, 0),
    (Filters(search="almaty"), {"k1", "k5"}, 0),  # k1's place and admin, k5's place
    (Filters(search="caliphate"), {"k3"}, 0),
    (Filters(search="jnim", years=(2011,)), {"k1", "k2"}, 0),
    (Filters(search="100%_x'; DROP TABLE incidents; --"), set(), 0),
]  # fmt: skip


@pytest.fixture(scope="module")
def table_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parity")
    rows = []
    for r in ROWS:
        own = OWN.get(r[0], ("",) * 9)
        rows.append([*r, "", "", own[8] or f"Incident {r[0]}.", "src1", *own[:8]])
    path = write_csv(folder / "incidents.csv", [*HEADER, *OWN_COLUMNS], rows)
    write_csv(
        folder / "sources.csv",
        ["source_id", "title", "outlet", "published", "published_note", "kind"],
        [["src1", "One", "", "", "", "news"], ["src2", "Two", "", "", "", "news"]],
    )
    write_csv(
        folder / "claims.csv",
        ["incident_id", "source", "paragraph", "killed", "wounded", "note"],
        [["k3", "src1", "2", "5", "2", ""], ["k3", "src2", "4", "9", "3", ""]],
    )
    return path


@pytest.fixture(scope="module")
def duck(table_path: Path) -> SqlEngine:
    return open_engine(table_files(table_path))


@pytest.fixture
def pg(pg_url: str, table_path: Path) -> SqlEngine:  # noqa: F811
    postgis.init_schema(pg_url)
    postgis.import_dataset(pg_url, load_dataset(table_path))
    return open_engine(pg_url)


def both(duck: SqlEngine, pg: SqlEngine) -> list[tuple[str, SqlEngine]]:
    """The embedded engine, PostGIS, and the dashboard's columnar copy of PostGIS."""
    assert isinstance(pg, PostgisEngine)
    return [("duckdb", duck), ("postgis", pg), ("mirror", MirrorEngine(pg.url))]


def test_every_facet_alone_and_combined_keeps_the_hand_counted_incidents(
    duck: SqlEngine, pg: SqlEngine
) -> None:
    for name, engine in both(duck, pg):
        for filters, kept, hidden in CASES:
            rows = engine.rows(filters)
            assert set(rows["incident_id"]) == kept, (name, filters)
            head = engine.headline(filters)
            assert (head.incidents, head.hidden) == (len(kept), hidden), (name, filters)
            summary = engine.map_summary(filters, max_cells=1000)
            assert summary.count == len(kept), (name, filters)


def test_a_facets_values_are_counted_by_incident(duck: SqlEngine, pg: SqlEngine) -> None:
    for name, engine in both(duck, pg):
        actors = engine.facet_values(Filters(), ("actor1", "actor2", "assoc_actors"))
        # JNIM: k1 (actor1) and k2 (associated); Boko Haram: n1 (actor1) and n3 (actor2);
        # eight other names once each
        assert list(actors.items())[:2] == [(BOKO, 2), ("JNIM", 2)], name
        assert len(actors) == 10 and set(actors.iloc[2:]) == {1}, name
        assert "Ansaroul Islam" in actors.index, name
        kinds = engine.facet_values(
            Filters(countries=("NG",)), ("source_event_type", "source_sub_event_type")
        )
        # NG: n1 Explosions/Remote violence, Suicide bomb; n3 Battles, Armed clash
        assert dict(kinds) == {
            "Explosions/Remote violence": 1, "Suicide bomb": 1, "Battles": 1, "Armed clash": 1,
        }, name  # fmt: skip
        assert set(engine.overview().fields) >= {"dataset", "actor1", "admin2"}, name
        assert "civilian_targeting" not in engine.overview().fields, name


def test_headline_figures_are_the_sums_by_hand(duck: SqlEngine, pg: SqlEngine) -> None:
    for name, engine in both(duck, pg):
        h = engine.headline(Filters())
        # killed low 2+0+5+1+3+0+20+7+4, best 3+0+6+1+3+0+25+7+4, high 4+0+9+1+3+0+40+7+4
        assert (h.killed_low, h.killed_best, h.killed_high) == (42, 49, 68), name
        # wounded: k1 1/1/1, k3 2/3/3, k5 10/12/15, n1 30, n3 1; five incidents give one
        assert (h.wounded_low, h.wounded_best, h.wounded_high) == (44, 47, 50), name
        assert (h.wounded_given, h.regions) == (5, 5), name
        assert h.killed_given == 9, name  # all but k5, which gives no killed figure; k2 gives 0
        assert engine.headline(Filters(types=("unrest",))).killed_given == 0, name  # k5 alone
        ng = engine.headline(Filters(countries=("NG",), exact_only=True))
        assert (ng.incidents, ng.killed_best, ng.regions, ng.hidden) == (2, 29, 1, 1), name


def test_periods_count_each_incident_at_its_middle_day(duck: SqlEngine, pg: SqlEngine) -> None:
    for name, engine in both(duck, pg):
        years = engine.periods(Filters(), "year")
        # k2's middle is 2011-12-30, k4's 2012-06-15, r2's 2013-07-02
        assert years.labels == ["2011", "2012", "2013", "2014"], name
        assert years.counts.sum(axis=1).tolist() == [2, 3, 3, 2], name
        assert years.counts.loc["2012", "armed_attack"] == 2, name
        assert years.killed["best"].tolist() == [3, 10, 25, 11], name
        assert years.killed["low"].tolist() == [2, 9, 20, 11], name
        assert years.killed["high"].tolist() == [4, 13, 40, 11], name
        months = engine.periods(Filters(countries=("KZ",), years=(2011,)), "month")
        # k1 in March, k2 in December 2011: every month between on the axis, empty ones 0
        assert months.labels[0] == "2011-03" and months.labels[-1] == "2011-12", name
        assert len(months.labels) == 10 and months.counts.sum().sum() == 2, name


def test_map_cells_regions_and_kinds(duck: SqlEngine, pg: SqlEngine) -> None:
    for name, engine in both(duck, pg):
        fine = engine.map_summary(Filters(), max_cells=1000)
        # k1 and k5 share a 0.05-degree cell (865, 1538); the other eight are apart
        assert len(fine.cells) == 9 and fine.cells["count"].sum() == 10, name
        assert sorted(fine.cells["count"])[-1] == 2, name
        one = engine.map_summary(Filters(), max_cells=1)
        assert one.cells["count"].tolist() == [10], name
        regions = fine.regions
        assert regions.loc["Atyrau", "incidents"] == 2, name
        assert regions.loc["Atyrau", "killed_best"] == 1, name
        assert regions.loc["Borno", "killed_high"] == 44, name
        assert "" not in regions.index and len(regions) == 5, name
        assert fine.countries == ("KZ", "NG", "RU"), name
        assert fine.classes == ("approximate", "coarse", "exact"), name
        boxed = engine.map_summary(Filters(), max_cells=1000, bounds=(40.0, 40.0, 80.0, 55.0))
        assert boxed.count == 7, name  # Kazakhstan and Dagestan, not Nigeria


def test_pages_values_claims_and_overview(duck: SqlEngine, pg: SqlEngine) -> None:
    for name, engine in both(duck, pg):
        top = engine.rows(Filters(), order=("killed_best", True), limit=3)
        assert top["incident_id"].tolist() == ["n1", "n2", "k3"], name
        second = engine.rows(Filters(), order=("date_start", False), limit=3, offset=3)
        assert second["incident_id"].tolist() == ["k4", "r1", "r2"], name
        assert engine.count(Filters(), search="MAIDUGURI") == 2, name
        assert engine.count(Filters(types=("armed_attack",)), search="maiduguri") == 1, name
        counts = engine.value_counts(Filters(), "country")
        assert counts.to_dict() == {"KZ": 5, "NG": 3, "RU": 2}, name
        claims = engine.claims(Filters(regions=("Aktobe",)))
        assert sorted(claims["killed"]) == ["5", "9"], name
        assert engine.claims(Filters(countries=("RU",))).empty, name
        view = engine.overview()
        assert (view.count, view.first, view.last) == (10, date(2011, 3, 10), date(2014, 3, 3))
        assert view.years == (2011, 2012, 2013, 2014), name
        assert view.countries == ("KZ", "NG", "RU"), name
        assert ("Borno", "NG") in view.regions and ("", "NG") not in view.regions, name


def test_the_copy_of_the_team_store_follows_its_changes(pg: SqlEngine, table_path: Path) -> None:
    from geo.query import mirror

    assert isinstance(pg, PostgisEngine)
    copy = MirrorEngine(pg.url)
    assert copy.headline(Filters()).incidents == 10
    copy._checked -= mirror.CHECK_SECONDS
    assert copy.overview().count == 10 and copy.loads == 1  # nothing changed: not read again
    with postgis.connect(pg.url) as conn:
        conn.execute("DELETE FROM claims WHERE incident_id = 'n1'")
        conn.execute("DELETE FROM incidents WHERE incident_id = 'n1'")
    copy._checked -= mirror.CHECK_SECONDS  # as when the next page is drawn a second later
    assert copy.headline(Filters()).incidents == 9
    assert copy.overview().count == 9
    assert copy.headline(Filters(countries=("NG",))).killed_best == 11  # n2 7 + n3 4
    assert copy.loads == 2


def test_batches_follow_the_export_order_without_repeats(duck: SqlEngine, pg: SqlEngine) -> None:
    for name, engine in both(duck, pg):
        batches = list(engine.batches(Filters(), size=3))
        assert [len(b) for b in batches] == [3, 3, 3, 1], name
        ids = [i for b in batches for i in b["incident_id"]]
        # by date: k1 03-10, k2 2011-12-20, k3, k4 06-01, r1 09-01, r2 and k5 2013, n1, n2, n3
        assert ids == ["k1", "k2", "k3", "k4", "r1", "r2", "k5", "n1", "n2", "n3"], name
        claims = engine.claims_of_ids(["k3", "n1"])
        assert sorted(claims["killed"]) == ["5", "9"], name


def test_a_large_copy_is_read_again_while_the_old_one_answers(
    pg: SqlEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.query import mirror

    assert isinstance(pg, PostgisEngine)
    import threading

    monkeypatch.setattr(mirror, "BACKGROUND_ROWS", 5)  # ten incidents count as large here
    copy = MirrorEngine(pg.url)
    gate, load = threading.Event(), copy._load
    monkeypatch.setattr(copy, "_load", lambda: (gate.wait(30), load()))
    with postgis.connect(pg.url) as conn:
        conn.execute("DELETE FROM incidents WHERE incident_id = 'r1'")
    copy.changed()
    assert copy.headline(Filters()).incidents == 10  # the old copy, while the new is read
    assert copy._loading is not None and copy._loading.is_alive()
    gate.set()
    copy._loading.join(timeout=30)
    assert copy.headline(Filters()).incidents == 9


@pytest.mark.parametrize(
    ("options", "query", "kept"),
    [
        (["--actor", "JNIM"], {"actor": ["JNIM"]}, {"k1", "k2"}),
        (["--source-type", "Armed clash"], {"source_type": ["Armed clash"]}, {"n3"}),
        (["--admin1", "Borno", "--admin2", "Jere"], {"admin1": ["Borno"], "admin2": ["Jere"]},
         {"n3"}),
        (["--dataset", "UCDP GED"], {"dataset": ["UCDP GED"]}, {"r1"}),
        (["--search", "Camp at SEGOU"], {"q": ["Camp at SEGOU"]}, {"n3"}),
        (["--actor", "Military Forces of Nigeria (2015-2023)"],
         {"actor": ["Military Forces of Nigeria (2015-2023)"]}, {"n3"}),
    ],
)  # fmt: skip
def test_the_command_line_and_the_link_take_the_new_facets(
    table_path: Path, tmp_path: Path, options: list[str], query: dict[str, list[str]],
    kept: set[str],
) -> None:  # fmt: skip
    import csv

    from geo.cli import main

    out = tmp_path / "x.csv"
    assert main(["export", "--data", str(table_path), *options, "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        assert {r["incident_id"] for r in csv.DictReader(fh)} == kept
    filters, notes = Filters.parse_query(query)
    assert notes == [] and Filters.parse_query(filters.to_query())[0] == filters
    assert filters.to_cli() == options
