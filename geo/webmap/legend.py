"""The map's legend: what the colours, symbols and shades mean, for what is on the map only.

It is a Leaflet control in the lower right corner, folded with one click, drawn and removed with
the layer it explains (:func:`add_legend`): a filter change that sends new layers brings their
legend, never a second one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import folium

from geo.escape import esc
from geo.symbology import CLASS_LABELS, TYPE_COLOURS, type_label
from geo.webmap.elements import ParentScript, script_json

_DOT = "display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:5px;"
_SWATCH = (
    "display:inline-block;width:14px;height:10px;opacity:0.65;border:1px solid #999;"
    "margin-right:4px;vertical-align:middle;"
)
_CLASS_SYMBOLS = {
    "exact": f"<span style='{_DOT}background:#777'></span>",
    "approximate": "<span style='display:inline-block;width:7px;height:7px;border-radius:50%;"
    "background:rgba(119,119,119,0.3);border:2px solid #555;margin-right:4px'></span>",
    "coarse": "<span style='display:inline-block;width:7px;height:7px;border-radius:50%;"
    "border:2px dashed #555;margin-right:4px'></span>",
}


@dataclass(frozen=True)
class Legend:
    """What a map's legend lists; every text is escaped when drawn."""

    title: str
    items: Sequence[tuple[str, str]] = ()
    """(label, colour) of the symbols' colours."""
    classes: Collection[str] = ()
    """The precision classes drawn (``geo.symbology.CLASS_LABELS``); none for a heatmap."""
    sizes: str = ""
    """How to read a symbol's size and number."""
    keys: Sequence[tuple[str, Sequence[tuple[str, str]]]] = field(default_factory=tuple)
    """(title, [(colour, values), ...]) of each shading: regions, grid cells, density."""
    note: str = ""


def type_items(types: Collection[str] | None) -> list[tuple[str, str]]:
    """The event types' (label, colour), only those in ``types`` (all where ``None``)."""
    return [(type_label(t), c) for t, c in TYPE_COLOURS.items() if types is None or t in types]


def legend_html(legend: Legend) -> str:
    """The legend as HTML: a ``<details>`` box, open, with every value escaped."""
    parts = [f"<summary style='cursor:pointer'><b>{esc(legend.title)}</b></summary>"]
    parts += [
        f"<span style='{_DOT}background:{esc(colour)}'></span>{esc(label)}<br>"
        for label, colour in legend.items
    ]
    shown = [name for name in CLASS_LABELS if name in legend.classes]
    if shown:
        parts.append("<i>Located</i><br>")
        parts += [f"{_CLASS_SYMBOLS[name]}{esc(CLASS_LABELS[name])}<br>" for name in shown]
    if legend.sizes:
        parts.append(esc(legend.sizes))
    for title, key in legend.keys:
        if key:
            parts.append(f"<br><b>{esc(title)}</b><br>")
            parts += [
                f"<span style='{_SWATCH}background:{esc(colour)}'></span>{esc(values)} "
                for colour, values in key
            ]
    if legend.note:
        parts.append(f"<br><i>{esc(legend.note)}</i>")
    return (
        "<details open class='atlas-legend' style='background:rgba(255,255,255,0.92);"
        "padding:5px 8px;border:1px solid #999;border-radius:4px;font:11px/1.3 sans-serif;"
        "max-width:210px;max-height:45vh;overflow:auto'>" + "".join(parts) + "</details>"
    )


_LEGEND = """
(function () {
    var map = {map}, layer = {parent};
    var Legend = L.Control.extend({options: {position: "bottomright"}, onAdd: function () {
        var box = L.DomUtil.create("div", "atlas-legend-box");
        box.innerHTML = {html};
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
    }});
    var legend = new Legend();
    layer.on("add", function () { legend.addTo(map); });
    layer.on("remove", function () { legend.remove(); });
    if (map.hasLayer(layer)) { legend.addTo(map); }
})();
"""


def add_legend(layer: folium.map.Layer, legend: Legend) -> None:
    """Show ``legend`` while ``layer`` is on the map."""
    ParentScript(_LEGEND, {"html": script_json(legend_html(legend))}).add_to(layer)


__all__ = ["Legend", "add_legend", "legend_html", "type_items"]
