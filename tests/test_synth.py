"""The synthetic tables the benchmarks use: valid, reproducible and placed where they say."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.places.regions import regions_at
from geo.schema import COLUMNS, DATE_PRECISIONS
from geo.synth import make_synthetic, synthetic_claims, write_synthetic
from geo.tables import check_dataset, load_dataset, write_csv
from geo.validate import validate_incidents


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return make_synthetic(500, seed=7)


def test_passes_validation_with_its_claims_and_sources(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.csv"
    assert write_synthetic(path, 500, seed=7)[0] == 500
    dataset, problems = check_dataset(path)
    assert problems == []
    assert len(dataset.incidents) == 500
    assert len(dataset.claims) >= 500  # every incident cites at least one source
    assert set(dataset.claims["incident_id"]) == set(dataset.incidents["incident_id"])


def test_validation_keeps_every_value(table: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(table, path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    checked = validate_incidents(raw, file=path.name)
    assert checked.problems == []
    pd.testing.assert_frame_equal(
        checked.table[COLUMNS].astype(str), table[COLUMNS].astype(str), check_dtype=False
    )


def test_same_seed_same_table_other_seed_other_table(table: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(make_synthetic(500, seed=7), table)
    assert not make_synthetic(500, seed=8).equals(table)


def test_regions_are_where_the_points_fall(table: pd.DataFrame) -> None:
    located = table["geo_precision"] != "country"
    found = regions_at(table["lon"], table["lat"])
    assert list(table.loc[located, "region"]) == [r or "" for r in found[located.to_numpy()]]
    assert (table.loc[~located, "region"] == "").all()


def test_looks_like_the_atlas_data(table: pd.DataFrame) -> None:
    assert table["incident_id"].is_unique
    assert (table["country"] == "KZ").mean() > 0.75
    assert table["date_start"].min() >= pd.Timestamp("2011-01-01")
    assert table["date_end"].max() <= pd.Timestamp("2016-12-31")
    span = (table["date_end"] - table["date_start"]).dt.days
    assert (span <= table["date_precision"].map(DATE_PRECISIONS)).all()
    assert table["geo_precision"].isin(["city", "point"]).mean() > 0.6
    # Several incidents at one city: the busiest point holds many of them.
    assert table.groupby(["lat", "lon"]).size().max() >= 10
    for what in ("killed", "wounded"):
        low, best, high = (table[f"{what}_{b}"] for b in ("low", "best", "high"))
        given = best.notna()
        assert 0.2 < given.mean() < 0.9  # many empty, many given
        assert ((low <= best) & (best <= high))[given].all()


def test_claims_span_the_tolls_and_best_is_a_claim(table: pd.DataFrame) -> None:
    claims = synthetic_claims(table)
    killed = pd.to_numeric(claims["killed"].replace("", np.nan))
    per = killed.groupby(claims["incident_id"]).agg(["min", "max"])
    tolls = table.set_index("incident_id").loc[per.index]
    given = tolls["killed_best"].notna()
    assert (per["min"][given] == tolls["killed_low"][given]).all()
    assert (per["max"][given] == tolls["killed_high"][given]).all()


def test_synth_command_writes_three_files_and_never_into_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.csv"
    assert main(["synth", "--n", "50", "--seed", "1", "--out", str(out)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "bench.csv",
        "bench.claims.csv",
        "bench.sources.csv",
    }
    assert "50 synthetic incidents" in capsys.readouterr().out
    assert main(["validate", str(out)]) == 0
    data = Path(__file__).resolve().parent.parent / "data"
    assert main(["synth", "--n", "5", "--out", str(data / "synthetic.csv")]) == 1
    assert not (data / "synthetic.csv").exists()


def test_a_table_over_chosen_countries_or_the_world_validates(tmp_path: Path) -> None:
    from geo.synth import WORLD

    path = tmp_path / "three.csv"
    write_synthetic(path, 600, seed=1, countries=("NG", "CO", "UA"))
    table = load_dataset(path).incidents
    assert set(table["country"]) == {"NG", "CO", "UA"}
    # Clustered: the busiest place holds far more than a uniform spread would give it.
    assert table["place"].value_counts().iloc[0] >= 15
    world = tmp_path / "world.csv"
    write_synthetic(world, 2000, seed=2, countries=WORLD)
    assert load_dataset(world).incidents["country"].nunique() > 40


def test_a_parquet_table_holds_the_csv_tables_incidents(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    assert write_synthetic(tmp_path / "s.parquet", 300, seed=4) == (
        300, len(synthetic_claims(make_synthetic(300, seed=4))), 12
    )  # fmt: skip
    drawn = make_synthetic(300, seed=4)
    written = pq.read_table(tmp_path / "s.parquet").to_pandas()
    assert written["incident_id"].tolist() == drawn["incident_id"].tolist()
    assert written["lat"].tolist() == drawn["lat"].tolist()
    assert written["killed_best"].astype("Int64").tolist() == drawn["killed_best"].tolist()
    dataset, problems = check_dataset(tmp_path / "s.parquet")
    assert problems == [] and len(dataset.claims) == len(synthetic_claims(drawn))


def test_a_large_parquet_table_is_drawn_chunk_by_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    monkeypatch.setattr("geo.synth.CHUNK_ROWS", 40)
    incidents, claims, _ = write_synthetic(tmp_path / "big.parquet", 100, seed=2)
    ids = pq.read_table(tmp_path / "big.parquet", columns=["incident_id"]).column(0).to_pylist()
    assert ids == [f"synth-{i:06d}" for i in range(1, 101)]  # numbered across the chunks
    assert pq.ParquetFile(tmp_path / "big.claims.parquet").metadata.num_rows == claims
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers
    dataset, problems = check_dataset(tmp_path / "big.parquet")
    assert problems == [] and len(dataset.incidents) == incidents == 100
    lat = pq.read_table(tmp_path / "big.parquet", columns=["lat"]).column(0).to_pylist()
    assert lat[:40] == make_synthetic(40, seed=2)["lat"].tolist()  # chunk 0: the seed's own
    assert lat[40:80] != make_synthetic(40, seed=2)["lat"].tolist()  # chunk 1: another draw
