"""The team store's ``Store`` (``geo.store.base.Store``): edits checked with the file rules,
then written in one transaction per change with the incident's row locked."""

from __future__ import annotations

from typing import Any

from geo.errors import DataError, Problem
from geo.store.base import Change, Record, cell_text
from geo.store.checks import check_source, checked_change, typed_id
from geo.store.postgis import read, write
from geo.store.postgis.connection import connect
from geo.store.undo import undo_change


class PostgisStore:
    """Edits in the team store at ``url``: one transaction per change, the row locked while it
    is saved, the version column checked against the version the editor opened."""

    def __init__(self, url: str) -> None:
        self.url = url

    def open(self, incident_id: str) -> Record:
        with connect(self.url) as conn:
            found = read.record_of(conn, incident_id, lock=False)
        if found is None:
            raise DataError(f"no incident {incident_id!r} in the team store")
        return found

    def source_ids(self) -> set[str]:
        return read.source_ids(self.url)

    def history(self, incident_id: str | None = None) -> list[Change]:
        return read.changes(self.url, incident_id)

    def history_problems(self) -> list[Problem]:
        """None: the database keeps every change in the shape it was written."""
        return []

    def add_source(self, source: dict[str, Any], *, who: str) -> Change:
        """Add a source (an article or report) that claims can cite."""
        return write.add_source(self.url, check_source(source, self.source_ids()), who)

    def save(
        self,
        values: dict[str, Any],
        *,
        version: int | None,
        who: str,
        action: str = "",
        claims: list[dict[str, Any]] | None = None,
        opened: dict[str, Any] | None = None,  # noqa: ARG002 - the version column sees every change
    ) -> Change:
        """Add (``version`` None) or update an incident, and replace its claims when
        ``claims`` is given; ``EditConflict`` if it changed since it was opened."""
        incident_id = cell_text(values.get("incident_id")).strip()
        try:
            current: Record | None = self.open(incident_id)
        except DataError:
            current = None
        new, checked = checked_change(
            values, claims, current, self.source_ids(), new_id=typed_id(version, action)
        )
        return write.write_change(self.url, new["incident_id"], new, version, who, action, checked)

    def delete(self, incident_id: str, *, version: int, who: str, action: str = "") -> Change:
        """Delete an incident and its claims (the history keeps both: undo puts them back)."""
        return write.write_change(
            self.url, incident_id, None, version, who, action or "delete", None
        )

    def undo(self, change_id: int, *, who: str) -> Change:
        """Put back what a change replaced, as a new change (the history keeps both)."""
        return undo_change(self, change_id, who=who)


__all__ = ["PostgisStore"]
