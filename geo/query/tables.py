"""The validated tables the embedded engine reads: Parquet files in the cache folder.

A table file (CSV, Parquet, GeoJSON, GeoPackage, an export) is read and checked once, in a
child process (``geo.table_cache.cached_table``), which writes the validated incidents, claims
and sources as Parquet into the cache folder and returns only where they are: the dashboard
process never holds the table, so its memory does not grow with it. A later run finds the entry
and opens it at once. An upload is kept the same way, under a name of its own.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from geo.errors import Problem
from geo.paths import cache_dir
from geo.table_cache import cached_table, entry_counts, install_entry, remove_entry, write_frames
from geo.tables import Dataset, ReadOptions

UPLOADS_KEPT = 16
"""Uploaded tables kept in the cache folder; older ones are removed as new ones come, once
made ``UPLOAD_HOURS`` ago (a session still showing one checks its file again if it went)."""
UPLOAD_HOURS = 1.0


@dataclass(frozen=True)
class TableFiles:
    """Where a validated table's parts are, and what its check said."""

    incidents: Path
    claims: Path
    sources: Path
    path: str
    """The table's name as users see it (the file, or the user's upload name)."""
    warnings: tuple[Problem, ...] = ()
    origin: str = ""
    database: Path | None = None
    """The query engine's database file of the incidents (``geo.query.duck``)."""

    def part(self, name: str) -> Path:
        """``incidents``, ``claims`` or ``sources``: its Parquet file."""
        return {"incidents": self.incidents, "claims": self.claims, "sources": self.sources}[name]

    def engine_files(self) -> tuple[Path, Path, Path]:
        """What the query engine opens: the incidents' database file (their Parquet file
        when there is none), the claims' and the sources' Parquet files."""
        database = self.database if self.database and self.database.is_file() else None
        return database or self.incidents, self.claims, self.sources


def table_files(path: str | Path, options: ReadOptions | None = None) -> TableFiles:
    """The validated entry of a table file, read and checked first (in a child process) when
    it has none, or the file changed since.

    Raises
    ------
    DataError
        When the table has problems (each with its file, row and column).
    LimitError
        When reading it went beyond ``geo.table_cache.BUILD_LIMITS``.
    """
    entry = cached_table(path, options, in_child=True)
    return TableFiles(
        entry.incidents, entry.claims, entry.sources, str(path), tuple(entry.warnings),
        entry.origin, entry.database,
    )  # fmt: skip


def upload_folder() -> Path:
    """Where uploaded tables' entries are kept (named ``upload-<digest>``)."""
    return cache_dir() / "uploads"


def write_entry(folder: Path, key: str, dataset: Dataset) -> TableFiles:
    """Keep a checked data set as the cache entry ``key`` in ``folder`` (an upload, in the
    worker that read it)."""
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=folder))
    try:
        files = write_frames(work, dataset)
        entry = install_entry(
            folder, key, Path(dataset.path), files, dataset.warnings, dataset.origin,
            entry_counts(dataset),
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return TableFiles(
        entry.incidents, entry.claims, entry.sources, dataset.path, tuple(entry.warnings),
        entry.origin, entry.database,
    )  # fmt: skip


def prune_uploads(folder: Path) -> None:
    """Remove the oldest uploaded tables' entries beyond :data:`UPLOADS_KEPT`."""
    try:
        metas = sorted(folder.glob("upload-*.json"), key=lambda p: p.stat().st_mtime)
        now = time.time()
        for old in metas[:-UPLOADS_KEPT]:
            if now - old.stat().st_mtime < UPLOAD_HOURS * 3600:
                continue
            remove_entry(folder, old.stem)
    except OSError:
        return


__all__ = [
    "UPLOADS_KEPT",
    "UPLOAD_HOURS",
    "TableFiles",
    "prune_uploads",
    "table_files",
    "upload_folder",
    "write_entry",
]
