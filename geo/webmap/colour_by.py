"""Symbols coloured by a field of the incidents: the event type (the product's own colours),
or the dataset's own type, the first actor or the dataset, each of the most frequent values in
a colour of its own and the rest in grey, with the key the legend lists."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import UsageError
from geo.symbology import OTHER_COLOUR, TYPE_COLOURS

COLOUR_FIELDS = {
    "event_type": "Event type",
    "source_event_type": "The dataset's own type",
    "actor1": "Actor (first side)",
    "dataset": "Dataset",
}
"""What symbols may be coloured by -> the legend's title."""
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf")  # fmt: skip
"""Tableau's ten colours less its grey, which marks the rest."""
OTHERS = "other or none"


def colour_key(
    incidents: pd.DataFrame, field: str
) -> tuple[np.ndarray, list[str], list[tuple[str, str]] | None]:
    """Each incident's colour number, the colours, and the legend's (value, colour) pairs
    (``None`` for the event type, whose legend lists the types shown)."""
    if field not in COLOUR_FIELDS:
        raise UsageError(f"symbols are coloured by one of {', '.join(COLOUR_FIELDS)}")
    if field == "event_type" or field not in incidents.columns:
        types = list(TYPE_COLOURS)
        known = [types.index(t) if t in types else len(types) for t in incidents["event_type"]]
        return np.array(known, dtype=int), [*TYPE_COLOURS.values(), OTHER_COLOUR], None
    values = incidents[field].fillna("").astype(str).str.strip()
    counts = values[values != ""].value_counts()
    ranked = sorted(counts.index, key=lambda v: (-counts[v], v))[: len(PALETTE)]
    number = {v: k for k, v in enumerate(ranked)}
    codes = np.array([number.get(v, len(ranked)) for v in values], dtype=int)
    colours = [*PALETTE[: len(ranked)], OTHER_COLOUR]
    items = [(str(v), colours[k]) for v, k in number.items()]
    if bool(np.any(codes == len(ranked))):
        items.append((OTHERS, OTHER_COLOUR))
    return codes, colours, items


__all__ = ["COLOUR_FIELDS", "OTHERS", "PALETTE", "colour_key"]
