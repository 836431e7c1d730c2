"""The team's back end: the same questions, answered by PostgreSQL with PostGIS.

Each question is one statement in a read-only transaction; the figures are added up in the
database and only the answer travels (a page of rows, a few thousand cells, one row per period).
"""

from __future__ import annotations

import time

import pandas as pd

from geo.facets import Bind
from geo.query import statements as q
from geo.query.engine import Overview, SqlEngine

OVERVIEW_SECONDS = 30.0
"""How long the table's overview (the sidebar's choices) is kept: colleagues' imports and
edits show in the choices within this time."""


class PostgisEngine(SqlEngine):
    """Questions answered by the team store at ``url``."""

    def __init__(self, url: str) -> None:
        super().__init__(q.POSTGRES)
        self.url = url
        self._overview_at = 0.0
        self.remembers = False  # others write to the store: every question is asked afresh

    def _frame(self, sql: str, bind: Bind) -> pd.DataFrame:
        from geo.store.postgis import connect, require_schema

        with connect(self.url) as conn:
            require_schema(conn, self.url)
            # Room to group in memory: spilling the sort to disk doubled the time at 100,000.
            conn.execute("SET LOCAL work_mem = '64MB'")
            conn.execute("SET TRANSACTION READ ONLY")
            conn.execute("SET LOCAL DateStyle = 'ISO, YMD'")  # dates read back as ISO text
            cursor = conn.execute(sql.encode(), bind.values)  # type: ignore[call-overload]
            names = [d.name for d in cursor.description or []]
            return pd.DataFrame(cursor.fetchall(), columns=names)

    def overview(self) -> Overview:
        if time.monotonic() - self._overview_at > OVERVIEW_SECONDS:
            self.refresh()
            self._overview_at = time.monotonic()
        return super().overview()


__all__ = ["PostgisEngine"]
