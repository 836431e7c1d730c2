"""Play on the map: a control that steps through the incidents period by period (months for a
few years of data, quarters up to twelve, years beyond), the period written beside it, at a
pace a person can follow; pause stops it where it is.

Each symbol carries its period (the one of its date range's middle day, as the Timeline and
the time-lapse count it); the control shows one period's symbols at a time, in the browser,
with no rerun of the page. A map of grid cells (too many incidents for symbols) has no play.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.stats import midpoint, period_label
from geo.webmap.elements import ParentScript, script_json

STEP_MS = 1200
"""How long each period stays on the map while playing."""


def play_periods(incidents: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each incident's period number and every period's label, first to last (those with no
    incident included: a quiet month is shown as one)."""
    mid = midpoint(incidents.assign(date_end=incidents["date_end"].fillna(incidents["date_start"])))
    if mid.isna().all():
        return np.zeros(len(incidents), dtype=int), []
    days = (mid.max().to_pydatetime() - mid.min().to_pydatetime()).days  # 1800 to 2200 too
    kind = "month" if days <= 3 * 366 else "quarter" if days <= 12 * 366 else "year"
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[kind]
    periods = mid.dt.to_period(freq)
    axis = pd.period_range(periods.min(), periods.max(), freq=freq)
    index = {p: k for k, p in enumerate(axis)}
    numbers = np.array([index.get(p, -1) for p in periods], dtype=int)
    return numbers, [period_label(p, kind) for p in axis]


_PLAY = """
(function () {
    var cluster = {parent}, labels = {labels}, all = null, k = -1, timer = null;
    var Play = L.Control.extend({options: {position: "bottomleft"}, onAdd: function () {
        var box = L.DomUtil.create("div", "leaflet-bar atlas-play");
        box.style.cssText = "background:#fff;padding:3px 8px;font:12px sans-serif;" +
            "line-height:24px";
        var button = L.DomUtil.create("a", "atlas-play-button", box);
        button.href = "#"; button.setAttribute("role", "button");
        button.title = "Play the incidents period by period";
        button.style.cssText = "display:inline-block;width:22px;text-decoration:none";
        button.textContent = "\u25b6";
        var label = L.DomUtil.create("span", "atlas-play-label", box);
        label.textContent = "all periods";
        function show(i) {
            if (all === null) { all = cluster.getLayers(); }
            cluster.clearLayers();
            cluster.addLayers(all.filter(function (m) { return m.options.period === i; }));
            label.textContent = labels[i];
        }
        function stop() {
            clearInterval(timer); timer = null; button.textContent = "\u25b6";
        }
        function all_again() {  // the end reached: every period on the map again
            if (all !== null) { cluster.clearLayers(); cluster.addLayers(all); }
            label.textContent = "all periods"; k = -1;
        }
        L.DomEvent.on(button, "click", function (e) {
            L.DomEvent.stop(e);
            if (timer) { stop(); return; }
            if (k >= labels.length - 1) { k = -1; }
            button.textContent = "\u275a\u275a";
            k += 1; show(k);
            timer = setInterval(function () {
                if (k >= labels.length - 1) { stop(); all_again(); return; }
                k += 1; show(k);
            }, {step});
        });
        L.DomEvent.disableClickPropagation(box);
        return box;
    }});
    // The control lives as long as its layer: a filter change that sends new layers brings a
    // new control and takes this one away.
    var play = new Play(), map = {map};
    cluster.on("add", function () { play.addTo(map); });
    cluster.on("remove", function () { play.remove(); });
    if (map.hasLayer(cluster)) { play.addTo(map); }
})();
"""


def add_play(layer: object, labels: list[str]) -> None:
    """Put the play control on the map of ``layer`` (the incidents' cluster layer)."""
    if len(labels) > 1:
        values = {"labels": script_json(labels), "step": str(STEP_MS)}
        ParentScript(_PLAY, values).add_to(layer)  # type: ignore[arg-type]


__all__ = ["STEP_MS", "add_play", "play_periods"]
