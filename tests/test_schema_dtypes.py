"""One place gives a table the schema's column types (``geo.schema_dtypes``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.filters import Filters
from geo.query import open_table, table_files
from geo.schema_dtypes import with_schema_dtypes
from geo.tables import ReadOptions, load_dataset


def test_form_text_becomes_dates_whole_numbers_floats_and_text() -> None:
    # As the Edit page's form hands a row over: every cell text, empty for none.
    frame = pd.DataFrame(
        {
            "date_start": ["2011-10-31"],
            "date_end": [""],
            "killed_low": ["2"],
            "wounded_best": [""],
            "lat": [47.1],
            "place": [None],
            "version": [3],
        }
    )
    typed = with_schema_dtypes(frame)
    assert str(typed["date_start"].dtype) == "datetime64[ns]"
    assert typed["date_start"][0] == pd.Timestamp(2011, 10, 31)
    assert pd.isna(typed["date_end"][0])
    assert str(typed["killed_low"].dtype) == "Int64" and typed["killed_low"][0] == 2
    assert str(typed["wounded_best"].dtype) == "Int64" and pd.isna(typed["wounded_best"][0])
    assert typed["lat"].dtype == float
    assert typed["place"][0] == ""
    assert typed["version"].dtype == "int64"  # not a schema column: left as it was


def test_database_rows_with_missing_values_take_the_same_types() -> None:
    # As the team store's driver returns them: Python objects, None for NULL.
    frame = pd.DataFrame(
        {"killed_high": [5, None], "summary": ["a raid", None], "lon": [51, 52.5]},
        dtype=object,
    )
    typed = with_schema_dtypes(frame)
    assert list(typed["killed_high"].astype("Float64").fillna(-1)) == [5, -1]
    assert str(typed["killed_high"].dtype) == "Int64"
    assert list(typed["summary"]) == ["a raid", ""]
    assert list(typed["lon"]) == [51.0, 52.5]


def test_the_engine_and_the_loader_give_a_table_the_same_types(good_table: Path) -> None:
    loaded = load_dataset(good_table).incidents
    rows = open_table(table_files(good_table, ReadOptions())).engine.rows(Filters())
    for column in rows.columns:
        if column in loaded.columns:
            assert str(rows[column].dtype) == str(loaded[column].dtype), column
