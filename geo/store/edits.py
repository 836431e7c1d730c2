"""Editing incidents, the same way in files and in PostGIS: add, update, delete, history, undo.

Every change names who made it, keeps the old and new values, and is checked against the
version of the record the editor opened (optimistic locking): a save on a record that changed
since raises :class:`EditConflict` with the other person's version, so no edit is lost
silently. Values are validated with the same rules as a file before anything is written.

``FileStore`` keeps the history in ``NAME.history.jsonl`` beside the table (one JSON object a
change); an incident's version is one more than its number of recorded changes. It writes the
table atomically, keeps one ``.bak`` of the previous version, and refuses to write over a file
that changed on disk since it was read. ``PostgisStore`` keeps a ``version`` column and the
``history`` table, in one transaction per change.
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import AtlasError, DataError
from geo.schema import COLUMNS, TOLL_COLUMNS

EDITABLE = [c for c in COLUMNS if c != "incident_id"]


class EditConflict(AtlasError):
    """The record changed since it was opened: ``theirs`` is what is stored now."""

    def __init__(self, incident_id: str, theirs: dict[str, Any] | None, version: int) -> None:
        self.incident_id, self.theirs, self.version = incident_id, theirs, version
        what = "was deleted" if theirs is None else f"is now at version {version}"
        super().__init__(
            f"incident {incident_id!r} {what} since you opened it; compare the two versions "
            "and save again"
        )


@dataclass(frozen=True)
class Change:
    """One recorded change."""

    change_id: int
    at: str
    who: str
    incident_id: str
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass
class Record:
    """One incident as an editor opens it, with the version the save is checked against."""

    values: dict[str, Any]
    version: int
    claims: list[dict[str, Any]] = field(default_factory=list)


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


def check_record(values: dict[str, Any]) -> dict[str, Any]:
    """Validate one record with the file rules; its values as validation read them, or a
    ``DataError`` listing every problem (nothing is written)."""
    from geo.validate import validate_incidents

    raw = pd.DataFrame([{c: _text(values.get(c)) for c in COLUMNS}])
    checked = validate_incidents(raw, file="this incident", row_numbers=pd.Series([1]).to_numpy())
    if checked.problems:
        raise DataError(checked.problems)
    return plain(checked.table.iloc[0].to_dict())


def _text(value: object) -> str:
    """A typed value as the text a table cell would hold."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)


class FileStore:
    """Edits on an incident table in a CSV file (with its claims and sources beside it)."""

    def __init__(self, path: str | Path) -> None:
        from geo.tables import sibling_paths

        self.path = Path(path)
        self.history_path = self.path.with_name(f"{self.path.stem}.history.jsonl")
        self.claims_path, self.sources_path = sibling_paths(self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One save at a time on this table, across processes (an advisory lock file)."""
        lock = self.path.with_name(f".{self.path.name}.lock")
        with lock.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _stamp(self) -> tuple[int, int]:
        stat = self.path.stat()
        return stat.st_mtime_ns, stat.st_size

    def _load(self) -> tuple[pd.DataFrame, tuple[int, int], pd.DataFrame]:
        """(incidents, the file's stamp when read, claims), through the table cache: the Edit
        page opens a record on every rerun, and an unchanged table is not validated again."""
        from geo.table_cache import load_cached

        stamp = self._stamp()
        dataset = load_cached(self.path, geometry=False)
        if self._stamp() != stamp:
            raise EditConflict(str(self.path.name), None, 0)
        table = pd.DataFrame(dataset.incidents.drop(columns=["geometry", "row"], errors="ignore"))
        # A private, writable copy whose cells take the form's text (dates as YYYY-MM-DD);
        # ``_typed`` makes it a table again before it is written.
        return table.astype(object), stamp, dataset.claims

    def history(self, incident_id: str | None = None) -> list[Change]:
        if not self.history_path.exists():
            return []
        changes = [
            Change(**json.loads(line))
            for line in self.history_path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        return [c for c in changes if incident_id is None or c.incident_id == incident_id]

    def _version(self, incident_id: str) -> int:
        return 1 + len(self.history(incident_id))

    def open(self, incident_id: str) -> Record:
        table, _, _ = self._load()
        rows = table[table["incident_id"] == incident_id]
        if rows.empty:
            raise DataError(f"no incident {incident_id!r} in {self.path.name}")
        return Record(plain(rows.iloc[0].to_dict()), self._version(incident_id))

    def _write(self, table: pd.DataFrame, stamp: tuple[int, int], change: dict[str, Any]) -> Change:
        from geo.files import write_text_atomic
        from geo.tables import write_csv

        if self._stamp() != stamp:  # someone wrote the file since it was read
            raise EditConflict(change["incident_id"], None, 0)
        backup = self.path.with_name(self.path.name + ".bak")
        shutil.copy2(self.path, backup)
        done = Change(
            change_id=len(self.history()) + 1,
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            **change,
        )
        lines = self.history_path.read_text(encoding="utf-8") if self.history_path.exists() else ""
        write_csv(table.reindex(columns=COLUMNS), self.path)
        try:
            write_text_atomic(self.history_path, lines + json.dumps(done.__dict__) + "\n")
        except BaseException:
            # No change without its history: put the table back as it was.
            shutil.copy2(backup, self.path)
            raise
        return done

    def save(
        self, values: dict[str, Any], *, version: int | None, who: str, action: str = ""
    ) -> Change:
        """Add (``version`` None) or update an incident; ``EditConflict`` if it changed."""
        new = check_record(values)
        with self._locked():
            return self._save(new, version=version, who=who, action=action)

    def _save(self, new: dict[str, Any], *, version: int | None, who: str, action: str) -> Change:
        incident_id = new["incident_id"]
        table, stamp, _ = self._load()
        at = table.index[table["incident_id"] == incident_id]
        current = self._version(incident_id)
        if version is None:
            if len(at):
                raise DataError(f"incident_id {incident_id!r} is taken; choose another")
            old = None
            table = pd.concat([table, pd.DataFrame([new])], ignore_index=True)
        else:
            if not len(at):
                raise EditConflict(incident_id, None, current)
            old = plain(table.loc[at[0]].to_dict())
            if current != version:
                raise EditConflict(incident_id, old, current)
            for column in EDITABLE:
                table.at[at[0], column] = new[column]
        table = _typed(table)
        return self._write(
            table,
            stamp,
            {
                "who": who,
                "incident_id": incident_id,
                "action": action or ("add" if old is None else "update"),
                "old": old,
                "new": new,
            },
        )

    def delete(self, incident_id: str, *, version: int, who: str) -> Change:
        with self._locked():
            return self._delete(incident_id, version=version, who=who)

    def _delete(self, incident_id: str, *, version: int, who: str) -> Change:
        table, stamp, claims = self._load()
        at = table.index[table["incident_id"] == incident_id]
        current = self._version(incident_id)
        if not len(at):
            raise EditConflict(incident_id, None, current)
        old = plain(table.loc[at[0]].to_dict())
        if current != version:
            raise EditConflict(incident_id, old, current)
        _refuse_with_claims(incident_id, int((claims["incident_id"] == incident_id).sum()))
        table = table.drop(index=at).reset_index(drop=True)
        return self._write(
            table,
            stamp,
            {"who": who, "incident_id": incident_id, "action": "delete", "old": old, "new": None},
        )

    def undo(self, change_id: int, *, who: str) -> Change:
        """Put back what a change replaced, as a new change (the history keeps both)."""
        change = _find(self.history(), change_id)
        version = self._version(change.incident_id)
        if change.old is None:
            return self.delete(change.incident_id, version=version, who=who)
        exists = change.new is not None
        return self.save(
            change.old, version=version if exists else None, who=who, action=f"undo {change_id}"
        )


class PostgisStore:
    """Edits in the team store: one transaction per change, the row locked while it is saved."""

    def __init__(self, url: str) -> None:
        self.url = url

    def open(self, incident_id: str) -> Record:
        from geo.store.postgis import connect, record_of

        with connect(self.url) as conn:
            found = record_of(conn, incident_id, lock=False)
        if found is None:
            raise DataError(f"no incident {incident_id!r} in the team store")
        return Record(found[0], found[1])

    def history(self, incident_id: str | None = None) -> list[Change]:
        from geo.store.postgis import changes

        return [Change(*row) for row in changes(self.url, incident_id)]

    def save(
        self, values: dict[str, Any], *, version: int | None, who: str, action: str = ""
    ) -> Change:
        """Add (``version`` None) or update an incident; ``EditConflict`` if it changed."""
        from geo.store.postgis import write_change

        new = check_record(values)
        return Change(*write_change(self.url, new["incident_id"], new, version, who, action))

    def delete(self, incident_id: str, *, version: int, who: str) -> Change:
        from geo.store.postgis import write_change

        return Change(*write_change(self.url, incident_id, None, version, who, "delete"))

    def undo(self, change_id: int, *, who: str) -> Change:
        """Put back what a change replaced, as a new change (the history keeps both)."""
        change = _find(self.history(), change_id)
        current = self._current_version(change.incident_id)
        if change.new is None and current is not None:
            raise DataError(
                f"incident_id {change.incident_id!r} is taken again; undoing its deletion would "
                "replace it"
            )
        if change.old is None:
            return self.delete(change.incident_id, version=current or 0, who=who)
        return self.save(change.old, version=current, who=who, action=f"undo {change_id}")

    def _current_version(self, incident_id: str) -> int | None:
        try:
            return self.open(incident_id).version
        except DataError:
            return None


def _find(history: list[Change], change_id: int) -> Change:
    for change in history:
        if change.change_id == change_id:
            return change
    raise DataError(f"no change {change_id} in the history")


def _refuse_with_claims(incident_id: str, claims: int) -> None:
    """Deleting an incident would orphan or lose its claims (the page does not edit claims
    yet): refuse, saying so."""
    if claims:
        raise DataError(
            f"incident {incident_id!r} has {claims} source claim(s); deleting it would lose "
            "them. Remove its claims from the claims table first."
        )


def open_store(data: str | Path) -> FileStore | PostgisStore:
    """The store a table lives in: a ``postgresql://`` URL or a CSV file."""
    from geo.store import is_database_url

    return PostgisStore(str(data)) if is_database_url(data) else FileStore(data)


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    for column in ("date_start", "date_end"):
        table[column] = pd.to_datetime(table[column])
    for column in TOLL_COLUMNS:
        table[column] = pd.array(pd.to_numeric(table[column], errors="coerce"), dtype="Int64")
    return table


__all__ = [
    "Change",
    "EditConflict",
    "FileStore",
    "PostgisStore",
    "Record",
    "check_record",
    "open_store",
    "plain",
]
