"""Tables analysts already have: ACLED, GTD and UCDP GED exports, recognised by their header
and converted into the project's schema.

``recognise`` names the format of a header; ``convert`` turns an export's rows into incidents,
one claim per incident (the dataset's figures) and one source (the dataset); ``containers``
opens gzipped, zipped and Excel files; ``dates`` and ``countries`` read the formats' codes.
Every mapping is documented in ``data/SCHEMA.md`` ("Importing ACLED, GTD and UCDP GED").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.errors import DataError, Problem
from geo.formats.recognise import FORMAT_NAMES, SIGNATURES, Recognised, recognise

if TYPE_CHECKING:  # pandas is imported when a table is converted, not by `python -m geo --help`
    import numpy as np
    import pandas as pd

    from geo.formats.conversion import Conversion

FORMATS = tuple(SIGNATURES)
"""The export formats read: ``acled``, ``gtd``, ``ucdp``."""


def convert(
    fmt: str, raw: pd.DataFrame, rows: np.ndarray, *, file: str, unlocated: str = "skip"
) -> Conversion:
    """Convert an export of format ``fmt`` (its columns checked first) into the schema."""
    from geo.formats.acled import convert_acled
    from geo.formats.gtd import convert_gtd
    from geo.formats.ucdp import convert_ucdp

    names = [str(c).strip().lstrip("\ufeff").lower() for c in raw.columns]
    have = set(names)
    twice = sorted({c for c in names if names.count(c) > 1})
    if twice:
        raise DataError(
            Problem(
                file,
                1,
                twice[0],
                f"the header names {', '.join(twice)} twice (letter case aside); keep one",
            )
        )
    missing = [c for c in SIGNATURES[fmt] if c not in have]
    if missing:
        raise DataError(
            Problem(
                file,
                1,
                None,
                f"not an {FORMAT_NAMES[fmt]} export: the header lacks {', '.join(missing)}",
            )
        )
    if fmt == "acled":
        return convert_acled(raw, rows, file=file)
    if fmt == "gtd":
        return convert_gtd(raw, rows, file=file, unlocated=unlocated)
    return convert_ucdp(raw, rows, file=file)


__all__ = ["FORMATS", "FORMAT_NAMES", "Recognised", "convert", "recognise"]
