"""Reading the team store: the incidents the dashboard's filters keep, every incident, claim
and source as a data set, one incident as an editor opens it, the source ids and the history.
The filters become a WHERE clause of fixed text with every value a bound parameter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS
from geo.schema_dtypes import with_schema_dtypes
from geo.store.base import CLAIM_FIELDS, Change, Record, plain
from geo.store.conninfo import redacted
from geo.store.postgis.connection import connect, names
from geo.store.postgis.schema import require_schema

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

    from geo.tables import Dataset


def read_incidents(url: str) -> pd.DataFrame:
    """Every incident of the store, typed as a validated table (dates as datetimes, tolls as
    nullable integers), by date. Filtered questions go to the query engine (``geo.query``)."""
    from psycopg import sql

    with connect(url) as conn:
        require_schema(conn, url)
        query = sql.SQL(
            "SELECT {names}, version FROM incidents ORDER BY date_start, incident_id"
        ).format(names=names(COLUMNS))
        rows = conn.execute(query).fetchall()
    return with_schema_dtypes(pd.DataFrame(rows, columns=[*COLUMNS, "version"]))


def read_dataset(url: str) -> Dataset:
    """Every incident, claim and source in the database, as a data set."""
    from psycopg import sql

    from geo.tables import Dataset

    incidents = read_incidents(url)
    with connect(url) as conn:
        claims = pd.DataFrame(
            conn.execute(
                sql.SQL("SELECT {} FROM claims ORDER BY claim_id").format(names(CLAIM_COLUMNS))
            ).fetchall(),
            columns=CLAIM_COLUMNS,
        )
        sources = pd.DataFrame(
            conn.execute(
                sql.SQL("SELECT {} FROM sources ORDER BY source_id").format(names(SOURCE_COLUMNS))
            ).fetchall(),
            columns=SOURCE_COLUMNS,
        )
    for what in ("killed", "wounded"):
        claims[what] = [("" if pd.isna(v) else str(int(v))) for v in claims[what]]
    return Dataset(incidents.drop(columns="version"), claims, sources, redacted(url))


def record_of(conn: psycopg.Connection[Any], incident_id: str, *, lock: bool) -> Record | None:
    """One incident as an editor opens it: its values (as ``geo.store.base.plain`` writes
    them), version and claims (text cells, as in a claims file); ``None`` when there is none.
    ``lock``: the row is locked until the transaction ends (a change is being written)."""
    from psycopg import sql

    query = sql.SQL("SELECT {names}, version FROM incidents WHERE incident_id = %s{lock}").format(
        names=names(COLUMNS), lock=sql.SQL(" FOR UPDATE" if lock else "")
    )
    row = conn.execute(query, (incident_id,)).fetchone()
    if row is None:
        return None
    frame = with_schema_dtypes(pd.DataFrame([row], columns=[*COLUMNS, "version"]))
    claims = conn.execute(
        sql.SQL("SELECT {} FROM claims WHERE incident_id = %s ORDER BY claim_id").format(
            names(CLAIM_FIELDS)
        ),
        (incident_id,),
    ).fetchall()
    as_text = [
        {c: "" if v is None else str(v) for c, v in zip(CLAIM_FIELDS, claim, strict=True)}
        for claim in claims
    ]
    return Record(plain(frame.iloc[0].to_dict()), int(row[-1]), as_text)


def store_counts(url: str) -> dict[str, int]:
    """How many incidents, claims and sources the store holds (its schema checked first)."""
    with connect(url) as conn:
        require_schema(conn, url)
        row = conn.execute(
            "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM claims), "
            "(SELECT count(*) FROM sources)"
        ).fetchone()
    assert row is not None  # noqa: S101 - one row, always
    return {"incidents": int(row[0]), "claims": int(row[1]), "sources": int(row[2])}


def source_ids(url: str) -> set[str]:
    """The ids of the sources in the team store."""
    with connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT source_id FROM sources").fetchall()}


def change_fields() -> sql.SQL:
    """A history row's fields as a :class:`~geo.store.base.Change` takes them (the time in
    UTC, to the second, as the file store writes it)."""
    from psycopg import sql

    return sql.SQL(
        "change_id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), who, "
        "incident_id, action, old, new"
    )


def changes(url: str, incident_id: str | None) -> list[Change]:
    """The recorded changes (of one incident), oldest first."""
    from psycopg import sql

    query = sql.SQL(
        "SELECT {} FROM history WHERE %s::text IS NULL OR incident_id = %s ORDER BY change_id"
    ).format(change_fields())
    with connect(url) as conn:
        rows = conn.execute(query, (incident_id, incident_id)).fetchall()
    return [Change(*row) for row in rows]


__all__ = [
    "change_fields",
    "changes",
    "read_dataset",
    "read_incidents",
    "record_of",
    "source_ids",
]
