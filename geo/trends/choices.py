"""What a trend can be asked for, with nothing heavy to import: the command line builds its
options from here before any table is read (``python -m geo geocode`` loads no pandas)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from geo.errors import UsageError
from geo.trends.periods import PER_YEAR, PERIOD_KINDS

FLAGS = ("surge", "increase", "steady", "decrease", "new", "quiet")
MEASURES = {"incidents": "n", "killed": "best"}
"""What a change is measured in -> the column of the per-step table."""

UNITS = {
    "region": "region",
    "admin1": "admin1",
    "country": "country",
    "type": "event_type",
    "actor": "actor",
}
"""What a trend can be counted by -> the column holding it (an actor: any side of the
incident, or associated, each named once)."""


@dataclass(frozen=True)
class Thresholds:
    """When a change is flagged (per cent of the baseline; ``floor`` in the measure's units)."""

    surge: float = 100.0
    increase: float = 25.0
    decrease: float = 25.0
    floor: float = 3.0

    def __post_init__(self) -> None:
        values = (self.surge, self.increase, self.decrease, self.floor)
        if not all(math.isfinite(v) for v in values):
            raise UsageError("thresholds are finite numbers")
        if not 0 < self.increase <= self.surge:
            raise UsageError(
                f"an increase ({self.increase:g}%) is above 0 and at most a surge ({self.surge:g}%)"
            )
        if not 0 < self.decrease <= 100:
            raise UsageError(f"a decrease ({self.decrease:g}%) is above 0 and at most 100%")
        if self.floor < 0:
            raise UsageError(f"the floor ({self.floor:g}) is 0 or more")

    def describe(self) -> str:
        """The thresholds in words (for a brief and a page)."""
        return (
            f"surge +{self.surge:g}% or more, increase +{self.increase:g}%, decrease "
            f"-{self.decrease:g}%, steady under {self.floor:g} both now and before"
        )

    def flag(self, now: np.ndarray, base: np.ndarray, pct: np.ndarray) -> np.ndarray:
        """The flag of each (now, baseline, per cent) ('' where there is no baseline)."""
        flags = np.full(len(now), "steady", dtype=object)
        pct = np.round(pct, 6)  # +25% is an increase, not 24.999999...%
        with np.errstate(invalid="ignore"):
            small = (now < self.floor) & (base < self.floor)
            flags[~small & (pct <= -self.decrease)] = "decrease"
            flags[~small & (pct >= self.increase)] = "increase"
            flags[~small & (pct >= self.surge)] = "surge"
        flags[(base == 0) & (now > 0)] = "new"
        flags[(base >= max(self.floor, 1e-9)) & (now == 0)] = "quiet"
        flags[np.isnan(base)] = ""
        return flags


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
            raise UsageError(f"not a unit: {self.by!r}; use one of {', '.join(UNITS)}")
        if self.period not in PERIOD_KINDS:
            raise UsageError(f"not a period: {self.period!r}; use {', '.join(PERIOD_KINDS)}")
        if self.measure not in MEASURES:
            raise UsageError(f"not a measure: {self.measure!r}; use {', '.join(MEASURES)}")
        if self.baseline != "year" and not (
            isinstance(self.baseline, int) and 1 <= self.baseline <= 3 * PER_YEAR[self.period]
        ):
            raise UsageError(
                f"baseline: a number of {self.period}s from 1 to {3 * PER_YEAR[self.period]}, "
                "or 'year'"
            )

    def describe(self) -> str:
        """In words: "by region, month against the mean of the 4 months before"."""
        if self.baseline == "year":
            against = f"the same {self.period} a year earlier" + (
                " (52 weeks before)" if self.period == "week" else ""
            )
        elif self.baseline == 1:
            against = f"the {self.period} before"
        else:
            against = f"the mean of the {self.baseline} {self.period}s before"
        return f"by {self.by}, {self.period} against {against}, in {self.measure}"


__all__ = ["FLAGS", "MEASURES", "UNITS", "Thresholds", "Trend"]
