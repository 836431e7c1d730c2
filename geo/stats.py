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
    killed_given: int | None = None
    """How many incidents have a killed figure (None: not counted, taken as all of them)."""

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


def midpoint(incidents: pd.DataFrame) -> pd.Series:
    """The middle of each incident's date interval: where a chart places an undated-to-the-day
    incident."""
    start = pd.to_datetime(incidents["date_start"])
    end = pd.to_datetime(incidents["date_end"])
    return start + (end - start) / 2


def period_label(period: pd.Period, kind: str) -> str:
    """ "2012", "2012 Q3" or "2012-08"."""
    if kind == "year":
        return f"{period.year}"
    if kind == "quarter":
        return f"{period.year} Q{period.quarter}"
    return f"{period.year}-{period.month:02d}"


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
