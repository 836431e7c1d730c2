"""The one statement trends need: incidents and killed per unit and period of the kept
incidents, for both engines (names fixed here, every value a placeholder)."""

from __future__ import annotations

from datetime import date

from geo.errors import UsageError
from geo.facets import Bind
from geo.filters import Filters
from geo.query.statements import Dialect, actor_rows, midpoint, where
from geo.trends.choices import UNITS
from geo.trends.periods import step_sql


def unit_steps(
    filters: Filters,
    bind: Bind,
    dialect: Dialect,
    *,
    by: str,
    period: str,
    days: tuple[date, date],
    steps: tuple[int, int],
) -> str:
    """Per unit and step from ``steps[0]`` to ``steps[1]`` (the incident's middle day decides
    its step): incidents, and killed low, best and high (0 where no figure is given)."""
    if by not in UNITS:
        raise UsageError(f"not a unit: {by!r}; use one of {', '.join(UNITS)}")
    first, last = days
    window = f"date_end >= {bind(first)} AND date_start <= {bind(last)}"
    if by == "actor":
        rows = actor_rows(filters, bind, dialect)
        source = f"(SELECT * FROM ({rows}) AS named WHERE {window}) AS kept"
    else:
        source = (
            f"(SELECT {UNITS[by]} AS unit, date_start, date_end, killed_low, killed_best, "
            f"killed_high FROM incidents WHERE ({where(filters, bind)}) AND {window}) AS kept"
        )
    unit = "actor" if by == "actor" else "unit"
    step = step_sql(period, "mid")
    return (
        f"SELECT unit, step, count(*) AS n, coalesce(sum(killed_low), 0) AS low, "
        "coalesce(sum(killed_best), 0) AS best, coalesce(sum(killed_high), 0) AS high FROM ("
        f"SELECT {unit} AS unit, {step} AS step, killed_low, killed_best, killed_high FROM ("
        f"SELECT *, {midpoint(dialect)} AS mid FROM {source}) AS dated) AS stepped "
        f"WHERE coalesce(unit, '') <> '' AND step BETWEEN {bind(int(steps[0]))} "
        f"AND {bind(int(steps[1]))} GROUP BY unit, step ORDER BY unit, step"
    )


def dataset_spans(dialect: Dialect) -> str:
    """Each dataset's (``''``: rows that name none) first and last day, of its incidents dated
    to the day and of all its incidents, and its incidents."""
    start, end = dialect.day("date_start"), dialect.day("date_end")
    day = "WHERE date_precision = 'day'"
    return (
        f"SELECT coalesce(dataset, '') AS dataset, CAST(min({start}) FILTER ({day}) AS VARCHAR), "
        f"CAST(max({end}) FILTER ({day}) AS VARCHAR), CAST(min({start}) AS VARCHAR), "
        f"CAST(max({end}) AS VARCHAR), count(*) AS n FROM incidents GROUP BY 1 ORDER BY 1"
    )


__all__ = ["UNITS", "dataset_spans", "unit_steps"]
