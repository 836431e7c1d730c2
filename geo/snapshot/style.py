"""The look of a static map: page scale, colours, fonts and text measurement.

Everything on the page scales with its short side, A4 being the reference. Text is DejaVu Sans,
kept as text in SVG and PDF; ``Measure`` sizes it as the output will render it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from geo.snapshot.frame import MM_PER_INCH

REFERENCE_SHORT_SIDE_IN = 210 / MM_PER_INCH
"""Everything on the page scales with its short side; an A4 page is scale 1."""

SEA = "#dce7ef"
NEIGHBOUR = "#ececec"
HOME = "#ffffff"
FADED_COLOUR = "#a0a0a0"
INK = "#1a1a1a"
MUTED = "#6b6b6b"
PERIOD_COLOUR = "#8c1c13"

RC: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "incident-atlas",
    "svg.id": "atlas-map",
    "pdf.fonttype": 42,
    "text.usetex": False,
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "path.simplify": True,
    "lines.scale_dashes": True,
    "savefig.bbox": "standard",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
}


Box = tuple[float, float, float, float]  # (x0, y0, x1, y1) in points inside the map axes


class Measure:
    """Text sizes in points, measured with the Agg renderer at the output's resolution.

    Hinting makes small text in a PNG up to 10% wider than its outline size, so a PNG is
    measured at its own dpi, vector output at a high one; widths get 2% to spare.
    """

    def __init__(self, dpi: float) -> None:
        self._renderer = RendererAgg(1, 1, dpi)
        self._to_pt = 72 / dpi
        self._sizes: dict[tuple[str, float, str, str], tuple[float, float]] = {}

    def size(
        self,
        text: str,
        points: float,
        *,
        weight: str = "normal",
        style: Literal["normal", "italic"] = "normal",
    ) -> tuple[float, float]:
        key = (text, points, weight, style)
        found = self._sizes.get(key)
        if found is None:
            prop = FontProperties(family=["DejaVu Sans"], size=points, weight=weight, style=style)
            width, height, _ = self._renderer.get_text_width_height_descent(
                text or " ", prop, ismath=False
            )
            found = float(width) * self._to_pt * 1.02, float(height) * self._to_pt
            if len(self._sizes) < 100_000:
                self._sizes[key] = found
        return found

    def wrap(
        self,
        text: str,
        points: float,
        width_pt: float,
        *,
        weight: str = "normal",
        max_lines: int = 4,
    ) -> list[str]:
        lines: list[str] = []
        line = ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if line and self.size(trial, points, weight=weight)[0] > width_pt:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1].rstrip(" .,;") + " …"
        return lines


@lru_cache(maxsize=8)
def measure_at(dpi: float) -> Measure:
    """One text measurer per resolution, shared by every render (and every time-lapse frame):
    the sizes it has measured are kept. Use it with the render lock held."""
    return Measure(dpi)
