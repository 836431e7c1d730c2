"""The map's projection, and the incidents as points in it.

Static maps use a Lambert conformal conic projection centred on Kazakhstan. ``_Points`` is the
drawable part of an incident table (rows with coordinates), projected once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.schema import CRS
from geo.symbology import IMPRECISE, precision_classes

PROJ_STRING = (
    "+proj=lcc +lat_0=48 +lon_0=67 +lat_1=45 +lat_2=51 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
)
"""The map projection: Lambert conformal conic for Kazakhstan (shapes true, scale within 2%)."""
PROJECTION_NOTE = "Lambert conformal conic, 67°E, standard parallels 45°N and 51°N"


@lru_cache(maxsize=1)
def _to_map() -> Transformer:
    return Transformer.from_crs(CRS, PROJ_STRING, always_xy=True)


@lru_cache(maxsize=1)
def _from_map() -> Transformer:
    return Transformer.from_crs(PROJ_STRING, CRS, always_xy=True)


def _view(box: tuple[float, ...], aspect: float) -> tuple[float, float, float, float]:
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
    x, y = _to_map().transform(lon, lat)
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
class _Points:
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
    dropped: int = 0

    @property
    def n(self) -> int:
        return len(self.x)

    @classmethod
    def of(cls, table: pd.DataFrame | None) -> _Points:
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
            raise ValueError("the incidents need lon and lat columns (or point geometries)")
        ok = np.isfinite(lon) & np.isfinite(lat)
        # The conic projection sends the south pole to infinity: project a point there from
        # just short of it (it lies outside every map's frame, which stops at 85 degrees).
        near_pole = np.clip(np.where(ok, lat, 0.0), -89.9, 89.9)
        px, py = _to_map().transform(np.where(ok, lon, 0.0), near_pole)
        t = table[ok]

        def column(name: str, default: object) -> np.ndarray:
            if name in t.columns:
                return t[name].to_numpy(dtype=object)
            return np.full(len(t), default, dtype=object)

        killed = (
            pd.to_numeric(t["killed_best"], errors="coerce").to_numpy(dtype=float)
            if "killed_best" in t.columns
            else np.full(len(t), np.nan)
        )
        precision = column("geo_precision", "point")
        return cls(
            x=np.asarray(px, dtype=float)[ok],
            y=np.asarray(py, dtype=float)[ok],
            lon=lon[ok],
            lat=lat[ok],
            killed=killed,
            types=column("event_type", "").astype(str),
            imprecise=np.isin(precision.astype(str), IMPRECISE),
            classes=precision_classes(precision),
            ids=column("incident_id", "").astype(str),
            places=column("place", "").astype(str),
            dropped=int((~ok).sum()),
        )
