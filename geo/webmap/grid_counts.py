"""Counting incidents in grid cells: what the map draws when too many are filtered to show each.

Cells are square in lon/lat, 0.05 degrees at the finest, doubling until few enough are occupied.
The same counts come from a table in memory (:func:`grid_cells`, :func:`summarise`) and from the
query engine (``geo.query``), where the database adds up the cells and this module only
coarsens them: both give a :class:`MapSummary`, which is all the map needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.stats import by_region
from geo.symbology import IMPRECISE, precision_classes

CELL_DEGREES = 0.05
"""The finest cell's side, in degrees."""

_CELL_OFFSET = 1 << 24  # cell numbers stay far below this at 0.05 degrees (7,200 around)


@dataclass(frozen=True)
class MapSummary:
    """The filtered incidents as the map draws them when there are too many to show each."""

    count: int
    """How many incidents the filters keep."""
    cells: pd.DataFrame
    """One row per occupied cell: ``lat``/``lon`` (mean of its incidents), ``count``, ``killed``
    (sum of best), ``event_type`` (the most frequent), ``imprecise`` (all members imprecise),
    and the cell itself: ``south``, ``west`` and ``size`` (degrees)."""
    regions: pd.DataFrame
    """Per region label: ``incidents``, ``killed_low``, ``killed_best``, ``killed_high``."""
    classes: tuple[str, ...]
    """The precision classes among the incidents (``geo.symbology.CLASS_LABELS``)."""
    countries: tuple[str, ...]
    """The incidents' countries (ISO codes)."""


def cell_numbers(values: np.ndarray) -> np.ndarray:
    """The finest cell (row or column number) holding each latitude or longitude."""
    return np.floor(values / CELL_DEGREES).astype(np.int64)


def _cell_keys(cell_y: np.ndarray, cell_x: np.ndarray) -> np.ndarray:
    """One int64 per (row, column) of the grid, negative numbers included."""
    return np.asarray((cell_y + _CELL_OFFSET) * (2 * _CELL_OFFSET) + (cell_x + _CELL_OFFSET))


def _cell_coords(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y, x = np.divmod(keys, 2 * _CELL_OFFSET)
    return y - _CELL_OFFSET, x - _CELL_OFFSET


def merge_cells(
    parts: pd.DataFrame, *, max_cells: int, level: int = 0, given_level: int = 0
) -> pd.DataFrame:
    """Coarsen counted parts of cells until at most ``max_cells`` are occupied.

    ``parts`` holds ``iy``/``ix`` (finest cell numbers), ``event_type``, ``n`` (incidents),
    ``killed``, ``lat_sum``, ``lon_sum`` and ``imprecise`` (how many of the ``n`` are imprecise):
    one row an incident, or one row per cell and type as the database adds them up. Starting
    ``level`` cells are ``2 ** level`` finest cells across. Returns the rows of
    :attr:`MapSummary.cells`. ``given_level``: the size of the cells ``iy``/``ix`` number
    (``2 ** given_level`` finest cells across; the database may have coarsened them).
    """
    # floor(x / 2s) == floor(floor(x / s) / 2): a coarser cell is a shift of a finer one.
    cell_y = parts["iy"].to_numpy(dtype=np.int64) >> level
    cell_x = parts["ix"].to_numpy(dtype=np.int64) >> level
    inverse, cells = pd.factorize(_cell_keys(cell_y, cell_x), sort=True)
    level += given_level
    while len(cells) > max_cells:
        cell_y, cell_x = _cell_coords(np.asarray(cells, dtype=np.int64))
        parent, cells = pd.factorize(_cell_keys(cell_y >> 1, cell_x >> 1), sort=True)
        inverse = parent[inverse]
        level += 1
    size = CELL_DEGREES * 2**level
    cell_y, cell_x = _cell_coords(np.asarray(cells, dtype=np.int64))
    n_cells = len(cells)
    n = parts["n"].to_numpy(dtype=float)
    type_inverse, type_codes = pd.factorize(parts["event_type"], sort=True)
    type_codes = np.asarray(type_codes, dtype=object)
    count = np.bincount(inverse, n, minlength=n_cells)
    per_type = np.bincount(
        inverse * len(type_codes) + type_inverse, n, minlength=n_cells * len(type_codes)
    ).reshape(n_cells, len(type_codes))

    def total(column: str) -> np.ndarray:
        return np.bincount(inverse, parts[column].to_numpy(dtype=float), minlength=n_cells)

    return pd.DataFrame(
        {
            "lat": total("lat_sum") / count,
            "lon": total("lon_sum") / count,
            "count": count.astype(np.int64),
            "killed": total("killed"),
            "event_type": type_codes[per_type.argmax(axis=1)] if n_cells else [],
            "imprecise": total("imprecise") == count,
            "south": cell_y * size,
            "west": cell_x * size,
            "size": np.full(n_cells, size),
        }
    )


def grid_cells(incidents: pd.DataFrame, *, max_cells: int) -> pd.DataFrame:
    """Aggregate incidents into square lon/lat cells, coarsening until at most ``max_cells``.

    Returns the rows of :attr:`MapSummary.cells`. Cells start at 0.05 degrees and double until
    few enough; each doubling works on the previous level's cells, not on every incident again
    (a million incidents in 0.1 s).
    """
    lat = incidents["lat"].to_numpy(dtype=float)
    lon = incidents["lon"].to_numpy(dtype=float)
    iy, ix = cell_numbers(lat), cell_numbers(lon)
    # A sample never has more cells than the whole: skip the levels where it has too many.
    step = max(len(iy) // 50_000, 1)
    level = 0
    while len(pd.unique(_cell_keys(iy[::step] >> level, ix[::step] >> level))) > max_cells:
        level += 1
    parts = pd.DataFrame(
        {
            "iy": iy,
            "ix": ix,
            "event_type": incidents["event_type"].to_numpy(),
            "n": np.ones(len(iy)),
            "killed": incidents["killed_best"].fillna(0).to_numpy(dtype=float),
            "lat_sum": lat,
            "lon_sum": lon,
            "imprecise": incidents["geo_precision"].isin(IMPRECISE).to_numpy(dtype=float),
        }
    )
    return merge_cells(parts, max_cells=max_cells, level=level)


def summarise(incidents: pd.DataFrame, *, max_cells: int) -> MapSummary:
    """The map's summary of a table in memory."""
    return MapSummary(
        count=len(incidents),
        cells=grid_cells(incidents, max_cells=max_cells),
        regions=by_region(incidents),
        classes=tuple(sorted(set(precision_classes(incidents["geo_precision"])))),
        countries=tuple(sorted(set(incidents["country"].astype(str)) - {""})),
    )


__all__ = ["CELL_DEGREES", "MapSummary", "cell_numbers", "grid_cells", "merge_cells", "summarise"]
