"""The team store's schema: incidents, claims, sources and history, versioned in
``atlas_meta``. ``init_schema`` creates or migrates it; every other operation checks first
that the database is at the version this release writes (``require_schema``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.schema import DATASET_COLUMNS
from geo.store.base import StoreError
from geo.store.conninfo import redacted
from geo.store.postgis.connection import connect

if TYPE_CHECKING:
    import psycopg

SCHEMA_VERSION = 4
"""The schema this release writes; a database at a later version is refused."""

INCIDENT_INDEXES = {
    "incidents_geom": "CREATE INDEX incidents_geom ON incidents USING gist (geom)",
    "incidents_dates": "CREATE INDEX incidents_dates ON incidents (date_start, date_end)",
    "incidents_region": "CREATE INDEX incidents_region ON incidents (region)",
    "incidents_country": "CREATE INDEX incidents_country ON incidents (country)",
    # Everything the map counts, in one index: a filtered map query reads the index alone
    # (an index-only scan), not the table's pages (at a million incidents, one country
    # and year took 0.5 s from the table and 0.1 s from this index).
    "incidents_map": """CREATE INDEX incidents_map ON incidents (country, date_end, date_start)
        INCLUDE (region, event_type, geo_precision, lat, lon,
                 killed_low, killed_best, killed_high)""",
}
"""The incidents' indexes beside the primary key, as the schema at :data:`SCHEMA_VERSION`
has them: a large import drops them and builds them again from these statements."""
CLAIM_INDEXES = {"claims_incident": "CREATE INDEX claims_incident ON claims (incident_id)"}
"""The claims' index beside the primary key."""
CLAIMS_FOREIGN_KEY = (
    "claims_incident_id_fkey",
    "ALTER TABLE claims ADD CONSTRAINT claims_incident_id_fkey "
    "FOREIGN KEY (incident_id) REFERENCES incidents ON DELETE CASCADE",
)
"""The claims' reference to their incident (as ``CREATE TABLE claims`` names it)."""

MIGRATIONS: dict[int, list[str]] = {
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
        INCIDENT_INDEXES["incidents_geom"],
        INCIDENT_INDEXES["incidents_dates"],
        INCIDENT_INDEXES["incidents_region"],
        INCIDENT_INDEXES["incidents_country"],
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
        CLAIM_INDEXES["claims_incident"],
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
    2: [INCIDENT_INDEXES["incidents_map"]],
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
    # The dataset's own fields (geo.schema.DATASET_COLUMNS), text like the product's own.
    4: [
        f"ALTER TABLE incidents ADD COLUMN {column} text NOT NULL DEFAULT ''"
        for column in DATASET_COLUMNS
    ],
}
"""The statements that bring a database from version ``n - 1`` to ``n``."""


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
            for statement in MIGRATIONS[version]:
                conn.execute(statement)  # type: ignore[arg-type]  # fixed text, no data
            conn.execute(
                "INSERT INTO atlas_meta (key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(version),),
            )
    return before, SCHEMA_VERSION


def require_schema(conn: psycopg.Connection[Any], url: str) -> None:
    """Refuse a database whose schema is not at :data:`SCHEMA_VERSION` (none, or another)."""
    version = schema_version(conn)
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"{redacted(url)} has schema version {version}, not {SCHEMA_VERSION}: run "
            "python -m geo db init --db URL"
        )


__all__ = [
    "CLAIMS_FOREIGN_KEY",
    "CLAIM_INDEXES",
    "INCIDENT_INDEXES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "init_schema",
    "require_schema",
    "schema_version",
]
