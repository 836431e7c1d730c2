"""Static maps for reports: the filtered incidents on an offline basemap, as PNG, SVG or PDF.

The map is drawn with matplotlib's object-oriented API (a ``Figure`` on the Agg canvas, never
``pyplot``) in a projection chosen for what it shows (``projection``): conformal conic or
azimuthal equal-area centred on a country or region, Equal Earth across continents. The basemap
comes from the project's own data (the world's country and region outlines from Natural Earth),
so nothing needs the network. More than ``cells.AGGREGATE_ABOVE`` incidents are counted in
cells of the page instead of drawn one by one. Symbols use the dashboard's colours, sizes
and precision classes (``geo.symbology``): filled for a place or city, pale with a solid outline
for a district, hollow and dashed for a region or country. Several incidents at one place are
spread in a small ring; a place with more than ``MAX_RING`` of them gets a count badge.

Everything on the page scales with its short side (A4 is the reference), so a slide and an A4
page look alike; ``dpi`` only sets the resolution of a PNG. Output is deterministic: the same
inputs give the same bytes (SVG and PDF carry no timestamp).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from geo.errors import FilterError, UsageError
from geo.files import write_atomic
from geo.filters import Filters
from geo.places.regions import country_names
from geo.snapshot.frame import MapFrame
from geo.snapshot.legend import LegendScope
from geo.snapshot.page import Output, Page, Placement, draw, page_footer
from geo.snapshot.projection import Points, projection_for
from geo.snapshot.style import RC, measure_at

FORMATS = ("png", "svg", "pdf")

RENDER_LOCK = threading.Lock()
"""rcParams are process-wide; renders from several dashboard sessions take turns."""


def render_snapshot(
    incidents: pd.DataFrame,
    *,
    out: str | Path | BinaryIO,
    frame: MapFrame | None = None,
    fmt: str | None = None,
    filters: Filters | None = None,
    period: TimeStep | None = None,
) -> None:
    """Draw the (already filtered) incidents as a static map and write it to ``out``.

    Parameters
    ----------
    incidents
        Incidents with at least ``lat``, ``lon``, ``event_type``, ``geo_precision``,
        ``killed_best``, ``place`` and ``incident_id`` (the columns of ``geo.schema.COLUMNS``).
        Rows without coordinates are left out and counted in the bottom line.
    out
        A file path (written atomically) or a binary file object.
    frame
        Page size, resolution, extent, title and credits (:class:`MapFrame`; default an A4
        landscape page at 300 dpi framing the data). A PNG has
        ``round(inches * dpi)`` pixels per side; a PDF page or SVG has the exact paper size.
        Text and symbols keep their size on paper, except that a small PNG keeps its smallest
        text at least 7.5 pixels high.
    fmt
        ``"png"``, ``"svg"`` or ``"pdf"``; default from the file name, else PNG. Text stays
        text in SVG and PDF; an SVG of up to ``MAX_SVG_SYMBOLS`` incidents has one element
        ``id="incident-<incident_id>"`` per incident (larger ones: one group per precision).
    filters
        The filters that selected ``incidents``; ``describe()`` becomes the subtitle.
    period
        For a time-lapse frame: its label, the earlier incidents drawn in grey, the legend
        shared by every frame (:class:`TimeStep`).

    Raises
    ------
    FilterError
        When there is nothing to draw (no incident, and nothing faded).
    ValueError
        For an unknown ``fmt``.
    """
    fmt = _output_format(fmt, out)
    frame = frame or MapFrame()
    metadata: dict[str, str | None] = {}
    if fmt == "svg":
        metadata["Date"] = None
    elif fmt == "pdf":
        metadata.update({"CreationDate": None, "ModDate": None, "Creator": "Incident Atlas"})
    with RENDER_LOCK, matplotlib.rc_context(RC):
        fig, title = _figure(incidents, frame, fmt, filters, period or TimeStep())
        metadata["Title"] = title

        def save(target: Path | BinaryIO) -> None:
            fig.savefig(target, format=fmt, dpi=frame.dpi, metadata=metadata)

        if isinstance(out, str | Path):
            write_atomic(out, save)
        else:
            save(out)


def snapshot_image(
    incidents: pd.DataFrame,
    *,
    frame: MapFrame,
    filters: Filters | None = None,
    period: TimeStep | None = None,
) -> Image.Image:
    """The PNG that :func:`render_snapshot` would write, as an RGB image (no file, no PNG
    encoding: the time-lapse turns it straight into a GIF frame)."""
    with RENDER_LOCK, matplotlib.rc_context(RC):
        fig, _ = _figure(incidents, frame, "png", filters, period or TimeStep())
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        canvas.draw()
        return Image.frombuffer(
            "RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        ).convert("RGB")


@dataclass(frozen=True)
class TimeStep:
    """What a time-lapse frame adds to a snapshot."""

    label: str = ""
    """The period, shown large at the top right."""
    faded: pd.DataFrame | None = None
    """Incidents of earlier periods, drawn in grey behind the period's own."""
    legend: LegendScope | None = None
    """What the legend covers (the whole series' types and largest toll); default what is drawn."""


def _figure(
    incidents: pd.DataFrame,
    frame: MapFrame,
    fmt: str,
    filters: Filters | None,
    period: TimeStep,
) -> tuple[Figure, str]:
    """The page drawn on a new figure, and its title. Call with the render lock held."""
    current = Points.of(incidents)
    old = Points.of(period.faded)
    if current.n == 0 and old.n == 0:
        what = filters.describe() if filters is not None else "all incidents"
        if len(incidents):
            raise FilterError(
                f"none of the {len(incidents)} incidents matching the filters has "
                f"coordinates: {what}"
            )
        raise FilterError(f"no incident matches the filters: {what}")
    width_in, height_in = frame.inches(whole_pixels=fmt == "png")
    box = frame.box(
        np.r_[current.lon, old.lon], np.r_[current.lat, old.lat],
        np.r_[current.countries, old.countries],
    )  # fmt: skip
    projection = projection_for(box)
    current, old = current.projected(projection), old.projected(projection)
    page = Page(
        title=frame.title or default_title(incidents if current.n else period.faded),
        subtitle=filters.describe() if filters is not None else "all incidents",
        period=period.label,
        footer=page_footer(incidents, period.faded, current, old, frame.credits, projection),
    )
    fig = Figure(figsize=(width_in, height_in), dpi=frame.dpi)
    _DrawOnSave(fig)
    output = Output(
        svg_ids=fmt == "svg",
        raster=fmt == "png",
        measure=measure_at(frame.dpi if fmt == "png" else 720),
    )
    home = frozenset(c for c in np.r_[current.countries, old.countries] if c)
    draw(fig, page, current, old, Placement(box, projection, home), output, period.legend)
    return fig, page.title


class _DrawOnSave(FigureCanvasAgg):
    """An Agg canvas that draws only when the figure is saved.

    geopandas asks the canvas to redraw after every layer it plots (``draw_idle``), which on a
    non-interactive canvas draws the whole page each time: eight full draws per snapshot, half
    of a time-lapse frame's cost. Nothing looks at those drawings.
    """

    def draw_idle(self, *args: object, **kwargs: object) -> None:
        return None


def _output_format(fmt: str | None, out: object) -> str:
    if fmt is None:
        suffix = Path(out).suffix.lower().lstrip(".") if isinstance(out, str | Path) else ""
        fmt = suffix if suffix in FORMATS else "png"
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return fmt


def default_title(table: pd.DataFrame | None) -> str:
    """A title from the table itself: 'Security incidents in Kazakhstan and Russia, 2011–2016'.

    Names up to three countries, the commonest first ("in Nigeria", "in Mali, Niger and Burkina
    Faso"), more as "in 12 countries"; a code the country layer does not know is counted but
    never printed. Then the years of ``date_start``.
    """
    text = "Security incidents"
    if table is None or not len(table):
        return text
    if "country" in table.columns:
        codes = table["country"].dropna().astype(str).str.strip()
        codes = codes[codes != ""].value_counts().index
        names = country_names()
        found = [names[c] for c in codes if c in names]
        if len(codes) > 3 or len(found) < len(codes):
            text += f" in {len(codes)} countries" if len(codes) > 1 else ""
        elif found:
            text += " in " + (
                ", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1 else found[0]
            )
    if "date_start" in table.columns:
        years = pd.to_datetime(table["date_start"], errors="coerce").dt.year.dropna()
        if len(years):
            first, last = int(years.min()), int(years.max())
            text += f", {first}" if first == last else f", {first}–{last}"
    return text


__all__ = ["FORMATS", "TimeStep", "default_title", "render_snapshot", "snapshot_image"]
