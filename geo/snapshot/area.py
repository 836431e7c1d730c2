"""The map's drawing area on the page: one value the symbols, labels and decorations share.

Positions "in points" are from the map's lower left corner; "data" positions are metres of the
map projection, as the axes use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from geo.snapshot.projection import MapProjection
from geo.snapshot.style import Measure


@dataclass(frozen=True)
class MapArea:
    """The axes the map is drawn in, their size in points and the projected window they show,
    the page's scale (1 for A4) and the text measurer of the output."""

    ax: Axes
    width: float
    height: float
    view: tuple[float, float, float, float]
    """(xmin, ymin, xmax, ymax) in projected metres."""
    scale: float
    measure: Measure
    projection: MapProjection
    basemap: Any = None
    """The basemap's layers as drawn (``geo.snapshot.decor._Basemap``): the labels use them."""

    @property
    def per_pt(self) -> float:
        """Projected metres per point."""
        return (self.view[2] - self.view[0]) / self.width

    def to_pt(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Projected metres to points from the lower left corner."""
        per_pt = self.per_pt
        return (
            (np.asarray(x) - self.view[0]) / per_pt,
            (np.asarray(y) - self.view[1]) / per_pt,
        )

    def to_data(
        self, u: np.ndarray | float, v: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Points from the lower left corner to projected metres."""
        per_pt = self.per_pt
        return np.asarray(u) * per_pt + self.view[0], np.asarray(v) * per_pt + self.view[1]

    def inside(self, box: tuple[float, float, float, float], margin: float) -> bool:
        """Whether a box in points lies ``margin`` points or more inside the area's edges."""
        x0, y0, x1, y1 = box
        return (
            x0 >= margin
            and y0 >= margin
            and x1 <= self.width - margin
            and (y1 <= self.height - margin)
        )
