"""What the Trends page shows, worked out here (the page only draws it): the units' names, the
table's columns in words, the flag counts and the sentence that says what was compared."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.trends import FLAGS, Trend, Trends

UNIT_WORDS = {
    "region": "Region",
    "admin1": "Admin 1 (as the dataset writes it)",
    "country": "Country",
    "type": "Event type",
    "actor": "Actor",
}
NEEDS_FIELD = {"admin1": ("admin1",), "actor": ("actor1", "actor2", "assoc_actors")}
"""Units a table offers only when it has the dataset's field."""
ROWS_SHOWN = 300
"""The most units the page's table lists (the busiest; the CSV holds every one)."""
UNIT_FACET = {
    "region": "regions",
    "country": "countries",
    "type": "types",
    "actor": "actors",
    "admin1": "admin1",
}
"""The filter (a facet of ``geo.facets``) a picked unit sets."""


def units_offered(fields: tuple[str, ...]) -> list[str]:
    """The units this table can be counted by."""
    return [
        u
        for u in UNIT_WORDS
        if not set(NEEDS_FIELD.get(u, ())) or set(NEEDS_FIELD[u]) & set(fields)
    ]


def unit_names(units: list[str], by: str) -> dict[str, str]:
    """How each unit is shown: a type's words, a country's name (with its code)."""
    if by == "type":
        from geo.symbology import type_label

        return {u: type_label(u) for u in units}
    if by == "country":
        from geo.places.regions import country_names

        names = country_names()
        return {u: f"{names[u]} ({u})" if u in names else u for u in units}
    return {u: u for u in units}


def page_table(found: Trends, by: str, measure: str = "incidents") -> pd.DataFrame:
    """The latest period's rows as the page lists them, busiest first now or in the baseline
    (``unit`` kept for a pick)."""
    t = found.table
    now = t[measure].astype(float)
    busiest = np.maximum(now, t["baseline"].astype(float).fillna(0))
    t = t.assign(busiest=busiest).sort_values(["busiest", "unit"], ascending=[False, True])
    names = unit_names([str(u) for u in t["unit"]], by)
    killed = [
        f"{int(b):,}" + (f" ({int(lo):,}–{int(hi):,})" if lo != hi else "")
        for lo, b, hi in zip(t["killed_low"], t["killed"], t["killed_high"], strict=True)
    ]
    return pd.DataFrame(
        {
            "unit": t["unit"].astype(str),
            UNIT_WORDS[by]: [names[str(u)] for u in t["unit"]],
            "Flag": t["flag"].replace("", "no baseline"),
            "Incidents": t["incidents"].astype(int),
            "Killed (best; lowest–highest)": killed,
            "Baseline (a period)": t["baseline"],
            "Change": t["change"],
            "Change %": ["" if pd.isna(p) else f"{p:+.1f}%" for p in t["change_pct"]],
            "Deaths": [
                f"highest in {n} years" if n > 1 else "highest in a year" if n else ""
                for n in t["highest_in"]
            ],  # fmt: skip
            "Last periods": t["line"],
        }
    )


def flag_counts(found: Trends) -> dict[str, int]:
    """How many units have each flag, in ``FLAGS`` order."""
    counts = found.table["flag"].value_counts()
    return {f: int(counts.get(f, 0)) for f in FLAGS}


def what_was_compared(found: Trends, trend: Trend) -> str:
    """One sentence: the period, the baseline, the data's span and whether it is partial."""
    if not found.latest or found.covered is None:
        return "No incident matches the filters."
    spans = "; ".join(f"{a} to {b}" for a, b in found.covered)
    text = (
        f"{found.latest} {trend.describe().removeprefix(f'by {trend.by}, {trend.period} ')}, "
        f"by {UNIT_WORDS[trend.by].lower()}. The data covers {spans}: periods outside are "
        "gaps, left out of every baseline, never counted as nothing."
    )
    if found.partial:
        last = found.covered[-1][1]
        text += f" {found.latest} is covered to {last} only: its figures are so far."
    return text


__all__ = [
    "UNIT_FACET", "ROWS_SHOWN", "UNIT_WORDS", "flag_counts", "page_table", "unit_names",
    "units_offered", "what_was_compared",
]  # fmt: skip
