"""The map's own controls, drawn with it once: the fit button, and the two ways to draw an area
to filter by (shift and drag for a box, the draw button for any outline).

An area drawn is handed to the page as st_folium hands back a drawing (``draw:created``), and
becomes the ``area`` or ``within`` filter there (``geo.webmap.view.filter_of_drawing``).
"""

from __future__ import annotations

import folium

from geo.facets import MAX_VERTICES
from geo.webmap.elements import ParentScript, script_json

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
            L.DomEvent.stop(e);
            {parent}.fitBounds({parent}._atlasBounds || bounds, {paddingBottomRight: [230, 150]});
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


_DRAW_AREA = """
(function () {
    // Draw an area: click to place its corners, click the first one (or double-click) to close
    // it; the page keeps only the incidents inside (the "within" filter). Escape cancels.
    var map = {parent}, points = [], sketch = L.layerGroup(), drawing = false, button;
    function through(on) {  // while drawing, clicks reach the map, not a region or a cluster
        if (on) { L.DomUtil.addClass(map.getContainer(), "atlas-drawing"); }
        else { L.DomUtil.removeClass(map.getContainer(), "atlas-drawing"); }
    }
    function stop() {
        drawing = false; points = []; sketch.clearLayers(); sketch.remove(); through(false);
        map.getContainer().style.cursor = ""; map.doubleClickZoom.enable();
        button.style.background = "#fff";
    }
    function redraw() {
        sketch.clearLayers();
        if (points.length > 1) {
            L.polyline(points, {color: "#333", dashArray: "6 4"}).addTo(sketch);
        }
        points.forEach(function (p, i) {
            L.circleMarker(p, {radius: i === 0 ? 6 : 4, color: "#333", fillColor: "#fff",
                fillOpacity: 1, weight: 2, interactive: false}).addTo(sketch);
        });
    }
    function close() {
        if (points.length < 3) { return; }
        var layer = L.polygon(points);
        layer.feature = {type: "Feature", properties: {atlas: "drawn"}};
        stop();
        map.fire("draw:created", {layer: layer, layerType: "polygon"});
    }
    map.on("click", function (e) {
        if (!drawing) { return; }
        var first = points.length ? map.latLngToContainerPoint(points[0]) : null;
        if (first && first.distanceTo(e.containerPoint) < 10 && points.length >= 3) {
            close(); return;
        }
        points.push(e.latlng); redraw();
        if (points.length >= {most}) { close(); }  // as many corners as the filter reads
    });
    map.on("dblclick", function () { if (drawing) { close(); } });
    map.getContainer().addEventListener("keydown", function (e) {
        if (drawing && e.key === "Escape") { stop(); }
    });
    var Draw = L.Control.extend({options: {position: "topleft"}, onAdd: function () {
        button = L.DomUtil.create("a", "leaflet-bar atlas-draw");
        button.href = "#"; button.title = "Draw an area to keep only the incidents inside it";
        button.innerHTML = "&#x2B20;"; button.setAttribute("role", "button");
        button.style.cssText = "display:block;width:30px;height:30px;line-height:30px;" +
            "text-align:center;background:#fff;font-size:18px;color:#333;text-decoration:none";
        L.DomEvent.on(button, "click", function (e) {
            L.DomEvent.stop(e);
            if (drawing) { stop(); return; }
            drawing = true; sketch.addTo(map); map.doubleClickZoom.disable(); through(true);
            map.getContainer().style.cursor = "crosshair"; button.style.background = "#ddd";
        });
        return button;
    }});
    new Draw().addTo(map);
})();
"""


_IN_APP = """
(function () {
    // In the dashboard (st_folium's frame names the app's address), a popup's "Open this
    // incident" opens the dashboard on it in a new tab; the frame may not lead the page away.
    // A map saved as a file has no dashboard to open, nor a page to filter: no link, no draw.
    var app = new URLSearchParams(window.location.search).get("streamlitUrl");
    var container = {parent}.getContainer();
    if (!app) { L.DomUtil.addClass(container, "atlas-standalone"); return; }
    container.addEventListener("click", function (e) {
        var link = e.target.closest && e.target.closest("a.atlas-open");
        if (!link) { return; }
        e.preventDefault();
        window.open(new URL(link.getAttribute("href"), app).href, "_blank", "noopener");
    });
})();
"""


def add_controls(m: folium.Map, frame: list[list[float]]) -> None:
    """The fit button (to the layers' extent, else ``frame``) and the area drawing tools."""
    ParentScript(_IN_APP).add_to(m)
    ParentScript(_FIT_CONTROL, {"bounds": script_json(frame)}).add_to(m)
    ParentScript(_BOX_AREA).add_to(m)
    ParentScript(_DRAW_AREA, {"most": str(MAX_VERTICES)}).add_to(m)


__all__ = ["add_controls"]
