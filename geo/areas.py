"""Areas read from a file for the ``within`` filter: the polygons of a GeoJSON file.

``python -m geo export --within district.geojson`` keeps the incidents inside the file's
polygons (a drawn area saved from another tool, a district's outline). The file is read as JSON
only (no GDAL), at most ``MAX_AREA_BYTES``, and its outline must stay within
``geo.facets.MAX_VERTICES`` points: the filter tests every edge in SQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geo.errors import FilterError
from geo.facets import MAX_VERTICES, Rings, parse_within, within_text

MAX_AREA_BYTES = 5_000_000
"""The largest area file read."""


def read_within(path: str | Path) -> Rings:
    """The outline of every polygon in a GeoJSON file (a geometry, a Feature or a
    FeatureCollection of Polygons and MultiPolygons; holes kept).

    Raises
    ------
    FilterError
        Naming the file, when it cannot be read, is not GeoJSON with a polygon, or has more
        than ``MAX_VERTICES`` points.
    """
    path = Path(path)
    if path.exists() and not path.is_file():  # a folder, a device or a pipe: never read
        raise FilterError(f"{path}: not a file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_AREA_BYTES + 1)
    except OSError as exc:
        raise FilterError(f"{path}: cannot read the area file ({exc.strerror})") from None
    if len(raw) > MAX_AREA_BYTES:
        raise FilterError(f"{path}: an area file may be at most {MAX_AREA_BYTES:,} bytes")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        raise FilterError(f"{path}: not a GeoJSON file (it is not JSON)") from None
    rings = [ring for geometry in _geometries(document) for ring in _rings(geometry)]
    if not rings:
        raise FilterError(f"{path}: no Polygon or MultiPolygon in the file")
    points = sum(len(r) - (len(r) > 1 and r[0] == r[-1]) for r in rings)  # closing points
    if points > MAX_VERTICES:
        raise FilterError(
            f"{path}: the area has {points:,} points; at most {MAX_VERTICES} (simplify it first, "
            "e.g. with QGIS's Simplify or mapshaper)"
        )
    text = within_text(tuple(tuple(ring) for ring in rings))
    value = parse_within(text)
    if value is None:
        raise FilterError(
            f"{path}: the area's coordinates must be longitude and latitude in degrees "
            "(EPSG:4326), each ring with at least three points"
        )
    return value


def _geometries(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    kind = document.get("type")
    if kind == "FeatureCollection" and isinstance(document.get("features"), list):
        return [g for f in document["features"] for g in _geometries(f)]
    if kind == "Feature":
        return _geometries(document.get("geometry"))
    if kind == "GeometryCollection" and isinstance(document.get("geometries"), list):
        return [g for item in document["geometries"] for g in _geometries(item)]
    return [document] if kind in ("Polygon", "MultiPolygon") else []


def _rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    rings = []
    for polygon in polygons if isinstance(polygons, list) else []:
        for ring in polygon if isinstance(polygon, list) else []:
            try:
                if any(isinstance(v, bool) for p in ring for v in p[:2]):
                    raise TypeError("true or false is not a coordinate")
                rings.append([(float(p[0]), float(p[1])) for p in ring])
            except (TypeError, ValueError, IndexError):
                raise FilterError("an area's points must be [longitude, latitude]") from None
    return rings


__all__ = ["MAX_AREA_BYTES", "read_within"]
