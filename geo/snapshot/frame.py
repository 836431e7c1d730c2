"""How a static map sits on its page: page size, resolution, extent, title and credits.

:class:`MapFrame` is the one value that carries these for a snapshot, each frame of a
time-lapse, the dashboard's export and the command line; it checks them when it is made, so a
bad size or extent fails before any data is read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import UsageError
from geo.places.regions import country_bounds
from geo.symbology import unwrap_longitudes

MM_PER_INCH = 25.4

Box = tuple[float, float, float, float]
"""(west, south, east, north) in degrees."""

SIZES: dict[str, tuple[float, float]] = {
    "a4-landscape": (297 / MM_PER_INCH, 210 / MM_PER_INCH),
    "a4-portrait": (210 / MM_PER_INCH, 297 / MM_PER_INCH),
    "slide": (40 / 3, 7.5),
}
"""Named page sizes in inches (width, height); ``slide`` is a 16:9 presentation slide."""
EXTENTS = ("data", "country", "world")
MAX_PIXELS_PER_SIDE = 20_000
MIN_SPAN_KM = 550.0
"""The smallest area a "data" extent shows, so a single city is not a pin-prick."""


def parse_size(size: str, *, dpi: float = 300) -> tuple[float, float]:
    """The page size in inches for a name of ``SIZES`` or ``"WxH"`` in pixels (inches = px/dpi).

    Raises
    ------
    UsageError
        (a ``ValueError``) for an unknown name, a malformed ``WxH``, a dpi that is not
        positive, or a side outside 50-20,000 pixels.
    """
    key = str(size).strip().lower()
    if key in SIZES:
        width, height = SIZES[key]
    else:
        match = re.fullmatch(r"(\d{1,6})\s*[x×]\s*(\d{1,6})", key)
        if not match:
            raise UsageError(
                f"unknown size {size!r}; use {', '.join(SIZES)} or WxH in pixels like 1600x900"
            )
        if dpi <= 0:
            raise UsageError(f"dpi must be positive, not {dpi}")
        width, height = int(match[1]) / dpi, int(match[2]) / dpi
    for side in (width, height):
        if not 50 <= round(side * dpi) <= MAX_PIXELS_PER_SIDE:
            raise UsageError(
                f"size {size!r} at {dpi} dpi is {round(width * dpi)}x{round(height * dpi)} "
                f"pixels; each side must be 50 to {MAX_PIXELS_PER_SIDE:,} pixels"
            )
    return width, height


def data_extent(
    lon: np.ndarray | pd.Series, lat: np.ndarray | pd.Series
) -> tuple[float, float, float, float]:
    """The box a "data" map shows: the points' bounds with a margin, at least ``MIN_SPAN_KM``.

    Returns (west, south, east, north) in degrees.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return WORLD_BOX
    lon, lat = lon[ok], lat[ok]
    lon = unwrap_longitudes(lon)  # Fiji's box runs east of 180, not round the world
    west, east, south, north = lon.min(), lon.max(), lat.min(), lat.max()
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    min_lat = MIN_SPAN_KM / 111.2
    min_lon = MIN_SPAN_KM / (111.2 * max(math.cos(math.radians(mid_lat)), 0.2))
    half_lat = max((north - south) * 1.16, min_lat) / 2 + 0.25
    half_lon = max((east - west) * 1.16, min_lon) / 2 + 0.25
    lowest = -180.0 if mid_lon <= 180 - half_lon else 0.0
    west, east = _within(mid_lon - half_lon, mid_lon + half_lon, lowest, lowest + 360.0)
    south, north = _within(mid_lat - half_lat, mid_lat + half_lat, -MAX_LAT, MAX_LAT)
    return float(west), float(south), float(east), float(north)


def country_extent(
    lon: np.ndarray | pd.Series,
    lat: np.ndarray | pd.Series,
    countries: np.ndarray | pd.Series | None = None,
) -> tuple[float, float, float, float]:
    """The whole of the country most incidents are in, grown to hold every point outside it
    with a margin (an "all of Kazakhstan" map keeps the incidents in the Caucasus in frame).

    Without countries, or for a country the layer lacks, the data's own extent."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    main = _main_country(countries, ok)
    bounds = country_bounds(main) if main else None
    if bounds is None:
        return data_extent(lon, lat)
    west, south, east, north = bounds
    if ok.any():
        margin = 1.0
        west = min(west, float(lon[ok].min()) - margin)
        east = max(east, float(lon[ok].max()) + margin)
        south = min(south, float(lat[ok].min()) - margin)
        north = max(north, float(lat[ok].max()) + margin)
    west, east = _within(west, east, -180.0, 180.0)
    south, north = _within(south, north, -MAX_LAT, MAX_LAT)
    return float(west), float(south), float(east), float(north)


def main_country(countries: np.ndarray | pd.Series | None) -> str:
    """The ISO code most of ``countries`` have ("" for none)."""
    return _main_country(countries, None)


def _main_country(countries: np.ndarray | pd.Series | None, ok: np.ndarray | None) -> str:
    if countries is None:
        return ""
    codes = countries if isinstance(countries, pd.Series) else pd.Series(countries, dtype=object)
    if ok is not None and len(ok) == len(codes):
        codes = codes[np.asarray(ok, dtype=bool)]
    counts = codes.value_counts()  # then keep the codes: a million rows count in one pass
    counts = counts[counts.index.astype(str).str.fullmatch("[A-Z]{2}")]
    return str(counts.index[0]) if len(counts) else ""


WORLD_BOX = (-180.0, -58.0, 180.0, 84.0)
"""The world as a "world" map shows it (Antarctica left out)."""


MAX_LAT = 85.0
"""Static maps stop at 85 degrees north and south (the projection cannot show a pole)."""


def _within(low: float, high: float, floor: float, ceiling: float) -> tuple[float, float]:
    """The interval ``low..high`` moved (and if need be shortened) to lie in ``floor..ceiling``."""
    span = min(high - low, ceiling - floor)
    if low < floor:
        low, high = floor, floor + span
    if high > ceiling:
        low, high = ceiling - span, ceiling
    return low, high


def check_extent(extent: object) -> None:
    """Raise ``ValueError`` unless ``extent`` is "data", "country" or a (w, s, e, n) box."""
    if isinstance(extent, tuple):
        ok = len(extent) == 4 and all(
            isinstance(v, int | float) and math.isfinite(v) for v in extent
        )
        if (
            ok
            and -180 <= extent[0] < extent[2] <= 360  # east of 180: across the meridian
            and extent[2] - extent[0] <= 360
            and -MAX_LAT <= extent[1] < extent[3] <= MAX_LAT
        ):
            return
    elif extent in EXTENTS:
        return
    raise UsageError(
        f"extent must be one of {', '.join(EXTENTS)} or a (west, south, east, "
        f"north) box in degrees, not {extent!r}"
    )


@dataclass(frozen=True)
class MapFrame:
    """The page around a static map.

    Parameters
    ----------
    size
        ``"a4-landscape"``, ``"a4-portrait"``, ``"slide"`` or ``"WxH"`` in pixels (see
        :func:`parse_size`).
    dpi
        Resolution of a PNG (and of ``WxH`` sizes).
    extent
        ``"data"``: the incidents with a margin; ``"country"``: the whole country most of them
        are in, and any incident beyond it; ``"world"``: the world; or a (west, south, east,
        north) box in degrees, used as given.
    title
        The title; empty or ``None`` for one made from the data.
    credits
        Appended to the bottom line (author, report, licence).

    Raises
    ------
    UsageError
        For a size that cannot be drawn; ``ValueError`` for an unknown extent.
    """

    size: str = "a4-landscape"
    dpi: int = 300
    extent: str | Box = "data"
    title: str | None = None
    credits: str | None = None

    def __post_init__(self) -> None:
        parse_size(self.size, dpi=self.dpi)
        check_extent(self.extent)

    def inches(self, *, whole_pixels: bool) -> tuple[float, float]:
        """The page's width and height in inches; rounded to whole pixels for a raster."""
        width, height = parse_size(self.size, dpi=self.dpi)
        if whole_pixels:  # matplotlib truncates, so give it the rounded size
            width, height = round(width * self.dpi) / self.dpi, round(height * self.dpi) / self.dpi
        return width, height

    def box(
        self,
        lon: np.ndarray | pd.Series,
        lat: np.ndarray | pd.Series,
        countries: np.ndarray | pd.Series | None = None,
    ) -> Box:
        """The area the map shows for points at ``lon``/``lat`` in ``countries``."""
        if isinstance(self.extent, tuple):
            return tuple(float(v) for v in self.extent)  # type: ignore[return-value]
        if self.extent == "country":
            return country_extent(lon, lat, countries)
        if self.extent == "world":
            return WORLD_BOX
        return data_extent(lon, lat)
