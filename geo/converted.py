"""Reading an analyst's export (ACLED, GTD, UCDP GED) as the project's table: its rows are
converted (``geo.formats``), validated, and those that fail are left out and listed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from geo.errors import Problem
from geo.formats import convert
from geo.formats.conversion import by_row
from geo.formats.recognise import SIGNATURES, recognise
from geo.tables import Dataset, RawTable, ReadOptions, to_geodataframe
from geo.validate import check_cells, claims_as_read, validate_incidents


def nearest_export(columns: Iterable[object], name: str, row: int | None = 1) -> list[Problem]:
    """A hint when a table without the project's columns is most of an export's header
    (``row``: the header's, where the file has one)."""
    found = recognise(str(c) for c in columns)
    needed = len(SIGNATURES[found.nearest])
    if found.format is not None or len(found.missing) > needed // 2:
        return []
    return [Problem(name, row, None, f"this is {found.describe()}")]


def check_export(
    path: Path, raw: RawTable, fmt: str, options: ReadOptions
) -> tuple[Dataset, list[Problem]]:
    """Convert an export, validate it, and leave out (and list) the rows that fail."""
    conversion = convert(fmt, raw.table, raw.rows, file=path.name, unlocated=options.unlocated)
    incidents = conversion.incidents
    if incidents.empty:
        nothing = Problem(
            path.name, None, None, f"no row could be converted: {conversion.describe()}"
        )
        more = len(conversion.skipped) - 20
        rest = [Problem(path.name, None, None, f"... and {more:,} more rows skipped")]
        return Dataset(to_geodataframe(incidents.drop(columns="row")), path=str(path)), [
            nothing,
            *conversion.skipped[:20],
            *(rest if more > 0 else []),
        ]
    problems = check_cells(incidents, file=path.name, row_numbers=incidents["row"].to_numpy())
    checked = validate_incidents(
        incidents.drop(columns="row"), file=path.name, row_numbers=incidents["row"].to_numpy()
    )
    whole_file = [
        p for p in problems + checked.problems if p.row is None and "more rows" not in p.message
    ]
    if whole_file:
        return Dataset(to_geodataframe(checked.table.iloc[:0]), path=str(path)), whole_file
    failed = checked.bad_rows
    if problems:  # cells no page can show (a NUL byte): those rows too
        bad_cells = {p.row for p in problems if p.row is not None}
        failed = failed | incidents["row"].isin(bad_cells).to_numpy()
    if failed.any():
        conversion.reasons["failed validation"] += int(failed.sum())
    table = checked.table.loc[~failed].reset_index(drop=True)
    claims = conversion.claims.loc[~failed]  # one claim per converted row, in the same order
    skipped = [replace(p, message=f"skipped: {p.message}") for p in problems + checked.problems]
    dataset = Dataset(
        to_geodataframe(table),
        claims_as_read(claims.reset_index(drop=True)),
        conversion.sources,
        str(path),
        raw.notes + by_row(conversion.skipped + skipped) + list(checked.warnings),
        conversion.describe(),
    )
    if table.empty:
        return dataset, [
            Problem(path.name, None, None, f"no row could be converted: {dataset.origin}")
        ]
    return dataset, []


__all__ = ["check_export", "nearest_export"]
