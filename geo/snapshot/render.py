"""Static maps for reports: the filtered incidents on an offline basemap, as PNG, SVG or PDF.

The map is drawn with matplotlib's object-oriented API (a ``Figure`` on the Agg canvas, never
``pyplot``) in a Lambert conformal conic projection centred on Kazakhstan. The basemap comes from
the project's own data (country and region outlines from Natural Earth), so nothing needs the
network. Symbols use the dashboard's colours, sizes and precision classes (``geo.symbology``):
filled for a place or city, pale with a solid outline for a district, hollow and dashed for a
region or country. Several incidents at one place are spread in a small ring; a place with more than
``MAX_RING`` of them gets a count badge.

Everything on the page scales with its short side (A4 is the reference), so a slide and an A4
page look alike; ``dpi`` only sets the resolution of a PNG. Output is deterministic: the same
inputs give the same bytes (SVG and PDF carry no timestamp).
"""

from __future__ import annotations

import math
import re
import threading
from pathlib import Path
from typing import BinaryIO

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.errors import FilterError, UsageError
from geo.files import write_atomic
from geo.filters import Filters
from geo.places.regions import read_countries
from geo.snapshot.legend import LegendScope
from geo.snapshot.page import _draw, _footer, _Page
from geo.snapshot.projection import _Points
from geo.snapshot.style import _RC, MM_PER_INCH, _Measure
from geo.symbology import KAZAKHSTAN_BOX

SIZES: dict[str, tuple[float, float]] = {
    "a4-landscape": (297 / MM_PER_INCH, 210 / MM_PER_INCH),
    "a4-portrait": (210 / MM_PER_INCH, 297 / MM_PER_INCH),
    "slide": (40 / 3, 7.5),
}
"""Named page sizes in inches (width, height); ``slide`` is a 16:9 presentation slide."""
FORMATS = ("png", "svg", "pdf")
EXTENTS = ("data", "country")
MAX_PIXELS_PER_SIDE = 20_000
MIN_SPAN_KM = 550.0
"""The smallest area a "data" extent shows, so a single city is not a pin-prick."""

_RENDER_LOCK = threading.Lock()
"""rcParams are process-wide; renders from several dashboard sessions take turns."""


def parse_size(size: str, *, dpi: float = 300) -> tuple[float, float]:
    """The page size in inches for a name of ``SIZES`` or ``"WxH"`` in pixels (inches = px/dpi).

    Raises
    ------
    UsageError
        (a ``ValueError``) for an unknown name, a malformed ``WxH``, a dpi that is not
        positive, or a side outside 50-20,000 pixels.
    """
    key = str(size).strip().lower()
    if key in SIZES:
        width, height = SIZES[key]
    else:
        match = re.fullmatch(r"(\d{1,6})\s*[x×]\s*(\d{1,6})", key)
        if not match:
            raise UsageError(
                f"unknown size {size!r}; use {', '.join(SIZES)} or WxH in pixels like 1600x900"
            )
        if dpi <= 0:
            raise UsageError(f"dpi must be positive, not {dpi}")
        width, height = int(match[1]) / dpi, int(match[2]) / dpi
    for side in (width, height):
        if not 50 <= round(side * dpi) <= MAX_PIXELS_PER_SIDE:
            raise UsageError(
                f"size {size!r} at {dpi} dpi is {round(width * dpi)}x{round(height * dpi)} "
                f"pixels; each side must be 50 to {MAX_PIXELS_PER_SIDE:,} pixels"
            )
    return width, height


def data_extent(
    lon: np.ndarray | pd.Series, lat: np.ndarray | pd.Series
) -> tuple[float, float, float, float]:
    """The box a "data" map shows: the points' bounds with a margin, at least ``MIN_SPAN_KM``.

    Returns (west, south, east, north) in degrees.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return KAZAKHSTAN_BOX
    lon, lat = lon[ok], lat[ok]
    west, east, south, north = lon.min(), lon.max(), lat.min(), lat.max()
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    min_lat = MIN_SPAN_KM / 111.2
    min_lon = MIN_SPAN_KM / (111.2 * max(math.cos(math.radians(mid_lat)), 0.2))
    half_lat = max((north - south) * 1.16, min_lat) / 2 + 0.25
    half_lon = max((east - west) * 1.16, min_lon) / 2 + 0.25
    west, east = _within(mid_lon - half_lon, mid_lon + half_lon, -180.0, 180.0)
    south, north = _within(mid_lat - half_lat, mid_lat + half_lat, -MAX_LAT, MAX_LAT)
    return float(west), float(south), float(east), float(north)


def country_extent(
    lon: np.ndarray | pd.Series, lat: np.ndarray | pd.Series
) -> tuple[float, float, float, float]:
    """Kazakhstan's box, grown to hold every point outside it with a margin (so an "all of
    Kazakhstan" map never drops incidents in the Caucasus off its frame)."""
    west, south, east, north = KAZAKHSTAN_BOX
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        margin = 1.0
        west = min(west, float(lon[ok].min()) - margin)
        east = max(east, float(lon[ok].max()) + margin)
        south = min(south, float(lat[ok].min()) - margin)
        north = max(north, float(lat[ok].max()) + margin)
    west, east = _within(west, east, -180.0, 180.0)
    south, north = _within(south, north, -MAX_LAT, MAX_LAT)
    return float(west), float(south), float(east), float(north)


MAX_LAT = 85.0
"""Static maps stop at 85 degrees north and south (the projection cannot show a pole)."""


def _within(low: float, high: float, floor: float, ceiling: float) -> tuple[float, float]:
    """The interval ``low..high`` moved (and if need be shortened) to lie in ``floor..ceiling``."""
    span = min(high - low, ceiling - floor)
    if low < floor:
        low, high = floor, floor + span
    if high > ceiling:
        low, high = ceiling - span, ceiling
    return low, high


def render_snapshot(
    incidents: pd.DataFrame,
    *,
    out: str | Path | BinaryIO,
    filters: Filters | None = None,
    title: str | None = None,
    size: str = "a4-landscape",
    dpi: int = 300,
    fmt: str | None = None,
    extent: str | tuple[float, float, float, float] = "data",
    credits: str | None = None,
    period_label: str | None = None,
    faded: pd.DataFrame | None = None,
    legend: LegendScope | None = None,
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
    filters
        The filters that selected ``incidents``; ``describe()`` becomes the subtitle.
    title
        The title; default "Security incidents in <countries>, <years>".
    size
        ``"a4-landscape"``, ``"a4-portrait"``, ``"slide"`` or ``"WxH"`` in pixels. A PNG has
        ``round(inches * dpi)`` pixels per side; a PDF page or SVG has the exact paper size.
    dpi
        Resolution of a PNG (and of ``WxH`` sizes); text and symbols keep their size on paper,
        except that a small PNG keeps its smallest text at least 7.5 pixels high.
    fmt
        ``"png"``, ``"svg"`` or ``"pdf"``; default from the file name, else PNG. Text stays
        text in SVG and PDF; an SVG of up to ``MAX_SVG_SYMBOLS`` incidents has one element
        ``id="incident-<incident_id>"`` per incident (larger ones: one group per precision).
    extent
        ``"data"``: the incidents (and ``faded``) with a margin; ``"country"``: all of
        Kazakhstan; or (west, south, east, north) in degrees, used as given.
    credits
        Appended to the bottom line (author, report, licence).
    period_label
        A period shown large at the top right (the time-lapse's frames).
    faded
        Incidents drawn in grey behind ``incidents`` (earlier periods of a time-lapse).
    legend
        What the legend covers (the types, the largest killed figure); default what is drawn.

    Raises
    ------
    FilterError
        When there is nothing to draw (no incident, and nothing ``faded``).
    ValueError
        For an unknown ``size``, ``fmt`` or ``extent``, or a page of more than 20,000 pixels.
    """
    fmt = _output_format(fmt, out)
    width_in, height_in = parse_size(size, dpi=dpi)
    check_extent(extent)
    current = _Points.of(incidents)
    old = _Points.of(faded) if faded is not None else _Points.of(None)
    if current.n == 0 and old.n == 0:
        what = filters.describe() if filters is not None else "all incidents"
        if len(incidents):
            raise FilterError(
                f"none of the {len(incidents)} incidents matching the filters has "
                f"coordinates: {what}"
            )
        raise FilterError(f"no incident matches the filters: {what}")
    if fmt == "png":  # whole pixels: matplotlib truncates, so give it the rounded size
        width_in, height_in = round(width_in * dpi) / dpi, round(height_in * dpi) / dpi
    if isinstance(extent, tuple):
        box = tuple(float(v) for v in extent)
    elif extent == "country":
        box = country_extent(np.r_[current.lon, old.lon], np.r_[current.lat, old.lat])
    else:
        box = data_extent(np.r_[current.lon, old.lon], np.r_[current.lat, old.lat])
    page = _Page(
        title=title or default_title(incidents if current.n else faded),
        subtitle=filters.describe() if filters is not None else "all incidents",
        period=period_label or "",
        footer=_footer(incidents, faded, current, old, credits),
    )
    metadata: dict[str, str | None] = {"Title": page.title}
    if fmt == "svg":
        metadata["Date"] = None
    elif fmt == "pdf":
        metadata.update({"CreationDate": None, "ModDate": None, "Creator": "Incident Atlas"})
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in), dpi=dpi)
        FigureCanvasAgg(fig)
        _draw(
            fig,
            page,
            current,
            old,
            box=box,
            svg_ids=fmt == "svg",
            raster=fmt == "png",
            measure=_Measure(dpi if fmt == "png" else 720),
            legend=legend,
        )

        def save(target: Path | BinaryIO) -> None:
            fig.savefig(target, format=fmt, dpi=dpi, metadata=metadata)

        if isinstance(out, str | Path):
            write_atomic(out, save)
        else:
            save(out)


def check_extent(extent: object) -> None:
    """Raise ``ValueError`` unless ``extent`` is "data", "country" or a (w, s, e, n) box."""
    if isinstance(extent, tuple):
        ok = len(extent) == 4 and all(
            isinstance(v, int | float) and math.isfinite(v) for v in extent
        )
        if (
            ok
            and -180 <= extent[0] < extent[2] <= 180
            and -MAX_LAT <= extent[1] < extent[3] <= MAX_LAT
        ):
            return
    elif extent in EXTENTS:
        return
    raise ValueError(
        f"extent must be one of {', '.join(EXTENTS)} or a (west, south, east, "
        f"north) box in degrees, not {extent!r}"
    )


def _output_format(fmt: str | None, out: object) -> str:
    if fmt is None:
        suffix = Path(out).suffix.lower().lstrip(".") if isinstance(out, str | Path) else ""
        fmt = suffix if suffix in FORMATS else "png"
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return fmt


def default_title(table: pd.DataFrame | None) -> str:
    """A title from the table itself: 'Security incidents in Kazakhstan and Russia, 2011–2016'.

    Names the (up to three) commonest countries and the years of ``date_start``.
    """
    text = "Security incidents"
    if table is None or not len(table):
        return text
    if "country" in table.columns:
        codes = table["country"].dropna().astype(str).str.strip()
        codes = codes[codes != ""].value_counts().index[:3]
        names = read_countries().set_index("country")["name"].dropna().to_dict()
        found = [str(names.get(c, c)) for c in codes]
        if found:
            text += " in " + (
                ", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1 else found[0]
            )
    if "date_start" in table.columns:
        years = pd.to_datetime(table["date_start"], errors="coerce").dt.year.dropna()
        if len(years):
            first, last = int(years.min()), int(years.max())
            text += f", {first}" if first == last else f", {first}–{last}"
    return text


__all__ = [
    "EXTENTS",
    "FORMATS",
    "SIZES",
    "check_extent",
    "country_extent",
    "data_extent",
    "default_title",
    "parse_size",
    "render_snapshot",
]
