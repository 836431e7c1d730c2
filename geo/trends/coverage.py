"""What time the data covers: each dataset from its first to its last day, less the gaps its
makers declare. A period outside is a gap, never a count of zero.

Declared gaps (``DECLARED_GAPS``) come from the datasets' codebooks: the Global Terrorism
Database has no incidents for 1993 (the records of that year were lost before it was
digitised, GTD codebook, "Data Collection Methodology"), so a GTD extract's 1993 is a gap.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.trends.periods import step_end, step_start

if TYPE_CHECKING:
    from geo.filters import Filters
    from geo.query.engine import SqlEngine

DECLARED_GAPS: dict[str, tuple[tuple[date, date], ...]] = {
    "GTD": ((date(1993, 1, 1), date(1993, 12, 31)),),
}
"""Dataset name (the ``dataset`` column) -> spans its makers say it does not cover."""


def covered_spans(engine: SqlEngine, filters: Filters | None = None) -> list[tuple[date, date]]:
    """The days the table covers, as sorted, disjoint (first, last) spans: each dataset's
    first to last day less its declared gaps, merged. The days are those of its incidents
    dated to the day where it has any: an incident known only to its week or month (ACLED's
    time precision 2 and 3) does not stretch the coverage over days nothing was recorded on.

    With ``filters``, what the selection covers: only the datasets it keeps, and only within
    its time range and years (a period the filters leave out is a gap, not a zero). A
    declared gap the dataset does hold incidents in is no gap."""
    chosen = set(filters.datasets) if filters is not None and filters.datasets else None
    spans: list[tuple[date, date]] = []
    for row in engine.dataset_spans().itertuples(index=False):
        if chosen is not None and str(row.dataset) not in chosen:
            continue
        first = _day(row.first_day) or _day(row.first_any)
        last = _day(row.last_day) or _day(row.last_any)
        if first is None or last is None:
            continue
        spans.extend(_less(first, last, _gaps(engine, str(row.dataset))))
    spans = _merged(spans)
    return _within(spans, _windows(filters)) if filters is not None else spans


def _gaps(engine: SqlEngine, dataset: str) -> tuple[tuple[date, date], ...]:
    """The declared gaps of ``dataset`` it holds no incident in."""
    from geo.filters import Filters

    return tuple(
        (a, b)
        for a, b in DECLARED_GAPS.get(dataset, ())
        if engine.count(Filters(datasets=(dataset,), start=a, end=b)) == 0
    )


def _windows(filters: Filters) -> list[tuple[date, date]]:
    """The days the filters' time range and years allow."""
    lo, hi = filters.start or date.min, filters.end or date.max
    if not filters.years:
        return [(lo, hi)]
    years = [(date(y, 1, 1), date(y, 12, 31)) for y in sorted(filters.years)]
    return [(max(a, lo), min(b, hi)) for a, b in _merged(years) if max(a, lo) <= min(b, hi)]


def _within(
    spans: list[tuple[date, date]], windows: list[tuple[date, date]]
) -> list[tuple[date, date]]:
    """The parts of ``spans`` inside ``windows``."""
    out = [(max(a, c), min(b, d)) for a, b in spans for c, d in windows if max(a, c) <= min(b, d)]
    return _merged(out)


def _day(value: object) -> date | None:
    if value is None or value != value or not str(value):  # None, NaN or ''
        return None
    return date.fromisoformat(str(value)[:10])


def _less(first: date, last: date, gaps: tuple[tuple[date, date], ...]) -> list[tuple[date, date]]:
    """(first, last) with the gaps taken out."""
    out = [(first, last)]
    for gap_first, gap_last in gaps:
        kept = []
        for a, b in out:
            if gap_last < a or gap_first > b:
                kept.append((a, b))
                continue
            if a < gap_first:
                kept.append((a, date.fromordinal(gap_first.toordinal() - 1)))
            if b > gap_last:
                kept.append((date.fromordinal(gap_last.toordinal() + 1), b))
        out = kept
    return out


def _merged(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for a, b in sorted(spans):
        if out and a.toordinal() <= out[-1][1].toordinal() + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def covered_steps(spans: list[tuple[date, date]], steps: np.ndarray, period: str) -> np.ndarray:
    """Whether each step (a period) overlaps the covered spans."""
    out = np.zeros(len(steps), dtype=bool)
    for i, step in enumerate(np.asarray(steps, dtype=int)):
        first, last = step_start(int(step), period), step_end(int(step), period)
        out[i] = any(a <= last and b >= first for a, b in spans)
    return out


def _period_of(label: str, kind: str) -> pd.Period:
    """A Timeline label ("2012", "2012 Q3", "2012-08", ``geo.stats.period_label``) as a period."""
    if kind == "year":
        return pd.Period(label, freq="Y")
    if kind == "quarter":
        return pd.Period(label.replace(" ", ""), freq="Q")
    return pd.Period(label, freq="M")


def gap_labels(spans: list[tuple[date, date]], labels: list[str], kind: str) -> list[str]:
    """The Timeline's periods (by label) that no covered span touches."""
    gaps = []
    for label in labels:
        p = _period_of(label, kind)
        first, last = p.start_time.date(), p.end_time.date()
        if not any(a <= last and b >= first for a, b in spans):
            gaps.append(label)
    return gaps


def rolling_mean(values: pd.Series, gaps: list[str], periods: int = 3) -> pd.Series:
    """The mean of each period and the ``periods - 1`` before it that the data covers (a gap
    is left out, not counted as 0; NaN at a gap itself)."""
    kept = values.astype(float).where(~values.index.isin(gaps))
    return kept.rolling(periods, min_periods=1).mean().where(~values.index.isin(gaps))


__all__ = [
    "DECLARED_GAPS", "covered_spans", "covered_steps", "gap_labels", "rolling_mean",
]  # fmt: skip
