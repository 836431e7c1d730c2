"""Periods a trend is counted in: weeks (ISO, from Monday), months and quarters, numbered as
consecutive integers ("steps") so that the period before is always the step before.

A step is what the SQL computes from an incident's middle day (``step_sql``) and what the
tables are indexed by; its label is how people write the period: ``2021-W23`` (ISO 8601: the
week of 2021-01-01 may be 2020-W53), ``2021-06``, ``2021-Q2``.
"""

from __future__ import annotations

from datetime import date, timedelta

from geo.errors import UsageError

PERIOD_KINDS = ("week", "month", "quarter")
PER_YEAR = {"week": 52, "month": 12, "quarter": 4}
"""Steps a year back: the same period a year earlier (a week: 52 weeks, 364 days, earlier)."""
_MONDAY = date(1970, 1, 5)
"""Week 0 begins on this Monday."""


def step_of(day: date, period: str) -> int:
    """The step of the period holding ``day``."""
    if period == "week":
        return (day - _MONDAY).days // 7
    if period == "month":
        return day.year * 12 + day.month - 1
    if period == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    raise UsageError(f"not a period: {period!r}; use one of {', '.join(PERIOD_KINDS)}")


def step_start(step: int, period: str) -> date:
    """The first day of a step."""
    if period == "week":
        return _MONDAY + timedelta(days=7 * step)
    if period == "month":
        return date(step // 12, step % 12 + 1, 1)
    return date(step // 4, (step % 4) * 3 + 1, 1)


def step_end(step: int, period: str) -> date:
    """The last day of a step."""
    return step_start(step + 1, period) - timedelta(days=1)


def step_label(step: int, period: str) -> str:
    """``2021-W23``, ``2021-06`` or ``2021-Q2``."""
    first = step_start(step, period)
    if period == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{first.year}-{first.month:02d}"
    return f"{first.year}-Q{step % 4 + 1}"


def step_sql(period: str, mid: str) -> str:
    """SQL of the step of the day ``mid`` (an expression of type date), for both engines."""
    if period == "week":
        return f"CAST(floor(({mid} - DATE '1970-01-05') / 7.0) AS INTEGER)"
    if period == "month":
        return f"CAST(extract(year FROM {mid}) * 12 + extract(month FROM {mid}) - 1 AS INTEGER)"
    if period == "quarter":
        return f"CAST(extract(year FROM {mid}) * 4 + extract(quarter FROM {mid}) - 1 AS INTEGER)"
    raise UsageError(f"not a period: {period!r}; use one of {', '.join(PERIOD_KINDS)}")


__all__ = ["PERIOD_KINDS", "PER_YEAR", "step_end", "step_label", "step_of", "step_sql",
           "step_start"]  # fmt: skip
