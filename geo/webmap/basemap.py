"""The map's ground: an empty Leaflet map on water, with the world's country outlines and names
drawn from the project's own data (no tiles, no internet).

The outlines are made once per process (:func:`basemap_json`); the dashboard serves them as a file
that the browser keeps (:func:`write_basemap`), a standalone page carries them inline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
import shapely.geometry
from branca.element import Figure

from geo.escape import esc
from geo.files import write_text_atomic
from geo.paths import COUNTRIES_PARQUET
from geo.places.regions import read_countries
from geo.webmap.elements import ParentScript, RawHtml, script_json

WATER = "#dbe7f0"

CLUSTER_CSS = (
    # Clusters in neutral greys: Leaflet's default green, yellow and orange are hues of the
    # unrest, explosion and bombing types, and a reader would take a cluster for one of them.
    # Scoped to the map container so they win over the plugin's own stylesheet wherever that is
    # loaded (a standalone page inlines it after this block).
    ".leaflet-container .marker-cluster-small,.leaflet-container .marker-cluster-medium,"
    ".leaflet-container .marker-cluster-large{background-color:rgba(80,80,80,0.28)}"
    ".leaflet-container .marker-cluster-small div,.leaflet-container .marker-cluster-medium div,"
    ".leaflet-container .marker-cluster-large div"
    "{background-color:rgba(55,55,55,0.82);color:#fff;font-weight:bold}"
)

WEB_TOLERANCE = 0.08
"""Degrees (about 9 km) the web basemap's country outlines are simplified by, after islands
under ``WEB_MIN_AREA`` are dropped: the world in about 32,000 points (370 KB), sent with every
map. The regions of the countries with incidents are drawn finer on top."""
WEB_MIN_AREA = 0.05
"""Square degrees: smaller islands of a country are left out of the web basemap (a country
that is only small islands keeps its largest)."""
REGION_WEB_TOLERANCE = 0.04
"""Degrees (about 4 km) the region shapes of the web map are simplified by, after islets are
dropped: they travel with every map (Kazakhstan and Russia: about 240 KB; Nigeria: 18 KB)."""

_BASEMAP = """
(function () {
    %s
    // The outlines lie under every other layer, whenever the fetch brings them in.
    var pane = {map}.getPane("atlasBase") || {map}.createPane("atlasBase");
    pane.style.zIndex = 250;
    function draw(data) {
        var home = new Set({home}), filled = {filled};
        L.geoJson(data.outlines, {interactive: false, pane: "atlasBase", style: function (feature) {
            return {fillColor: home.has(feature.properties.c) ? "#ffffff" : "#e6e6e6",
                    color: filled ? "#8a8a8a" : "#555555", weight: filled ? 0.8 : 1.2,
                    fill: filled, fillOpacity: 1.0};
        }}).addTo({parent});
        // Large countries are named from zoom 3, middling ones from 4, small ones from 5.
        [3, 4, 5].forEach(function (from) {
            var labels = L.layerGroup();
            data.names.forEach(function (c) {
                if (c[3] !== from) { return; }
                L.marker([c[1], c[0]], {interactive: false, keyboard: false, icon: L.divIcon({
                    className: "atlas-country-label", html: "<span>" + c[2] + "</span>",
                    iconSize: null})}).addTo(labels);
            });
            atlasByZoom({map}, labels, from);
        });
    }
    var source = {source};
    if (typeof source === "string") {
        fetch(source).then(function (r) { return r.json(); }).then(draw);
    } else {
        draw(source);
    }
})();
"""
"""Draws the basemap from its data given inline (a standalone page) or fetched from a URL (the
dashboard serves it once, and the browser keeps it, instead of sending it with every map)."""


BASEMAP_FORMAT = 3
"""Bump when :func:`basemap_json` changes what it writes: the file gets a new name."""


@lru_cache(maxsize=1)
def basemap_json() -> str:
    """The world's country outlines and names for the web map, as JSON text (made once):
    ``{"outlines": FeatureCollection, "names": [[lon, lat, name], ...]}``."""
    layer = read_countries()
    shapes = np.array([without_islets(shape) for shape in layer.geometry.to_numpy()])
    shapes = shapely.simplify(shapes, WEB_TOLERANCE, preserve_topology=True)
    features = [
        {"type": "Feature", "properties": {"c": code}, "geometry": rounded(shape, 2)}
        for code, shape in zip(layer["country"], shapes, strict=True)
        if not shape.is_empty
    ]
    points = shapely.point_on_surface(layer.geometry.to_numpy())
    area = shapely.area(layer.geometry.to_numpy())  # square degrees
    names = [
        [round(p.x, 2), round(p.y, 2), esc(name), 3 if a >= 150 else 4 if a >= 15 else 5]
        for name, p, a in zip(layer["name"], points, area, strict=True)
        if isinstance(name, str) and name
    ]
    outlines = {"type": "FeatureCollection", "features": features}
    return script_json({"outlines": outlines, "names": names})


def write_basemap(folder: str | Path) -> str:
    """Write the basemap's JSON into ``folder`` unless it is there, and return the file's name.

    The name holds a digest of what the basemap is made from (the country layer's bytes and
    how it is simplified), so a server that finds the file does not make it again.
    """
    recipe = f"{WEB_TOLERANCE}:{WEB_MIN_AREA}:{BASEMAP_FORMAT}".encode()
    digest = hashlib.sha256(recipe + COUNTRIES_PARQUET.read_bytes()).hexdigest()[:12]
    path = Path(folder) / f"basemap-{digest}.json"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, basemap_json())
    return path.name


def without_islets(shape: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(shape)
    if len(parts) <= 1:
        return shape
    area = shapely.area(parts)
    return shapely.multipolygons(parts[(area >= WEB_MIN_AREA) | (area == area.max())])


def rounded(shape: shapely.Geometry, decimals: int) -> dict[str, Any]:
    """A shape's GeoJSON geometry with coordinates rounded (a third of the bytes at 3 places)."""

    def rnd(c: Any) -> Any:
        if isinstance(c[0], float | int):
            return [round(c[0], decimals), round(c[1], decimals)]
        return [rnd(x) for x in c]

    geometry = shapely.geometry.mapping(shape)
    return {"type": geometry["type"], "coordinates": rnd(geometry["coordinates"])}


def empty_map(height: str) -> folium.Map:
    """A map with no tiles (the basemap is the project's own outlines) on a water background."""
    m = folium.Map(
        tiles=None,
        zoom_control=True,
        prefer_canvas=False,
        height=height,
        control_scale=True,
        # A cluster click zooms no closer than this, then spreads its incidents out: a city
        # stays recognisable (the offline basemap has no streets to show further in).
        maxZoom=13,
        zoomSnap=0.25,
        zoomDelta=0.5,  # the buttons reach every level down to the whole world
        minZoom=1,  # the whole world
    )
    # No jQuery: nothing on the atlas's maps uses it, and the dashboard's map waits for each
    # script in turn before it draws.
    m.default_js = [(name, url) for name, url in m.default_js if name != "jquery"]
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(
        RawHtml(
            # div.: above leaflet.css's own grey, which a standalone page inlines after this
            f"<style>div.leaflet-container{{background:{WATER}}}{CLUSTER_CSS}{LABEL_CSS}{DRAWING_CSS}</style>"
        )
    )
    return m


def offline_basemap(
    home: Sequence[str], *, filled: bool, basemap_url: str | None
) -> folium.FeatureGroup:
    """The project's own basemap (see :func:`basemap_json`): a base layer of filled
    outlines, or with web tiles, borders only in an overlay on top of them."""
    offline = folium.FeatureGroup(
        name="Offline (country outlines and names)" if filled else "Country borders (offline)",
        overlay=not filled,
        control=True,
    )
    source = basemap_json() if basemap_url is None else script_json(basemap_url)
    ParentScript(
        _BASEMAP % BY_ZOOM,
        {
            "home": script_json(list(home)),
            "filled": "true" if filled else "false",
            "source": source,
        },
    ).add_to(offline)
    return offline


BY_ZOOM = """
function atlasByZoom(map, layer, from) {
    function show() { if (map.getZoom() >= from) { layer.addTo(map); } else { layer.remove(); } }
    map.on("zoomend", show); show();
}
"""
"""Shows a layer of names from a zoom level on. Each script that needs it carries it: st_folium
puts the page's header in with ``innerHTML``, which runs no script."""
DRAWING_CSS = (
    ".atlas-drawing .leaflet-interactive{pointer-events:none!important}"
    ".atlas-standalone .atlas-open,.atlas-standalone .atlas-draw{display:none!important}"
)
"""While an area is drawn, a click places a corner: nothing on the map takes it. A map saved as
a file has neither the draw button nor links to the dashboard (``controls._IN_APP``)."""
LABEL_CSS = (
    ".atlas-country-label span,.atlas-region-label span{position:absolute;white-space:nowrap;"
    "transform:translate(-50%,-50%);font:10px/1.2 sans-serif;pointer-events:none;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff}"
    ".atlas-country-label span{color:#6f6f6f;text-transform:uppercase;letter-spacing:.06em}"
    ".atlas-region-label span{color:#8a8a8a;font-style:italic}"
)


__all__ = [
    "BY_ZOOM",
    "REGION_WEB_TOLERANCE",
    "WATER",
    "basemap_json",
    "empty_map",
    "offline_basemap",
    "rounded",
    "without_islets",
    "write_basemap",
]
