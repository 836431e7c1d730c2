"""The questions every page asks, as SQL both back ends run: DuckDB and PostgreSQL.

Each function returns the text of one statement; every value in it is a placeholder of the
:class:`geo.facets.Bind` given, and every name in it is fixed here (a sort column is taken from
an allow-list). The two dialects differ in one place only: how a date column reads as a date
(:class:`Dialect`), since the Parquet cache keeps timestamps and PostgreSQL keeps dates.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.errors import UsageError
from geo.facets import EXACT_PRECISIONS, LIST_COLUMNS, Bind
from geo.filters import Filters
from geo.schema import ACTOR_COLUMNS, COLUMNS, DATASET_COLUMNS, SOURCE_COLUMNS
from geo.symbology import IMPRECISE
from geo.webmap.grid_counts import CELL_DEGREES

LEVELS = 13
"""Cell sizes tried: 0.05 degrees doubled up to 13 times (410 degrees: one cell holds all)."""
SEARCHED = ("place", "perpetrator", "target", "summary")
"""The columns the Incidents page's search looks in."""
SORTABLE = frozenset(COLUMNS) - {"row"}
"""Columns a page of rows may be ordered by (names, never values, reach the SQL text)."""
TOLLS = ("killed_low", "killed_best", "killed_high", "wounded_low", "wounded_best", "wounded_high")


@dataclass(frozen=True)
class Dialect:
    """What differs between the back ends' SQL."""

    style: str
    """The driver's parameter style (``Bind``)."""
    date_cast: str
    """How a date column reads as a date: ``CAST({} AS DATE)`` or ``{}``."""
    sample: str
    """A clause after a table's name that reads ``{percent}`` per cent of its rows."""
    cells: tuple[str, str]
    """An incident's finest map cell (``CELL_DEGREES``): row and column, as integers."""
    split: str
    """A list column's items (``'; '`` between them) as an array ``unnest`` takes."""

    def day(self, column: str) -> str:
        return self.date_cast.format(column)


DUCKDB = Dialect(
    "duckdb",
    "CAST({} AS DATE)",
    "TABLESAMPLE {percent}% (system)",
    ("cy", "cx"),  # the embedded engine's table keeps each incident's cell (geo.query.duck)
    "string_split({}, '; ')",
)
POSTGRES = Dialect(
    "psycopg",
    "{}",
    "TABLESAMPLE SYSTEM ({percent})",
    tuple(f"CAST(floor({c} / {CELL_DEGREES}) AS BIGINT)" for c in ("lat", "lon")),  # type: ignore[arg-type]
    "string_to_array({}, '; ')",
)
SAMPLE_ROWS = 50_000
"""About how many rows the map's sample reads (5 per cent of a million, 0.5 of ten million)."""


def where(filters: Filters, bind: Bind, *, bounds: tuple[float, ...] | None = None) -> str:
    """The filters' condition, and the map's view (west, south, east, north) when given."""
    text = filters.where(bind)
    if bounds is not None:
        west, south, east, north = (float(b) for b in bounds)
        box = f"lat BETWEEN {bind(south)} AND {bind(north)}"
        if west <= east:
            box += f" AND lon BETWEEN {bind(west)} AND {bind(east)}"
        else:  # a view across the 180th meridian
            box += f" AND (lon >= {bind(west)} OR lon <= {bind(east)})"
        text = f"({text}) AND {box}"
    return text


def headline(filters: Filters, bind: Bind) -> str:
    """Counts and toll sums of the kept incidents, and how many the precision switch hides.

    The regions are counted by grouping, not ``count(DISTINCT ...)``, which PostgreSQL sorts
    for (a quarter of a second at a million incidents)."""
    kept = f"geo_precision IN {bind.each(list(EXACT_PRECISIONS))}" if filters.exact_only else "TRUE"
    sums = ", ".join(f"coalesce(sum({t}) FILTER (WHERE {kept}), 0)" for t in TOLLS)
    regions = (
        f"SELECT count(*) FROM (SELECT region FROM incidents WHERE {filters.where(bind)} "
        "AND region <> '' GROUP BY region) AS named"
    )
    return (
        f"SELECT count(*), count(*) FILTER (WHERE {kept}), {sums}, ({regions}), "
        f"count(wounded_best) FILTER (WHERE {kept}), "
        f"count(coalesce(killed_low, killed_best, killed_high)) FILTER (WHERE {kept}) "
        f"FROM incidents WHERE {filters.where(bind, precision=False)}"
    )


def midpoint(dialect: Dialect) -> str:
    """The middle day of an incident's date range (where a chart counts it)."""
    start, end = dialect.day("date_start"), dialect.day("date_end")
    return f"({start} + CAST(floor(({end} - {start}) / 2) AS INTEGER))"


def per_period(filters: Filters, bind: Bind, dialect: Dialect, period: str) -> str:
    """Incidents and killed (low, best, high) per period (year and number within it) and type."""
    part = {"year": "0", "quarter": "extract(quarter FROM mid)", "month": "extract(month FROM mid)"}
    return (
        f"SELECT CAST(extract(year FROM mid) AS INTEGER) AS y, CAST({part[period]} AS INTEGER) "
        "AS k, event_type, count(*) AS n, coalesce(sum(killed_low), 0) AS low, "
        "coalesce(sum(killed_best), 0) AS best, coalesce(sum(killed_high), 0) AS high "
        f"FROM (SELECT {midpoint(dialect)} AS mid, event_type, killed_low, killed_best, "
        f"killed_high FROM incidents WHERE {where(filters, bind)}) AS dated "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )


def middle_span(filters: Filters, bind: Bind, dialect: Dialect) -> str:
    """The first and last middle day of the kept incidents (a time-lapse's first and last
    frame)."""
    mid = midpoint(dialect)
    return (
        f"SELECT CAST(min({mid}) AS VARCHAR), CAST(max({mid}) AS VARCHAR) FROM incidents "
        f"WHERE {where(filters, bind)}"
    )


def value_counts(filters: Filters, bind: Bind, column: str) -> str:
    """How many kept incidents have each value of ``column`` (a facet's column)."""
    if column not in SORTABLE:
        raise UsageError(f"not a column of the incident table: {column!r}")
    return (
        f"SELECT {column}, count(*) AS n FROM incidents WHERE {where(filters, bind)} "
        f"GROUP BY {column} ORDER BY n DESC, {column}"
    )


OFFERED = (*DATASET_COLUMNS, "source_event_type", "source_sub_event_type")
"""Columns a facet's widget offers the values of (``geo.facets.Facet.offered``)."""


def present() -> str:
    """How many incidents have a value in each of :data:`OFFERED` (a widget is drawn for a
    facet whose columns have any)."""
    counts = ", ".join(f"count(*) FILTER (WHERE coalesce({c}, '') <> '')" for c in OFFERED)
    return f"SELECT {counts} FROM incidents"


def facet_values(
    filters: Filters, bind: Bind, dialect: Dialect, columns: tuple[str, ...], limit: int
) -> str:
    """The values of ``columns`` (one list: a list column's items each) among the kept
    incidents, each with how many incidents have it, most frequent first, ``limit`` of them."""
    if not columns or not set(columns) <= set(OFFERED):
        raise UsageError(f"not columns a facet offers: {columns!r}")
    cond = where(filters, bind)
    parts = [
        f"SELECT incident_id, {f'unnest({dialect.split.format(c)})' if c in LIST_COLUMNS else c} "
        f"AS v FROM incidents WHERE ({cond}) AND coalesce({c}, '') <> ''"
        for c in columns
    ]
    return (
        f"SELECT v, count(DISTINCT incident_id) AS n FROM ({' UNION ALL '.join(parts)}) AS given "
        f"WHERE v <> '' GROUP BY v ORDER BY n DESC, v LIMIT {int(limit)}"
    )


def actor_rows(filters: Filters, bind: Bind, dialect: Dialect) -> str:
    """One row per kept incident and actor named in it (either side or associated), once."""
    cond = where(filters, bind)
    named = [
        f"SELECT incident_id, {f'unnest({dialect.split.format(c)})' if c in LIST_COLUMNS else c} "
        f"AS actor, killed_low, killed_best, killed_high, date_start, date_end, country, region "
        f"FROM incidents WHERE ({cond}) AND coalesce({c}, '') <> ''"
        for c in ACTOR_COLUMNS
    ]
    return f"SELECT DISTINCT * FROM ({' UNION ALL '.join(named)}) AS named WHERE actor <> ''"


def actors(filters: Filters, bind: Bind, dialect: Dialect, limit: int) -> str:
    """The actors of the kept incidents, by incidents, then killed (best): each with its
    killed low, best and high, first and last day, and the country and region it is most
    often in."""
    rows = actor_rows(filters, bind, dialect)
    return f"""WITH named AS ({rows}),
    ranked AS (
        SELECT actor, count(*) AS events, coalesce(sum(killed_low), 0) AS killed_low,
               coalesce(sum(killed_best), 0) AS killed_best,
               coalesce(sum(killed_high), 0) AS killed_high,
               CAST(min({dialect.day("date_start")}) AS VARCHAR) AS first_day,
               CAST(max({dialect.day("date_end")}) AS VARCHAR) AS last_day
        FROM named GROUP BY actor ORDER BY events DESC, killed_best DESC, actor
        LIMIT {int(limit)}),
    places AS (
        SELECT actor, country, region, count(*) AS n,
               row_number() OVER (PARTITION BY actor ORDER BY count(*) DESC, country, region)
               AS k
        FROM named WHERE actor IN (SELECT actor FROM ranked) GROUP BY actor, country, region)
    SELECT ranked.*, places.country, places.region, places.n AS there
    FROM ranked LEFT JOIN places ON places.actor = ranked.actor AND places.k = 1
    ORDER BY events DESC, killed_best DESC, ranked.actor"""


def actor_years(
    filters: Filters, bind: Bind, dialect: Dialect, names: list[str], monthly: bool = False
) -> str:
    """Incidents per year (``monthly``: per month, as 12 * year + month - 1) of their start,
    of each of the actors ``names``."""
    rows = actor_rows(filters, bind, dialect)
    step = (
        "CAST(extract(year FROM date_start) * 12 + extract(month FROM date_start) - 1 AS INTEGER)"
        if monthly
        else "CAST(extract(year FROM date_start) AS INTEGER)"
    )
    return (
        f"SELECT actor, {step} AS step, count(*) AS n "
        f"FROM ({rows}) AS named WHERE actor IN {bind.each(names)} GROUP BY 1, 2 ORDER BY 1, 2"
    )


def overview(dialect: Dialect) -> str:
    """The whole table's dates, countries, regions and types: the sidebar's choices."""
    return (
        f"SELECT 'span', CAST(min({dialect.day('date_start')}) AS VARCHAR), "
        f"CAST(max({dialect.day('date_end')}) AS VARCHAR), count(*) FROM incidents "
        "UNION ALL SELECT 'years', CAST(extract(year FROM date_start) AS VARCHAR), "
        "CAST(extract(year FROM date_end) AS VARCHAR), count(*) FROM incidents GROUP BY 2, 3 "
        "UNION ALL SELECT 'country', country, '', count(*) FROM incidents GROUP BY 2 "
        "UNION ALL SELECT 'region', region, country, count(*) FROM incidents GROUP BY 2, 3 "
        "UNION ALL SELECT 'type', event_type, '', count(*) FROM incidents GROUP BY 2 "
        "UNION ALL SELECT 'admin1', region, admin1, count(*) FROM incidents "
        "WHERE admin1 <> '' AND region <> '' GROUP BY 2, 3"
    )


def _search(text: str, bind: Bind) -> str:
    """``text`` (taken literally, case ignored) in one of the searched columns."""
    phrase = text.strip().lower()
    if not phrase:
        return "TRUE"
    slot = bind(phrase)
    return " OR ".join(f"strpos(lower({c}), {slot}) > 0" for c in SEARCHED)


def page(
    filters: Filters,
    bind: Bind,
    *,
    search: str = "",
    last: tuple[object, str] | None = None,
    order: tuple[str, bool] = ("date_start", False),
    columns: tuple[str, ...] = tuple(COLUMNS),
    limit: int | None = None,
    offset: int = 0,
) -> tuple[str, str]:
    """A page of the kept incidents (``order``: column and descending) and their total."""
    column, descending = order
    if column not in SORTABLE or not set(columns) <= SORTABLE | {"row"}:
        raise UsageError(f"not a column of the incident table: {column!r}")
    cond = f"({where(filters, bind)}) AND ({_search(search, bind)}) AND {after(last, bind)}"
    direction = "DESC" if descending else "ASC"
    rows = (
        f"SELECT {', '.join(columns)} FROM incidents WHERE {cond} "
        f"ORDER BY {column} {direction} NULLS LAST, incident_id"
    )
    if limit is not None:
        rows += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return rows, f"SELECT count(*) FROM incidents WHERE {cond}"


def stream(filters: Filters, bind: Bind, columns: tuple[str, ...]) -> str:
    """The kept incidents in the table's own order, unsorted: the embedded engine keeps its
    table in date and id order (``geo.query.duck``), so an export streams it in one pass."""
    if not set(columns) <= SORTABLE | {"row"}:
        raise UsageError(f"not columns of the incident table: {columns!r}")
    return f"SELECT {', '.join(columns)} FROM incidents WHERE {where(filters, bind)}"


def claims_of_kept(filters: Filters, bind: Bind) -> str:
    """The per-source claims of the kept incidents."""
    return (
        "SELECT incident_id, source, paragraph, killed, wounded, note FROM claims WHERE "
        f"incident_id IN (SELECT incident_id FROM incidents WHERE {where(filters, bind)}) "
        "ORDER BY incident_id"
    )


def after(last: tuple[object, str] | None, bind: Bind) -> str:
    """Rows after ``last`` (its date_start and incident_id) in the export's order: the next
    batch, found by the sort key rather than an offset that is counted again each time."""
    if last is None:
        return "TRUE"
    day, key = bind(last[0]), bind(last[1])
    return f"(date_start > {day} OR (date_start = {day} AND incident_id > {key}))"


def claims_of_ids(ids: list[str], bind: Bind) -> str:
    """The per-source claims of the incidents ``ids``."""
    return (
        "SELECT incident_id, source, paragraph, killed, wounded, note FROM claims "
        f"WHERE incident_id IN (SELECT unnest(CAST({bind(ids)} AS VARCHAR[]))) ORDER BY incident_id"
    )


SOURCES = f"SELECT {', '.join(SOURCE_COLUMNS)} FROM sources ORDER BY source_id"
"""Every source, by id."""


def claims_of(incident_id: str, bind: Bind) -> str:
    """One incident's per-source claims."""
    return (
        "SELECT incident_id, source, paragraph, killed, wounded, note FROM claims "
        f"WHERE incident_id = {bind(incident_id)}"
    )


def sampled_levels(filters: Filters, bind: Bind, dialect: Dialect, rows: int | None = None) -> str:
    """How many cells a sample of the kept incidents occupies at each size (one column per
    size, finest first). A sample occupies no more cells than the whole: where it occupies
    too many, so does the whole, and :func:`map_cells` need not count that size."""
    counts = ", ".join(
        f"count(DISTINCT ((iy >> {k}) * 100000000 + (ix >> {k})))" for k in range(LEVELS + 1)
    )
    # A number worked out here, never a value from outside: a share of ``rows`` (the table's).
    percent = round(min(5.0, max(0.1, 100.0 * SAMPLE_ROWS / max(rows or 1, 1))), 2)
    cy, cx = dialect.cells
    return (
        f"SELECT {counts} FROM (SELECT CAST({cy} AS BIGINT) AS iy, CAST({cx} AS BIGINT) AS ix "
        f"FROM incidents {dialect.sample.format(percent=percent)} WHERE {where(filters, bind)}"
        ") AS sample"
    )


def map_cells(
    filters: Filters,
    bind: Bind,
    dialect: Dialect,
    *,
    level: int,
    bounds: tuple[float, ...] | None = None,
) -> str:
    """The kept incidents as the map draws them in bulk: one row per cell of size ``level``
    (0.05 degrees doubled ``level`` times) and type, with the count, deaths, sums of
    coordinates and how many are imprecise. ``geo.webmap.grid_counts.merge_cells`` coarsens the
    cells until few enough are occupied."""
    imprecise = bind.each(sorted(IMPRECISE))
    shift = max(0, min(int(level), LEVELS))
    cy, cx = dialect.cells
    return f"""SELECT {cy} >> {shift} AS cy, {cx} >> {shift} AS cx, event_type, count(*) AS n,
           coalesce(sum(killed_low), 0) AS killed_low,
           coalesce(sum(killed_best), 0) AS killed_best,
           coalesce(sum(killed_high), 0) AS killed_high, sum(lat) AS lat_sum,
           sum(lon) AS lon_sum, count(*) FILTER (WHERE geo_precision IN {imprecise}) AS imprecise
    FROM incidents WHERE {where(filters, bind, bounds=bounds)} GROUP BY 1, 2, 3"""


def map_regions(filters: Filters, bind: Bind, *, bounds: tuple[float, ...] | None = None) -> str:
    """The kept incidents (within ``bounds``) per region: incidents, killed low, best, high."""
    return f"""SELECT region, count(*) AS n, coalesce(sum(killed_low), 0) AS killed_low,
           coalesce(sum(killed_best), 0) AS killed_best,
           coalesce(sum(killed_high), 0) AS killed_high
    FROM incidents WHERE {where(filters, bind, bounds=bounds)} GROUP BY region"""


def map_kinds(filters: Filters, bind: Bind, *, bounds: tuple[float, ...] | None = None) -> str:
    """The precisions and countries of the kept incidents (within ``bounds``): the map's
    legend and outlines."""
    return (
        "SELECT geo_precision, country FROM incidents "
        f"WHERE {where(filters, bind, bounds=bounds)} GROUP BY 1, 2"
    )


__all__ = [
    "CELL_DEGREES",
    "DUCKDB",
    "POSTGRES",
    "SEARCHED",
    "SORTABLE",
    "SOURCES",
    "Dialect",
    "OFFERED",
    "actor_years",
    "actors",
    "after",
    "facet_values",
    "present",
    "claims_of",
    "claims_of_ids",
    "claims_of_kept",
    "headline",
    "map_cells",
    "map_kinds",
    "map_regions",
    "overview",
    "middle_span",
    "page",
    "sampled_levels",
    "stream",
    "per_period",
    "value_counts",
    "where",
]
