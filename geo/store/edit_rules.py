"""What the Edit page decides, kept apart from its widgets: a new incident's starting values, the
values a place found offline fills in, a point clicked on the map, the picker map's view, what
a recorded change changed, how a stored value reads in the history, and where a colleague's
version differs from yours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo.schema import GEO_PRECISIONS

NEW_INCIDENT: dict[str, str] = {
    "incident_id": "",
    "date_precision": "day",
    "event_type": "armed_attack",
}
"""A new incident's values before anything is given: no date and no point (it is never saved
at 0, 0 today), a day's precision and the commonest type."""


def place_values(found: Mapping[str, Any], place_given: str = "") -> dict[str, Any]:
    """The form's place fields from a place the offline geocoder found: its point, country and
    region (none for a country), its precision (``city`` where the geocoder's is not one the
    schema knows), and its name unless a place was typed already."""
    precision = found["precision"] if found["precision"] in GEO_PRECISIONS else "city"
    values = {
        "lat": float(found["lat"]),
        "lon": float(found["lon"]),
        "country": found["country"],
        "region": found["region"] or "",
        "geo_precision": precision,
    }
    if not place_given:
        values["place"] = found["name"]
    return values


def clicked_point(lat: float, lng: float) -> tuple[float, float]:
    """A point clicked on the map: to 5 decimals (about 1 m), its longitude brought back into
    -180..180 (a map panned round the world gives 200 or -190)."""
    return round(float(lat), 5), round((float(lng) + 180) % 360 - 180, 5)


def picker_view(lat: object, lon: object) -> tuple[float, float, int, bool]:
    """Where the picker map opens: on the incident's point at zoom 8 with a marker, or, with no
    point yet, the whole world and no marker (0, 0 is not a place given)."""
    if lat is None or lon is None:
        return 0.0, 0.0, 2, False
    return float(str(lat)), float(str(lon)), 8, True


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[str]:
    """The fields a recorded change changed, sorted."""
    before, after = old or {}, new or {}
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def shown_value(value: object) -> str:
    """A stored value as the history shows it: claims as "source ¶paragraph: killed, wounded"."""
    if isinstance(value, list):  # claims
        return "; ".join(
            f"{c.get('source')} ¶{c.get('paragraph')}: killed {c.get('killed') or '-'}, "
            f"wounded {c.get('wounded') or '-'}"
            for c in value
        )
    return "" if value is None else str(value)


def version_differences(theirs: Mapping[str, Any] | None, mine: Mapping[str, Any]) -> pd.DataFrame:
    """Theirs (stored now) beside yours (not saved), only the fields that differ (all of them
    when none does)."""
    stored = pd.Series(dict(theirs or {}), name="theirs (stored now)", dtype=object)
    yours = pd.Series(dict(mine), name="yours (not saved)", dtype=object)
    both = pd.concat([stored, yours], axis=1).astype(str)
    differs = both.iloc[:, 0] != both.iloc[:, 1]
    return both[differs] if differs.any() else both


__all__ = [
    "NEW_INCIDENT",
    "changed_fields",
    "clicked_point",
    "picker_view",
    "place_values",
    "shown_value",
    "version_differences",
]
