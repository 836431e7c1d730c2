"""What the Edit page decides, kept apart from its widgets: a new incident's starting values, the
values a place found offline fills in, a point clicked on the map, the picker map's view, what
a recorded change changed, which incident to open after a change, how a stored value reads in
the history, and where a colleague's version differs from yours."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo.paths import default_database, default_incidents_path
from geo.schema import GEO_PRECISIONS
from geo.store import Change, Store, open_store

READONLY_ENV = "INCIDENT_ATLAS_READONLY"
"""Set (to anything but 0) to switch editing off on a server."""


def editable_store(origin: str, uploaded: bool) -> tuple[Store | None, str]:
    """The store the Edit and Review pages write to, or ``None`` and why editing is off: off
    on a server that says so, for an uploaded table (the visitor's own view), and for a file
    that is not one of the product's CSV tables (import it first)."""
    if os.environ.get(READONLY_ENV, "").strip() not in ("", "0"):
        return None, "Editing is switched off on this server (INCIDENT_ATLAS_READONLY)."
    if uploaded:
        return (
            None,
            "An uploaded table is your own view: it is never written. Edit the "
            "configured table, or import yours into it with python -m geo import.",
        )
    url = default_database()
    if url:
        return open_store(url), "the team store"
    path = default_incidents_path()
    if origin or path.suffix.lower() != ".csv":
        return None, (
            f"{path.name} is not one of the product's CSV tables; import it first "
            "(python -m geo import) to edit it."
        )
    return open_store(path), f"the table {path.name}"


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


def opened_after(change: Change) -> str | None:
    """The incident to open once ``change`` is written: its own, unless the change removed it
    (a deletion, or the undo of an addition), which leaves nothing to open."""
    return None if change.new is None else change.incident_id


__all__ = [
    "NEW_INCIDENT",
    "READONLY_ENV",
    "editable_store",
    "changed_fields",
    "clicked_point",
    "opened_after",
    "picker_view",
    "place_values",
    "shown_value",
    "version_differences",
]
