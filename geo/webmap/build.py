"""The interactive map: the only module that builds folium objects.

Layers: an offline basemap (country outlines from the project's data), a region choropleth
(incidents or killed per region, hover for figures, click to filter), and the incidents as
symbols coloured by type and sized by deaths, clustered so several incidents at one city stay
separable. Symbols show how exactly an incident is placed (``geo.symbology.PRECISION_CLASSES``):
filled for the place or city, pale with a solid outline for a district, hollow and dashed for a
region or country.
When the filtered set is large, incidents are aggregated on the server into grid cells so the page
stays small (see ``max_symbols``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import UsageError
from geo.escape import esc
from geo.records import source_names
from geo.stats import by_region
from geo.symbology import (
    CLASS_LABELS,
    OTHER_COLOUR,
    TYPE_COLOURS,
    precision_classes,
    symbol_radius,
    type_label,
    unwrap_longitudes,
)
from geo.webmap.basemap import WATER, basemap_json, empty_map, offline_basemap, write_basemap
from geo.webmap.choropleth import (
    NO_VALUE_COLOUR,
    region_features,
    region_figures,
    region_layer,
    region_values,
    shading_key,
)
from geo.webmap.colour_by import COLOUR_FIELDS, colour_key
from geo.webmap.controls import add_controls
from geo.webmap.density import LAYERS, add_grid, add_heat, coarser
from geo.webmap.elements import ClusterAssets, DataMarkerCluster, ParentScript, script_json
from geo.webmap.grid_counts import MapSummary, grid_cells, summarise
from geo.webmap.legend import Legend, add_legend, type_items
from geo.webmap.play import add_play, play_periods
from geo.webmap.popups import incident_popup

MAX_SYMBOLS = 2000
"""Above this many filtered incidents the map shows grid cells with counts instead of symbols."""


_CALLBACK = """
function (row) {
    var colours = %s;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: row[3], color: colours[row[2]], weight: [1, 2, 2][row[4]],
        dashArray: row[4] === 2 ? '4 3' : null, fillColor: colours[row[2]],
        fillOpacity: [0.75, 0.3, 0.0][row[4]], opacity: 0.95, count: row[7],
        period: row[8], className: 'atlas-incident'
    });
    marker.bindTooltip(row[6]);
    if (row[5]) { marker.bindPopup(row[5], {maxWidth: 340, maxHeight: 320}); }
    return marker;
}
"""
_CLASS_CODES = {"exact": 0, "approximate": 1, "coarse": 2}
"""How ``_CALLBACK`` is told a symbol's precision class (``geo.symbology.PRECISION_CLASSES``)."""
_CLUSTER_ICON = """
function (cluster) {
    var n = 0;
    cluster.getAllChildMarkers().forEach(function (m) { n += m.options.count || 1; });
    var size = n < 10 ? 'small' : (n < 100 ? 'medium' : 'large');
    return L.divIcon({html: '<div><span>' + n + '</span></div>',
                      className: 'marker-cluster marker-cluster-' + size,
                      iconSize: new L.Point(40, 40)});
}
"""


def _claims_by_incident(
    claims: pd.DataFrame | None, incident_ids: pd.Series
) -> dict[object, list[Any]]:
    """The claims about each of ``incident_ids``, in the claims table's order.

    Only the shown incidents' claims are looked at, in one pass: grouping every claim of a large
    table into DataFrames took seconds for a map of a few hundred incidents.
    """
    if claims is None or not len(claims):
        return {}
    shown = claims[claims["incident_id"].isin(incident_ids)]
    by_incident: dict[object, list[Any]] = {}
    for claim in shown.itertuples(index=False):
        by_incident.setdefault(claim.incident_id, []).append(claim)
    return by_incident


def _symbol_rows(
    incidents: pd.DataFrame,
    claims: pd.DataFrame | None,
    names: Mapping[str, str],
    periods: np.ndarray,
    colours: np.ndarray,
) -> list[list[object]]:
    by_incident = _claims_by_incident(claims, incidents["incident_id"])
    rows: list[list[object]] = []
    classes = precision_classes(incidents["geo_precision"])
    records = incidents.to_dict("records")
    extra = zip(classes, periods.tolist(), colours.tolist(), strict=True)
    for row, (drawn_as, period, colour) in zip(records, extra, strict=True):
        kind = str(row["event_type"])
        tooltip = (
            f"{esc(row['place'])} · {esc(row['date_start'].strftime('%Y-%m-%d'))} · "
            f"{esc(type_label(kind))}"
        )
        rows.append(
            [
                round(float(row["lat"]), 5),
                round(float(row["lon"]), 5),
                colour,
                symbol_radius(row["killed_best"] if pd.notna(row["killed_best"]) else None),
                _CLASS_CODES[drawn_as],
                incident_popup(row, by_incident.get(row["incident_id"]), names),
                tooltip,
                1,
                period,
            ]
        )
    return rows


def _cell_rows(cells: pd.DataFrame) -> list[list[object]]:
    types = list(TYPE_COLOURS)
    rows: list[list[object]] = []
    columns = ["lat", "lon", "count", "killed", "event_type", "imprecise"]
    for lat, lon, count, killed, kind, imprecise in cells[columns].itertuples(index=False):
        rows.append(
            [
                round(float(lat), 4),
                round(float(lon), 4),
                types.index(kind) if kind in types else len(types),
                round(6.0 + 3.0 * math.log1p(count), 1),
                _CLASS_CODES["coarse" if imprecise else "exact"],
                "",
                f"{count} incidents, {int(killed)} killed (best) · mostly {esc(type_label(kind))}",
                int(count),
            ]
        )
    return rows


@dataclass(frozen=True)
class MapOptions:
    """How the dashboard's map is drawn, beyond the incidents it shows."""

    metric: str = "incidents"
    """``"incidents"`` or ``"killed"``: what the region choropleth shades."""
    max_symbols: int = MAX_SYMBOLS
    """Above this many incidents, draw grid cells with counts instead of one symbol each."""
    online_tiles: bool = False
    """Add OpenStreetMap web tiles as the basemap (needs the network); the offline country
    borders stay on top of them."""
    height: str = "100%"
    countries: tuple[str, ...] | None = None
    """ISO codes of the countries whose regions are drawn (and whose outline is white); default
    the incidents' own. The dashboard gives the whole table's, so that the same regions stay
    clickable whatever the filters."""
    basemap_url: str | None = None
    """Where the browser fetches the basemap written by :func:`write_basemap`; by default the
    map carries it (a standalone page that works from a file)."""
    view: tuple[float, float, float, float] | None = None
    """The area the map opens on (west, south, east, north), where the user has zoomed to;
    default the incidents' extent."""
    layer: str = "points"
    """How the incidents are drawn (``geo.webmap.density.LAYERS``): symbols, clustered (grid
    cells with their counts when there are too many), a heatmap, or a square grid; the heatmap
    and the grid weigh cells by ``metric``."""
    colour_by: str = "event_type"
    """What the symbols' colours tell (``geo.webmap.colour_by.COLOUR_FIELDS``); grid cells keep
    their most frequent event type's."""


def build_map(
    incidents: gpd.GeoDataFrame | pd.DataFrame | MapSummary,
    *,
    claims: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    options: MapOptions | None = None,
) -> folium.Map:
    """Build the dashboard's map for the (already filtered) incidents, as one page.

    The map opens on the incidents (their extent with a margin; the whole world is a zoom-out
    away), over the world's country outlines with names, and the regions of the chosen
    countries shaded and named when zoomed in (:class:`MapOptions`). It is
    :func:`base_map` with :func:`map_layers` on it, as the dashboard draws it.

    Parameters
    ----------
    incidents
        Filtered incidents (the columns of ``geo.schema.COLUMNS``), or their
        :class:`~geo.webmap.grid_counts.MapSummary` as the team store computes it in SQL.
    claims
        Per-source claims; shown in popups when given.
    sources
        The sources table: popups name each source by its title and outlet.
    options
        Metric, symbol limit, web tiles, height, countries and where the basemap is served.
    """
    options = options or MapOptions()
    layers = map_layers(incidents, claims=claims, sources=sources, options=options)
    add_frame(layers.group, layers.bounds)
    return layers_on_map(layers, options, fit=layers.bounds)


def layers_on_map(layers: MapLayers, options: MapOptions, *, fit: list[list[float]]) -> folium.Map:
    """``layers`` drawn on their :func:`base_map`, opening on ``options.view``, else on ``fit``
    ([[south, west], [north, east]]): one page, as the HTML export and the tests see it."""
    countries = layers.countries if options.countries is None else options.countries
    frame = fit if options.view is None else _box_bounds(options.view)
    busiest = layers.figures["incidents"]
    return base_map(options, countries, busiest=busiest, frame=frame, layers=layers.group)


@dataclass(frozen=True)
class MapLayers:
    """What a map shows of its incidents, apart from the ground it is drawn on: the dashboard
    sends it alone on a filter change (the map itself stays)."""

    group: folium.FeatureGroup
    """The incidents' symbols (or cells), the regions' figures and the legend."""
    bounds: list[list[float]]
    """The extent of what is drawn, with a margin ([[south, west], [north, east]])."""
    countries: tuple[str, ...]
    """The incidents' countries."""
    figures: pd.DataFrame
    """Incidents and killed by region label (``geo.stats.by_region``)."""


def map_layers(
    incidents: gpd.GeoDataFrame | pd.DataFrame | MapSummary,
    *,
    claims: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    options: MapOptions | None = None,
    figures: pd.DataFrame | None = None,
) -> MapLayers:
    """The layers of :func:`build_map` without the map: to draw on a :func:`base_map`.
    ``figures``: the regions' (``geo.stats.by_region``), where they are not the incidents'
    own (a view of a larger selection)."""
    options, given = options or MapOptions(), figures
    if options.metric not in ("incidents", "killed"):
        raise UsageError(f"metric must be 'incidents' or 'killed', not {options.metric!r}")
    if options.layer not in LAYERS:
        raise UsageError(f"layer must be one of {', '.join(LAYERS)}, not {options.layer!r}")
    bulk = len(incidents) > options.max_symbols if isinstance(incidents, pd.DataFrame) else False
    if isinstance(incidents, pd.DataFrame) and (bulk or options.layer != "points"):
        few = None if bulk or options.layer != "heatmap" else _points_as_cells(incidents)
        incidents = summarise(incidents, max_cells=options.max_symbols)
        if few is not None:  # few enough: the heat of each incident, finer than any cell
            incidents = replace(incidents, cells=few)
    group = folium.FeatureGroup(
        name=_layer_name(incidents, options.layer), overlay=True, control=True
    )
    label = "Incidents per region" if options.metric == "incidents" else "Killed per region (best)"
    if isinstance(incidents, MapSummary):
        drawn = _summary_layer(incidents, group, options)
        countries, figures = tuple(incidents.countries), incidents.regions
    else:
        drawn = _symbol_layer(incidents, claims, sources, options, group)
        countries = tuple(sorted({str(c) for c in incidents["country"]} - {""}))
        figures = by_region(incidents)
    if given is not None:
        figures = given
    values, top = region_figures(figures, options.metric)
    keys = [*drawn.legend.keys]
    if options.layer == "points":
        keys.insert(0, (label, shading_key(top)))
    else:  # the regions only outlined, named and with their figures: the cells are shaded
        values = {name: [*figures[:2], NO_VALUE_COLOUR] for name, figures in values.items()}
    region_values(group, values)
    add_legend(group, replace(drawn.legend, keys=keys))
    return MapLayers(group, extent_of(drawn.points), countries, figures)


def _width(cells: pd.DataFrame) -> float:
    """Degrees of longitude the cells span (the grid's extent when no view is given)."""
    if not len(cells):
        return 0.0
    return float(cells["west"].max() + cells["size"].max() - cells["west"].min())


def _points_as_cells(incidents: pd.DataFrame) -> pd.DataFrame:
    """The incidents' points as cells of their own (how many at each, and their killed), for a
    heatmap of a few: finer than any cell, and a city of many at one point weighs as many."""
    points = pd.DataFrame(
        {
            "lat": pd.to_numeric(incidents["lat"], errors="coerce").round(5),
            "lon": pd.to_numeric(incidents["lon"], errors="coerce").round(5),
            "killed": pd.to_numeric(incidents["killed_best"], errors="coerce").fillna(0),
            "event_type": incidents["event_type"].astype(str),
        }
    ).dropna(subset=["lat", "lon"])
    grouped = points.groupby(["lat", "lon"], sort=True)
    return grouped.agg(
        count=("killed", "size"), killed=("killed", "sum"), event_type=("event_type", "first")
    ).reset_index()


def _layer_name(incidents: pd.DataFrame | MapSummary, layer: str = "points") -> str:
    if isinstance(incidents, MapSummary) and layer != "points":
        return f"Incidents ({incidents.count:,}, {LAYERS[layer].lower()})"
    if isinstance(incidents, MapSummary):
        return f"Incidents ({incidents.count:,}, grouped by area)"
    return f"Incidents by city ({len(incidents):,})"


@dataclass(frozen=True)
class _Drawn:
    points: pd.DataFrame
    legend: Legend


def _summary_layer(summary: MapSummary, group: folium.FeatureGroup, options: MapOptions) -> _Drawn:
    """Grid cells with their counts, coloured by their most frequent type; or a heatmap or a
    shaded grid of them (``options.layer``)."""
    cells = summary.cells
    if len(cells):  # across the 180th meridian (Fiji): cells and view east of 180
        cells = cells.assign(lon=unwrap_longitudes(cells["lon"].to_numpy(dtype=float)))
        if "west" in cells.columns:
            cells = cells.assign(west=unwrap_longitudes(cells["west"].to_numpy(dtype=float)))
    if options.layer != "points":
        what = "Incidents" if options.metric == "incidents" else "Killed (best figure)"
        title = f"{what} per cell" if options.layer == "grid" else f"{what}: density"
        many = f"{summary.count:,} incident{'s' if summary.count != 1 else ''}"
        if options.layer == "grid":
            across = _width(cells)
            if options.view is not None:  # the view's width, across the 180th meridian too
                across = (options.view[2] - options.view[0]) % 360 or 360.0
            cells = coarser(cells, across)
            key = add_grid(group, cells, options.metric)
            side = float(cells["size"].iloc[0]) if len(cells) else 0.05
            note = f"{many}; squares of {side:g}°, finer as you zoom in (down to 0.05°, about 5 km)"
        else:
            key = add_heat(group, cells, options.metric)
            note = f"{many}; finer as you zoom in (each incident once 2,000 or fewer are in view)"
        return _Drawn(cells, Legend(title=LAYERS[options.layer], keys=[(title, key)], note=note))
    _incident_layer(_cell_rows(cells)).add_to(group)
    legend = Legend(
        title="Event type",
        items=type_items(_types_shown(cells)),
        classes=summary.classes or tuple(CLASS_LABELS),
        sizes=_SIZES,
        note=f"{summary.count:,} incidents grouped into areas; zoom in or filter further "
        "to see each one",
    )
    return _Drawn(cells, legend)


def _symbol_layer(
    incidents: pd.DataFrame,
    claims: pd.DataFrame | None,
    sources: pd.DataFrame | None,
    options: MapOptions,
    group: folium.FeatureGroup,
) -> _Drawn:
    """One symbol per incident, coloured by ``options.colour_by``, with play."""
    lon = pd.to_numeric(incidents["lon"], errors="coerce").to_numpy(dtype=float)
    if len(lon):  # across the 180th meridian (Fiji): symbols and view east of 180
        incidents = incidents.assign(lon=unwrap_longitudes(lon))
    periods, labels = play_periods(incidents)
    codes, palette, key = colour_key(incidents, options.colour_by)
    rows = _symbol_rows(incidents, claims, source_names(sources), periods, codes)
    layer = _incident_layer(rows, palette)
    add_play(layer, labels)
    layer.add_to(group)
    classes = tuple(sorted(set(precision_classes(incidents["geo_precision"]))))
    legend = Legend(
        title="Event type" if key is None else COLOUR_FIELDS[options.colour_by],
        items=type_items(_types_shown(incidents)) if key is None else key,
        classes=classes or tuple(CLASS_LABELS),
        sizes=_SIZES,
    )
    return _Drawn(incidents, legend)


_SIZES = "Size: killed (best figure). Numbers: incidents in a cluster."
_FRAME = """
(function () {
    // What the fit button frames, and what the map shows (for a reader of the page's markup).
    {map}._atlasBounds = {bounds};
    var container = {map}.getContainer();
    container.setAttribute("data-atlas-layer", {name});
    var drawn = 1 + Number(container.dataset.atlasDrawn || 0);
    container.setAttribute("data-atlas-drawn", String(drawn));
})();
"""


def add_frame(group: folium.FeatureGroup, bounds: list[list[float]]) -> None:
    """Make ``bounds`` what the map's fit button frames while ``group`` is drawn."""
    values = {"bounds": script_json(bounds), "name": script_json(group.layer_name)}
    ParentScript(_FRAME, values).add_to(group)


def base_map(
    options: MapOptions,
    countries: Collection[str],
    *,
    busiest: pd.Series | None = None,
    frame: list[list[float]],
    layers: folium.FeatureGroup | None = None,
) -> folium.Map:
    """The map the layers are drawn on: water, country outlines and names, the regions of
    ``countries`` (unshaded; beyond ``MAX_REGION_SHAPES``, the ``busiest``), the fit button and
    shift-drag to filter by a box; framed on ``frame`` ([[south, west], [north, east]]); with
    ``layers`` drawn on it where given (else they come later: the dashboard's)."""
    m = empty_map(options.height)
    ClusterAssets().add_to(m)
    chosen = sorted({str(c) for c in countries} - {""})
    if options.online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=False).add_to(m)
    offline_basemap(
        chosen, filled=not options.online_tiles, basemap_url=options.basemap_url
    ).add_to(m)
    region_layer(region_features(chosen, busiest)).add_to(m)
    if layers is not None:
        layers.add_to(m)
    # Folded: open, it covers the top right of the map, where popups open.
    folium.LayerControl(collapsed=True).add_to(m)
    # Keep the data clear of the legend box in the lower right corner.
    m.fit_bounds(frame, padding_bottom_right=(230, 150))
    add_controls(m, frame)
    return m


def _box_bounds(box: tuple[float, float, float, float]) -> list[list[float]]:
    west, south, east, north = box
    return [[south, west], [north, east]]


def _types_shown(points: pd.DataFrame) -> set[str] | None:
    """The event types of the incidents (or cells) drawn; ``None`` where not known."""
    if "event_type" not in points.columns:
        return None
    return {str(t) for t in points["event_type"].dropna()}


def pick_map(
    lat: float,
    lon: float,
    *,
    basemap_url: str | None = None,
    zoom: int = 5,
    marker: bool = True,
    country: str = "",
) -> folium.Map:
    """A small map to place an incident: the offline basemap (with ``country``'s regions
    outlined and named), centred on the point given, with a marker there unless ``marker`` is
    false (a click elsewhere gives the new point)."""
    m = empty_map("100%")
    home = [country] if country else []
    offline_basemap(home, filled=True, basemap_url=basemap_url).add_to(m)
    if country:
        region_layer(region_features(home)).add_to(m)
    if marker:
        folium.CircleMarker(
            [lat, lon], radius=7, color="#333333", weight=2, fill=True, fill_color="#e6550d",
            fill_opacity=0.9, tooltip="The incident's point",
        ).add_to(m)  # fmt: skip
    m.location, m.options["zoom"] = [lat, lon], zoom
    return m


def _incident_layer(
    rows: list[list[object]], colours: Sequence[str] | None = None
) -> DataMarkerCluster:
    """Symbols (one per incident, or one per grid cell with its count), clustered; a row's
    third value is its number in ``colours`` (default: the event types')."""
    colours = list(colours or [*TYPE_COLOURS.values(), OTHER_COLOUR])
    return DataMarkerCluster(
        rows,
        callback=_CALLBACK % json.dumps(colours),
        control=False,
        options={"maxClusterRadius": 35, "spiderfyOnMaxZoom": True, "showCoverageOnHover": False},
        icon_create_function=_CLUSTER_ICON,
    )


def extent_of(points: pd.DataFrame) -> list[list[float]]:
    """The extent of the filtered incidents (or of their cells) with a margin (at least 3
    degrees across), else the world."""
    lat = pd.to_numeric(points["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(points["lon"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return [[-58.0, -170.0], [78.0, 180.0]]
    lat, lon = lat[ok], lon[ok]
    pad_lat = max(1.5 - (lat.max() - lat.min()) / 2, 0.5)
    pad_lon = max(1.5 - (lon.max() - lon.min()) / 2, 0.5)
    return [
        [max(float(lat.min() - pad_lat), -85.0), max(float(lon.min() - pad_lon), -180.0)],
        [min(float(lat.max() + pad_lat), 85.0), min(float(lon.max() + pad_lon), 360.0)],
    ]


__all__ = [
    "TYPE_COLOURS",
    "WATER",
    "MapLayers",
    "MapOptions",
    "add_frame",
    "base_map",
    "extent_of",
    "layers_on_map",
    "basemap_json",
    "map_layers",
    "write_basemap",
    "MapSummary",
    "build_map",
    "grid_cells",
    "pick_map",
]
