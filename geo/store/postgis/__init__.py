"""The team store: incidents, claims, sources and history in PostgreSQL with PostGIS.

- ``schema``: ``init_schema`` creates (or migrates) the schema, versioned in ``atlas_meta``;
- ``importing``: ``import_dataset`` upserts a validated data set by ``incident_id``, sent with
  ``COPY`` (``copy_text``) and written set-based (a row whose values are unchanged is left as
  it was, so importing twice changes nothing);
- ``read``: ``read_incidents`` and ``read_dataset`` read everything back (for ``db export``;
  the pages' filtered questions are the query engine's, ``geo.query``);
- ``write`` and ``store``: :class:`PostgisStore`, the ``geo.store.base.Store`` of the team
  store (one transaction per edit);
- ``connection``: ``connect``, and the pieces statements are composed of.

Every value reaches SQL as a bound parameter or as ``COPY`` data; no SQL text is built from
data. Connection settings come from the URL (``postgresql://user@host:port/db``), the ``PG*``
environment variables or a service file, as libpq reads them; a password is never printed.
"""

from __future__ import annotations

from geo.store.base import StoreError
from geo.store.postgis.connection import connect
from geo.store.postgis.importing import BULK_ROWS, import_dataset
from geo.store.postgis.read import (
    changes,
    read_dataset,
    read_incidents,
    record_of,
    source_ids,
    store_counts,
)
from geo.store.postgis.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    init_schema,
    require_schema,
    schema_version,
)
from geo.store.postgis.store import PostgisStore
from geo.store.postgis.write import add_source, write_change

__all__ = [
    "BULK_ROWS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "PostgisStore",
    "StoreError",
    "add_source",
    "changes",
    "connect",
    "import_dataset",
    "init_schema",
    "read_dataset",
    "read_incidents",
    "record_of",
    "require_schema",
    "schema_version",
    "source_ids",
    "store_counts",
    "write_change",
]
