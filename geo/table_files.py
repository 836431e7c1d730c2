"""The files a table is made of: the claims and sources beside it, as CSV or Parquet.

A table ``NAME.csv`` (or ``.geojson``, ``.gpkg``, ...) is written with ``NAME.claims.csv`` and
``NAME.sources.csv``, a table ``NAME.parquet`` with ``NAME.claims.parquet`` and
``NAME.sources.parquet`` (``incidents.*``: ``claims.*`` and ``sources.*``); either table reads
the other format's files when its own are not there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.formats.parquet import (
    ParquetTable,
    is_parquet,
    open_parquet,
    text_batches,
)


def sibling_paths(path: Path) -> tuple[Path, Path]:
    """Where the claims and sources of an incident table are written.

    ``incidents.csv`` has ``claims.csv`` and ``sources.csv`` beside it; any other table
    ``NAME.EXT`` has ``NAME.claims.csv`` and ``NAME.sources.csv``; a Parquet table's are
    Parquet (``NAME.claims.parquet``). ``find_siblings`` says which are read.
    """
    ext = ".parquet" if is_parquet(path) else ".csv"
    if path.stem == "incidents":
        return path.with_name(f"claims{ext}"), path.with_name(f"sources{ext}")
    return path.with_name(f"{path.stem}.claims{ext}"), path.with_name(f"{path.stem}.sources{ext}")


def sibling_files(path: Path) -> list[Path]:
    """Every file that may hold a table's claims or sources, CSV and Parquet (each one changing
    changes what is read)."""
    other = path.with_suffix(".csv" if is_parquet(path) else ".parquet")
    return [*sibling_paths(path), *sibling_paths(other)]


def find_siblings(path: Path) -> tuple[Path, Path]:
    """The claims and sources files read with a table: of its own format's (``sibling_paths``)
    and the other's (a Parquet table's CSV files, a CSV table's Parquet ones), the first that
    exists; its own format's when neither does."""
    files = sibling_files(path)
    claims = next((f for f in files[0::2] if f.exists()), files[0])
    sources = next((f for f in files[1::2] if f.exists()), files[1])
    return claims, sources


def read_sibling(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """A claims or sources file as text, with the row number a user sees for each row (CSV:
    the header is row 1; Parquet: the first row is)."""
    if is_parquet(path):
        table = open_parquet(path).reading(None)
        table.check_rows()
        frame = parquet_frame(table)
        return frame.drop(columns="row"), frame["row"].to_numpy()
    from geo.tables import read_csv_text

    frame = read_csv_text(path)
    return frame, np.arange(2, len(frame) + 2)


def parquet_frame(table: ParquetTable) -> pd.DataFrame:
    """The columns ``table`` reads, as text, with ``row`` (its number in the file from 1)."""
    batches = list(text_batches(table))
    if not batches:
        return pd.DataFrame({"row": np.zeros(0, dtype=np.int64), **{c: [] for c in table.columns}})
    frame = pa.Table.from_batches(batches).to_pandas()
    return frame.astype(dict.fromkeys(table.columns, str))


__all__ = ["find_siblings", "parquet_frame", "read_sibling", "sibling_files", "sibling_paths"]
