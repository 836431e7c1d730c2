"""What changed: each unit's period against its baseline, flagged (surge, increase, steady,
decrease, new, quiet), from the query engine, for the Trends page, the CLI and the brief.

The choices (``Trend``, ``Thresholds``, the units, periods and measures) import nothing heavy;
the answer (:func:`trends`) is loaded when first asked for.

>>> from geo.trends import Trend
>>> Trend(by="region", period="month", baseline=4).describe()
'by region, month against the mean of the 4 months before, in incidents'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.trends.choices import FLAGS, MEASURES, UNITS, Thresholds, Trend
from geo.trends.periods import PERIOD_KINDS, step_label, step_of

if TYPE_CHECKING:
    from geo.trends.answer import Trends, trends
    from geo.trends.compare import COLUMNS


def __getattr__(name: str) -> Any:
    """``trends``, ``Trends`` and ``COLUMNS``, loaded (with pandas) when first asked for."""
    if name in ("trends", "Trends"):
        from geo.trends import answer

        return getattr(answer, name)
    if name == "COLUMNS":
        from geo.trends.compare import COLUMNS

        return COLUMNS
    raise AttributeError(f"module 'geo.trends' has no attribute {name!r}")


__all__ = [
    "COLUMNS", "FLAGS", "MEASURES", "PERIOD_KINDS", "UNITS", "Thresholds", "Trend", "Trends",
    "step_label", "step_of", "trends",
]  # fmt: skip
