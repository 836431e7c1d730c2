"""A one-page situation brief (PDF or PNG): the latest period against its baseline, for the
selection: headline figures, the change map, the top rises and the most active actors.

Drawn with matplotlib like the snapshots, and as deterministic: the same table, filters and
trend give the same bytes (no creation date; fixed fonts). Names from the data are drawn as
plain text (``text.parse_math`` off), never markup.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from geo.errors import FilterError, UsageError
from geo.snapshot.style import SEA
from geo.trends import Trend, trends
from geo.trends.periods import step_end, step_of, step_start
from geo.trends.two_periods import within
from geo.trends.view import UNIT_WORDS, unit_names, what_was_compared
from geo.webmap.change import FLAG_COLOURS, FLAG_WORDS

if TYPE_CHECKING:
    from geo.filters import Filters
    from geo.query import Table

RISES = ("surge", "new", "increase")
LISTED = 8
"""Rows in each of the brief's lists."""


def _rises(table: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """The units most up, surges and newcomers first, as lines of text."""
    up = table[table["flag"].isin(RISES)].copy()
    up["order"] = up["flag"].map({f: k for k, f in enumerate(RISES)})
    up = up.sort_values(["order", "change", "unit"], ascending=[True, False, True])
    lines = []
    for row in up.head(LISTED).itertuples(index=False):
        pct = "" if pd.isna(row.change_pct) else f", {row.change_pct:+.0f}%"
        lines.append(
            f"{names.get(str(row.unit), str(row.unit))}: {FLAG_WORDS[row.flag]}, "
            f"{_count(row.incidents)}, {row.killed:,} killed (baseline {row.baseline:g}{pct})"
        )
    return lines or ["No unit rose."]


def _actors(table: Table, filters: Filters) -> list[str]:
    """The actors of the period's incidents, most incidents first, as lines of text."""
    fields = table.engine.overview().fields
    if not {"actor1", "actor2", "assoc_actors"} & set(fields):
        return ["The table names no actors."]
    found = table.engine.actors(filters, LISTED)
    return [
        f"{a}: {_count(int(n))}, {int(k):,} killed"
        for a, n, k in zip(found["actor"], found["events"], found["killed_best"], strict=True)
    ] or ["No actor is named in this period."]


def _map(ax: matplotlib.axes.Axes, table: pd.DataFrame, by: str) -> None:
    """The change map: each unit's shape filled by its flag, surges outlined."""
    from geopandas import GeoSeries

    from geo.places.regions import read_countries, read_regions

    layer = read_regions() if by == "region" else read_countries()
    key = "label" if by == "region" else "country"
    shapes = layer[layer[key].isin(table["unit"]).to_numpy()]
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(SEA)
    if shapes.empty:
        ax.text(0.5, 0.5, "No change map for these units", ha="center", transform=ax.transAxes)
        return
    flags = dict(zip(table["unit"], table["flag"], strict=True))
    west, south, east, north = shapes.total_bounds
    pad = max(east - west, north - south) * 0.05
    countries = read_countries().cx[west - pad : east + pad, south - pad : north + pad]
    countries.plot(ax=ax, color="#eeeeee", edgecolor="#999999", linewidth=0.4)
    for unit, shape in zip(shapes[key], shapes.geometry, strict=True):
        flag = str(flags.get(unit, ""))
        surge = flag == "surge"
        GeoSeries([shape]).plot(
            ax=ax, color=FLAG_COLOURS[flag], edgecolor="#000000" if surge else "#555555",
            linewidth=1.6 if surge else 0.4,
        )  # fmt: skip
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xlim(west - pad, east + pad)
    ax.set_ylim(south - pad, north + pad)
    ax.set_aspect(1 / np.cos(np.radians((south + north) / 2)))


def _figure(table: Table, filters: Filters, trend: Trend) -> tuple[Figure, str]:
    """The brief's page (A4 portrait) and its title."""
    found = trends(table.engine, filters, trend)
    if not found.latest:
        raise FilterError(f"no incident matches the filters ({filters.describe()})")
    latest = found.table
    step = step_of(step_start(int(latest["step"].iloc[0]), trend.period), trend.period)
    span = (step_start(step, trend.period), step_end(step, trend.period))
    period = within(filters, span, narrow=True)
    totals = _period_totals(table, filters, step, trend.period)
    names = unit_names([str(u) for u in latest["unit"]], trend.by)
    title = f"Situation brief: {found.latest}"
    fig = Figure(figsize=(8.27, 11.69))
    fig.text(0.06, 0.965, title, fontsize=18, weight="bold", va="top")
    fig.text(0.06, 0.935, _wrapped(_short(filters.describe(), 330), 110), fontsize=8.5,
             va="top", color="#444444")  # fmt: skip
    n, low, high = totals
    killed = f"{low:,}" if low == high else f"{low:,}–{high:,}"
    head = f"{_count(n)}, {killed} killed in {found.latest}"
    fig.text(0.06, 0.905, head, fontsize=12, va="top")
    fig.text(0.06, 0.885, _wrapped(what_was_compared(found, trend), 120), fontsize=7.5,
             va="top", color="#444444")  # fmt: skip
    ax = fig.add_axes((0.06, 0.47, 0.88, 0.37))
    if trend.by in ("region", "country"):
        _map(ax, latest, trend.by)
        _key(fig)
    else:
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"No map: the units are by {UNIT_WORDS[trend.by].lower()}",
                ha="center", transform=ax.transAxes)  # fmt: skip
    _lines(fig, 0.40, "Largest rises", _rises(latest, names))
    _lines(fig, 0.225, f"Most active actors in {found.latest}", _actors(table, period))
    fig.text(
        0.06,
        0.025,
        "Incident Atlas. Every figure from the table and filters above; killed as the lowest "
        "to the highest source figure. Flags: " + trend.thresholds.describe() + ".",
        fontsize=6.5,
        color="#666666",
    )
    return fig, title


def _period_totals(table: Table, filters: Filters, step: int, period: str) -> tuple[int, int, int]:
    """Incidents and killed (lowest, highest) in one period, each incident counted where the
    trend counts it: in the period of its middle day."""
    days = (step_start(step, period), step_end(step, period))
    found = table.engine.unit_steps(
        filters, by="type", period=period, days=days, steps=(step, step)
    )
    return int(found["n"].sum()), int(found["low"].sum()), int(found["high"].sum())


def _short(text: str, most: int) -> str:
    """One line of at most ``most`` characters (line breaks and other controls as spaces)."""
    flat = "".join(" " if not c.isprintable() else c for c in text)
    return flat if len(flat) <= most else flat[: most - 1] + "…"


def _count(n: int) -> str:
    return f"{n:,} incident" + ("" if n == 1 else "s")


def _wrapped(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _key(fig: Figure) -> None:
    """The map's key: one swatch per flag."""
    x = 0.06
    for flag, colour in FLAG_COLOURS.items():
        fig.patches.append(
            matplotlib.patches.Rectangle(
                (x, 0.448), 0.012, 0.009, transform=fig.transFigure, facecolor=colour,
                edgecolor="#555555", linewidth=0.5,
            )
        )  # fmt: skip
        fig.text(x + 0.016, 0.4525, FLAG_WORDS[flag], fontsize=6.5, va="center")
        x += 0.03 + 0.0075 * len(FLAG_WORDS[flag])


def _lines(fig: Figure, top: float, heading: str, lines: list[str]) -> None:
    fig.text(0.06, top, heading, fontsize=11, weight="bold", va="top")
    for k, line in enumerate(lines):
        fig.text(0.07, top - 0.025 - k * 0.018, _short(line, 140), fontsize=8, va="top")


def brief_bytes(table: Table, filters: Filters, trend: Trend, fmt: str = "pdf") -> bytes:
    """The brief as PDF (or PNG) bytes; ``FilterError`` when no incident matches."""
    from geo.snapshot.render import RENDER_LOCK
    from geo.snapshot.style import RC

    if fmt not in ("pdf", "png"):
        raise UsageError(f"a brief is a pdf or png, not {fmt!r}")
    with RENDER_LOCK, matplotlib.rc_context(RC):
        fig, title = _figure(table, filters, trend)
        metadata: dict[str, str | None] = {"Title": title}
        if fmt == "pdf":
            metadata.update({"CreationDate": None, "ModDate": None, "Creator": "Incident Atlas"})
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    return buffer.getvalue()


__all__ = ["brief_bytes"]
