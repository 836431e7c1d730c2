"""The validated tables the embedded engine reads: Parquet files in the cache folder.

A table file (CSV, GeoJSON, GeoPackage, an export) is read and checked once, in a child process
(``geo.sandbox``), which writes the validated incidents, claims and sources as Parquet into the
cache folder (``geo.table_cache``'s entries) and returns only where they are: the dashboard
process never holds the table, so its memory does not grow with it. A later run finds the entry
and opens it at once.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from geo.errors import Problem
from geo.paths import cache_dir
from geo.sandbox import Limits, run_limited
from geo.table_cache import _PARTS, _write, cache_key
from geo.tables import Dataset, ReadOptions, load_dataset

BUILD_LIMITS = Limits(
    cpu_seconds=3600,
    memory_bytes=64 * 2**30,
    what="The configured table",
    advice="import it on the command line (python -m geo import) and check what it prints",
)
"""Reading and checking the configured table (the operator's own file, not a visitor's): a
child process so that the dashboard's memory stays small, with generous limits."""
UPLOADS_KEPT = 16
"""Uploaded tables kept in the cache folder; older ones are removed as new ones come."""


@dataclass(frozen=True)
class TableFiles:
    """Where a validated table's parts are, and what its check said."""

    key: str
    folder: Path
    path: str
    """The table's name as users see it (the file, or the user's upload name)."""
    warnings: tuple[Problem, ...] = ()
    origin: str = ""

    def part(self, name: str) -> Path:
        """``incidents``, ``claims`` or ``sources``: its Parquet file."""
        return self.folder / f"{self.key}.{name}.parquet"

    def exists(self) -> bool:
        return all(self.part(p).is_file() for p in _PARTS) and self.meta().is_file()

    def meta(self) -> Path:
        return self.folder / f"{self.key}.json"


def _entry(folder: Path, key: str, path: str) -> TableFiles:
    """An entry's files, with its warnings and origin read back from its meta file."""
    meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    warnings = tuple(Problem(*w) for w in meta.get("warnings", []))
    return TableFiles(key, folder, path, warnings, str(meta.get("origin", "")))


def write_entry(folder: Path, key: str, dataset: Dataset) -> TableFiles:
    """Write ``dataset`` as a cache entry; into a private temporary folder when the cache
    folder cannot be written (a read-only home), so the table still opens."""
    _write(folder, key, dataset)
    files = TableFiles(key, folder, dataset.path)
    if not files.exists():
        folder = Path(tempfile.mkdtemp(prefix="atlas-table-"))
        _write(folder, key, dataset)
    return _entry(folder, key, dataset.path)


def _build(path: Path, options: ReadOptions, folder: Path, key: str) -> TableFiles:
    """What the child does: read and check the table, write its entry, say where it is."""
    return write_entry(folder, key, load_dataset(path, options=options))


def table_files(path: str | Path, options: ReadOptions | None = None) -> TableFiles:
    """The validated entry of a table file, read and checked first when it has none (or the
    file changed since).

    Raises
    ------
    DataError
        When the table has problems (each with its file, row and column).
    LimitError
        When reading it went beyond :data:`BUILD_LIMITS`.
    """
    path = Path(path)
    options = options or ReadOptions()
    folder = cache_dir() / "tables"
    key = cache_key(path, options)
    files = TableFiles(key, folder, str(path))
    if files.exists():
        try:
            return _entry(folder, key, str(path))
        except (OSError, ValueError):
            pass
    return replace(run_limited(BUILD_LIMITS, _build, path, options, folder, key), path=str(path))


def upload_folder() -> Path:
    """Where uploaded tables' entries are kept (named ``upload-<digest>``)."""
    return cache_dir() / "uploads"


def prune_uploads(folder: Path) -> None:
    """Remove the oldest uploaded tables' entries beyond :data:`UPLOADS_KEPT`."""
    try:
        metas = sorted(folder.glob("upload-*.json"), key=lambda p: p.stat().st_mtime)
        for old in metas[:-UPLOADS_KEPT]:
            for part in (*(f"{old.stem}.{p}.parquet" for p in _PARTS), old.name):
                (folder / part).unlink(missing_ok=True)
    except OSError:
        return


__all__ = [
    "BUILD_LIMITS",
    "TableFiles",
    "prune_uploads",
    "table_files",
    "upload_folder",
    "write_entry",
]
