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


def actor_years(engine: SqlEngine, filters: Filters, names: list[str]) -> pd.DataFrame:
    """Incidents per year of each actor of ``names``, every year of the span on the axis
    (columns actor, year, incidents)."""
    found = engine.actor_years(filters, names)
    if found.empty:
        return pd.DataFrame(columns=["actor", "year", "incidents"])
    years = range(int(found["year"].min()), int(found["year"].max()) + 1)
    grid = pd.MultiIndex.from_product([names, years], names=["actor", "year"])
    counts = found.set_index(["actor", "year"])["n"].reindex(grid, fill_value=0)
    return counts.rename("incidents").reset_index()


__all__ = ["ACTORS_SHOWN", "CHARTED", "actor_table", "actor_years"]
