"""Static maps for reports: the filtered incidents on an offline basemap, as PNG, SVG or PDF.

The map is drawn with matplotlib's object-oriented API (a ``Figure`` on the Agg canvas, never
``pyplot``) in a Lambert conformal conic projection centred on Kazakhstan. The basemap comes from
the project's own data (country and region outlines from Natural Earth), so nothing needs the
network. Symbols use the dashboard's colours and sizes (``geo.maps``): filled circles for
incidents located to a place, hollow dashed circles for those located only to a region or
country. Several incidents at one place are spread in a small ring; a place with more than
``MAX_RING`` of them gets a count badge.

Everything on the page scales with its short side (A4 is the reference), so a slide and an A4
page look alike; ``dpi`` only sets the resolution of a PNG. Output is deterministic: the same
inputs give the same bytes (SVG and PDF carry no timestamp).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.markers import MarkerStyle
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle
from matplotlib.transforms import IdentityTransform
from pyproj import Proj, Transformer

from geo.errors import FilterError
from geo.filters import Filters
from geo.io import write_atomic
from geo.maps import IMPRECISE, OTHER_COLOUR, TYPE_COLOURS, symbol_radius, type_label
from geo.regions import read_countries, read_regions

PROJ_STRING = (
    "+proj=lcc +lat_0=48 +lon_0=67 +lat_1=45 +lat_2=51 +x_0=0 +y_0=0 +ellps=WGS84 "
    "+units=m +no_defs"
)
"""The map projection: Lambert conformal conic for Kazakhstan (shapes true, scale within 2%)."""
PROJECTION_NOTE = "Lambert conformal conic, 67°E, standard parallels 45°N and 51°N"

MM_PER_INCH = 25.4
SIZES: dict[str, tuple[float, float]] = {
    "a4-landscape": (297 / MM_PER_INCH, 210 / MM_PER_INCH),
    "a4-portrait": (210 / MM_PER_INCH, 297 / MM_PER_INCH),
    "slide": (40 / 3, 7.5),
}
"""Named page sizes in inches (width, height); ``slide`` is a 16:9 presentation slide."""
FORMATS = ("png", "svg", "pdf")
EXTENTS = ("data", "country")
MAX_PIXELS_PER_SIDE = 20_000
MAX_LABELS = 25
"""Most place labels on one map; the places with the most incidents come first."""
MAX_RING = 12
"""Up to this many incidents at one place are spread in a ring; more get a count badge."""
MAX_SPREAD = 2000
"""Above this many incidents, symbols stay at their true positions (no rings)."""
MAX_SVG_SYMBOLS = 5000
"""Up to this many incidents, an SVG has one element per incident (``id="incident-<id>"``)."""
MAX_BADGES = 25

REFERENCE_SHORT_SIDE_IN = 210 / MM_PER_INCH
CSS_PX_IN_PT = 0.75
"""The dashboard's symbol radii are CSS pixels (1/96 inch); a point is 1/72 inch."""
KAZAKHSTAN_BOX = (46.479, 40.585, 87.324, 55.434)
"""Kazakhstan's bounds (west, south, east, north) in degrees, from ``data/countries.geojson``."""
MIN_SPAN_KM = 550.0
"""The smallest area a "data" extent shows, so a single city is not a pin-prick."""

SEA = "#dce7ef"
NEIGHBOUR = "#ececec"
HOME = "#ffffff"
FADED_COLOUR = "#a0a0a0"
INK = "#1a1a1a"
MUTED = "#6b6b6b"
PERIOD_COLOUR = "#8c1c13"
BOUNDARIES_CREDIT = "boundaries: Natural Earth (public domain)"

_RC: dict[Any, Any] = {
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
_RENDER_LOCK = threading.Lock()
"""rcParams are process-wide; renders from several dashboard sessions take turns."""

Box = tuple[float, float, float, float]  # (x0, y0, x1, y1) in points inside the map axes


def parse_size(size: str, *, dpi: float = 300) -> tuple[float, float]:
    """The page size in inches for a name of ``SIZES`` or ``"WxH"`` in pixels (inches = px/dpi).

    Raises
    ------
    ValueError
        For an unknown name, a malformed ``WxH`` or a side outside 50-20,000 pixels.
    """
    key = str(size).strip().lower()
    if key in SIZES:
        width, height = SIZES[key]
    else:
        match = re.fullmatch(r"(\d{1,6})\s*[x×]\s*(\d{1,6})", key)
        if not match:
            raise ValueError(
                f"unknown size {size!r}; use {', '.join(SIZES)} or WxH in pixels like 1600x900"
            )
        if dpi <= 0:
            raise ValueError(f"dpi must be positive, not {dpi}")
        width, height = int(match[1]) / dpi, int(match[2]) / dpi
    for side in (width, height):
        if not 50 <= round(side * dpi) <= MAX_PIXELS_PER_SIDE:
            raise ValueError(
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
    return (float(mid_lon - half_lon), float(mid_lat - half_lat),
            float(mid_lon + half_lon), float(mid_lat + half_lat))


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
    legend_types: Sequence[str] | None = None,
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
    legend_types
        The event types the legend lists; default the types present.

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
            raise FilterError(f"none of the {len(incidents)} incidents matching the filters has "
                              f"coordinates: {what}")
        raise FilterError(f"no incident matches the filters: {what}")
    if fmt == "png":  # whole pixels: matplotlib truncates, so give it the rounded size
        width_in, height_in = round(width_in * dpi) / dpi, round(height_in * dpi) / dpi
    if isinstance(extent, tuple):
        box = tuple(float(v) for v in extent)
    elif extent == "country":
        box = KAZAKHSTAN_BOX
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
        _draw(fig, page, current, old, box=box, svg_ids=fmt == "svg",
              raster=fmt == "png", measure=_Measure(dpi if fmt == "png" else 720),
              legend_types=legend_types)

        def save(target: Path | BinaryIO) -> None:
            fig.savefig(target, format=fmt, dpi=dpi, metadata=metadata)

        if isinstance(out, str | Path):
            write_atomic(out, save)
        else:
            save(out)


# --------------------------------------------------------------------------------------------
# Inputs


@dataclass
class _Points:
    """The drawable part of an incident table, projected."""

    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    killed: np.ndarray
    types: np.ndarray
    imprecise: np.ndarray
    ids: np.ndarray
    places: np.ndarray
    dropped: int = 0

    @property
    def n(self) -> int:
        return len(self.x)

    @classmethod
    def of(cls, table: pd.DataFrame | None) -> _Points:
        if table is None or not len(table):
            empty = np.array([], dtype=float)
            return cls(empty, empty, empty, empty, empty, np.array([], dtype=object),
                       np.array([], dtype=bool), np.array([], dtype=object),
                       np.array([], dtype=object))
        if {"lon", "lat"} <= set(table.columns):
            lon = pd.to_numeric(table["lon"], errors="coerce").to_numpy(dtype=float)
            lat = pd.to_numeric(table["lat"], errors="coerce").to_numpy(dtype=float)
        elif isinstance(table, gpd.GeoDataFrame):  # points only, in degrees
            points = table.geometry.to_crs("EPSG:4326") if table.crs else table.geometry
            is_point = (points.geom_type == "Point").to_numpy()
            lon = np.where(is_point, points.x.where(is_point), np.nan).astype(float)
            lat = np.where(is_point, points.y.where(is_point), np.nan).astype(float)
        else:
            raise ValueError("the incidents need lon and lat columns (or point geometries)")
        ok = np.isfinite(lon) & np.isfinite(lat)
        t = table[ok]

        def column(name: str, default: object) -> np.ndarray:
            if name in t.columns:
                return t[name].to_numpy(dtype=object)
            return np.full(len(t), default, dtype=object)

        killed = (pd.to_numeric(t["killed_best"], errors="coerce").to_numpy(dtype=float)
                  if "killed_best" in t.columns else np.full(len(t), np.nan))
        precision = column("geo_precision", "point")
        x, y = _to_map().transform(lon[ok], lat[ok])
        return cls(
            x=np.asarray(x, dtype=float), y=np.asarray(y, dtype=float),
            lon=lon[ok], lat=lat[ok], killed=killed,
            types=column("event_type", "").astype(str),
            imprecise=np.isin(precision.astype(str), IMPRECISE),
            ids=column("incident_id", "").astype(str),
            places=column("place", "").astype(str),
            dropped=int((~ok).sum()),
        )


@dataclass
class _Page:
    title: str
    subtitle: str
    period: str
    footer: str


@lru_cache(maxsize=1)
def _to_map() -> Transformer:
    return Transformer.from_crs("EPSG:4326", PROJ_STRING, always_xy=True)


@lru_cache(maxsize=1)
def _from_map() -> Transformer:
    return Transformer.from_crs(PROJ_STRING, "EPSG:4326", always_xy=True)


@dataclass(frozen=True)
class _Basemap:
    countries: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    sea: gpd.GeoSeries
    """The gaps between countries inside the country layer's box (Caspian, Aral, ...)."""
    borders: gpd.GeoSeries
    """Country outlines without the layer's clipping edge (62°N, 100°E), which is no border."""


@lru_cache(maxsize=1)
def _basemap() -> _Basemap:
    countries = read_countries()
    covered = shapely.segmentize(shapely.box(*countries.total_bounds), 0.5)
    sea = gpd.GeoSeries([covered.difference(shapely.union_all(countries.geometry.values))],
                        crs="EPSG:4326")
    borders = countries.geometry.boundary.difference(covered.exterior.buffer(0.01))
    return _Basemap(countries.to_crs(PROJ_STRING), read_regions().to_crs(PROJ_STRING),
                    sea.to_crs(PROJ_STRING), borders.to_crs(PROJ_STRING))


def check_extent(extent: object) -> None:
    """Raise ``ValueError`` unless ``extent`` is "data", "country" or a (w, s, e, n) box."""
    if isinstance(extent, tuple):
        ok = len(extent) == 4 and all(isinstance(v, int | float) and math.isfinite(v)
                                      for v in extent)
        if ok and -180 <= extent[0] < extent[2] <= 180 and -85 <= extent[1] < extent[3] <= 85:
            return
    elif extent in EXTENTS:
        return
    raise ValueError(f"extent must be one of {', '.join(EXTENTS)} or a (west, south, east, "
                     f"north) box in degrees, not {extent!r}")


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
            text += " in " + (", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1
                              else found[0])
    if "date_start" in table.columns:
        years = pd.to_datetime(table["date_start"], errors="coerce").dt.year.dropna()
        if len(years):
            first, last = int(years.min()), int(years.max())
            text += f", {first}" if first == last else f", {first}–{last}"
    return text


def _footer(
    incidents: pd.DataFrame, faded: pd.DataFrame | None, current: _Points, old: _Points,
    credits: str | None,
) -> str:
    shown = current.n + old.n
    sources: set[str] = set()
    for table in (incidents, faded):
        if table is not None and "sources" in table.columns:
            for cell in table["sources"].dropna().astype(str):
                sources.update(s.strip() for s in cell.split(";") if s.strip())
    cited = f"{len(sources)} cited source{'s' if len(sources) != 1 else ''}" if sources else (
        "the cited sources")
    text = (f"Data: Incident Atlas, {shown:,} incident{'s' if shown != 1 else ''} from {cited}; "
            f"{BOUNDARIES_CREDIT}. Projection: {PROJECTION_NOTE}.")
    dropped = current.dropped + old.dropped
    if dropped:
        text += f" {dropped:,} incident{'s' if dropped != 1 else ''} without coordinates not shown."
    if credits:
        text += " " + str(credits).strip()
    return text


# --------------------------------------------------------------------------------------------
# Text measurement and layout


class _Measure:
    """Text sizes in points, measured with the Agg renderer at the output's resolution.

    Hinting makes small text in a PNG up to 10% wider than its outline size, so a PNG is
    measured at its own dpi, vector output at a high one; widths get 2% to spare.
    """

    def __init__(self, dpi: float) -> None:
        self._renderer = RendererAgg(1, 1, dpi)
        self._to_pt = 72 / dpi

    def size(self, text: str, points: float, *, weight: str = "normal",
             style: Literal["normal", "italic"] = "normal") -> tuple[float, float]:
        prop = FontProperties(family=["DejaVu Sans"], size=points, weight=weight, style=style)
        width, height, _ = self._renderer.get_text_width_height_descent(text or " ", prop,
                                                                        ismath=False)
        return float(width) * self._to_pt * 1.02, float(height) * self._to_pt

    def wrap(self, text: str, points: float, width_pt: float, *, weight: str = "normal",
             max_lines: int = 4) -> list[str]:
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


@dataclass
class _Row:
    label: str
    diameter: float = 0.0  # symbol diameter in points; 0 for a badge or text row
    colour: str = MUTED
    hollow: bool = False
    alpha: float = 0.9
    badge: str = ""


@dataclass
class _Section:
    title: str
    rows: list[_Row] = field(default_factory=list)


def _symbol_diameters(killed: np.ndarray, scale: float) -> np.ndarray:
    """Symbol diameters in points: the dashboard's radius (CSS px) on paper, scaled to the page."""
    keys = np.where(np.isfinite(killed), np.maximum(killed, 0), -1.0)
    values, inverse = np.unique(keys, return_inverse=True)
    radius = np.array([symbol_radius(v if v >= 0 else None) for v in values])
    return np.asarray(2 * radius[inverse] * CSS_PX_IN_PT * scale, dtype=float)


def _legend_sections(
    current: _Points, old: _Points, scale: float, *, legend_types: Sequence[str] | None,
    ring: bool, badge: bool, dense: bool,
) -> list[_Section]:
    present = set(current.types) if legend_types is None else set(legend_types)
    kinds = [t for t in TYPE_COLOURS if t in present]
    others = sorted(present - set(TYPE_COLOURS))
    base = float(_symbol_diameters(np.array([0.0]), scale)[0])
    types = _Section("Event type", [
        _Row(type_label(t), base, TYPE_COLOURS[t]) for t in kinds
    ])
    if others:
        types.rows.append(_Row("other: " + ", ".join(type_label(t) for t in others[:3]),
                               base, OTHER_COLOUR))
    located = _Section("Located", [
        _Row("to a place, district or city", base, MUTED),
        _Row("only to the region or country", base, MUTED, hollow=True),
    ])
    killed = np.r_[current.killed, old.killed]
    top = float(np.nanmax(killed)) if np.isfinite(killed).any() else 0.0
    steps = [v for v in (1, 5, 20, 50, 100, 250, 500) if v < top][-2:]
    if top >= 1:
        steps.append(int(round(top)))
    sizes = _Section("Killed (best figure)", [_Row("none or no figure", base, MUTED)])
    for value in steps:
        diameter = float(_symbol_diameters(np.array([float(value)]), scale)[0])
        label = f"{value}" + (" (most)" if value == steps[-1] and len(steps) > 1 else "")
        sizes.rows.append(_Row(label, diameter, MUTED))
    notes = _Section("", [])
    if old.n:
        notes.rows.append(_Row("earlier periods", base, FADED_COLOUR, alpha=0.55))
    if ring:
        notes.rows.append(_Row("a ring: several at one place"))
    if badge:
        notes.rows.append(_Row("incidents at one place", badge="14"))
    if dense:
        notes.rows.append(_Row(f"{current.n:,} incidents: symbols overlap"))
    return [s for s in (types, located, sizes, notes) if s.rows]


@dataclass
class _LegendLayout:
    width: float
    height: float
    font: float
    placed: list[tuple[_Section, float, float, float]]  # section, x, y_top, column width


def _layout_legend(sections: list[_Section], measure: _Measure, font: float, scale: float,
                   max_width: float, max_height: float, *, stack: bool) -> _LegendLayout:
    """Place the legend's sections, shrinking the text (down to 60%) until they fit.

    ``stack``: sections go down a column, then on into a next column (the side panel);
    otherwise across a row, then on into a next row (the panel under a portrait map).
    """
    first = font
    while True:
        title_font = font * 1.06
        gap = 9 * scale
        boxes = []
        for section in sections:
            symbol_col = max([r.diameter for r in section.rows] + [font * 1.2]) + 5 * scale
            text_w = max(
                [measure.size(r.label, font)[0] for r in section.rows]
                + [measure.size(section.title, title_font, weight="bold")[0] - symbol_col]
            )
            height = (title_font * 1.5 if section.title else 0) + sum(
                max(r.diameter, font * 1.25) + 3.5 * scale for r in section.rows)
            boxes.append((symbol_col + text_w + 2, height))
        placed: list[tuple[_Section, float, float, float]] = []
        x = y = line = width = height = 0.0  # ``line``: the current column's width/row's height
        for section, (w, h) in zip(sections, boxes, strict=True):
            if stack:
                if placed and y > 0 and y + h > max_height:
                    x, y, line = x + line + gap * 2, 0.0, 0.0
                placed.append((section, x, y, w))
                y += h + gap * 0.6
                line = max(line, w)
                width, height = max(width, x + line), max(height, y - gap * 0.6)
            else:
                if placed and x > 0 and x + w > max_width:
                    x, y, line = 0.0, y + line + gap * 0.6, 0.0
                placed.append((section, x, y, w))
                x += w + gap * 2
                line = max(line, h)
                width, height = max(width, x - gap * 2), max(height, y + line)
        layout = _LegendLayout(width, height, font, placed)
        if (height <= max_height and width <= max_width) or font < first * 0.62:
            return layout
        font *= 0.9


def _draw_legend(fig: Figure, rect: Box, layout: _LegendLayout, scale: float) -> None:
    """Draw the legend in its own axes whose data units are points from the top left."""
    x0, y0, x1, y1 = rect  # inches on the page
    ax = fig.add_axes((x0 / fig.get_figwidth(), y0 / fig.get_figheight(),
                       (x1 - x0) / fig.get_figwidth(), (y1 - y0) / fig.get_figheight()))
    ax.set_axis_off()
    width_pt, height_pt = (x1 - x0) * 72, (y1 - y0) * 72
    ax.set_xlim(0, width_pt)
    ax.set_ylim(-height_pt, 0)
    font = layout.font
    for section, sx, sy, _ in layout.placed:
        y = -sy
        symbol_col = max([r.diameter for r in section.rows] + [font * 1.2]) + 5 * scale
        if section.title:
            ax.text(sx, y, section.title, fontsize=font * 1.06, fontweight="bold", color=INK,
                    va="top", ha="left")
            y -= font * 1.06 * 1.5
        for row in section.rows:
            h = max(row.diameter, font * 1.25) + 3.5 * scale
            cy = y - h / 2
            cx = sx + symbol_col / 2 - 2.5 * scale
            if row.diameter:
                _add_symbols(ax, np.array([cx]), np.array([cy]), np.array([row.diameter]),
                             _grey(1, row.colour), hollow=row.hollow, scale=scale,
                             alpha=row.alpha)
                text_x = sx + symbol_col
            elif row.badge:
                _badge(ax, cx, cy, row.badge, scale)
                text_x = sx + symbol_col
            else:
                text_x = sx
            ax.text(text_x, cy, row.label, fontsize=font, color=INK, va="center_baseline",
                    ha="left")
            y -= h


# --------------------------------------------------------------------------------------------
# Drawing


def _add_symbols(ax: Axes, x: np.ndarray, y: np.ndarray, diameter: np.ndarray,
                 colours: np.ndarray, *, hollow: bool, scale: float, edge: bool = True,
                 alpha: float = 0.9, gid: str | None = None, zorder: float = 4
                 ) -> PathCollection:
    """Circles of ``diameter`` points at (x, y) data coordinates, as one collection.

    ``colours`` are RGBA rows. Filled circles get a thin white edge (``edge``) that keeps
    overlapping ones apart; hollow ones a dashed outline in their colour.
    """
    marker = MarkerStyle("o")
    path = marker.get_path().transformed(marker.get_transform())
    collection = PathCollection(
        [path], sizes=np.asarray(diameter, dtype=float) ** 2,
        offsets=np.column_stack([x, y]), offset_transform=ax.transData,
        facecolors="none" if hollow else colours,
        edgecolors=colours if hollow else ("white" if edge else "none"),
        linewidths=(1.25 if hollow else 0.5 if edge else 0.0) * scale,
        linestyles=(0, (3.0, 2.0)) if hollow else "solid",
        alpha=alpha, zorder=zorder,
    )
    collection.set_transform(IdentityTransform())
    if gid:
        collection.set_gid(gid)
    ax.add_collection(collection, autolim=False)
    return collection


def _badge(ax: Axes, x: float, y: float, text: str, scale: float, zorder: float = 6) -> None:
    ax.text(x, y, text, fontsize=6.5 * scale, fontweight="bold", color="white", ha="center",
            va="center", zorder=zorder,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "#333333", "edgecolor": "white",
                  "linewidth": 0.6 * scale})


def _rgba(types: np.ndarray) -> np.ndarray:
    """RGBA rows for event types (converting each distinct type once)."""
    kinds, inverse = np.unique(np.asarray(types, dtype=str), return_inverse=True)
    table = np.array([to_rgba(TYPE_COLOURS.get(k, OTHER_COLOUR)) for k in kinds]).reshape(-1, 4)
    return table[inverse.ravel()]


def _grey(n: int, colour: str) -> np.ndarray:
    return np.tile(np.array(to_rgba(colour)), (n, 1))


def _sanitise_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", value)[:120] or "unnamed"


def _group(u: np.ndarray, v: np.ndarray, diameter: np.ndarray, cell: float, *, cluster: bool
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group points that would overlap on the page; positions in points.

    With ``cluster``, places (points within 0.5 pt) are taken busiest first and each joins the
    nearest earlier place closer than ``cell`` (or than its symbols overlap), else starts a
    group centred on itself. Otherwise points are grouped by a grid of ``cell`` (fast, for large
    sets). Returns each point's group and each group's centre (u, v).
    """
    if not cluster:
        key = (np.floor(u / cell).astype(np.int64) * 1_000_003
               + np.floor(v / cell).astype(np.int64))
        _, group, counts = np.unique(key, return_inverse=True, return_counts=True)
        group = group.ravel()
        return (group, np.bincount(group, u, len(counts)) / counts,
                np.bincount(group, v, len(counts)) / counts)
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


def _merge_overlapping(group: np.ndarray, cu: np.ndarray, cv: np.ndarray, extent: np.ndarray
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


def _spread(u: np.ndarray, v: np.ndarray, diameter: np.ndarray, group: np.ndarray,
            cu: np.ndarray, cv: np.ndarray, *, ring: bool
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


class _Obstacles:
    """Boxes labels must not cover, in points."""

    def __init__(self) -> None:
        self.hard: list[Box] = []
        self.soft = np.zeros((0, 4))

    def overlaps(self, box: Box, *, pad: float = 1.0) -> tuple[bool, int]:
        x0, y0, x1, y1 = box
        hard = any(x0 - pad < b[2] and b[0] < x1 + pad and y0 - pad < b[3] and b[1] < y1 + pad
                   for b in self.hard)
        s = self.soft
        soft = int(np.count_nonzero((s[:, 0] < x1 + pad) & (x0 - pad < s[:, 2])
                                    & (s[:, 1] < y1 + pad) & (y0 - pad < s[:, 3]))) if len(s) else 0
        return hard, soft


def _text_box(x: float, y: float, w: float, h: float, ha: str, va: str) -> Box:
    x0 = x - w if ha == "right" else x - w / 2 if ha == "center" else x
    y0 = y - h if va == "top" else y - h / 2 if va == "center" else y
    return (x0, y0, x0 + w, y0 + h)


def _count_in(u: np.ndarray, v: np.ndarray, box: Box) -> int:
    x0, y0, x1, y1 = box
    return int(np.count_nonzero((u >= x0) & (u <= x1) & (v >= y0) & (v <= y1)))


def _nice_length(km: float) -> float:
    exponent = math.floor(math.log10(max(km, 1e-6)))
    for step in (5, 2, 1):
        value = step * 10**exponent
        if value <= km:
            return float(value)
    return float(10**exponent)


def _draw(fig: Figure, page: _Page, current: _Points, old: _Points, *, box: tuple[float, ...],
          svg_ids: bool, raster: bool, measure: _Measure, legend_types: Sequence[str] | None
          ) -> None:
    width_in, height_in = fig.get_figwidth(), fig.get_figheight()
    scale = min(max(min(width_in, height_in) / REFERENCE_SHORT_SIDE_IN, 0.3), 3.0)
    if raster:  # small images: keep the smallest text (6.3 pt at scale 1) 7.5 pixels high
        scale = max(scale, min(7.5 / (6.3 * fig.dpi / 72), 1.0))
    pad = 0.32 * scale
    landscape = width_in >= height_in * 1.15

    map_top, map_bottom = _draw_header_footer(fig, page, measure, scale, pad)

    # Symbols (sizes now, positions once the map's scale is known) and the legend.
    diameter = _symbol_diameters(current.killed, scale)
    faded_diameter = _symbol_diameters(old.killed, scale)
    ring = current.n <= MAX_SPREAD
    gap = 0.18 * scale
    map_left, map_right = pad, width_in - pad
    draft = _legend_sections(current, old, scale, legend_types=legend_types, ring=ring,
                             badge=True, dense=not ring)
    font = 7.8 * scale
    if landscape:
        layout = _layout_legend(draft, measure, font, scale, max_width=0.42 * width_in * 72,
                                max_height=(map_top - map_bottom) * 72, stack=True)
        legend_w = layout.width / 72 + 0.05
        map_right = width_in - pad - legend_w - gap
    else:
        layout = _layout_legend(draft, measure, font, scale,
                                max_width=(map_right - map_left) * 72,
                                max_height=(map_top - map_bottom) * 0.3 * 72, stack=False)
        legend_h = layout.height / 72 + 0.05
        legend_rect = (map_left, map_bottom, map_right, map_bottom + legend_h)
        map_bottom += legend_h + gap

    ax = fig.add_axes((map_left / width_in, map_bottom / height_in,
                       (map_right - map_left) / width_in, (map_top - map_bottom) / height_in))
    ax_w, ax_h = (map_right - map_left) * 72, (map_top - map_bottom) * 72
    view = _view(box, ax_w / ax_h)
    xmin, ymin, xmax, ymax = view
    per_pt = (xmax - xmin) / ax_w  # metres per point
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_xticks([])
    ax.set_yticks([])

    ax.set_facecolor(NEIGHBOUR)  # beyond the country layer (north of 62°N) is land
    for spine in ax.spines.values():
        spine.set_linewidth(0.6 * scale)
        spine.set_edgecolor("#7a7a7a")
    _draw_basemap(ax, view, scale)
    ax.set_xlabel("")  # geopandas labels the axes with the CRS's axis names
    ax.set_ylabel("")

    def to_pt(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (x - xmin) / per_pt, (y - ymin) / per_pt

    def to_data(u: np.ndarray | float, v: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(u) * per_pt + xmin, np.asarray(v) * per_pt + ymin

    u, v = to_pt(current.x, current.y)
    cell = 1.5 * float(_symbol_diameters(np.array([0.0]), scale)[0])
    group, cu, cv = _group(u, v, diameter, cell, cluster=ring)
    su, sv, group_extent = _spread(u, v, diameter, group, cu, cv, ring=ring)
    for _ in range(4 if ring else 0):  # rings that run into each other become one ring
        merged = _merge_overlapping(group, cu, cv, group_extent)
        if merged is None:
            break
        group, cu, cv = merged
        su, sv, group_extent = _spread(u, v, diameter, group, cu, cv, ring=ring)
    counts = np.bincount(group, minlength=len(cu))
    ringed = bool(ring and ((counts >= 2) & (counts <= MAX_RING)).any())
    big = np.flatnonzero(counts > MAX_RING) if ring else np.zeros(0, dtype=np.int64)
    big = big[np.argsort(-counts[big], kind="stable")][:MAX_BADGES]

    sections = _legend_sections(current, old, scale, legend_types=legend_types, ring=ringed,
                                badge=len(big) > 0, dense=not ring)
    if landscape:
        layout = _layout_legend(sections, measure, font, scale, max_width=0.42 * width_in * 72,
                                max_height=(map_top - map_bottom) * 72, stack=True)
        legend_rect = (map_right + gap, map_bottom, width_in - pad, map_top)
    else:
        layout = _layout_legend(sections, measure, layout.font, scale,
                                max_width=(map_right - map_left) * 72,
                                max_height=(legend_rect[3] - legend_rect[1]) * 72, stack=False)
    _draw_legend(fig, legend_rect, layout, scale)

    _draw_symbols(ax, current, old, su, sv, diameter, faded_diameter, to_pt, to_data,
                  scale=scale, spread=ring, svg_ids=svg_ids)

    # Decorations in the emptiest corners, then labels around them.
    obstacles = _Obstacles()
    all_u = np.r_[su, to_pt(old.x, old.y)[0]]
    all_v = np.r_[sv, to_pt(old.x, old.y)[1]]
    if len(all_u) <= MAX_SPREAD:
        r = np.r_[diameter, faded_diameter] / 2
        obstacles.soft = np.column_stack([all_u - r, all_v - r, all_u + r, all_v + r])
    taken = _draw_scale_bar(ax, ax_w, ax_h, per_pt, scale, all_u, all_v, to_data, measure)
    obstacles.hard.append(taken[1])
    arrow = _draw_north_arrow(ax, ax_w, ax_h, per_pt, scale, all_u, all_v, to_data,
                              avoid=taken[0])
    obstacles.hard.append(arrow)
    for g in big:
        bu, bv = cu[g] + 0.55 * group_extent[g], cv[g] + 0.55 * group_extent[g]
        w, h = measure.size(f"{counts[g]:,}", 6.5 * scale, weight="bold")
        badge_box = _text_box(bu, bv, w + 5 * scale, h + 5 * scale, "center", "center")
        if obstacles.overlaps(badge_box)[0]:
            continue
        bx, by = to_data(bu, bv)
        _badge(ax, float(bx), float(by), f"{counts[g]:,}", scale)
        obstacles.hard.append(badge_box)
    _place_labels(ax, current, group, counts, cu, cv, group_extent, obstacles, measure, scale,
                  ax_w, ax_h, to_data)
    _label_areas(ax, view, obstacles, measure, scale, ax_w, ax_h, to_pt, to_data)


def _draw_header_footer(fig: Figure, page: _Page, measure: _Measure, scale: float,
                        pad: float) -> tuple[float, float]:
    """Title, period, subtitle and bottom line; returns the top and bottom left for the map."""
    width_in, height_in = fig.get_figwidth(), fig.get_figheight()
    title_font, sub_font, foot_font = 15 * scale, 9 * scale, 6.3 * scale
    period_w = (measure.size(page.period, title_font, weight="bold")[0] / 72 + 0.25 * scale
                if page.period else 0.0)
    text_w = (width_in - 2 * pad - period_w) * 72
    title_lines = measure.wrap(page.title, title_font, text_w, weight="bold", max_lines=2)
    sub_lines = measure.wrap(page.subtitle, sub_font, text_w, max_lines=3)
    foot_lines = measure.wrap(page.footer, foot_font, (width_in - 2 * pad) * 72, max_lines=4)
    top = height_in - pad
    fig.text(pad, top, "\n".join(title_lines), fontsize=title_font, fontweight="bold", color=INK,
             va="top", ha="left", transform=fig.dpi_scale_trans, linespacing=1.15)
    if page.period:
        fig.text(width_in - pad, top, page.period, fontsize=title_font, fontweight="bold",
                 color=PERIOD_COLOUR, va="top", ha="right", transform=fig.dpi_scale_trans)
    top -= len(title_lines) * title_font * 1.2 / 72 + 0.05 * scale
    fig.text(pad, top, "\n".join(sub_lines), fontsize=sub_font, color=MUTED, va="top", ha="left",
             transform=fig.dpi_scale_trans, linespacing=1.2)
    map_top = top - len(sub_lines) * sub_font * 1.25 / 72 - 0.14 * scale
    foot_h = len(foot_lines) * foot_font * 1.3 / 72
    fig.text(pad, pad * 0.7, "\n".join(foot_lines), fontsize=foot_font, color=MUTED, va="bottom",
             ha="left", transform=fig.dpi_scale_trans, linespacing=1.25)
    map_bottom = pad * 0.7 + foot_h + 0.12 * scale
    return map_top, map_bottom


def _draw_symbols(ax: Axes, current: _Points, old: _Points, u: np.ndarray, v: np.ndarray,
                  diameter: np.ndarray, faded_diameter: np.ndarray,
                  to_pt: Callable[..., tuple[np.ndarray, np.ndarray]],
                  to_data: Callable[..., tuple[np.ndarray, np.ndarray]], *, scale: float,
                  spread: bool, svg_ids: bool) -> None:
    """Earlier incidents in grey at their true positions, then the current ones at (u, v)."""
    if old.n:
        fu, fv = to_pt(old.x, old.y)
        order = np.argsort(-faded_diameter, kind="stable")
        for hollow in (False, True):
            pick = order[old.imprecise[order] == hollow]
            if len(pick):
                fx, fy = to_data(fu[pick], fv[pick])
                _add_symbols(ax, fx, fy, faded_diameter[pick], _grey(len(pick), FADED_COLOUR),
                             hollow=hollow, scale=scale, edge=old.n <= MAX_SPREAD, alpha=0.55,
                             gid=f"faded-{'imprecise' if hollow else 'exact'}", zorder=3)
    # Largest symbols first so small ones stay visible on top; white edges only while symbols
    # can still be told apart (they double the drawing time of a dense map).
    x, y = to_data(u, v)
    colours = _rgba(current.types)
    order = np.argsort(-diameter, kind="stable")
    for hollow in (False, True):
        pick = order[current.imprecise[order] == hollow]
        if not len(pick):
            continue
        if svg_ids and current.n <= MAX_SVG_SYMBOLS:
            for i in pick:
                one = np.array([i])
                _add_symbols(ax, x[one], y[one], diameter[one], colours[one], hollow=hollow,
                             scale=scale, gid=f"incident-{_sanitise_id(current.ids[i])}",
                             zorder=4 + hollow)
        else:
            _add_symbols(ax, x[pick], y[pick], diameter[pick], colours[pick], hollow=hollow,
                         scale=scale, edge=spread, alpha=0.9 if spread else 0.7, zorder=4 + hollow,
                         gid=f"incidents-{'imprecise' if hollow else 'exact'}")


def _view(box: tuple[float, ...], aspect: float) -> tuple[float, float, float, float]:
    """Projected bounds covering a (west, south, east, north) box, widened to ``aspect``."""
    west, south, east, north = box
    t = np.linspace(0, 1, 41)
    lon = np.r_[west + (east - west) * t, np.full(41, east), east - (east - west) * t,
                np.full(41, west)]
    lat = np.r_[np.full(41, south), south + (north - south) * t, np.full(41, north),
                north - (north - south) * t]
    x, y = _to_map().transform(lon, lat)
    xmin, xmax, ymin, ymax = float(np.min(x)), float(np.max(x)), float(np.min(y)), float(np.max(y))
    w, h = xmax - xmin, ymax - ymin
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        xmin, xmax = xmin - grow, xmax + grow
    else:
        grow = (w / aspect - h) / 2
        ymin, ymax = ymin - grow, ymax + grow
    return xmin, ymin, xmax, ymax


def _draw_basemap(ax: Axes, view: tuple[float, float, float, float], scale: float) -> None:
    base = _basemap()
    frame = shapely.box(*view).buffer((view[2] - view[0]) * 0.05)
    base.sea.plot(ax=ax, facecolor=SEA, edgecolor="none", aspect=None, zorder=0.5)
    near = base.countries.intersects(frame).to_numpy()
    countries = base.countries[near]
    regions = base.regions[base.regions.intersects(frame)]
    home = countries["country"] == "KZ"
    countries[~home].plot(ax=ax, facecolor=NEIGHBOUR, edgecolor="none", aspect=None, zorder=1)
    borders = base.borders[near & (base.countries["country"] != "KZ").to_numpy()]
    borders = borders[~borders.is_empty]
    if len(borders):
        borders.plot(ax=ax, color="#a3a3a3", linewidth=0.5 * scale, aspect=None, zorder=1.5)
    countries[home].plot(ax=ax, facecolor=HOME, edgecolor="none", aspect=None, zorder=1)
    inside = regions["country"] == "KZ"  # fills the Baikonur lease too, a hole in the country
    if inside.any():
        regions[inside].plot(ax=ax, facecolor=HOME, edgecolor="none", aspect=None, zorder=1)
    if len(regions):
        regions.plot(ax=ax, facecolor="none", edgecolor="#bdbdbd", linewidth=0.4 * scale,
                     aspect=None, zorder=2)
    countries[home].plot(ax=ax, facecolor="none", edgecolor="#666666", linewidth=0.9 * scale,
                         aspect=None, zorder=2)


def _pick_corner(ax_w: float, ax_h: float, w: float, h: float, margin: float,
                 u: np.ndarray, v: np.ndarray, preference: Sequence[str],
                 avoid: str = "") -> tuple[str, Box]:
    """The corner box of size w x h holding the fewest symbols (ties: ``preference`` order)."""
    best: tuple[int, int, str, Box] | None = None
    for rank, corner in enumerate(preference):
        if corner == avoid:
            continue
        x0 = margin if "left" in corner else ax_w - margin - w
        y0 = margin if "lower" in corner else ax_h - margin - h
        box = (x0, y0, x0 + w, y0 + h)
        count = _count_in(u, v, (x0 - 6, y0 - 6, x0 + w + 6, y0 + h + 6))
        if best is None or (count, rank) < (best[0], best[1]):
            best = (count, rank, corner, box)
    assert best is not None
    return best[2], best[3]


def _draw_scale_bar(ax: Axes, ax_w: float, ax_h: float, per_pt: float, scale: float,
                    u: np.ndarray, v: np.ndarray,
                    to_data: Callable[..., tuple[np.ndarray, np.ndarray]],
                    measure: _Measure) -> tuple[str, Box]:
    """A segmented scale bar of a round length, true at its own position."""
    font = 6.5 * scale
    bar_h = 3.6 * scale
    # Scale factor of the projection at the map centre, refined at the bar's position below.
    cx, cy = to_data(ax_w / 2, ax_h / 2)
    lon, lat = _from_map().transform(float(cx), float(cy))
    k = float(Proj(PROJ_STRING).get_factors(lon, lat).parallel_scale)
    km = _nice_length(ax_w * 0.2 * per_pt / k / 1000)
    label = f"{km:,.0f} km"
    label_w = measure.size(label, font)[0]
    length = km * 1000 * k / per_pt
    inner = 5 * scale
    w = length + label_w / 2 + measure.size("0", font)[0] / 2 + 2 * inner
    h = bar_h + font * 1.3 + 2 * inner
    corner, box = _pick_corner(ax_w, ax_h, w, h, 8 * scale, u, v,
                               ("lower left", "lower right", "upper left", "upper right"))
    x0, y0 = box[0] + inner + measure.size("0", font)[0] / 2, box[1] + inner
    mx, my = to_data(x0 + length / 2, y0)
    lon, lat = _from_map().transform(float(mx), float(my))
    k = float(Proj(PROJ_STRING).get_factors(lon, lat).parallel_scale)
    length = km * 1000 * k / per_pt
    bg_x, bg_y = to_data(box[0], box[1])
    ax.add_patch(FancyBboxPatch(
        (float(bg_x), float(bg_y)), w * per_pt, h * per_pt,
        boxstyle=f"round,pad=0,rounding_size={3 * scale * per_pt}",
        facecolor="white", edgecolor="#b0b0b0", linewidth=0.4 * scale, alpha=0.88, zorder=8))
    parts = 5 if km / 10 ** math.floor(math.log10(km)) == 5 else 4
    for i in range(parts):
        sx, sy = to_data(x0 + length * i / parts, y0)
        ax.add_patch(Rectangle((float(sx), float(sy)), length / parts * per_pt, bar_h * per_pt,
                               facecolor=INK if i % 2 == 0 else "white", edgecolor=INK,
                               linewidth=0.5 * scale, zorder=9))
    for value, text in ((0.0, "0"), (1.0, label)):
        tx, ty = to_data(x0 + length * value, y0 + bar_h + 1.5 * scale)
        ax.text(float(tx), float(ty), text, fontsize=font, color=INK, ha="center", va="bottom",
                zorder=9)
    return corner, box


def _draw_north_arrow(ax: Axes, ax_w: float, ax_h: float, per_pt: float, scale: float,
                      u: np.ndarray, v: np.ndarray,
                      to_data: Callable[..., tuple[np.ndarray, np.ndarray]],
                      *, avoid: str) -> Box:
    """An arrow pointing to true north where it stands (meridians converge in this projection)."""
    size = 24 * scale
    w, h = size * 0.8, size + 11 * scale
    _, box = _pick_corner(ax_w, ax_h, w, h, 8 * scale, u, v,
                          ("upper right", "upper left", "lower right", "lower left"), avoid=avoid)
    cx, cy = (box[0] + box[2]) / 2, box[1] + size / 2 + 1 * scale
    dx, dy = to_data(cx, cy)
    lon, lat = _from_map().transform(float(dx), float(dy))
    nx, ny = _to_map().transform(lon, lat + 0.5)
    angle = math.atan2(ny - float(dy), nx - float(dx))
    ux, uy = math.cos(angle), math.sin(angle)
    px, py = -uy, ux

    def at(along: float, across: float) -> tuple[float, float]:
        x, y = to_data(cx + ux * along + px * across, cy + uy * along + py * across)
        return float(x), float(y)

    half, wing = size / 2, size * 0.26
    tip, notch = at(half, 0), at(-half * 0.45, 0)
    ax.add_patch(Polygon([tip, at(-half, wing), notch], closed=True, facecolor="white",
                         edgecolor=INK, linewidth=0.6 * scale, zorder=9))
    ax.add_patch(Polygon([tip, at(-half, -wing), notch], closed=True, facecolor=INK,
                         edgecolor=INK, linewidth=0.6 * scale, zorder=9))
    nx_, ny_ = at(half + 1.5 * scale, 0)
    ax.text(nx_, ny_, "N", fontsize=8.5 * scale, fontweight="bold", color=INK, ha="center",
            va="bottom", rotation=math.degrees(angle) - 90, rotation_mode="anchor", zorder=9,
            path_effects=[patheffects.withStroke(linewidth=2.2 * scale, foreground="white")])
    return box


def _halo_text(ax: Axes, x: float, y: float, text: str, *, scale: float,
               **style: Any) -> None:
    """Text with a white halo. The halo is a separate outline-only artist underneath, so the
    text itself stays text in SVG and PDF (selectable, searchable, editable)."""
    halo = [patheffects.Stroke(linewidth=2.4 * scale, foreground="white", alpha=0.92)]
    ax.text(x, y, text, path_effects=halo, **style)
    ax.text(x, y, text, **style)


def _place_labels(ax: Axes, current: _Points, group: np.ndarray, counts: np.ndarray,
                  cu: np.ndarray, cv: np.ndarray, extent: np.ndarray, obstacles: _Obstacles,
                  measure: _Measure, scale: float, ax_w: float, ax_h: float,
                  to_data: Callable[..., tuple[np.ndarray, np.ndarray]]) -> None:
    """Label the places with the most incidents, once each, where a label fits."""
    if not current.n:
        return
    killed = np.bincount(group, np.nan_to_num(current.killed), len(counts))
    candidates = np.lexsort((-killed, -counts))[: MAX_LABELS * 3]
    font = 7.6 * scale
    placed = 0
    for g in candidates:
        if placed >= MAX_LABELS:
            break
        members = group == g
        vague = bool(current.imprecise[members].all())
        # A place located exactly names the group before a region's or country's centre.
        name = _label_name(current.places[members & (vague | ~current.imprecise)])
        if not name:
            continue
        style: Literal["normal", "italic"] = "italic" if vague else "normal"
        w, h = measure.size(name, font, style=style)
        h = font * 1.2
        d = float(extent[g]) + 1.5 * scale
        e = d * 0.72
        options = [(d, 0, "left", "center"), (-d, 0, "right", "center"),
                   (0, d, "center", "bottom"), (0, -d, "center", "top"),
                   (e, e, "left", "bottom"), (e, -e, "left", "top"),
                   (-e, e, "right", "bottom"), (-e, -e, "right", "top")]
        # The first position clear of other labels and symbols; none clear: no label, since a
        # label touching another place's symbol would name the wrong place.
        for dx, dy, ha, va in options:
            x, y = float(cu[g] + dx), float(cv[g] + dy)
            box = _text_box(x, y, w, h, ha, va)
            if box[0] < 2 or box[1] < 2 or box[2] > ax_w - 2 or box[3] > ax_h - 2:
                continue
            hard, soft = obstacles.overlaps(box, pad=1.5 * scale)
            if hard or soft:
                continue
            tx, ty = to_data(x, y)
            _halo_text(ax, float(tx), float(ty), name, scale=scale, fontsize=font,
                       color=INK if not vague else MUTED, style=style, ha=ha, va=va, zorder=7)
            obstacles.hard.append(box)
            placed += 1
            break


def _label_areas(ax: Axes, view: tuple[float, float, float, float], obstacles: _Obstacles,
                 measure: _Measure, scale: float, ax_w: float, ax_h: float,
                 to_pt: Callable[..., tuple[np.ndarray, np.ndarray]],
                 to_data: Callable[..., tuple[np.ndarray, np.ndarray]]) -> None:
    """Faint names of neighbouring countries and of regions, only where they fit."""
    base = _basemap()
    countries, regions = base.countries, base.regions
    frame = shapely.box(*view)
    items: list[tuple[str, object, float, str]] = []
    for name, code, geom in countries[["name", "country", "geometry"]].itertuples(index=False):
        if isinstance(name, str) and code != "KZ":
            items.append((name.upper(), geom, 7.0 * scale, "#8f8f8f"))
    for name, geom in regions[["region", "geometry"]].itertuples(index=False):
        items.append((str(name), geom, 6.0 * scale, "#a3a3a3"))
    per_pt = (view[2] - view[0]) / ax_w
    for text, geom, font, colour in items:
        part = shapely.intersection(geom, frame)
        if part.is_empty or part.area <= 0:
            continue
        point = part.representative_point()
        u, v = (float(c[0]) for c in to_pt(np.array([point.x]), np.array([point.y])))
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
            box = _text_box(x, y, w, h, ha, "center")
            if box[0] < 4 or box[1] < 4 or box[2] > ax_w - 4 or box[3] > ax_h - 4:
                continue
            hard, soft = obstacles.overlaps(box, pad=3 * scale)
            if hard or soft:
                continue
            tx, ty = to_data(x, y)
            ax.text(float(tx), float(ty), text, fontsize=font, color=colour, ha=ha,
                    va="center", zorder=2.5, style="italic" if colour == "#a3a3a3" else "normal")
            obstacles.hard.append(box)
            break


__all__ = [
    "FORMATS",
    "PROJ_STRING",
    "SIZES",
    "check_extent",
    "data_extent",
    "default_title",
    "parse_size",
    "render_snapshot",
]
