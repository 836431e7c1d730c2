"""Static maps for reports (PNG, SVG, PDF): ``render_snapshot`` and its page sizes.

``render`` lays out a page and draws it; ``page`` draws the map frame, ``basemap``-like layers
and the symbols (``symbols``), ``labels``, the legend (``legend``) and the decorations (``decor``:
scale bar, north arrow, footer); ``projection`` and ``style`` hold what they share.
"""

from geo.snapshot.render import (
    EXTENTS,
    FORMATS,
    KAZAKHSTAN_BOX,
    MIN_SPAN_KM,
    SIZES,
    check_extent,
    country_extent,
    data_extent,
    default_title,
    parse_size,
    render_snapshot,
)

__all__ = [
    "EXTENTS",
    "FORMATS",
    "KAZAKHSTAN_BOX",
    "MIN_SPAN_KM",
    "SIZES",
    "check_extent",
    "country_extent",
    "data_extent",
    "default_title",
    "parse_size",
    "render_snapshot",
]
