"""What changed: each unit's period against its baseline, flagged (surge, increase, steady,
decrease, new, quiet), from the query engine, for the Trends page, the CLI and the brief.

>>> from geo.trends import Trend
>>> Trend(by="region", period="month", baseline=4).describe()
'by region, month against the mean of the 4 months before, in incidents'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.trends.compare import COLUMNS, FLAGS, MEASURES, Thresholds, compare, window
from geo.trends.coverage import covered_spans, covered_steps
from geo.trends.periods import (
    PER_YEAR,
    PERIOD_KINDS,
    step_end,
    step_label,
    step_of,
    step_start,
)
from geo.trends.sql import UNITS

if TYPE_CHECKING:
    from geo.filters import Filters
    from geo.query.engine import SqlEngine


@dataclass(frozen=True)
class Trend:
    """How a trend is asked for: by what, per which period, against which baseline."""

    by: str = "region"
    period: str = "month"
    baseline: int | str = 4
    """The number of periods before, or ``"year"``: the same period a year earlier."""
    measure: str = "incidents"
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __post_init__(self) -> None:
        if self.by not in UNITS:
            raise ValueError(f"not a unit: {self.by!r}; use one of {', '.join(UNITS)}")
        if self.period not in PERIOD_KINDS:
            raise ValueError(f"not a period: {self.period!r}; use {', '.join(PERIOD_KINDS)}")
        if self.measure not in MEASURES:
            raise ValueError(f"not a measure: {self.measure!r}; use {', '.join(MEASURES)}")
        if self.baseline != "year" and not (
            isinstance(self.baseline, int) and 1 <= self.baseline <= 3 * PER_YEAR[self.period]
        ):
            raise ValueError(
                f"baseline: a number of {self.period}s from 1 to {3 * PER_YEAR[self.period]}, "
                "or 'year'"
            )

    def describe(self) -> str:
        """In words: "by region, month against the mean of the 4 months before"."""
        against = (
            f"the same {self.period} a year earlier"
            if self.baseline == "year"
            else f"the mean of the {self.baseline} {self.period}s before"
        )
        return f"by {self.by}, {self.period} against {against}, in {self.measure}"


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
    baseline; the latest period is the one holding the last kept incident's middle day."""
    span = engine.middle_span(filters)
    spans = covered_spans(engine)
    if span is None or not spans:
        return Trends(pd.DataFrame(columns=COLUMNS), "", None, False)
    period = trend.period
    last = step_of(span[1], period)
    first = step_of(span[0], period) if every else last
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
    partial = spans[-1][1] < step_end(last, period)
    return Trends(table, step_label(last, period), spans, partial)


__all__ = [
    "COLUMNS", "FLAGS", "MEASURES", "PERIOD_KINDS", "UNITS", "Thresholds", "Trend", "Trends",
    "step_label", "step_of", "trends",
]  # fmt: skip
