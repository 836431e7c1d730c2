"""The region layer and the point-in-region join."""

from __future__ import annotations

import numpy as np
import pytest

from geo.errors import FilterError
from geo.places.names import fold_name
from geo.places.regions import canonical_region, read_countries, read_regions, region_at, regions_at

KAZAKH_2011_2016 = {
    "Akmola", "Aktobe", "Almaty Region", "Almaty City", "Astana", "Atyrau", "East Kazakhstan",
    "Mangystau", "North Kazakhstan", "Pavlodar", "Karaganda", "Kostanay", "Kyzylorda",
    "South Kazakhstan", "West Kazakhstan", "Zhambyl", "Baikonur",
}  # fmt: skip


def test_layer_covers_the_world_with_kazakhstans_2011_2016_units() -> None:
    regions = read_regions()
    # Kazakhstan's 14 oblasts, Almaty City, Astana and the Baikonur lease, before 2018.
    assert set(regions[regions["country"] == "KZ"]["region"]) == KAZAKH_2011_2016
    assert {"Dagestan", "Ingushetia", "Kabardino-Balkaria", "Tatarstan"} <= set(
        regions[regions["country"] == "RU"]["region"]
    )
    # Nigeria's 36 states and the Federal Capital Territory.
    assert len(regions[regions["country"] == "NG"]) == 37
    assert len(set(regions["country"])) > 200
    assert regions["code"].is_unique and regions["label"].is_unique
    # Unique as users type them too: "Pará" and "Para" are told apart by their country.
    assert regions["label"].map(fold_name).is_unique
    assert regions.crs.to_epsg() == 4326
    assert regions.geometry.is_valid.all()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Central, Ghana", "Central, Ghana"),
        ("GH-CENTRAL", "Central, Ghana"),
        ("central, ghana", "Central, Ghana"),
        ("Borno", "Borno"),
        ("KZ-ATY", "Atyrau"),
    ],
)
def test_a_region_is_named_by_label_code_or_unique_name(text: str, label: str) -> None:
    assert canonical_region(text) == label


def test_a_name_several_regions_share_asks_which() -> None:
    with pytest.raises(FilterError, match="'Central' names 8 regions; say which: Central, Botsw"):
        canonical_region("Central")


@pytest.mark.parametrize(
    ("lon", "lat", "region"),
    [
        (76.9115, 43.2525, "Almaty City"),
        (77.05, 43.05, "Almaty Region"),  # Ile-Alatau park, just outside the city
        (51.8843, 47.1048, "Atyrau"),
        (71.3733, 42.8980, "Zhambyl"),  # Taraz
        (80.2503, 50.4206, "East Kazakhstan"),  # Semey, before the 2022 Abai region
        (69.6004, 42.3099, "South Kazakhstan"),  # Shymkent, before its 2018 city status
        (63.3167, 45.6167, "Baikonur"),
        (46.5857, 43.2487, "Dagestan"),
        (74.59, 42.87, "Bishkek"),  # Kyrgyzstan's capital, a unit of its own
        (13.15712, 11.84692, "Borno"),  # Maiduguri
        (-75.56359, 6.25184, "Antioquia"),  # Medellín
        (-0.1, -30.0, None),  # the South Atlantic
    ],
)
def test_point_in_region(lon: float, lat: float, region: str | None) -> None:
    assert region_at(lon, lat) == region


def test_vectorised_join_matches_single_points_and_skips_nan() -> None:
    lon = np.array([76.9115, 51.8843, np.nan, 0.0])
    lat = np.array([43.2525, 47.1048, 43.0, 0.0])
    assert list(regions_at(lon, lat)) == ["Almaty City", "Atyrau", None, None]


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Aqtöbe", "Aktobe"),
        ("aktobe region", "Aktobe"),
        ("Alma-Ata Oblast", "Almaty Region"),
        ("Jambyl", "Zhambyl"),
        ("Nur-Sultan", "Astana"),
        ("Ingush", "Ingushetia"),
    ],
)
def test_region_aliases(name: str, canonical: str) -> None:
    assert canonical_region(name) == canonical


def test_unknown_region_says_how_to_name_one_and_suggests_a_near_name() -> None:
    with pytest.raises(FilterError, match="unknown region 'Xyzzy' \\(give a region's name"):
        canonical_region("Xyzzy")
    with pytest.raises(FilterError, match="did you mean 'Atyrau'"):
        canonical_region("Atyrauu")


def test_country_outlines_cover_the_world() -> None:
    names = set(read_countries()["country"])
    assert {"KZ", "RU", "CN", "NG", "CO", "UA", "PH", "AU", "BR", "US", "FR"} <= names


def test_region_names_in_cyrillic_keep_their_letters() -> None:
    from geo.places.names import fold_name

    # One folding rule for regions and places: Cyrillic is kept, so two names never both fold
    # to "" and meet by accident.
    assert fold_name("Актобе") == "актобе"
    assert fold_name("Актобе") != fold_name("Атырау")
    with pytest.raises(FilterError, match="unknown region 'Атырау'"):
        canonical_region("Атырау")


def test_a_name_natural_earth_gives_several_provinces_is_refused_not_settled() -> None:
    # Natural Earth's alternate name of each of the eight Andalusian provinces is "Andalucía".
    with pytest.raises(FilterError, match="'Andalucia' names 8 regions; say which: Almería"):
        canonical_region("Andalucia")
    assert canonical_region("Almería") == "Almería"


def test_a_label_with_a_comma_survives_a_link() -> None:
    from geo.filters import Filters

    wanted = Filters(regions=("Pará, Brazil", "Central, Ghana"))
    back, notes = Filters.parse_query(wanted.to_query())
    assert back.regions == wanted.regions and notes == []
    both, _ = Filters.parse_query({"region": "Atyrau,Borno"})  # a list typed by hand
    assert both.regions == ("Atyrau", "Borno")


def test_a_region_may_be_named_as_a_dataset_writes_it() -> None:
    from geo.facets import BY_NAME
    from geo.filters import Filters

    # "Borno State" (UCDP, GTD) and "Dagestan Republic" name one region each by name; "North"
    # names several (Lebanon's, Cameroon's, ...) and "Idleb" is only spelt close to Idlib
    parse = BY_NAME["regions"].parse
    assert (parse("Borno State"), parse("Dagestan Republic")) == ("Borno", "Dagestan")
    assert parse("Idleb") is None
    wanted, notes = Filters.parse_query({"region": ["Borno State"]})
    assert wanted.regions == ("Borno",) and notes == []
