"""The legend of a static map: its sections, their layout in a panel, and drawing them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

from geo.snapshot.projection import Points
from geo.snapshot.style import FADED_COLOUR, INK, MUTED, Box, Measure
from geo.snapshot.symbols import add_symbols, count_badge, greyed, symbol_diameters
from geo.symbology import CLASS_LABELS, OTHER_COLOUR, SYMBOL_CAP, TYPE_COLOURS, type_label


@dataclass
class Row:
    label: str
    diameter: float = 0.0  # symbol diameter in points; 0 for a badge or text row
    colour: str = MUTED
    style: str = "exact"
    alpha: float = 0.9
    badge: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class LegendScope:
    """What a legend covers when it must not change from one picture to the next (the frames
    of a time-lapse): the event types and the largest killed figure of the whole series."""

    types: tuple[str, ...]
    killed_top: float


def legend_sections(
    current: Points,
    old: Points,
    scale: float,
    *,
    scope: LegendScope | None,
    ring: bool,
    badge: bool,
    dense: bool,
) -> list[Section]:
    present = set(current.types) if scope is None else set(scope.types)
    kinds = [t for t in TYPE_COLOURS if t in present]
    others = sorted(present - set(TYPE_COLOURS))
    base = float(symbol_diameters(np.array([0.0]), scale)[0])
    types = Section("Event type", [Row(type_label(t), base, TYPE_COLOURS[t]) for t in kinds])
    if others:
        types.rows.append(
            Row("other: " + ", ".join(type_label(t) for t in others[:3]), base, OTHER_COLOUR)
        )
    # The precision classes drawn (all three for a series, whose frames differ).
    drawn = set(CLASS_LABELS) if scope is not None else {*current.classes, *old.classes}
    located = Section(
        "Located",
        [Row(CLASS_LABELS[c], base, MUTED, style=c) for c in CLASS_LABELS if c in drawn],
    )
    killed = np.r_[current.killed, old.killed]
    top = float(np.nanmax(killed)) if np.isfinite(killed).any() else 0.0
    if scope is not None:
        top = scope.killed_top
    capped = top > SYMBOL_CAP
    steps = [v for v in (1, 5, 20, 50) if v < min(top, SYMBOL_CAP)][-2:]
    if top >= 1:
        steps.append(SYMBOL_CAP if capped else int(round(top)))
    sizes = Section("Killed (best figure)", [Row("none or no figure", base, MUTED)])
    for value in steps:
        diameter = float(symbol_diameters(np.array([float(value)]), scale)[0])
        label = f"{value}" + (" (most)" if value == steps[-1] and len(steps) > 1 else "")
        if capped and value == steps[-1]:
            label = f"{SYMBOL_CAP} or more (most: {int(round(top)):,})"
        sizes.rows.append(Row(label, diameter, MUTED))
    notes = Section("", [])
    if old.n:
        notes.rows.append(Row("earlier periods", base, FADED_COLOUR, alpha=0.55))
    if ring:
        notes.rows.append(Row("a ring: several at or near one place; a line leads to each"))
    if badge:
        notes.rows.append(Row("incidents at or near one place", badge="14"))
    if dense:
        notes.rows.append(Row(f"{current.n:,} incidents: symbols overlap"))
    return [s for s in (types, located, sizes, notes) if s.rows]


@dataclass
class LegendLayout:
    width: float
    height: float
    font: float
    placed: list[tuple[Section, float, float, float]]  # section, x, y_top, column width


def layout_legend(
    sections: list[Section],
    measure: Measure,
    font: float,
    scale: float,
    max_width: float,
    max_height: float,
    *,
    stack: bool,
) -> LegendLayout:
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
                max(r.diameter, font * 1.25) + 3.5 * scale for r in section.rows
            )
            boxes.append((symbol_col + text_w + 2, height))
        placed: list[tuple[Section, float, float, float]] = []
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
        layout = LegendLayout(width, height, font, placed)
        if (height <= max_height and width <= max_width) or font < first * 0.62:
            return layout
        font *= 0.9


def draw_legend(fig: Figure, rect: Box, layout: LegendLayout, scale: float) -> None:
    """Draw the legend in its own axes whose data units are points from the top left."""
    x0, y0, x1, y1 = rect  # inches on the page
    ax = fig.add_axes(
        (
            x0 / fig.get_figwidth(),
            y0 / fig.get_figheight(),
            (x1 - x0) / fig.get_figwidth(),
            (y1 - y0) / fig.get_figheight(),
        )
    )
    ax.set_axis_off()
    width_pt, height_pt = (x1 - x0) * 72, (y1 - y0) * 72
    ax.set_xlim(0, width_pt)
    ax.set_ylim(-height_pt, 0)
    font = layout.font
    for section, sx, sy, _ in layout.placed:
        y = -sy
        symbol_col = max([r.diameter for r in section.rows] + [font * 1.2]) + 5 * scale
        if section.title:
            ax.text(
                sx,
                y,
                section.title,
                fontsize=font * 1.06,
                fontweight="bold",
                color=INK,
                va="top",
                ha="left",
            )
            y -= font * 1.06 * 1.5
        for row in section.rows:
            h = max(row.diameter, font * 1.25) + 3.5 * scale
            cy = y - h / 2
            cx = sx + symbol_col / 2 - 2.5 * scale
            if row.diameter:
                add_symbols(
                    ax,
                    np.array([cx]),
                    np.array([cy]),
                    np.array([row.diameter]),
                    greyed(1, row.colour),
                    style=row.style,
                    scale=scale,
                    alpha=row.alpha,
                )
                text_x = sx + symbol_col
            elif row.badge:
                count_badge(ax, cx, cy, row.badge, scale)
                text_x = sx + symbol_col
            else:
                text_x = sx
            ax.text(
                text_x, cy, row.label, fontsize=font, color=INK, va="center_baseline", ha="left"
            )
            y -= h
