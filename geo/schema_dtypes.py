"""The schema's column types, applied to a table in one place.

Every reader that hands pandas a table of incidents (the query engine's pages and export
batches, the team store's rows, the Edit page's form text before it is written, the Parquet
copy of a checked table) gives it the types a validated table has: dates as ``datetime64[ns]``,
tolls as nullable integers (``Int64``), coordinates as floats, text as text, "" for none.
"""

from __future__ import annotations

import pandas as pd

from geo.schema import TEXT_COLUMNS, TOLL_COLUMNS

DATE_COLUMNS = ("date_start", "date_end")
COORDINATE_COLUMNS = ("lat", "lon")
_TOLLS = frozenset(TOLL_COLUMNS)
_TEXT = frozenset(TEXT_COLUMNS)


def _tolls(values: pd.Series) -> pd.arrays.IntegerArray:
    """Whole numbers, none where a cell is empty or not a number (a form's text included)."""
    if not pd.api.types.is_integer_dtype(values.dtype):
        values = pd.to_numeric(values, errors="coerce")
    return pd.array(values, dtype="Int64")


def _text(values: pd.Series) -> pd.Series:
    """Text, "" for none."""
    if not values.isna().any():
        return values.astype(str) if values.dtype == object else values.astype("str")
    return values.astype(object).where(values.notna(), "").astype(str)


def with_schema_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each of its schema columns given its type (changed in place and returned);
    other columns (a row number, a store's version) are left as they are."""
    for column in frame.columns:
        if column in DATE_COLUMNS:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        elif column in _TOLLS:
            frame[column] = _tolls(frame[column])
        elif column in COORDINATE_COLUMNS:
            frame[column] = frame[column].astype(float)
        elif column in _TEXT:
            frame[column] = _text(frame[column])
    return frame


__all__ = ["COORDINATE_COLUMNS", "DATE_COLUMNS", "with_schema_dtypes"]
