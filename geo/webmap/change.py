"""The Trends page's change map: each region (or country) shaded by its flag, on a diverging
scale from quiet (dark blue) through steady (white) to surge (dark red, outlined).

The offline basemap is the dashboard's; a click on a unit gives its name back (``unit`` of
the feature's properties, escaped: it comes from data) for the page to filter by.
"""

from __future__ import annotations

from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely

from geo.escape import esc
from geo.places.regions import read_countries, region_countries
from geo.webmap.build import (
    REGION_WEB_TOLERANCE,
    _empty_map,
    _offline_basemap,
    _region_shapes,
    _rounded,
)
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


def _shapes(units: list[str], by: str) -> dict[str, dict[str, Any]]:
    """Each unit's simplified shape as a GeoJSON geometry (units with no shape left out)."""
    if by == "region":
        of = region_countries()
        countries = tuple(sorted({of[u] for u in units if u in of}))
        regions, shapes, _inside = _region_shapes(countries)
        where = dict(zip(regions["label"], shapes, strict=True))
        return {u: where[u] for u in units if u in where}
    outlines = read_countries()
    chosen = outlines[outlines["country"].isin(units).to_numpy()]
    simple = shapely.simplify(chosen.geometry.to_numpy(), REGION_WEB_TOLERANCE * 4)
    return {c: _rounded(s, 3) for c, s in zip(chosen["country"], simple, strict=True)}


def _features(table: pd.DataFrame, by: str, names: dict[str, str]) -> list[dict[str, Any]]:
    shapes = _shapes([str(u) for u in table["unit"]], by)
    features = []
    for row in table.itertuples(index=False):
        shape = shapes.get(str(row.unit))
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
    """The units of ``table`` (``geo.trends`` rows of one period) shaded by flag."""
    if by not in MAPPED_UNITS:
        raise ValueError(f"the change map draws {' or '.join(MAPPED_UNITS)}, not {by!r}")
    column = "incidents" if measure == "incidents" else "killed"
    rows = table.assign(
        now=table[column].astype(float),
        baseline_text=[
            "no baseline" if pd.isna(b) else f"{b:g} a period" for b in table["baseline"]
        ],
    )
    features = _features(rows, by, names or {})
    m = _empty_map("100%")
    home = sorted({str(u) for u in table["unit"]}) if by == "country" else []
    _offline_basemap(home, filled=True, basemap_url=basemap_url).add_to(m)
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


__all__ = ["FLAG_COLOURS", "FLAG_WORDS", "MAPPED_UNITS", "change_map", "legend_html"]
