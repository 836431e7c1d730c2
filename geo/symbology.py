"""How incidents are drawn, shared by the web map, the snapshot, the time-lapse and the pages:
type colours and labels, symbol sizes, which precisions are drawn hollow, and the default view."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

TYPE_COLOURS: dict[str, str] = {
    "armed_attack": "#d62728",
    "bombing": "#ff7f0e",
    "suicide_bombing": "#8c1c13",
    "explosion": "#bcbd22",
    "security_operation": "#1f77b4",
    "weapons_seizure": "#17becf",
    "foiled_plot": "#9467bd",
    "unrest": "#2ca02c",
    "armed_clash": "#e377c2",
    "shelling_airstrike": "#8c564b",
    "kidnapping": "#637939",
    "property_attack": "#e7969c",
    "arrest": "#6baed6",
    "other": "#7f7f7f",
}
"""One colour per event type (``geo.schema.EVENT_TYPES``), the same on screen and in print."""
OTHER_COLOUR = "#7f7f7f"
"""The colour of a type the table has but the palette does not."""
PRECISION_CLASSES: dict[str, tuple[str, ...]] = {
    "exact": ("point", "city"),
    "approximate": ("district",),
    "coarse": ("region", "country"),
}
"""How exactly an incident is placed, in three classes drawn three ways everywhere: exact (the
site or the town: a filled symbol), approximate (a district or area: a pale symbol with a solid
outline) and coarse (only the region or country: a hollow dashed symbol at the area's centre)."""
CLASS_LABELS = {
    "exact": "to the place or city",
    "approximate": "to a district or area",
    "coarse": "only to the region or country",
}
IMPRECISE = PRECISION_CLASSES["coarse"]
"""Precisions drawn hollow: the symbol marks an area's centre, not the place."""


def precision_classes(precisions: pd.Series | np.ndarray) -> np.ndarray:
    """The class (``exact``, ``approximate`` or ``coarse``) of each ``geo_precision`` value; an
    unknown value counts as exact."""
    values_in = (
        precisions if isinstance(precisions, pd.Series) else np.asarray(precisions, dtype=object)
    )
    codes, values = pd.factorize(values_in)  # a few distinct values
    of_value = {p: name for name, members in PRECISION_CLASSES.items() for p in members}
    classes = np.array([of_value.get(v, "exact") for v in values] + ["exact"], dtype=object)
    return np.asarray(classes[codes])  # code -1 (a missing value) takes the last entry: exact


def type_label(event_type: str) -> str:
    """An event type as a reader sees it: ``armed_attack`` is "armed attack"."""
    return str(event_type).replace("_", " ")


def type_labels(event_types: pd.Series) -> pd.Series:
    """:func:`type_label` of each value of a column."""
    return event_types.astype(str).str.replace("_", " ")


def type_legend(present: Iterable[str]) -> tuple[list[str], list[str]]:
    """The labels and colours of the event types in ``present``, in the palette's order (a
    type the palette lacks last, in grey): a legend lists only what is drawn."""
    given = set(present)
    known = [t for t in TYPE_COLOURS if t in given]
    others = sorted(given - set(TYPE_COLOURS))
    return [type_label(t) for t in [*known, *others]], [
        *(TYPE_COLOURS[t] for t in known),
        *[OTHER_COLOUR] * len(others),
    ]


SYMBOL_CAP = 100
"""Symbols grow with the square root of the deaths up to this many; larger tolls get the same
largest symbol (one attack with 1,000 times the median toll would otherwise cover a country),
and the legends say so."""


def symbol_radius(killed: float | None) -> float:
    """Symbol radius in pixels for an incident (or cell) with ``killed`` deaths (best figure),
    the same from ``SYMBOL_CAP`` deaths up."""
    k = 0.0 if killed is None or not np.isfinite(killed) else max(float(killed), 0.0)
    return round(6.0 + 2.2 * math.sqrt(min(k, SYMBOL_CAP)), 1)


def unwrap_longitudes(lon: np.ndarray) -> np.ndarray:
    """Longitudes seen from 0 to 360 degrees east where that brings them closer together.

    Points on both sides of the 180th meridian (Fiji, Chukotka and Alaska) are one place: a map
    of them runs east of 180 instead of round the world. Only where they then fit in half the
    world: points all round it (a world table) stay as given, where the basemap is.
    """
    lon = np.asarray(lon, dtype=float)
    ok = np.isfinite(lon)
    if not ok.any():
        return lon
    wrapped = np.where(lon < 0, lon + 360.0, lon)
    closer = np.ptp(wrapped[ok]) < np.ptp(lon[ok])
    return wrapped if closer and np.ptp(wrapped[ok]) <= 180.0 else lon
