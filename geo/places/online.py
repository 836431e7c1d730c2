"""Online geocoding, opt-in: Nominatim, rate-limited and cached on disk
(``.geocode-cache.json``), asked only for names the offline gazetteer lacks
(``python -m geo geocode --online``). Nothing else in the product touches the network."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from geopy.exc import GeopyError
from geopy.location import Location

from geo.errors import GeocodeError
from geo.files import write_text_atomic
from geo.places.match import PlaceMatch, round_coordinate

_NOMINATIM_PRECISION = {
    **dict.fromkeys(
        (
            "city",
            "town",
            "village",
            "hamlet",
            "suburb",
            "neighbourhood",
            "quarter",
            "city_district",
            "borough",
            "isolated_dwelling",
        ),
        "city",
    ),
    **dict.fromkeys(("county", "district", "municipality", "state_district"), "district"),
    **dict.fromkeys(("state", "province", "region"), "region"),
    "country": "country",
}


def _match_from_location(query: str, location: Location) -> PlaceMatch:
    """Turn an online answer (geopy ``Location``, Nominatim ``raw``) into a PlaceMatch."""
    from geo.places.regions import region_at

    raw = location.raw if isinstance(location.raw, dict) else {}
    address = raw.get("address")
    if not isinstance(address, dict):
        address = {}
    kind = str(raw.get("addresstype") or raw.get("type") or "")
    precision = _NOMINATIM_PRECISION.get(kind, "point")
    lon, lat = float(location.longitude), float(location.latitude)
    osm = f"{raw.get('osm_type')}/{raw.get('osm_id')}" if raw.get("osm_id") else ""
    return {
        "query": query,
        "name": str(raw.get("name") or str(location.address).split(",")[0]),
        "lat": round_coordinate(lat),
        "lon": round_coordinate(lon),
        "country": str(address.get("country_code", "")).upper(),
        "region": None if precision == "country" else region_at(lon, lat),
        "precision": precision,
        "source": f"nominatim:{osm}" if osm else "nominatim",
    }


class CachedGeocoder:
    """Ask a slow geocoding function once per (query, country), remembering answers on disk.

    ``geocode_fn(query, country)`` returns a geopy ``Location`` or ``None``. Answers, including
    "nothing found", are stored in a JSON file written atomically (temp file, then
    ``os.replace``); service errors are not stored, so the next run asks again.
    """

    def __init__(
        self,
        geocode_fn: Callable[[str, str | None], Location | None],
        *,
        cache_path: Path,
    ) -> None:
        self.geocode_fn = geocode_fn
        self.cache_path = Path(cache_path)
        self._cache: dict[str, PlaceMatch | None] | None = None

    @staticmethod
    def _key(query: str, country: str | None) -> str:
        return f"{(country or '*').upper()}|{query.strip()}"

    def _entries(self) -> dict[str, PlaceMatch | None]:
        if self._cache is None:
            try:
                text = self.cache_path.read_text(encoding="utf-8")
            except FileNotFoundError:
                text = "{}"
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise GeocodeError(
                    f"{self.cache_path}: not a geocode cache ({exc}); delete it to start afresh"
                ) from exc
            if not isinstance(data, dict):
                raise GeocodeError(f"{self.cache_path}: not a geocode cache (not a JSON object)")
            self._cache = data
        return self._cache

    def _save(self) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self._entries(), ensure_ascii=False, indent=1, sort_keys=True)
        write_text_atomic(self.cache_path, text)

    def lookup(self, query: str, *, country: str | None = None) -> PlaceMatch | None:
        """The cached answer for ``query``, asking ``geocode_fn`` only the first time.

        Raises
        ------
        GeocodeError
            If the service fails (network, quota, timeout) or the cache file is unreadable.
        """
        key = self._key(query, country)
        entries = self._entries()
        if key in entries:
            return entries[key]
        try:
            location = self.geocode_fn(query.strip(), country)
        except GeopyError as exc:
            raise GeocodeError(f"online geocoder failed for {query!r}: {exc}") from exc
        entries[key] = None if location is None else _match_from_location(query.strip(), location)
        self._save()
        return entries[key]


def make_online_geocoder(
    *, cache_path: Path, user_agent: str, timeout: float = 10
) -> CachedGeocoder:
    """Nominatim (OpenStreetMap), one request a second at most, cached on disk.

    Never used unless asked for (``python -m geo geocode --online``). Follow Nominatim's usage
    policy: a real ``user_agent``, no bulk geocoding.

    Parameters
    ----------
    cache_path
        JSON file remembering every answer (the repository ignores ``.geocode-cache.json``).
    user_agent
        Identifies the application to Nominatim.
    timeout
        Seconds to wait for each request.
    """
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    nominatim = Nominatim(user_agent=user_agent, timeout=timeout)
    limited = RateLimiter(
        nominatim.geocode,
        min_delay_seconds=1,
        max_retries=2,
        error_wait_seconds=5,
        swallow_exceptions=False,
    )

    def ask(query: str, country: str | None) -> Location | None:
        return limited(query, exactly_one=True, addressdetails=True, country_codes=country)

    return CachedGeocoder(ask, cache_path=cache_path)
