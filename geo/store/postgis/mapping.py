"""The map of the team store's filtered incidents, counted in the database: the first grid
cell size at which at most ``max_cells`` cells hold incidents (as
``geo.webmap.cells.grid_cells`` finds it), and per cell and type, per region and per
precision and country, the counts and tolls the map draws. The dashboard never holds the
incidents themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from geo.store.postgis.connection import connect
from geo.store.postgis.read import where
from geo.store.postgis.schema import require_schema

if TYPE_CHECKING:
    from psycopg import sql

    from geo.filters import Filters
    from geo.webmap.cells import MapSummary

_LEVELS = 13
"""Cell sizes tried: 0.05 degrees doubled up to 13 times (410 degrees: one cell holds all)."""


def _level_chain() -> sql.Composed:
    """CTEs ``c0``..``c13``: the occupied cells at each size, each made from the one before,
    and ``fits``: the first size with at most ``max_cells`` of them."""
    from psycopg import sql

    def cte(k: int) -> sql.Identifier:
        return sql.Identifier(f"c{k}")

    steps = [sql.SQL("{} AS MATERIALIZED (SELECT DISTINCT iy, ix FROM kept)").format(cte(0))]
    steps += [
        sql.SQL("{} AS MATERIALIZED (SELECT DISTINCT iy >> 1 AS iy, ix >> 1 AS ix FROM {})").format(
            cte(k), cte(k - 1)
        )
        for k in range(1, _LEVELS + 1)
    ]
    counts = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {} AS l, count(*) AS n FROM {}").format(sql.Literal(k), cte(k))
        for k in range(_LEVELS + 1)
    )
    fits = sql.SQL(
        "fits AS (SELECT coalesce(min(l), {}) AS l FROM ({}) AS sizes WHERE n <= %(max_cells)s)"
    ).format(sql.Literal(_LEVELS), counts)
    return sql.SQL(", ").join([*steps, fits])


def map_summary(url: str, filters: Filters | None = None, *, max_cells: int) -> MapSummary:
    """The map of the filtered incidents as counts, added up in the database.

    The database finds the first cell size (0.05 degrees, doubled) at which at most
    ``max_cells`` cells hold incidents, as ``geo.webmap.cells.grid_cells`` does, and returns
    one row per cell and type (count, deaths, sums of coordinates), per region and per
    precision and country: the dashboard never holds the incidents themselves.
    """
    from psycopg import sql

    from geo.filters import Filters
    from geo.symbology import IMPRECISE, precision_classes
    from geo.webmap.cells import CELL_DEGREES, MapSummary, merge_cells

    clause, params = where((filters or Filters()).normalised(), None)
    params.update(cell=CELL_DEGREES, imprecise=list(IMPRECISE), max_cells=max_cells)
    query = sql.SQL(
        """WITH kept AS MATERIALIZED (
            SELECT floor(lat / %(cell)s)::bigint AS iy, floor(lon / %(cell)s)::bigint AS ix,
                   event_type, region, geo_precision, country, lat, lon,
                   killed_low, killed_best, killed_high
            FROM incidents WHERE {where}), {levels}
        SELECT 'cell', iy >> l, ix >> l, event_type, '', '', '',
               count(*), 0, coalesce(sum(killed_best), 0), 0, sum(lat), sum(lon),
               count(*) FILTER (WHERE geo_precision = ANY(%(imprecise)s))
        FROM kept CROSS JOIN fits GROUP BY 2, 3, 4
        UNION ALL
        SELECT 'region', 0, 0, '', region, '', '', count(*), coalesce(sum(killed_low), 0),
               coalesce(sum(killed_best), 0), coalesce(sum(killed_high), 0), 0, 0, 0
        FROM kept WHERE region <> '' GROUP BY region
        UNION ALL
        SELECT 'kind', 0, 0, '', '', geo_precision, country, count(*), 0, 0, 0, 0, 0, 0
        FROM kept GROUP BY geo_precision, country"""
    ).format(where=clause, levels=_level_chain())
    with connect(url) as conn, conn.transaction():
        require_schema(conn, url)
        # Room to group in memory: spilling the sort to disk doubled the time at 100,000 rows.
        conn.execute("SET LOCAL work_mem = '64MB'")
        rows = conn.execute(query, params).fetchall()
    columns = [
        "part", "iy", "ix", "event_type", "region", "geo_precision", "country",
        "n", "killed_low", "killed_best", "killed_high", "lat_sum", "lon_sum", "imprecise",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    cells = frame[frame["part"] == "cell"].rename(columns={"killed_best": "killed"})
    regions = frame[frame["part"] == "region"].set_index("region")
    kinds = frame[frame["part"] == "kind"]
    killed = ["killed_low", "killed_best", "killed_high"]
    return MapSummary(
        count=int(cells["n"].sum()),
        cells=merge_cells(cells, max_cells=max_cells),
        regions=regions[["n", *killed]].rename(columns={"n": "incidents"}).astype("int64"),
        classes=tuple(sorted(set(precision_classes(kinds["geo_precision"].to_numpy())))),
        countries=tuple(sorted(set(kinds["country"].astype(str)) - {""})),
    )


__all__ = ["map_summary"]
