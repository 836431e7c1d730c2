"""Where incidents are kept: files (the embedded default) or PostgreSQL with PostGIS (the team
store). ``postgis`` holds the database side: schema, upsert import, filtered reads, export.

A table is named by a path or by a ``postgresql://`` URL (``is_database_url``).
"""

from __future__ import annotations


def is_database_url(text: object) -> bool:
    """Whether ``text`` names a PostgreSQL database rather than a file."""
    return str(text).strip().lower().startswith(("postgresql://", "postgres://"))


__all__ = ["is_database_url"]
