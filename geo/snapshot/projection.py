"""The map's projection, chosen for what it shows, and the incidents as points in it.

A country or region is drawn in a projection centred on it (conformal conic off the equator,
azimuthal equal-area on it), a map across continents in Equal Earth (:func:`projection_for`).
``Points`` is the drawable part of an incident table (rows with coordinates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.errors import UsageError
from geo.schema import CRS
from geo.symbology import IMPRECISE, precision_classes

WORLD_LON_SPAN = 190.0
WORLD_LAT_SPAN = 90.0
"""A box wider or taller than this (degrees) is drawn in a world projection: Russia (about 170°
across) and the United States with Alaska and Hawaii (113°) still get one centred on them."""


@dataclass(frozen=True)
class MapProjection:
    """The projection of one static map, chosen for its extent (:func:`projection_for`)."""

    proj: str
    """A PROJ string, metres."""
    note: str
    """How the footer names it."""
    world: bool = False
    """A world projection: no single scale holds, so the map has no scale bar."""
    hemisphere: str = ""
    """For a conic projection, "north" or "south": the basemap keeps to that side of the globe
    (the other is thrown round the map as a ring)."""

    def to_map(self) -> Transformer:
        return _transformer(CRS, self.proj)

    def from_map(self) -> Transformer:
        return _transformer(self.proj, CRS)


@lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _deg(value: float, positive: str, negative: str) -> str:
    text = f"{abs(value):.1f}".removesuffix(".0")
    return f"{text}°{positive if value >= 0 else negative}"


def projection_for(box: tuple[float, ...]) -> MapProjection:
    """A projection centred on a (west, south, east, north) box.

    Across continents (wider than ``WORLD_LON_SPAN`` or taller than ``WORLD_LAT_SPAN``): Equal
    Earth, equal-area, centred on Greenwich. A box off the equator: Lambert conformal conic
    with standard parallels a sixth of its height in from its edges (shapes true, scale within
    a few percent). A box on the equator: Lambert azimuthal equal-area centred on it.
    """
    west, south, east, north = (float(v) for v in box)
    # A box across the 180th meridian runs east of 180 (Fiji: 177 to 182): centre it there.
    lon0 = round((((west + east) / 2 + 180) % 360 - 180) * 2) / 2
    if east - west > WORLD_LON_SPAN or north - south > WORLD_LAT_SPAN:
        # Centred on Greenwich: the layers end at the 180th meridian, which is then the edge.
        return MapProjection(
            "+proj=eqearth +lon_0=0 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs",
            "Equal Earth",
            world=True,
        )
    lat0 = round((south + north) / 2 * 2) / 2
    if south >= 8 or north <= -8:
        step = (north - south) / 6
        lat1, lat2 = round((south + step) * 2) / 2, round((north - step) * 2) / 2
        if lat1 == lat2:
            lat1, lat2 = lat1 - 0.5, lat2 + 0.5
        return MapProjection(
            f"+proj=lcc +lat_0={lat0} +lon_0={lon0} +lat_1={lat1} +lat_2={lat2} +x_0=0 +y_0=0 "
            "+ellps=WGS84 +units=m +no_defs",
            f"Lambert conformal conic, {_deg(lon0, 'E', 'W')}, standard parallels "
            f"{_deg(lat1, 'N', 'S')} and {_deg(lat2, 'N', 'S')}",
            hemisphere="north" if lat0 >= 0 else "south",
        )
    return MapProjection(
        f"+proj=laea +lat_0={lat0} +lon_0={lon0} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs",
        f"Lambert azimuthal equal-area, centred on {_deg(lat0, 'N', 'S')} {_deg(lon0, 'E', 'W')}",
    )


def view_box(
    box: tuple[float, ...], aspect: float, projection: MapProjection
) -> tuple[float, float, float, float]:
    """Projected bounds covering a (west, south, east, north) box, widened to ``aspect``."""
    west, south, east, north = box
    t = np.linspace(0, 1, 41)
    lon = np.r_[
        west + (east - west) * t, np.full(41, east), east - (east - west) * t, np.full(41, west)
    ]
    lat = np.r_[
        np.full(41, south),
        south + (north - south) * t,
        np.full(41, north),
        north - (north - south) * t,
    ]
    x, y = projection.to_map().transform(lon, lat)
    xmin, xmax, ymin, ymax = float(np.min(x)), float(np.max(x)), float(np.min(y)), float(np.max(y))
    w, h = xmax - xmin, ymax - ymin
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        xmin, xmax = xmin - grow, xmax + grow
    else:
        grow = (w / aspect - h) / 2
        ymin, ymax = ymin - grow, ymax + grow
    return xmin, ymin, xmax, ymax


@dataclass
class Points:
    """The drawable part of an incident table, projected."""

    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    killed: np.ndarray
    types: np.ndarray
    imprecise: np.ndarray
    ids: np.ndarray
    places: np.ndarray
    classes: np.ndarray
    """Each incident's precision class: exact, approximate or coarse (``PRECISION_CLASSES``)."""
    countries: np.ndarray
    dropped: int = 0

    def projected(self, projection: MapProjection) -> Points:
        """The same points with ``x``/``y`` in ``projection`` (metres)."""
        # Conic projections send a pole to infinity: project a point there from just short
        # of it (it lies outside every map's frame, which stops at 85 degrees).
        lat = np.clip(self.lat, -89.9, 89.9)
        x, y = projection.to_map().transform(self.lon, lat)
        return replace(self, x=np.asarray(x, dtype=float), y=np.asarray(y, dtype=float))

    @property
    def n(self) -> int:
        return len(self.x)

    @classmethod
    def of(cls, table: pd.DataFrame | None) -> Points:
        if table is None or not len(table):
            empty = np.array([], dtype=float)
            return cls(
                empty,
                empty,
                empty,
                empty,
                empty,
                np.array([], dtype=object),
                np.array([], dtype=bool),
                np.array([], dtype=object),
                np.array([], dtype=object),
                np.array([], dtype=object),
                np.array([], dtype=object),
            )
        if {"lon", "lat"} <= set(table.columns):
            lon = pd.to_numeric(table["lon"], errors="coerce").to_numpy(dtype=float)
            lat = pd.to_numeric(table["lat"], errors="coerce").to_numpy(dtype=float)
        elif isinstance(table, gpd.GeoDataFrame):  # points only, in degrees
            points = table.geometry.to_crs(CRS) if table.crs else table.geometry
            is_point = (points.geom_type == "Point").to_numpy()
            lon = np.where(is_point, points.x.where(is_point), np.nan).astype(float)
            lat = np.where(is_point, points.y.where(is_point), np.nan).astype(float)
        else:
            raise UsageError("the incidents need lon and lat columns (or point geometries)")
        ok = np.isfinite(lon) & np.isfinite(lat)
        t = table[ok]

        def column(name: str, default: object) -> np.ndarray:
            if name in t.columns:
                return np.asarray(t[name].to_numpy(dtype=object))
            return np.full(len(t), default, dtype=object)

        killed = (
            pd.to_numeric(t["killed_best"], errors="coerce").to_numpy(dtype=float)
            if "killed_best" in t.columns
            else np.full(len(t), np.nan)
        )
        precision = column("geo_precision", "point")
        return cls(
            x=np.full(len(t), np.nan),
            y=np.full(len(t), np.nan),
            lon=lon[ok],
            lat=lat[ok],
            killed=killed,
            types=column("event_type", "").astype(str),
            imprecise=np.isin(precision.astype(str), IMPRECISE),
            classes=precision_classes(precision),
            ids=column("incident_id", "").astype(str),
            places=column("place", "").astype(str),
            countries=column("country", "").astype(str),
            dropped=int((~ok).sum()),
        )
