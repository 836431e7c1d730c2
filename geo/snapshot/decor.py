"""The map's furniture: the offline basemap, a scale bar and a north arrow.

The basemap comes from the project's own data (country and region outlines from Natural Earth),
so nothing needs the network. The scale bar and the arrow go in the corners with the fewest
symbols.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle
from pyproj import Proj

from geo.places.regions import in_holes, read_countries, read_regions
from geo.schema import CRS
from geo.snapshot.area import MapArea
from geo.snapshot.projection import MapProjection
from geo.snapshot.style import HOME, INK, NEIGHBOUR, SEA, Box


@dataclass(frozen=True)
class _Basemap:
    """The basemap's layers clipped to around a map's box and projected for it."""

    countries: gpd.GeoDataFrame
    """Every country near the box: ``country``, ``name``."""
    regions: gpd.GeoDataFrame
    """The regions of the home countries (those with incidents) near the box."""
    enclaves: np.ndarray
    """Per region: whether it lies in a hole of its country's outline (the Baikonur lease)."""
    home_outline: gpd.GeoSeries
    """The home countries' outer borders only: the hole of the Baikonur lease drawn in the
    border's dark line looked like a hollow incident symbol."""
    globe: gpd.GeoSeries
    """The box's outline (the world's, on a world map): the sea is drawn inside it."""


def _basemap_for(
    projection: MapProjection, box: tuple[float, ...], home: frozenset[str]
) -> _Basemap:
    return _cached_basemap(projection, tuple(float(v) for v in box), home)


@lru_cache(maxsize=4)
def _cached_basemap(
    projection: MapProjection, box: tuple[float, float, float, float], home: frozenset[str]
) -> _Basemap:
    west, south, east, north = box
    # A margin round the box so the view, widened to any page's shape, stays covered; never
    # beyond the world (an azimuthal projection cannot show the far side of the globe).
    dx = dy = max(east - west, north - south) * 1.2 + 2.0
    # A conic projection throws the far hemisphere round the map as a ring: keep to its own.
    floor, ceiling = {"north": (-20.0, 85.0), "south": (-85.0, 20.0)}.get(
        projection.hemisphere, (-85.0, 85.0)
    )
    if projection.world:
        clip = (-180.0, -89.0, 180.0, 89.0)
    elif east > 180.0 or east - west + 2 * dx >= 360.0:  # across the 180th meridian
        clip = (-180.0, max(south - dy, floor), 180.0, min(north + dy, ceiling))
    else:
        clip = (max(west - dx, -180.0), max(south - dy, floor), min(east + dx, 180.0),
                min(north + dy, ceiling))  # fmt: skip
    countries = read_countries()
    countries["geometry"] = shapely.clip_by_rect(countries.geometry.to_numpy(), *clip)
    countries = countries[~countries.geometry.is_empty]
    regions = read_regions()
    regions = regions[regions["country"].isin(home)].copy()
    regions["geometry"] = shapely.clip_by_rect(regions.geometry.to_numpy(), *clip)
    regions = regions[~regions.geometry.is_empty]
    outline = dict(zip(countries["country"], countries.geometry, strict=True))
    enclaves = in_holes(regions.geometry.to_numpy(), regions["country"].to_numpy(), outline)
    homes = countries.geometry[countries["country"].isin(home)].to_numpy()
    rings = shapely.get_exterior_ring(shapely.get_parts(homes))
    home_outline = gpd.GeoSeries([shapely.multilinestrings(rings)] if len(rings) else [], crs=CRS)
    globe = gpd.GeoSeries([shapely.segmentize(shapely.box(*clip), 1.0)], crs=CRS)
    project = projection.proj
    countries, regions = countries.to_crs(project), regions.to_crs(project)
    # Projecting can fold an edge over itself; later clipping and labelling need valid shapes.
    countries["geometry"] = countries.geometry.make_valid()
    regions["geometry"] = regions.geometry.make_valid()
    return _Basemap(
        countries, regions, enclaves, home_outline.to_crs(project), globe.to_crs(project)
    )


def draw_basemap(area: MapArea, box: tuple[float, ...], home: frozenset[str]) -> _Basemap:
    """Sea, land (the home countries in white, their neighbours grey), borders and the home
    countries' regions; returns the layers (the area labels use them)."""
    ax, scale, view = area.ax, area.scale, area.view
    base = _basemap_for(area.projection, box, home)
    frame = shapely.box(*view).buffer((view[2] - view[0]) * 0.05)
    if area.projection.world:  # elsewhere the whole frame is sea beneath the land
        base.globe.plot(ax=ax, facecolor=SEA, edgecolor="none", aspect=None, zorder=0.5)
    countries = base.countries[base.countries.intersects(frame).to_numpy()]
    at_home = countries["country"].isin(home).to_numpy()
    if (~at_home).any():
        countries[~at_home].plot(
            ax=ax, facecolor=NEIGHBOUR, edgecolor="#a3a3a3", linewidth=0.5 * scale,
            aspect=None, zorder=1,
        )  # fmt: skip
    if at_home.any():
        countries[at_home].plot(ax=ax, facecolor=HOME, edgecolor="none", aspect=None, zorder=1)
    near = base.regions.intersects(frame).to_numpy()
    regions = base.regions[near]
    enclave = base.enclaves[near]
    if enclave.any():
        # A lease inside a country (Baikonur) is hatched: white inside its round outline it
        # read as a hollow incident symbol (and grey, as a filled one).
        with matplotlib.rc_context({"hatch.linewidth": 0.5 * scale}):
            regions[enclave].plot(
                ax=ax, facecolor=HOME, edgecolor="#c4c4c4", hatch="/////", linewidth=0,
                aspect=None, zorder=1.2,
            )  # fmt: skip
    if len(regions) and not area.projection.world:  # across continents: country borders only
        regions.plot(
            ax=ax, facecolor="none", edgecolor="#bdbdbd", linewidth=0.4 * scale, aspect=None,
            zorder=2,
        )  # fmt: skip
    if at_home.any():
        base.home_outline.plot(ax=ax, color="#666666", linewidth=0.9 * scale, aspect=None, zorder=2)
    return base


def _count_in(u: np.ndarray, v: np.ndarray, box: Box) -> int:
    x0, y0, x1, y1 = box
    return int(np.count_nonzero((u >= x0) & (u <= x1) & (v >= y0) & (v <= y1)))


def _pick_corner(
    area: MapArea,
    w: float,
    h: float,
    u: np.ndarray,
    v: np.ndarray,
    preference: Sequence[str],
    avoid: str = "",
) -> tuple[str, Box]:
    """The corner box of size w x h holding the fewest symbols (ties: ``preference`` order)."""
    margin = 8 * area.scale
    best: tuple[int, int, str, Box] | None = None
    for rank, corner in enumerate(preference):
        if corner == avoid:
            continue
        x0 = margin if "left" in corner else area.width - margin - w
        y0 = margin if "lower" in corner else area.height - margin - h
        box = (x0, y0, x0 + w, y0 + h)
        count = _count_in(u, v, (x0 - 6, y0 - 6, x0 + w + 6, y0 + h + 6))
        if best is None or (count, rank) < (best[0], best[1]):
            best = (count, rank, corner, box)
    assert best is not None
    return best[2], best[3]


def _nice_length(km: float) -> float:
    exponent = math.floor(math.log10(max(km, 1e-6)))
    for step in (5, 2, 1):
        value = step * 10**exponent
        if value <= km:
            return float(value)
    return float(10**exponent)


def _scale_factor(area: MapArea, u: float, v: float) -> float:
    """The projection's scale along parallels at a position of the map, in points."""
    x, y = area.to_data(u, v)
    lon, lat = area.projection.from_map().transform(float(x), float(y))
    return float(Proj(area.projection.proj).get_factors(lon, lat).parallel_scale)


def draw_scale_bar(area: MapArea, u: np.ndarray, v: np.ndarray) -> tuple[str, Box]:
    """A segmented scale bar of a round length, true at its own position, in the corner with
    the fewest of the symbols at (u, v). Returns the corner and the box it takes, in points."""
    ax, scale, measure, per_pt = area.ax, area.scale, area.measure, area.per_pt
    font = 6.5 * scale
    bar_h = 3.6 * scale
    # Scale factor of the projection at the map centre, refined at the bar's position below.
    k = _scale_factor(area, area.width / 2, area.height / 2)
    km = _nice_length(area.width * 0.2 * per_pt / k / 1000)
    label = f"{km:,.0f} km"
    label_w = measure.size(label, font)[0]
    length = km * 1000 * k / per_pt
    inner = 5 * scale
    w = length + label_w / 2 + measure.size("0", font)[0] / 2 + 2 * inner
    h = bar_h + font * 1.3 + 2 * inner
    corner, box = _pick_corner(
        area, w, h, u, v, ("lower left", "lower right", "upper left", "upper right")
    )
    x0, y0 = box[0] + inner + measure.size("0", font)[0] / 2, box[1] + inner
    length = km * 1000 * _scale_factor(area, x0 + length / 2, y0) / per_pt
    bg_x, bg_y = area.to_data(box[0], box[1])
    ax.add_patch(
        FancyBboxPatch(
            (float(bg_x), float(bg_y)),
            w * per_pt,
            h * per_pt,
            boxstyle=f"round,pad=0,rounding_size={3 * scale * per_pt}",
            facecolor="white",
            edgecolor="#b0b0b0",
            linewidth=0.4 * scale,
            alpha=0.88,
            zorder=8,
        )
    )
    parts = 5 if km / 10 ** math.floor(math.log10(km)) == 5 else 4
    for i in range(parts):
        sx, sy = area.to_data(x0 + length * i / parts, y0)
        ax.add_patch(
            Rectangle(
                (float(sx), float(sy)),
                length / parts * per_pt,
                bar_h * per_pt,
                facecolor=INK if i % 2 == 0 else "white",
                edgecolor=INK,
                linewidth=0.5 * scale,
                zorder=9,
            )
        )
    for value, text in ((0.0, "0"), (1.0, label)):
        tx, ty = area.to_data(x0 + length * value, y0 + bar_h + 1.5 * scale)
        ax.text(
            float(tx), float(ty), text, fontsize=font, color=INK, ha="center", va="bottom", zorder=9
        )
    return corner, box


def draw_north_arrow(area: MapArea, u: np.ndarray, v: np.ndarray, *, avoid: str) -> Box:
    """An arrow pointing to true north where it stands (meridians converge in this projection),
    in the emptiest corner but ``avoid``. Returns the box it takes, in points."""
    ax, scale = area.ax, area.scale
    size = 24 * scale
    w, h = size * 0.8, size + 11 * scale
    _, box = _pick_corner(
        area, w, h, u, v, ("upper right", "upper left", "lower right", "lower left"), avoid=avoid
    )
    cx, cy = (box[0] + box[2]) / 2, box[1] + size / 2 + 1 * scale
    dx, dy = area.to_data(cx, cy)
    lon, lat = area.projection.from_map().transform(float(dx), float(dy))
    nx, ny = area.projection.to_map().transform(lon, min(lat + 0.5, 89.9))
    angle = math.atan2(ny - float(dy), nx - float(dx))
    ux, uy = math.cos(angle), math.sin(angle)
    px, py = -uy, ux

    def at(along: float, across: float) -> tuple[float, float]:
        x, y = area.to_data(cx + ux * along + px * across, cy + uy * along + py * across)
        return float(x), float(y)

    half, wing = size / 2, size * 0.26
    tip, notch = at(half, 0), at(-half * 0.45, 0)
    ax.add_patch(
        Polygon(
            [tip, at(-half, wing), notch],
            closed=True,
            facecolor="white",
            edgecolor=INK,
            linewidth=0.6 * scale,
            zorder=9,
        )
    )
    ax.add_patch(
        Polygon(
            [tip, at(-half, -wing), notch],
            closed=True,
            facecolor=INK,
            edgecolor=INK,
            linewidth=0.6 * scale,
            zorder=9,
        )
    )
    nx_, ny_ = at(half + 1.5 * scale, 0)
    ax.text(
        nx_,
        ny_,
        "N",
        fontsize=8.5 * scale,
        fontweight="bold",
        color=INK,
        ha="center",
        va="bottom",
        rotation=math.degrees(angle) - 90,
        rotation_mode="anchor",
        zorder=9,
        path_effects=[patheffects.withStroke(linewidth=2.2 * scale, foreground="white")],
    )
    return box
