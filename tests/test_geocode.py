"""The offline geocoder: historical names, ambiguity, regions and countries, extra places, CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from geopy.exc import GeocoderUnavailable
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

import geo.places.geocode as geocode_module
from geo.errors import DataError, GeocodeError
from geo.places.gazetteer import (
    ExtraRow,
    Place,
    check_gazetteer_extra,
    fold_name,
    load_gazetteer,
    read_gazetteer_extra,
)
from geo.places.geocode import OfflineGeocoder, geocode_command, geocode_place
from geo.places.geonames_index import GeoNamesIndex, index_path
from geo.places.online import CachedGeocoder, make_online_geocoder
from geo.places.regions import region_at

ROOT = Path(__file__).resolve().parent.parent
RAW_KEYS = ["query", "name", "lat", "lon", "country", "region", "precision", "source"]

# GeoNames coordinates (lat, lon) of the cities the historical names must reach.
ALMATY = (43.25249, 76.9115)
AKTOBE = (50.27969, 57.20718)
ATYRAU = (47.1048, 51.88427)
TARAZ = (42.89799, 71.37334)
SEMEY = (50.42064, 80.25025)
OSKEMEN = (49.97143, 82.60586)
ASTANA = (51.1801, 71.44598)
SHYMKENT = (42.30988, 69.60042)
NALCHIK = (43.49806, 43.61889)
KAZAN_RU = (55.78874, 49.12214)
KAZAN_TR = (40.23167, 32.68389)
BISHKEK = (42.87, 74.59)
TEMIR = (49.14284, 57.12736)

# Where each gazetteer_extra row must fall. A new row needs an entry here.
EXTRA_REGIONS = {
    "Ile-Alatau National Park": "Almaty Region",
    "Arkankergen border outpost": "Almaty Region",
    "Temir district": "Aktobe",
    "Tausamaly": "Almaty Region",
    "Sary-Arka, Atyrau": "Atyrau",
}


@pytest.fixture(scope="module")
def geocoder() -> OfflineGeocoder:
    return OfflineGeocoder()


def near(found: Mapping[str, Any], latlon: tuple[float, float], tol: float = 0.1) -> bool:
    """Whether a result lies within ``tol`` degrees of (lat, lon)."""
    lat, lon = latlon
    return abs(found["lat"] - lat) <= tol and abs(found["lon"] - lon) <= tol


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nal'chik", "nalchik"),
        ("Nalʹchik", "nalchik"),
        ("NALCHIK", "nalchik"),
        ("Aqtöbe", "aqtobe"),
        ("Alma-Ata", "almaata"),
        ("Alma Ata", "almaata"),
        ("Ust’-Kamenogorsk", "ustkamenogorsk"),
        ("Актобе", "актобе"),
    ],
)
def test_fold_name(text: str, key: str) -> None:
    assert fold_name(text) == key


@pytest.mark.parametrize(
    ("query", "name", "country", "latlon", "region"),
    [
        ("Alma-Ata", "Almaty", "KZ", ALMATY, "Almaty City"),
        ("Almaty", "Almaty", "KZ", ALMATY, "Almaty City"),
        ("Алматы", "Almaty", "KZ", ALMATY, "Almaty City"),
        ("Aktyubinsk", "Aktobe", "KZ", AKTOBE, "Aktobe"),
        ("Aqtöbe", "Aktobe", "KZ", AKTOBE, "Aktobe"),
        ("Aqtobe", "Aktobe", "KZ", AKTOBE, "Aktobe"),
        ("Aktobe", "Aktobe", "KZ", AKTOBE, "Aktobe"),
        ("Guryev", "Atyrau", "KZ", ATYRAU, "Atyrau"),
        ("Gur'yev", "Atyrau", "KZ", ATYRAU, "Atyrau"),
        ("Dzhambul", "Taraz", "KZ", TARAZ, "Zhambyl"),
        ("Semipalatinsk", "Semey", "KZ", SEMEY, "East Kazakhstan"),
        ("Ust-Kamenogorsk", "Ust-Kamenogorsk", "KZ", OSKEMEN, "East Kazakhstan"),
        ("Tselinograd", "Astana", "KZ", ASTANA, "Astana"),
        ("Akmola", "Astana", "KZ", ASTANA, "Astana"),
        ("Nur-Sultan", "Astana", "KZ", ASTANA, "Astana"),
        ("Astana", "Astana", "KZ", ASTANA, "Astana"),
        ("Shymkent", "Shymkent", "KZ", SHYMKENT, "South Kazakhstan"),
        ("Chimkent", "Shymkent", "KZ", SHYMKENT, "South Kazakhstan"),
        ("Nal'chik", "Nalchik", "RU", NALCHIK, "Kabardino-Balkaria"),
        ("Nalchik", "Nalchik", "RU", NALCHIK, "Kabardino-Balkaria"),
        ("Kazan", "Kazan", "RU", KAZAN_RU, "Tatarstan"),
        ("Bishkek", "Bishkek", "KG", BISHKEK, "Bishkek"),
        ("Temir", "Temir", "KZ", TEMIR, "Aktobe"),
    ],
)
def test_names_resolve_to_the_city(
    query: str, name: str, country: str, latlon: tuple[float, float], region: str | None
) -> None:
    found = geocode_place(query)
    assert found["name"] == name
    assert found["country"] == country
    assert near(found, latlon), found
    assert found["region"] == region
    assert found["precision"] == "city"
    assert found["source"].startswith("geonames:")


def test_a_city_named_like_its_region_is_the_city() -> None:
    found = geocode_place("Atyrau")
    assert (found["precision"], found["name"], found["region"]) == ("city", "Atyrau", "Atyrau")
    assert near(found, ATYRAU, tol=0.001)


# --- ambiguity --------------------------------------------------------------------------------


def test_dzhambul_is_the_city_not_the_village(geocoder: OfflineGeocoder) -> None:
    every = geocoder.geocode("Dzhambul", exactly_one=False)
    names = [loc.raw["name"] for loc in every]
    assert names[0] == "Taraz"
    assert "Dzhambul" in names  # the village of 1,336 people exists, and loses
    village = next(loc for loc in every if loc.raw["name"] == "Dzhambul")
    assert abs(village.latitude - 47.2) < 0.1  # in Karaganda region, far from Taraz


def test_astana_is_kazakhstans_capital_not_ostana(geocoder: OfflineGeocoder) -> None:
    every = geocoder.geocode("Astana", exactly_one=False)
    assert every[0].raw["country"] == "KZ"
    assert near(every[0].raw, ASTANA, tol=0.001)
    assert "IT" in [loc.raw["country"] for loc in every]  # Ostana, Piedmont: alternate name
    italian = geocoder.geocode("Astana", country_codes="IT")
    assert italian.raw["name"] == "Ostana"
    assert geocoder.geocode("Astana", country_codes=["KZ"]).raw["name"] == "Astana"


def test_kazan_with_and_without_a_country(geocoder: OfflineGeocoder) -> None:
    assert near(geocoder.geocode("Kazan").raw, KAZAN_RU)
    assert near(geocoder.geocode("Kazan", country_codes="RU").raw, KAZAN_RU)
    turkish = geocoder.geocode("Kazan", country_codes="tr")
    assert turkish.raw["country"] == "TR"
    assert near(turkish.raw, KAZAN_TR)
    assert geocoder.geocode("Kazan", country_codes="KZ") is None
    assert near(geocode_place("Kazan", country="TR"), KAZAN_TR)


def test_a_country_filter_must_be_a_code(geocoder: OfflineGeocoder) -> None:
    with pytest.raises(GeocodeError, match="alpha-2"):
        geocoder.geocode("Kazan", country_codes="Russia")


# --- regions and countries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "region", "country"),
    [
        ("Ingushetia", "Ingushetia", "RU"),
        ("Tatarstan", "Tatarstan", "RU"),
        ("Atyrau Region", "Atyrau", "KZ"),
        ("Almaty Region", "Almaty Region", "KZ"),
        ("Alma-Ata region", "Almaty Region", "KZ"),
        ("Zhambyl Region", "Zhambyl", "KZ"),
        ("Mangistau", "Mangystau", "KZ"),  # the region, not the town of 31,000 people
    ],
)
def test_region_names_give_the_region(query: str, region: str, country: str) -> None:
    found = geocode_place(query)
    assert found["precision"] == "region"
    assert found["source"] == "regions"
    assert (found["name"], found["region"], found["country"]) == (region, region, country)
    assert region_at(found["lon"], found["lat"]) == region  # the point lies inside the region


@pytest.mark.parametrize(
    ("query", "code", "name"),
    [("Kazakhstan", "KZ", "Kazakhstan"), ("Russia", "RU", "Russia"), ("KZ", "KZ", "Kazakhstan")],
)
def test_country_names_give_the_country(query: str, code: str, name: str) -> None:
    # GeoNames has a village "Kazakhstan" and a "Russia" in Ohio: the country must win.
    found = geocode_place(query)
    assert (found["precision"], found["country"], found["name"]) == ("country", code, name)
    assert found["region"] is None
    assert found["source"] == "countries"
    if code == "KZ":
        assert 40 < found["lat"] < 56 and 46 < found["lon"] < 88


# --- geopy conventions ------------------------------------------------------------------------


def test_geopy_location_and_raw_keys(geocoder: OfflineGeocoder) -> None:
    assert isinstance(geocoder, Geocoder)
    location = geocoder.geocode("Semipalatinsk")
    assert isinstance(location, Location)
    assert list(location.raw) == RAW_KEYS
    assert (location.latitude, location.longitude) == (location.raw["lat"], location.raw["lon"])
    assert location.raw["query"] == "Semipalatinsk"
    assert "Semey" in location.address
    every = geocoder.geocode("Kazan", exactly_one=False)
    assert isinstance(every, list) and len(every) >= 2
    assert all(isinstance(loc, Location) for loc in every)
    assert geocoder.geocode("Xyzzy-no-such-place") is None


def test_reverse_gives_the_nearest_place(geocoder: OfflineGeocoder) -> None:
    assert geocoder.reverse((43.25, 76.91)).raw["name"] == "Almaty"
    nearest = geocoder.reverse("51.18, 71.45", exactly_one=False)
    assert nearest[0].raw["name"] == "Astana"
    assert len(nearest) == 10


# --- not found --------------------------------------------------------------------------------


def test_not_found_raises_with_the_name_and_country() -> None:
    with pytest.raises(GeocodeError) as excinfo:
        geocode_place("Xyz", country="KZ")
    assert str(excinfo.value) == "no place named 'Xyz' in the offline gazetteer (country KZ)"
    with pytest.raises(GeocodeError, match="it knows places of that name in BG, RU, TR"):
        geocode_place("Kazan", country="KZ")
    with pytest.raises(GeocodeError, match="empty"):
        geocode_place("  ")


def test_geocode_command_gives_json_lines_and_reports_misses() -> None:
    said = geocode_command(["Alma-Ata", "Xyzzyplace", "Ingushetia"], None, False)
    err = "\n".join(said.err)
    assert said.status == 1
    lines = [json.loads(line) for line in said.out]
    assert [line["name"] for line in lines] == ["Almaty", "Ingushetia"]
    assert all(list(line) == RAW_KEYS for line in lines)
    assert "no place named 'Xyzzyplace' in the offline gazetteer" in err
    assert "Alma-Ata" not in err


def test_geocode_command_succeeds_and_stays_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(**kwargs: object) -> None:
        raise AssertionError("the online geocoder must not be built by default")

    monkeypatch.setattr(geocode_module, "make_online_geocoder", no_network)
    said = geocode_command(["Guryev", "Temir district"], "KZ", False)
    assert said.status == 0 and said.err == []
    assert [json.loads(line)["region"] for line in said.out] == ["Atyrau", "Aktobe"]
    with pytest.raises(GeocodeError, match="alpha-2"):
        geocode_command(["Guryev"], "Kazakhstan", False)


# --- gazetteer_extra.csv ----------------------------------------------------------------------


def test_extra_rows_lie_in_their_regions() -> None:
    rows = read_gazetteer_extra()
    assert {row.place.name for row in rows} == set(EXTRA_REGIONS)
    for row in rows:
        assert row.place.country == "KZ"
        assert region_at(row.place.lon, row.place.lat) == EXTRA_REGIONS[row.place.name], row
        assert row.place.coord_source
    assert check_gazetteer_extra(rows) == []


def test_ile_alatau_is_in_almaty_region_not_the_city() -> None:
    found = geocode_place("Ile-Alatau National Park", country="KZ")
    assert found["region"] == "Almaty Region"
    assert found["lat"] < ALMATY[0]  # south of the city, in the mountains
    assert found["precision"] == "district"


@pytest.mark.parametrize(
    ("query", "name", "precision"),
    [
        ("Arkan-Kergen", "Arkankergen border outpost", "district"),
        ("Arkankergen border outpost", "Arkankergen border outpost", "district"),
        ("Tuasamaly", "Tausamaly", "district"),
        ("Temir district", "Temir district", "district"),
        ("Sary-Arka, Atyrau", "Sary-Arka, Atyrau", "city"),
    ],
)
def test_extra_names_and_aliases_resolve(query: str, name: str, precision: str) -> None:
    found = geocode_place(query, country="KZ")
    assert (found["name"], found["precision"], found["source"]) == (
        name,
        precision,
        "gazetteer_extra",
    )
    assert found["region"] == EXTRA_REGIONS[name]


def test_extra_rows_borrowing_geonames_coordinates_match_them() -> None:
    sary_arka = geocode_place("Sary-Arka, Atyrau")
    atyrau = geocode_place("Atyrau")
    assert (sary_arka["lat"], sary_arka["lon"]) == (atyrau["lat"], atyrau["lon"])
    shubarkuduk = geocode_place("Shubarkuduk")
    temir_district = geocode_place("Temir district")
    assert (temir_district["lat"], temir_district["lon"]) == (
        shubarkuduk["lat"],
        shubarkuduk["lon"],
    )


def test_region_check_catches_swapped_coordinates() -> None:
    row = read_gazetteer_extra()[0]
    swapped = ExtraRow(row.row, _with(row, lon=row.place.lat, lat=row.place.lon), row.aliases)
    problems = check_gazetteer_extra([swapped])
    assert len(problems) == 1
    assert "lies in no region" in str(problems[0])


def _with(row: ExtraRow, **changes: float) -> Place:
    return replace(row.place, **changes)


def test_extra_csv_validation_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer_extra.csv"
    path.write_text(
        "name,aliases,lat,lon,country,precision,coord_source\n"
        "Good,,43.2,76.9,KZ,city,test\n"
        "Bad,,north,200,Kazakhstan,village,\n"
        "Again,good,43.2,76.9,KZ,city,test\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as excinfo:
        read_gazetteer_extra(path)
    text = str(excinfo.value)
    for column in ("'lat'", "'lon'", "'country'", "'precision'", "'coord_source'", "'aliases'"):
        assert column in text
    assert "row 3" in text and "row 4" in text


def test_gazetteer_is_loaded_once() -> None:
    assert load_gazetteer() is load_gazetteer()
    assert len(load_gazetteer()) > 200_000


# --- the on-disk index ------------------------------------------------------------------------

ALMATY_GEONAMEID = 1526384


def test_the_index_is_built_once_then_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENT_ATLAS_CACHE", str(tmp_path / "cache"))
    first = GeoNamesIndex.open(15000)
    path = index_path(15000)
    assert path.parent == tmp_path / "cache" and path.exists()
    built = path.stat().st_mtime_ns
    again = GeoNamesIndex.open(15000)
    assert path.stat().st_mtime_ns == built
    assert len(again) == len(first) > 30_000  # cities15000 holds 34,006 places
    # "Alma-Ata" is one of Almaty's GeoNames alternate names.
    assert [row[6] for row in again.lookup(fold_name("Alma-Ata"))] == [ALMATY_GEONAMEID]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("damage", ["random bytes", "empty", "truncated", "a folder"])
def test_a_damaged_index_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setenv("INCIDENT_ATLAS_CACHE", str(tmp_path))
    path = index_path(15000)
    if damage == "random bytes":
        path.write_bytes(bytes(range(256)) * 64)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        GeoNamesIndex.open(15000)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    else:
        path.mkdir()
    index = GeoNamesIndex.open(15000)
    assert [row[6] for row in index.lookup("almaty")] == [ALMATY_GEONAMEID]
    assert path.is_file() and path.stat().st_size > 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # nothing left over


def test_a_relative_cache_folder_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INCIDENT_ATLAS_CACHE", "cache")
    index = GeoNamesIndex.open(15000)
    assert [row[6] for row in index.lookup("almaty")] == [ALMATY_GEONAMEID]
    assert index_path(15000).parent == tmp_path / "cache"


def test_an_unwritable_cache_folder_indexes_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("INCIDENT_ATLAS_CACHE", str(blocker / "cache"))
    index = GeoNamesIndex.open(15000)
    assert [row[6] for row in index.lookup("almaty")] == [ALMATY_GEONAMEID]
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_cache_that_cannot_be_written_uses_the_older_index_and_a_new_build_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import geo.places.geonames_index as geonames_index

    monkeypatch.setenv("INCIDENT_ATLAS_CACHE", str(tmp_path))
    GeoNamesIndex.open(15000)
    path = index_path(15000)
    older = path.with_name(path.name.replace(f"-v{geonames_index.INDEX_VERSION}.", "-v0."))
    path.rename(older)  # what an upgrade of the index leaves in a read-only cache

    def refused(path: Path, min_population: int) -> None:
        raise PermissionError(13, "Read-only file system")

    with monkeypatch.context() as patch:
        patch.setattr(geonames_index, "_build", refused)
        index = GeoNamesIndex.open(15000)
    assert [row[6] for row in index.lookup("almaty")] == [ALMATY_GEONAMEID]
    assert "using the older index" in caplog.text
    GeoNamesIndex.open(15000)  # writable again: built, and the older one removed
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize(("lon", "lat"), [(-150.0, 0.0), (76.9, 43.2), (179.9, 65.0), (0, -89)])
def test_nearest_places_match_a_search_of_every_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lon: float, lat: float
) -> None:
    monkeypatch.setenv("INCIDENT_ATLAS_CACHE", str(tmp_path))
    index = GeoNamesIndex.open(15000)
    every = index._rows("SELECT * FROM place", ())
    scale = math.cos(math.radians(lat))

    def distance(row: tuple[Any, ...]) -> float:
        dlon = min(abs(row[2] - lon), 360 - abs(row[2] - lon)) * scale
        return dlon**2 + (row[3] - lat) ** 2

    expected = sorted(every, key=distance)[:5]
    assert [row for _, row in index.nearest(lon, lat, 5)] == expected


def test_the_geocode_command_loads_neither_pandas_nor_gdal() -> None:
    code = (
        "import sys; from geo.cli import main; main(['geocode', 'Alma-Ata']); "
        "print(sorted(m for m in ('pandas', 'geopandas', 'pyogrio') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.splitlines()[-1] == "[]"
    assert json.loads(done.stdout.splitlines()[0])["name"] == "Almaty"


# --- online cache (no network) ----------------------------------------------------------------


def fake_nominatim(
    calls: list[tuple[str, str | None]],
) -> Callable[[str, str | None], Location | None]:
    """A stand-in for Nominatim that records its calls; "Nowhere" is not found."""

    def geocode(query: str, country: str | None) -> Location | None:
        calls.append((query, country))
        if query == "Nowhere":
            return None
        raw = {
            "name": "Taldykorgan",
            "addresstype": "city",
            "osm_type": "relation",
            "osm_id": 123,
            "address": {"country_code": "kz"},
        }
        return Location("Taldykorgan, Almaty Region, Kazakhstan", Point(45.0156, 78.3739), raw)

    return geocode


def test_online_cache_reads_back_without_asking_twice(tmp_path: Path) -> None:
    calls: list[tuple[str, str | None]] = []
    path = tmp_path / "cache.json"
    first = CachedGeocoder(fake_nominatim(calls), cache_path=path)
    found = first.lookup("Taldykorgan", country="KZ")
    assert found is not None
    assert list(found) == RAW_KEYS
    assert (found["country"], found["region"], found["precision"]) == (
        "KZ",
        "Almaty Region",
        "city",
    )
    assert found["source"] == "nominatim:relation/123"
    assert first.lookup("Taldykorgan", country="KZ") == found
    assert first.lookup("Nowhere") is None
    assert len(calls) == 2
    # A new process reads the file and asks nothing.
    second = CachedGeocoder(fake_nominatim(calls), cache_path=path)
    assert second.lookup("Taldykorgan", country="KZ") == found
    assert second.lookup("Nowhere") is None
    assert len(calls) == 2
    assert json.loads(path.read_text(encoding="utf-8"))["KZ|Taldykorgan"]["name"] == "Taldykorgan"
    assert [p.name for p in tmp_path.iterdir()] == ["cache.json"]  # no temp file left behind


def test_online_errors_are_reported_and_not_cached(tmp_path: Path) -> None:
    calls = 0

    def failing(query: str, country: str | None) -> Location | None:
        nonlocal calls
        calls += 1
        raise GeocoderUnavailable("no route to host")

    cached = CachedGeocoder(failing, cache_path=tmp_path / "cache.json")
    for _ in range(2):
        with pytest.raises(GeocodeError, match="online geocoder failed for 'Taldykorgan'"):
            cached.lookup("Taldykorgan")
    assert calls == 2
    assert not (tmp_path / "cache.json").exists()


def test_make_online_geocoder_serves_the_cache_without_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geopy.geocoders import Nominatim

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tests must not reach Nominatim")

    monkeypatch.setattr(Nominatim, "geocode", no_network)
    path = tmp_path / "cache.json"
    entry = dict.fromkeys(RAW_KEYS, "x")
    path.write_text(json.dumps({"KZ|Somewhere": entry}), encoding="utf-8")
    online = make_online_geocoder(cache_path=path, user_agent="incident-atlas-tests")
    assert online.lookup("Somewhere", country="kz") == entry
    with pytest.raises(AssertionError, match="must not reach"):
        online.lookup("Elsewhere")


def test_geocode_command_online_asks_only_for_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str | None]] = []

    def fake_factory(**kwargs: object) -> CachedGeocoder:
        return CachedGeocoder(fake_nominatim(calls), cache_path=tmp_path / "cache.json")

    monkeypatch.setattr(geocode_module, "make_online_geocoder", fake_factory)
    said = geocode_command(["Alma-Ata", "Taldykorgan-online", "Nowhere"], "KZ", True)
    err = "\n".join(said.err)
    assert said.status == 1
    assert calls == [("Taldykorgan-online", "KZ"), ("Nowhere", "KZ")]
    assert [json.loads(line)["source"] for line in said.out] == [
        "geonames:1526384",
        "nominatim:relation/123",
    ]
    assert "'Nowhere'" in err and "Nominatim found nothing either" in err


@pytest.mark.parametrize(
    ("query", "name", "country", "precision"),
    [
        ("Borno", "Borno", "NG", "region"),  # a province alone lands on the map
        ("Borno State", "Borno", "NG", "region"),
        ("Antioquia", "Antioquia", "CO", "region"),  # not Antakya, whose old name it is
        ("Central, Ghana", "Central, Ghana", "GH", "region"),
        ("Nigeria", "Nigeria", "NG", "country"),
        ("Colombia", "Colombia", "CO", "country"),
        ("Akmola", "Astana", "KZ", "city"),  # the city's old name, in the region's country
    ],
)
def test_every_country_and_admin1_unit_is_known_by_name(
    query: str, name: str, country: str, precision: str
) -> None:
    found = geocode_place(query)
    assert (found["name"], found["country"], found["precision"]) == (name, country, precision)
    if precision == "region":
        assert found["region"] == name and region_at(found["lon"], found["lat"]) == name


@pytest.mark.parametrize("query", ["Kandi, Benin", "Kandi, BJ", "Kandi, Alibori", "kandi , benin"])
def test_a_place_is_found_with_its_country_or_region(query: str) -> None:
    # GeoNames: Kandi, a town of Alibori department, Benin; Kandy, Sri Lanka, is larger.
    found = OfflineGeocoder().geocode(query)
    assert found is not None
    assert (found.raw["name"], found.raw["country"], found.raw["region"]) == (
        "Kandi", "BJ", "Alibori",
    )  # fmt: skip


def test_a_tables_own_countries_come_first() -> None:
    geocoder = OfflineGeocoder()
    assert geocoder.geocode("Kandi").raw["country"] == "LK"  # Kandy: the larger, with no context
    assert geocoder.geocode("Kandi", prefer=["BJ"]).raw["country"] == "BJ"
    assert geocoder.geocode("Kandi, Narnia") is None  # a qualifier that is no place: nothing


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kandi, bj", ("Kandi", "BJ")),  # a code in lower case
        ("Minna, Niger", ("Minna", "NG")),  # Niger the country has no Minna: Niger State
        ("Maiduguri, borno", ("Maiduguri", "NG")),
    ],
)
def test_a_qualifier_is_read_as_a_country_then_as_a_region(
    query: str, expected: tuple[str, str]
) -> None:
    found = OfflineGeocoder().geocode(query)
    assert found is not None and (found.raw["name"], found.raw["country"]) == expected


def test_another_transliteration_finds_the_place_and_short_names_do_not_guess() -> None:
    from geo.places.gazetteer import load_gazetteer
    from geo.places.names import sound_key

    # ou for u and q for k: GeoNames spells it Baqubah (Diyala, Iraq), news often Baqouba
    assert sound_key("Baqouba") == sound_key("Baquba") == "bakuba"
    found = load_gazetteer().lookup_sound("Baqouba")
    assert [(p.name, p.country) for p in found] == [("Baqubah", "IQ")]
    # the name itself is not a sound-alike: looking it up finds nothing, so the geocoder (and
    # the CLI) never answers with a stranger ("Ghouta" sounds like a town in Slovakia)
    assert load_gazetteer().lookup("Baqouba") == [] and load_gazetteer().lookup("Ghouta") == []
    # five letters or fewer: no sound-alike is looked for ("Kalya" sounds like a Kalia)
    assert load_gazetteer().lookup_sound("Kalya") == []
    # two towns of one size know the name; the one whose own name sounds like it is meant
    # (GeoNames lists "Sloviansk" among Nikopol's old names too)
    assert geocode_place("Sloviansk", country="UA")["name"] == "Slovyansk"


def test_an_airport_code_among_alternate_names_is_not_a_name() -> None:
    from geo.places.gazetteer import load_gazetteer

    # GeoNames lists Waco's airport code ACT among its names; "the Security Act" is no town
    assert load_gazetteer().lookup("Act") == []
    assert [p.name for p, _ in load_gazetteer().lookup("Alma-Ata")] == ["Almaty"]
