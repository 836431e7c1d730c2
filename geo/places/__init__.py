"""Places: the offline gazetteer, the geocoder over it, the world's regions and countries.

The names below are the package's face; each is loaded when first asked for, so
``python -m geo geocode`` still never loads pandas or GDAL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy_faces import lazy_names

if TYPE_CHECKING:
    from geo.places.gazetteer import load_gazetteer
    from geo.places.geocode import OfflineGeocoder, geocode_place
    from geo.places.match import PlaceMatch
    from geo.places.names import fold_name, sound_key
    from geo.places.regions import (
        country_names,
        read_regions,
        region_at,
        region_countries,
        regions_at,
        regions_of,
    )

_HOMES = {
    "load_gazetteer": "gazetteer",
    "OfflineGeocoder": "geocode",
    "geocode_place": "geocode",
    "PlaceMatch": "match",
    "fold_name": "names",
    "sound_key": "names",
    "country_names": "regions",
    "read_regions": "regions",
    "region_at": "regions",
    "region_countries": "regions",
    "regions_at": "regions",
    "regions_of": "regions",
}


__getattr__ = lazy_names(__name__, _HOMES)

__all__ = [
    "OfflineGeocoder",
    "PlaceMatch",
    "country_names",
    "fold_name",
    "geocode_place",
    "load_gazetteer",
    "read_regions",
    "region_at",
    "region_countries",
    "regions_at",
    "regions_of",
    "sound_key",
]
