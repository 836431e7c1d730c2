"""ACLED's codes in the project's terms: how exact a date and a place are, and which country.

From ACLED's public codebook:

- ``time_precision`` 1: the day is known; 2: the event happened within a week around the date;
  3: within the month of the date.
- ``geo_precision`` 1: the point or the town; 2: somewhere near, in the district; 3: only the
  region is known, and the point is the provincial capital. The point is kept as ACLED gives
  it and marked ``region``: it is not the region's centre, and is drawn as coarse.
- ``iso`` is the ISO 3166-1 numeric code of the country; ``country`` its name.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.formats import countries
from geo.formats.conversion import (
    Conversion,
    Skips,
    assemble,
    free_text,
    iso,
    joined,
    numbers,
    place_from_columns,
    text,
    tolls,
    whole,
)
from geo.formats.countries import country_code  # ACLED's iso number, else its name

TIME_PRECISIONS = {1: "day", 2: "week", 3: "month"}
GEO_PRECISIONS = {1: "city", 2: "district", 3: "region"}


def acled_dates(day: date, time_precision: int) -> tuple[date, date, str] | None:
    """(start, end, precision) of an event ACLED dates ``day`` with ``time_precision``."""
    precision = TIME_PRECISIONS.get(int(time_precision))
    if precision == "day":
        return day, day, precision
    if precision == "week":  # a week around the date: three days either side
        return day - timedelta(days=3), day + timedelta(days=3), precision
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last), precision
    return None


def acled_place_precision(geo_precision: int) -> str | None:
    """The project's ``geo_precision`` for ACLED's, or ``None`` for a code it does not define."""
    return GEO_PRECISIONS.get(int(geo_precision))


SUB_EVENT_TYPES: dict[str, str] = {
    # Battles
    "armed clash": "armed_clash",
    "government regains territory": "armed_clash",
    "non-state actor overtakes territory": "armed_clash",
    # Explosions/Remote violence
    "air/drone strike": "shelling_airstrike",
    "shelling/artillery/missile attack": "shelling_airstrike",
    "suicide bomb": "suicide_bombing",
    "remote explosive/landmine/ied": "bombing",
    "grenade": "bombing",
    "chemical weapon": "other",
    # Violence against civilians
    "attack": "armed_attack",
    "abduction/forced disappearance": "kidnapping",
    "sexual violence": "other",
    # Protests and Riots
    "peaceful protest": "unrest",
    "protest with intervention": "unrest",
    "excessive force against protesters": "unrest",
    "violent demonstration": "unrest",
    "mob violence": "unrest",
    # Strategic developments
    "arrests": "arrest",
    "disrupted weapons use": "weapons_seizure",
}
"""ACLED's sub-event types (its codebook) to the project's event types; any other is ``other``."""
EVENT_TYPES: dict[str, str] = {
    "battles": "armed_clash",
    "explosions/remote violence": "bombing",
    "violence against civilians": "armed_attack",
    "protests": "unrest",
    "riots": "unrest",
    "strategic developments": "other",
    # ACLED's layout before 2019 (no sub-event types; its codebook of 2017):
    "battle-no change of territory": "armed_clash",
    "battle-government regains territory": "armed_clash",
    "battle-non-state actor overtakes territory": "armed_clash",
    "remote violence": "shelling_airstrike",
    "riots/protests": "unrest",
    "strategic development": "other",
    "headquarters or base established": "other",
    "non-violent transfer of territory": "other",
}
"""ACLED's event types, used where a row's sub-event type is empty or not in the codebook
(its older layout has none: its types are read the same way)."""


def read_event_dates(values: pd.Series, years: np.ndarray | None = None) -> pd.Series:
    """ACLED's ``event_date`` in any of its forms ("28 December 2022", "2022-12-28", and
    "28-Dec-22" as a spreadsheet saves it), read exactly (NaT for anything else): the day is
    never guessed to come first. A two-digit year is read only where the row's ``year``
    (``years``) gives the century; a date whose year is not the row's is NaT."""
    values = values.astype(str).str.strip()
    iso_form = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    words = values.str.fullmatch(r"\d{1,2} [A-Za-z]+ \d{4}")
    worded = pd.to_datetime(values.where(words, ""), format="%d %B %Y", errors="coerce")
    found = iso_form.fillna(worded)
    if years is None:
        return found
    short = values.str.fullmatch(r"\d{1,2}-[A-Za-z]{3}-\d{2}")
    if short.any():
        found = found.fillna(_short_form(values.where(short, ""), years))
    other_year = np.isfinite(years) & (found.dt.year.to_numpy(dtype=float) != years)
    return found.where(~other_year)


def _short_form(values: pd.Series, years: np.ndarray) -> pd.Series:
    """ "28-Dec-22" as a day, its century the row's ``year``'s."""
    two = pd.to_numeric(values.str[-2:], errors="coerce").to_numpy(dtype=float)
    full = years // 100 * 100 + two
    written = [f"{v[:-2]}{int(y)}" if v and np.isfinite(y) else "" for v, y in zip(values, full)]
    return pd.to_datetime(
        pd.Series(written, index=values.index), format="%d-%b-%Y", errors="coerce"
    )


def convert_acled(raw: pd.DataFrame, rows: np.ndarray, *, file: str) -> Conversion:
    """An ACLED export (its export tool's or its API's columns) in the project's schema."""
    raw = raw.rename(columns=lambda c: str(c).strip().lstrip("\ufeff").lower())
    skips = Skips(file, rows)
    event_ids = text(raw, "event_id_cnty")
    skips.skip((event_ids == "").to_numpy(), "event_id_cnty", "no event id")
    start, end, time_precision = _dates(raw, skips)
    codes = countries.codes_for(text(raw, "country"), text(raw, "iso"))
    lat, lon, lat_text, lon_text = _placed(raw, codes, skips)
    geo_code = numbers(raw, "geo_precision")
    skips.skip(
        ~np.isin(geo_code, list(GEO_PRECISIONS)), "geo_precision", "geo_precision is not 1, 2 or 3"
    )
    sub = free_text(raw, "sub_event_type", NA)
    kind = free_text(raw, "event_type", NA)
    event_type = _types(sub, kind)
    codes = countries.fill_from_points(codes, lon, lat)
    fatalities = tolls(raw, "fatalities", skips)
    reported_by = free_text(raw, "source")
    note = ("ACLED " + event_ids + np.where(reported_by.str.strip() != "", "; reported by: ", "")
            + reported_by)  # fmt: skip
    return assemble(
        "acled",
        {
            "incident_id": "ACLED-" + event_ids,
            "date_start": iso(start),
            "date_end": iso(end),
            "date_precision": pd.Series(time_precision).map(TIME_PRECISIONS).fillna(""),
            "place": free_text(raw, "location"),
            "country": codes,
            "lat": lat_text,
            "lon": lon_text,
            "geo_precision": pd.Series(geo_code).map(GEO_PRECISIONS).fillna(""),
            "event_type": event_type,
            "killed_best": whole(fatalities),
            "perpetrator": free_text(raw, "actor1", NA),
            "target": free_text(raw, "actor2", NA),
            "summary": free_text(raw, "notes", NA),
            "source_event_type": kind,
            "source_sub_event_type": sub,
            **dataset_fields(raw),
        },
        skips=skips,
        rows_read=len(raw),
        source={
            "source_id": "acled",
            "title": f"ACLED export {file}",
            "outlet": "Armed Conflict Location & Event Data (ACLED)",
            "published_note": "a dataset export; each claim names its event and reporting source",
            "kind": "dataset",
        },
        # ACLED gives no wounded figure: wounded stays empty, never 0.
        claims={"killed": whole(fatalities), "wounded": "", "note": note},
    )


def _dates(raw: pd.DataFrame, skips: Skips) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Each event's first and last day by its time precision: the day (1), the week around it
    (2: three days either side), or its month (3); rows whose date or precision does not read
    are skipped with the reason."""
    year = numbers(raw, "year")
    day = read_event_dates(text(raw, "event_date"), year if "year" in raw.columns else None)
    skips.skip(
        day.isna().to_numpy(),
        "event_date",
        "event_date is not a date",
        "ACLED writes '28 December 2022', '2022-12-28' or '28-Dec-22', in the row's year",
    )
    time_precision = numbers(raw, "time_precision")
    skips.skip(
        ~np.isin(time_precision, list(TIME_PRECISIONS)),
        "time_precision",
        "time_precision is not 1, 2 or 3",
    )
    week, month = time_precision == 2, time_precision == 3
    start = day.where(~week, day - pd.Timedelta(days=3))
    start = start.where(~month, day.dt.to_period("M").dt.start_time)
    end = day.where(~week, day + pd.Timedelta(days=3))
    end = end.where(~month, day.dt.to_period("M").dt.end_time.dt.normalize())
    return start, end, time_precision


def _placed(
    raw: pd.DataFrame, codes: np.ndarray, skips: Skips
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows' coordinates (as numbers and as text); a row without them is placed from its
    ``location`` in its country (and its ``admin1``, where the shapes know it) by the offline
    gazetteer (its ``geo_precision`` stays ACLED's), else skipped with the reason."""
    lat, lon = numbers(raw, "latitude"), numbers(raw, "longitude")
    lat_text = text(raw, "latitude").to_numpy(dtype=object, copy=True)
    lon_text = text(raw, "longitude").to_numpy(dtype=object, copy=True)
    missing = ~(np.isfinite(lat) & np.isfinite(lon))
    named = [("location", text(raw, "location", NA), "place")]
    found_lat, found_lon, placed, _ = place_from_columns(
        named, codes, missing, skips, within=text(raw, "admin1", NA)
    )
    lat_text, lon_text = (
        np.where(placed, found_lat, lat_text),
        np.where(placed, found_lon, lon_text),
    )
    lat = np.where(placed, pd.to_numeric(found_lat, errors="coerce"), lat)
    lon = np.where(placed, pd.to_numeric(found_lon, errors="coerce"), lon)
    return lat, lon, lat_text, lon_text


NA = ("NA",)
"""How ACLED's exports mark a missing value (an empty cell is missing too)."""


def dataset_fields(raw: pd.DataFrame) -> dict[str, pd.Series | str]:
    """ACLED's own fields analysts filter on (``geo.schema.DATASET_COLUMNS``)."""
    return {
        "dataset": "ACLED",
        "actor1": text(raw, "actor1", NA),
        "actor2": text(raw, "actor2", NA),
        "assoc_actors": joined(
            *(text(raw, f"{kind}_actor_{k}", NA) for kind in ("assoc", "ally") for k in (1, 2))
        ),  # "ally" in the layout before 2019
        "admin1": text(raw, "admin1", NA),
        "admin2": text(raw, "admin2", NA),
        "disorder_type": text(raw, "disorder_type", NA),
        "civilian_targeting": text(raw, "civilian_targeting", NA),
    }


def _types(sub: pd.Series, kind: pd.Series) -> np.ndarray:
    codes, pairs = pd.factorize(sub + "\x1f" + kind)  # a handful of distinct pairs
    looked_up = [
        SUB_EVENT_TYPES.get(s.strip().lower()) or EVENT_TYPES.get(k.strip().lower()) or "other"
        for s, _, k in (pair.partition("\x1f") for pair in pairs)
    ]
    return np.asarray(np.asarray(looked_up, dtype=object)[codes])


__all__ = [
    "EVENT_TYPES",
    "SUB_EVENT_TYPES",
    "acled_dates",
    "acled_place_precision",
    "convert_acled",
    "country_code",
    "read_event_dates",
]
