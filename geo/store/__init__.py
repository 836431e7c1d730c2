"""Where incidents are kept: files (the embedded default) or PostgreSQL with PostGIS (the team
store). ``postgis`` holds the database side: schema, upsert import, filtered reads, export.

A table is named by a path, by a ``postgresql://`` URL or by a libpq keyword string
(``host=db dbname=atlas``, ``service=atlas``): ``is_database_url``.
"""

from __future__ import annotations

import re

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


__all__ = ["is_database_url"]
