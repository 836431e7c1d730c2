"""``python -m geo trends``: one row per unit and period, against its baseline, as CSV."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from geo.trends.choices import MEASURES, UNITS, Thresholds, Trend
from geo.trends.periods import PERIOD_KINDS

if TYPE_CHECKING:
    from geo.filters import Filters
    from geo.query import Table

CSV_COLUMNS = (
    "unit", "period", "incidents", "killed", "killed_low", "killed_high", "baseline", "change",
    "change_pct", "flag", "highest_in", "partial",
)  # fmt: skip


THRESHOLD_OPTIONS = (
    ("surge", "PCT", "a surge: up this many per cent or more"),
    ("increase", "PCT", "an increase: up this many per cent or more"),
    ("decrease", "PCT", "a decrease: down this many per cent or more"),
    ("floor", "N", "under this many both now and in the baseline: steady"),
)
"""The flags' thresholds (``Thresholds``' fields) as options."""


def baseline_value(text: str) -> int | str:
    """``--baseline``: a number of periods, or ``year``."""
    if text.strip().lower() == "year":
        return "year"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of periods or 'year'") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the baseline is at least 1 period")
    return value


def add_trend_options(p: argparse.ArgumentParser) -> None:
    """The options that say how a trend is counted (the page's choices)."""
    p.add_argument("--by", choices=list(UNITS), default="region", help="the units compared")
    p.add_argument("--period", choices=list(PERIOD_KINDS), default="month")
    p.add_argument(
        "--baseline", type=baseline_value, default=4, metavar="N|year",
        help="the mean of the N periods before (default 4), or the same period a year earlier",
    )  # fmt: skip
    p.add_argument("--measure", choices=list(MEASURES), default="incidents")
    defaults = Thresholds()
    for name, unit, what in THRESHOLD_OPTIONS:
        default = getattr(defaults, name)
        p.add_argument(
            f"--{name}", type=float, default=default, metavar=unit,
            help=f"{what} (default {default:g})",
        )  # fmt: skip


def trend_of(args: argparse.Namespace) -> Trend:
    """The trend the options ask for (a bad combination is a usage error)."""
    thresholds = Thresholds(args.surge, args.increase, args.decrease, args.floor)
    return Trend(args.by, args.period, args.baseline, args.measure, thresholds)


def trends_csv(table: Table, filters: Filters, trend: Trend) -> tuple[str, int]:
    """Every period of the selection, each unit against its baseline, as CSV text (a unit's
    name a spreadsheet would run as a formula gets a leading ``'``); and its rows."""
    from geo.export import spreadsheet_safe_column
    from geo.trends.answer import trends

    found = trends(table.engine, filters, trend, every=True).table
    found["unit"] = spreadsheet_safe_column(found["unit"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    found["partial"] = found["partial"].map({True: "yes", False: ""})
    for row in found[list(CSV_COLUMNS)].itertuples(index=False):
        writer.writerow(["" if _missing(v) else v for v in row])
    return out.getvalue(), len(found)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def write_trends(table: Table, filters: Filters, trend: Trend, out: Path) -> int:
    """Write :func:`trends_csv` to ``out`` atomically; the rows written."""
    from geo.files import write_text_atomic

    text, rows = trends_csv(table, filters, trend)
    write_text_atomic(out, text)
    return rows


__all__ = ["CSV_COLUMNS", "add_trend_options", "trend_of", "trends_csv", "write_trends"]
