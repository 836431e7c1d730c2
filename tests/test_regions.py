"""The region layer and the point-in-region join."""

from __future__ import annotations

import numpy as np
import pytest

from geo.errors import FilterError
from geo.places.regions import canonical_region, read_countries, read_regions, region_at, regions_at


def test_layer_holds_kazakhstans_16_units_baikonur_and_the_russian_republics() -> None:
    regions = read_regions()
    kz = regions[regions["country"] == "KZ"]
    assert len(kz) == 17  # 14 oblasts, Almaty City, Astana, and the Baikonur lease
    assert "Baikonur" in set(kz["region"])
    assert set(regions[regions["country"] == "RU"]["region"]) == {
        "Dagestan",
        "Ingushetia",
        "Kabardino-Balkaria",
        "Tatarstan",
    }
    assert regions.crs.to_epsg() == 4326
    assert regions.geometry.is_valid.all()


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
        (74.59, 42.87, None),  # Bishkek: outside the layer
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


def test_unknown_region_lists_the_choices() -> None:
    with pytest.raises(FilterError, match="valid regions: Akmola, Aktobe"):
        canonical_region("Narnia")


def test_country_outlines_cover_the_neighbours() -> None:
    names = set(read_countries()["country"])
    assert {"KZ", "RU", "CN", "KG", "UZ", "TM"} <= names


def test_region_names_in_cyrillic_keep_their_letters() -> None:
    from geo.places.names import fold_name

    # One folding rule for regions and places: Cyrillic is kept, so two names never both fold
    # to "" and meet by accident.
    assert fold_name("Актобе") == "актобе"
    assert fold_name("Актобе") != fold_name("Атырау")
    with pytest.raises(FilterError, match="unknown region 'Атырау'"):
        canonical_region("Атырау")
