"""The file rules a change must pass before any store writes it, the same in files and in
PostGIS: one incident's cells and sources, its claims against its range, a new source, and the
version the editor opened. Each check returns the values as validation read them, or raises a
``DataError`` listing every problem (nothing is written).

Also the Edit and Review pages' helpers that fill an incident's values from its claims.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from geo.errors import DataError, Problem
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS
from geo.schema_dtypes import with_schema_dtypes
from geo.store.base import (
    CLAIM_FIELDS,
    ID_PATTERN,
    EditConflict,
    Record,
    cell_text,
    plain,
)

_WHOLE = re.compile(r"[0-9]{1,9}")


def check_record(
    values: dict[str, Any], *, new: bool = False, source_ids: set[str] | None = None
) -> dict[str, Any]:
    """Validate one record with the file rules (cells a page can show, ``sources`` naming
    known sources when ``source_ids`` is given); its values as validation read them, or a
    ``DataError`` listing every problem (nothing is written). A ``new`` incident's id must also
    be a plain slug (letters, digits and ``-_.:``), as every id a page links to."""
    from geo.validate import validate_incidents
    from geo.validate.cell_values import check_cells

    raw = pd.DataFrame([{c: cell_text(values.get(c)) for c in COLUMNS}])
    rows = pd.Series([1]).to_numpy()
    checked = validate_incidents(raw, file="this incident", row_numbers=rows, source_ids=source_ids)
    problems = [*check_cells(raw, file="this incident", row_numbers=rows), *checked.problems]
    incident_id = cell_text(values.get("incident_id")).strip()
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
    from geo.validate.cell_values import check_cells
    from geo.validate.claims import claims_as_read, validate_claims

    rows = [
        {
            **{c: cell_text(claim.get(c)).strip() for c in CLAIM_FIELDS},
            "incident_id": record["incident_id"],
        }
        for claim in claims
        if any(cell_text(claim.get(c)).strip() for c in CLAIM_FIELDS)  # an empty row is no claim
    ]
    frame = pd.DataFrame(rows, columns=CLAIM_COLUMNS).astype(object)
    incident = with_schema_dtypes(pd.DataFrame([record]))
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
    from geo.validate.cell_values import check_cells
    from geo.validate.claims import validate_sources

    row = {c: cell_text(source.get(c)).strip() for c in SOURCE_COLUMNS}
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


def typed_id(version: int | None, action: str) -> bool:
    """A new incident's id typed by a person (not one an undo brings back)."""
    return version is None and not action.startswith("undo")


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
            {int(text) for c in claims if _WHOLE.fullmatch(text := cell_text(c.get(what)).strip())}
        )
        if not figures:
            continue
        for bound, pick in (("low", min), ("high", max)):
            given = cell_text(out.get(f"{what}_{bound}")).strip()
            if not given or (widen and _WHOLE.fullmatch(given.removesuffix(".0"))):
                now = [int(given.removesuffix(".0"))] if given else []
                out[f"{what}_{bound}"] = pick([*figures, *now])
        if cell_text(out.get(f"{what}_best")).strip() == "" and len(figures) == 1:
            out[f"{what}_best"] = figures[0]
    return out


def unchosen_best(values: dict[str, Any]) -> str:
    """Why a record cannot be saved yet when its low and high differ and no best figure is
    given (a table would read best as the low: the choice is the editor's, never made for
    them); ``""`` when there is nothing to choose."""
    for what in ("killed", "wounded"):
        low, best, high = (
            cell_text(values.get(f"{what}_{b}")).strip() for b in ("low", "best", "high")
        )
        if not best and low and high and low != high:
            return (
                f"Choose a best {what} figure between {low} and {high}: the sources disagree, "
                "and the best figure is your call."
            )
    return ""


def with_claim_sources(values: dict[str, Any], claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The values with every source its claims cite added to ``sources`` (kept in order)."""
    given = [s.strip() for s in cell_text(values.get("sources")).split(";") if s.strip()]
    cited = [
        cell_text(c.get("source")).strip() for c in claims if cell_text(c.get("source")).strip()
    ]
    return {**values, "sources": ";".join(dict.fromkeys([*given, *cited]))}


__all__ = [
    "check_claims",
    "check_record",
    "check_source",
    "check_version",
    "checked_change",
    "fill_range_from_claims",
    "typed_id",
    "unchosen_best",
    "with_claim_sources",
]
