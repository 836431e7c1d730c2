"""The team store: incidents, claims, sources and history in PostgreSQL with PostGIS.

``init_schema`` creates (or migrates) the schema, versioned in ``atlas_meta``; ``import_dataset``
upserts a validated data set by ``incident_id`` (a row whose values are unchanged is left as it
was, so importing twice changes nothing); ``read_incidents`` runs the dashboard's filters in the
database; ``read_dataset`` and ``export_dataset`` read everything back. Every value reaches SQL
as a bound parameter or through ``COPY``; no SQL text is built from data.

Connection settings come from the URL (``postgresql://user@host:port/db``), the ``PG*``
environment variables or a service file, as libpq reads them; a password is never printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.errors import AtlasError, DataError
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS, TOLL_COLUMNS
from geo.store.conninfo import driver_message, redacted

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

    from geo.filters import Filters
    from geo.tables import Dataset
    from geo.webmap.cells import MapSummary

SCHEMA_VERSION = 3
"""The schema this release writes; a database at a later version is refused."""

_TEXT = [
    "incident_id", "date_precision", "place", "country", "region", "geo_precision",
    "event_type", "perpetrator", "target", "summary", "sources", "source_event_type",
    "source_sub_event_type",
]  # fmt: skip
_MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE EXTENSION IF NOT EXISTS postgis",
        """CREATE TABLE atlas_meta (key text PRIMARY KEY, value text NOT NULL)""",
        """CREATE TABLE incidents (
            incident_id text PRIMARY KEY,
            date_start date NOT NULL,
            date_end date NOT NULL,
            date_precision text NOT NULL,
            place text NOT NULL DEFAULT '',
            country text NOT NULL DEFAULT '',
            region text NOT NULL DEFAULT '',
            lat double precision NOT NULL,
            lon double precision NOT NULL,
            geo_precision text NOT NULL,
            event_type text NOT NULL,
            killed_low integer, killed_best integer, killed_high integer,
            wounded_low integer, wounded_best integer, wounded_high integer,
            perpetrator text NOT NULL DEFAULT '',
            target text NOT NULL DEFAULT '',
            summary text NOT NULL DEFAULT '',
            sources text NOT NULL DEFAULT '',
            source_event_type text NOT NULL DEFAULT '',
            source_sub_event_type text NOT NULL DEFAULT '',
            geom geometry(Point, 4326) NOT NULL,
            version integer NOT NULL DEFAULT 1
        )""",
        "CREATE INDEX incidents_geom ON incidents USING gist (geom)",
        "CREATE INDEX incidents_dates ON incidents (date_start, date_end)",
        "CREATE INDEX incidents_region ON incidents (region)",
        "CREATE INDEX incidents_country ON incidents (country)",
        """CREATE TABLE sources (
            source_id text PRIMARY KEY, title text NOT NULL DEFAULT '',
            outlet text NOT NULL DEFAULT '', published text NOT NULL DEFAULT '',
            published_note text NOT NULL DEFAULT '', kind text NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE claims (
            claim_id bigserial PRIMARY KEY,
            incident_id text NOT NULL REFERENCES incidents ON DELETE CASCADE,
            source text NOT NULL DEFAULT '', paragraph text NOT NULL DEFAULT '',
            killed integer, wounded integer, note text NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX claims_incident ON claims (incident_id)",
        """CREATE TABLE history (
            change_id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            who text NOT NULL DEFAULT '',
            incident_id text NOT NULL,
            action text NOT NULL,
            old jsonb,
            new jsonb
        )""",
        "CREATE INDEX history_incident ON history (incident_id, at)",
    ],
    2: [
        # Everything the map counts, in one index: a filtered map query reads the index alone
        # (an index-only scan), not the table's pages (at a million incidents, one country
        # and year took 0.5 s from the table and 0.1 s from this index).
        """CREATE INDEX incidents_map ON incidents (country, date_end, date_start)
            INCLUDE (region, event_type, geo_precision, lat, lon,
                     killed_low, killed_best, killed_high)""",
    ],
    3: [
        # One row per statement that changed the data, added by the changing transaction: a
        # reader that keeps a copy (geo.query.mirror) counts them in the snapshot it copies and
        # reads again when the count moved. Writers only add rows, so none waits for another.
        """CREATE TABLE atlas_changes (
            change bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now()
        )""",
        """CREATE FUNCTION atlas_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO atlas_changes DEFAULT VALUES;
                RETURN NULL;
            END $$""",
        *(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed()"
            for table in ("incidents", "claims", "sources")
        ),
    ],
}
"""The statements that bring a database from version ``n - 1`` to ``n``."""


class StoreError(AtlasError):
    """The database cannot be reached or used as asked (the message never holds a password)."""


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection in a transaction: committed when the block ends, rolled back on an error."""
    import psycopg

    try:
        conn = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as exc:
        raise StoreError(f"cannot connect to {redacted(url)}: {driver_message(exc, url)}") from None
    try:
        with conn.transaction():
            yield conn
    except psycopg.Error as exc:
        raise StoreError(f"{redacted(url)}: {driver_message(exc, url)}") from None
    finally:
        conn.close()


def schema_version(conn: psycopg.Connection[Any]) -> int:
    """The version of the schema in the database (0 where there is none yet)."""
    found = conn.execute("SELECT to_regclass('atlas_meta') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = conn.execute("SELECT value FROM atlas_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def init_schema(url: str) -> tuple[int, int]:
    """Create or migrate the schema; (version before, version now). Idempotent."""
    with connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(7206611)")  # one migration at a time
        before = schema_version(conn)
        if before > SCHEMA_VERSION:
            raise StoreError(
                f"the database's schema is version {before}; this release knows up to "
                f"{SCHEMA_VERSION}: upgrade Incident Atlas"
            )
        for version in range(before + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[version]:
                conn.execute(statement)  # type: ignore[arg-type]  # fixed text, no data
            conn.execute(
                "INSERT INTO atlas_meta (key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(version),),
            )
    return before, SCHEMA_VERSION


def _require_schema(conn: psycopg.Connection[Any], url: str) -> None:
    version = schema_version(conn)
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"{redacted(url)} has schema version {version}, not {SCHEMA_VERSION}: run "
            "python -m geo db init --db URL"
        )


def _records(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[object, ...]]:
    """Rows as tuples for COPY: NaN and NA become NULL, dates ISO, numbers plain Python."""
    out = {}
    for column in columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            values = series.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        elif column in TOLL_COLUMNS or column in ("killed", "wounded"):
            numbers = pd.to_numeric(series.replace("", np.nan), errors="coerce")
            values = np.array([None if pd.isna(v) else int(v) for v in numbers], dtype=object)
        elif column in ("lat", "lon"):
            values = series.to_numpy(dtype=float).astype(object)
        else:
            values = series.astype("string").fillna("").to_numpy(dtype=object)
        out[column] = values
    yield from zip(*(out[c] for c in columns))


def import_dataset(url: str, dataset: Dataset, *, who: str = "") -> dict[str, int]:
    """Upsert a validated data set by ``incident_id``; counts of incidents added, updated and
    unchanged. Claims of the imported sources on those incidents are replaced by the data
    set's; other sources' claims are kept. Each change is recorded in ``history``."""
    incidents = pd.DataFrame(dataset.incidents.drop(columns=["geometry", "row"], errors="ignore"))
    from psycopg import sql

    columns = list(COLUMNS)
    names = _names(columns)
    rest = columns[1:]
    with connect(url) as conn:
        _require_schema(conn, url)
        conn.execute(
            "CREATE TEMP TABLE incoming (LIKE incidents INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        conn.execute("ALTER TABLE incoming ALTER COLUMN geom DROP NOT NULL")
        with conn.cursor().copy(sql.SQL("COPY incoming ({}) FROM STDIN").format(names)) as copy:
            for record in _records(incidents, columns):
                copy.write_row(record)
        conn.execute("UPDATE incoming SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326)")
        upsert = sql.SQL(
            """
            WITH before AS (
                SELECT i.incident_id, to_jsonb(i) - 'geom' - 'version' AS old
                FROM incidents i JOIN incoming n USING (incident_id)
            ), upserted AS (
                INSERT INTO incidents ({names}, geom)
                SELECT {names}, geom FROM incoming
                ON CONFLICT (incident_id) DO UPDATE SET
                    {assignments}, geom = excluded.geom, version = incidents.version + 1
                WHERE ({old}) IS DISTINCT FROM ({new})
                RETURNING incidents.incident_id, (xmax = 0) AS added,
                    to_jsonb(incidents) - 'geom' - 'version' AS new
            ), logged AS (
                INSERT INTO history (who, incident_id, action, old, new)
                SELECT %s, u.incident_id, CASE WHEN u.added THEN 'import-add' ELSE 'import-update'
                       END, b.old, u.new
                FROM upserted u LEFT JOIN before b USING (incident_id)
                RETURNING action
            )
            SELECT count(*) FILTER (WHERE action = 'import-add'),
                   count(*) FILTER (WHERE action = 'import-update')
            FROM logged
            """
        ).format(
            names=names,
            assignments=_from_excluded(rest),
            old=sql.SQL(", ").join(sql.Identifier("incidents", c) for c in rest),
            new=sql.SQL(", ").join(sql.Identifier("excluded", c) for c in rest),
        )
        counts = conn.execute(upsert, (who,)).fetchone()
        added, updated = (int(v) for v in counts) if counts else (0, 0)
        _replace_claims(conn, dataset)
        _upsert_sources(conn, dataset.sources)
    if added or updated:
        _vacuum(url)
    return {"added": added, "updated": updated, "unchanged": len(incidents) - added - updated}


def _vacuum(url: str) -> None:
    """Refresh the planner's statistics and the map of pages every reader may see, after a
    bulk change: index-only scans need the latter (autovacuum would get there later)."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute("VACUUM (ANALYZE) incidents")
    except psycopg.Error as exc:
        raise StoreError(f"{redacted(url)}: {driver_message(exc, url)}") from None


def _names(columns: list[str]) -> sql.Composed:
    from psycopg import sql

    return sql.SQL(", ").join(map(sql.Identifier, columns))


def _slots(n: int) -> sql.Composed:
    """``%s, %s, ...``: one bound parameter for each of ``n`` values."""
    from psycopg import sql

    return sql.SQL(", ").join(sql.Placeholder() * n)


def _from_excluded(columns: list[str]) -> sql.Composed:
    """``c = excluded.c, ...``: an upsert's update of ``columns`` from the row proposed."""
    from psycopg import sql

    return sql.SQL(", ").join(
        sql.SQL("{c} = excluded.{c}").format(c=sql.Identifier(c)) for c in columns
    )


def _replace_claims(conn: psycopg.Connection[Any], dataset: Dataset) -> None:
    from psycopg import sql

    claims = dataset.claims.reindex(columns=CLAIM_COLUMNS)
    names = _names(CLAIM_COLUMNS)
    conn.execute("CREATE TEMP TABLE incoming_claims (LIKE claims INCLUDING ALL) ON COMMIT DROP")
    with conn.cursor().copy(sql.SQL("COPY incoming_claims ({}) FROM STDIN").format(names)) as copy:
        for record in _records(claims.fillna(""), CLAIM_COLUMNS):
            copy.write_row(record)
    ids = list(dataset.incidents["incident_id"].astype(str))
    conn.execute(
        """
        DELETE FROM claims c
        WHERE c.incident_id = ANY(%s)
          AND c.source IN (SELECT DISTINCT source FROM incoming_claims)
        """,
        (ids,),
    )
    conn.execute(
        sql.SQL(
            "INSERT INTO claims ({n}) SELECT {n} FROM incoming_claims ORDER BY claim_id"
        ).format(n=names)
    )


def _upsert_sources(conn: psycopg.Connection[Any], sources: pd.DataFrame) -> None:
    from psycopg import sql

    frame = sources.reindex(columns=SOURCE_COLUMNS).fillna("")
    rows = list(_records(frame, SOURCE_COLUMNS))
    if not rows:
        return
    statement = sql.SQL(
        "INSERT INTO sources ({names}) VALUES ({slots}) "
        "ON CONFLICT (source_id) DO UPDATE SET {assignments}"
    ).format(
        names=_names(SOURCE_COLUMNS),
        slots=_slots(len(SOURCE_COLUMNS)),
        assignments=_from_excluded(SOURCE_COLUMNS[1:]),
    )
    with conn.cursor() as cur:
        cur.executemany(statement, rows)


def _where(
    filters: Filters, bbox: tuple[float, float, float, float] | None
) -> tuple[sql.Composed, dict[str, object]]:
    """The filters as a WHERE clause with bound parameters (the same rules as
    ``geo.filters.filter_mask``)."""
    from psycopg import sql

    from geo.facets import EXACT_PRECISIONS

    parts: list[str] = ["TRUE"]
    params: dict[str, object] = {}
    if filters.start is not None:
        parts.append("date_end >= %(start)s")
        params["start"] = filters.start
    if filters.end is not None:
        parts.append("date_start <= %(end)s")
        params["end"] = filters.end
    if filters.years:
        ors = []
        for k, year in enumerate(filters.years):
            params[f"y{k}a"], params[f"y{k}b"] = date(year, 12, 31), date(year, 1, 1)
            ors.append(f"(date_start <= %(y{k}a)s AND date_end >= %(y{k}b)s)")
        parts.append("(" + " OR ".join(ors) + ")")
    if filters.regions:
        parts.append("region = ANY(%(regions)s)")
        params["regions"] = list(filters.regions)
    if filters.types:
        parts.append("event_type = ANY(%(types)s)")
        params["types"] = list(filters.types)
    if filters.countries:
        parts.append("country = ANY(%(countries)s)")
        params["countries"] = list(filters.countries)
    if filters.exact_only:
        parts.append("geo_precision = ANY(%(exact)s)")
        params["exact"] = list(EXACT_PRECISIONS)
    if bbox is not None:
        parts.append("geom && ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4326)")
        params.update(zip(("x0", "y0", "x1", "y1"), bbox, strict=True))
    # Every part above is fixed text: the values travel as the bound parameters.
    return sql.SQL(" AND ").join(sql.SQL(p) for p in parts), params  # type: ignore[arg-type]


def read_incidents(
    url: str,
    filters: Filters | None = None,
    *,
    bbox: tuple[float, float, float, float] | None = None,
) -> pd.DataFrame:
    """The incidents the filters keep (and within ``bbox``: lon, lat, lon, lat), typed as a
    validated table (dates as datetimes, tolls as nullable integers), by date."""
    from psycopg import sql

    from geo.filters import Filters

    where, params = _where((filters or Filters()).normalised(), bbox)
    with connect(url) as conn:
        _require_schema(conn, url)
        query = sql.SQL(
            "SELECT {names}, version FROM incidents WHERE {where} ORDER BY date_start, incident_id"
        ).format(names=_names(COLUMNS), where=where)
        rows = conn.execute(query, params).fetchall()
    return _typed(pd.DataFrame(rows, columns=[*COLUMNS, "version"]))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("date_start", "date_end"):
        frame[column] = pd.to_datetime(frame[column])
    for column in TOLL_COLUMNS:
        frame[column] = pd.array(frame[column], dtype="Int64")
    for column in ("lat", "lon"):
        frame[column] = frame[column].astype(float)
    for column in _TEXT:
        frame[column] = frame[column].astype(object).fillna("").astype(str)
    return frame


def read_dataset(url: str) -> Dataset:
    """Every incident, claim and source in the database, as a data set."""
    from psycopg import sql

    from geo.tables import Dataset

    incidents = read_incidents(url)
    with connect(url) as conn:
        claims = pd.DataFrame(
            conn.execute(
                sql.SQL("SELECT {} FROM claims ORDER BY claim_id").format(_names(CLAIM_COLUMNS))
            ).fetchall(),
            columns=CLAIM_COLUMNS,
        )
        sources = pd.DataFrame(
            conn.execute(
                sql.SQL("SELECT {} FROM sources ORDER BY source_id").format(_names(SOURCE_COLUMNS))
            ).fetchall(),
            columns=SOURCE_COLUMNS,
        )
    for what in ("killed", "wounded"):
        claims[what] = [("" if pd.isna(v) else str(int(v))) for v in claims[what]]
    return Dataset(incidents.drop(columns="version"), claims, sources, redacted(url))


def record_of(
    conn: psycopg.Connection[Any], incident_id: str, *, lock: bool
) -> tuple[dict[str, Any], int, list[dict[str, str]]] | None:
    """One incident's values (as ``geo.store.edits.plain`` writes them), version and claims
    (text cells, as in a claims file)."""
    from psycopg import sql

    from geo.store.edits import CLAIM_FIELDS, plain

    query = sql.SQL("SELECT {names}, version FROM incidents WHERE incident_id = %s{lock}").format(
        names=_names(COLUMNS), lock=sql.SQL(" FOR UPDATE" if lock else "")
    )
    row = conn.execute(query, (incident_id,)).fetchone()
    if row is None:
        return None
    frame = _typed(pd.DataFrame([row], columns=[*COLUMNS, "version"]))
    claims = conn.execute(
        sql.SQL("SELECT {} FROM claims WHERE incident_id = %s ORDER BY claim_id").format(
            _names(CLAIM_FIELDS)
        ),
        (incident_id,),
    ).fetchall()
    as_text = [
        {c: "" if v is None else str(v) for c, v in zip(CLAIM_FIELDS, claim, strict=True)}
        for claim in claims
    ]
    return plain(frame.iloc[0].to_dict()), int(row[-1]), as_text


def source_ids(url: str) -> set[str]:
    """The ids of the sources in the team store."""
    with connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT source_id FROM sources").fetchall()}


def write_change(
    url: str,
    incident_id: str,
    new: dict[str, Any] | None,
    version: int | None,
    who: str,
    action: str,
    claims: list[dict[str, str]] | None = None,
) -> tuple[Any, ...]:
    """Add, update or (``new`` None) delete one incident if it is still at ``version``
    (``None``: it must not exist yet), replace its claims when ``claims`` is given (a deletion
    removes them), and record the change, claims included; the history row as a tuple."""
    import psycopg
    from psycopg import sql
    from psycopg.types.json import Jsonb

    from geo.store.edits import CLAIM_FIELDS, EditConflict, Record, check_version

    with connect(url) as conn:
        _require_schema(conn, url)
        found = record_of(conn, incident_id, lock=True)
        current = Record(*found) if found is not None else None
        old = check_version(incident_id, current, version, None, 0)
        if new is None:
            if current is None:
                raise EditConflict(incident_id, None, 0)
            conn.execute("DELETE FROM incidents WHERE incident_id = %s", (incident_id,))
            action = action or "delete"  # the claims go with it (ON DELETE CASCADE)
        else:
            values = [new[c] for c in COLUMNS]
            if found is None:
                statement = sql.SQL(
                    "INSERT INTO incidents ({names}, geom) VALUES ({slots}, "
                    "ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
                ).format(
                    names=_names(COLUMNS),
                    slots=_slots(len(COLUMNS)),
                )
                try:
                    with conn.transaction():  # a savepoint: a lost race is a clear refusal
                        conn.execute(statement, [*values, new["lon"], new["lat"]])
                except psycopg.errors.UniqueViolation:
                    raise DataError(
                        f"incident_id {incident_id!r} is taken; choose another"
                    ) from None
                action = action or "add"
            else:
                statement = sql.SQL(
                    "UPDATE incidents SET {assignments}, geom = "
                    "ST_SetSRID(ST_MakePoint(%s, %s), 4326), version = version + 1 "
                    "WHERE incident_id = %s"
                ).format(
                    assignments=sql.SQL(", ").join(
                        sql.SQL("{} = %s").format(sql.Identifier(c)) for c in COLUMNS[1:]
                    )
                )
                conn.execute(statement, [*values[1:], new["lon"], new["lat"], incident_id])
                action = action or "update"
            if claims is not None:
                conn.execute("DELETE FROM claims WHERE incident_id = %s", (incident_id,))
                insert = sql.SQL("INSERT INTO claims (incident_id, {}) VALUES (%s, {})").format(
                    _names(CLAIM_FIELDS), _slots(len(CLAIM_FIELDS))
                )
                with conn.cursor() as cur:
                    cur.executemany(
                        insert,
                        [
                            [
                                incident_id,
                                c["source"],
                                c["paragraph"],
                                _figure(c["killed"]),
                                _figure(c["wounded"]),
                                c["note"],
                            ]
                            for c in claims
                        ],  # fmt: skip
                    )
            new = {**new, "claims": claims if claims is not None else (old or {}).get("claims", [])}
        row = conn.execute(
            "INSERT INTO history (who, incident_id, action, old, new) VALUES (%s, %s, %s, %s, %s) "
            "RETURNING change_id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), "
            "who, incident_id, action, old, new",
            (
                who,
                incident_id,
                action,
                None if old is None else Jsonb(old),
                None if new is None else Jsonb(new),
            ),
        ).fetchone()
    assert row is not None
    return tuple(row)


def add_source(url: str, row: dict[str, str], who: str) -> tuple[Any, ...]:
    """Insert a checked source and record who added it; the history row as a tuple."""
    from psycopg import sql
    from psycopg.types.json import Jsonb

    with connect(url) as conn:
        _require_schema(conn, url)
        inserted = conn.execute(
            sql.SQL("INSERT INTO sources ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
                _names(SOURCE_COLUMNS), _slots(len(SOURCE_COLUMNS))
            ),
            [row[c] for c in SOURCE_COLUMNS],
        ).rowcount
        if not inserted:
            raise DataError(f"source_id {row['source_id']!r} is taken")
        found = conn.execute(
            "INSERT INTO history (who, incident_id, action, old, new) "
            "VALUES (%s, '', 'add-source', NULL, %s) RETURNING change_id, "
            "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), who, incident_id, "
            "action, old, new",
            (who, Jsonb(row)),
        ).fetchone()
    assert found is not None
    return tuple(found)


def _figure(text: str) -> int | None:
    return int(text) if str(text).strip() else None


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

    where, params = _where((filters or Filters()).normalised(), None)
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
    ).format(where=where, levels=_level_chain())
    with connect(url) as conn, conn.transaction():
        _require_schema(conn, url)
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


def changes(url: str, incident_id: str | None) -> list[tuple[Any, ...]]:
    """The recorded changes (of one incident), oldest first."""
    with connect(url) as conn:
        return list(
            conn.execute(
                "SELECT change_id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), "
                "who, incident_id, action, old, new FROM history "
                "WHERE %s::text IS NULL OR incident_id = %s ORDER BY change_id",
                (incident_id, incident_id),
            ).fetchall()
        )


__all__ = [
    "SCHEMA_VERSION",
    "StoreError",
    "add_source",
    "changes",
    "connect",
    "import_dataset",
    "init_schema",
    "map_summary",
    "read_dataset",
    "read_incidents",
    "record_of",
    "schema_version",
    "source_ids",
    "write_change",
]
