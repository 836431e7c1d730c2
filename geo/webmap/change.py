"""The Trends page's change map: each region (or country) shaded by its flag, on a diverging
scale from quiet (dark blue) through steady (white) to surge (dark red, outlined).

The offline basemap is the dashboard's; a click on a unit gives its name back (``unit`` of
the feature's properties, escaped: it comes from data) for the page to filter by.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely

from geo.errors import UsageError
from geo.escape import esc
from geo.places.regions import read_countries, read_regions
from geo.webmap.basemap import REGION_WEB_TOLERANCE, empty_map, offline_basemap, rounded
from geo.webmap.elements import DataGeoJson

FLAG_COLOURS = {
    "surge": "#b2182b",
    "new": "#d6604d",
    "increase": "#f4a582",
    "steady": "#f7f7f7",
    "decrease": "#92c5de",
    "quiet": "#2166ac",
    "": "#d9d9d9",
}
"""ColorBrewer's RdBu, red for worse; grey where there is no baseline to compare with."""
FLAG_WORDS = {
    "surge": "surge", "new": "new (none before)", "increase": "increase", "steady": "steady",
    "decrease": "decrease", "quiet": "quiet (none now)", "": "no baseline",
}  # fmt: skip
MAPPED_UNITS = ("region", "country")


MAPPED = 400
"""The most units the change map draws (see :func:`mapped`)."""


@lru_cache(maxsize=2)
def _layer(by: str) -> dict[str, Any]:
    """Unit -> its shape (regions by label, countries by code)."""
    layer = read_regions() if by == "region" else read_countries()
    key = "label" if by == "region" else "country"
    return dict(zip(layer[key], layer.geometry.to_numpy(), strict=True))


@lru_cache(maxsize=16384)
def _web_shape(by: str, unit: str) -> dict[str, Any] | None:
    """One unit's shape simplified for the web map, as a GeoJSON geometry (made once)."""
    shape = _layer(by).get(unit)
    if shape is None:
        return None
    tolerance = REGION_WEB_TOLERANCE * (1 if by == "region" else 4)
    return rounded(shapely.simplify(shape, tolerance, preserve_topology=True), 3)


def mapped(table: pd.DataFrame) -> pd.DataFrame:
    """The rows the change map draws, at most ``MAPPED``: surges and newcomers first, then
    the other changes (largest first), then steady units and those with no baseline (drawn
    too: a hole would read as no data)."""
    order = table["flag"].map({"surge": 0, "new": 1, "steady": 3, "": 4}).fillna(2)
    rows = table.assign(order=order, size=table["change"].abs().fillna(0))
    rows = rows.sort_values(["order", "size"], ascending=[True, False], kind="stable")
    return rows.head(MAPPED).drop(columns=["order", "size"])


def _features(table: pd.DataFrame, by: str, names: dict[str, str]) -> list[dict[str, Any]]:
    features = []
    for row in table.itertuples(index=False):
        shape = _web_shape(by, str(row.unit))
        if shape is None:
            continue
        pct = "" if pd.isna(row.change_pct) else f"{row.change_pct:+.0f}%"
        features.append(
            {
                "type": "Feature",
                "geometry": shape,
                "properties": {
                    "unit": esc(row.unit),
                    "name": esc(names.get(str(row.unit), str(row.unit))),
                    "flag": FLAG_WORDS[str(row.flag)],
                    "change": esc(f"{row.now:g} against {row.baseline_text} {pct}".strip()),
                    "fill": FLAG_COLOURS[str(row.flag)],
                    "surge": row.flag == "surge",
                },
            }
        )
    return features


def change_map(
    table: pd.DataFrame,
    *,
    by: str,
    measure: str,
    names: dict[str, str] | None = None,
    basemap_url: str | None = None,
) -> folium.Map:
    """The units of ``table`` (``geo.trends`` rows of one period) shaded by flag (those
    :func:`mapped` picks)."""
    if by not in MAPPED_UNITS:
        raise UsageError(f"the change map draws {' or '.join(MAPPED_UNITS)}, not {by!r}")
    table = mapped(table)
    rows = table.assign(
        now=table[measure].astype(float),
        baseline_text=[
            "no baseline" if pd.isna(b) else f"{b:g} a period" for b in table["baseline"]
        ],
    )
    features = _features(rows, by, names or {})
    m = empty_map("100%")
    home = sorted({str(u) for u in table["unit"]}) if by == "country" else []
    offline_basemap(home, filled=True, basemap_url=basemap_url).add_to(m)
    collection = {"type": "FeatureCollection", "features": features}
    DataGeoJson(
        collection,
        name="Change",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#000000" if f["properties"]["surge"] else "#555555",
            "weight": 3 if f["properties"]["surge"] else 1,
            "fillOpacity": 0.75,
        },
        highlight_function=lambda f: {"weight": 4, "color": "#222222"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "flag", "change"], aliases=["", "", measure.capitalize()], sticky=True
        )
        if features
        else None,
    ).add_to(m)
    bounds = _bounds(features)
    if bounds:
        m.fit_bounds(bounds)
    return m


def legend_html() -> str:
    """The map's key, from the fixed colours and words above (nothing from data)."""
    items = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;background:{c};'
        f'border:1px solid #555;margin-right:4px"></span>{FLAG_WORDS[f]}</div>'
        for f, c in FLAG_COLOURS.items()
    )
    return (
        '<div style="display:flex;gap:14px;flex-wrap:wrap;font:13px sans-serif">'
        f"{items}<div>surges outlined in black</div></div>"
    ).replace("<div><span", '<div style="white-space:nowrap"><span')


def _bounds(features: list[dict[str, Any]]) -> list[list[float]]:
    """The shaded units' extent, as [[south, west], [north, east]] ([] when none)."""
    if not features:
        return []
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features]
    west, south, east, north = shapely.total_bounds(np.array(shapes, dtype=object))
    return [[float(south), float(west)], [float(north), float(east)]]


__all__ = [
    "FLAG_COLOURS",
    "FLAG_WORDS",
    "MAPPED",
    "MAPPED_UNITS",
    "change_map",
    "legend_html",
    "mapped",
]
