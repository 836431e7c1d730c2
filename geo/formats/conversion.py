"""What every converter shares: the result, skipped rows with their reasons, and the columns.

A converter turns an export into three tables of strings in the project's schema (incidents,
claims, sources); they are then validated like any table. A row it cannot convert (no date, no
coordinates, a code its codebook does not define) is skipped with its row number and reason,
never guessed; the count of each reason is in ``Conversion.describe``.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.errors import Problem
from geo.formats.recognise import FORMAT_NAMES
from geo.schema import CLAIM_COLUMNS, COLUMNS, MAX_TOLL, SOURCE_COLUMNS
from geo.validate.collector import MAX_REPORTED

if TYPE_CHECKING:
    from geo.places.geocode import OfflineGeocoder


@dataclass
class Conversion:
    """An export in the project's schema, and what could not be converted."""

    format: str
    incidents: pd.DataFrame
    """Strings, in the project's columns; ``row`` is the row of the export each came from."""
    claims: pd.DataFrame
    sources: pd.DataFrame
    rows_read: int
    skipped: list[Problem] = field(default_factory=list)
    """Up to ``MAX_REPORTED`` rows of each reason, then a count."""
    reasons: Counter[str] = field(default_factory=Counter)
    """How many rows were skipped for each reason (validation included, once it has run)."""
    notes: Counter[str] = field(default_factory=Counter)
    """How many rows were kept with a change a user should know of."""

    @property
    def converted(self) -> int:
        """Rows kept: read, less every row skipped (by the converter or by validation)."""
        return self.rows_read - sum(self.reasons.values())

    def describe(self) -> str:
        """One sentence: the format, rows read, converted and skipped (with why)."""
        text = (
            f"{FORMAT_NAMES[self.format]} export: {self.rows_read:,} rows read, "
            f"{self.converted:,} converted"
        )
        if self.notes:
            text += " (" + "; ".join(f"{n:,} {what}" for what, n in self.notes.items()) + ")"
        n_skipped = sum(self.reasons.values())
        if n_skipped:
            why = "; ".join(f"{n:,} {reason}" for reason, n in self.reasons.most_common())
            text += f", {n_skipped:,} skipped ({why})"
        return text


class Skips:
    """Rows a converter leaves out, each with a reason; ``keep`` is what remains."""

    def __init__(self, file: str, rows: np.ndarray) -> None:
        self.file = file
        self.rows = np.asarray(rows)
        self.keep = np.ones(len(rows), dtype=bool)
        self.problems: list[Problem] = []
        self.reasons: Counter[str] = Counter()
        self.notes: Counter[str] = Counter()
        """Rows kept with a change a user should know of (placed at their country)."""

    def skip(self, mask: np.ndarray, column: str | None, reason: str, detail: str = "") -> None:
        """Leave out the rows where ``mask`` holds and that are not left out already."""
        new = np.asarray(mask, dtype=bool) & self.keep
        count = int(new.sum())
        if not count:
            return
        self.keep &= ~new
        self.reasons[reason] += count
        message = f"skipped: {reason}" + (f" ({detail})" if detail else "")
        for i in np.flatnonzero(new)[:MAX_REPORTED]:
            self.problems.append(Problem(self.file, int(self.rows[i]), column, message))
        if count > MAX_REPORTED:
            self.problems.append(
                Problem(
                    self.file,
                    None,
                    column,
                    f"... {count - MAX_REPORTED:,} more rows skipped: {reason}",
                )
            )


def text(raw: pd.DataFrame, column: str, missing: tuple[str, ...] = ()) -> pd.Series:
    """A column as stripped strings ('' where the export has no such column, and where a cell
    is one of the dataset's ``missing`` markers, such as ACLED's ``NA``)."""
    if column not in raw.columns:
        return pd.Series("", index=raw.index, dtype=object)
    values = raw[column].astype("string").fillna("").str.strip()
    if missing:
        values = values.mask(values.isin(missing), "")
    return values.astype(object)


def free_text(raw: pd.DataFrame, column: str, missing: tuple[str, ...] = ()) -> pd.Series:
    """A column of free text exactly as written ('' where missing, or a ``missing`` marker)."""
    if column not in raw.columns:
        return pd.Series("", index=raw.index, dtype=object)
    values = raw[column].astype("string").fillna("")
    if missing:
        values = values.mask(values.str.strip().isin(missing), "")
    return values.astype(object)


def place_by_name(
    names: pd.Series,
    codes: np.ndarray,
    todo: np.ndarray,
    *,
    admin: bool = False,
    within: pd.Series | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the rows ``todo`` (they have no coordinates), their place name looked up in their
    country (``codes``) in the offline gazetteer, each distinct pair once: latitude and
    longitude (NaN where nothing was found) and the precision found ('' where none).

    ``within``: each row's admin unit, which a place must be in ("Lagos" in Borno is not
    Lagos city, 1,300 km away; it is not placed). ``admin``: the names are admin units, placed
    at the unit's representative point (precision ``region``) where they join one by name.
    """
    n = len(names)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    precision = np.full(n, "", dtype=object)
    wanted = todo & (names.astype(str).str.strip() != "").to_numpy()
    if not wanted.any():
        return lat, lon, precision
    at = np.flatnonzero(wanted)
    units = (
        within.astype(str).str.strip() if within is not None else pd.Series("", index=names.index)
    )
    pairs = pd.Series(list(zip(
        names.astype(str).str.strip().to_numpy(dtype=object)[at], codes[at],
        units.to_numpy(dtype=object)[at], strict=True,
    )))  # fmt: skip
    which, distinct = pd.factorize(pairs)  # each row to its pair, in one pass
    points = np.full((len(distinct), 2), np.nan)
    kinds = np.full(len(distinct), "", dtype=object)
    for k, (name, code, unit) in enumerate(distinct):
        found = _look_up(str(name), str(code), str(unit), admin=admin)
        if found is not None:
            points[k], kinds[k] = found[:2], found[2]
    lat[at], lon[at], precision[at] = points[which, 0], points[which, 1], kinds[which]
    return lat, lon, precision


def _look_up(name: str, code: str, unit: str, *, admin: bool) -> tuple[float, float, str] | None:
    """(lat, lon, precision) of one place (or admin unit) in its country, else ``None``."""
    from geo.places.admin import admin1_label
    from geo.places.regions import region_points

    if admin:
        label = admin1_label(name, code)
        if label is None:
            return None
        x, y, _ = region_points()[label]
        return y, x, "region"
    # the unit as the shapes name it ("Dagestan Republic" is Dagestan); a unit they do not
    # know cannot narrow the search
    unit = (admin1_label(unit, code) or "") if unit else ""
    query = f"{name}, {unit}" if unit else name
    found = _geocoder().geocode(query, country_codes=[code] if code else None)
    if found is None or isinstance(found, list):
        return None
    return float(found.raw["lat"]), float(found.raw["lon"]), str(found.raw["precision"])


@functools.lru_cache(maxsize=1)
def _geocoder() -> OfflineGeocoder:
    from geo.places.geocode import OfflineGeocoder

    return OfflineGeocoder()


def place_from_columns(
    named: list[tuple[str, pd.Series, str]],
    codes: np.ndarray,
    missing: np.ndarray,
    skips: Skips,
    *,
    within: pd.Series | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows without coordinates placed from their own place columns (``named``: (column,
    names, "place" or "admin"), most precise first, each tried in the row's country where the
    one before found nothing; a place inside the unit ``within`` names): (lat text, lon text,
    where placed, the precision found). A row none of them places, or of no known country (a
    name alone is too often elsewhere), is skipped with the reason; placed rows are counted."""
    codes = np.asarray(codes, dtype=object)
    todo = missing & skips.keep & (codes != "")
    n = len(missing)
    lat_text, lon_text = np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    precision = np.full(n, "", dtype=object)
    placed = np.zeros(n, dtype=bool)
    for column, names, kind in named:
        found_lat, found_lon, found = place_by_name(
            names, codes, todo & ~placed, admin=kind == "admin",
            within=None if kind == "admin" else within,
        )  # fmt: skip
        now = todo & ~placed & np.isfinite(found_lat)
        lat_text[now] = [f"{v:.5f}" for v in found_lat[now]]
        lon_text[now] = [f"{v:.5f}" for v in found_lon[now]]
        precision[now] = found[now]
        placed |= now
        _note(skips, now, column, kind)
    columns = " or ".join(c for c, *_ in named)
    skips.skip(missing & (codes == ""), "latitude", "no coordinates and no known country")
    skips.skip(missing & ~placed, "latitude", "no coordinates",
               f"its {columns} is not in the offline gazetteer")  # fmt: skip
    return lat_text, lon_text, placed, precision


def _note(skips: Skips, placed: np.ndarray, column: str, kind: str) -> None:
    count = int((placed & skips.keep).sum())
    if count:
        what = (
            f"placed at the centre of the unit their {column} names"
            if kind == "admin"
            else f"placed from their {column} by the offline gazetteer"
        )
        skips.notes[what] += count


def joined(*columns: pd.Series) -> pd.Series:
    """Several text columns as one, their non-empty values with ``'; '`` between them."""
    out = columns[0].astype(str).str.strip()
    for column in columns[1:]:
        more = column.astype(str).str.strip()
        both = (out != "") & (more != "")
        out = out.where(more == "", more.where(out == "", out + "; " + more)).where(
            ~both, out + "; " + more
        )
    return out.astype(object)


def numbers(raw: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats (NaN where empty or not a number)."""
    return np.asarray(pd.to_numeric(text(raw, column), errors="coerce").to_numpy(dtype=float))


def tolls(raw: pd.DataFrame, column: str, skips: Skips) -> np.ndarray:
    """A toll column as floats (NaN where empty); a row whose figure is not a whole number
    from 0 up (``abc``, ``2.5``, ``-1``) is skipped with its value, never rounded or blanked."""
    cells = text(raw, column)
    values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
    given = (cells != "").to_numpy()
    with np.errstate(invalid="ignore"):
        bad = given & ~(np.isfinite(values) & (values >= 0) & (values == np.floor(values)))
        huge = given & ~bad & (values > MAX_TOLL)
    skips.skip(bad, column, f"{column} is not a whole number from 0 up")
    skips.skip(huge, column, f"{column} is above {MAX_TOLL:,}")
    bad |= huge
    return np.where(bad, np.nan, values)


def whole(values: np.ndarray) -> np.ndarray:
    """Whole numbers as text ('' where NaN): ``3.0`` is ``"3"``."""
    out = np.full(len(values), "", dtype=object)
    ok = np.isfinite(values)
    out[ok] = values[ok].astype(np.int64).astype(str)
    return out


def iso(days: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Dates as ``YYYY-MM-DD`` ('' where missing)."""
    return np.asarray(pd.Series(days).dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object))


def assemble(
    fmt: str,
    columns: dict[str, object],
    *,
    skips: Skips,
    rows_read: int,
    source: dict[str, str],
    claims: dict[str, object],
) -> Conversion:
    """The conversion of the rows ``skips`` keeps: ``columns`` of the incident table, the one
    ``source`` (the dataset), and one claim per incident with ``claims``' figures and notes.

    A repeated event id keeps its last row (a newer export's correction follows the first), and
    the earlier rows are reported as skipped.
    """
    n = len(skips.keep)
    frame = pd.DataFrame(
        {
            c: np.full(n, v, dtype=object) if isinstance(v, str) else np.asarray(v, dtype=object)
            for c, v in columns.items()
        }  # fmt: skip
    )
    frame["sources"] = source["source_id"]
    frame["row"] = skips.rows
    claim = pd.DataFrame(
        {
            "incident_id": frame["incident_id"],
            "source": source["source_id"],
            "paragraph": "",
            **{k: np.asarray(v, dtype=object) for k, v in claims.items()},
        }
    )
    ids = frame["incident_id"].to_numpy(dtype=object)
    repeated = (
        pd.Series(np.where(skips.keep, ids, None)).duplicated(keep="last").to_numpy(copy=True)
    )
    repeated &= skips.keep
    skips.skip(repeated, "incident_id", "a later row has the same event id")
    keep = skips.keep
    incidents = frame.loc[keep].reset_index(drop=True)
    for column in COLUMNS:
        if column not in incidents.columns:
            incidents[column] = ""
    incidents = incidents[[*COLUMNS, "row"]]
    claim = claim.loc[keep, CLAIM_COLUMNS].reset_index(drop=True)
    sources = pd.DataFrame([{c: source.get(c, "") for c in SOURCE_COLUMNS}])
    return Conversion(
        fmt, incidents, claim, sources, rows_read, by_row(skips.problems), skips.reasons,
        skips.notes,
    )  # fmt: skip


def by_row(problems: list[Problem]) -> list[Problem]:
    """Problems in the order of their rows (those about no one row last)."""
    return sorted(problems, key=lambda p: (p.row is None, p.row or 0))


__all__ = ["Conversion", "Skips", "assemble", "by_row", "tolls", "free_text", "iso", "joined",
           "numbers", "place_by_name", "place_from_columns", "text", "whole"]  # fmt: skip
