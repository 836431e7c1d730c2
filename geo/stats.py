"""Figures the dashboard and the exports report about a (filtered) incident table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}


@dataclass(frozen=True)
class Headline:
    """Headline figures; killed and wounded are ranges (sum of lows, best, sum of highs)."""

    incidents: int
    killed_low: int
    killed_best: int
    killed_high: int
    wounded_low: int
    wounded_best: int
    wounded_high: int
    regions: int
    wounded_given: int = 0
    """How many incidents have a wounded figure: none (ACLED gives none) is no figure, not 0."""
    hidden: int = 0
    """How many incidents match every other filter but are hidden by the precision switch."""

    @staticmethod
    def span(low: int, high: int) -> str:
        return f"{low:,}" if low == high else f"{low:,}–{high:,}"

    @staticmethod
    def short_span(low: int, high: int) -> str:
        """``span`` in at most about nine characters: thousands as "1.8k–2.1k", millions "M"."""
        text = Headline.span(low, high)
        if len(text) <= 9:
            return text

        def short(v: int) -> str:
            for size, unit in ((1_000_000, "M"), (1_000, "k")):
                if v >= size:
                    return f"{v / size:.1f}".removesuffix(".0") + unit
            return f"{v:,}"

        return short(low) if short(low) == short(high) else f"{short(low)}–{short(high)}"


def toll_text(low: object, best: object, high: object, *, show_best: bool = True) -> str:
    """A toll range as readers see it: "5", "7–21 (best 17)", or "" when no figure is given.

    Missing ends are taken from the figures given, as validation does.
    """
    given = [int(v) for v in (low, best, high) if not pd.isna(v)]  # type: ignore[call-overload]
    if not given:
        return ""
    lo, hi = min(given), max(given)
    if lo == hi:
        return f"{lo}"
    text = Headline.span(lo, hi)
    if show_best and not pd.isna(best):  # type: ignore[call-overload]
        text += f" (best {int(best)})"  # type: ignore[call-overload]
    return text


def headline(incidents: pd.DataFrame) -> Headline:
    """Count incidents and sum tolls; an incident with no figure adds nothing to the sums."""

    def total(column: str) -> int:
        return int(incidents[column].fillna(0).sum()) if len(incidents) else 0

    regions = incidents["region"][incidents["region"] != ""].nunique() if len(incidents) else 0
    return Headline(
        incidents=len(incidents),
        killed_low=total("killed_low"),
        killed_best=total("killed_best"),
        killed_high=total("killed_high"),
        wounded_low=total("wounded_low"),
        wounded_best=total("wounded_best"),
        wounded_high=total("wounded_high"),
        regions=int(regions),
        wounded_given=int(incidents["wounded_best"].notna().sum()) if len(incidents) else 0,
    )


def midpoint(incidents: pd.DataFrame) -> pd.Series:
    """The middle of each incident's date interval: where a chart places an undated-to-the-day
    incident."""
    start = pd.to_datetime(incidents["date_start"])
    end = pd.to_datetime(incidents["date_end"])
    return start + (end - start) / 2


def _periods(incidents: pd.DataFrame, period: str) -> tuple[pd.Series, pd.PeriodIndex]:
    """Each incident's period (by its date's middle) and every period from first to last."""
    freq = PERIODS[period]
    when = midpoint(incidents).dt.to_period(freq)
    return when, pd.period_range(when.min(), when.max(), freq=freq)


def period_label(period: pd.Period, kind: str) -> str:
    """ "2012", "2012 Q3" or "2012-08"."""
    if kind == "year":
        return f"{period.year}"
    if kind == "quarter":
        return f"{period.year} Q{period.quarter}"
    return f"{period.year}-{period.month:02d}"


def period_labels(incidents: pd.DataFrame, *, period: str = "month") -> list[str]:
    """Every period from the first incident's to the last's, in order, as labels: the one time
    axis of every chart (a period with no incident is on it too)."""
    if incidents.empty:
        return []
    return [period_label(p, period) for p in _periods(incidents, period)[1]]


def counts_by_period(incidents: pd.DataFrame, *, period: str = "month") -> pd.DataFrame:
    """Incidents per period (rows, every period from the first to the last, empty ones as 0)
    and event type (columns). The index holds labels such as "2012-08"."""
    if incidents.empty:
        return pd.DataFrame()
    when, every = _periods(incidents, period)
    table = pd.crosstab(when, incidents["event_type"]).reindex(every, fill_value=0)
    table.index = [period_label(p, period) for p in table.index]
    table.index.name = "period"
    return table


def killed_by_period(incidents: pd.DataFrame, *, period: str = "month") -> pd.DataFrame:
    """Killed per period as low, best and high sums (columns ``low``, ``best``, ``high``);
    every period from the first to the last, empty ones as 0, indexed by label."""
    if incidents.empty:
        return pd.DataFrame(columns=["low", "best", "high"])
    when, every = _periods(incidents, period)
    frame = pd.DataFrame(
        {
            "period": when.to_numpy(),
            "low": incidents["killed_low"].fillna(0).astype("int64").to_numpy(),
            "best": incidents["killed_best"].fillna(0).astype("int64").to_numpy(),
            "high": incidents["killed_high"].fillna(0).astype("int64").to_numpy(),
        }
    )
    sums = frame.groupby("period")[["low", "best", "high"]].sum().reindex(every, fill_value=0)
    sums.index = [period_label(p, period) for p in sums.index]
    sums.index.name = "period"
    return sums


def by_region(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per region: incidents and killed (low, best, high sums)."""
    killed = ["killed_low", "killed_best", "killed_high"]
    columns = incidents[["region", *killed]]  # four columns, not the whole table, are kept
    located = columns.iloc[np.flatnonzero((columns["region"] != "").to_numpy())]
    grouped = located.groupby("region")
    return pd.DataFrame(
        {
            "incidents": grouped.size(),
            "killed_low": grouped["killed_low"].sum(min_count=0).astype("int64"),
            "killed_best": grouped["killed_best"].sum(min_count=0).astype("int64"),
            "killed_high": grouped["killed_high"].sum(min_count=0).astype("int64"),
        }
    )
