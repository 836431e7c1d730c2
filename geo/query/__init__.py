"""One query engine for every page and export: they ask it questions, never hold the table.

:class:`DuckEngine` answers from the validated table's Parquet files (the default, for every
file format the product reads); :class:`PostgisEngine` from the team store. Both take the same
:class:`geo.filters.Filters` and run the same SQL (:mod:`geo.query.statements`), made from the
facet registry (:mod:`geo.facets`) with bound parameters only.
"""

from dataclasses import dataclass

from geo.errors import Problem
from geo.query.duck import DuckEngine
from geo.query.engine import Overview, Periods, SqlEngine
from geo.query.mirror import MirrorEngine
from geo.query.pg import PostgisEngine
from geo.query.tables import TableFiles, table_files
from geo.tables import Dataset


@dataclass(frozen=True)
class Table:
    """A table as the dashboard and the command line use it: its engine, and what it is."""

    engine: SqlEngine
    path: str
    """Its name as users see it: a file name, an upload's name or the store's redacted URL."""
    warnings: tuple[Problem, ...] = ()
    """What the check found that did not stop the table loading."""
    origin: str = ""
    """The export it was converted from, with counts (empty for the project's own tables)."""
    database: str | None = None
    """The team store's URL when that is where it is."""


def open_table(source: str | TableFiles, *, mirror: bool = False) -> Table:
    """A validated table's files, or a team store's URL, opened for questions; with
    ``mirror``, the team store is read from a columnar copy that follows its changes
    (:class:`MirrorEngine`: the dashboard's way, for pages drawn in a fraction of a second)."""
    if isinstance(source, TableFiles):
        return Table(open_engine(source), source.path, source.warnings, source.origin)
    from geo.store.conninfo import redacted

    engine = MirrorEngine(source) if mirror else open_engine(source)
    return Table(engine, redacted(source), database=source)


def table_of(dataset: Dataset) -> Table:
    """A table already in memory (a test's, a merge's result), copied into an embedded engine."""
    engine = DuckEngine(dataset.incidents, dataset.claims, dataset.sources)
    return Table(engine, dataset.path, tuple(dataset.warnings), dataset.origin)


def open_engine(source: str | TableFiles) -> SqlEngine:
    """The engine for a team store's URL, or for a validated table's files."""
    if isinstance(source, TableFiles):
        return DuckEngine(*source.engine_files())
    return PostgisEngine(source)


__all__ = [
    "DuckEngine",
    "MirrorEngine",
    "Overview",
    "Periods",
    "PostgisEngine",
    "SqlEngine",
    "Table",
    "TableFiles",
    "open_engine",
    "open_table",
    "table_of",
    "table_files",
]
