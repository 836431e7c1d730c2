"""The interactive map: the only module that builds folium objects.

Layers: an offline basemap (country outlines from the project's data), a region choropleth
(incidents or killed per region, hover for figures, click to filter), and the incidents as
symbols coloured by type and sized by deaths, clustered so several incidents at one city stay
separable. Imprecise incidents (located only to a region or country) are drawn hollow and dashed.
When the filtered set is large, incidents are aggregated on the server into grid cells so the page
stays small (see ``max_symbols``).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure
from folium.utilities import JsCode
from jinja2 import Template

from geo.escape import esc
from geo.places.regions import read_countries, read_regions
from geo.stats import Headline, by_region, toll_text
from geo.symbology import (
    IMPRECISE,
    KAZAKHSTAN_BOX,
    OTHER_COLOUR,
    TYPE_COLOURS,
    symbol_radius,
    type_label,
)
from geo.webmap.elements import DataGeoJson, DataMarkerCluster, RawHtml, RenderedOnce

WATER = "#dbe7f0"
CHOROPLETH_COLOURS = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603"]
MAX_SYMBOLS = 2000
"""Above this many filtered incidents the map shows grid cells with counts instead of symbols."""


def _range_text(low: object, best: object, high: object) -> str:
    return toll_text(low, best, high) or "no figure"


def date_text(start: pd.Timestamp, end: pd.Timestamp, precision: str) -> str:
    """A date as a reader should take it: the day, or the range and how it is known."""
    a, b = start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")
    return a if a == b else f"between {a} and {b} (known to the {precision})"


def popup_html(row: Mapping[str, object], claims: pd.DataFrame | None) -> str:
    """An incident's popup; every data value is escaped."""
    return _popup_html(row, None if claims is None else list(claims.itertuples(index=False)))


def _popup_html(row: Mapping[str, object], claims: Sequence[Any] | None) -> str:
    """``popup_html`` for claims given as rows with ``source``, ``paragraph``, ``killed``,
    ``wounded`` and ``note`` attributes."""
    lines = [
        f"<b>{esc(row['place'])}</b>",
        f"{esc(date_text(row['date_start'], row['date_end'], str(row['date_precision'])))}",  # type: ignore[arg-type]
        f"{esc(type_label(str(row['event_type'])))} · located to the {esc(row['geo_precision'])}",
        f"Killed: {esc(_range_text(row['killed_low'], row['killed_best'], row['killed_high']))}"
        f" · Wounded: "
        f"{esc(_range_text(row['wounded_low'], row['wounded_best'], row['wounded_high']))}",
    ]
    if row.get("summary"):
        lines.append(f"<i>{esc(row['summary'])}</i>")
    if claims is not None and len(claims):
        items = []
        for claim in claims:
            figures = []
            if str(claim.killed).strip():
                figures.append(f"{esc(claim.killed)} killed")
            if str(claim.wounded).strip():
                figures.append(f"{esc(claim.wounded)} wounded")
            said = ", ".join(figures) or "no figure"
            items.append(
                f"<li>{esc(claim.source)} ¶{esc(claim.paragraph)}: {said}"
                f"{' – ' + esc(claim.note) if str(claim.note).strip() else ''}</li>"
            )
        lines.append("Sources:<ul style='margin:0;padding-left:1.2em'>" + "".join(items) + "</ul>")
    elif row.get("sources"):
        lines.append(f"Sources: {esc(row['sources'])}")
    return "<div style='max-width:320px'>" + "<br>".join(lines) + "</div>"


_CALLBACK = """
function (row) {
    var colours = %s;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: row[3], color: colours[row[2]], weight: row[4] ? 2 : 1,
        dashArray: row[4] ? '4 3' : null, fillColor: colours[row[2]],
        fillOpacity: row[4] ? 0.0 : 0.75, opacity: 0.95, count: row[7],
        className: 'atlas-incident'
    });
    marker.bindTooltip(row[6]);
    if (row[5]) { marker.bindPopup(row[5], {maxWidth: 340}); }
    return marker;
}
"""
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


def _symbol_rows(incidents: pd.DataFrame, claims: pd.DataFrame | None) -> list[list[object]]:
    types = list(TYPE_COLOURS)
    by_incident = _claims_by_incident(claims, incidents["incident_id"])
    rows: list[list[object]] = []
    for row in incidents.to_dict("records"):
        kind = str(row["event_type"])
        tooltip = (
            f"{esc(row['place'])} · {esc(row['date_start'].strftime('%Y-%m-%d'))} · "
            f"{esc(type_label(kind))}"
        )
        rows.append(
            [
                round(float(row["lat"]), 5),
                round(float(row["lon"]), 5),
                types.index(kind) if kind in types else len(types),
                symbol_radius(row["killed_best"] if pd.notna(row["killed_best"]) else None),
                1 if row["geo_precision"] in IMPRECISE else 0,
                _popup_html(row, by_incident.get(row["incident_id"])),
                tooltip,
                1,
            ]
        )
    return rows


def grid_cells(incidents: pd.DataFrame, *, max_cells: int) -> pd.DataFrame:
    """Aggregate incidents into square lon/lat cells, coarsening until at most ``max_cells``.

    Returns one row per cell: mean ``lat``/``lon`` of its incidents, ``count``, ``killed``
    (sum of best), the most frequent ``event_type`` and ``imprecise`` (all members imprecise).
    """
    lat = incidents["lat"].to_numpy(dtype=float)
    lon = incidents["lon"].to_numpy(dtype=float)
    size = 0.05
    while True:
        key = np.floor(lat / size).astype(np.int64) * 100_000 + np.floor(lon / size).astype(
            np.int64
        )
        codes, inverse = np.unique(key, return_inverse=True)
        if len(codes) <= max_cells:
            break
        size *= 2
    killed = incidents["killed_best"].fillna(0).to_numpy(dtype=float)
    imprecise = incidents["geo_precision"].isin(IMPRECISE).to_numpy()
    type_codes, type_inverse = np.unique(
        incidents["event_type"].to_numpy(dtype=str), return_inverse=True
    )
    count = np.bincount(inverse)
    per_type = np.zeros((len(codes), len(type_codes)), dtype=np.int64)
    np.add.at(per_type, (inverse, type_inverse), 1)
    return pd.DataFrame(
        {
            "lat": np.bincount(inverse, lat) / count,
            "lon": np.bincount(inverse, lon) / count,
            "count": count,
            "killed": np.bincount(inverse, killed),
            "event_type": type_codes[per_type.argmax(axis=1)],
            "imprecise": np.bincount(inverse, imprecise) == count,
        }
    )


def _cell_rows(cells: pd.DataFrame) -> list[list[object]]:
    types = list(TYPE_COLOURS)
    rows: list[list[object]] = []
    for lat, lon, count, killed, kind, imprecise in cells.itertuples(index=False):
        rows.append(
            [
                round(float(lat), 4),
                round(float(lon), 4),
                types.index(kind) if kind in types else len(types),
                round(6.0 + 3.0 * math.log1p(count), 1),
                int(imprecise),
                "",
                f"{count} incidents, {int(killed)} killed (best) · mostly {esc(type_label(kind))}",
                int(count),
            ]
        )
    return rows


_REGION_CLASS = """
function (feature, layer) {
    layer.on('add', function () {
        var el = layer.getElement && layer.getElement();
        if (el) {
            el.classList.add('atlas-region', 'atlas-region-' + feature.properties.slug);
        }
    });
}
"""


@lru_cache(maxsize=1)
def _basemap_geojson() -> tuple[dict[str, object], dict[str, object]]:
    """Country outlines and region outlines (geometry only) from the project's own data."""
    countries = json.loads(read_countries().to_json(drop_id=True))
    outlines = json.loads(read_regions()[["geometry"]].to_json(drop_id=True))
    return countries, outlines


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower())


def _choropleth_geojson(incidents: pd.DataFrame, metric: str) -> dict[str, object]:
    regions = read_regions()
    figures = by_region(incidents)
    features = []
    values = []
    for row in regions.itertuples(index=False):
        f = figures.loc[row.region] if row.region in figures.index else None
        n = int(f["incidents"]) if f is not None else 0
        kl, kb, kh = (
            (int(f[c]) for c in ("killed_low", "killed_best", "killed_high"))
            if (f is not None)
            else (0, 0, 0)
        )
        value = n if metric == "incidents" else kb
        values.append(value)
        features.append(
            {
                "type": "Feature",
                "geometry": row.geometry.__geo_interface__,
                "properties": {
                    "region": esc(row.region),
                    "slug": _slug(row.region),
                    "incidents": n,
                    "killed": Headline.span(kl, kh),
                    "value": value,
                },
            }
        )
    top = max(values) if values else 0
    for feature, value in zip(features, values):
        props = feature["properties"]
        assert isinstance(props, dict)
        if value <= 0 or top <= 0:
            props["fill"] = "#f7f7f7"
        else:
            step = min(
                int(len(CHOROPLETH_COLOURS) * value / (top + 1e-9)), len(CHOROPLETH_COLOURS) - 1
            )
            props["fill"] = CHOROPLETH_COLOURS[step]
    return {"type": "FeatureCollection", "features": features}


class Legend(RenderedOnce):
    """A fixed legend box: event-type colours and how to read the symbols."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <details open class="atlas-legend" style="position:absolute;z-index:9999;
             bottom:28px;right:10px;background:rgba(255,255,255,0.92);padding:5px 8px;
             border:1px solid #999;
             border-radius:4px;font:11px/1.3 sans-serif;max-width:210px">
          <summary style="cursor:pointer"><b>{{ this.title }}</b></summary>
          {% for label, colour in this.items %}
          <span style="display:inline-block;width:10px;height:10px;border-radius:50%;
                background:{{ colour }};margin-right:5px"></span>{{ label }}<br>
          {% endfor %}
          <span style="display:inline-block;width:9px;height:9px;border-radius:50%;
                border:2px dashed #555;margin-right:4px"></span>located only to a region or
          country<br>
          Size: killed (best figure). Numbers: incidents in a cluster.
          {% if this.note %}<br><i>{{ this.note }}</i>{% endif %}
        </details>
        {% endmacro %}
    """)

    def __init__(self, *, title: str, note: str = "") -> None:
        super().__init__()
        self._name = "Legend"
        self.title = esc(title)
        self.items = [(esc(type_label(t)), c) for t, c in TYPE_COLOURS.items()]
        self.note = esc(note)


def build_map(
    incidents: gpd.GeoDataFrame | pd.DataFrame,
    *,
    claims: pd.DataFrame | None = None,
    metric: str = "incidents",
    max_symbols: int = MAX_SYMBOLS,
    online_tiles: bool = False,
    height: str = "100%",
) -> folium.Map:
    """Build the dashboard's map for the (already filtered) incidents.

    Parameters
    ----------
    incidents
        Filtered incidents (the columns of ``geo.schema.COLUMNS``).
    claims
        Per-source claims; shown in popups when given.
    metric
        ``"incidents"`` or ``"killed"``: what the region choropleth shades.
    max_symbols
        Above this many incidents, draw grid cells with counts instead of one symbol each.
    online_tiles
        Add OpenStreetMap web tiles as an optional basemap (needs the network).
    """
    if metric not in ("incidents", "killed"):
        raise ValueError(f"metric must be 'incidents' or 'killed', not {metric!r}")
    m = folium.Map(
        tiles=None,
        zoom_control=True,
        prefer_canvas=False,
        height=height,
        control_scale=True,
        maxZoom=18,
        zoomSnap=0.25,
        minZoom=3,
    )
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(RawHtml(f"<style>.leaflet-container{{background:{WATER}}}</style>"))
    offline = folium.FeatureGroup(
        name="Offline (country and region outlines)", overlay=False, control=True
    )
    countries, outlines = _basemap_geojson()
    DataGeoJson(
        copy.deepcopy(countries),
        style_function=lambda f: {
            "fillColor": "#ffffff" if f["properties"]["country"] == "KZ" else "#e0e0e0",
            "color": "#777777",
            "weight": 1,
            "fillOpacity": 1.0,
        },
        interactive=False,
        name="Countries",
    ).add_to(offline)
    DataGeoJson(
        copy.deepcopy(outlines),
        style={"color": "#9a9a9a", "weight": 0.8, "fill": False},
        interactive=False,
        name="Region outlines",
    ).add_to(offline)
    offline.add_to(m)
    if online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=False).add_to(m)

    label = "Incidents per region" if metric == "incidents" else "Killed per region (best)"
    regions = DataGeoJson(
        _choropleth_geojson(incidents, metric),
        name=f"Regions: {label.lower()}",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#555555",
            "weight": 1,
            "fillOpacity": 0.65,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#222222"},
        on_each_feature=JsCode(_REGION_CLASS),
        tooltip=folium.GeoJsonTooltip(
            fields=["region", "incidents", "killed"],
            aliases=["Region", "Incidents", "Killed"],
            sticky=True,
        ),
    )
    regions.add_to(m)

    aggregated = len(incidents) > max_symbols
    if aggregated:
        rows = _cell_rows(grid_cells(incidents, max_cells=max_symbols))
        layer_name = f"Incidents ({len(incidents):,}, grouped by area)"
    else:
        rows = _symbol_rows(incidents, claims)
        layer_name = f"Incidents by city ({len(incidents):,})"
    colours = [*TYPE_COLOURS.values(), OTHER_COLOUR]
    DataMarkerCluster(
        rows,
        callback=_CALLBACK % json.dumps(colours),
        name=layer_name,
        options={"maxClusterRadius": 35, "spiderfyOnMaxZoom": True, "showCoverageOnHover": False},
        icon_create_function=_CLUSTER_ICON,
    ).add_to(m)

    folium.LayerControl(collapsed=False).add_to(m)
    note = (
        f"{len(incidents):,} incidents grouped into areas; filter further to see each one"
        if aggregated
        else ""
    )
    Legend(title="Event type", note=note).add_to(m)
    bounds = _bounds(incidents)
    # Keep the data clear of the legend box in the lower right corner.
    m.fit_bounds(bounds, padding_bottom_right=(200, 0))
    return m


def _bounds(incidents: pd.DataFrame) -> list[list[float]]:
    """The filtered incidents' extent with a margin (at least 3 degrees across), else Kazakhstan."""
    if not len(incidents):
        west, south, east, north = KAZAKHSTAN_BOX
        return [[south, west], [north, east]]
    lat = incidents["lat"].to_numpy(dtype=float)
    lon = incidents["lon"].to_numpy(dtype=float)
    pad_lat = max(1.5 - (lat.max() - lat.min()) / 2, 0.5)
    pad_lon = max(1.5 - (lon.max() - lon.min()) / 2, 0.5)
    return [
        [float(lat.min() - pad_lat), float(lon.min() - pad_lon)],
        [float(lat.max() + pad_lat), float(lon.max() + pad_lon)],
    ]


__all__ = ["TYPE_COLOURS", "build_map", "grid_cells", "popup_html"]
