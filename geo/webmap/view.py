"""The map of a table's kept incidents, asked of its query engine: one symbol per incident up
to ``MapOptions.max_symbols`` of them, grid cells added up by the engine beyond. The dashboard
and the HTML export both draw it here, so the export is the map on the screen.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import folium

from geo.filters import Filters
from geo.query import SqlEngine
from geo.webmap.build import MapOptions, build_map


def map_of(
    engine: SqlEngine, filters: Filters, options: MapOptions, *, count: int | None = None
) -> folium.Map:
    """The map of what ``filters`` keep (``count``: how many, when the caller knows).

    With ``options.view`` (where the user zoomed to) and no area of the filters' own, the
    map draws what lies in that view: the incidents themselves once there are at most
    ``options.max_symbols`` of them there, else cells sized for that view; the regions and
    the legend are the whole selection's."""
    if options.view is not None and filters.area is None:
        filters = replace(filters, area=options.view)
        count = None
    if count is None:
        count = engine.headline(filters).incidents
    if count > options.max_symbols:
        summary = engine.map_summary(filters, max_cells=options.max_symbols, count=count)
        m = build_map(summary, options=options)
    else:
        m = build_map(
            engine.rows(filters),
            claims=engine.claims(filters),
            sources=engine.sources(),
            options=options,
        )
    if filters.area is not None and filters.area != options.view:
        _outline(m, filters.area)
    return m


def view_of(bounds: object) -> tuple[float, float, float, float] | None:
    """The view st_folium reports (``{"_southWest": {"lat", "lng"}, "_northEast": ...}``) as
    (west, south, east, north), cut to the world; ``None`` for anything else."""
    from geo.facets import parse_area

    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
        values = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
    except (KeyError, TypeError, ValueError):
        return None
    west, south, east, north = values
    if east - west >= 360:
        west, east = -180.0, 180.0
    box = (max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))
    return parse_area(",".join(f"{v:.4f}" for v in box))


def _outline(m: folium.Map, area: tuple[float, float, float, float]) -> None:
    """The area the filters keep, as a dashed box (in two across the 180th meridian)."""
    west, south, east, north = area
    boxes = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
    for a, b in boxes:
        folium.Rectangle(
            [[south, a], [north, b]], color="#333333", weight=2, dash_array="6 4",
            fill=False, tooltip="The area the filters keep",
        ).add_to(m)  # fmt: skip


def area_of_drawing(feature: dict[str, Any]) -> str:
    """The box (``west,south,east,north``, as the area filter writes it) of a rectangle drawn
    on the map, as st_folium hands it back; '' for anything else (a region clicked)."""
    from geo.facets import area_text, parse_area

    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon" or properties:
        return ""
    try:
        ring = [(float(x), float(y)) for x, y in geometry["coordinates"][0][:50]]
    except (KeyError, IndexError, TypeError, ValueError):
        return ""
    if not ring:
        return ""
    lons, lats = [x for x, _ in ring], [y for _, y in ring]
    clamp = (max(min(lons), -180), max(min(lats), -90), min(max(lons), 180), min(max(lats), 90))
    box = parse_area(",".join(f"{v:.5f}" for v in clamp))
    return area_text(box) if box else ""


def moved(
    before: tuple[float, float, float, float], after: tuple[float, float, float, float]
) -> bool:
    """Whether the view changed enough to draw it again: an edge moved by more than a tenth
    of the view's size (a map redrawn on its own view reports it a little larger)."""
    width = max(abs(before[2] - before[0]), 1e-6)
    height = max(before[3] - before[1], 1e-6)
    shifts = (
        abs(after[0] - before[0]) / width, abs(after[2] - before[2]) / width,
        abs(after[1] - before[1]) / height, abs(after[3] - before[3]) / height,
    )  # fmt: skip
    return max(shifts) > 0.1


__all__ = ["area_of_drawing", "map_of", "moved", "view_of"]
