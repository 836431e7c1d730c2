"""Each unit's period against its baseline: the change, in numbers and per cent, and a flag.

The baseline is the mean per period of the ``baseline`` periods before (``Trend.baseline``
a number), or the same period a year earlier (``"year"``). A period the data does not cover
(before its first day, after its last) is a gap: it is left out of the mean, never counted as
a zero; with no covered period there is no baseline and no flag.

Flags, with :class:`Thresholds` (ACLED's Trendfinder calls a rise of more than 25% large):

- ``new``: nothing in the baseline, something now (a first incident is news at any count);
  ``quiet``: nothing now against a baseline of at least ``floor``;
- ``surge``: up by ``surge`` per cent or more; ``increase``: up by ``increase`` per cent or
  more; ``decrease``: down by ``decrease`` per cent or more; ``steady`` otherwise, and where
  both now and the baseline are under ``floor`` (too few to call a change).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import UsageError
from geo.trends.choices import FLAGS, MEASURES, Thresholds
from geo.trends.periods import PER_YEAR, step_label

DEFAULT = Thresholds()

HIGHEST_YEARS = (3, 2, 1)
"""A period's deaths are "the highest in N years" for the largest of these the data covers."""


def window(latest: int, period: str, baseline: int | str) -> int:
    """The first step a comparison of ``latest`` needs: its baseline, a year of periods for
    the small line, and three years back for "highest in N years"."""
    back = PER_YEAR[period] if baseline == "year" else int(baseline)
    return latest - max(back, PER_YEAR[period] * max(HIGHEST_YEARS))


def _matrix(steps: pd.DataFrame, column: str, lo: int, hi: int) -> pd.DataFrame:
    """Units x steps ``lo`` to ``hi`` of one column, 0 where a unit had nothing."""
    axis = pd.RangeIndex(lo, hi + 1)
    if steps.empty:
        return pd.DataFrame(columns=axis, dtype="int64")
    wide = steps.pivot_table(index="unit", columns="step", values=column, aggfunc="sum")
    return wide.reindex(columns=axis).fillna(0).astype("int64")


def _baseline(
    values: pd.DataFrame, covered: np.ndarray, baseline: int | str, period: str
) -> pd.DataFrame:
    """Each (unit, step)'s baseline: the mean over the covered steps before it, or the covered
    step a year before (NaN where none is covered)."""
    lags = [PER_YEAR[period]] if baseline == "year" else list(range(1, int(baseline) + 1))
    total = np.zeros(values.shape, dtype=float)
    count = np.zeros(values.shape[1], dtype=float)
    data = values.to_numpy(dtype=float)
    for lag in lags:
        shifted = np.full(values.shape, np.nan)
        if lag < values.shape[1]:
            shifted[:, lag:] = data[:, :-lag]
        ok = np.zeros(values.shape[1], dtype=bool)
        ok[lag:] = covered[:-lag] if lag < len(covered) else False
        total += np.where(ok, np.nan_to_num(shifted), 0.0)
        count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return pd.DataFrame(mean, index=values.index, columns=values.columns)


def _highest(deaths: pd.DataFrame, at: int, covered: np.ndarray, per_year: int) -> np.ndarray:
    """For each unit, the most years (``HIGHEST_YEARS``) over which its deaths in step ``at``
    are the highest of any period, where the data covers every period of them (0 where
    none); ``covered`` is aligned with the columns of ``deaths``."""
    out = np.zeros(len(deaths), dtype=int)
    now = deaths[at].to_numpy()
    lo = int(deaths.columns[0])
    for years in sorted(HIGHEST_YEARS):
        since = at - years * per_year
        if since < lo or not covered[since - lo : at - lo + 1].all():
            break
        before = deaths.loc[:, since : at - 1].to_numpy().max(axis=1, initial=0)
        out = np.where((now > 0) & (now > before), years, out)
    return out


def _lines(
    values: pd.DataFrame, covered: np.ndarray, lo: int, first: int, last: int
) -> list[list[float | None]]:
    """Each unit's measure over steps ``first`` to ``last`` (``None`` where not covered)."""
    part = np.array(values.loc[:, first:last].to_numpy(dtype=float))  # a writable copy
    part[:, ~np.asarray(covered[first - lo : last - lo + 1], dtype=bool)] = np.nan
    return [[None if v != v else v for v in row] for row in part.tolist()]


def compare(
    steps: pd.DataFrame,
    *,
    period: str,
    baseline: int | str,
    measure: str,
    covered: np.ndarray,
    targets: tuple[int, int],
    lo: int,
    thresholds: Thresholds = DEFAULT,
) -> pd.DataFrame:
    """Each unit in each step of ``targets`` (first, last) against its baseline.

    ``steps`` are the rows of ``SqlEngine.unit_steps`` from step ``lo`` (at most the first
    target less its baseline, see :func:`window`); ``covered`` says for each step from ``lo``
    to the last target whether the data covers it (``geo.trends.coverage``). Columns:
    unit, step, period, incidents, killed_low, killed, killed_high, baseline, change,
    change_pct, flag, highest_in (years, deaths only), and ``line``: the measure over the
    year of periods to the step. A unit with nothing now and nothing in its baseline is left
    out.
    """
    first, last = targets
    if lo > first or len(covered) != last - lo + 1:
        raise UsageError("the steps start after the first target, or coverage is not aligned")
    mats = {c: _matrix(steps, c, lo, last) for c in ("n", "low", "best", "high")}
    values = mats[MEASURES[measure]]
    base = _baseline(values, np.asarray(covered, dtype=bool), baseline, period)
    per_year = PER_YEAR[period]
    parts = []
    for step in range(first, last + 1):
        now = values[step].to_numpy(dtype=float)
        b = base[step].to_numpy(dtype=float)
        keep = (now > 0) | (np.nan_to_num(b) > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = np.where(b > 0, (now - b) / b * 100.0, np.nan)
        line_from = max(lo, step - per_year + 1)
        part = pd.DataFrame(
            {
                "unit": values.index,
                "step": step,
                "period": step_label(step, period),
                "incidents": mats["n"][step].to_numpy(),
                "killed_low": mats["low"][step].to_numpy(),
                "killed": mats["best"][step].to_numpy(),
                "killed_high": mats["high"][step].to_numpy(),
                "baseline": np.round(b, 2),
                "change": np.round(now - b, 2),
                "change_pct": np.round(pct, 1),
                "flag": thresholds.flag(now, b, pct),
                "highest_in": _highest(mats["best"], step, covered, per_year),
                "line": _lines(values, covered, lo, line_from, step),
            }  # fmt: skip
        )
        parts.append(part[keep])
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    order = ["step", measure, "unit"]  # the measures are columns of the answer too
    table = table.sort_values(order, ascending=[True, False, True], ignore_index=True)
    return table[COLUMNS]


COLUMNS = [
    "unit", "step", "period", "incidents", "killed_low", "killed", "killed_high", "baseline",
    "change", "change_pct", "flag", "highest_in", "line",
]  # fmt: skip

__all__ = ["COLUMNS", "FLAGS", "MEASURES", "Thresholds", "compare", "window"]
