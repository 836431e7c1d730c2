"""A table a visitor uploaded: read and checked in a limited worker, named by the user's file.

The bytes are written to a private temporary folder under a plain name (the user's suffixes
kept, so the reader knows the format) and read there by a child process held to
``geo.sandbox.TABLE_LIMITS``: an upload that would take minutes or gigabytes costs at most its
own request, and the server goes on serving everyone else. Every message names the user's file,
never the temporary copy or a server folder.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd

from geo.errors import DataError, LayerChoiceError, LimitError
from geo.query.tables import TableFiles, prune_uploads, upload_folder, write_entry
from geo.sandbox import TABLE_LIMITS, run_limited
from geo.tables import Dataset, ReadOptions, load_dataset


def safe_name(name: str) -> str:
    """The upload's file name with only plain characters kept (its suffixes intact), for the
    temporary copy that is read: messages then name the user's file."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".") or "upload"
    return cleaned[-120:]


def without_geometry(dataset: Dataset) -> Dataset:
    """The data set as the dashboard keeps it: the incident table without its point geometry.

    No page or export reads the geometry (they use ``lon``/``lat``), and ``st.cache_data``
    unpickles the cached table on every rerun: 100,000 shapely points took 0.12 s of each slider
    move, the rest of the table 5 ms.
    """
    incidents = pd.DataFrame(dataset.incidents.drop(columns="geometry", errors="ignore"))
    return replace(dataset, incidents=incidents)


SERVER_SHARE = 0.5
"""The share of the machine's memory past which the dashboard takes no new upload: every
session keeps its own uploaded table in the server process, so many visitors' tables together
must not exhaust the machine."""


def _memory_kib(field: str, path: str) -> int | None:
    """A ``kB`` field of a ``/proc`` file (``MemTotal``, ``VmRSS``); ``None`` elsewhere."""
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_server_memory() -> None:
    """``LimitError`` when this process already holds more than ``SERVER_SHARE`` of the
    machine's memory (on systems without ``/proc``, nothing is checked)."""
    total = _memory_kib("MemTotal", "/proc/meminfo")
    held = _memory_kib("VmRSS", "/proc/self/status")
    if total and held and held > SERVER_SHARE * total:
        raise LimitError(
            "The server holds as many uploaded tables as it can just now; try again later, or "
            "import the table on the command line (python -m geo import)."
        )


def read_upload(
    name: str, data: bytes, *, layer: str | None, max_bytes: int, folder: Path | None = None
) -> TableFiles:
    """An uploaded table, read and checked in a limited worker, which keeps it as Parquet in
    ``folder`` (``geo.query.tables.upload_folder``) for the query engine: the dashboard holds
    where it is, not the table.

    Raises
    ------
    DataError
        If the table has problems (``LayerChoiceError`` when a GeoPackage needs a layer); each
        names ``name``.
    LimitError
        If reading it went over the worker's time or memory, or the server holds too much.
    """
    display = name or "upload"
    check_server_memory()
    with tempfile.TemporaryDirectory(prefix="atlas-upload-") as tmp:
        path = Path(tmp) / safe_name(name)
        path.write_bytes(data)
        try:
            options = ReadOptions(layer=layer, max_bytes=max_bytes)
            folder = folder or upload_folder()
            key = "upload-" + hashlib.sha256(f"{layer}:".encode() + data).hexdigest()[:32]
            files = run_limited(TABLE_LIMITS, _read_in_worker, path, options, folder, key)
        except LayerChoiceError as exc:
            raise LayerChoiceError(Path(display), exc.layers, layer) from None
        except DataError as exc:
            # Name the user's file in every message, not the temporary copy.
            raise DataError([replace(p, file=display) for p in exc.problems]) from None
    prune_uploads(files.incidents.parent)
    warnings = tuple(replace(w, file=display) for w in files.warnings)
    return replace(files, path=display, warnings=warnings)


def _read_in_worker(path: Path, options: ReadOptions, folder: Path, key: str) -> TableFiles:
    """What the worker does: read, check, and keep the table as Parquet; only where it is
    travels back."""
    return write_entry(folder, key, load_dataset(path, options=options))


__all__ = ["SERVER_SHARE", "check_server_memory", "read_upload", "safe_name", "without_geometry"]
