"""Editing the team store: one change in one transaction, the incident's row locked while it is
written and the change recorded in ``history`` (old and new values, claims included). The
values arrive checked (``geo.store.checks``); here they are only written, each as a bound
parameter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.errors import DataError
from geo.schema import COLUMNS, SOURCE_COLUMNS
from geo.store.base import CLAIM_FIELDS, Change, EditConflict
from geo.store.checks import check_version
from geo.store.postgis.connection import connect, names, slots
from geo.store.postgis.read import change_fields, record_of
from geo.store.postgis.schema import require_schema

if TYPE_CHECKING:
    import psycopg


def write_change(
    url: str,
    incident_id: str,
    new: dict[str, Any] | None,
    version: int | None,
    who: str,
    action: str,
    claims: list[dict[str, str]] | None = None,
) -> Change:
    """Add, update or (``new`` None) delete one incident if it is still at ``version``
    (``None``: it must not exist yet), replace its claims when ``claims`` is given (a deletion
    removes them), and record the change, claims included."""
    with connect(url) as conn:
        require_schema(conn, url)
        current = record_of(conn, incident_id, lock=True)
        old = check_version(incident_id, current, version, None, 0)
        if new is None:
            if current is None:
                raise EditConflict(incident_id, None, 0)
            conn.execute("DELETE FROM incidents WHERE incident_id = %s", (incident_id,))
            action = action or "delete"  # the claims go with it (ON DELETE CASCADE)
        else:
            if current is None:
                _insert(conn, incident_id, new)
            else:
                _update(conn, incident_id, new)
            action = action or ("add" if current is None else "update")
            if claims is not None:
                _replace_claims(conn, incident_id, claims)
            kept = claims if claims is not None else (old or {}).get("claims", [])
            new = {**new, "claims": kept}
        return _record(conn, who, incident_id, action, old, new)


def _insert(conn: psycopg.Connection[Any], incident_id: str, new: dict[str, Any]) -> None:
    """Add the incident at a version past every change its id has had (one deleted and
    brought back never takes a version it had before, so an editor who opened that version
    cannot save over the changes since); a lost race for its id is a clear refusal."""
    import psycopg
    from psycopg import sql

    statement = sql.SQL(
        "INSERT INTO incidents ({names}, geom, version) VALUES ({slots}, "
        "ST_SetSRID(ST_MakePoint(%s, %s), 4326), "
        "1 + (SELECT count(*) FROM history WHERE incident_id = %s))"
    ).format(names=names(list(COLUMNS)), slots=slots(len(COLUMNS)))
    values = [*(new[c] for c in COLUMNS), new["lon"], new["lat"], incident_id]
    try:
        with conn.transaction():  # a savepoint: the transaction goes on to say why
            conn.execute(statement, values)
    except psycopg.errors.UniqueViolation:
        raise DataError(f"incident_id {incident_id!r} is taken; choose another") from None


def _update(conn: psycopg.Connection[Any], incident_id: str, new: dict[str, Any]) -> None:
    """Write every field of the incident, its point from its coordinates, and its version
    one more."""
    from psycopg import sql

    statement = sql.SQL(
        "UPDATE incidents SET {assignments}, geom = ST_SetSRID(ST_MakePoint(%s, %s), 4326), "
        "version = version + 1 WHERE incident_id = %s"
    ).format(
        assignments=sql.SQL(", ").join(
            sql.SQL("{} = %s").format(sql.Identifier(c)) for c in COLUMNS[1:]
        )
    )
    conn.execute(statement, [*(new[c] for c in COLUMNS[1:]), new["lon"], new["lat"], incident_id])


def _replace_claims(
    conn: psycopg.Connection[Any], incident_id: str, claims: list[dict[str, str]]
) -> None:
    """The incident's claims, all of them, replaced by ``claims`` (in their order)."""
    from psycopg import sql

    conn.execute("DELETE FROM claims WHERE incident_id = %s", (incident_id,))
    insert = sql.SQL("INSERT INTO claims (incident_id, {}) VALUES (%s, {})").format(
        names(CLAIM_FIELDS), slots(len(CLAIM_FIELDS))
    )
    rows = [
        [incident_id, c["source"], c["paragraph"], _figure(c["killed"]), _figure(c["wounded"]),
         c["note"]]
        for c in claims
    ]  # fmt: skip
    with conn.cursor() as cur:
        cur.executemany(insert, rows)


def _record(
    conn: psycopg.Connection[Any],
    who: str,
    incident_id: str,
    action: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> Change:
    """Add the change to ``history``; the change as recorded (its number and time)."""
    from psycopg import sql
    from psycopg.types.json import Jsonb

    row = conn.execute(
        sql.SQL(
            "INSERT INTO history (who, incident_id, action, old, new) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING {}"
        ).format(change_fields()),
        (
            who,
            incident_id,
            action,
            None if old is None else Jsonb(old),
            None if new is None else Jsonb(new),
        ),
    ).fetchone()
    assert row is not None
    return Change(*row)


def add_source(url: str, row: dict[str, str], who: str) -> Change:
    """Insert a checked source and record who added it."""
    from psycopg import sql

    with connect(url) as conn:
        require_schema(conn, url)
        inserted = conn.execute(
            sql.SQL("INSERT INTO sources ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
                names(list(SOURCE_COLUMNS)), slots(len(SOURCE_COLUMNS))
            ),
            [row[c] for c in SOURCE_COLUMNS],
        ).rowcount
        if not inserted:
            raise DataError(f"source_id {row['source_id']!r} is taken")
        return _record(conn, who, "", "add-source", None, row)


def _figure(text: str) -> int | None:
    return int(text) if str(text).strip() else None


__all__ = ["add_source", "write_change"]
