"""Validation as SQL: the checks of ``geo.validate`` over a table DuckDB reads from Parquet.

A table too large to hold in pandas (10 or 20 million rows) is checked by DuckDB over the text
the Parquet reader gave (``geo.columnar`` writes it to a staging file): each check is a condition
with the values its message needs, counted for every check in one pass over the table, and for
those that hold somewhere, the first ``MAX_REPORTED`` rows are fetched in row order. Messages are
worded by the same functions as the pandas checks, so both say the same.

Only the product's own SQL is run: column names are positional (``c0``, ``c1``, ...), every value
from a file is data in a Parquet file or an Arrow table, and the connection reads and writes
files only in its own folder (``enable_external_access`` off, ``allowed_directories`` set), loads
no extension and downloads nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from geo.errors import Problem
from geo.schema import FIRST_DATE, LAST_DATE, MAX_CELL_CHARS, MAX_TOLL
from geo.validate import messages as m
from geo.validate.cell_values import DATE_PATTERN, NUMBER_PATTERN
from geo.validate.collector import MAX_REPORTED

MEMORY_LIMIT = "1GB"
"""What DuckDB may hold while it checks a table; beyond it, it spills to its folder."""
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
"""What ``strip`` takes off a cell's ends: Python's (and pandas') whitespace."""

MACROS = (
    f"CREATE MACRO strip(x) AS trim(x, '{WHITESPACE}')",
    f"CREATE MACRO num_of(s) AS CASE WHEN regexp_full_match(s, '{NUMBER_PATTERN}') "
    "THEN TRY_CAST(s AS DOUBLE) END",
    "CREATE MACRO num(x) AS num_of(strip(x))",
    f"CREATE MACRO day_of(s) AS CASE WHEN regexp_full_match(s, '{DATE_PATTERN}') "
    f"AND s BETWEEN '{FIRST_DATE}' AND '{LAST_DATE}' THEN TRY_CAST(s AS DATE) END",
    f"CREATE MACRO whole_of(n) AS CASE WHEN isfinite(n) AND n BETWEEN 0 AND {MAX_TOLL} "
    "AND n = floor(n) THEN n END",
    "CREATE MACRO whole(x) AS whole_of(num(x))",
)
"""The cell readers. ``strip`` takes off surrounding whitespace; of a stripped cell ``s``,
``num_of`` reads a number (``NUMBER_PATTERN``), ``day_of`` a date (``DATE_PATTERN``, in the
supported range); ``whole_of`` keeps a number that is a toll. ``num`` and ``whole`` read a cell
as it is. A view strips each cell once and reads it once (macros are expanded where used)."""


def connect(folder: Path, *, memory_limit: str = MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may read and write only in ``folder`` (spilling there too),
    with the cell readers (``MACROS``) defined."""
    folder = folder.resolve()
    spill = folder / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": memory_limit,
            "threads": max(1, min(os.cpu_count() or 1, 4)),
            "temp_directory": str(spill),
            "preserve_insertion_order": True,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    con.execute("SET enable_progress_bar = false")
    con.execute("SET allowed_directories = $dirs", {"dirs": [f"{folder}/"]})
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    for macro in MACROS:
        con.execute(macro)
    return con


def column(position: int) -> str:
    """The staging name of the table's ``position``-th column (from 0)."""
    return f"c{position}"


@dataclass(frozen=True)
class Check:
    """One check: where it fails (an SQL condition over ``view``), the values its message
    needs, and the message (given those values as a tuple)."""

    column: str | None
    where: str
    values: Sequence[str]
    message: Callable[[tuple[Any, ...]], str]
    warn: bool = False


def message_with(message: Callable[..., str], *first: Any) -> Callable[[tuple[Any, ...]], str]:
    """A check's message: ``message`` given ``first``, then the values the check fetched."""
    return lambda values: message(*first, *values)


@dataclass
class Found:
    """The problems and warnings of a table, in the order the checks ran."""

    problems: list[Problem]
    warnings: list[Problem]

    def add(self, check: Check, file: str, rows: list[tuple[Any, ...]], total: int) -> None:
        found = self.warnings if check.warn else self.problems
        for row, *values in rows:
            found.append(Problem(file, int(row), check.column, check.message(tuple(values))))
        if total > MAX_REPORTED:
            more = f"... {total - MAX_REPORTED} more rows like this"
            found.append(Problem(file, None, check.column, more))


def run_checks(
    con: duckdb.DuckDBPyConnection, view: str, checks: Sequence[Check], *, file: str, found: Found
) -> None:
    """Count where each check fails in one pass over ``view``; list the first rows of each
    that fails somewhere, in row order."""
    report(con, view, checks, count_checks(con, view, checks), file=file, found=found)


def count_checks(con: duckdb.DuckDBPyConnection, view: str, checks: Sequence[Check]) -> list[int]:
    """How many rows of ``view`` each check fails on, all counted in one pass."""
    if not checks:
        return []
    counts = con.execute(
        "SELECT "  # noqa: S608 - the checks are this package's own SQL, no cell or name
        + ", ".join(f"count(*) FILTER (WHERE {c.where})" for c in checks)
        + f" FROM {view}"
    ).fetchall()[0]
    return [int(c) for c in counts]


def report(
    con: duckdb.DuckDBPyConnection,
    view: str,
    checks: Sequence[Check],
    counts: Sequence[int],
    *,
    file: str,
    found: Found,
) -> None:
    """List the first rows of each check that fails somewhere (``counts``), in row order."""
    for check, total in zip(checks, counts, strict=True):
        if total:
            found.add(check, file, first_rows(con, view, check), total)


def first_rows(con: duckdb.DuckDBPyConnection, view: str, check: Check) -> list[tuple[Any, ...]]:
    """``row`` and the message's values of the first ``MAX_REPORTED`` rows where ``check``
    fails."""
    values = "".join(f", {v}" for v in check.values)
    return con.execute(
        f"SELECT row{values} FROM {view} WHERE {check.where} "  # noqa: S608 - own SQL only
        f"ORDER BY row LIMIT {MAX_REPORTED}"
    ).fetchall()


def listed(
    con: duckdb.DuckDBPyConnection, query: str, check: Check, *, file: str, found: Found
) -> None:
    """A check whose rows a whole query gives (``row``, the values, then ``total``: how many
    rows fail), ordered by row, at most ``MAX_REPORTED``."""
    rows = con.execute(f"{query} ORDER BY row LIMIT {MAX_REPORTED}").fetchall()  # own SQL
    if rows:
        found.add(check, file, [r[:-1] for r in rows], int(rows[0][-1]))


def cell_checks(names: Sequence[str]) -> list[Check]:
    """``check_cells`` for every column: a NUL byte, and more than ``MAX_CELL_CHARS``."""
    checks = []
    for i, name in enumerate(names):
        c = column(i)
        checks.append(
            Check(
                name,
                f"contains({c}, chr(0))",
                (),
                lambda _: m.NUL_BYTE,
            )
        )
        checks.append(
            Check(
                name,
                f"length({c}) > {MAX_CELL_CHARS}",
                (f"length({c})",),
                lambda v: m.too_many_characters(v[0]),
            )
        )
    return checks


__all__ = [
    "MACROS",
    "MEMORY_LIMIT",
    "Check",
    "Found",
    "cell_checks",
    "column",
    "connect",
    "count_checks",
    "first_rows",
    "listed",
    "message_with",
    "report",
    "run_checks",
]
