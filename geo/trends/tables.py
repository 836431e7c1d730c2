"""Breakdowns and pivots of the selection, the forms analysts paste into reports: incidents
and deaths by a unit (type, actor, region, ...), and a table of units x periods; as CSV and
as an Excel workbook."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd

from geo.errors import UsageError
from geo.trends.choices import MEASURES
from geo.trends.periods import PERIOD_KINDS, step_end, step_label, step_of, step_start

if TYPE_CHECKING:
    from geo.filters import Filters
    from geo.query.engine import SqlEngine

MAX_PERIODS = 400
"""The most periods a pivot spans (a decade of weeks); a longer selection is refused."""


def _steps(
    engine: SqlEngine, filters: Filters, by: str, period: str
) -> tuple[pd.DataFrame, int, int]:
    """Every unit's incidents and killed per step of the selection; its first and last step."""
    span = engine.middle_span(filters)
    if span is None:
        return pd.DataFrame(columns=["unit", "step", "n", "low", "best", "high"]), 0, -1
    first, last = step_of(span[0], period), step_of(span[1], period)
    steps = engine.unit_steps(
        filters,
        by=by,
        period=period,
        days=(step_start(first, period), step_end(last, period)),
        steps=(first, last),
    )
    return steps, first, last


def _check_width(first: int, last: int, period: str) -> None:
    if last - first + 1 > MAX_PERIODS:
        raise UsageError(
            f"{last - first + 1:,} {period}s: more than {MAX_PERIODS} columns; choose a longer "
            "period or a shorter time range"
        )


def breakdown(engine: SqlEngine, filters: Filters, by: str) -> pd.DataFrame:
    """Incidents and killed (best, lowest, highest) per unit of the selection, most
    incidents first (an incident counts once for each actor it names)."""
    steps, _first, _last = _steps(engine, filters, by, "quarter")
    totals = steps.groupby("unit")[["n", "best", "low", "high"]].sum()
    totals = totals.sort_values(["n", "best"], ascending=False, kind="stable")
    totals.columns = ["incidents", "killed", "killed_low", "killed_high"]
    return totals.reset_index()


def by_period(engine: SqlEngine, filters: Filters, period: str) -> pd.DataFrame:
    """Incidents and killed (best, lowest, highest) per period of the selection, every period
    from the first to the last (an incident counts at its middle day)."""
    steps, first, last = _steps(engine, filters, "type", period)
    _check_width(first, last, period)
    totals = steps.groupby("step")[["n", "best", "low", "high"]].sum()
    totals = totals.reindex(range(first, last + 1)).fillna(0).astype("int64")
    totals.columns = ["incidents", "killed", "killed_low", "killed_high"]
    totals.index = pd.Index([step_label(s, period) for s in totals.index], name="period")
    return totals.reset_index()


def pivot(
    engine: SqlEngine, filters: Filters, by: str, period: str, measure: str = "incidents"
) -> pd.DataFrame:
    """Units (rows, most first) x periods (columns, every one of the selection, oldest first),
    of incidents or killed (best); a ``total`` column at the right."""
    if period not in PERIOD_KINDS:
        raise UsageError(f"not a period: {period!r}")
    steps, first, last = _steps(engine, filters, by, period)
    _check_width(first, last, period)
    column = MEASURES[measure]
    wide = steps.pivot_table(index="unit", columns="step", values=column, aggfunc="sum")
    wide = wide.reindex(columns=range(first, last + 1)).fillna(0).astype("int64")
    wide.columns = [step_label(s, period) for s in wide.columns]
    wide["total"] = wide.sum(axis=1)
    wide = wide.sort_values("total", ascending=False, kind="stable")
    wide.index.name = by
    return wide


def as_csv(table: pd.DataFrame) -> bytes:
    """A breakdown or pivot as CSV (a unit's name a spreadsheet would run is quoted)."""
    from geo.export import spreadsheet_safe_column

    out = table.reset_index() if table.index.name else table.copy()
    first = out.columns[0]
    out[first] = spreadsheet_safe_column(out[first].astype(str))
    return str(out.to_csv(index=False, lineterminator="\n")).encode("utf-8")


def as_xlsx(table: pd.DataFrame, sheet: str = "Pivot") -> bytes:
    """A breakdown or pivot as an Excel workbook (one sheet; names written as text)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from geo.export import spreadsheet_safe_column

    out = table.reset_index() if table.index.name else table.copy()
    first = out.columns[0]
    # a control character a workbook cannot hold is written as its code ("\\x07")
    out[first] = spreadsheet_safe_column(out[first].astype(str)).map(
        lambda v: ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", str(v))
    )
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        out.to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


__all__ = ["MAX_PERIODS", "as_csv", "as_xlsx", "breakdown", "by_period", "pivot"]
