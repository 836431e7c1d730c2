"""The Actors page's figures: who the kept incidents name, ranked, with where and when.

An actor is any name a dataset gives on either side of an incident or among its associated
actors (``geo.schema.ACTOR_COLUMNS``); an incident counts once for each actor it names.
"""

from __future__ import annotations

import pandas as pd

from geo.filters import Filters
from geo.query import SqlEngine

ACTORS_SHOWN = 100
"""The most actors the page ranks (the sidebar's actor facet and search find the others)."""
CHARTED = 8
"""How many of the first actors the chart draws over time."""
COLUMNS = {
    "actor": "Actor",
    "events": "Incidents",
    "killed": "Killed (best; lowest–highest)",
    "first": "First",
    "last": "Last",
    "where": "Mostly in",
}


def actor_table(engine: SqlEngine, filters: Filters) -> pd.DataFrame:
    """The ranked actors as the page shows them (the actor's name in ``actor``)."""
    found = engine.actors(filters, ACTORS_SHOWN)
    killed = [
        f"{int(b):,}" + (f" ({int(lo):,}–{int(hi):,})" if lo != hi else "")
        for lo, b, hi in zip(found["killed_low"], found["killed_best"], found["killed_high"])
    ]
    where = [
        f"{region or country} ({int(n):,} of {int(e):,})"
        for region, country, n, e in zip(
            found["region"].fillna(""), found["country"].fillna(""), found["there"].fillna(0),
            found["events"],
        )
    ]  # fmt: skip
    table = pd.DataFrame(
        {
            "actor": found["actor"].astype(str),
            "events": found["events"].astype(int),
            "killed": killed,
            "first": found["first"].astype(str),
            "last": found["last"].astype(str),
            "where": where,
        }
    )
    return table.rename(columns=COLUMNS)


MONTHLY_BELOW_DAYS = 3 * 365
"""A selection spanning less than this is charted by month, not by year."""


def actor_years(engine: SqlEngine, filters: Filters, names: list[str]) -> pd.DataFrame:
    """Incidents per year of each actor of ``names`` (per month when the kept incidents span
    less than ``MONTHLY_BELOW_DAYS``), every period of the span on the axis: columns actor,
    period (its label) and incidents."""
    span = engine.middle_span(filters)
    monthly = span is not None and (span[1] - span[0]).days < MONTHLY_BELOW_DAYS
    found = engine.actor_years(filters, names, monthly=monthly)
    if found.empty:
        return pd.DataFrame(columns=["actor", "period", "incidents"])
    steps = range(int(found["step"].min()), int(found["step"].max()) + 1)
    grid = pd.MultiIndex.from_product([names, steps], names=["actor", "step"])
    counts = found.set_index(["actor", "step"])["n"].reindex(grid, fill_value=0)
    frame = counts.rename("incidents").reset_index()
    frame["period"] = [f"{s // 12}-{s % 12 + 1:02d}" if monthly else str(s) for s in frame["step"]]
    return frame[["actor", "period", "incidents"]]


__all__ = ["ACTORS_SHOWN", "CHARTED", "MONTHLY_BELOW_DAYS", "actor_table", "actor_years"]
