"""What every store shares: an incident as an editor opens it (:class:`Record`), a recorded
change (:class:`Change`), the errors a write raises, the cell helpers, and :class:`Store`, the
interface the file store (``geo.store.edits.FileStore``) and the team store
(``geo.store.postgis.PostgisStore``) both give. Neither back end imports the other: each
imports this module, ``geo.store.checks`` and ``geo.store.undo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from geo.errors import EditConflict, Problem, StoreError
from geo.schema import CLAIM_COLUMNS, COLUMNS, TOLL_COLUMNS
from geo.store.history import Change

EDITABLE = [c for c in COLUMNS if c != "incident_id"]
CLAIM_FIELDS = [c for c in CLAIM_COLUMNS if c != "incident_id"]
"""What one claim holds on the Edit page: source, paragraph, killed, wounded, note."""
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}")
"""An id a person types (an incident's or a source's): a plain slug every page can link to."""


@dataclass
class Record:
    """One incident as an editor opens it, with the version the save is checked against."""

    values: dict[str, Any]
    version: int
    claims: list[dict[str, Any]] = field(default_factory=list)


@runtime_checkable
class Store(Protocol):
    """Where incidents are edited: every change is validated with the file rules, checked
    against the version the editor opened (:class:`EditConflict` otherwise) and recorded with
    who made it. ``geo.store.open_store`` picks the back end for a table or a database URL."""

    def open(self, incident_id: str) -> Record:
        """The incident as stored now (``DataError`` when there is none)."""
        ...

    def save(
        self,
        values: dict[str, Any],
        *,
        version: int | None,
        who: str,
        action: str = "",
        claims: list[dict[str, Any]] | None = None,
        opened: dict[str, Any] | None = None,
    ) -> Change:
        """Add (``version`` None) or update an incident, and replace its claims when
        ``claims`` is given."""
        ...

    def delete(self, incident_id: str, *, version: int, who: str, action: str = "") -> Change:
        """Delete an incident and its claims (the history keeps both)."""
        ...

    def undo(self, change_id: int, *, who: str) -> Change:
        """Put back what a change replaced, as a new change."""
        ...

    def history(self, incident_id: str | None = None) -> list[Change]:
        """The recorded changes (of one incident), oldest first."""
        ...

    def history_problems(self) -> list[Problem]:
        """What of the history could not be read (each part skipped)."""
        ...

    def add_source(self, source: dict[str, Any], *, who: str) -> Change:
        """Add a source (an article or report) that claims can cite."""
        ...

    def source_ids(self) -> set[str]:
        """The ids of the sources claims can cite."""
        ...


def cell_text(value: object) -> str:
    """A typed value as the text a table cell would hold."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """A record's values as JSON-safe text and numbers (dates ISO, missing tolls ``None``)."""
    out: dict[str, Any] = {}
    for column in COLUMNS:
        value = values.get(column, "")
        if isinstance(value, pd.Timestamp | datetime):
            value = value.strftime("%Y-%m-%d")
        elif column in TOLL_COLUMNS:
            value = None if value is None or value == "" or pd.isna(value) else int(value)
        elif column in ("lat", "lon"):
            value = float(value)
        else:
            value = (
                ""
                if value is None or (not isinstance(value, str) and pd.isna(value))
                else str(value)
            )
        out[column] = value
    return out


__all__ = [
    "CLAIM_FIELDS",
    "EDITABLE",
    "ID_PATTERN",
    "Change",
    "EditConflict",
    "Record",
    "Store",
    "StoreError",
    "cell_text",
    "plain",
]
