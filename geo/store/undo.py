"""Undoing a change, the same way in every store: the change is put back as a new change
(the history keeps both), field by field, and only where no later change touched the same
fields; a change whose recorded values name another incident is refused.
"""

from __future__ import annotations

from typing import Any

from geo.errors import DataError
from geo.store.base import Change, Record, Store
from geo.store.history import record_refusal


def undo_change(store: Store, change_id: int, *, who: str) -> Change:
    """Put back what change ``change_id`` of ``store`` replaced, as a new change by ``who``."""
    return _undo(store, _find(store.history(), change_id), who)


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
    refused = record_refusal(change)
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


def _undo(store: Store, change: Change, who: str) -> Change:
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


__all__ = ["undo_change", "undo_plan"]
