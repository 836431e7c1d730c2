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

import bisect
import hashlib
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from branca.element import Figure
from folium.utilities import JsCode
from jinja2 import Template

from geo.escape import esc
from geo.files import write_text_atomic
from geo.paths import COUNTRIES_PARQUET
from geo.places.regions import in_holes, read_countries, read_regions
from geo.records import source_names
from geo.stats import Headline, by_region, toll_text
from geo.symbology import (
    CLASS_LABELS,
    OTHER_COLOUR,
    TYPE_COLOURS,
    precision_classes,
    symbol_radius,
    type_label,
    unwrap_longitudes,
)
from geo.webmap.cells import MapSummary, grid_cells, summarise
from geo.webmap.colour_by import COLOUR_FIELDS, colour_key
from geo.webmap.elements import (
    DataGeoJson,
    DataMarkerCluster,
    ParentScript,
    RawHtml,
    RenderedOnce,
    script_json,
)
from geo.webmap.play import add_play, play_periods

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


def popup_html(
    row: Mapping[str, object],
    claims: pd.DataFrame | None,
    sources: Mapping[str, str] | None = None,
) -> str:
    """An incident's popup; every data value is escaped. ``sources`` names each source id
    (see :func:`source_names`)."""
    rows = None if claims is None else list(claims.itertuples(index=False))
    return _popup_html(row, rows, sources or {})


def _source_html(source_id: object, names: Mapping[str, str]) -> str:
    """A source as its title and outlet, with the id in small print (the id alone if unnamed)."""
    name = names.get(str(source_id).strip())
    if not name:
        return esc(source_id)
    return f"{esc(name)} <small style='color:#777'>{esc(source_id)}</small>"


def _popup_html(
    row: Mapping[str, object], claims: Sequence[Any] | None, names: Mapping[str, str]
) -> str:
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
                f"<li>{_source_html(claim.source, names)} ¶{esc(claim.paragraph)}: {said}"
                f"{' – ' + esc(claim.note) if str(claim.note).strip() else ''}</li>"
            )
        lines.append("Sources:<ul style='margin:0;padding-left:1.2em'>" + "".join(items) + "</ul>")
    elif row.get("sources"):
        cited = [s for s in str(row["sources"]).split(";") if s.strip()]
        lines.append("Sources: " + "; ".join(_source_html(s, names) for s in cited))
    link = "?id=" + quote(str(row.get("incident_id", "")), safe="")
    lines.append(f"<a href='{esc(link)}' target='_top'>Open this incident</a>")
    return "<div style='max-width:320px'>" + "<br>".join(lines) + "</div>"


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
_CLUSTER_CSS = (
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
                _popup_html(row, by_incident.get(row["incident_id"]), names),
                tooltip,
                1,
                period,
            ]
        )
    return rows


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
                _CLASS_CODES["coarse" if imprecise else "exact"],
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
MAX_REGION_SHAPES = 600
"""Most region shapes on the map: beyond, only the busiest regions holding incidents."""

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
    shapes = np.array([_without_islets(shape) for shape in layer.geometry.to_numpy()])
    shapes = shapely.simplify(shapes, WEB_TOLERANCE, preserve_topology=True)
    features = [
        {"type": "Feature", "properties": {"c": code}, "geometry": _rounded(shape, 2)}
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


def _without_islets(shape: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(shape)
    if len(parts) <= 1:
        return shape
    area = shapely.area(parts)
    return shapely.multipolygons(parts[(area >= WEB_MIN_AREA) | (area == area.max())])


def _rounded(shape: shapely.Geometry, decimals: int) -> dict[str, Any]:
    """A shape's GeoJSON geometry with coordinates rounded (a third of the bytes at 3 places)."""

    def rnd(c: Any) -> Any:
        if isinstance(c[0], float | int):
            return [round(c[0], decimals), round(c[1], decimals)]
        return [rnd(x) for x in c]

    geometry = shapely.geometry.mapping(shape)
    return {"type": geometry["type"], "coordinates": rnd(geometry["coordinates"])}


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
    shapes = np.array([_without_islets(shape) for shape in regions.geometry.to_numpy()])
    simple = shapely.simplify(shapes, REGION_WEB_TOLERANCE, preserve_topology=True)
    inside = shapely.point_on_surface(simple)
    outline = dict(zip(*(read_countries()[c] for c in ("country", "geometry")), strict=True))
    enclave = in_holes(shapes, regions["country"].to_numpy(), outline)
    regions = regions.assign(enclave=enclave)
    return (
        regions,
        [_rounded(shape, 3) for shape in simple],
        [[round(p.y, 3), round(p.x, 3)] for p in inside],
    )


def _choropleth_geojson(
    figures: pd.DataFrame, metric: str, countries: Collection[str]
) -> dict[str, object]:
    """The regions of ``countries`` (beyond ``MAX_REGION_SHAPES``, those with incidents) with
    their figures (``geo.stats.by_region``) and fill colours."""
    regions, shapes, inside = _region_shapes(tuple(sorted(set(countries))))
    chosen = np.ones(len(regions), dtype=bool)
    if chosen.sum() > MAX_REGION_SHAPES:
        # Only regions with incidents, and of those the busiest: the map stays a few MB.
        busiest = figures["incidents"].nlargest(MAX_REGION_SHAPES).index
        chosen &= regions["label"].isin(busiest).to_numpy()
    features = []
    values = []
    picked = np.flatnonzero(chosen)
    columns = ["incidents", "killed_low", "killed_best", "killed_high"]
    per_region = (
        figures.reindex(regions["label"].to_numpy()[picked])[columns]
        .fillna(0)
        .to_numpy(dtype=np.int64)
    )
    for i, (n, kl, kb, kh) in zip(picked, per_region.tolist(), strict=True):
        label = regions["label"].iat[i]
        value = n if metric == "incidents" else kb
        values.append(value)
        features.append(
            {
                "type": "Feature",
                "geometry": shapes[i],
                "properties": {
                    "region": esc(label),
                    "slug": _slug(label),
                    "incidents": n,
                    "killed": Headline.span(kl, kh),
                    "value": value,
                    "at": inside[i],
                    "enclave": bool(regions["enclave"].iat[i]),
                },
            }
        )
    top = max(values) if values else 0
    for feature, value in zip(features, values, strict=True):
        props = feature["properties"]
        assert isinstance(props, dict)
        props["fill"] = NO_VALUE_COLOUR if value <= 0 else CHOROPLETH_COLOURS[_shade(value, top)]
    return {"type": "FeatureCollection", "features": features}


NO_VALUE_COLOUR = "#f7f7f7"


def _features(collection: dict[str, object]) -> list[dict[str, Any]]:
    features = collection["features"]
    assert isinstance(features, list)
    return features


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
          <i>Located</i><br>
          {% if "exact" in this.classes %}
          <span style="display:inline-block;width:10px;height:10px;border-radius:50%;
                background:#777;margin-right:5px"></span>{{ this.classes.exact }}<br>
          {% endif %}{% if "approximate" in this.classes %}
          <span style="display:inline-block;width:7px;height:7px;border-radius:50%;
                background:rgba(119,119,119,0.3);border:2px solid #555;margin-right:4px">
          </span>{{ this.classes.approximate }}<br>
          {% endif %}{% if "coarse" in this.classes %}
          <span style="display:inline-block;width:7px;height:7px;border-radius:50%;
                border:2px dashed #555;margin-right:4px"></span>{{ this.classes.coarse }}<br>
          {% endif %}
          Size: killed (best figure). Numbers: incidents in a cluster.
          {% if this.shading %}<br><b>{{ this.shading_title }}</b><br>
          {% for colour, values in this.shading %}
          <span style="display:inline-block;width:14px;height:10px;background:{{ colour }};
                opacity:0.65;
                border:1px solid #999;margin-right:4px;vertical-align:middle"></span>{{ values }}
          {% endfor %}{% endif %}
          {% if this.note %}<br><i>{{ this.note }}</i>{% endif %}
        </details>
        {% endmacro %}
    """)

    def __init__(
        self,
        *,
        title: str,
        note: str = "",
        shading_title: str = "",
        shading: Sequence[tuple[str, str]] = (),
        classes: Sequence[str] = tuple(CLASS_LABELS),
        types: Collection[str] | None = None,
        items: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.title = esc(title)
        # Only the types on the map (all where not told): a filtered map lists what it shows.
        self.items = [
            (esc(type_label(t)), c) for t, c in TYPE_COLOURS.items() if types is None or t in types
        ]
        if items is not None:  # symbols coloured by another field: its values, as given
            self.items = [(esc(label), colour) for label, colour in items]
        # Only the precision classes on the map: the switch may have hidden the others.
        self.classes = {name: esc(CLASS_LABELS[name]) for name in CLASS_LABELS if name in classes}
        self.note = esc(note)
        self.shading_title = esc(shading_title)
        self.shading = [(colour, esc(values)) for colour, values in shading]


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
    """Build the dashboard's map for the (already filtered) incidents.

    The map opens on the incidents (their extent with a margin; the whole world is a zoom-out
    away), over the world's country outlines with names, and the regions of the chosen
    countries shaded and named when zoomed in (:class:`MapOptions`).

    Parameters
    ----------
    incidents
        Filtered incidents (the columns of ``geo.schema.COLUMNS``), or their
        :class:`~geo.webmap.cells.MapSummary` as the team store computes it in SQL.
    claims
        Per-source claims; shown in popups when given.
    sources
        The sources table: popups name each source by its title and outlet.
    options
        Metric, symbol limit, web tiles, height, countries and where the basemap is served.
    """
    options = options or MapOptions()
    metric, max_symbols, online_tiles = options.metric, options.max_symbols, options.online_tiles
    countries, basemap_url, height = options.countries, options.basemap_url, options.height
    if metric not in ("incidents", "killed"):
        raise ValueError(f"metric must be 'incidents' or 'killed', not {metric!r}")
    if not isinstance(incidents, MapSummary) and len(incidents) > max_symbols:
        incidents = summarise(incidents, max_cells=max_symbols)
    if isinstance(incidents, MapSummary):
        summary = incidents
        cells = summary.cells
        if len(cells):  # across the 180th meridian (Fiji): cells and view east of 180
            cells = cells.assign(lon=unwrap_longitudes(cells["lon"].to_numpy(dtype=float)))
        name = f"Incidents ({summary.count:,}, grouped by area)"
        layer = _incident_layer(_cell_rows(cells), name)
        figures, classes, points = summary.regions, summary.classes, cells
        key = None  # cells are coloured by their most frequent type
        own_countries: Collection[str] = summary.countries
        note = f"{summary.count:,} incidents grouped into areas; filter further to see each one"
    else:
        lon = pd.to_numeric(incidents["lon"], errors="coerce").to_numpy(dtype=float)
        if len(lon):  # across the 180th meridian (Fiji): symbols and view east of 180
            incidents = incidents.assign(lon=unwrap_longitudes(lon))
        periods, labels = play_periods(incidents)
        codes, palette, key = colour_key(incidents, options.colour_by)
        rows = _symbol_rows(incidents, claims, source_names(sources), periods, codes)
        layer = _incident_layer(rows, f"Incidents by city ({len(incidents):,})", palette)
        add_play(layer, labels)
        figures, points, note = by_region(incidents), incidents, ""
        classes = tuple(sorted(set(precision_classes(incidents["geo_precision"]))))
        own_countries = {str(c) for c in incidents["country"]}
    m = _empty_map(height)
    chosen = sorted({str(c) for c in (own_countries if countries is None else countries)} - {""})
    if online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=False).add_to(m)
    _offline_basemap(chosen, filled=not online_tiles, basemap_url=basemap_url).add_to(m)
    label = "Incidents per region" if metric == "incidents" else "Killed per region (best)"
    shaded = _choropleth_geojson(figures, metric, chosen)
    _region_layer(shaded, label).add_to(m)
    layer.add_to(m)
    # Folded: open, it covers the top right of the map, where popups open.
    folium.LayerControl(collapsed=True).add_to(m)
    top = max((int(f["properties"]["value"]) for f in _features(shaded)), default=0)
    Legend(
        title="Event type" if key is None else COLOUR_FIELDS[options.colour_by],
        note=note,
        shading_title=label,
        shading=shading_key(top),
        classes=classes or tuple(CLASS_LABELS),
        types=_types_shown(points),
        items=key,
    ).add_to(m)
    # Keep the data clear of the legend box in the lower right corner.
    bounds = _bounds(points)
    if options.view is None:
        m.fit_bounds(bounds, padding_bottom_right=(230, 150))
    else:  # the view the user zoomed to stays; the fit button goes back to all
        west, south, east, north = options.view
        m.fit_bounds([[south, west], [north, east]])
    ParentScript(_FIT_CONTROL, {"bounds": script_json(bounds)}).add_to(m)
    ParentScript(_BOX_AREA).add_to(m)
    return m


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
    m = _empty_map("100%")
    home = [country] if country else []
    _offline_basemap(home, filled=True, basemap_url=basemap_url).add_to(m)
    if country:
        none = pd.DataFrame(columns=["incidents", "killed_low", "killed_best", "killed_high"])
        _region_layer(_choropleth_geojson(none, "incidents", home), "Regions").add_to(m)
    if marker:
        folium.CircleMarker(
            [lat, lon], radius=7, color="#333333", weight=2, fill=True, fill_color="#e6550d",
            fill_opacity=0.9, tooltip="The incident's point",
        ).add_to(m)  # fmt: skip
    m.location, m.options["zoom"] = [lat, lon], zoom
    return m


def _empty_map(height: str) -> folium.Map:
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
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(
        RawHtml(
            # div.: above leaflet.css's own grey, which a standalone page inlines after this
            f"<style>div.leaflet-container{{background:{WATER}}}{_CLUSTER_CSS}{_LABEL_CSS}</style>"
        )
    )
    return m


def _offline_basemap(
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
        _BASEMAP % _BY_ZOOM,
        {
            "home": script_json(list(home)),
            "filled": "true" if filled else "false",
            "source": source,
        },
    ).add_to(offline)
    return offline


_REGION_LABELS = """
(function () {
    %s
    var labels = L.layerGroup();
    // Region names above the incidents' clusters (which would hide them), clicks passing through
    if (!{map}.getPane("atlasLabels")) {
        var pane = {map}.createPane("atlasLabels");
        pane.style.zIndex = 650;
        pane.style.pointerEvents = "none";
    }
    {parent}.eachLayer(function (layer) {
        var p = layer.feature.properties;
        L.marker(p.at, {interactive: false, keyboard: false, pane: "atlasLabels",
            icon: L.divIcon({className: "atlas-region-label", html: "<span>" + p.region +
            "</span>", iconSize: null})}).addTo(labels);
    });
    atlasByZoom({map}, labels, 6);
})();
"""
_BY_ZOOM = """
function atlasByZoom(map, layer, from) {
    function show() { if (map.getZoom() >= from) { layer.addTo(map); } else { layer.remove(); } }
    map.on("zoomend", show); show();
}
"""
"""Shows a layer of names from a zoom level on. Each script that needs it carries it: st_folium
puts the page's header in with ``innerHTML``, which runs no script."""
_LABEL_CSS = (
    ".atlas-country-label span,.atlas-region-label span{position:absolute;white-space:nowrap;"
    "transform:translate(-50%,-50%);font:10px/1.2 sans-serif;pointer-events:none;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff}"
    ".atlas-country-label span{color:#6f6f6f;text-transform:uppercase;letter-spacing:.06em}"
    ".atlas-region-label span{color:#8a8a8a;font-style:italic}"
)

_FIT_CONTROL = """
(function () {
    var bounds = {bounds};
    var Fit = L.Control.extend({options: {position: "topleft"}, onAdd: function () {
        var button = L.DomUtil.create("a", "leaflet-bar atlas-fit");
        button.href = "#"; button.title = "Fit to incidents"; button.innerHTML = "&#x2922;";
        button.setAttribute("role", "button");
        button.style.cssText = "display:block;width:30px;height:30px;line-height:30px;" +
            "text-align:center;background:#fff;font-size:18px;color:#333;text-decoration:none";
        L.DomEvent.on(button, "click", function (e) {
            L.DomEvent.stop(e); {parent}.fitBounds(bounds, {paddingBottomRight: [230, 150]});
        });
        return button;
    }});
    new Fit().addTo({parent});
})();
"""


_BOX_AREA = """
(function () {
    // A box drawn with shift and drag (Leaflet's box zoom) is handed to the page as a drawn
    // rectangle: the dashboard keeps only the incidents inside it (the "area" filter).
    {parent}.on("boxzoomend", function (e) {
        {parent}.fire("draw:created", {layer: L.rectangle(e.boxZoomBounds),
                                       layerType: "rectangle"});
    });
})();
"""


def _region_layer(shaded: dict[str, object], label: str) -> DataGeoJson:
    """The region choropleth: hover for figures, click to filter (see pages/map.py); names
    from zoom 6 on."""
    layer = DataGeoJson(
        shaded,
        name=f"Regions: {label.lower()}",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#555555",
            "weight": 1,
            "fillOpacity": 0.65,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#222222"},
        on_each_feature=JsCode(_REGION_CLASS),
        # No region to show (a table without countries, an empty store): folium refuses a
        # tooltip naming fields that no feature has.
        tooltip=folium.GeoJsonTooltip(
            fields=["region", "incidents", "killed"],
            aliases=["Region", "Incidents", "Killed"],
            sticky=True,
        )
        if _features(shaded)
        else None,
    )
    ParentScript(_REGION_LABELS % _BY_ZOOM).add_to(layer)
    return layer


def _incident_layer(
    rows: list[list[object]], name: str, colours: Sequence[str] | None = None
) -> DataMarkerCluster:
    """Symbols (one per incident, or one per grid cell with its count), clustered; a row's
    third value is its number in ``colours`` (default: the event types')."""
    colours = list(colours or [*TYPE_COLOURS.values(), OTHER_COLOUR])
    return DataMarkerCluster(
        rows,
        callback=_CALLBACK % json.dumps(colours),
        name=name,
        options={"maxClusterRadius": 35, "spiderfyOnMaxZoom": True, "showCoverageOnHover": False},
        icon_create_function=_CLUSTER_ICON,
    )


def _bounds(points: pd.DataFrame) -> list[list[float]]:
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
    "MapOptions",
    "MapSummary",
    "build_map",
    "grid_cells",
    "pick_map",
    "popup_html",
]
