"""Where incidents are dense: a heatmap and a square grid, both drawn from the map's cells.

The cells are what the engine counts for the view (``geo.webmap.grid_counts.MapSummary``): finer as
the user zooms in, so both layers follow the zoom. The grid shades each cell by its incidents or
its killed (best figure) in five classes on a logarithmic scale; the heatmap spreads each
cell's value over a blurred disc, drawn on a canvas in the browser and drawn again after every
move (no plugin: the script is the project's own).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.escape import esc
from geo.symbology import type_label
from geo.webmap.choropleth import CHOROPLETH_COLOURS
from geo.webmap.elements import ParentScript, script_json

LAYERS = {
    "points": "Symbols (clustered)",
    "heatmap": "Heatmap",
    "grid": "Square grid",
}
"""How the incidents can be drawn: the map page's choice, ``MapOptions.layer``."""

HEAT_COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
"""The heatmap's ramp, from the least to the most dense."""

_GRID = """
(function () {
    var cells = {cells}, colours = {colours}, layer = L.featureGroup();
    cells.forEach(function (c) {
        L.rectangle([[c[0], c[1]], [c[0] + c[2], c[1] + c[2]]], {
            color: "#7a7a7a", weight: 0.5, fillColor: colours[c[3]], fillOpacity: 0.7,
            className: "atlas-cell"
        }).bindTooltip(c[4]).addTo(layer);
    });
    layer.addTo({parent});
})();
"""

_HEAT = """
(function () {
    var points = {points}, ramp = {ramp}, radius = 24;
    function stamp() {
        var canvas = document.createElement("canvas"), r = radius;
        canvas.width = canvas.height = 2 * r;
        var ctx = canvas.getContext("2d"), g = ctx.createRadialGradient(r, r, 0, r, r, r);
        g.addColorStop(0, "rgba(0,0,0,1)"); g.addColorStop(1, "rgba(0,0,0,0)");
        ctx.fillStyle = g; ctx.fillRect(0, 0, 2 * r, 2 * r);
        return canvas;
    }
    function palette() {  // 256 colours, transparent to the densest
        var canvas = document.createElement("canvas"), ctx = canvas.getContext("2d");
        canvas.width = 256; canvas.height = 1;
        var g = ctx.createLinearGradient(0, 0, 256, 0);
        ramp.forEach(function (c, i) { g.addColorStop(i / (ramp.length - 1), c); });
        ctx.fillStyle = g; ctx.fillRect(0, 0, 256, 1);
        return ctx.getImageData(0, 0, 256, 1).data;
    }
    var Heat = L.Layer.extend({
        onAdd: function (map) {
            this._canvas = L.DomUtil.create("canvas", "atlas-heat leaflet-zoom-hide");
            this._canvas.style.cssText = "position:absolute;pointer-events:none;opacity:0.8";
            map.getPanes().overlayPane.appendChild(this._canvas);
            map.on("moveend", this._draw, this);
            this._stamp = stamp(); this._palette = palette(); this._draw();
        },
        onRemove: function (map) {
            map.off("moveend", this._draw, this);
            L.DomUtil.remove(this._canvas);
        },
        _draw: function () {
            var map = this._map, size = map.getSize(), canvas = this._canvas, r = radius;
            L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
            canvas.width = size.x; canvas.height = size.y;
            if (!size.x || !size.y) { return; }
            var ctx = canvas.getContext("2d"), stamp = this._stamp, shade = this._palette;
            points.forEach(function (p) {
                var at = map.latLngToContainerPoint([p[0], p[1]]);
                if (at.x < -r || at.y < -r || at.x > size.x + r || at.y > size.y + r) { return; }
                ctx.globalAlpha = 0.6 * p[2];
                ctx.drawImage(stamp, at.x - r, at.y - r);
            });
            var image = ctx.getImageData(0, 0, size.x, size.y), d = image.data, top = 0, i;
            for (i = 3; i < d.length; i += 4) { if (d[i] > top) { top = d[i]; } }
            // The densest place in view at the ramp's end: the map shows where it is dense here.
            for (i = 3; i < d.length; i += 4) {
                var a = top ? Math.round(d[i] * 255 / top) : 0;
                if (!a) { d[i] = 0; continue; }
                d[i - 3] = shade[a * 4]; d[i - 2] = shade[a * 4 + 1]; d[i - 1] = shade[a * 4 + 2];
                d[i] = Math.min(255, 60 + a);
            }
            ctx.putImageData(image, 0, 0);
        }
    });
    new Heat().addTo({parent});
})();
"""


def _values(cells: pd.DataFrame, metric: str) -> np.ndarray:
    column = "count" if metric == "incidents" else "killed"
    return np.asarray(np.nan_to_num(cells[column].to_numpy(dtype=float)))


GRID_ACROSS = 60
"""The grid's squares are at least a sixtieth of the view across: a country's grid is read at a
glance, a city's shows its quarters (down to the finest cell)."""


def coarser(cells: pd.DataFrame, across: float) -> pd.DataFrame:
    """``cells`` merged into squares doubled in size until ``GRID_ACROSS`` of them span
    ``across`` degrees: counts and killed added, the centre weighted by count, the type of the
    busiest part."""
    if not len(cells):
        return cells
    size = float(cells["size"].iloc[0])
    while size * GRID_ACROSS < across:
        size *= 2
    if size == float(cells["size"].iloc[0]):
        return cells
    iy = np.floor((cells["south"] + cells["size"] / 2) / size).astype(np.int64)
    ix = np.floor((cells["west"] + cells["size"] / 2) / size).astype(np.int64)
    parts = cells.assign(iy=iy, ix=ix, lat_w=cells["lat"] * cells["count"],
                         lon_w=cells["lon"] * cells["count"])  # fmt: skip
    busiest = parts.sort_values("count", ascending=False).groupby(["iy", "ix"])["event_type"]
    merged = parts.groupby(["iy", "ix"]).agg(
        count=("count", "sum"), killed=("killed", "sum"), lat_w=("lat_w", "sum"),
        lon_w=("lon_w", "sum"), imprecise=("imprecise", "all"),
    )  # fmt: skip
    merged["event_type"] = busiest.first()
    merged = merged.reset_index()
    return pd.DataFrame(
        {
            "lat": merged["lat_w"] / merged["count"],
            "lon": merged["lon_w"] / merged["count"],
            "count": merged["count"],
            "killed": merged["killed"],
            "event_type": merged["event_type"],
            "imprecise": merged["imprecise"],
            "south": merged["iy"] * size,
            "west": merged["ix"] * size,
            "size": size,
        }
    )


def add_grid(parent: object, cells: pd.DataFrame, metric: str) -> list[tuple[str, str]]:
    """Draw ``cells`` as squares shaded by their incidents (or killed) under ``parent``; returns
    the shading's key for the legend."""
    values = _values(cells, metric)
    shade = _classes(values)
    rows = [
        [
            round(float(south), 5),
            round(float(west), 5),
            float(size),
            int(k),
            f"{int(n):,} incidents, {int(killed):,} killed (best) · mostly "
            f"{esc(type_label(str(kind)))}",
        ]
        for south, west, size, k, n, killed, kind in zip(
            cells["south"],
            cells["west"],
            cells["size"],
            shade.tolist(),
            cells["count"],
            cells["killed"],
            cells["event_type"],
            strict=True,
        )  # fmt: skip
    ]
    values_js = {"cells": script_json(rows), "colours": script_json(CHOROPLETH_COLOURS)}
    ParentScript(_GRID, values_js).add_to(parent)  # type: ignore[arg-type]
    key = []
    for k, colour in enumerate(CHOROPLETH_COLOURS):
        members = values[shade == k]
        if len(members):
            low, high = int(members.min()), int(members.max())
            key.append((colour, f"{low:,}" if low == high else f"{low:,}–{high:,}"))
    return key


def _classes(values: np.ndarray) -> np.ndarray:
    """Each value's class (0 to 4) on a logarithmic scale up to the largest: counts per cell
    span orders of magnitude, and equal steps would put all but the busiest city in one."""
    steps = len(CHOROPLETH_COLOURS)
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return np.zeros(len(values), dtype=int)
    scaled = np.log1p(np.maximum(values, 0)) / np.log1p(top)
    return np.asarray(np.minimum((steps * scaled).astype(int), steps - 1))


def add_heat(parent: object, cells: pd.DataFrame, metric: str) -> list[tuple[str, str]]:
    """Draw ``cells`` as a heatmap of their incidents (or killed) under ``parent``; returns its
    key for the legend (the ramp, least to most dense)."""
    values = _values(cells, metric)
    top = float(values.max()) if len(values) else 0.0
    # Each cell's weight relative to the densest, on a square-root scale: one busy city does
    # not wash out every town (and a cell with none is not drawn).
    weight = np.sqrt(values / top) if top > 0 else values
    rows = [
        [round(float(lat), 4), round(float(lon), 4), round(float(max(w, 0.15)), 3)]
        for lat, lon, w, v in zip(cells["lat"], cells["lon"], weight, values, strict=True)
        if v > 0
    ]
    values_js = {"points": script_json(rows), "ramp": script_json(HEAT_COLOURS)}
    ParentScript(_HEAT, values_js).add_to(parent)  # type: ignore[arg-type]
    if top <= 0:
        return [(HEAT_COLOURS[0], "no incident with a figure of killed")]
    what = ("incident" if top == 1 else "incidents") if metric == "incidents" else "killed"
    top_text = f"{int(top):,} {what} in the densest cell"
    return [(HEAT_COLOURS[0], "fewest"), *[(c, "") for c in HEAT_COLOURS[1:-1]],
            (HEAT_COLOURS[-1], top_text)]  # fmt: skip


__all__ = ["GRID_ACROSS", "HEAT_COLOURS", "LAYERS", "add_grid", "add_heat", "coarser"]
