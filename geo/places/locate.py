"""Fill or check an incident table's coordinates with the offline geocoder.

The shipped table's ``lat``, ``lon``, ``region`` and ``geo_precision`` are not typed by hand:
they come from geocoding each row's ``geo_query`` (or ``place``) with ``geo.places.geocode``, so
the data set and the gazetteer cannot drift apart. ``python -m geo locate --check`` proves they
agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.errors import DataError, GeocodeError, Problem
from geo.places.geocode import geocode_place
from geo.said import Said
from geo.tables import read_csv_text, write_csv

LOCATED = ["lat", "lon", "region", "geo_precision"]
TOLERANCE_DEG = 1e-4


@dataclass
class Mismatch:
    row: int
    column: str
    have: str
    want: str


def _close(have: str, want: str) -> bool:
    """Whether a coordinate in the table (any text) equals the geocoder's, to 1e-4 degree."""
    try:
        return abs(float(have) - float(want)) <= TOLERANCE_DEG
    except ValueError:
        return False


def locate_rows(path: Path) -> tuple[pd.DataFrame, list[Mismatch]]:
    """Geocode every row of a CSV table; return the located table and where it differs."""
    table = read_csv_text(path)
    problems: list[Problem] = []
    mismatches: list[Mismatch] = []
    for column in LOCATED:
        if column not in table.columns:
            table[column] = ""
    query_column = "geo_query" if "geo_query" in table.columns else "place"
    if query_column not in table.columns:
        raise DataError(
            Problem(path.name, None, "place", "no place or geo_query column to geocode")
        )
    for i, row in zip(range(len(table)), table.to_dict("records")):
        row_number = i + 2
        query = row[query_column].strip()
        if not query:
            problems.append(Problem(path.name, row_number, query_column, "nothing to geocode"))
            continue
        try:
            found = geocode_place(query, country=row.get("country", "").strip() or None)
        except GeocodeError as exc:
            problems.append(Problem(path.name, row_number, query_column, str(exc)))
            continue
        want = {
            "lat": f"{found['lat']:.5f}",
            "lon": f"{found['lon']:.5f}",
            "region": "" if found["precision"] == "country" else (found["region"] or ""),
            "geo_precision": found["precision"],
        }
        for column, value in want.items():
            have = row[column].strip()
            same = _close(have, value) if column in ("lat", "lon") else have == value
            if not same:
                mismatches.append(Mismatch(row_number, column, have, value))
            table.at[i, column] = value
    if problems:
        raise DataError(problems)
    return table, mismatches


def locate_command(path: Path, *, check: bool) -> Said:
    """Fill (or with ``check``, only compare) coordinates; what to say, and the exit status."""
    table, mismatches = locate_rows(path)
    if check:
        said = Said(1 if mismatches else 0)
        said.out += [
            f"{path.name}, row {m.row}, column {m.column!r}: has {m.have!r}, "
            f"the geocoder gives {m.want!r}"
            for m in mismatches
        ]
        said.out.append(f"{path.name}: {len(mismatches)} value(s) differ from the geocoder")
        return said
    write_csv(table, path)
    return Said(0, [f"{path.name}: located {len(table)} rows, {len(mismatches)} value(s) changed"])
