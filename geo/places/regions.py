"""Admin-1 regions of the whole world, and country outlines.

The shapes come from ``data/regions.parquet`` and ``data/countries.parquet`` (GeoParquet),
derived from Natural Earth by ``scripts/build_regions.py``. Kazakhstan's units are its
2011-2016 division with the project's canonical names; every other country's are Natural
Earth's.

A region has a ``code`` (``KZ-ATY``, ``NG-BORNO``), a ``region`` name and a ``label`` that is
unique in the world: the name, or "Name, Country" where the name repeats ("Central, Ghana").
Tables, filters and exports hold the label; wherever a user names a region, the label, the code,
the name (where it is unique) or an alternate name (``Aqtöbe``, ``Alma-Ata Oblast``) is accepted
(:func:`canonical_region`). A point's region is the unit it falls in (:func:`regions_at`).

The layers are read with pyarrow and shapely, not GDAL: looking a point's region up (the
geocoder, the command line) costs no more than that.
"""

from __future__ import annotations

import difflib
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from geo.errors import FilterError
from geo.paths import COUNTRIES_PARQUET, REGIONS_PARQUET
from geo.places.names import fold_name
from geo.schema import CRS

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

NEAR_TOLERANCE_DEG = 0.1
"""A point this close to a unit but in none (the sea off a generalised coast, a border drawn a
little off) takes the nearest unit, in degrees (about 11 km at the equator)."""


def _read_layer(path: Path) -> dict[str, Any]:
    """A shipped GeoParquet layer as columns (lists) plus a ``geometry`` array."""
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path).read()  # read_table would import pandas for its metadata
    columns: dict[str, Any] = {
        name: table.column(name).to_pylist() for name in table.column_names if name != "geometry"
    }
    # to_pylist, not to_numpy: the latter imports pandas for a binary column.
    columns["geometry"] = shapely.from_wkb(
        np.array(table.column("geometry").to_pylist(), dtype=object)
    )
    return columns


@lru_cache(maxsize=1)
def _regions() -> dict[str, Any]:
    layer = _read_layer(REGIONS_PARQUET)
    layer["aliases"] = [a or "" for a in layer["aliases"]]
    return layer


@lru_cache(maxsize=1)
def _countries() -> dict[str, Any]:
    return _read_layer(COUNTRIES_PARQUET)


def _frame(layer: dict[str, Any]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.GeoDataFrame(dict(layer), geometry="geometry", crs=CRS)


def read_regions() -> gpd.GeoDataFrame:
    """The region layer: ``code``, ``region``, ``label``, ``country``, ``ne_name``, ``aliases``."""
    return _frame(_regions())


def read_countries() -> gpd.GeoDataFrame:
    """Country outlines of the world (``country``: ISO alpha-2, ``name``): the basemap."""
    return _frame(_countries())


def country_names() -> dict[str, str]:
    """ISO alpha-2 code -> the country's name (a country the layer leaves unnamed is absent).

    A copy of one table built once: the sidebar asks for names for every region it lists."""
    return dict(_country_names())


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    layer = _countries()
    return {
        code: name
        for code, name in zip(layer["country"], layer["name"], strict=True)
        if isinstance(name, str) and name
    }


def region_countries() -> dict[str, str]:
    """Region label -> the ISO code of its country."""
    layer = _regions()
    return dict(zip(layer["label"], layer["country"], strict=True))


def regions_of(countries: set[str]) -> list[str]:
    """The labels of the regions of ``countries``, grouped by country name, alphabetically."""
    names = country_names()
    layer = _regions()
    chosen = [
        (names.get(c, c), fold_name(label), label)
        for label, c in zip(layer["label"], layer["country"], strict=True)
        if c in countries
    ]
    return [label for *_, label in sorted(chosen)]


@lru_cache(maxsize=1)
def _lookup() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(folded label, code or unique name or alias -> label; folded name or alias -> every label
    it could mean, where it could mean several).

    Labels and codes come first, then names and alternate names that lead to one unit only: a
    name several units share ("Central"; "Andalucia", which Natural Earth gives each of the
    eight Andalusian provinces) is refused with the list to choose from, never settled on one.
    """
    layer = _regions()
    table: dict[str, str] = {}
    for label, code in zip(layer["label"], layer["code"], strict=True):
        table.setdefault(fold_name(label), label)
        table.setdefault(fold_name(code), label)
    several: dict[str, list[str]] = {}
    # Names first, then alternate names, then Natural Earth's own spelling: a key settles at
    # the first of these that knows it ("Almaty" is the city's alternate name before it is
    # Natural Earth's name for the region around it).
    tiers = (
        zip(layer["label"], ([n] for n in layer["region"]), strict=True),
        zip(layer["label"], (str(a).split(";") for a in layer["aliases"]), strict=True),
        zip(layer["label"], ([n] for n in layer["ne_name"]), strict=True),
    )
    for tier in tiers:
        meanings: dict[str, list[str]] = {}
        for label, names in tier:
            for key in {fold_name(n) for n in names} - {""}:
                if key not in table and key not in several:
                    meanings.setdefault(key, []).append(label)
        for key, labels in meanings.items():
            if len(labels) == 1:
                table[key] = labels[0]
            else:
                several[key] = labels
    return table, several


def region_label(name: str) -> str | None:
    """The label of the one region ``name`` names exactly, else ``None`` (no suggestions:
    cheap enough to ask of every capitalised word of an article)."""
    table, _ = _lookup()
    return table.get(fold_name(str(name)))


def canonical_region(name: str) -> str:
    """Return a region's label given its label, code, name or an alternate name.

    Raises
    ------
    FilterError
        If no region has that name, or several do ("Central": the message lists them).
    """
    key = fold_name(str(name))
    table, by_name = _lookup()
    found = table.get(key)
    if found is not None:
        return found
    several = by_name.get(key, [])
    if len(several) > 1:
        shown = "; ".join(several[:12]) + ("; ..." if len(several) > 12 else "")
        raise FilterError(f"{name!r} names {len(several)} regions; say which: {shown}")
    close = difflib.get_close_matches(key, list(table), n=3, cutoff=0.8)
    hint = "; did you mean " + " or ".join(repr(table[k]) for k in close) + "?" if close else ""
    raise FilterError(
        f"unknown region {name!r}{hint} (give a region's name, its name and country, "
        "'Central, Ghana', or its code, 'GH-CENTRAL')"
    )


def region_points() -> dict[str, tuple[float, float, str]]:
    """Region label -> (lon, lat, country) of a point inside it (its representative point)."""
    layer = _regions()
    points = shapely.point_on_surface(layer["geometry"])
    return {
        label: (float(p.x), float(p.y), str(country))
        for label, country, p in zip(layer["label"], layer["country"], points, strict=True)
    }


def country_points() -> dict[str, tuple[str, float, float]]:
    """ISO alpha-2 code -> (name, lon, lat) of a point inside the country's outline."""
    layer = _countries()
    points = shapely.point_on_surface(layer["geometry"])
    return {
        code: (str(name), float(p.x), float(p.y))
        for code, name, p in zip(layer["country"], layer["name"], points, strict=True)
    }


def country_bounds(code: str) -> tuple[float, float, float, float] | None:
    """A country's (west, south, east, north) in degrees, or ``None`` if the layer lacks it.

    A country across the 180th meridian (Russia, Fiji) gets the bounds of its largest part.
    """
    layer = _countries()
    try:
        shape = layer["geometry"][layer["country"].index(code)]
    except ValueError:
        return None
    west, south, east, north = shapely.bounds(shape)
    if east - west > 180:
        parts = shapely.get_parts(shape)
        west, south, east, north = shapely.bounds(parts[np.argmax(shapely.area(parts))])
    return float(west), float(south), float(east), float(north)


def in_holes(shapes: np.ndarray, codes: np.ndarray, outlines: dict[str, Any]) -> np.ndarray:
    """Whether each shape lies in a hole of its own country's outline: a lease inside the
    country (Baikonur in Kazakhstan), as opposed to a unit the outline leaves out at its edge
    (Somaliland beside Somalia), which is no enclave."""
    inner = shapely.point_on_surface(shapes)
    filled: dict[str, Any] = {}
    found = np.zeros(len(shapes), dtype=bool)
    for i, code in enumerate(codes):
        outline = outlines.get(code)
        if outline is None or outline.contains(inner[i]):
            continue
        if code not in filled:
            rings = shapely.get_exterior_ring(shapely.get_parts(outline))
            filled[code] = shapely.union_all(shapely.polygons(rings))
        found[i] = bool(filled[code].contains(inner[i]))
    return found


_SHAPES_LOCK = threading.Lock()
"""GEOS builds a prepared shape's indexes on first use; dashboard sessions take turns."""


@lru_cache(maxsize=1)
def _tree() -> shapely.STRtree:
    """The region shapes, prepared for point-in-polygon tests, in a search tree."""
    geoms = np.array(_regions()["geometry"], dtype=object)
    shapely.prepare(geoms)
    return shapely.STRtree(geoms)


def regions_at(lon: np.ndarray | pd.Series, lat: np.ndarray | pd.Series) -> np.ndarray:
    """The label of the region each (lon, lat) point falls in, or ``None`` where none.

    Points outside every unit but within ``NEAR_TOLERANCE_DEG`` of one (on a generalised coast)
    take the nearest unit. A point on a border two units share gets one of them.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(lon.shape, None, dtype=object)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return out
    points = shapely.points(lon[ok], lat[ok])
    found = np.full(len(points), -1)
    with _SHAPES_LOCK:
        tree = _tree()
        point_idx, region_idx = tree.query(points, predicate="intersects")
        # One unit per point: the first the tree gives (points on a shared border are rare).
        first = np.unique(point_idx, return_index=True)[1]
        found[point_idx[first]] = region_idx[first]
        missing = np.flatnonzero(found < 0)
        if len(missing):
            near_point, near_region = tree.query_nearest(
                points[missing], max_distance=NEAR_TOLERANCE_DEG, all_matches=False
            )
            found[missing[near_point]] = near_region
    labels = np.array(_regions()["label"], dtype=object)
    out[ok] = np.where(found >= 0, labels[np.clip(found, 0, None)], None)
    return out


def region_at(lon: float, lat: float) -> str | None:
    """The region one point falls in, or ``None``."""
    found = regions_at(np.array([lon]), np.array([lat]))[0]
    return None if found is None else str(found)
