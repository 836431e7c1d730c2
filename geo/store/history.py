"""A file store's history: ``NAME.history.jsonl`` beside the table, one JSON object a line.

Reading never stops at a bad line: a line that is not a change this product wrote (a merge
conflict marker, text that is not JSON, JSON nested too deep, a field of the wrong kind, a
change number seen before, a line longer than :data:`MAX_CHANGE_BYTES`) is skipped and
reported as a :class:`~geo.errors.Problem` naming the file and its line. Reading is linear in
the file's size and holds at most one line of :data:`MAX_CHANGE_BYTES` at a time; the result
is kept per file and read again only when the file's size or modification time changes.

Writing appends one line per change (flushed and synced to disk); a change whose line would be
longer than :data:`MAX_CHANGE_BYTES` is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import DataError, Problem
from geo.schema import CLAIM_COLUMNS, COLUMNS

MAX_CHANGE_BYTES = 1_000_000
"""The longest line one change may take in the history file (UTF-8 bytes). A record at the
largest cells the schema allows in plain Latin text (seven free-text cells of 32,767
characters) takes about 460 KB as old and new values; in Cyrillic about 920 KB."""
_FIELDS = ("change_id", "at", "who", "incident_id", "action", "old", "new")
_CLAIM_FIELDS = {c for c in CLAIM_COLUMNS if c != "incident_id"}
_RECORD_FIELDS = {*COLUMNS, "claims"}
_SCALARS = (str, int, float, bool, type(None))
_KEPT = 4  # histories kept in memory (one per table file a server edits)


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


@dataclass(frozen=True)
class History:
    """A history file as read: its changes (oldest first), the lines it skipped, and the
    highest change number any line gives (a skipped line's too, so a line mended later never
    shares its number with a newer change)."""

    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    highest: int = 0

    def next_id(self) -> int:
        """The number of the next change: one more than the highest any line gives."""
        return self.highest + 1


_cache: OrderedDict[str, tuple[tuple[int, int, int, int], History]] = OrderedDict()
_cache_lock = threading.Lock()


def read_history(path: Path) -> History:
    """The history in ``path`` (empty when there is none), read again only when the file
    changed since it was last read."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return History()
    key, stamp = str(path.resolve()), (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _cache_lock:
        kept = _cache.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    history = _parse(path)
    with _cache_lock:
        _cache[key] = (stamp, history)
        _cache.move_to_end(key)
        while len(_cache) > _KEPT:
            _cache.popitem(last=False)
    return history


def _parse(path: Path) -> History:
    changes: list[Change] = []
    problems: list[Problem] = []
    seen: set[int] = set()
    highest = 0
    with path.open("rb") as fh:
        for number, line in enumerate(_lines(fh), start=1):
            if line is None:
                problems.append(_problem(path, number, "is longer than a change may be"))
                continue
            if not line.strip():
                continue
            change, why, number_given = _change(line)
            highest = max(highest, number_given)
            if change is not None and change.change_id in seen:  # the first is kept
                why = f"repeats change number {change.change_id}"
            elif change is not None:
                seen.add(change.change_id)
                changes.append(change)
                continue
            problems.append(_problem(path, number, why))
    return History(changes, problems, highest)


def _lines(fh: Any) -> Any:
    """Each line of a binary file with its end, or ``None`` for a line longer than
    :data:`MAX_CHANGE_BYTES` (skipped a block at a time, never held whole)."""
    while True:
        line = fh.readline(MAX_CHANGE_BYTES + 1)
        if not line:
            return
        if len(line) <= MAX_CHANGE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = fh.readline(1 << 16)
        yield None


def _problem(path: Path, number: int, why: str) -> Problem:
    return Problem(
        path.name,
        number,
        None,
        f"{why}; this line is not a change this product wrote (a merge conflict or an edit "
        "by hand?) and is skipped: mend or remove it to see it again",
    )


def _change(line: bytes) -> tuple[Change | None, str, int]:
    """The change a line records, or ``None`` and why it is not one; and the change number
    it gives (0 for none)."""
    try:
        found = json.loads(line.decode("utf-8"))
    except RecursionError:
        return None, "is nested too deep", 0
    except ValueError:
        return None, "is not JSON", 0
    number = found.get("change_id") if isinstance(found, dict) else None
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**63:
        return None, "has no change number", 0
    if set(found) != set(_FIELDS):
        return None, "does not hold the fields of a change", number
    wrong = [k for k in ("at", "who", "incident_id", "action") if not isinstance(found[k], str)]
    wrong += [k for k in ("old", "new") if not _is_record(found[k])]
    if wrong:
        return None, f"holds {', '.join(wrong)} of the wrong kind", number
    return Change(**found), "", number


def _is_record(value: object) -> bool:
    """Whether a change's ``old`` or ``new`` is none, or fields of text and numbers (claims a
    list of such fields)."""
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    for key, cell in value.items():
        if key == "claims":
            if not isinstance(cell, list) or not all(
                isinstance(c, dict) and all(isinstance(v, _SCALARS) for v in c.values())
                for c in cell
            ):
                return False
        elif not isinstance(cell, _SCALARS):
            return False
    return True


def change_line(change: Change) -> bytes:
    """The line ``change`` takes in the history file, or a ``DataError`` when it is longer
    than :data:`MAX_CHANGE_BYTES`."""
    try:
        line = (json.dumps(change.__dict__, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # text no UTF-8 can hold: escaped instead
        line = (json.dumps(change.__dict__) + "\n").encode("ascii")
    if len(line) > MAX_CHANGE_BYTES:
        raise DataError(
            f"this change would take {len(line):,} bytes in the history, over the "
            f"{MAX_CHANGE_BYTES:,} one change may take (the old and new values and claims "
            "together); shorten the longest text or notes, then save again",
            file="this incident",
        )
    return line


def append_line(path: Path, line: bytes) -> None:
    """Add one change's line at the end of the history file and sync it to disk; a file cut
    short mid-line (a write that was cut short) gets that line ended first, so only it is
    lost. If the write fails, the file is cut back to what it held."""
    created = not path.exists()
    with path.open("a+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size:
            fh.seek(size - 1)
            line = (b"" if fh.read(1) == b"\n" else b"\n") + line
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        except BaseException:
            fh.truncate(size)
            raise
    if created:  # the new file's name is on disk too
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def record_refusal(change: Change) -> str:
    """Why undo must not use ``change``'s record (``""`` when it may): its old or new values
    name another incident, or fields an incident does not have."""
    for name, record in (("old", change.old), ("new", change.new)):
        if record is None:
            continue
        if record.get("incident_id") != change.incident_id:
            return f"its {name} values name incident {record.get('incident_id')!r}"
        unknown = sorted(str(k) for k in record if k not in _RECORD_FIELDS)
        if unknown:
            return f"its {name} values hold fields an incident does not have ({unknown[0]!r})"
        claims = record.get("claims") or []
        if any(not set(c) <= _CLAIM_FIELDS for c in claims):
            return f"its {name} claims hold fields a claim does not have"
    return ""


__all__ = [
    "MAX_CHANGE_BYTES",
    "Change",
    "History",
    "append_line",
    "change_line",
    "read_history",
    "record_refusal",
]
