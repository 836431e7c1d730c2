"""Editing incidents in files: :class:`FileStore`, the ``Store`` of an incident table in a
CSV file with its claims and sources beside it (``geo.store.base.Store``; the team store's is
``geo.store.postgis.PostgisStore``, and ``geo.store.open_store`` picks between them).

Every change names who made it, keeps the old and new values, and is checked against the
version of the record the editor opened (optimistic locking): a save on a record that changed
since raises :class:`~geo.store.base.EditConflict` with the other person's version, so no edit
is lost silently. Values are validated with the same rules as a file before anything is
written (``geo.store.checks``).

The history is kept in ``NAME.history.jsonl`` beside the table (one JSON object a change,
appended; ``geo.store.history`` reads and writes it, skipping and reporting a line that is not
a change); an incident's version is one more than its number of recorded changes. The table is
written atomically, one ``.bak`` of the previous version is kept, and a file that changed on
disk since it was read is never written over.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import DataError, Problem
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS
from geo.schema_dtypes import with_schema_dtypes
from geo.store.base import (
    CLAIM_FIELDS,
    EDITABLE,
    Change,
    EditConflict,
    Record,
    cell_text,
    plain,
)
from geo.store.checks import check_record, check_source, check_version, checked_change, typed_id
from geo.store.history import History, append_line, change_line, read_history
from geo.store.undo import undo_change


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

    def _load(self) -> _Loaded:
        """The table, its claims and source ids, and the file's stamp when read, through the
        table cache: the Edit page opens a record on every rerun, and an unchanged table is
        not validated again."""
        from geo.table_cache import load_cached

        for _ in range(20):  # another process may be writing: read again once it is done
            stamp = self._stamp()
            dataset = load_cached(self.path, geometry=False)
            if self._stamp() == stamp:
                break
        else:
            raise DataError(f"{self.path.name} keeps changing while it is read; try again")
        table = pd.DataFrame(dataset.incidents.drop(columns=["geometry", "row"], errors="ignore"))
        claims = pd.DataFrame(dataset.claims).reindex(columns=CLAIM_COLUMNS).fillna("")
        sources = set(dataset.sources["source_id"]) if len(dataset.sources.columns) else set()
        history = read_history(self.history_path)
        # A private, writable copy whose cells take the form's text (dates as YYYY-MM-DD);
        # ``_file_table`` types the changed incident's line before it is written.
        return _Loaded(table.astype(object), stamp, claims.astype(str), sources, history)

    def history(self, incident_id: str | None = None) -> list[Change]:
        changes = read_history(self.history_path).changes
        return [c for c in changes if incident_id is None or c.incident_id == incident_id]

    def history_problems(self) -> list[Problem]:
        """The history's lines that are not changes (each skipped), by line number."""
        return read_history(self.history_path).problems

    def open(self, incident_id: str) -> Record:
        found = self._record(self._load(), incident_id)
        if found is None:
            raise DataError(f"no incident {incident_id!r} in {self.path.name}")
        return found

    def _record(self, loaded: _Loaded, incident_id: str) -> Record | None:
        rows = loaded.table[loaded.table["incident_id"] == incident_id]
        if rows.empty:
            return None
        claims = loaded.claims[loaded.claims["incident_id"] == incident_id]
        return Record(
            plain(rows.iloc[0].to_dict()),
            loaded.version(incident_id),
            claims[CLAIM_FIELDS].to_dict("records"),
        )

    def source_ids(self) -> set[str]:
        return self._load().sources

    def _write(self, loaded: _Loaded, change: dict[str, Any], claims_changed: bool) -> Change:
        from geo.tables import write_csv

        if self._stamp() != loaded.stamp:  # someone wrote the file since it was read
            raise EditConflict(change["incident_id"], None, 0)
        done, line = self._change_line(loaded, change)  # too long: refused, nothing written
        written = [self.path, *([self.claims_path] if claims_changed else [])]
        backups = [p.with_name(p.name + ".bak") for p in written]
        for path, backup in zip(written, backups, strict=True):
            if path.exists():
                shutil.copy2(path, backup)
        claims = self._claims_file(loaded.claims, change["incident_id"]) if claims_changed else None
        steps = [
            lambda: write_csv(
                self._file_table(loaded.table, change["incident_id"]),
                self.path,
            ),
            lambda: write_csv(claims, self.claims_path),
        ][: 2 if claims_changed else 1]
        if change["new"] is None:  # readers never see claims of an incident not in the table
            steps.reverse()
        try:
            for step in steps:
                step()
            append_line(self.history_path, line)
            return done
        except BaseException:
            # No change without its history: put the tables back as they were.
            for path, backup in zip(written, backups, strict=True):
                if backup.exists():
                    shutil.copy2(backup, path)
            raise

    def _claims_file(self, claims: pd.DataFrame, incident_id: str) -> pd.DataFrame:
        """The claims file with one incident's rows replaced by its rows in ``claims``; other
        rows, and any columns of the file's own, as they were."""
        if not self.claims_path.exists():
            return claims[CLAIM_COLUMNS]
        raw = pd.read_csv(self.claims_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        mine = claims[claims["incident_id"] == incident_id]
        others = raw[raw["incident_id"].str.strip() != incident_id] if len(raw.columns) else raw
        out = pd.concat([others, mine[CLAIM_COLUMNS]], ignore_index=True).fillna("")
        return out[[*raw.columns, *[c for c in CLAIM_COLUMNS if c not in raw.columns]]]

    def _file_table(self, table: pd.DataFrame, incident_id: str) -> pd.DataFrame:
        """The file as written after a change to ``incident_id``: every other line as it was
        (its text, its columns beyond the schema), that incident's line in the file's columns,
        and an optional schema column the file lacks added only when the incident has a value
        in it. One edit rewrites one line."""
        raw = pd.read_csv(self.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        raw.columns = [str(c).strip() for c in raw.columns]  # as the loader reads them
        changed = table[table["incident_id"] == incident_id].reindex(columns=COLUMNS)
        mine = _as_text(with_schema_dtypes(changed))  # only the changed line is typed
        added = [c for c in COLUMNS if c not in raw.columns and (mine[c] != "").any()]
        out = raw.reindex(columns=[*raw.columns, *added], fill_value="")
        at = out.index[out["incident_id"].str.strip() == incident_id]
        if mine.empty:
            return out.drop(index=at)
        row = {c: mine.iloc[0][c] if c in COLUMNS else "" for c in out.columns}
        if len(at):
            row.update({c: out.at[at[0], c] for c in out.columns if c not in COLUMNS})
            out.loc[at[0]] = pd.Series(row)
            return out
        return pd.concat([out, pd.DataFrame([row], columns=out.columns)], ignore_index=True)

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
        ``claims`` is given. ``EditConflict`` if it changed since it was opened: a recorded
        change (``version``) or an edit of the file by hand (its values differ from
        ``opened``, the values the editor started from)."""
        with self._locked():
            loaded = self._load()
            current = self._record(loaded, cell_text(values.get("incident_id")).strip())
            new, claims = checked_change(
                values, claims, current, loaded.sources, new_id=typed_id(version, action)
            )
            return self._save(
                loaded, new, claims, version=version, who=who, action=action, opened=opened
            )

    def _save(
        self,
        loaded: _Loaded,
        new: dict[str, Any],
        claims: list[dict[str, str]] | None,
        *,
        version: int | None,
        who: str,
        action: str,
        opened: dict[str, Any] | None,
    ) -> Change:
        incident_id = new["incident_id"]
        current = self._record(loaded, incident_id)
        old = check_version(incident_id, current, version, opened, loaded.version(incident_id))
        table = loaded.table
        if current is None:
            table = pd.concat([table, pd.DataFrame([new])], ignore_index=True)
        else:
            at = table.index[table["incident_id"] == incident_id][0]
            for column in EDITABLE:
                table.at[at, column] = new[column]
        if claims is not None:
            loaded.claims = _replace_claims(loaded.claims, incident_id, claims)
        loaded.table = table
        recorded = {
            **new,
            "claims": claims if claims is not None else (old or {}).get("claims", []),
        }
        return self._write(
            loaded,
            {
                "who": who,
                "incident_id": incident_id,
                "action": action or ("add" if old is None else "update"),
                "old": old,
                "new": recorded,
            },
            claims_changed=claims is not None,
        )

    def delete(self, incident_id: str, *, version: int, who: str, action: str = "") -> Change:
        """Delete an incident and its claims (the history keeps both: undo puts them back)."""
        with self._locked():
            loaded = self._load()
            current = self._record(loaded, incident_id)
            old = check_version(incident_id, current, version, None, loaded.version(incident_id))
            if current is None:
                raise EditConflict(incident_id, None, loaded.version(incident_id))
            loaded.table = loaded.table[loaded.table["incident_id"] != incident_id].reset_index(
                drop=True
            )
            loaded.claims = _replace_claims(loaded.claims, incident_id, [])
            return self._write(
                loaded,
                {
                    "who": who,
                    "incident_id": incident_id,
                    "action": action or "delete",
                    "old": old,
                    "new": None,
                },
                claims_changed=bool(current.claims),
            )

    def add_source(self, source: dict[str, Any], *, who: str) -> Change:
        """Add a source (an article or report) that claims can cite."""
        from geo.tables import write_csv

        with self._locked():
            loaded = self._load()
            row = check_source(source, loaded.sources)
            done, line = self._change_line(
                loaded,
                {"who": who, "incident_id": "", "action": "add-source", "old": None, "new": row},
            )
            sources = (
                pd.read_csv(self.sources_path, dtype=str, keep_default_na=False)
                if self.sources_path.exists()
                else pd.DataFrame(columns=SOURCE_COLUMNS)
            )
            write_csv(
                pd.concat([sources, pd.DataFrame([row])], ignore_index=True), self.sources_path
            )
            append_line(self.history_path, line)
            return done

    @staticmethod
    def _change_line(loaded: _Loaded, change: dict[str, Any]) -> tuple[Change, bytes]:
        """The change numbered after the history's highest, and its line (checked for size)."""
        done = Change(
            change_id=loaded.history.next_id(),
            at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),  # UTC, as PostGIS writes it
            **change,
        )
        return done, change_line(done)

    def undo(self, change_id: int, *, who: str) -> Change:
        """Put back what a change replaced, as a new change (the history keeps both)."""
        return undo_change(self, change_id, who=who)


@dataclass
class _Loaded:
    """A file store as one operation read it: table, stamp, claims, source ids, history."""

    table: pd.DataFrame
    stamp: tuple[int, int]
    claims: pd.DataFrame
    sources: set[str]
    history: History

    def version(self, incident_id: str) -> int:
        """One more than the incident's recorded changes."""
        return 1 + sum(c.incident_id == incident_id for c in self.history.changes)


def _replace_claims(
    claims: pd.DataFrame, incident_id: str, rows: list[dict[str, str]]
) -> pd.DataFrame:
    others = claims[claims["incident_id"] != incident_id]
    added = pd.DataFrame([{**r, "incident_id": incident_id} for r in rows], columns=CLAIM_COLUMNS)
    return pd.concat([others, added], ignore_index=True).astype(str)


def _as_text(rows: pd.DataFrame) -> pd.DataFrame:
    """Typed rows as a CSV file's cells: dates as YYYY-MM-DD, none as ""."""
    out = pd.DataFrame(index=rows.index)
    for column in rows.columns:
        values = rows[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        out[column] = [("" if v is None or v is pd.NA or v != v else str(v)) for v in values]
    return out


__all__ = [
    "CLAIM_FIELDS",
    "Change",
    "EditConflict",
    "FileStore",
    "Record",
    "check_record",
    "plain",
]
