"""The page of a static map: title, subtitle, period and bottom line around the map and legend.

``draw`` composes a page on a figure: the header and footer (``_Sheet``), the room for the map
and for the legend (beside a landscape map, under a portrait one: ``_Room``), the map with its
basemap (``MapArea``), the symbols, then the scale bar and north arrow in the emptiest corners,
count badges and the labels around them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from geo.snapshot.area import MapArea
from geo.snapshot.cell_circles import AGGREGATE_ABOVE, cell_legend, cells_of, draw_cells
from geo.snapshot.decor import draw_basemap, draw_north_arrow, draw_scale_bar
from geo.snapshot.labels import Obstacles, label_areas, place_labels, text_box
from geo.snapshot.legend import (
    LegendLayout,
    LegendScope,
    Section,
    draw_legend,
    layout_legend,
    legend_sections,
)
from geo.snapshot.projection import MapProjection, Points, view_box
from geo.snapshot.style import (
    INK,
    MUTED,
    PERIOD_COLOUR,
    REFERENCE_SHORT_SIDE_IN,
    SEA,
    Measure,
)
from geo.snapshot.symbols import MAX_SPREAD, SymbolLayout, arrange, count_badge, draw_symbols

MAX_BADGES = 25
BOUNDARIES_CREDIT = "boundaries: Natural Earth (public domain)"


@dataclass
class Page:
    title: str
    subtitle: str
    period: str
    footer: str


def page_footer(
    incidents: pd.DataFrame,
    faded: pd.DataFrame | None,
    current: Points,
    old: Points,
    credits: str | None,
    projection: MapProjection,
) -> str:
    shown = current.n + old.n
    sources: set[str] = set()
    for table in (incidents, faded):
        if table is not None and "sources" in table.columns:
            # Each distinct cell once: a million rows cite a few thousand combinations.
            for cell in table["sources"].dropna().astype(str).unique():
                sources.update(s.strip() for s in cell.split(";") if s.strip())
    cited = (
        f"{len(sources)} cited source{'s' if len(sources) != 1 else ''}"
        if sources
        else "the cited sources"
    )
    maker = " and ".join(_datasets(incidents, faded))
    text = (
        f"Data: {maker + ' via ' if maker else ''}Incident Atlas, "
        f"{shown:,} incident{'s' if shown != 1 else ''} from {cited}; "
        f"{BOUNDARIES_CREDIT}. Projection: {projection.note}"
        + ("; no single scale holds across a world map." if projection.world else ".")
    )
    dropped = current.dropped + old.dropped
    if dropped:
        text += f" {dropped:,} incident{'s' if dropped != 1 else ''} without coordinates not shown."
    if credits:
        text += " " + str(credits).strip()
    return text


def _datasets(*tables: pd.DataFrame | None) -> list[str]:
    """The datasets the drawn incidents were imported from (ACLED, GTD, UCDP GED): their
    makers are credited in the footer."""
    names: set[str] = set()
    for table in tables:
        if table is not None and "dataset" in table.columns:
            names.update(str(v).strip() for v in table["dataset"].dropna().unique())
    return sorted(names - {""})


@dataclass(frozen=True)
class Output:
    """What the file format asks of the drawing."""

    svg_ids: bool
    """One SVG element per incident (``id="incident-<id>"``)."""
    raster: bool
    """A PNG: a small page keeps its smallest text readable in pixels."""
    measure: Measure
    """Text sizes as this output renders them."""


@dataclass(frozen=True)
class _Sheet:
    """The figure as a page: its size in inches, its scale (1 for A4) and margin."""

    fig: Figure
    measure: Measure
    scale: float

    @classmethod
    def of(cls, fig: Figure, output: Output) -> _Sheet:
        width_in, height_in = fig.get_figwidth(), fig.get_figheight()
        scale = min(max(min(width_in, height_in) / REFERENCE_SHORT_SIDE_IN, 0.3), 3.0)
        if output.raster:  # small images: keep the smallest text (6.3 pt at scale 1) 7.5 px high
            scale = max(scale, min(7.5 / (6.3 * fig.dpi / 72), 1.0))
        return cls(fig, output.measure, scale)

    @property
    def width(self) -> float:
        return float(self.fig.get_figwidth())

    @property
    def height(self) -> float:
        return float(self.fig.get_figheight())

    @property
    def pad(self) -> float:
        return 0.32 * self.scale

    @property
    def landscape(self) -> bool:
        """A landscape page has the legend beside the map; a portrait one, under it."""
        return self.width >= self.height * 1.15

    def text(self, x: float, y: float, text: str, **style: Any) -> None:
        """Text at (x, y) inches from the page's lower left corner."""
        self.fig.text(x, y, text, transform=self.fig.dpi_scale_trans, **style)


Rect = tuple[float, float, float, float]
"""(left, bottom, right, top) in inches from the page's lower left corner."""


@dataclass(frozen=True)
class _Room:
    """Where the map and the legend go, and the legend's font size."""

    map: Rect
    legend: Rect
    font: float


@dataclass(frozen=True)
class Placement:
    """What the map shows and how: the (west, south, east, north) box, its projection and the
    home countries (those with incidents, drawn in white with their regions)."""

    box: tuple[float, ...]
    projection: MapProjection
    home: frozenset[str]


def draw(
    fig: Figure,
    page: Page,
    current: Points,
    old: Points,
    placement: Placement,
    output: Output,
    scope: LegendScope | None,
) -> None:
    """Compose the page on ``fig`` (the module docstring lists the steps)."""
    sheet = _Sheet.of(fig, output)
    map_top, map_bottom = _draw_header(sheet, page), _draw_footer(sheet, page)
    if current.n + old.n > AGGREGATE_ABOVE:
        _draw_cells_page(sheet, current, old, placement, (map_top, map_bottom))
        return
    ring = current.n <= MAX_SPREAD
    draft = legend_sections(
        current, old, sheet.scale, scope=scope, ring=ring, badge=True, dense=not ring
    )
    beside = _beside(sheet, placement)
    room = _plan(sheet, draft, map_top, map_bottom, beside=beside)
    area = _map_area(sheet, room.map, placement)
    layout = arrange(current, old, area)
    sections = legend_sections(
        current,
        old,
        sheet.scale,
        scope=scope,
        ring=layout.ringed,
        badge=len(layout.badged(MAX_BADGES)) > 0,
        dense=not ring,
    )
    legend_height = (room.legend[3] - room.legend[1]) * 72
    draw_legend(
        fig,
        room.legend,
        _legend_layout(sheet, sections, room.font, legend_height, beside=beside),
        sheet.scale,
    )
    draw_symbols(area, current, old, layout, svg_ids=output.svg_ids)
    _decorate(area, current, old, layout)


def _draw_cells_page(
    sheet: _Sheet,
    current: Points,
    old: Points,
    placement: Placement,
    room_between: tuple[float, float],
) -> None:
    """The map of many incidents: counts per cell (:mod:`geo.snapshot.cell_circles`), the area
    names, and the scale bar and north arrow where the cells leave room."""
    n = current.n + old.n
    # Drafted with the largest count it can show: the legend's width does not depend on it.
    draft = cell_legend(n, n, 1000.0, sheet.scale, faded=old.n > 0)
    beside = _beside(sheet, placement)
    room = _plan(sheet, draft, *room_between, beside=beside)
    area = _map_area(sheet, room.map, placement)
    cells, faded = cells_of(current, area), cells_of(old, area)
    top = int(max(cells.count.max(initial=1), faded.count.max(initial=1)))
    sections = cell_legend(top, n, cells.side_km, sheet.scale, faded=old.n > 0)
    legend_height = (room.legend[3] - room.legend[1]) * 72
    draw_legend(
        sheet.fig,
        room.legend,
        _legend_layout(sheet, sections, room.font, legend_height, beside=beside),
        sheet.scale,
    )
    draw_cells(area, faded, top, faded=True)
    draw_cells(area, cells, top, faded=False)
    obstacles = Obstacles()
    u, v = np.r_[cells.u, faded.u], np.r_[cells.v, faded.v]
    if not area.projection.world:
        corner, taken = draw_scale_bar(area, u, v)
        obstacles.hard.append(taken)
        obstacles.hard.append(draw_north_arrow(area, u, v, avoid=corner))
    label_areas(area, obstacles)


def _legend_layout(
    sheet: _Sheet, sections: list[Section], font: float, max_height: float, *, beside: bool
) -> LegendLayout:
    """The legend's sections in columns beside the map (``beside``), else in rows under it."""
    if beside:
        max_width, stack = 0.42 * sheet.width * 72, True
    else:
        max_width, stack = ((sheet.width - sheet.pad) - sheet.pad) * 72, False
    return layout_legend(
        sections,
        sheet.measure,
        font,
        sheet.scale,
        max_width=max_width,
        max_height=max_height,
        stack=stack,
    )


def _beside(sheet: _Sheet, placement: Placement) -> bool:
    """Whether the legend goes beside the map: on a landscape page, unless the map is of the
    whole world (twice as wide as high, it fills the page's width with the legend under it)."""
    return sheet.landscape and not placement.projection.world


def _plan(
    sheet: _Sheet, draft: list[Section], map_top: float, map_bottom: float, *, beside: bool
) -> _Room:
    """Share the room between the header and footer out between the map and the legend, from
    a draft of the legend (before the map is drawn, rings and badges are not known)."""
    font = 7.8 * sheet.scale
    gap = 0.18 * sheet.scale
    left, right = sheet.pad, sheet.width - sheet.pad
    if beside:
        layout = _legend_layout(sheet, draft, font, (map_top - map_bottom) * 72, beside=True)
        right = sheet.width - sheet.pad - (layout.width / 72 + 0.05) - gap
        legend = (right + gap, map_bottom, sheet.width - sheet.pad, map_top)
        if right - left >= 0.45 * (sheet.width - 2 * sheet.pad):  # else: too narrow, below
            return _Room((left, map_bottom, right, map_top), legend, font)
        right = sheet.width - sheet.pad
    layout = _legend_layout(sheet, draft, font, (map_top - map_bottom) * 0.3 * 72, beside=False)
    legend_h = layout.height / 72 + 0.05
    legend = (left, map_bottom, right, map_bottom + legend_h)
    return _Room((left, map_bottom + (legend_h + gap), right, map_top), legend, layout.font)


def _map_area(sheet: _Sheet, rect: Rect, placement: Placement) -> MapArea:
    """Axes for the map in ``rect``, showing the placement's box, with the basemap drawn."""
    left, bottom, right, top = rect
    width_in, height_in = sheet.width, sheet.height
    # A small page whose title, legend and notes leave little room still gets a map (a third
    # of the page at least), over what it must then cover.
    right, bottom = max(right, left + width_in / 3), min(bottom, top - height_in / 3)
    if bottom < 0:
        bottom, top = 0.0, height_in / 3
    ax = sheet.fig.add_axes(
        (left / width_in, bottom / height_in, (right - left) / width_in, (top - bottom) / height_in)
    )
    ax_w, ax_h = (right - left) * 72, (top - bottom) * 72
    # A world map shows the whole globe, not a band of it cut flat at the top and bottom.
    box = (-180.0, -89.9, 180.0, 89.9) if placement.projection.world else placement.box
    view = view_box(box, ax_w / ax_h, placement.projection)
    xmin, ymin, xmax, ymax = view
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white" if placement.projection.world else SEA)
    for spine in ax.spines.values():
        spine.set_linewidth(0.6 * sheet.scale)
        spine.set_edgecolor("#7a7a7a")
    area = MapArea(ax, ax_w, ax_h, view, sheet.scale, sheet.measure, placement.projection)
    base = draw_basemap(area, placement.box, placement.home)
    ax.set_xlabel("")  # geopandas labels the axes with the CRS's axis names
    ax.set_ylabel("")
    return replace(area, basemap=base)


def _decorate(area: MapArea, current: Points, old: Points, layout: SymbolLayout) -> None:
    """Scale bar and north arrow in the emptiest corners, count badges, then the labels where
    they cover none of these."""
    obstacles = Obstacles()
    old_u, old_v = area.to_pt(old.x, old.y)
    all_u, all_v = np.r_[layout.u, old_u], np.r_[layout.v, old_v]
    if len(all_u) <= MAX_SPREAD:
        r = np.r_[layout.diameter, layout.faded_diameter] / 2
        obstacles.soft = np.column_stack([all_u - r, all_v - r, all_u + r, all_v + r])
    if not area.projection.world:  # no single scale or north holds across a world map
        corner, taken = draw_scale_bar(area, all_u, all_v)
        obstacles.hard.append(taken)
        obstacles.hard.append(draw_north_arrow(area, all_u, all_v, avoid=corner))
    _draw_badges(area, layout, obstacles)
    place_labels(area, current, layout, obstacles)
    label_areas(area, obstacles)


def _draw_badges(area: MapArea, layout: SymbolLayout, obstacles: Obstacles) -> None:
    """A count at the edge of each group too big for a ring, where it covers nothing else."""
    scale = area.scale
    for g in layout.badged(MAX_BADGES):
        bu = layout.cu[g] + 0.55 * layout.extent[g]
        bv = layout.cv[g] + 0.55 * layout.extent[g]
        text = f"{layout.counts[g]:,}"
        w, h = area.measure.size(text, 6.5 * scale, weight="bold")
        badge_box = text_box(bu, bv, w + 5 * scale, h + 5 * scale, "center", "center")
        if obstacles.overlaps(badge_box)[0]:
            continue
        bx, by = area.to_data(bu, bv)
        count_badge(area.ax, float(bx), float(by), text, scale)
        obstacles.hard.append(badge_box)


def _draw_header(sheet: _Sheet, page: Page) -> float:
    """Title, period and subtitle; returns where the map's top may be, in inches."""
    scale, pad, measure = sheet.scale, sheet.pad, sheet.measure
    title_font, sub_font = 15 * scale, 9 * scale
    period_w = (
        measure.size(page.period, title_font, weight="bold")[0] / 72 + 0.25 * scale
        if page.period
        else 0.0
    )
    text_w = (sheet.width - 2 * pad - period_w) * 72
    title_lines = measure.wrap(page.title, title_font, text_w, weight="bold", max_lines=2)
    # The filters are said in full: smaller type before a fourth line, and not cut short
    # (a caption ending "2012-09-01 to ..." misleads the report's reader) where the page has room.
    # At most a quarter of the page: a page too small for them all ends the last line with "…".
    for shrink in (1.0, 0.9, 0.8, 0.7):
        room = max(3, int(0.25 * sheet.height * 72 / (sub_font * shrink * 1.25)))
        sub_lines = measure.wrap(page.subtitle, sub_font * shrink, text_w, max_lines=room)
        if len(sub_lines) <= 3:
            break
    sub_font *= shrink
    top = sheet.height - pad
    sheet.text(
        pad, top, "\n".join(title_lines), fontsize=title_font, fontweight="bold", color=INK,
        va="top", ha="left", linespacing=1.15,
    )  # fmt: skip
    if page.period:
        sheet.text(
            sheet.width - pad, top, page.period, fontsize=title_font, fontweight="bold",
            color=PERIOD_COLOUR, va="top", ha="right",
        )  # fmt: skip
    top -= len(title_lines) * title_font * 1.2 / 72 + 0.05 * scale
    sheet.text(
        pad, top, "\n".join(sub_lines), fontsize=sub_font, color=MUTED, va="top", ha="left",
        linespacing=1.2,
    )  # fmt: skip
    return top - len(sub_lines) * sub_font * 1.25 / 72 - 0.14 * scale


def _draw_footer(sheet: _Sheet, page: Page) -> float:
    """The bottom line (data, sources, boundaries, projection); returns where the map's bottom
    may be, in inches."""
    scale, pad = sheet.scale, sheet.pad
    foot_font = 6.3 * scale
    foot_lines = sheet.measure.wrap(
        page.footer, foot_font, (sheet.width - 2 * pad) * 72, max_lines=4
    )
    sheet.text(
        pad, pad * 0.7, "\n".join(foot_lines), fontsize=foot_font, color=MUTED, va="bottom",
        ha="left", linespacing=1.25,
    )  # fmt: skip
    return pad * 0.7 + len(foot_lines) * foot_font * 1.3 / 72 + 0.12 * scale
