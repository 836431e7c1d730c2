"""Editing incidents, the same way in files and in PostGIS: add, update, delete, history, undo.

Every change names who made it, keeps the old and new values, and is checked against the
version of the record the editor opened (optimistic locking): a save on a record that changed
since raises :class:`EditConflict` with the other person's version, so no edit is lost
silently. Values are validated with the same rules as a file before anything is written.

``FileStore`` keeps the history in ``NAME.history.jsonl`` beside the table (one JSON object a
change, appended; ``geo.store.history`` reads and writes it, skipping and reporting a line that
is not a change); an incident's version is one more than its number of recorded changes. It
writes the table atomically, keeps one ``.bak`` of the previous version, and refuses to write
over a file that changed on disk since it was read. ``PostgisStore`` keeps a ``version``
column and the ``history`` table, in one transaction per change.
"""

from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import AtlasError, DataError, Problem
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS, TOLL_COLUMNS
from geo.store.history import Change, History, append_line, change_line, read_history
from geo.store.history import record_refusal as _record_refusal

EDITABLE = [c for c in COLUMNS if c != "incident_id"]
CLAIM_FIELDS = [c for c in CLAIM_COLUMNS if c != "incident_id"]
"""What one claim holds on the Edit page: source, paragraph, killed, wounded, note."""
_WHOLE = re.compile(r"[0-9]{1,9}")
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}")


class EditConflict(AtlasError):
    """The record changed since it was opened: ``theirs`` is what is stored now."""

    def __init__(self, incident_id: str, theirs: dict[str, Any] | None, version: int) -> None:
        self.incident_id, self.theirs, self.version = incident_id, theirs, version
        what = "was deleted" if theirs is None else f"is now at version {version}"
        super().__init__(
            f"incident {incident_id!r} {what} since you opened it; compare the two versions "
            "and save again"
        )


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


def check_record(
    values: dict[str, Any], *, new: bool = False, source_ids: set[str] | None = None
) -> dict[str, Any]:
    """Validate one record with the file rules (cells a page can show, ``sources`` naming
    known sources when ``source_ids`` is given); its values as validation read them, or a
    ``DataError`` listing every problem (nothing is written). A ``new`` incident's id must also
    be a plain slug (letters, digits and ``-_.:``), as every id a page links to."""
    from geo.validate import validate_incidents
    from geo.validate.cells import check_cells

    raw = pd.DataFrame([{c: _text(values.get(c)) for c in COLUMNS}])
    rows = pd.Series([1]).to_numpy()
    checked = validate_incidents(raw, file="this incident", row_numbers=rows, source_ids=source_ids)
    problems = [*check_cells(raw, file="this incident", row_numbers=rows), *checked.problems]
    incident_id = _text(values.get("incident_id")).strip()
    if new and incident_id and not ID_PATTERN.fullmatch(incident_id):
        problems.append(
            Problem(
                "this incident",
                1,
                "incident_id",
                f"incident_id {incident_id!r} may hold only letters, digits and - _ . : "
                "(no spaces or ;), and must start with a letter or digit",
            )
        )
    if problems:
        raise DataError(problems)
    return plain(checked.table.iloc[0].to_dict())


def check_claims(
    claims: list[dict[str, Any]], record: dict[str, Any], source_ids: set[str]
) -> list[dict[str, str]]:
    """Validate an incident's claims with the file rules (a known source, whole figures within
    the incident's low-high range); the claims as text cells, or a ``DataError``."""
    from geo.validate.cells import check_cells
    from geo.validate.claims import claims_as_read, validate_claims

    rows = [
        {
            **{c: _text(claim.get(c)).strip() for c in CLAIM_FIELDS},
            "incident_id": record["incident_id"],
        }
        for claim in claims
        if any(_text(claim.get(c)).strip() for c in CLAIM_FIELDS)  # an empty row is no claim
    ]
    frame = pd.DataFrame(rows, columns=CLAIM_COLUMNS).astype(object)
    incident = _typed(pd.DataFrame([record]))
    where = "claims of this incident"
    problems = check_cells(frame, file=where)
    problems += validate_claims(frame, incident, file=where, source_ids=source_ids)
    if problems:
        raise DataError(problems)
    return [{c: str(r[c]) for c in CLAIM_FIELDS} for r in claims_as_read(frame).to_dict("records")]


def checked_change(
    values: dict[str, Any],
    claims: list[dict[str, Any]] | None,
    current: Record | None,
    source_ids: set[str],
    *,
    new_id: bool,
) -> tuple[dict[str, Any], list[dict[str, str]] | None]:
    """The values and claims a save writes, checked as a whole: the record (cells, known
    sources), and its claims (the new ones, else those it has) against its new range, so no
    save leaves a table that would not load. ``new_id``: the id is typed by a person."""
    new = check_record(values, new=new_id, source_ids=source_ids)
    kept = claims if claims is not None else (current.claims if current is not None else [])
    checked = check_claims(kept, new, source_ids)
    return new, (checked if claims is not None else None)


def check_source(source: dict[str, Any], known: set[str]) -> dict[str, str]:
    """Validate a new source with the file rules (an id and a title, a known kind, an id not
    taken); its cells as text, or a ``DataError``."""
    from geo.validate.cells import check_cells
    from geo.validate.claims import validate_sources

    row = {c: _text(source.get(c)).strip() for c in SOURCE_COLUMNS}
    _, problems = validate_sources(pd.DataFrame([row]), file="this source")
    problems = check_cells(pd.DataFrame([row]), file="this source") + problems
    for column in ("source_id", "title"):
        if not row[column]:
            problems.append(Problem("this source", 1, column, f"{column} is required"))
    if row["source_id"] and not ID_PATTERN.fullmatch(row["source_id"]):
        problems.append(
            Problem("this source", 1, "source_id", "source_id may hold only letters, digits "
                    "and - _ . :, and must start with a letter or digit")
        )  # fmt: skip
    if row["source_id"] in known:
        problems.append(Problem("this source", 1, "source_id", f"{row['source_id']!r} is taken"))
    if problems:
        raise DataError(problems)
    return row


def fill_range_from_claims(
    values: dict[str, Any], claims: list[dict[str, Any]], *, widen: bool = False
) -> dict[str, Any]:
    """The incident's values with each empty low or high toll set to the lowest or highest
    figure its claims give (``widen``: every low and high moved out to hold them all, as when
    a new source claims more or fewer), and an empty best set where every claim agrees (never
    an average: where sources differ, the best figure is the editor's call)."""
    out = dict(values)
    for what in ("killed", "wounded"):
        figures = sorted(
            {int(text) for c in claims if _WHOLE.fullmatch(text := _text(c.get(what)).strip())}
        )
        if not figures:
            continue
        for bound, pick in (("low", min), ("high", max)):
            given = _text(out.get(f"{what}_{bound}")).strip()
            if not given or (widen and _WHOLE.fullmatch(given.removesuffix(".0"))):
                now = [int(given.removesuffix(".0"))] if given else []
                out[f"{what}_{bound}"] = pick([*figures, *now])
        if _text(out.get(f"{what}_best")).strip() == "" and len(figures) == 1:
            out[f"{what}_best"] = figures[0]
    return out


def unchosen_best(values: dict[str, Any]) -> str:
    """Why a record cannot be saved yet when its low and high differ and no best figure is
    given (a table would read best as the low: the choice is the editor's, never made for
    them); ``""`` when there is nothing to choose."""
    for what in ("killed", "wounded"):
        low, best, high = (
            _text(values.get(f"{what}_{b}")).strip() for b in ("low", "best", "high")
        )
        if not best and low and high and low != high:
            return (
                f"Choose a best {what} figure between {low} and {high}: the sources disagree, "
                "and the best figure is your call."
            )
    return ""


def with_claim_sources(values: dict[str, Any], claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The values with every source its claims cite added to ``sources`` (kept in order)."""
    given = [s.strip() for s in _text(values.get("sources")).split(";") if s.strip()]
    cited = [_text(c.get("source")).strip() for c in claims if _text(c.get("source")).strip()]
    return {**values, "sources": ";".join(dict.fromkeys([*given, *cited]))}


def undo_plan(
    change: Change, current: Record | None
) -> tuple[str, dict[str, Any] | None, list[dict[str, str]] | None]:
    """What undoing ``change`` writes now: ``("delete", None, None)``, ``("add", values,
    claims)`` or ``("update", values, claims)``. An update is undone field by field: only the
    fields it changed are put back, and only if no later change touched them (else a
    ``DataError`` names them), so later edits to other fields are kept."""
    name = f"change {change.change_id}"
    if change.action == "add-source":
        raise DataError(
            f"{name} added a source; a source is removed by hand from the sources table (once "
            "no claim cites it)"
        )
    refused = _record_refusal(change)
    if refused:  # never write what a change holds over an incident it does not name
        raise DataError(f"{name} cannot be undone: it names {change.incident_id!r}, but {refused}")
    if change.old is None:  # an addition: undone by deleting the incident
        if current is None:
            raise DataError(f"{name} added {change.incident_id!r}, which is already deleted")
        return "delete", None, None
    old = dict(change.old)
    old_claims = old.pop("claims", None)
    if change.new is None:  # a deletion: undone by adding it back, claims included
        if current is not None:
            raise DataError(
                f"incident_id {change.incident_id!r} is taken again; undoing its deletion would "
                "replace it"
            )
        return "add", old, old_claims
    if current is None:
        raise DataError(f"{change.incident_id!r} was deleted after {name}; undo the deletion first")
    new = dict(change.new)
    touched = sorted(
        k for k in set(old) | set(new) | {"claims"} if _of(change.old, k) != _of(change.new, k)
    )
    now = {**current.values, "claims": current.claims}
    later = [k for k in touched if _of(now, k) != _of(change.new, k)]
    if later:
        raise DataError(
            f"{', '.join(later)} changed again after {name}; undo the later change first, or "
            "edit the incident by hand"
        )
    values = {**current.values, **{k: old[k] for k in touched if k != "claims"}}
    return "update", values, (old_claims if "claims" in touched else None)


def _of(values: dict[str, Any], key: str) -> Any:
    value = values.get(key)
    return [] if key == "claims" and value is None else value


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
        # ``_typed`` makes it a table again before it is written.
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
            lambda: write_csv(self._with_extra_columns(_typed(loaded.table)), self.path),
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

    def _with_extra_columns(self, table: pd.DataFrame) -> pd.DataFrame:
        """The table with the file's own columns beyond the schema kept as they were (a new
        incident's cells empty), in the file's column order."""
        import csv

        with self.path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        extra = [c for c in header if c not in COLUMNS]
        if not extra:
            return table.reindex(columns=COLUMNS)
        raw = pd.read_csv(self.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        kept = raw[["incident_id", *extra]].drop_duplicates("incident_id")
        table = table.reindex(columns=COLUMNS).merge(kept, on="incident_id", how="left")
        table[extra] = table[extra].fillna("")
        return table[
            [*[c for c in header if c in table.columns], *[c for c in COLUMNS if c not in header]]
        ]

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
            current = self._record(loaded, _text(values.get("incident_id")).strip())
            new, claims = checked_change(
                values, claims, current, loaded.sources, new_id=_typed_id(version, action)
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
        return _undo(self, _find(self.history(), change_id), who)


class PostgisStore:
    """Edits in the team store: one transaction per change, the row locked while it is saved."""

    def __init__(self, url: str) -> None:
        self.url = url

    def add_source(self, source: dict[str, Any], *, who: str) -> Change:
        """Add a source (an article or report) that claims can cite."""
        from geo.store.postgis import add_source

        return Change(*add_source(self.url, check_source(source, self.source_ids()), who))

    def open(self, incident_id: str) -> Record:
        from geo.store.postgis import connect, record_of

        with connect(self.url) as conn:
            found = record_of(conn, incident_id, lock=False)
        if found is None:
            raise DataError(f"no incident {incident_id!r} in the team store")
        return Record(*found)

    def source_ids(self) -> set[str]:
        from geo.store.postgis import source_ids

        return source_ids(self.url)

    def history(self, incident_id: str | None = None) -> list[Change]:
        from geo.store.postgis import changes

        return [Change(*row) for row in changes(self.url, incident_id)]

    def history_problems(self) -> list[Problem]:
        """None: the database keeps every change in the shape it was written."""
        return []

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
        from geo.store.postgis import write_change

        incident_id = _text(values.get("incident_id")).strip()
        try:
            current: Record | None = self.open(incident_id)
        except DataError:
            current = None
        new, claims = checked_change(
            values, claims, current, self.source_ids(), new_id=_typed_id(version, action)
        )
        return Change(
            *write_change(self.url, new["incident_id"], new, version, who, action, claims)
        )

    def delete(self, incident_id: str, *, version: int, who: str, action: str = "") -> Change:
        """Delete an incident and its claims (the history keeps both: undo puts them back)."""
        from geo.store.postgis import write_change

        return Change(
            *write_change(self.url, incident_id, None, version, who, action or "delete", None)
        )

    def undo(self, change_id: int, *, who: str) -> Change:
        """Put back what a change replaced, as a new change (the history keeps both)."""
        return _undo(self, _find(self.history(), change_id), who)


def _typed_id(version: int | None, action: str) -> bool:
    """A new incident's id typed by a person (not one an undo brings back)."""
    return version is None and not action.startswith("undo")


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


def check_version(
    incident_id: str,
    current: Record | None,
    version: int | None,
    opened: dict[str, Any] | None,
    now: int,
) -> dict[str, Any] | None:
    """The stored values (claims included) a change replaces, after checking the change is
    made on what the editor saw."""
    if current is None:
        if version is not None:
            raise EditConflict(incident_id, None, now)
        return None
    old = {**current.values, "claims": current.claims}
    if version is None:
        raise DataError(f"incident_id {incident_id!r} is taken; choose another")
    if version != current.version or (opened is not None and plain(opened) != current.values):
        raise EditConflict(incident_id, current.values, current.version)
    return old


def _replace_claims(
    claims: pd.DataFrame, incident_id: str, rows: list[dict[str, str]]
) -> pd.DataFrame:
    others = claims[claims["incident_id"] != incident_id]
    added = pd.DataFrame([{**r, "incident_id": incident_id} for r in rows], columns=CLAIM_COLUMNS)
    return pd.concat([others, added], ignore_index=True).astype(str)


def _undo(store: FileStore | PostgisStore, change: Change, who: str) -> Change:
    later = store.history(change.incident_id) if change.incident_id else []
    deleted = [c for c in later if c.change_id > change.change_id and c.new is None]
    if change.new is not None and change.old is not None and deleted:
        raise DataError(
            f"{change.incident_id!r} was deleted after change {change.change_id} (change "
            f"{deleted[0].change_id}); undo the deletion first"
        )
    try:
        current: Record | None = store.open(change.incident_id)
    except DataError:
        current = None
    what, values, claims = undo_plan(change, current)
    action = f"undo {change.change_id}"
    if what == "delete":
        assert current is not None
        return store.delete(change.incident_id, version=current.version, who=who, action=action)
    assert values is not None
    version = None if current is None else current.version
    return store.save(values, version=version, who=who, action=action, claims=claims)


def _find(history: list[Change], change_id: int) -> Change:
    for change in history:
        if change.change_id == change_id:
            return change
    raise DataError(f"no change {change_id} in the history")


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
    "fill_range_from_claims",
    "unchosen_best",
    "with_claim_sources",
    "open_store",
    "plain",
]
