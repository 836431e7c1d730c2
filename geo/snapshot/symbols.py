"""Incident symbols on a static map: sizes, colours, grouping, rings and drawing.

Symbols use the dashboard's colours, sizes and precision classes (``geo.symbology``): filled
circles for incidents located to a place or city, pale ones with a solid outline for a district,
hollow dashed ones for those located only to a region or country.
Incidents that would overlap on the page are grouped; a group of up to ``MAX_RING`` is spread
in a small ring around its centre. Positions here are in points from the map's lower left.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.markers import MarkerStyle
from matplotlib.transforms import IdentityTransform

from geo.snapshot.area import MapArea
from geo.snapshot.projection import Points
from geo.snapshot.style import FADED_COLOUR
from geo.symbology import OTHER_COLOUR, TYPE_COLOURS, symbol_radius

MAX_RING = 12
"""Up to this many incidents at one place are spread in a ring; more get a count badge."""
MAX_SPREAD = 2000
"""Above this many incidents, symbols stay at their true positions (no rings)."""
MAX_SVG_SYMBOLS = 5000
"""Up to this many incidents, an SVG has one element per incident (``id="incident-<id>"``)."""
CSS_PX_IN_PT = 0.75
"""The dashboard's symbol radii are CSS pixels (1/96 inch); a point is 1/72 inch."""


def symbol_diameters(killed: np.ndarray, scale: float) -> np.ndarray:
    """Symbol diameters in points: the dashboard's radius (CSS px) on paper, scaled to the page."""
    keys = np.where(np.isfinite(killed), np.maximum(killed, 0), -1.0)
    values, inverse = np.unique(keys, return_inverse=True)
    radius = np.array([symbol_radius(v if v >= 0 else None) for v in values])
    return np.asarray(2 * radius[inverse] * CSS_PX_IN_PT * scale, dtype=float)


def _rgba(types: np.ndarray) -> np.ndarray:
    """RGBA rows for event types (converting each distinct type once)."""
    kinds, inverse = np.unique(np.asarray(types, dtype=str), return_inverse=True)
    table = np.array([to_rgba(TYPE_COLOURS.get(k, OTHER_COLOUR)) for k in kinds]).reshape(-1, 4)
    return table[inverse.ravel()]


def greyed(n: int, colour: str) -> np.ndarray:
    return np.tile(np.array(to_rgba(colour)), (n, 1))


def _sanitise_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", value)[:120] or "unnamed"


STYLES = ("exact", "approximate", "coarse")
"""The precision classes, in the order they are drawn (the vaguest on top, where it shows)."""


def add_symbols(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    diameter: np.ndarray,
    colours: np.ndarray,
    *,
    style: str = "exact",
    scale: float,
    edge: bool = True,
    alpha: float = 0.9,
    gid: str | None = None,
    zorder: float = 4,
) -> PathCollection:
    """Circles of ``diameter`` points at (x, y) data coordinates, as one collection.

    ``colours`` are RGBA rows; ``style`` is the precision class they are drawn for. Exact
    ones are filled, with a thin white edge (``edge``) that keeps overlapping ones apart;
    approximate ones pale with a solid outline in their colour; coarse ones hollow with a dashed
    outline.
    """
    hollow = style == "coarse"
    faces: np.ndarray | str = colours
    if style == "approximate":
        # Pale: the colour mixed with white (a collection's alpha overrides each face's own).
        faces = np.array(colours, dtype=float).reshape(-1, 4).copy()
        faces[:, :3] = faces[:, :3] * 0.3 + 0.7
    marker = MarkerStyle("o")
    path = marker.get_path().transformed(marker.get_transform())
    collection = PathCollection(
        [path],
        sizes=np.asarray(diameter, dtype=float) ** 2,
        offsets=np.column_stack([x, y]),
        offset_transform=ax.transData,
        facecolors="none" if hollow else faces,
        edgecolors=colours if style != "exact" else ("white" if edge else "none"),
        linewidths=(1.25 if style != "exact" else 0.5 if edge else 0.0) * scale,
        linestyles=(0, (3.0, 2.0)) if hollow else "solid",
        alpha=alpha,
        zorder=zorder,
    )
    collection.set_transform(IdentityTransform())
    if gid:
        collection.set_gid(gid)
    ax.add_collection(collection, autolim=False)
    return collection


def count_badge(ax: Axes, x: float, y: float, text: str, scale: float, zorder: float = 6) -> None:
    ax.text(
        x,
        y,
        text,
        fontsize=6.5 * scale,
        fontweight="bold",
        color="white",
        ha="center",
        va="center",
        zorder=zorder,
        bbox={
            "boxstyle": "round,pad=0.25",
            "facecolor": "#333333",
            "edgecolor": "white",
            "linewidth": 0.6 * scale,
        },
    )


def _group(
    u: np.ndarray, v: np.ndarray, diameter: np.ndarray, cell: float, *, cluster: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group points that would overlap on the page; positions in points.

    With ``cluster``, places (points within 0.5 pt) are taken busiest first and each joins the
    nearest earlier place closer than ``cell`` (or than its symbols overlap), else starts a
    group centred on itself. Otherwise points are grouped by a grid of ``cell`` (fast, for large
    sets). Returns each point's group and each group's centre (u, v).
    """
    if not cluster:
        key = np.floor(u / cell).astype(np.int64) * 1_000_003 + np.floor(v / cell).astype(np.int64)
        _, group, counts = np.unique(key, return_inverse=True, return_counts=True)
        group = group.ravel()
        return (
            group,
            np.bincount(group, u, len(counts)) / counts,
            np.bincount(group, v, len(counts)) / counts,
        )
    key = np.round(u * 2).astype(np.int64) * 1_000_003 + np.round(v * 2).astype(np.int64)
    _, place, counts = np.unique(key, return_inverse=True, return_counts=True)
    place = place.ravel()
    pu = np.bincount(place, u, len(counts)) / counts
    pv = np.bincount(place, v, len(counts)) / counts
    pr = np.zeros(len(counts))
    np.maximum.at(pr, place, diameter / 2)
    leader_of = np.empty(len(counts), dtype=np.int64)
    leaders: list[int] = []
    for p in np.lexsort((pv, pu, -counts)):
        if leaders:
            lead = np.array(leaders)
            dist = np.hypot(pu[lead] - pu[p], pv[lead] - pv[p])
            near = int(np.argmin(dist))
            if dist[near] < max(cell, 0.8 * (pr[lead[near]] + pr[p])):
                leader_of[p] = near
                continue
        leader_of[p] = len(leaders)
        leaders.append(int(p))
    lead = np.array(leaders, dtype=np.int64)
    return leader_of[place], pu[lead], pv[lead]


def _merge_overlapping(
    group: np.ndarray, cu: np.ndarray, cv: np.ndarray, extent: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Merge groups whose rings overlap into the busier one; ``None`` when none overlap."""
    counts = np.bincount(group, minlength=len(cu))
    dist = np.hypot(cu[:, None] - cu[None, :], cv[:, None] - cv[None, :])
    clash = dist < 0.85 * (extent[:, None] + extent[None, :])
    np.fill_diagonal(clash, False)
    clash &= (counts[:, None] > 1) | (counts[None, :] > 1)  # two single symbols stay put
    if not clash.any():
        return None
    parent = np.arange(len(cu))

    def root(i: int) -> int:
        while parent[i] != i:
            i = int(parent[i])
        return i

    for a, b in zip(*np.nonzero(np.triu(clash)), strict=True):
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            keep, drop = (ra, rb) if (counts[ra], -ra) >= (counts[rb], -rb) else (rb, ra)
            parent[drop] = keep
    roots = np.array([root(i) for i in range(len(cu))])
    kept, new_index = np.unique(roots, return_inverse=True)
    return new_index[group], cu[kept], cv[kept]


def _spread(
    u: np.ndarray,
    v: np.ndarray,
    diameter: np.ndarray,
    group: np.ndarray,
    cu: np.ndarray,
    cv: np.ndarray,
    *,
    ring: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spread groups of 2 to ``MAX_RING`` points in a ring around their centre.

    Returns the new (u, v) and each group's extent radius (the ring plus its largest symbol), in
    points.
    """
    groups = len(cu)
    counts = np.bincount(group, minlength=groups)
    rmax = np.zeros(groups)
    np.maximum.at(rmax, group, diameter / 2)
    if not ring or not len(u):
        return u, v, rmax
    mean_r = np.bincount(group, diameter / 2, groups) / np.maximum(counts, 1)
    radius = np.maximum(0.9 * rmax, counts * 1.9 * mean_r / (2 * math.pi))
    spread = (counts[group] >= 2) & (counts[group] <= MAX_RING)
    order = np.lexsort((-diameter, group))  # within a group, largest symbol first
    rank = np.empty(len(u), dtype=np.int64)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    rank[order] = np.arange(len(u)) - starts[group[order]]
    angle = math.pi / 2 - 2 * math.pi * rank / counts[group]
    r = radius[group]
    new_u = np.where(spread, cu[group] + r * np.cos(angle), u)
    new_v = np.where(spread, cv[group] + r * np.sin(angle), v)
    ringed = (counts >= 2) & (counts <= MAX_RING)
    return new_u, new_v, np.where(ringed, radius + rmax, rmax)


@dataclass(frozen=True)
class SymbolLayout:
    """Where each incident's symbol goes, in points, and how the places are grouped."""

    u: np.ndarray
    v: np.ndarray
    """Each current incident's symbol position (spread in a ring where several share a place)."""
    diameter: np.ndarray
    faded_diameter: np.ndarray
    """Symbol sizes of the current and of the faded (earlier) incidents."""
    group: np.ndarray
    """Each current incident's group (a place, or places close enough to share a ring)."""
    cu: np.ndarray
    cv: np.ndarray
    extent: np.ndarray
    """Each group's centre and the radius its symbols cover."""
    counts: np.ndarray
    """Incidents per group."""
    spread: bool
    """Whether groups are spread in rings (up to ``MAX_SPREAD`` incidents) or left in place."""

    @property
    def ringed(self) -> bool:
        """Whether some group is drawn as a ring (the legend then explains rings)."""
        return bool(self.spread and ((self.counts >= 2) & (self.counts <= MAX_RING)).any())

    def badged(self, most: int) -> np.ndarray:
        """The groups too big for a ring, which get a count badge: the ``most`` biggest."""
        if not self.spread:
            return np.zeros(0, dtype=np.int64)
        big = np.flatnonzero(self.counts > MAX_RING)
        return big[np.argsort(-self.counts[big], kind="stable")][:most]


def arrange(current: Points, old: Points, area: MapArea) -> SymbolLayout:
    """Group the current incidents by place on the page and spread small groups in rings."""
    scale = area.scale
    diameter = symbol_diameters(current.killed, scale)
    faded_diameter = symbol_diameters(old.killed, scale)
    ring = current.n <= MAX_SPREAD
    u, v = area.to_pt(current.x, current.y)
    cell = 1.5 * float(symbol_diameters(np.array([0.0]), scale)[0])
    group, cu, cv = _group(u, v, diameter, cell, cluster=ring)
    su, sv, extent = _spread(u, v, diameter, group, cu, cv, ring=ring)
    for _ in range(4 if ring else 0):  # rings that run into each other become one ring
        merged = _merge_overlapping(group, cu, cv, extent)
        if merged is None:
            break
        group, cu, cv = merged
        su, sv, extent = _spread(u, v, diameter, group, cu, cv, ring=ring)
    counts = np.bincount(group, minlength=len(cu))
    return SymbolLayout(su, sv, diameter, faded_diameter, group, cu, cv, extent, counts, ring)


def draw_symbols(
    area: MapArea, current: Points, old: Points, layout: SymbolLayout, *, svg_ids: bool
) -> None:
    """Earlier incidents in grey at their true positions, then the current ones in place."""
    if old.n:
        _draw_faded(area, old, layout.faded_diameter)
    _draw_leaders(area, current, layout)
    # Largest symbols first so small ones stay visible on top; white edges only while symbols
    # can still be told apart (they double the drawing time of a dense map).
    ax, scale, diameter = area.ax, area.scale, layout.diameter
    x, y = area.to_data(layout.u, layout.v)
    colours = _rgba(current.types)
    order = np.argsort(-diameter, kind="stable")
    for layer, style in enumerate(STYLES):
        pick = order[current.classes[order] == style]
        if not len(pick):
            continue
        if svg_ids and current.n <= MAX_SVG_SYMBOLS:
            for i in pick:
                one = np.array([i])
                add_symbols(ax, x[one], y[one], diameter[one], colours[one], style=style,
                            scale=scale, gid=f"incident-{_sanitise_id(current.ids[i])}",
                            zorder=4 + layer / 2)  # fmt: skip
        else:
            add_symbols(ax, x[pick], y[pick], diameter[pick], colours[pick], style=style,
                        scale=scale, edge=layout.spread, alpha=0.9 if layout.spread else 0.7,
                        zorder=4 + layer / 2, gid=f"incidents-{style}")  # fmt: skip


def _draw_faded(area: MapArea, old: Points, faded_diameter: np.ndarray) -> None:
    """Earlier incidents, grey, largest first, at their true positions."""
    fu, fv = area.to_pt(old.x, old.y)
    order = np.argsort(-faded_diameter, kind="stable")
    for layer, style in enumerate(STYLES):
        pick = order[old.classes[order] == style]
        if len(pick):
            fx, fy = area.to_data(fu[pick], fv[pick])
            add_symbols(area.ax, fx, fy, faded_diameter[pick], greyed(len(pick), FADED_COLOUR),
                        style=style, scale=area.scale, edge=old.n <= MAX_SPREAD, alpha=0.55,
                        gid=f"faded-{style}", zorder=3 + layer / 10)  # fmt: skip


def _draw_leaders(area: MapArea, current: Points, layout: SymbolLayout) -> None:
    """A thin line from each symbol moved into a ring back to a dot where the incident is: on a
    small-scale map a ring may gather places hundreds of kilometres apart."""
    tu, tv = area.to_pt(current.x, current.y)
    moved = np.hypot(layout.u - tu, layout.v - tv) > 1.0
    if not moved.any():
        return
    scale = area.scale
    (x0, y0), (x1, y1) = (
        area.to_data(tu[moved], tv[moved]),
        area.to_data(layout.u[moved], layout.v[moved]),
    )
    segments = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
    area.ax.add_collection(
        LineCollection(
            list(segments),
            colors="#333333",
            linewidths=0.6 * scale,
            alpha=0.9,
            zorder=5.4,
            gid="leaders",
        ),  # fmt: skip
        autolim=False,
    )
    add_symbols(
        area.ax, x0, y0, np.full(len(x0), 2.2 * scale), greyed(len(x0), "#333333"),
        scale=scale, edge=False, alpha=0.9, gid="true-places", zorder=5.5,
    )  # fmt: skip
