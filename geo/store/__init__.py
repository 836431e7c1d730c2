"""Where incidents are kept: files (the embedded default) or PostgreSQL with PostGIS (the team
store). Both are edited through one interface, :class:`Store`; :func:`open_store` is the one
place that picks the back end.

- ``base``: what both share: :class:`Record`, :class:`Change`, :class:`EditConflict`,
  :class:`StoreError`, the :class:`Store` protocol and the cell helpers;
- ``checks``: the file rules every change passes before it is written; ``undo``: undo, the
  same in both; ``history``: the file store's history file; ``conninfo``: a database URL shown
  without its password;
- ``edits``: :class:`~geo.store.edits.FileStore`; ``postgis``: the team store (schema, import,
  reads, writes and :class:`~geo.store.postgis.PostgisStore`).

Neither back end imports the other. A table is named by a path, by a ``postgresql://`` URL or
by a libpq keyword string (``host=db dbname=atlas``, ``service=atlas``): ``is_database_url``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.store.base import (
        CLAIM_FIELDS,
        Change,
        EditConflict,
        Record,
        Store,
        StoreError,
        plain,
    )

_FROM_BASE = ("CLAIM_FIELDS", "Change", "EditConflict", "Record", "Store", "StoreError", "plain")

_KEYWORD_STRING = re.compile(
    r"\s*(?:host|hostaddr|port|dbname|user|password|passfile|service|sslmode|options)\s*=", re.I
)


def is_database_url(text: object) -> bool:
    """Whether ``text`` names a PostgreSQL database rather than a file: a ``postgresql://``
    URL, or a keyword string that starts with one of libpq's keywords (``service=atlas``)."""
    value = str(text).strip()
    return value.lower().startswith(("postgresql://", "postgres://")) or bool(
        _KEYWORD_STRING.match(value)
    )


def __getattr__(name: str) -> Any:
    """The shared types, loaded when first asked for: telling a URL from a path (what the
    command line and ``geo.paths`` ask) never loads pandas."""
    if name in _FROM_BASE:
        from geo.store import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(data: str | Path) -> Store:
    """The store a table lives in: the team store for a database URL (``is_database_url``),
    else the file store of the CSV table at ``data``. Nothing is read until it is asked."""
    if is_database_url(data):
        from geo.store.postgis import PostgisStore

        return PostgisStore(str(data))
    from geo.store.edits import FileStore

    return FileStore(data)


__all__ = [
    "CLAIM_FIELDS",
    "Change",
    "EditConflict",
    "Record",
    "Store",
    "StoreError",
    "is_database_url",
    "open_store",
    "plain",
]
