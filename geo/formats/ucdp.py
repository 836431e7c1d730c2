"""UCDP's Georeferenced Event Dataset (GED) in the project's terms (from its public codebook).

- ``date_start``/``date_end`` are the range the event lies in (``date_prec`` says how it was
  known; the range itself is kept, and its length gives the project's precision).
- ``where_prec``: 1 the exact place; 2 within about 25 km of a known place; 3 only the
  second-order administrative area; 4 only the first-order region; 5 a larger area or a line
  (a road, a river, "northern X"); 6 only the country; 7 international waters or airspace.
- ``low``/``best``/``high`` are UCDP's own range of deaths and become ``killed_low``/``_best``/
  ``_high`` as they are; the claim holds the best estimate and names the range.
- ``type_of_violence``: 1 state-based conflict and 2 non-state conflict are armed clashes;
  3 one-sided violence (an organised actor against civilians) is an armed attack.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.formats import countries
from geo.formats.conversion import (
    Conversion,
    Skips,
    assemble,
    free_text,
    iso,
    numbers,
    place_from_columns,
    text,
    tolls,
    whole,
)

WHERE_PRECISIONS = {
    1: "point", 2: "city", 3: "district", 4: "region", 5: "region", 6: "country", 7: "country",
}  # fmt: skip
VIOLENCE_TYPES = {1: "armed_clash", 2: "armed_clash", 3: "armed_attack"}
PLACE_SUFFIX = r"(?i)\s+(?:town|village|city|area|camp|district|province|region)$"
"""What UCDP adds to a place's name in ``where_coordinates`` ("Makhachkala town")."""

VIOLENCE_NAMES = {1: "state-based conflict", 2: "non-state conflict", 3: "one-sided violence"}


_SOURCE = {
    "source_id": "ucdp-ged",
    "outlet": "Uppsala Conflict Data Program (UCDP)",
    "published_note": "a dataset export; each claim names its event",
    "kind": "dataset",
}
"""The export as a source of ``sources.csv`` (its title names the file)."""


def convert_ucdp(raw: pd.DataFrame, rows: np.ndarray, *, file: str) -> Conversion:
    """A UCDP GED export (CSV as UCDP ships it, or its API's fields) in the project's schema."""
    raw = raw.rename(columns=lambda c: str(c).strip().lstrip("\ufeff").lower())
    skips = Skips(file, rows)
    event_ids = text(raw, "id").str.replace(r"\.0$", "", regex=True)
    skips.skip((event_ids == "").to_numpy(), "id", "no event id")
    start = _day(text(raw, "date_start"))
    end = _day(text(raw, "date_end"))
    skips.skip(start.isna().to_numpy(), "date_start", "date_start is not a date")
    end = end.fillna(start)
    span = (end - start).dt.days.to_numpy(dtype=float, na_value=np.nan)
    skips.skip(span < 0, "date_end", "date_end is before date_start")
    skips.skip(span > 365, "date_end", "a date range longer than a year")
    lat, lon = numbers(raw, "latitude"), numbers(raw, "longitude")
    codes = countries.codes_for(text(raw, "country"))
    lat_text, lon_text, located_to = _located(raw, codes, lat, lon, skips)
    violence = numbers(raw, "type_of_violence")
    skips.skip(
        ~np.isin(violence, list(VIOLENCE_TYPES)), "type_of_violence", "type_of_violence is not 1-3"
    )
    codes = countries.fill_from_points(codes, lon, lat)
    low, best, high = (tolls(raw, c, skips) for c in ("low", "best", "high"))
    note = (
        "UCDP GED " + event_ids + "; best estimate " + whole(best) + " (low " + whole(low)
        + ", high " + whole(high) + ")"
    )  # fmt: skip
    place = free_text(raw, "where_coordinates")
    return assemble(
        "ucdp",
        {
            "incident_id": "UCDP-" + event_ids,
            "date_start": iso(start),
            "date_end": iso(end),
            "place": place.where(place.str.strip() != "", free_text(raw, "adm_1")),
            "country": codes,
            "lat": lat_text,
            "lon": lon_text,
            "geo_precision": located_to,
            "event_type": pd.Series(violence).map(VIOLENCE_TYPES).fillna(""),
            "killed_low": whole(low),
            "killed_best": whole(best),
            "killed_high": whole(high),
            "perpetrator": free_text(raw, "side_a"),
            "target": free_text(raw, "side_b"),
            "summary": free_text(raw, "conflict_name"),
            "source_event_type": pd.Series(violence).map(VIOLENCE_NAMES).fillna(""),
            "dataset": "UCDP GED",
            "actor1": text(raw, "side_a"),
            "actor2": text(raw, "side_b"),
            "admin1": text(raw, "adm_1"),
            "admin2": text(raw, "adm_2"),
            "violence_type": pd.Series(violence).map(VIOLENCE_NAMES).fillna(""),
        },
        skips=skips,
        rows_read=len(raw),
        source={"title": f"UCDP Georeferenced Event Dataset export {file}", **_SOURCE},
        claims={"killed": whole(best), "wounded": "", "note": note},
    )


def _located(
    raw: pd.DataFrame, codes: np.ndarray, lat: np.ndarray, lon: np.ndarray, skips: Skips
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each event's coordinates (as text) and precision: its own where given (by
    ``where_prec``), else found offline from its place, ``adm_2`` or ``adm_1``."""
    where = numbers(raw, "where_prec")
    skips.skip(~np.isin(where, list(WHERE_PRECISIONS)), "where_prec", "where_prec is not 1-7")
    where_named = text(raw, "where_coordinates").str.replace(PLACE_SUFFIX, "", regex=True)
    named = [
        ("where_coordinates", where_named, "place"),
        ("adm_2", text(raw, "adm_2"), "place"),
        ("adm_1", text(raw, "adm_1"), "admin"),
    ]
    placed_lat, placed_lon, placed, found = place_from_columns(
        named, codes, ~(np.isfinite(lat) & np.isfinite(lon)), skips, within=text(raw, "adm_1")
    )
    lat_text = np.where(placed, placed_lat, text(raw, "latitude").to_numpy(dtype=object))
    lon_text = np.where(placed, placed_lon, text(raw, "longitude").to_numpy(dtype=object))
    located_to = pd.Series(where).map(WHERE_PRECISIONS).fillna("").to_numpy(dtype=object)
    return lat_text, lon_text, np.where(placed, found, located_to)


def _day(values: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` dates, with or without a time after them (UCDP's CSV adds one)."""
    return pd.to_datetime(values.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")


__all__ = ["VIOLENCE_TYPES", "WHERE_PRECISIONS", "convert_ucdp"]
