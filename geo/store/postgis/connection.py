"""Connections to the team store, and the pieces its statements are composed of.

Connection settings come from the URL (``postgresql://user@host:port/db``), the ``PG*``
environment variables or a service file, as libpq reads them; a password is never printed
(``geo.store.conninfo``). Statements are composed with ``psycopg.sql`` from fixed text and
the schema's column names; every value travels as a bound parameter or as ``COPY`` data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from geo.store.base import StoreError
from geo.store.conninfo import driver_message, redacted

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql


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


def vacuum(url: str) -> None:
    """Refresh the planner's statistics and the map of pages every reader may see, after a
    bulk change: index-only scans need the latter (autovacuum would get there later)."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute("VACUUM (ANALYZE) incidents")
    except psycopg.Error as exc:
        raise StoreError(f"{redacted(url)}: {driver_message(exc, url)}") from None


def names(columns: list[str]) -> sql.Composed:
    """``"a", "b", ...``: the columns as quoted identifiers."""
    from psycopg import sql

    return sql.SQL(", ").join(map(sql.Identifier, columns))


def slots(n: int) -> sql.Composed:
    """``%s, %s, ...``: one bound parameter for each of ``n`` values."""
    from psycopg import sql

    return sql.SQL(", ").join(sql.Placeholder() * n)


def from_excluded(columns: list[str]) -> sql.Composed:
    """``c = excluded.c, ...``: an upsert's update of ``columns`` from the row proposed."""
    from psycopg import sql

    return sql.SQL(", ").join(
        sql.SQL("{c} = excluded.{c}").format(c=sql.Identifier(c)) for c in columns
    )


__all__ = ["StoreError", "connect", "from_excluded", "names", "slots", "vacuum"]
