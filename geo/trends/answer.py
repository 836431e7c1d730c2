"""The answer to a :class:`~geo.trends.choices.Trend`: each unit's latest period (or every
period) against its baseline, from the query engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.errors import UsageError
from geo.trends.choices import Trend
from geo.trends.compare import COLUMNS, compare, window
from geo.trends.coverage import covered_spans, covered_steps
from geo.trends.periods import PER_YEAR, step_end, step_label, step_of, step_start

MAX_PERIODS = 1000
"""The most periods one answer compares (twenty years of weeks)."""

if TYPE_CHECKING:
    from geo.filters import Filters
    from geo.query.engine import SqlEngine


@dataclass(frozen=True)
class Trends:
    """The answer: one row per unit and period (``geo.trends.compare.COLUMNS``)."""

    table: pd.DataFrame
    latest: str
    """The last period's label ('' when nothing is kept)."""
    covered: list[tuple[date, date]] | None
    """The spans of days the data covers (``geo.trends.coverage``): periods outside are gaps,
    never zeros."""
    partial: bool
    """Whether the data ends before the last period does (its figures are so far)."""


def trends(engine: SqlEngine, filters: Filters, trend: Trend, *, every: bool = False) -> Trends:
    """Each unit's latest period (``every``: each period of the selection) against its
    baseline; the latest period is the one holding the last kept incident's middle day, or
    the last day the data covers, whichever is earlier."""
    span = engine.middle_span(filters)
    spans = covered_spans(engine, filters)
    if span is None or not spans:
        return Trends(pd.DataFrame(columns=[*COLUMNS, "partial"]), "", None, False)
    period = trend.period
    # the periods of the kept incidents' middle days that the data covers
    last = step_of(min(span[1], spans[-1][1]), period)
    first = step_of(max(span[0], spans[0][0]), period) if every else last
    first = min(first, last)
    if last - first + 1 > MAX_PERIODS:
        raise UsageError(
            f"{last - first + 1:,} {period}s: more than {MAX_PERIODS:,} periods at once; choose "
            "a longer period or a shorter time range"
        )
    back = PER_YEAR[period] if trend.baseline == "year" else int(trend.baseline)
    lo = min(window(last, period, trend.baseline), first - back)
    steps = engine.unit_steps(
        filters,
        by=trend.by,
        period=period,
        days=(step_start(lo, period), step_end(last, period)),
        steps=(lo, last),
    )
    covered = covered_steps(spans, np.arange(lo, last + 1), period)
    table = compare(
        steps, period=period, baseline=trend.baseline, measure=trend.measure, covered=covered,
        targets=(first, last), thresholds=trend.thresholds, lo=lo,
    )  # fmt: skip
    table["partial"] = [not _whole(int(k), period, spans) for k in table["step"]]
    partial = spans[-1][1] < step_end(last, period)
    return Trends(table, step_label(last, period), spans, partial)


def _whole(step: int, period: str, spans: list[tuple[date, date]]) -> bool:
    """Whether the data covers every day of a period (else its figures are partial)."""
    first, last = step_start(step, period), step_end(step, period)
    return any(a <= first and last <= b for a, b in spans)


__all__ = ["MAX_PERIODS", "Trends", "trends"]
