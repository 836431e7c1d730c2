"""The map of a table's kept incidents, asked of its query engine: one symbol per incident up
to ``MapOptions.max_symbols`` of them, grid cells added up by the engine beyond. The dashboard
and the HTML export both draw it here, so the export is the map on the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import folium
import pandas as pd

from geo.facets import MAX_VERTICES, area_text, parse_area, parse_within, within_text
from geo.filters import Filters
from geo.query import SqlEngine
from geo.webmap.build import (
    MapLayers,
    MapOptions,
    add_frame,
    base_map,
    extent_of,
    layers_on_map,
    map_layers,
)
from geo.webmap.elements import ParentScript


def map_of(
    engine: SqlEngine, filters: Filters, options: MapOptions, *, count: int | None = None
) -> folium.Map:
    """The map of what ``filters`` keep (``count``: how many, when the caller knows), as one
    page: :func:`layers_of` drawn on its :func:`~geo.webmap.build.base_map`."""
    layers = layers_of(engine, filters, options, count=count)
    return layers_on_map(layers, options, fit=layers.fit)


def layers_of(
    engine: SqlEngine, filters: Filters, options: MapOptions, *, count: int | None = None
) -> ViewLayers:
    """The layers of the incidents ``filters`` keep, for the view ``options.view``.

    With a view (where the user zoomed to) and no area of the filters' own, the layers draw
    what lies in that view: the incidents themselves once there are at most
    ``options.max_symbols`` of them there, else cells sized for that view. The regions' figures
    and the fit button stay the whole selection's."""
    if count is None:
        count = engine.headline(filters).incidents
    whole = None
    if count > options.max_symbols or options.layer != "points":
        whole = engine.map_summary(filters, max_cells=options.max_symbols, count=count)
    drawn = filters
    if options.view is not None and filters.area is None and whole is not None:
        drawn = replace(filters, area=options.view)
        count = engine.headline(drawn).incidents
    if count > options.max_symbols or options.layer == "grid":
        summary = whole if drawn is filters else None
        summary = summary or engine.map_summary(drawn, max_cells=options.max_symbols, count=count)
        layers = map_layers(summary, options=options, figures=whole and whole.regions)
    else:
        layers = map_layers(
            engine.rows(drawn),
            claims=engine.claims(drawn),
            sources=engine.sources(),
            options=options,
            figures=whole and whole.regions,
        )
    if filters.ids and count == 1 and options.layer == "points":
        ParentScript(_OPEN_POPUP).add_to(layers.group)  # a link to one incident opens it
    if filters.area is not None:
        _outline(layers.group, filters.area)
    if filters.within is not None:
        folium.Polygon(
            [[[y, x] for x, y in ring] for ring in filters.within], color="#333333", weight=2,
            dash_array="6 4", fill=False, tooltip="The area the filters keep",
        ).add_to(layers.group)  # fmt: skip
    fit = layers.bounds if whole is None or drawn is filters else extent_of(whole.cells)
    add_frame(layers.group, fit)
    return ViewLayers(layers.group, layers.bounds, layers.countries, layers.figures, fit)


_OPEN_POPUP = """
(function () {
    var group = {parent};
    setTimeout(function () {
        group.eachLayer(function (layer) {
            var markers = layer.getLayers ? layer.getLayers() : [];
            if (markers.length === 1) { markers[0].openPopup(); }
        });
    }, 300);
})();
"""


@dataclass(frozen=True)
class ViewLayers(MapLayers):
    """:class:`~geo.webmap.build.MapLayers` of a view, with the whole selection's extent."""

    fit: list[list[float]] = field(default_factory=list)
    """What the fit button frames: every incident the filters keep, in view or not."""


@dataclass(frozen=True)
class LiveMap:
    """The dashboard's map: drawn once (``base``), then sent new ``layers`` on every change."""

    base: folium.Map
    layers: folium.FeatureGroup
    frame: tuple[object, list[list[float]]]
    """What ``base`` is drawn from and opens on: keep it for the next draw, so that the map
    in the browser stays (a new frame, or new ground, draws a new map)."""


def live_map(
    engine: SqlEngine,
    filters: Filters,
    options: MapOptions,
    *,
    count: int,
    bounds: object = None,
    frame: tuple[object, list[list[float]]] | None = None,
) -> LiveMap:
    """The map of what ``filters`` keep, for a map in the browser that reported ``bounds``
    (st_folium's) and was drawn with ``frame`` (the last :attr:`LiveMap.frame`).

    Above ``options.max_symbols`` incidents, the layers are drawn for the view reported
    (:func:`view_to_draw`): zoomed in, the incidents there themselves."""
    ground = (options.online_tiles, options.countries, options.basemap_url)
    same = frame is not None and frame[0] == ground
    zoomed = view_to_draw(view_of(bounds), frame[1]) if same and frame is not None else None
    many = count > options.max_symbols or options.layer != "points"
    many = many and filters.area is None
    layers = layers_of(
        engine, filters, replace(options, view=zoomed if many else None), count=count
    )
    if frame is None or not same:
        frame = (ground, layers.fit)
    regions = engine.overview().regions
    present = pd.Series(1, index=[label for label, _ in regions], dtype=int)
    countries = options.countries if options.countries is not None else layers.countries
    base = base_map(options, countries, busiest=present, frame=frame[1])
    return LiveMap(base, layers.group, frame)


def view_of(bounds: object) -> tuple[float, float, float, float] | None:
    """The view st_folium reports (``{"_southWest": {"lat", "lng"}, "_northEast": ...}``) as
    (west, south, east, north), cut to the world; ``None`` for anything else."""
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
        values = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
    except (KeyError, TypeError, ValueError):
        return None
    west, south, east, north = values
    if east - west >= 360:
        west, east = -180.0, 180.0
    elif west < -180 or east > 180:  # past the 180th meridian: west above east, as the area
        west, east = (west + 180) % 360 - 180, (east + 180) % 360 - 180
    box = (west, max(south, -90.0), east, min(north, 90.0))
    return parse_area(",".join(f"{v:.4f}" for v in box))


def _outline(m: folium.map.Layer, area: tuple[float, float, float, float]) -> None:
    """The area the filters keep, as a dashed box (in two across the 180th meridian)."""
    west, south, east, north = area
    boxes = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
    for a, b in boxes:
        folium.Rectangle(
            [[south, a], [north, b]], color="#333333", weight=2, dash_array="6 4",
            fill=False, tooltip="The area the filters keep",
        ).add_to(m)  # fmt: skip


def filter_of_drawing(feature: object) -> tuple[str, str] | None:
    """What a shape drawn on the map (as st_folium hands it back) filters by: ``("area",
    box)`` for a box drawn with shift and drag, ``("within", outline)`` for an area drawn with
    the draw button; ``None`` for anything else (a region clicked)."""
    if not isinstance(feature, dict):
        return None
    geometry, properties = feature.get("geometry"), feature.get("properties")
    if isinstance(properties, dict) and properties.get("atlas") == "drawn":
        try:
            ring = geometry["coordinates"][0]  # type: ignore[index]
            points = [(float(x), float(y)) for x, y in ring[: MAX_VERTICES + 1]]
        except (KeyError, IndexError, TypeError, ValueError):
            return None
        # Latitudes cut to the world; longitudes as drawn (past 180 east of the meridian: the
        # outline's text goes the short way round).
        points = [(x, max(-90.0, min(90.0, y))) for x, y in points if math.isfinite(x)]
        rings = parse_within(within_text((tuple(points),)))
        return ("within", within_text(rings)) if rings else None
    box = area_of_drawing(feature)
    return ("area", box) if box else None


def area_of_drawing(feature: dict[str, Any]) -> str:
    """The box (``west,south,east,north``, as the area filter writes it) of a rectangle drawn
    on the map, as st_folium hands it back; '' for anything else (a region clicked)."""
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


def view_to_draw(
    reported: tuple[float, float, float, float] | None, frame: list[list[float]]
) -> tuple[float, float, float, float] | None:
    """The view to draw the layers for: the one the map reports (``view_of``), unless it holds
    all of ``frame`` ([[south, west], [north, east]], what the map opened on), where the whole
    selection is drawn."""
    if reported is None:
        return None
    west, south, east, north = reported
    (frame_south, frame_west), (frame_north, frame_east) = frame
    holds = west <= frame_west and south <= frame_south
    return None if holds and east >= frame_east and north >= frame_north else reported


__all__ = [
    "LiveMap",
    "ViewLayers",
    "live_map",
    "area_of_drawing",
    "filter_of_drawing",
    "layers_of",
    "map_of",
    "view_of",
    "view_to_draw",
]
