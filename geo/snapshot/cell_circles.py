"""Many incidents on a static map: counted in square cells of the page, one graduated circle each.

Beyond ``AGGREGATE_ABOVE`` incidents, single symbols only pile up into a blob in which the
largest toll covers a country. The map then counts the incidents in cells ``CELL_PT`` points
wide on the page and draws one circle per cell, its area proportional to the count, at the
cells' incidents' mean position. A time-lapse's earlier incidents are counted the same way and
drawn in grey.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.snapshot.area import MapArea
from geo.snapshot.legend import Row, Section
from geo.snapshot.projection import Points
from geo.snapshot.style import FADED_COLOUR
from geo.snapshot.symbols import add_symbols, greyed

AGGREGATE_ABOVE = 2000
"""Above this many incidents a static map draws cells, not one symbol per incident."""
CELL_PT = 10.0
"""A cell's side on an A4 page, in points (about 3.5 mm; it scales with the page)."""
MAX_CELL_PT = 16.0
"""The busiest cell's circle, in points across, on an A4 page."""
MIN_CELL_PT = 2.5
CELL_COLOUR = "#b2182b"


@dataclass(frozen=True)
class Cells:
    """Incidents counted per cell: each cell's mean position (points) and count."""

    u: np.ndarray
    v: np.ndarray
    count: np.ndarray
    side_km: float
    """A cell's side on the ground at the map's centre."""


def cells_of(points: Points, area: MapArea) -> Cells:
    """Count ``points`` in square cells of the page."""
    side = CELL_PT * area.scale
    u, v = area.to_pt(points.x, points.y)
    ok = np.isfinite(u) & np.isfinite(v)
    u, v = u[ok], v[ok]
    key = np.floor(u / side).astype(np.int64) * 1_000_003 + np.floor(v / side).astype(np.int64)
    _, inverse, count = np.unique(key, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    return Cells(
        np.bincount(inverse, u, len(count)) / count,
        np.bincount(inverse, v, len(count)) / count,
        count,
        side * area.per_pt / 1000,
    )


def cell_diameters(count: np.ndarray, top: float, scale: float) -> np.ndarray:
    """Circle diameters in points: area proportional to the count, the busiest ``MAX_CELL_PT``."""
    ratio = np.sqrt(np.asarray(count, dtype=float) / max(top, 1.0))
    return np.maximum(MAX_CELL_PT * scale * ratio, MIN_CELL_PT * scale)


def draw_cells(area: MapArea, cells: Cells, top: float, *, faded: bool) -> None:
    """One circle per cell, the largest first so small ones stay on top."""
    if not len(cells.count):
        return
    diameter = cell_diameters(cells.count, top, area.scale)
    order = np.argsort(-diameter, kind="stable")
    x, y = area.to_data(cells.u[order], cells.v[order])
    add_symbols(
        area.ax,
        x,
        y,
        diameter[order],
        greyed(len(order), FADED_COLOUR if faded else CELL_COLOUR),
        scale=area.scale,
        alpha=0.55 if faded else 0.8,
        gid="faded-cells" if faded else "cells",
        zorder=3 if faded else 4,
    )


def cell_legend(top: int, n: int, side_km: float, scale: float, *, faded: bool) -> list[Section]:
    """The legend of a map of cells: what a circle counts, three sizes, the cells' size."""
    values = [v for v in (1, 10, 100, 1_000, 10_000, 100_000) if v < top][-2:] + [top]
    rows = [
        Row(f"{v:,}" + (" (most)" if v == top else ""), float(d), CELL_COLOUR)
        for v, d in zip(values, cell_diameters(np.array(values), top, scale), strict=True)
    ]
    notes = [Row(f"{n:,} incidents, counted in cells of about {side_km:,.0f} km")]
    if faded:
        notes.append(Row("earlier periods", MIN_CELL_PT * 2 * scale, FADED_COLOUR, alpha=0.55))
    return [Section("Incidents per cell", rows), Section("", notes)]


__all__ = ["AGGREGATE_ABOVE", "Cells", "cell_legend", "cells_of", "draw_cells"]
