"""What each check says about a cell, worded once for both validators (pandas and SQL)."""

from __future__ import annotations

import math

from geo.errors import FilterError
from geo.places.regions import NEAR_TOLERANCE_DEG, canonical_region
from geo.schema import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, MAX_CELL_CHARS

NUL_BYTE = "the cell holds a NUL byte (\\x00); remove it"
END_BEFORE_START = "date_end is before date_start"
LONGER_THAN_A_YEAR = "date range is longer than a year; narrow it or split the incident"
NO_ROWS = "the table has a header but no rows"


def too_many_characters(count: int) -> str:
    return f"the cell holds {count:,} characters; the limit is {MAX_CELL_CHARS:,}"


def empty_id(column: str) -> str:
    return f"{column} is empty"


def duplicate_id(column: str, value: str, first_row: int) -> str:
    return f"duplicate {column} {value!r} (first used on row {first_row})"


def unknown_date_precision(value: str) -> str:
    return f"unknown date_precision {value!r}; use one of {', '.join(DATE_PRECISIONS)}"


def too_long_for_precision(span: float) -> str:
    return f"date range of {int(span)} days is too long for its date_precision"


def not_a_number(column: str, text: object) -> str:
    return f"{column} {text!r} is not a number"


def outside_range(column: str, value: float, limit: int) -> str:
    return f"{column} {value} is outside -{limit}..{limit}"


def unknown_geo_precision(value: str) -> str:
    return f"unknown geo_precision {value!r}; use one of {', '.join(GEO_PRECISIONS)}"


def unknown_region(name: str) -> str:
    try:
        canonical_region(name)
    except FilterError as exc:
        return str(exc)
    return f"unknown region {name!r}"


def region_mismatch(lat: float, lon: float, joined: str | None, stated: str) -> str:
    return f"lat {lat:.4f}, lon {lon:.4f} lies in {joined or 'no known region'}, not in {stated!r}"


def admin1_unjoined(name: str, joined: str | None, country: str = "-") -> str:
    if not str(country).strip():
        return f"admin1 {name!r} cannot be joined to a region: the row gives no country"
    return (
        f"admin1 {name!r} joins no region shape of the row's country by name or code; its "
        f"region is the one its point lies in ({joined or 'none'})"
    )


UNJOINED_LISTED = 40
"""The admin1 names the summary lists by name (the rest are counted)."""


def admin1_unjoined_summary(counts: list[tuple[str, str, int]], names: int, rows: int) -> str:
    """The admin1 names that join no region, most rows first: (name, country, rows), of
    ``names`` distinct names in ``rows`` rows in all."""
    shown = "; ".join(
        f"{name[:60]!r} ({country or 'no country'}): {n:,}"
        for name, country, n in counts[:UNJOINED_LISTED]
    )
    more = f"; and {names - UNJOINED_LISTED:,} more" if names > UNJOINED_LISTED else ""
    return (
        f"{names:,} admin1 name(s) in {rows:,} row(s) join no region shape by name or code "
        f"(the point decides their region): {shown}{more}"
    )


def admin1_elsewhere(name: str, label: str, joined: str | None) -> str:
    return (
        f"the point lies in {joined or 'no known region'}, not in admin1 {name!r} ({label}); "
        "the dataset's unit is kept"
    )


def in_no_region(lat: float, lon: float) -> str:
    return (
        f"lat {lat:.4f}, lon {lon:.4f} lies in no region (more than "
        f"{NEAR_TOLERANCE_DEG}° from any): at sea, or lat and lon swapped?"
    )


def not_a_country(value: str) -> str:
    return f"country {value!r} is not an ISO 3166-1 alpha-2 code"


def in_another_country(region: str, country: str, stated: str) -> str:
    return f"the point lies in {region} ({country}), not in {stated}"


def unknown_event_type(value: str) -> str:
    return f"unknown event_type {value!r}; use one of {', '.join(EVENT_TYPES)}"


def low_above_best(what: str, low: float, best: float) -> str:
    return f"{what}_low {low:.0f} is above {what}_best {best:.0f}"


def high_below_best(what: str, high: float, best: float) -> str:
    return f"{what}_high {high:.0f} is below {what}_best {best:.0f}"


def unknown_sources(ids: str) -> str:
    return f"unknown source id(s) {ids}"


def claim_for_unknown_incident(value: str) -> str:
    return f"claim for unknown incident {value!r}"


def unknown_source(value: str) -> str:
    return f"unknown source {value!r}"


def claim_outside(what: str, number: float, low: float | None, high: float | None, id_: str) -> str:
    return (
        f"claim of {number:.0f} {what} is outside the range "
        f"{_figure(low)}-{_figure(high)} of incident {id_!r}"
    )


def _figure(value: float | None) -> str:
    return "?" if value is None or math.isnan(value) else f"{value:.0f}"
