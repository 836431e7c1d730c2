"""Reading the team store: the incidents the dashboard's filters keep, every incident, claim
and source as a data set, one incident as an editor opens it, the source ids and the history.
The filters become a WHERE clause of fixed text with every value a bound parameter.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS, TOLL_COLUMNS
from geo.store.base import CLAIM_FIELDS, Change, Record, plain
from geo.store.conninfo import redacted
from geo.store.postgis.connection import connect, names
from geo.store.postgis.schema import require_schema

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

    from geo.filters import Filters
    from geo.tables import Dataset

_TEXT = [
    "incident_id", "date_precision", "place", "country", "region", "geo_precision",
    "event_type", "perpetrator", "target", "summary", "sources", "source_event_type",
    "source_sub_event_type",
]  # fmt: skip


def where(
    filters: Filters, bbox: tuple[float, float, float, float] | None
) -> tuple[sql.Composed, dict[str, object]]:
    """The filters as a WHERE clause with bound parameters (the same rules as
    ``geo.filters.filter_mask``)."""
    from psycopg import sql

    from geo.filters import EXACT_PRECISIONS

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

    clause, params = where((filters or Filters()).normalised(), bbox)
    with connect(url) as conn:
        require_schema(conn, url)
        query = sql.SQL(
            "SELECT {names}, version FROM incidents WHERE {where} ORDER BY date_start, incident_id"
        ).format(names=names(COLUMNS), where=clause)
        rows = conn.execute(query, params).fetchall()
    return typed(pd.DataFrame(rows, columns=[*COLUMNS, "version"]))


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows as read from the database typed as a validated table: dates as datetimes, tolls
    as nullable integers, coordinates as floats, text never missing."""
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
    frame = typed(pd.DataFrame([row], columns=[*COLUMNS, "version"]))
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
    "typed",
    "where",
]
