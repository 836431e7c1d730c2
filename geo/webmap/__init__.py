"""The interactive map: folium layers built from the engine's answers, shipped offline.

The package's face: :func:`live_map` (the Map page's map, drawn once, its layers sent on each
change), :func:`pick_map` (the Edit page's point picker), :func:`change_map` (the Trends page),
:func:`offline_map` (any map with its scripts and styles from installed packages). Each name is
loaded when first asked for: the query engine uses ``geo.webmap.grid_counts`` without the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy_faces import lazy_names

if TYPE_CHECKING:
    from geo.webmap.assets import copy_assets, offline_map
    from geo.webmap.build import MapOptions, pick_map, write_basemap
    from geo.webmap.change import MAPPED_UNITS, change_map, legend_html
    from geo.webmap.colour_by import COLOUR_FIELDS
    from geo.webmap.density import LAYERS
    from geo.webmap.view import filter_of_drawing, live_map

_HOMES = {
    "copy_assets": "assets",
    "offline_map": "assets",
    "MapOptions": "build",
    "pick_map": "build",
    "write_basemap": "build",
    "MAPPED_UNITS": "change",
    "change_map": "change",
    "legend_html": "change",
    "COLOUR_FIELDS": "colour_by",
    "LAYERS": "density",
    "filter_of_drawing": "view",
    "live_map": "view",
}


__getattr__ = lazy_names(__name__, _HOMES)

__all__ = [
    "COLOUR_FIELDS",
    "LAYERS",
    "MAPPED_UNITS",
    "MapOptions",
    "change_map",
    "copy_assets",
    "filter_of_drawing",
    "legend_html",
    "live_map",
    "offline_map",
    "pick_map",
    "write_basemap",
]
