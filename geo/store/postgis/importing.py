"""A validated data set brought into the team store, in one transaction: the incidents sent
with ``COPY`` into a staging table and upserted by ``incident_id`` (a row whose values are
unchanged is left as it was, so importing twice changes nothing), each change recorded in
``history``; the claims of the imported sources replaced, and the sources upserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS, TOLL_COLUMNS
from geo.store.postgis.connection import connect, from_excluded, names, slots, vacuum
from geo.store.postgis.schema import require_schema

if TYPE_CHECKING:
    import psycopg

    from geo.tables import Dataset


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
    fields = names(columns)
    rest = columns[1:]
    with connect(url) as conn:
        require_schema(conn, url)
        conn.execute(
            "CREATE TEMP TABLE incoming (LIKE incidents INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        conn.execute("ALTER TABLE incoming ALTER COLUMN geom DROP NOT NULL")
        with conn.cursor().copy(sql.SQL("COPY incoming ({}) FROM STDIN").format(fields)) as copy:
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
            names=fields,
            assignments=from_excluded(rest),
            old=sql.SQL(", ").join(sql.Identifier("incidents", c) for c in rest),
            new=sql.SQL(", ").join(sql.Identifier("excluded", c) for c in rest),
        )
        counts = conn.execute(upsert, (who,)).fetchone()
        added, updated = (int(v) for v in counts) if counts else (0, 0)
        _replace_claims(conn, dataset)
        _upsert_sources(conn, dataset.sources)
    if added or updated:
        vacuum(url)
    return {"added": added, "updated": updated, "unchanged": len(incidents) - added - updated}


def _replace_claims(conn: psycopg.Connection[Any], dataset: Dataset) -> None:
    from psycopg import sql

    claims = dataset.claims.reindex(columns=CLAIM_COLUMNS)
    fields = names(CLAIM_COLUMNS)
    conn.execute("CREATE TEMP TABLE incoming_claims (LIKE claims INCLUDING ALL) ON COMMIT DROP")
    with conn.cursor().copy(sql.SQL("COPY incoming_claims ({}) FROM STDIN").format(fields)) as copy:
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
        ).format(n=fields)
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
        names=names(SOURCE_COLUMNS),
        slots=slots(len(SOURCE_COLUMNS)),
        assignments=from_excluded(SOURCE_COLUMNS[1:]),
    )
    with conn.cursor() as cur:
        cur.executemany(statement, rows)


__all__ = ["import_dataset"]
