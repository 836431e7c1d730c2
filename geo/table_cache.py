"""A columnar cache of validated tables, so a large table is read and checked once.

Reading and validating a million-row CSV takes most of a minute; reading the validated table
back from Parquet takes a second or two. The cache lives in the product's cache folder
(``geo.paths.cache_dir``, ``tables/``), one entry per table, keyed on the table's path and the
size and modification time of it and of its claims and sources files (CSV and Parquet), the
read options and the product's schema: a change to any of them reads the table afresh.

An entry is three Parquet files, ``KEY.incidents.parquet`` (the checked table:
``geo.columnar.INCIDENTS_SCHEMA``), ``KEY.claims.parquet`` and ``KEY.sources.parquet``; the
query engine's database file made from the incidents, ``KEY.incidents.duckdb``
(``geo.query.duck.build_database``); and ``KEY.json`` (what the table was, its warnings and
row counts), written last: an entry is complete once its ``.json`` is there.
:func:`cached_table` gives the files (the query engine reads them with DuckDB);
:func:`load_cached` reads the Parquet files into pandas. A Parquet table in the
project's schema is checked in SQL and its entry written by DuckDB, never held whole
(``geo.columnar``); any other table is read and checked with pandas.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.errors import DataError, Problem
from geo.files import write_text_atomic
from geo.formats.parquet import is_parquet, open_parquet
from geo.paths import cache_dir
from geo.sandbox import Limits, run_limited
from geo.schema import COLUMNS
from geo.table_files import sibling_files
from geo.tables import Dataset, ReadOptions, load_dataset, to_geodataframe

CACHE_VERSION = 3
"""Raised when what the cache holds changes shape."""
PARTS = ("incidents", "claims", "sources")
DATABASE = "incidents.duckdb"
"""The suffix of an entry's database file (after ``KEY.``)."""
BUILD_LIMITS = Limits(
    cpu_seconds=4 * 3600,
    memory_bytes=12 * 2**30,
    what="This table",
    advice="check it on the command line (python -m geo validate) or split it",
)
"""What building one entry in a child process may take (``cached_table(in_child=True)``): 10
million Parquet rows take a few minutes and well under 4 GB; the address space is set wider
than what is resident."""


@dataclass(frozen=True)
class CachedTable:
    """A validated table in the cache: Parquet files the query engine reads directly."""

    path: Path
    """The table they were made from."""
    incidents: Path
    """The checked incidents: ``COLUMNS`` then ``row`` (``geo.columnar.INCIDENTS_SCHEMA``)."""
    claims: Path
    sources: Path
    rows: int
    """How many incidents."""
    warnings: list[Problem] = field(default_factory=list)
    origin: str = ""
    """What an export was (``Dataset.origin``); empty for the project's own table."""
    counts: dict[str, int] = field(default_factory=dict)
    """Rows of ``incidents``, ``claims`` and ``sources``."""
    database: Path | None = None
    """The query engine's database file of the incidents."""

    def files(self) -> dict[str, Path]:
        return {"incidents": self.incidents, "claims": self.claims, "sources": self.sources}


def _stamp(path: Path) -> list[object]:
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


def cache_key(path: Path, options: ReadOptions) -> str:
    """A name for the cache entry of ``path`` read with ``options``, as it is on disk now."""
    key = json.dumps(
        [
            CACHE_VERSION,
            COLUMNS,
            asdict(options),
            *(_stamp(p) for p in (path, *sibling_files(path))),
        ],
        default=str,
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def cached_table(
    path: str | Path, options: ReadOptions | None = None, *, in_child: bool = False
) -> CachedTable:
    """The validated Parquet files of a table, built first when the cache has none for it as
    it is now. With ``in_child``, the build runs in a child process (``BUILD_LIMITS``), so the
    caller's memory does not grow with it.

    Raises
    ------
    DataError
        When the table has problems (every one listed), or keeps changing while it is read.
    OSError
        When the cache folder cannot be written.
    LimitError
        When a child build went over ``BUILD_LIMITS``.
    """
    path = Path(path)
    options = options or ReadOptions()
    folder = cache_dir() / "tables"
    found = _entry(folder, path, options)
    if found is not None:
        _ensure_database(found, in_child=in_child)
    if found is not None:
        return found
    if in_child:
        entry: CachedTable = run_limited(BUILD_LIMITS, _build_entry, folder, path, options)
        return entry
    return _build(folder, path, options)[0]


def has_entry(path: str | Path, options: ReadOptions | None = None) -> bool:
    """Whether ``path`` as it is now has its checked entry (opening it is then quick)."""
    from geo.query.duck import database_opens

    found = _entry(cache_dir() / "tables", Path(path), options or ReadOptions())
    return found is not None and found.database is not None and database_opens(found.database)


def _ensure_database(entry: CachedTable, *, in_child: bool) -> None:
    """Make ``entry``'s engine database from its Parquet when it has none, or one that does not
    open (an entry made before the engine had one, a damaged file). Where it cannot be written
    (a read-only cache folder), the engine reads the Parquet instead."""
    from geo.query.duck import build_database, database_opens, usable_path

    target = entry.database
    if target is None or not usable_path(target) or database_opens(target):
        return
    try:
        if target.exists() or target.is_symlink():
            remove_path(target)
        if in_child:
            run_limited(BUILD_LIMITS, build_database, entry.incidents, target)
        else:
            build_database(entry.incidents, target)
    except OSError:
        pass


def remove_path(path: Path) -> None:
    """Remove a file, or a folder where a file was expected."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


SECONDS_PER_MB = {"parquet": 0.85, "other": 0.3}
"""About how long a first check takes per MB of the table file, on two cores (measured: a
million world incidents, 218 MB of CSV, 65 s; ten million, 498 MB of Parquet, 412 s)."""


def first_check_note(path: str | Path) -> str:
    """What the dashboard says while a table is checked for the first time: which, how big,
    about how long, and that it happens once."""
    path = Path(path)
    try:
        size = path.stat().st_size / 2**20
    except OSError:
        return f"Reading and checking {path.name}…"
    seconds = size * SECONDS_PER_MB["parquet" if is_parquet(path) else "other"]
    if seconds < 20:
        return f"Reading and checking {path.name}…"
    minutes = round(seconds / 60)
    took = "about a minute" if minutes <= 1 else f"about {minutes} minutes"
    return (
        f"Reading and checking {path.name} ({size:,.0f} MB) for the first time: {took} for a "
        "table this size. It is done once; later starts open the checked copy at once."
    )


def _build_entry(folder: Path, path: Path, options: ReadOptions) -> CachedTable:
    """What a child building an entry does (the entry, not the table, travels back)."""
    return _build(folder, path, options)[0]


def _entry(folder: Path, path: Path, options: ReadOptions) -> CachedTable | None:
    """The complete entry of ``path`` as it is now, if ``folder`` has one."""
    key = cache_key(path, options)
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        if meta.get("version") != CACHE_VERSION:
            return None
    except (OSError, ValueError):
        return None
    files = {p: folder / f"{key}.{p}.parquet" for p in PARTS}
    if not all(f.exists() for f in files.values()):
        return None
    counts = {str(k): int(v) for k, v in dict(meta.get("counts", {})).items()}
    return CachedTable(
        path,
        files["incidents"],
        files["claims"],
        files["sources"],
        counts.get("incidents", 0),
        [Problem(*w) for w in meta.get("warnings", [])],
        str(meta.get("origin", "")),
        counts,
        folder / f"{key}.{DATABASE}",
    )


def _build(folder: Path, path: Path, options: ReadOptions) -> tuple[CachedTable, Dataset | None]:
    """Check ``path`` and install its entry in ``folder``; the pandas ``Dataset`` too when it
    was read so."""
    from geo.columnar import check_parquet, is_own_table

    folder.mkdir(parents=True, exist_ok=True)
    sweep_builds(folder)
    for _ in range(5):  # another process may be writing the table: read it again once done
        key = cache_key(path, options)
        work = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=folder))
        try:
            dataset = None
            table = None
            if is_parquet(path) and options.fmt is None:
                table = open_parquet(path, max_bytes=options.max_bytes)
            if table is not None and is_own_table(table):
                checked = check_parquet(table, work)
                if checked.problems:
                    raise DataError(checked.problems)
                files, warnings, origin, counts = (
                    checked.files,
                    checked.warnings,
                    "",
                    checked.counts,
                )
            else:
                dataset = load_dataset(path, options=options)
                files, counts = write_frames(work, dataset), entry_counts(dataset)
                warnings, origin = dataset.warnings, dataset.origin
            if cache_key(path, options) != key:
                continue
            entry = install_entry(folder, key, path, files, warnings, origin, counts, options)
            return entry, dataset
        finally:
            shutil.rmtree(work, ignore_errors=True)
    raise DataError(f"{path.name} keeps changing while it is read; try again", file=path.name)


STALE_BUILD_HOURS = 6.0
"""A build's leftovers older than this are a killed build's (a build of ten million rows takes
minutes): they are removed when the next build starts."""


def sweep_builds(folder: Path) -> None:
    """Remove what killed builds left in ``folder`` (``.build-*`` folders and files)."""
    import time

    now = time.time()
    for left in folder.glob(".build-*"):
        try:
            if now - left.lstat().st_mtime > STALE_BUILD_HOURS * 3600:
                remove_path(left)
        except OSError:
            continue


def entry_counts(dataset: Dataset) -> dict[str, int]:
    return {p: len(getattr(dataset, p)) for p in PARTS}


def write_frames(folder: Path, dataset: Dataset) -> dict[str, Path]:
    """A data set read with pandas, as an entry's Parquet files (the incidents in the same
    schema as a table checked in SQL, with pandas' own dtypes kept for reading back)."""
    from geo.columnar import INCIDENTS_SCHEMA

    incidents = pd.DataFrame(dataset.incidents.drop(columns="geometry", errors="ignore"))
    incidents = incidents.reindex(columns=INCIDENTS_SCHEMA.names).reset_index(drop=True)
    table = pa.Table.from_pandas(incidents, preserve_index=False)
    tables = {
        "incidents": table.cast(INCIDENTS_SCHEMA.with_metadata(table.schema.metadata)),
        "claims": pa.Table.from_pandas(dataset.claims.reset_index(drop=True), preserve_index=False),
        "sources": pa.Table.from_pandas(
            dataset.sources.reset_index(drop=True), preserve_index=False
        ),
    }
    files = {}
    for part, data in tables.items():
        files[part] = folder / f"{part}.parquet"
        pq.write_table(data, files[part], compression="zstd")
    return files


def install_entry(
    folder: Path,
    key: str,
    path: Path,
    files: dict[str, Path],
    warnings: list[Problem],
    origin: str,
    counts: dict[str, int],
    options: ReadOptions | None = None,
) -> CachedTable:
    """Make the engine's database file, move a built entry's files into place (each a
    rename), this table's older entries (read with the same options) out, and its ``.json``
    last."""
    from geo.query.duck import build_database, usable_path

    options = options or ReadOptions()
    database = folder / f"{key}.{DATABASE}"
    if usable_path(database):
        build_database(files["incidents"], database)
    for old in folder.glob("*.json"):  # one entry per table: drop this table's older ones
        if old.stem != key and _same_table(old, path, options):
            remove_entry(folder, old.stem)
    for part, made in files.items():
        os.chmod(made, 0o644)
        os.replace(made, folder / f"{key}.{part}.parquet")
    meta = {
        "version": CACHE_VERSION,
        "path": str(path.resolve()),
        "options": json.dumps(asdict(options), default=str, sort_keys=True),
        "origin": origin,
        "warnings": [[w.file, w.row, w.column, w.message] for w in warnings],
        "counts": counts,
    }
    write_text_atomic(folder / f"{key}.json", json.dumps(meta))
    return CachedTable(
        path,
        folder / f"{key}.incidents.parquet",
        folder / f"{key}.claims.parquet",
        folder / f"{key}.sources.parquet",
        counts.get("incidents", 0),
        list(warnings),
        origin,
        dict(counts),
        folder / f"{key}.{DATABASE}",
    )


def remove_entry(folder: Path, key: str) -> None:
    """Remove the entry ``key`` from ``folder``: its ``.json`` first (it is then incomplete),
    then its files."""
    for part in (f"{key}.json", *(f"{key}.{p}.parquet" for p in PARTS), f"{key}.{DATABASE}"):
        try:
            remove_path(folder / part)
        except OSError:
            continue  # what cannot be removed now is left for a later build


def _same_table(meta_file: Path, path: Path, options: ReadOptions) -> bool:
    """Whether an entry is of ``path`` read with ``options`` (an entry read otherwise, say with
    another encoding, is another reader's and stays)."""
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = json.dumps(asdict(options), default=str, sort_keys=True)
    return bool(meta.get("path") == str(path.resolve()) and meta.get("options") == wanted)


def load_cached(
    path: str | Path, options: ReadOptions | None = None, *, geometry: bool = True
) -> Dataset:
    """:func:`geo.tables.load_dataset`, from the cache when the files have not changed.

    With ``geometry=False`` a table read from the cache is a plain DataFrame (every consumer
    reads ``lon``/``lat``; a million points cost a second and 100 MB to build). A cache that
    cannot be written or read is passed by: the table is read directly."""
    from geo.columnar import read_parts

    path = Path(path)
    options = options or ReadOptions()
    folder = cache_dir() / "tables"
    entry = _entry(folder, path, options)
    dataset = None
    try:
        if entry is None:
            entry, dataset = _build(folder, path, options)
        if dataset is None:
            frames = read_parts(entry.files())
            dataset = Dataset(
                frames["incidents"],
                frames["claims"],
                frames["sources"],
                str(path),
                list(entry.warnings),
                entry.origin,
            )
    except (OSError, pa.ArrowException):
        dataset = load_dataset(path, options=options)
    if geometry and "geometry" not in dataset.incidents:
        dataset.incidents = to_geodataframe(dataset.incidents)
    return dataset


def check_table(
    path: Path, options: ReadOptions
) -> tuple[str, list[Problem], list[Problem], dict[str, int]]:
    """What ``python -m geo validate`` says of a table: an export's origin, the problems, the
    warnings and the rows of incidents, claims and sources.

    A Parquet table is checked in SQL into the cache (the dashboard then finds it checked),
    never held whole; where the cache cannot be written, in a temporary folder."""
    from geo.tables import check_dataset

    if is_parquet(path) and options.fmt is None:
        try:
            entry = cached_table(path, options)
            return entry.origin, [], entry.warnings, entry.counts
        except DataError as exc:
            return "", exc.problems, [], {}
        except OSError:
            pass
    dataset, problems = check_dataset(path, options=options)
    return dataset.origin, problems, dataset.warnings, entry_counts(dataset)


__all__ = [
    "BUILD_LIMITS",
    "CACHE_VERSION",
    "CachedTable",
    "cache_key",
    "cached_table",
    "check_table",
    "first_check_note",
    "has_entry",
    "load_cached",
    "remove_entry",
]
