"""Static maps for reports (PNG, SVG, PDF): ``render_snapshot`` and the ``MapFrame`` around it.

``frame`` holds the page (sizes, extents, :class:`MapFrame`); ``render`` draws a page on a
figure and writes it; ``page`` lays the page out: the map with its basemap (``decor``), symbols
(``symbols``), ``labels``, the legend (``legend``), scale bar and north arrow (``decor``);
``projection`` and ``style`` hold what they share.
"""

from typing import TYPE_CHECKING, Any

from geo.snapshot.frame import (
    EXTENTS,
    MIN_SPAN_KM,
    SIZES,
    MapFrame,
    check_extent,
    country_extent,
    data_extent,
    parse_size,
)

if TYPE_CHECKING:
    from geo.snapshot.render import (
        FORMATS,
        TimeStep,
        default_title,
        render_snapshot,
        snapshot_image,
    )

_DRAWING = {"FORMATS", "TimeStep", "default_title", "render_snapshot", "snapshot_image"}


def __getattr__(name: str) -> Any:
    """The drawing half (matplotlib) is imported when first used: a page that only frames a
    map, or counts a time-lapse's frames, does not pay for it."""
    if name in _DRAWING:
        from geo.snapshot import render

        return getattr(render, name)
    raise AttributeError(f"module 'geo.snapshot' has no attribute {name!r}")


__all__ = [
    "EXTENTS",
    "FORMATS",
    "MIN_SPAN_KM",
    "SIZES",
    "MapFrame",
    "TimeStep",
    "check_extent",
    "country_extent",
    "data_extent",
    "default_title",
    "parse_size",
    "render_snapshot",
    "snapshot_image",
]
