"""The page of a static map: title, subtitle, period and bottom line around the map and legend.

``_draw`` composes a page on a figure: the header and footer, the legend panel (beside a
landscape map, under a portrait one), the map with its basemap, symbols and count badges, then
the scale bar and north arrow in the emptiest corners and the labels around them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from geo.snapshot.decor import _draw_basemap, _draw_north_arrow, _draw_scale_bar
from geo.snapshot.labels import _label_areas, _Obstacles, _place_labels, _text_box
from geo.snapshot.legend import LegendScope, _draw_legend, _layout_legend, _legend_sections
from geo.snapshot.projection import PROJECTION_NOTE, _Points, _view
from geo.snapshot.style import (
    INK,
    MUTED,
    NEIGHBOUR,
    PERIOD_COLOUR,
    REFERENCE_SHORT_SIDE_IN,
    _Measure,
)
from geo.snapshot.symbols import (
    MAX_RING,
    MAX_SPREAD,
    _badge,
    _draw_symbols,
    _group,
    _merge_overlapping,
    _spread,
    _symbol_diameters,
)

MAX_BADGES = 25
BOUNDARIES_CREDIT = "boundaries: Natural Earth (public domain)"


@dataclass
class _Page:
    title: str
    subtitle: str
    period: str
    footer: str


def _footer(
    incidents: pd.DataFrame,
    faded: pd.DataFrame | None,
    current: _Points,
    old: _Points,
    credits: str | None,
) -> str:
    shown = current.n + old.n
    sources: set[str] = set()
    for table in (incidents, faded):
        if table is not None and "sources" in table.columns:
            for cell in table["sources"].dropna().astype(str):
                sources.update(s.strip() for s in cell.split(";") if s.strip())
    cited = (
        f"{len(sources)} cited source{'s' if len(sources) != 1 else ''}"
        if sources
        else "the cited sources"
    )
    text = (
        f"Data: Incident Atlas, {shown:,} incident{'s' if shown != 1 else ''} from {cited}; "
        f"{BOUNDARIES_CREDIT}. Projection: {PROJECTION_NOTE}."
    )
    dropped = current.dropped + old.dropped
    if dropped:
        text += f" {dropped:,} incident{'s' if dropped != 1 else ''} without coordinates not shown."
    if credits:
        text += " " + str(credits).strip()
    return text


def _draw(
    fig: Figure,
    page: _Page,
    current: _Points,
    old: _Points,
    *,
    box: tuple[float, ...],
    svg_ids: bool,
    raster: bool,
    measure: _Measure,
    legend: LegendScope | None,
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
    draft = _legend_sections(
        current, old, scale, scope=legend, ring=ring, badge=True, dense=not ring
    )
    font = 7.8 * scale
    if landscape:
        layout = _layout_legend(
            draft,
            measure,
            font,
            scale,
            max_width=0.42 * width_in * 72,
            max_height=(map_top - map_bottom) * 72,
            stack=True,
        )
        legend_w = layout.width / 72 + 0.05
        map_right = width_in - pad - legend_w - gap
    else:
        layout = _layout_legend(
            draft,
            measure,
            font,
            scale,
            max_width=(map_right - map_left) * 72,
            max_height=(map_top - map_bottom) * 0.3 * 72,
            stack=False,
        )
        legend_h = layout.height / 72 + 0.05
        legend_rect = (map_left, map_bottom, map_right, map_bottom + legend_h)
        map_bottom += legend_h + gap

    ax = fig.add_axes(
        (
            map_left / width_in,
            map_bottom / height_in,
            (map_right - map_left) / width_in,
            (map_top - map_bottom) / height_in,
        )
    )
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

    sections = _legend_sections(
        current,
        old,
        scale,
        scope=legend,
        ring=ringed,
        badge=len(big) > 0,
        dense=not ring,
    )
    if landscape:
        layout = _layout_legend(
            sections,
            measure,
            font,
            scale,
            max_width=0.42 * width_in * 72,
            max_height=(map_top - map_bottom) * 72,
            stack=True,
        )
        legend_rect = (map_right + gap, map_bottom, width_in - pad, map_top)
    else:
        layout = _layout_legend(
            sections,
            measure,
            layout.font,
            scale,
            max_width=(map_right - map_left) * 72,
            max_height=(legend_rect[3] - legend_rect[1]) * 72,
            stack=False,
        )
    _draw_legend(fig, legend_rect, layout, scale)

    _draw_symbols(
        ax,
        current,
        old,
        su,
        sv,
        diameter,
        faded_diameter,
        to_pt,
        to_data,
        scale=scale,
        spread=ring,
        svg_ids=svg_ids,
    )

    # Decorations in the emptiest corners, then labels around them.
    obstacles = _Obstacles()
    all_u = np.r_[su, to_pt(old.x, old.y)[0]]
    all_v = np.r_[sv, to_pt(old.x, old.y)[1]]
    if len(all_u) <= MAX_SPREAD:
        r = np.r_[diameter, faded_diameter] / 2
        obstacles.soft = np.column_stack([all_u - r, all_v - r, all_u + r, all_v + r])
    taken = _draw_scale_bar(ax, ax_w, ax_h, per_pt, scale, all_u, all_v, to_data, measure)
    obstacles.hard.append(taken[1])
    arrow = _draw_north_arrow(ax, ax_w, ax_h, per_pt, scale, all_u, all_v, to_data, avoid=taken[0])
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
    _place_labels(
        ax,
        current,
        group,
        counts,
        cu,
        cv,
        group_extent,
        obstacles,
        measure,
        scale,
        ax_w,
        ax_h,
        to_data,
    )
    _label_areas(ax, view, obstacles, measure, scale, ax_w, ax_h, to_pt, to_data)


def _draw_header_footer(
    fig: Figure, page: _Page, measure: _Measure, scale: float, pad: float
) -> tuple[float, float]:
    """Title, period, subtitle and bottom line; returns the top and bottom left for the map."""
    width_in, height_in = fig.get_figwidth(), fig.get_figheight()
    title_font, sub_font, foot_font = 15 * scale, 9 * scale, 6.3 * scale
    period_w = (
        measure.size(page.period, title_font, weight="bold")[0] / 72 + 0.25 * scale
        if page.period
        else 0.0
    )
    text_w = (width_in - 2 * pad - period_w) * 72
    title_lines = measure.wrap(page.title, title_font, text_w, weight="bold", max_lines=2)
    sub_lines = measure.wrap(page.subtitle, sub_font, text_w, max_lines=3)
    foot_lines = measure.wrap(page.footer, foot_font, (width_in - 2 * pad) * 72, max_lines=4)
    top = height_in - pad
    fig.text(
        pad,
        top,
        "\n".join(title_lines),
        fontsize=title_font,
        fontweight="bold",
        color=INK,
        va="top",
        ha="left",
        transform=fig.dpi_scale_trans,
        linespacing=1.15,
    )
    if page.period:
        fig.text(
            width_in - pad,
            top,
            page.period,
            fontsize=title_font,
            fontweight="bold",
            color=PERIOD_COLOUR,
            va="top",
            ha="right",
            transform=fig.dpi_scale_trans,
        )
    top -= len(title_lines) * title_font * 1.2 / 72 + 0.05 * scale
    fig.text(
        pad,
        top,
        "\n".join(sub_lines),
        fontsize=sub_font,
        color=MUTED,
        va="top",
        ha="left",
        transform=fig.dpi_scale_trans,
        linespacing=1.2,
    )
    map_top = top - len(sub_lines) * sub_font * 1.25 / 72 - 0.14 * scale
    foot_h = len(foot_lines) * foot_font * 1.3 / 72
    fig.text(
        pad,
        pad * 0.7,
        "\n".join(foot_lines),
        fontsize=foot_font,
        color=MUTED,
        va="bottom",
        ha="left",
        transform=fig.dpi_scale_trans,
        linespacing=1.25,
    )
    map_bottom = pad * 0.7 + foot_h + 0.12 * scale
    return map_top, map_bottom
