"""A validated data set brought into the team store, in one transaction.

Its incidents, claims and sources are sent with ``COPY`` into staging tables
(``geo.store.postgis.copy_text``), then written by a few set-based statements: one upsert of
the incidents by ``incident_id`` that records each added or changed incident in ``history``
(a row whose values are unchanged is left as it was, version and all, so importing twice
changes nothing), the claims of the imported sources on those incidents replaced by the data
set's (other sources' claims kept), and the sources upserted by ``source_id``.

While it writes, the import holds the incidents and claims in ``EXCLUSIVE`` mode: readers go
on, edits wait for it. An import that adds many incidents (:data:`BULK_ROWS` or more, and at
least half as many as the store holds: a first import, say) drops the secondary indexes and
the claims' foreign key first and makes them again at the end, one pass over each table instead
of a million single updates; readers then wait for it too. Either way nothing is seen until it
commits, and an import that fails leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS, TOLL_COLUMNS
from geo.store.postgis.connection import connect, from_excluded, names, vacuum
from geo.store.postgis.copy_text import DATE, REAL, TEXT, WHOLE, copy_frame
from geo.store.postgis.schema import (
    CLAIM_INDEXES,
    CLAIMS_FOREIGN_KEY,
    INCIDENT_INDEXES,
    require_schema,
)

if TYPE_CHECKING:
    import psycopg

    from geo.tables import Dataset

BULK_ROWS = 100_000
"""From this many incidents added by one import (and at least half as many as the store holds),
indexes and the claims' foreign key are set aside and made again at the end."""


def _kind(column: str) -> str:
    if column in ("date_start", "date_end"):
        return DATE
    if column in ("lat", "lon"):
        return REAL
    return WHOLE if column in (*TOLL_COLUMNS, "killed", "wounded") else TEXT


def import_dataset(
    url: str, dataset: Dataset, *, who: str = "", bulk: bool | None = None
) -> dict[str, int]:
    """Upsert a validated data set by ``incident_id``; counts of incidents added, updated and
    unchanged. Claims of the imported sources on those incidents are replaced by the data
    set's; other sources' claims are kept. Each change is recorded in ``history`` as
    ``import-add`` or ``import-update`` by ``who``. ``bulk``: set the indexes aside (True) or
    keep them up to date row by row (False); by default, as the import's size calls for."""
    incidents = pd.DataFrame(dataset.incidents.drop(columns=["geometry", "row"], errors="ignore"))
    claims = pd.DataFrame(dataset.claims).reindex(columns=CLAIM_COLUMNS)
    with connect(url) as conn:
        require_schema(conn, url)
        _stage(conn, incidents, claims, pd.DataFrame(dataset.sources))
        # Edits wait (a row locked for editing waits too: no deadlock); readers go on.
        conn.execute("LOCK TABLE incidents, claims IN EXCLUSIVE MODE")
        if bulk is None:
            bulk = _pays_to_set_aside(conn)
        with _indexes_set_aside(conn, bulk):
            added, updated = _upsert_incidents(conn, who)
            _replace_claims(conn, len(claims))
        _upsert_sources(conn)
    if added or updated:
        vacuum(url)
    return {"added": added, "updated": updated, "unchanged": len(incidents) - added - updated}


def _stage(
    conn: psycopg.Connection[Any],
    incidents: pd.DataFrame,
    claims: pd.DataFrame,
    sources: pd.DataFrame,
) -> None:
    """The data set in temporary tables (dropped at commit), each row numbered in file order
    (``ord``), typed as the store's columns but without their constraints: the upsert checks
    those where the rows land."""
    from psycopg import sql

    conn.execute("SET LOCAL client_encoding TO 'UTF8'")  # the encoding COPY's text is sent in
    for table, target, frame, columns in (
        ("incoming", "incidents", incidents, list(COLUMNS)),
        ("incoming_claims", "claims", claims, list(CLAIM_COLUMNS)),
        ("incoming_sources", "sources", sources.reindex(columns=SOURCE_COLUMNS), SOURCE_COLUMNS),
    ):
        conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE {} ON COMMIT DROP AS "
                "SELECT 0::bigint AS ord, {} FROM {} WITH NO DATA"
            ).format(sql.Identifier(table), names(columns), sql.Identifier(target))
        )
        numbered = frame.assign(ord=range(len(frame)))
        copy_frame(conn, table, numbered, {"ord": WHOLE, **{c: _kind(c) for c in columns}})


def _pays_to_set_aside(conn: psycopg.Connection[Any]) -> bool:
    """Whether making the indexes again costs less than keeping them up to date: the import
    adds at least :data:`BULK_ROWS` incidents, and at least half as many as the store holds
    (as the planner last counted them). A table imported again, whatever its size, adds none:
    its few changes are written row by row, and readers never wait for it."""
    found = conn.execute(
        "SELECT (SELECT count(*) FROM incoming n WHERE NOT EXISTS ("
        "            SELECT FROM incidents i WHERE i.incident_id = n.incident_id)),"
        "       (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'incidents'::regclass)"
    ).fetchone()
    added, stored = (int(found[0]), float(found[1])) if found else (0, 0.0)
    return added >= BULK_ROWS and 2 * added >= stored


@contextmanager
def _indexes_set_aside(conn: psycopg.Connection[Any], bulk: bool) -> Iterator[None]:
    """With ``bulk``, the block runs with the incidents' and claims' secondary indexes and the
    claims' foreign key dropped; they are made again after it from the schema's statements,
    each in one pass (the key checked by one join, not a lookup per claim). An error in the
    block rolls the drops back with everything else."""
    from psycopg import sql

    if not bulk:
        yield
        return
    name, add_key = CLAIMS_FOREIGN_KEY
    conn.execute(
        sql.SQL("ALTER TABLE claims DROP CONSTRAINT IF EXISTS {}").format(sql.Identifier(name))
    )
    indexes = {**INCIDENT_INDEXES, **CLAIM_INDEXES}
    for index in indexes:
        conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(index)))
    yield
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # each index sorted in memory
    for statement in indexes.values():
        conn.execute(statement)  # type: ignore[call-overload]  # the schema's own text
    conn.execute(add_key)  # type: ignore[call-overload]  # the schema's own text


def _upsert_incidents(conn: psycopg.Connection[Any], who: str) -> tuple[int, int]:
    """Add the staged incidents that are new, update those whose values differ (version one
    more), leave the others alone, and record each added or updated one in ``history`` with
    its values before (for an update) and after; (added, updated)."""
    from psycopg import sql

    columns = list(COLUMNS)
    rest = columns[1:]
    statement = sql.SQL(
        """
        WITH upserted AS (
            INSERT INTO incidents ({names}, geom)
            SELECT {names}, ST_SetSRID(ST_MakePoint(lon, lat), 4326) FROM incoming
            ON CONFLICT (incident_id) DO UPDATE SET
                {assignments}, geom = excluded.geom, version = incidents.version + 1
            WHERE ({old}) IS DISTINCT FROM ({new})
            RETURNING {returned}, (xmax = 0) AS added
        ), logged AS (
            INSERT INTO history (who, incident_id, action, old, new)
            SELECT %s, u.incident_id,
                   CASE WHEN u.added THEN 'import-add' ELSE 'import-update' END,
                   CASE WHEN NOT u.added THEN (
                       -- the statement's snapshot: the values before this import
                       SELECT to_jsonb(r) FROM (
                           SELECT {names} FROM incidents i WHERE i.incident_id = u.incident_id
                       ) AS r
                   ) END,
                   to_jsonb(r)
            FROM upserted u CROSS JOIN LATERAL (SELECT {values}) AS r
            RETURNING action
        )
        SELECT count(*) FILTER (WHERE action = 'import-add'),
               count(*) FILTER (WHERE action = 'import-update')
        FROM logged
        """
    ).format(
        names=names(columns),
        assignments=from_excluded(rest),
        old=sql.SQL(", ").join(sql.Identifier("incidents", c) for c in rest),
        new=sql.SQL(", ").join(sql.Identifier("excluded", c) for c in rest),
        returned=sql.SQL(", ").join(sql.Identifier("incidents", c) for c in columns),
        values=sql.SQL(", ").join(sql.Identifier("u", c) for c in columns),
    )
    counts = conn.execute(statement, (who,)).fetchone()
    return (int(counts[0]), int(counts[1])) if counts else (0, 0)


def _replace_claims(conn: psycopg.Connection[Any], count: int) -> None:
    """On the imported incidents, the claims of every source the data set's claims cite are
    replaced by the data set's. The new claims take a block of ids from the claims' sequence
    in file order (the table is locked: no one else takes ids meanwhile), so they are written
    in any order without sorting them first. ``count``: the claims staged."""
    from psycopg import sql

    conn.execute(
        """
        DELETE FROM claims c
        WHERE c.incident_id IN (SELECT incident_id FROM incoming)
          AND c.source IN (SELECT source FROM incoming_claims)
        """
    )
    if not count:
        return
    first = conn.execute("SELECT nextval(pg_get_serial_sequence('claims', 'claim_id'))").fetchone()
    assert first is not None
    conn.execute(
        "SELECT setval(pg_get_serial_sequence('claims', 'claim_id'), %s)", (first[0] + count - 1,)
    )
    fields = names(list(CLAIM_COLUMNS))
    conn.execute(
        sql.SQL(
            "INSERT INTO claims (claim_id, {f}) SELECT %s + ord, {f} FROM incoming_claims"
        ).format(f=fields),
        (first[0],),
    )


def _upsert_sources(conn: psycopg.Connection[Any]) -> None:
    """Add the data set's sources, and update those the store has (a source given twice:
    the later row)."""
    from psycopg import sql

    columns = list(SOURCE_COLUMNS)
    conn.execute(
        sql.SQL(
            "INSERT INTO sources ({names}) "
            "SELECT DISTINCT ON (source_id) {names} FROM incoming_sources "
            "ORDER BY source_id, ord DESC "
            "ON CONFLICT (source_id) DO UPDATE SET {assignments}"
        ).format(names=names(columns), assignments=from_excluded(columns[1:]))
    )


__all__ = ["BULK_ROWS", "import_dataset"]
