"""Names on a static map: busiest places first, then regions and neighbouring countries.

A label goes only where it covers no other label, symbol or decoration (``Obstacles``).
"""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes

from geo.snapshot.area import MapArea
from geo.snapshot.projection import Points
from geo.snapshot.style import INK, MUTED, Box
from geo.snapshot.symbols import SymbolLayout

MAX_REGION_COUNTRIES = 3
"""A map of incidents in at most this many countries names their regions."""
MAX_LABELS = 25
"""Most place labels on one map; the places with the most incidents come first."""


class Obstacles:
    """Boxes labels must not cover, in points."""

    def __init__(self) -> None:
        self.hard: list[Box] = []
        self.soft = np.zeros((0, 4))

    def overlaps(self, box: Box, *, pad: float = 1.0) -> tuple[bool, int]:
        x0, y0, x1, y1 = box
        hard = any(
            x0 - pad < b[2] and b[0] < x1 + pad and y0 - pad < b[3] and b[1] < y1 + pad
            for b in self.hard
        )
        s = self.soft
        soft = (
            int(
                np.count_nonzero(
                    (s[:, 0] < x1 + pad)
                    & (x0 - pad < s[:, 2])
                    & (s[:, 1] < y1 + pad)
                    & (y0 - pad < s[:, 3])
                )
            )
            if len(s)
            else 0
        )
        return hard, soft


def text_box(x: float, y: float, w: float, h: float, ha: str, va: str) -> Box:
    x0 = x - w if ha == "right" else x - w / 2 if ha == "center" else x
    y0 = y - h if va == "top" else y - h / 2 if va == "center" else y
    return (x0, y0, x0 + w, y0 + h)


def _short_place(place: str) -> str:
    """'Aktobe, National Security Committee building' -> 'Aktobe'; parentheses dropped."""
    name = re.sub(r"\s*\([^)]*\)", "", str(place).split(",")[0]).strip()
    name = name or str(place).strip()
    return name if len(name) <= 40 else name[:39].rstrip() + "…"


def _label_name(places: np.ndarray) -> str:
    """The name a location is labelled with: its most frequent short name, then the shortest."""
    names = [n for n in (_short_place(p) for p in places) if n]
    if not names:
        return ""
    counts = pd.Series(names).value_counts()
    best = counts[counts == counts.max()].index
    return str(sorted(best, key=lambda n: (len(n), n))[0])


def _halo_text(ax: Axes, x: float, y: float, text: str, *, scale: float, **style: Any) -> None:
    """Text with a white halo. The halo is a separate outline-only artist underneath, so the
    text itself stays text in SVG and PDF (selectable, searchable, editable)."""
    halo = [patheffects.Stroke(linewidth=2.4 * scale, foreground="white", alpha=0.92)]
    ax.text(x, y, text, path_effects=halo, **style)
    ax.text(x, y, text, **style)


LEADER_LABELS = 8
"""The busiest places may be labelled further out, with a thin line to their symbol, where no
label fits beside it (a crowded city is named, not a quiet village at the edge)."""


def place_labels(
    area: MapArea, current: Points, layout: SymbolLayout, obstacles: Obstacles
) -> None:
    """Label the places with the most incidents, once each, where a label fits."""
    if not current.n:
        return
    group, counts = layout.group, layout.counts
    killed = np.bincount(group, np.nan_to_num(current.killed), len(counts))
    candidates = np.lexsort((-killed, -counts))[: MAX_LABELS * 3]
    placed = 0
    for rank, g in enumerate(candidates):
        if placed >= MAX_LABELS:
            break
        members = group == g
        vague = bool(current.imprecise[members].all())
        # A place located exactly names the group before a region's or country's centre.
        name = _label_name(current.places[members & (vague | ~current.imprecise)])
        if name and _place_label(area, layout, obstacles, g, name, vague, far=rank < LEADER_LABELS):
            placed += 1


def _place_label(
    area: MapArea,
    layout: SymbolLayout,
    obstacles: Obstacles,
    g: int,
    name: str,
    vague: bool,
    *,
    far: bool,
) -> bool:
    """Put ``name`` beside group ``g``'s symbol, at the first position clear of other labels
    and symbols (with ``far``, also further out, with a leader line); none clear: no label,
    since a label touching another place's symbol would name the wrong place."""
    scale, measure = area.scale, area.measure
    font = 7.6 * scale
    style: Literal["normal", "italic"] = "italic" if vague else "normal"
    w = measure.size(name, font, style=style)[0]
    h = font * 1.2
    near = float(layout.extent[g]) + 1.5 * scale
    for d in (near, near + 14 * scale, near + 28 * scale) if far else (near,):
        e = d * 0.72
        for dx, dy, ha, va in (
            (d, 0, "left", "center"), (-d, 0, "right", "center"), (0, d, "center", "bottom"),
            (0, -d, "center", "top"), (e, e, "left", "bottom"), (e, -e, "left", "top"),
            (-e, e, "right", "bottom"), (-e, -e, "right", "top"),
        ):  # fmt: skip
            x, y = float(layout.cu[g] + dx), float(layout.cv[g] + dy)
            box = text_box(x, y, w, h, ha, va)
            if not area.inside(box, 2) or any(obstacles.overlaps(box, pad=1.5 * scale)):
                continue
            if d > near:  # a thin line from the symbol's edge to the label
                ratio = (near - 1.5 * scale) / d
                sx, sy = area.to_data(layout.cu[g] + dx * ratio, layout.cv[g] + dy * ratio)
                lx, ly = area.to_data(x, y)
                area.ax.plot([sx, lx], [sy, ly], color=MUTED, linewidth=0.5 * scale, zorder=6.5)
            tx, ty = area.to_data(x, y)
            _halo_text(
                area.ax, float(tx), float(ty), name, scale=scale, fontsize=font,
                color=INK if not vague else MUTED, style=style, ha=ha, va=va, zorder=7,
            )  # fmt: skip
            obstacles.hard.append(box)
            return True
    return False


def label_areas(area: MapArea, obstacles: Obstacles) -> None:
    """Faint names of neighbouring countries and of regions, only where they fit."""
    ax, scale, measure, view = area.ax, area.scale, area.measure, area.view
    base = area.basemap
    countries, regions = base.countries, base.regions
    home = set(regions["country"])
    # Up to three countries with incidents are named by their regions; more are named as
    # countries (a world of region names is unreadable).
    by_region = len(home) <= MAX_REGION_COUNTRIES
    frame = shapely.box(*view)
    items: list[tuple[str, object, float, str]] = []
    for name, code, geom in countries[["name", "country", "geometry"]].itertuples(index=False):
        if isinstance(name, str) and (code not in home or not by_region):
            items.append((name.upper(), geom, 7.0 * scale, "#8f8f8f"))
    if by_region:
        for name, geom in regions[["region", "geometry"]].itertuples(index=False):
            items.append((str(name), geom, 6.0 * scale, "#a3a3a3"))
    per_pt = area.per_pt
    for text, geom, font, colour in items:
        part = shapely.intersection(geom, frame)
        if part.is_empty or part.area <= 0:
            continue
        point = part.representative_point()
        u, v = (float(c[0]) for c in area.to_pt(np.array([point.x]), np.array([point.y])))
        w, _ = measure.size(text, font)
        h = font * 1.2
        x0, y0, x1, y1 = part.bounds
        span = (x1 - x0) / per_pt
        if span >= w * 1.2:
            options = [(u, v, "center")]
        elif colour == "#a3a3a3":  # a small region (a city, the Baikonur lease): name beside it
            right, left = (x1 - view[0]) / per_pt + 2 * scale, (x0 - view[0]) / per_pt - 2 * scale
            options = [(right, v, "left"), (left, v, "right")]
        else:
            continue
        for x, y, ha in options:
            box = text_box(x, y, w, h, ha, "center")
            if not area.inside(box, 4):
                continue
            hard, soft = obstacles.overlaps(box, pad=3 * scale)
            if hard or soft:
                continue
            tx, ty = area.to_data(x, y)
            ax.text(
                float(tx),
                float(ty),
                text,
                fontsize=font,
                color=colour,
                ha=ha,
                va="center",
                zorder=2.5,
                style="italic" if colour == "#a3a3a3" else "normal",
            )
            obstacles.hard.append(box)
            break
