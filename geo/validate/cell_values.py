"""Reading cells: dates, numbers and tolls, with the messages for cells that do not parse; and
the checks that hold for every table (ids, NUL bytes, cell length)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.errors import Problem
from geo.schema import FIRST_DATE, LAST_DATE, MAX_CELL_CHARS, MAX_TOLL
from geo.validate import messages as m
from geo.validate.collector import Collector

NUMBER_PATTERN = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
"""A number as a cell writes it: ASCII digits with an optional sign, decimal point and exponent
(``12``, ``-0.5``, ``.5``, ``1e3``). Words (``inf``, ``nan``), thousands separators and spaces
inside a number are not numbers. The SQL checks (``geo.validate.sql``) read the same."""
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
"""A date as a cell writes it: ``YYYY-MM-DD``."""


def isin(values: np.ndarray, choices: Iterable[str]) -> np.ndarray:
    """Where ``values`` are among ``choices``, by hashing: ``np.isin`` on object arrays compares
    every pair, minutes for 100,000 claims."""
    return np.asarray(pd.Series(values, dtype=object).isin(list(choices)).to_numpy(dtype=bool))


def blank(series: pd.Series) -> np.ndarray:
    return np.asarray(
        series.isna().to_numpy()
        | (series.astype("string").str.strip() == "").fillna(True).to_numpy()
    )


def parse_dates(series: pd.Series) -> pd.Series:
    """Dates in YYYY-MM-DD form within the supported range; anything else is NaT."""
    text = series.astype("string").str.strip()
    ok_shape = text.str.fullmatch(DATE_PATTERN).fillna(False)
    in_range = ok_shape & (text >= FIRST_DATE).fillna(False) & (text <= LAST_DATE).fillna(False)
    return pd.to_datetime(text.where(in_range), format="%Y-%m-%d", errors="coerce").astype(
        "datetime64[ns]"
    )


def date_message(column: str) -> Callable[[object], str]:
    def message(value: object) -> str:
        text = str(value).strip()
        if re.fullmatch(DATE_PATTERN, text) and not FIRST_DATE <= text <= LAST_DATE:
            return f"{column} {text} is outside the supported range {FIRST_DATE} to {LAST_DATE}"
        return f"{column} {value!r} is not a date in YYYY-MM-DD form"

    return message


def to_numbers(text: pd.Series) -> np.ndarray:
    """Stripped cells as numbers (``NUMBER_PATTERN``), NaN where a cell is not one: read by
    Arrow's parser, which rounds correctly (pandas' own reads ``5e61`` one unit off)."""
    ok = text.str.fullmatch(NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool)
    cells = pa.array(text.where(ok, None).astype(object), type=pa.string(), from_pandas=True)
    return np.array(cells.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def parse_numbers(series: pd.Series) -> pd.Series:
    """Cells as numbers (``NUMBER_PATTERN``, surrounding spaces aside); NaN where not one."""
    text = series.astype("string").fillna("").str.strip()
    return pd.Series(to_numbers(text), index=series.index)


def whole_numbers(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse toll cells: ``(numbers, bad)``, NaN where blank or bad.

    A toll is a whole number from 0 to ``MAX_TOLL``; ``"1.0"`` and ``"1e3"`` are read as 1 and
    1000, the same way for incidents and claims. ``bad`` marks non-blank cells that are not.
    """
    cells = pd.Series(text, dtype="string").fillna("").str.strip()
    number = to_numbers(cells)
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(number)
            & (number >= 0)
            & (number <= MAX_TOLL)
            & (number == np.floor(number))
        )
    bad = (cells != "").to_numpy() & ~ok
    number[~ok] = np.nan
    return number, bad


def toll_message(column: str) -> Callable[[object], str]:
    return lambda v: f"{column} {v!r} is not a whole number from 0 to {MAX_TOLL:,}"


def unique_ids(
    ids: pd.Series, *, file: str, row_numbers: np.ndarray | None = None
) -> list[Problem]:
    """Empty and repeated ids (``incident_id``, ``source_id``), each with its row."""
    column = str(ids.name)
    out = Collector.numbered(file, len(ids), row_numbers)
    values = ids.astype("string").fillna("").to_numpy(dtype=object)
    out.rows_where(values == "", column, m.empty_id(column))
    first = ~pd.Series(values).duplicated(keep="first").to_numpy()
    dup = ~first & (values != "")
    first_row = dict(zip(values[first], out.rows[first], strict=True)) if dup.any() else {}
    out.rows_where(
        dup,
        column,
        lambda v: m.duplicate_id(column, v, first_row[v]),
        values,
    )
    return out.problems


def check_cells(
    table: pd.DataFrame, *, file: str, row_numbers: np.ndarray | None = None
) -> list[Problem]:
    """Cells no page can show: NUL bytes, and text longer than ``MAX_CELL_CHARS``."""
    out = Collector.numbered(file, len(table), row_numbers)
    for column in table.columns:
        values = table[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        text = values.astype("string").fillna("")
        nul = text.str.contains("\x00", regex=False).to_numpy(dtype=bool)
        out.rows_where(nul, str(column), m.NUL_BYTE)
        lengths = text.str.len().to_numpy()
        out.rows_where(
            lengths > MAX_CELL_CHARS,
            str(column),
            m.too_many_characters,
            lengths,
        )
    return out.problems
