"""Small incident tables the tests write themselves, and the frozen seed data set."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd

from geo.errors import DataError
from geo.filters import Filters
from geo.paths import INCIDENTS_CSV
from geo.schema import COLUMNS, DATASET_COLUMNS
from geo.tables import check_dataset

FROZEN_DIR = Path(__file__).resolve().parent / "fixtures"
"""A frozen copy of the 33-incident seed data set (see its README): the tables the tests'
hand-counted figures were counted in. It never changes when ``data/`` does."""
FROZEN_CSV = FROZEN_DIR / "incidents.csv"
"""The frozen incident table, to read only; a test that writes uses :func:`copy_fixture`."""
FROZEN_FILES = ("incidents.csv", "claims.csv", "sources.csv")
SHIPPED_CSV = INCIDENTS_CSV
"""The product's own ``data/incidents.csv``, only for the few tests whose subject is the shipped
data itself (it validates cleanly); read only. Every other test reads the frozen copy."""

HEADER = [c for c in COLUMNS if not c.startswith("source_") and c not in DATASET_COLUMNS]
"""The columns a hand-written table has (the optional dataset columns left out)."""
GOOD_ROWS = [
    [
        "a-almaty",
        "2016-07-18",
        "2016-07-18",
        "day",
        "Almaty",
        "KZ",
        "Almaty City",
        "43.25249",
        "76.91150",
        "city",
        "armed_attack",
        "3",
        "5",
        "5",
        "11",
        "11",
        "11",
        "gunman",
        "police",
        "Shooting in Almaty.",
        "src1",
    ],
    [
        "b-atyrau",
        "2011-10-31",
        "2011-10-31",
        "day",
        "Atyrau",
        "KZ",
        "Atyrau",
        "47.10480",
        "51.88427",
        "city",
        "bombing",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "Blast.",
        "src1",
    ],
    [
        "c-atyrau-region",
        "2012-08-17",
        "2012-12-31",
        "year",
        "Atyrau region",
        "KZ",
        "Atyrau",
        "47.30",
        "52.50",
        "region",
        "security_operation",
        "5",
        "5",
        "5",
        "2",
        "2",
        "2",
        "",
        "",
        "Raid.",
        "src1;src2",
    ],
]


def kept(incidents: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The incidents ``filters`` keep, as the query engine answers for a table in memory."""
    from geo.query import table_of
    from geo.tables import Dataset

    return table_of(Dataset(incidents)).engine.rows(filters.normalised())


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        # A bare \r in a cell is only kept if the cell is quoted (Python quotes \n, not \r).
        cr = any("\r" in cell for row in rows for cell in row)
        writer = csv.writer(
            fh, lineterminator="\n", quoting=csv.QUOTE_ALL if cr else csv.QUOTE_MINIMAL
        )
        writer.writerow(header)
        writer.writerows(rows)
    return path


def problems_of(path: Path) -> list[str]:
    """Every problem the loader and validator report for a file, as the messages a user sees."""
    try:
        _, problems = check_dataset(path)
    except DataError as exc:
        problems = exc.problems
    return [str(p) for p in problems]


def copy_fixture(folder: Path) -> Path:
    """A copy of the frozen data set (incidents, claims, sources) in ``folder``; its table."""
    for name in FROZEN_FILES:
        shutil.copy(FROZEN_DIR / name, folder / name)
    return folder / "incidents.csv"
