"""The team store on a real PostgreSQL server with PostGIS (started by ``tests/pg.py``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.filters import Filters
from geo.query import open_engine
from geo.store import postgis
from geo.tables import load_dataset
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import FROZEN_CSV
from tests.tables import kept as filter_incidents

FIXTURES = Path(__file__).parent / "data" / "formats"


def test_init_is_idempotent_and_versioned(pg_url: str) -> None:  # noqa: F811
    assert postgis.init_schema(pg_url) == (0, postgis.SCHEMA_VERSION)
    assert postgis.init_schema(pg_url) == (postgis.SCHEMA_VERSION, postgis.SCHEMA_VERSION)
    with postgis.connect(pg_url) as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes").fetchall()}
        assert {"incidents_geom", "incidents_dates", "incidents_region", "incidents_map"} <= indexes
        conn.execute("UPDATE atlas_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(postgis.StoreError, match="schema is version 99; this release knows up to"):
        postgis.init_schema(pg_url)


def test_a_version_1_database_is_migrated_keeping_its_incidents(pg_url: str) -> None:  # noqa: F811
    with postgis.connect(pg_url) as conn:  # a database as the first release left it
        for statement in postgis.MIGRATIONS[1]:
            conn.execute(statement)
        conn.execute("INSERT INTO atlas_meta VALUES ('schema_version', '1')")
        conn.execute(
            "INSERT INTO incidents (incident_id, date_start, date_end, date_precision, lat, lon, "
            "geo_precision, event_type, geom) VALUES ('kept', '2016-01-01', '2016-01-01', 'day', "
            "43.25, 76.9, 'city', 'bombing', ST_SetSRID(ST_MakePoint(76.9, 43.25), 4326))"
        )
    assert postgis.init_schema(pg_url) == (1, postgis.SCHEMA_VERSION)
    assert list(postgis.read_incidents(pg_url)["incident_id"]) == ["kept"]
    with postgis.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('incidents_map')").fetchone() == ("incidents_map",)
        assert conn.execute("SELECT count(*) FROM atlas_changes").fetchone() == (0,)
    with postgis.connect(pg_url) as conn:  # every statement changing the data is counted
        conn.execute("UPDATE incidents SET place = 'Almaty' WHERE incident_id = 'kept'")
        conn.execute("DELETE FROM claims WHERE incident_id = 'kept'")
    with postgis.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM atlas_changes").fetchone() == (2,)


def test_importing_twice_changes_nothing_and_export_gives_the_table_back(
    pg_url: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "init", "--db", pg_url]) == 0
    assert main(["db", "import", str(FROZEN_CSV), "--db", pg_url]) == 0
    assert "33 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["db", "import", str(FROZEN_CSV), "--db", pg_url]) == 0
    assert "0 added, 0 updated, 33 unchanged" in capsys.readouterr().out
    # tests/fixtures/claims.csv has 47 rows and its sources.csv 5 (counted in the files)
    assert main(["validate", "--data", pg_url]) == 0
    assert "OK, 33 incidents, 47 claims, 5 source(s)" in capsys.readouterr().out
    out = tmp_path / "back.csv"
    assert main(["db", "export", "--db", pg_url, "--out", str(out)]) == 0
    shipped, back = load_dataset(FROZEN_CSV), load_dataset(out)
    columns = [c for c in shipped.incidents.columns if c not in ("geometry", "row")]
    pd.testing.assert_frame_equal(
        back.incidents[columns].sort_values("incident_id").reset_index(drop=True),
        shipped.incidents[columns].sort_values("incident_id").reset_index(drop=True),
        check_dtype=False,  # the same values; an all-empty text column reads as either kind
    )
    key = ["incident_id", "source", "paragraph", "killed", "wounded", "note"]
    assert sorted(map(tuple, back.claims[key].to_numpy())) == sorted(
        map(tuple, shipped.claims[key].fillna("").to_numpy())
    )
    assert len(back.sources) == len(shipped.sources)
    with postgis.connect(pg_url) as conn:
        actions = conn.execute("SELECT action, count(*) FROM history GROUP BY 1").fetchall()
    assert actions == [("import-add", 33)]  # the second import changed nothing


def test_an_export_is_converted_and_updated_in_place(pg_url: str) -> None:  # noqa: F811
    postgis.init_schema(pg_url)
    assert postgis.import_dataset(pg_url, load_dataset(FIXTURES / "acled.csv")) == {
        "added": 9,
        "updated": 0,
        "unchanged": 0,
    }
    newer = load_dataset(FIXTURES / "acled.csv")
    newer.incidents.loc[newer.incidents["incident_id"] == "ACLED-TST1006", "killed_best"] = 8
    for bound in ("killed_low", "killed_high"):
        newer.incidents.loc[newer.incidents["incident_id"] == "ACLED-TST1006", bound] = 8
    newer.claims.loc[newer.claims["incident_id"] == "ACLED-TST1006", "killed"] = "8"
    counts = postgis.import_dataset(pg_url, newer, who="analyst")
    assert counts == {"added": 0, "updated": 1, "unchanged": 8}
    stored = postgis.read_dataset(pg_url)
    row = stored.incidents.set_index("incident_id").loc["ACLED-TST1006"]
    assert row["killed_best"] == 8
    claims = stored.claims[stored.claims["incident_id"] == "ACLED-TST1006"]
    assert claims["killed"].tolist() == ["8"]  # the dataset's claim replaced, not added
    with postgis.connect(pg_url) as conn:
        who, old, new = conn.execute(
            "SELECT who, old->>'killed_best', new->>'killed_best' FROM history "
            "WHERE action = 'import-update'"
        ).fetchone()
    assert (who, old, new) == ("analyst", "7", "8")


FILTERS = [
    Filters(),
    Filters(start=date(2012, 1, 1), end=date(2012, 12, 31)),
    Filters(years=(2011, 2016)),
    Filters(regions=("Atyrau",)),
    Filters(regions=("Almaty City", "Aktobe"), types=("armed_attack",)),
    Filters(countries=("RU",)),
    Filters(exact_only=True),
    Filters(start=date(2016, 6, 1), types=("armed_attack", "security_operation"), exact_only=True),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
def test_every_filter_gives_the_same_incidents_from_files_and_postgis(
    pg_url: str,  # noqa: F811
    filters: Filters,
) -> None:
    postgis.init_schema(pg_url)
    shipped = load_dataset(FROZEN_CSV)
    postgis.import_dataset(pg_url, shipped)
    expected = sorted(filter_incidents(shipped.incidents, filters.normalised())["incident_id"])
    found = open_engine(pg_url).rows(filters)
    assert sorted(found["incident_id"]) == expected
    assert expected or filters == Filters(countries=("RU",))  # the filters keep something


def test_a_bounding_box_keeps_the_incidents_inside_it(pg_url: str) -> None:  # noqa: F811
    postgis.init_schema(pg_url)
    shipped = load_dataset(FROZEN_CSV)
    postgis.import_dataset(pg_url, shipped)
    box = (50.0, 45.0, 55.0, 48.5)  # around Atyrau: lon, lat, lon, lat
    inside = shipped.incidents[
        shipped.incidents["lon"].between(50, 55) & shipped.incidents["lat"].between(45, 48.5)
    ]
    found = open_engine(pg_url).map_summary(Filters(), max_cells=2000, bounds=box)
    assert found.count == len(inside) and len(inside)


def test_hostile_text_is_stored_and_read_back_as_text(pg_url: str) -> None:  # noqa: F811
    postgis.init_schema(pg_url)
    dataset = load_dataset(FIXTURES / "acled.csv")
    hostile = "'); DROP TABLE incidents; -- <img src=x onerror=alert(1)> {{7*7}}"
    dataset.incidents.loc[dataset.incidents.index[0], "summary"] = hostile
    postgis.import_dataset(pg_url, dataset, who="x'); DROP TABLE history; --")
    back = postgis.read_dataset(pg_url).incidents.set_index("incident_id")
    assert back.loc[dataset.incidents["incident_id"].iloc[0], "summary"] == hostile
    assert len(back) == 9
    hits = open_engine(pg_url).rows(Filters(regions=("Borno",)))
    assert len(hits) == 4


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://atlas:s3cret-pw@127.0.0.1:1/none",
        "postgresql://atlas:S3cr%zzet@127.0.0.1:1/x",
        "postgresql://atlas:S3cret@[::1:1/x",
        "postgresql://atlas:S3c ret@127.0.0.1:1/x",
        "postgresql://atlas:S3cr/et@127.0.0.1:1/x",
        "postgresql://atlas:S3cr@t@127.0.0.1:1/x",
    ],
)
def test_a_password_is_never_printed(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "init", "--db", url]) == 1
    err = capsys.readouterr().err
    assert "cannot connect to the database" in err
    password = url.split("://")[1].split(":", 1)[1].rsplit("@", 1)[0]
    assert not any(part in err for part in (password, password[:4], password[-4:]))


def test_without_a_password_the_drivers_reason_is_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "init", "--db", "postgresql://atlas@127.0.0.1:1/none"]) == 1
    assert "cannot connect to none on 127.0.0.1:1: " in capsys.readouterr().err


def test_commands_and_the_dashboard_read_the_team_store(
    pg_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.apptest import ROOT, failures

    postgis.init_schema(pg_url)
    postgis.import_dataset(pg_url, load_dataset(FROZEN_CSV))
    out = tmp_path / "atyrau.csv"
    code = main(["export", "--data", pg_url, "--region", "Atyrau", "--out", str(out)])
    assert code == 0
    assert len(pd.read_csv(out)) == 5  # the seed data's Atyrau incidents, as on the files
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("INCIDENT_ATLAS_DATA", pg_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not failures(at), failures(at)
    assert {m.label: m.value for m in at.metric}["Incidents"] == "33"
    assert any("the team store" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(years=(2012,)), Filters(types=("armed_attack", "unrest"), exact_only=True)],
    ids=lambda f: f.describe(),
)
def test_the_map_counted_in_sql_is_the_map_counted_in_memory(
    pg_url: str,  # noqa: F811
    tmp_path: Path,
    filters: Filters,
) -> None:
    """The team store's summary (one grouped query) against the same counts made by hand
    from the table in memory: cells at the first size that fits, regions, classes, countries."""
    import numpy as np

    from geo.symbology import precision_classes
    from geo.synth import WORLD, write_synthetic
    from geo.webmap.grid_counts import grid_cells

    path = tmp_path / "world.csv"
    write_synthetic(path, 3_000, seed=5, countries=WORLD)
    dataset = load_dataset(path)
    postgis.init_schema(pg_url)
    postgis.import_dataset(pg_url, dataset)
    kept = filter_incidents(dataset.incidents, filters.normalised())
    assert len(kept) > 300  # more than the cells: they are coarsened
    summary = open_engine(pg_url).map_summary(filters, max_cells=300)
    assert summary.count == len(kept)
    expected = grid_cells(kept, max_cells=300).sort_values(["count", "lat"])
    cells = summary.cells.sort_values(["count", "lat"])
    assert len(cells) == len(expected) <= 300
    assert cells["count"].tolist() == expected["count"].tolist()
    assert cells["killed"].sum() == kept["killed_best"].fillna(0).sum()
    np.testing.assert_allclose(cells["lat"], expected["lat"], atol=1e-9)
    np.testing.assert_allclose(cells["lon"], expected["lon"], atol=1e-9)
    assert cells["event_type"].tolist() == expected["event_type"].tolist()  # ties: a-z first
    assert cells["imprecise"].tolist() == expected["imprecise"].tolist()
    located = kept[kept["region"] != ""]
    assert summary.regions["incidents"].to_dict() == located.groupby("region").size().to_dict()
    assert summary.regions["killed_high"].sum() == located["killed_high"].fillna(0).sum()
    assert set(summary.classes) == set(precision_classes(kept["geo_precision"]))
    assert set(summary.countries) == set(kept["country"])
