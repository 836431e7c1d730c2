"""Regions shaded by their incidents or killed: the shapes are drawn once with the map, the
figures come in as a small table and restyle them, so a filter change sends numbers, not shapes.

:func:`region_layer` draws the regions of a set of countries (hover for their figures, click to
filter, names from zoom 6 on); :func:`region_values` is the script that gives them the figures of
the current filters, their fill colours and tooltips.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection
from functools import lru_cache
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.escape import esc
from geo.places.regions import in_holes, read_countries, read_regions
from geo.stats import Headline
from geo.webmap.basemap import BY_ZOOM, REGION_WEB_TOLERANCE, rounded, without_islets
from geo.webmap.elements import ParentScript, script_json

CHOROPLETH_COLOURS = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603"]
NO_VALUE_COLOUR = "#f7f7f7"
MAX_REGION_SHAPES = 600
"""Most region shapes on the map: beyond, only the regions holding incidents (the busiest)."""


_REGION_CLASS = """
function atlasRegionClass(feature, layer) {
    layer.on('add', function () {
        var el = layer.getElement && layer.getElement();
        if (!el) { return; }
        el.classList.add('atlas-region', 'atlas-region-' + feature.properties.slug);
        if (feature.properties.enclave) {
            // A lease inside a country (Baikonur) is hatched, as on the static maps: plain, its
            // round outline read as a hollow incident symbol.
            var svg = el.ownerSVGElement, ns = 'http://www.w3.org/2000/svg';
            if (svg && !svg.querySelector('#atlas-hatch')) {
                var defs = document.createElementNS(ns, 'defs');
                var pattern = document.createElementNS(ns, 'pattern');
                pattern.setAttribute('id', 'atlas-hatch');
                pattern.setAttribute('width', '6');
                pattern.setAttribute('height', '6');
                pattern.setAttribute('patternUnits', 'userSpaceOnUse');
                pattern.setAttribute('patternTransform', 'rotate(45)');
                var ground = document.createElementNS(ns, 'rect');
                ground.setAttribute('width', '6'); ground.setAttribute('height', '6');
                ground.setAttribute('fill', '#ffffff');
                pattern.appendChild(ground);
                var line = document.createElementNS(ns, 'line');
                line.setAttribute('x1', '0'); line.setAttribute('y1', '0');
                line.setAttribute('x2', '0'); line.setAttribute('y2', '6');
                line.setAttribute('stroke', '#9a9a9a'); line.setAttribute('stroke-width', '1.5');
                pattern.appendChild(line); defs.appendChild(pattern); svg.appendChild(defs);
            }
            el.setAttribute('fill', 'url(#atlas-hatch)');
        }
    });
}
"""


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower())


@lru_cache(maxsize=8)
def _region_shapes(
    countries: tuple[str, ...],
) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]], list[list[float]]]:
    """The regions of ``countries``, their shapes simplified for the web map as GeoJSON
    geometries, and a point inside each (made once per set of countries: a data set's)."""
    regions = read_regions()
    regions = regions[regions["country"].isin(countries).to_numpy()].reset_index(drop=True)
    shapes = np.array([without_islets(shape) for shape in regions.geometry.to_numpy()])
    simple = shapely.simplify(shapes, REGION_WEB_TOLERANCE, preserve_topology=True)
    inside = shapely.point_on_surface(simple)
    outline = dict(zip(*(read_countries()[c] for c in ("country", "geometry")), strict=True))
    enclave = in_holes(shapes, regions["country"].to_numpy(), outline)
    regions = regions.assign(enclave=enclave)
    return (
        regions,
        [rounded(shape, 3) for shape in simple],
        [[round(p.y, 3), round(p.x, 3)] for p in inside],
    )


def region_features(
    countries: Collection[str], busiest: pd.Series | None = None
) -> list[dict[str, Any]]:
    """The regions of ``countries`` as GeoJSON features with no figures yet; beyond
    ``MAX_REGION_SHAPES`` of them, only the labels of ``busiest`` (incidents by region label,
    its largest first), at most that many."""
    regions, shapes, inside = _region_shapes(tuple(sorted(set(countries))))
    picked = np.arange(len(regions))
    if len(regions) > MAX_REGION_SHAPES:
        keep = busiest.nlargest(MAX_REGION_SHAPES).index if busiest is not None else []
        picked = np.flatnonzero(regions["label"].isin(keep).to_numpy())
    return [
        {
            "type": "Feature",
            "geometry": shapes[i],
            "properties": {
                "region": esc(regions["label"].iat[i]),
                "slug": _slug(regions["label"].iat[i]),
                "at": inside[i],
                "enclave": bool(regions["enclave"].iat[i]),
            },
        }
        for i in picked.tolist()
    ]


def region_figures(figures: pd.DataFrame, metric: str) -> tuple[dict[str, list[object]], int]:
    """Each region's (escaped label's) incidents, killed (low to high) and fill colour, from
    ``geo.stats.by_region`` figures; and the largest value shaded (for the key)."""
    columns = ["incidents", "killed_low", "killed_best", "killed_high"]
    rows = figures.reindex(columns=columns).fillna(0).astype(np.int64)
    value = rows["incidents"] if metric == "incidents" else rows["killed_best"]
    top = int(value.max()) if len(value) else 0
    out: dict[str, list[object]] = {}
    for label, (n, low, _best, high), v in zip(
        rows.index, rows.itertuples(index=False), value.tolist(), strict=True
    ):
        fill = NO_VALUE_COLOUR if v <= 0 else CHOROPLETH_COLOURS[_shade(v, top)]
        out[esc(label)] = [int(n), esc(Headline.span(low, high)), fill]
    return out, top


def _shade(value: int, top: int) -> int:
    """The choropleth class (0 to 4) of a region's value, the largest being ``top``."""
    steps = len(CHOROPLETH_COLOURS)
    return min(int(steps * value / (top + 1e-9)), steps - 1)


def shading_key(top: int) -> list[tuple[str, str]]:
    """The region shading's key: (colour, values) for each class that values 1 to ``top`` use,
    and the colour of none."""
    key = [(NO_VALUE_COLOUR, "0")]
    values = range(1, top + 1)
    for step, colour in enumerate(CHOROPLETH_COLOURS):
        first = bisect.bisect_left(values, step, key=lambda v: _shade(v, top))
        last = bisect.bisect_left(values, step + 1, key=lambda v: _shade(v, top)) - 1
        if first <= last:
            low, high = values[first], values[last]
            key.append((colour, f"{low:,}" if low == high else f"{low:,}–{high:,}"))
    return key


_REGIONS = """
(function () {
    %s
    %s
    var map = {map}, none = [0, "0", "#f7f7f7"];
    function style(feature) {
        var p = feature.properties;
        return {fillColor: p.enclave ? "url(#atlas-hatch)" : p.fill || none[2],
                color: "#555555", weight: 1, fillOpacity: 0.65};
    }
    var layer = L.geoJson({regions}, {style: style, onEachFeature: function (feature, l) {
        atlasRegionClass(feature, l);
        l.bindTooltip(function () {
            var p = feature.properties;
            return "<table><tr><th>Region</th><td>" + p.region + "</td></tr><tr><th>Incidents" +
                "</th><td>" + (p.incidents || 0) + "</td></tr><tr><th>Killed</th><td>" +
                (p.killed || "0") + "</td></tr></table>";
        }, {sticky: true});
        l.on("mouseover", function () { l.setStyle({weight: 3, color: "#222222"}); });
        l.on("mouseout", function () { layer.resetStyle(l); });
    }}).addTo({parent});
    // The figures of the current filters restyle the regions (region_values).
    map._atlasRegions = function (values) {
        layer.eachLayer(function (l) {
            var p = l.feature.properties, v = values[p.region] || none;
            p.incidents = v[0]; p.killed = v[1]; p.fill = v[2];
            layer.resetStyle(l);
        });
    };
    // Region names above the incidents' clusters (which would hide them), clicks passing through
    if (!map.getPane("atlasLabels")) {
        var pane = map.createPane("atlasLabels");
        pane.style.zIndex = 650;
        pane.style.pointerEvents = "none";
    }
    var labels = L.layerGroup();
    layer.eachLayer(function (l) {
        var p = l.feature.properties;
        L.marker(p.at, {interactive: false, keyboard: false, pane: "atlasLabels",
            icon: L.divIcon({className: "atlas-region-label", html: "<span>" + p.region +
            "</span>", iconSize: null})}).addTo(labels);
    });
    atlasByZoom(map, labels, 6);
})();
"""

_VALUES = """
(function () {
    var map = {map}, values = {values};
    if (map._atlasRegions) { map._atlasRegions(values); }
})();
"""


def region_layer(features: list[dict[str, Any]]) -> folium.FeatureGroup:
    """The regions, unshaded until :func:`region_values` gives them figures: hover for the
    figures, click to filter (pages/map.py), names from zoom 6 on."""
    group = folium.FeatureGroup(name="Regions (shaded)", overlay=True, control=True)
    collection = {"type": "FeatureCollection", "features": features}
    ParentScript(_REGIONS % (BY_ZOOM, _REGION_CLASS), {"regions": script_json(collection)}).add_to(
        group
    )
    return group


def region_values(parent: folium.map.Layer, values: dict[str, list[object]]) -> None:
    """Shade the map's regions with ``values`` (:func:`region_figures`): added under a layer
    that is drawn after :func:`region_layer`'s, or that replaces an earlier one."""
    ParentScript(_VALUES, {"values": script_json(values)}).add_to(parent)


__all__ = [
    "CHOROPLETH_COLOURS",
    "MAX_REGION_SHAPES",
    "NO_VALUE_COLOUR",
    "region_features",
    "region_figures",
    "region_layer",
    "region_values",
    "shading_key",
]
