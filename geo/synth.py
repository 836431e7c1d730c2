"""Synthetic incident tables of any size, for benchmarks and tests only.

``make_synthetic`` draws a table with the columns of ``geo.schema.COLUMNS`` that passes
validation: points fall inside the real region shapes (most in Kazakhstan), a share of them sits
on real cities so that several incidents share one place, dates are 2011-2016 ranges within the
limits of their precision, and each incident's tolls are the low, middle and high of the figures
its synthetic sources claim (``synthetic_claims``). The same ``seed`` gives the same table.

Never ship a synthetic table in ``data/``: ``write_synthetic`` refuses to write there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pandas.api.extensions import ExtensionArray

from geo.errors import UsageError
from geo.formats.parquet_out import (
    CLAIMS_OUT,
    INCIDENTS_OUT,
    ParquetAppender,
    claims_table,
    incidents_table,
    sources_table,
    write_parquet,
)
from geo.paths import DATA_DIR
from geo.places.regions import country_names, read_regions, region_countries, regions_at
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS
from geo.symbology import type_labels
from geo.tables import sibling_paths, write_csv

FIRST_DAY = np.datetime64("2011-01-01", "D")
LAST_DAY = np.datetime64("2016-12-31", "D")

CITIES: list[tuple[str, float, float, float]] = [
    # name, lat, lon (GeoNames, as the offline geocoder gives them), relative weight
    ("Almaty", 43.25249, 76.91150, 0.20),
    ("Astana", 51.18010, 71.44598, 0.10),
    ("Shymkent", 42.30988, 69.60042, 0.09),
    ("Aktobe", 50.27969, 57.20718, 0.09),
    ("Atyrau", 47.10480, 51.88427, 0.09),
    ("Taraz", 42.89799, 71.37334, 0.07),
    ("Karagandy", 49.80187, 73.10211, 0.05),
    ("Oral", 51.24601, 51.42558, 0.04),
    ("Aktau", 43.66105, 51.17392, 0.04),
    ("Zhanaozen", 43.34116, 52.86192, 0.03),
    ("Kyzylorda", 44.85278, 65.50917, 0.03),
    ("Semey", 50.42064, 80.25025, 0.02),
    ("Pavlodar", 52.27601, 76.96881, 0.02),
    ("Kostanay", 53.21435, 63.62463, 0.02),
    ("Taldykorgan", 45.01556, 78.37389, 0.02),
    ("Makhachkala", 42.97782, 47.50027, 0.03),
    ("Khasavyurt", 43.24872, 46.58571, 0.02),
    ("Nalchik", 43.49806, 43.61889, 0.01),
    ("Nazran", 43.22597, 44.77323, 0.01),
    ("Kazan", 55.78874, 49.12214, 0.02),
]
"""Cities a share of the incidents cluster on."""
CITY_SHARE = 0.35
"""Share of incidents placed on (or within a few km of) a city of ``CITIES``."""
KAZAKH_SHARE = 0.9
"""Share of the other incidents drawn inside Kazakh units; the rest in the Russian republics."""

TYPE_WEIGHTS = {
    "armed_attack": 0.20,
    "bombing": 0.08,
    "suicide_bombing": 0.03,
    "explosion": 0.07,
    "security_operation": 0.22,
    "weapons_seizure": 0.15,
    "foiled_plot": 0.10,
    "unrest": 0.15,
}
# Chance that the sources give a figure for killed / wounded, by event type.
KILLED_GIVEN = {
    "armed_attack": 0.75,
    "bombing": 0.6,
    "suicide_bombing": 0.85,
    "explosion": 0.5,
    "security_operation": 0.5,
    "weapons_seizure": 0.05,
    "foiled_plot": 0.1,
    "unrest": 0.3,
}
WOUNDED_GIVEN = {k: v * 0.8 for k, v in KILLED_GIVEN.items()}
DATE_SHARES = {"day": 0.72, "week": 0.12, "month": 0.11, "year": 0.05}
SPREAD_PRECISIONS = {"point": 0.3, "city": 0.35, "district": 0.2, "region": 0.1, "country": 0.05}
"""Location precision of incidents not placed on a city."""
PERPETRATORS = [
    "unidentified gunmen",
    "militant group",
    "lone attacker",
    "security forces",
    "protesters",
    "",
]
TARGETS = ["police", "security services", "civilians", "government building", "oil workers", ""]
SOURCE_COUNT = 12
"""Synthetic sources; each incident cites one to three of them."""


def _source_ids() -> np.ndarray:
    return np.array([f"synth-src-{i:02d}" for i in range(1, SOURCE_COUNT + 1)], dtype=object)


SHIPPED_REPUBLICS = ("Dagestan", "Ingushetia", "Kabardino-Balkaria", "Tatarstan")
"""With no countries chosen, tables cover the shipped data's area: Kazakhstan and these."""
WORLD = ("*",)
"""The countries argument that means every country."""
TOP_CITIES = 200
"""Cities a table of chosen countries clusters on: the most populous of those countries."""


@dataclass(frozen=True)
class _Area:
    """Where a synthetic table's incidents fall: regions, their draw weights, cities."""

    names: np.ndarray
    countries: np.ndarray
    geoms: np.ndarray
    bounds: np.ndarray
    weights: np.ndarray
    centre_lon: np.ndarray
    centre_lat: np.ndarray
    cities: list[tuple[str, float, float, float]]
    """(name, lat, lon, weight) of the cities a share of incidents cluster on."""


@lru_cache(maxsize=8)
def _area(countries: tuple[str, ...] | None) -> _Area:
    """The regions of ``countries`` (``WORLD``: all; ``None``: the shipped data's area)."""
    regions = read_regions()
    if countries is None:
        pick = (regions["country"] == "KZ") | regions["region"].isin(SHIPPED_REPUBLICS)
    elif countries == WORLD:
        pick = regions["country"] != "AQ"  # no one to report incidents in Antarctica
    else:
        pick = regions["country"].isin(countries)
    regions = regions[pick.to_numpy()]
    if regions.empty:
        raise UsageError(f"no region of the countries {', '.join(countries or ())} is known")
    geoms = regions.geometry.to_numpy()
    shapely.prepare(geoms)
    points = shapely.point_on_surface(geoms)
    codes = regions["country"].to_numpy(dtype=object)
    area = shapely.area(geoms)
    if countries is None:
        weights, cities = _region_weights(codes, area), CITIES
    else:
        weights = np.sqrt(area) / np.sqrt(area).sum()
        cities = _largest_cities(None if countries == WORLD else countries)
    return _Area(
        regions["label"].to_numpy(dtype=object),
        codes,
        geoms,
        shapely.bounds(geoms),
        weights,
        np.round(shapely.get_x(points), 5),
        np.round(shapely.get_y(points), 5),
        cities,
    )


def _largest_cities(countries: tuple[str, ...] | None) -> list[tuple[str, float, float, float]]:
    """The most populous GeoNames places of ``countries`` (all: ``None``), weighted by their
    population: incidents gather in the big cities, as in real conflict data."""
    from geo.places.gazetteer import load_gazetteer

    places = load_gazetteer().largest(countries, TOP_CITIES)
    if countries is not None:  # only towns the region layer puts in those countries too
        at = regions_at(np.array([p.lon for p in places]), np.array([p.lat for p in places]))
        of_region = region_countries()
        places = [p for p, r in zip(places, at, strict=True) if of_region.get(r) in countries]
    if not places:
        raise UsageError(f"the gazetteer knows no town in {', '.join(countries or ())}")
    return [(p.name, p.lat, p.lon, float(max(p.population, 1))) for p in places]


@lru_cache(maxsize=256)
def _country_centre(code: str) -> tuple[float, float]:
    from geo.places.regions import country_points

    _, lon, lat = country_points()[code]
    return round(lon, 5), round(lat, 5)


def _region_weights(countries: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Kazakh units get ``KAZAKH_SHARE`` of the draws, by the square root of their area."""
    weight = np.sqrt(area)
    kz = countries == "KZ"
    out = np.zeros(len(area))
    out[kz] = KAZAKH_SHARE * weight[kz] / weight[kz].sum()
    if (~kz).any():
        out[~kz] = (1 - KAZAKH_SHARE) * weight[~kz] / weight[~kz].sum()
    return np.asarray(out / out.sum())


def _points_in(
    rng: np.random.Generator, geom: shapely.Geometry, bounds: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` points uniform (in degrees) inside ``geom``, by rejection from its bounding box."""
    west, south, east, north = bounds
    fill = max(shapely.area(geom) / max((east - west) * (north - south), 1e-12), 0.05)
    lon: list[np.ndarray] = []
    lat: list[np.ndarray] = []
    have = 0
    while have < k:
        m = int((k - have) / fill * 1.3) + 16
        x = rng.uniform(west, east, m)
        y = rng.uniform(south, north, m)
        inside = shapely.contains_xy(geom, x, y)
        lon.append(x[inside])
        lat.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(lon)[:k], np.concatenate(lat)[:k]


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _dates(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end (datetime64[D]) and precision: days, short ranges, calendar months, years."""
    days = int((LAST_DAY - FIRST_DAY).astype(int))
    start = FIRST_DAY + rng.integers(0, days + 1, n).astype("timedelta64[D]")
    precision = _choice(rng, DATE_SHARES, n)
    end = start.copy()
    week = precision == "week"
    span = rng.integers(1, 7, n).astype("timedelta64[D]")  # 2 to 7 days
    start[week] = np.minimum(start[week], LAST_DAY - span[week])
    end[week] = start[week] + span[week]
    month = precision == "month"
    first = start[month].astype("datetime64[M]")
    start[month] = first.astype("datetime64[D]")
    end[month] = (first + 1).astype("datetime64[D]") - 1
    year = precision == "year"
    whole = year & (rng.random(n) < 0.5)  # a whole calendar year, else "from a day to year end"
    jan1 = start.astype("datetime64[Y]").astype("datetime64[D]")
    start[whole] = jan1[whole]
    end[year] = (start[year].astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
    return start, end, precision


def _tolls(
    rng: np.random.Generator, given: np.ndarray, k: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Low, best, high of the ``k`` figures (1-3) the sources claim; NaN where none is given.

    ``best`` is the middle claim (the lower middle one of two), as in the shipped data.
    """
    n = len(k)
    base = rng.geometric(0.3, n) - 1.0
    base = np.where(rng.random(n) < 0.03, base * 10 + rng.integers(5, 40, n), base)
    extra = rng.integers(0, 4, (n, 3)) * (rng.random((n, 3)) < 0.5)
    claims = base[:, None] + extra
    claims[np.arange(3)[None, :] >= k[:, None]] = np.nan
    claims = np.sort(claims, axis=1)  # NaN last
    rows = np.arange(n)
    low = claims[:, 0]
    best = claims[rows, (k - 1) // 2]
    high = claims[rows, k - 1]
    nan = np.full(n, np.nan)
    return np.where(given, low, nan), np.where(given, best, nan), np.where(given, high, nan)


def _ints(values: np.ndarray) -> ExtensionArray:
    return pd.array(values, dtype="Float64").astype("Int64")


def make_synthetic(
    n: int, *, seed: int = 0, countries: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """A synthetic incident table of ``n`` rows that passes ``geo.schema`` validation.

    Parameters
    ----------
    n
        Number of incidents.
    seed
        Seed of the random generator: the same ``n``, ``seed`` and ``countries`` give the same
        table.
    countries
        ISO codes of the countries to spread the incidents over (``WORLD``: every country),
        clustered round their most populous towns; default the shipped data's area
        (Kazakhstan and four Russian republics).

    Returns
    -------
    pandas.DataFrame
        The columns of ``geo.schema.COLUMNS``, sorted by date: dates as datetimes, ``lat`` and
        ``lon`` in degrees rounded to 5 decimals (so a CSV round trip keeps each point's
        region), tolls as nullable integers (empty where no source gives a figure), ``region``
        the unit the point falls in (empty for incidents located only to the country) and
        ``sources`` one to three ids of ``synthetic_sources()``.
    """
    if n < 0:
        raise UsageError(f"n must be >= 0, not {n}")
    return _draw(np.random.default_rng(seed), n, countries, first=1, width=max(len(str(n)), 6))


def _draw(
    rng: np.random.Generator, n: int, countries: tuple[str, ...] | None, *, first: int, width: int
) -> pd.DataFrame:
    """``n`` synthetic incidents sorted by date, numbered from ``first`` (ids ``width`` digits).

    The draws come in a fixed order (where, then what and when, then text): the same generator
    state gives the same table."""
    where = _where(rng, n, _area(countries))
    event_type = _choice(rng, dict(TYPE_WEIGHTS), n)
    start, end, date_precision = _dates(rng, n)
    k = rng.choice(np.array([1, 2, 3]), size=n, p=[0.5, 0.3, 0.2])
    kinds = pd.Series(event_type)
    killed_given = rng.random(n) < kinds.map(KILLED_GIVEN).fillna(0.3).to_numpy(dtype=float)
    wounded_given = rng.random(n) < kinds.map(WOUNDED_GIVEN).fillna(0.3).to_numpy(dtype=float)
    killed = _tolls(rng, killed_given, k)
    wounded = _tolls(rng, wounded_given, k)
    place, sources = _place_and_sources(rng, n, where, k)
    label = type_labels(pd.Series(event_type))
    table = pd.DataFrame(
        {
            "date_start": pd.to_datetime(start),
            "date_end": pd.to_datetime(end),
            "date_precision": date_precision,
            "place": place.to_numpy(dtype=object),
            "country": where.country,
            "region": where.region,
            "lat": where.lat,
            "lon": where.lon,
            "geo_precision": where.precision,
            "event_type": event_type,
            "killed_low": _ints(killed[0]),
            "killed_best": _ints(killed[1]),
            "killed_high": _ints(killed[2]),
            "wounded_low": _ints(wounded[0]),
            "wounded_best": _ints(wounded[1]),
            "wounded_high": _ints(wounded[2]),
            "perpetrator": np.array(PERPETRATORS, dtype=object)[
                rng.integers(0, len(PERPETRATORS), n)
            ],
            "target": np.array(TARGETS, dtype=object)[rng.integers(0, len(TARGETS), n)],
            "summary": ("Synthetic " + label + " at " + place + ".").to_numpy(dtype=object),
            "sources": sources.to_numpy(dtype=object),
        }
    )
    table = table.sort_values(["date_start", "date_end"], kind="stable").reset_index(drop=True)
    table.insert(0, "incident_id", [f"synth-{i:0{width}d}" for i in range(first, first + n)])
    return table.reindex(columns=COLUMNS, fill_value="")


@dataclass(frozen=True)
class _Where:
    """Where each synthetic incident is, and how exactly that is known."""

    lon: np.ndarray
    lat: np.ndarray
    precision: np.ndarray
    region: np.ndarray
    country: np.ndarray
    city: np.ndarray
    """The name of the city each incident was drawn near (used for those ``on_city``)."""
    on_city: np.ndarray
    by_region: np.ndarray
    by_country: np.ndarray


def _where(rng: np.random.Generator, n: int, area: _Area) -> _Where:
    """A share of incidents on cities (exactly on the city or a few km off), the rest inside
    regions; some located only to their region's or their country's centre."""
    on_city = rng.random(n) < CITY_SHARE
    city_w = np.array([c[3] for c in area.cities])
    city = rng.choice(len(area.cities), size=n, p=city_w / city_w.sum())
    city_lat = np.array([c[1] for c in area.cities])[city]
    city_lon = np.array([c[2] for c in area.cities])[city]
    jitter = rng.normal(0.0, 0.03, (n, 2)) * (rng.random(n) < 0.4)[:, None]
    lat, lon = city_lat + jitter[:, 0], city_lon + jitter[:, 1]
    unit = rng.choice(len(area.names), size=n, p=area.weights)
    spread = np.flatnonzero(~on_city)
    # Each unit's rows in table order, units in ascending order (one sort, not a scan per unit).
    order = spread[np.argsort(unit[spread], kind="stable")]
    units, starts = np.unique(unit[order], return_index=True)
    for r, rows in zip(units, np.split(order, starts[1:]), strict=True):
        lon[rows], lat[rows] = _points_in(rng, area.geoms[r], area.bounds[r], len(rows))
    precision = np.where(
        on_city, np.where(rng.random(n) < 0.8, "city", "point"), _choice(rng, SPREAD_PRECISIONS, n)
    ).astype(object)
    by_region = precision == "region"
    lon[by_region] = area.centre_lon[unit[by_region]]
    lat[by_region] = area.centre_lat[unit[by_region]]
    by_country = precision == "country"
    for code in np.unique(area.countries[unit[by_country]]):
        rows = by_country & (area.countries[unit] == code)
        lon[rows], lat[rows] = _country_centre(str(code))
    lon, lat = np.round(lon, 5), np.round(lat, 5)
    region = regions_at(lon, lat)
    at_sea = on_city & (region == None)  # noqa: E711 - a coastal city's jitter went offshore
    lon[at_sea], lat[at_sea] = city_lon[at_sea], city_lat[at_sea]
    region[at_sea] = regions_at(lon[at_sea], lat[at_sea])
    region = np.where((region == None) | by_country, "", region).astype(object)  # noqa: E711
    of_region = region_countries()
    country = np.array([of_region.get(r, "") for r in region], dtype=object)
    # A city drawn for the area but in no region, or located to its country: the unit's.
    country = np.where(country == "", area.countries[unit], country)
    city_names = np.array([c[0] for c in area.cities], dtype=object)
    return _Where(lon, lat, precision, region, country, city_names[city], on_city, by_region,
                  by_country)  # fmt: skip


def _place_and_sources(
    rng: np.random.Generator, n: int, where: _Where, k: np.ndarray
) -> tuple[pd.Series, pd.Series]:
    """Each incident's place name (as precise as its location) and its ``k`` cited sources."""
    ids = _source_ids()
    first_source = rng.integers(0, SOURCE_COUNT, n)
    cited = [ids[(first_source + j) % SOURCE_COUNT] for j in range(3)]
    sources = pd.Series(cited[0])
    for j in (1, 2):
        sources = sources.where(k <= j, sources + ";" + pd.Series(cited[j]))
    number = pd.Series(rng.integers(1, 400, n)).astype(str)
    region_text = pd.Series(where.region)
    place = pd.Series(where.city)
    place = place.where(where.on_city, "Settlement " + number + ", " + region_text)
    place = place.where(where.precision != "district", "District " + number + ", " + region_text)
    place = place.where(~where.by_region, region_text + " (place not given)")
    names = country_names()
    nation = pd.Series([names.get(c, c) for c in where.country], dtype=object)
    place = place.where(~where.by_country, nation + " (place not given)")
    return place, sources


def synthetic_sources() -> pd.DataFrame:
    """The synthetic sources every synthetic table cites (``NAME.sources.csv``)."""
    ids = _source_ids()
    return pd.DataFrame(
        {
            "source_id": ids,
            "title": [f"Synthetic source {i}" for i in range(1, len(ids) + 1)],
            "outlet": "Incident Atlas benchmark",
            "published": "",
            "published_note": "synthetic: for benchmarks and tests only",
            "kind": "dataset",
        },
        columns=SOURCE_COLUMNS,
    )


def synthetic_claims(incidents: pd.DataFrame) -> pd.DataFrame:
    """One claim per cited source of each synthetic incident (``NAME.claims.csv``).

    With one source the claim is the best figure; with two, the low and the high; with three,
    the low, the best and the high: so low and high span the claims and best is the middle one.
    """
    cited = incidents["sources"].str.split(";")
    k = cited.str.len().to_numpy()
    order = np.repeat(np.arange(len(incidents)), k)
    slot = np.arange(len(order)) - np.repeat(np.cumsum(k) - k, k)
    pick = np.select([k[order] == 1, slot == 0, (k[order] == 3) & (slot == 1)], [1, 0, 1], 2)

    def figures(what: str) -> np.ndarray:
        values = np.column_stack(
            [
                incidents[f"{what}_{b}"].to_numpy(dtype=float, na_value=np.nan)
                for b in ("low", "best", "high")
            ]
        )[order, pick]
        whole = np.nan_to_num(values).astype(np.int64).astype(str)
        return np.where(np.isnan(values), "", whole).astype(object)

    return pd.DataFrame(
        {
            "incident_id": incidents["incident_id"].to_numpy(dtype=object)[order],
            "source": np.concatenate(cited.to_numpy()) if len(order) else [],
            "paragraph": ((order * 7 + slot) % 12 + 1).astype(str),
            "killed": figures("killed"),
            "wounded": figures("wounded"),
            "note": np.where(slot == 0, "synthetic claim", ""),
        },
        columns=CLAIM_COLUMNS,
    )


def write_synthetic(
    path: str | Path, n: int, *, seed: int = 0, countries: tuple[str, ...] | None = None
) -> tuple[int, int, int]:
    """Write a synthetic table and its claims and sources beside it (``geo.tables.sibling_paths``):
    CSV, or Parquet (``NAME.parquet``) written ``CHUNK_ROWS`` incidents at a time.

    Every file is written atomically. Returns the number of incidents, claims and sources. A
    Parquet table of up to ``CHUNK_ROWS`` rows holds the same incidents as the CSV of the same
    ``n`` and ``seed``; a larger one is drawn chunk by chunk (each chunk from its own seed,
    sorted by date within it), so that ten million rows take no more memory than one chunk.

    Raises
    ------
    AtlasError
        When ``path`` is inside the project's ``data/`` folder: synthetic data is never shipped.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UsageError(f"{path.name}: a synthetic table is written as NAME.csv or NAME.parquet")
    if path.resolve().parent.is_relative_to(DATA_DIR.resolve()):
        raise UsageError(f"{path}: synthetic tables are for benchmarks and tests; never in data/")
    claims_path, sources_path = sibling_paths(path)
    sources = synthetic_sources()
    if suffix == ".parquet":
        claims = _write_parquet_chunks(path, claims_path, n, seed=seed, countries=countries)
        write_parquet(sources_table(sources), sources_path)
        return n, claims, len(sources)
    incidents = make_synthetic(n, seed=seed, countries=countries)
    claims_table_ = synthetic_claims(incidents)
    write_csv(sources, sources_path)
    write_csv(claims_table_, claims_path)
    write_csv(incidents, path)
    return len(incidents), len(claims_table_), len(sources)


CHUNK_ROWS = 500_000
"""Incidents drawn at a time for a Parquet table (about 0.7 GB while drawn)."""


def _write_parquet_chunks(
    path: Path, claims_path: Path, n: int, *, seed: int, countries: tuple[str, ...] | None
) -> int:
    """Draw ``n`` incidents ``CHUNK_ROWS`` at a time into ``path`` and their claims into
    ``claims_path``; the number of claims."""
    width = max(len(str(n)), 6)
    claims = 0
    with (
        ParquetAppender(path, INCIDENTS_OUT) as incidents_out,
        ParquetAppender(claims_path, CLAIMS_OUT) as claims_out,
    ):
        for chunk, start in enumerate(range(0, max(n, 1), CHUNK_ROWS)):
            rng = np.random.default_rng(seed if chunk == 0 else [seed, chunk])
            table = _draw(rng, min(CHUNK_ROWS, n - start), countries, first=start + 1, width=width)
            drawn = synthetic_claims(table)
            incidents_out.write(incidents_table(table))
            claims_out.write(claims_table(drawn))
            claims += len(drawn)
    return claims


__all__ = [
    "CHUNK_ROWS",
    "make_synthetic",
    "synthetic_claims",
    "synthetic_sources",
    "write_synthetic",
]
