"""A columnar cache of validated tables, so a large table is read and checked once.

Reading and validating a million-row CSV takes most of a minute; reading the validated table
back from Parquet takes a second or two. The cache lives in the product's cache folder
(``geo.paths.cache_dir``, ``tables/``), one entry per table, keyed on the table's path and the
size and modification time of it and of its claims and sources files, the read options and the
product's schema: a change to any of them reads the table afresh. Entries are written
atomically; a cache that cannot be written or read is ignored, never an error.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.errors import Problem
from geo.files import write_atomic, write_text_atomic
from geo.paths import cache_dir
from geo.schema import COLUMNS
from geo.tables import Dataset, ReadOptions, load_dataset, sibling_paths, to_geodataframe

CACHE_VERSION = 1
"""Raised when what the cache holds changes shape."""
_PARTS = ("incidents", "claims", "sources")


def _stamp(path: Path) -> list[object]:
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


def cache_key(path: Path, options: ReadOptions) -> str:
    """A name for the cache entry of ``path`` read with ``options``, as it is on disk now."""
    claims, sources = sibling_paths(path)
    key = json.dumps(
        [CACHE_VERSION, COLUMNS, asdict(options), *(_stamp(p) for p in (path, claims, sources))],
        default=str,
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def load_cached(
    path: str | Path, options: ReadOptions | None = None, *, geometry: bool = True
) -> Dataset:
    """:func:`geo.tables.load_dataset`, from the cache when the files have not changed.

    With ``geometry=False`` a table read from the cache is a plain DataFrame (every consumer
    reads ``lon``/``lat``; a million points cost a second and 100 MB to build)."""
    path = Path(path)
    options = options or ReadOptions()
    folder = cache_dir() / "tables"
    key = cache_key(path, options)
    found = _read(folder, key, path, geometry=geometry)
    if found is not None:
        return found
    dataset = load_dataset(path, options=options)
    if cache_key(path, options) == key:  # not changed while it was read
        _write(folder, key, dataset)
    return dataset


def _read(folder: Path, key: str, path: Path, *, geometry: bool) -> Dataset | None:
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        frames = {
            p: pq.read_table(folder / f"{key}.{p}.parquet").to_pandas(
                self_destruct=True, split_blocks=True
            )
            for p in _PARTS
        }
    except (OSError, ValueError, pa.ArrowException):
        return None
    warnings = [Problem(*w) for w in meta.get("warnings", [])]
    return Dataset(
        to_geodataframe(frames["incidents"]) if geometry else frames["incidents"],
        frames["claims"],
        frames["sources"],
        str(path),
        warnings,
        str(meta.get("origin", "")),
    )


def _write(folder: Path, key: str, dataset: Dataset) -> None:
    frames = {
        "incidents": pd.DataFrame(dataset.incidents.drop(columns="geometry", errors="ignore")),
        "claims": dataset.claims,
        "sources": dataset.sources,
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):  # one entry per table: drop this table's older ones
            if old.stem != key and _same_table(old, dataset.path):
                for part in (*(f"{old.stem}.{p}.parquet" for p in _PARTS), old.name):
                    (folder / part).unlink(missing_ok=True)
        for part, frame in frames.items():
            table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
            write_atomic(folder / f"{key}.{part}.parquet", partial(pq.write_table, table))
        meta = {
            "path": str(Path(dataset.path).resolve()),
            "origin": dataset.origin,
            "warnings": [[w.file, w.row, w.column, w.message] for w in dataset.warnings],
        }
        write_text_atomic(folder / f"{key}.json", json.dumps(meta))
    except (OSError, pa.ArrowException):
        return


def _same_table(meta_file: Path, path: str) -> bool:
    try:
        return bool(
            json.loads(meta_file.read_text(encoding="utf-8"))["path"] == str(Path(path).resolve())
        )
    except (OSError, ValueError, KeyError):
        return False


__all__ = ["CACHE_VERSION", "cache_key", "load_cached"]
