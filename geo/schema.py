"""The incident table's columns, vocabularies and validation rules.

``validate_incidents`` checks a raw table (every value a string, as read from a file) and returns
the typed table together with every problem it found, so that a user fixes a file in one pass.
Nothing here reads or writes files: ``geo.tables`` does that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import Problem
from geo.places.regions import canonical_region, region_names, regions_at

EVENT_TYPES: dict[str, str] = {
    "armed_attack": "shooting, assault or raid by armed attackers",
    "bombing": "an explosive device set off against a target",
    "suicide_bombing": "a bombing in which the attacker meant to die",
    "explosion": "a militants' device that went off with no clear target (premature or mishandled)",
    "security_operation": "a raid or special operation by police or security forces",
    "weapons_seizure": "arms, explosives or ammunition found or seized",
    "foiled_plot": "an attack prevented or attempted without effect",
    "unrest": "protest, strike or riot",
}
DATE_PRECISIONS: dict[str, int] = {"day": 0, "week": 6, "month": 30, "year": 365}
"""Each date precision and the longest ``date_end - date_start`` (days) it allows."""

GEO_PRECISIONS: dict[str, str] = {
    "point": "the exact site (a building, a street, a border post)",
    "city": "the city or town the event happened in or next to",
    "district": "a district, park or area smaller than a region",
    "region": "only the admin-1 region is known; the point is the region's centre",
    "country": "only the country is known; the point is the country's centre",
}
TOLL_COLUMNS = [
    f"{what}_{bound}" for what in ("killed", "wounded") for bound in ("low", "best", "high")
]
REQUIRED = ["incident_id", "date_start", "lat", "lon", "event_type"]
OPTIONAL = [
    "date_end",
    "date_precision",
    "place",
    "country",
    "region",
    "geo_precision",
    *TOLL_COLUMNS,
    "perpetrator",
    "target",
    "summary",
    "sources",
]
COLUMNS = [
    "incident_id",
    "date_start",
    "date_end",
    "date_precision",
    "place",
    "country",
    "region",
    "lat",
    "lon",
    "geo_precision",
    "event_type",
    *TOLL_COLUMNS,
    "perpetrator",
    "target",
    "summary",
    "sources",
]
TEXT_COLUMNS = ["incident_id", "place", "country", "region", "perpetrator", "target", "summary"]
CLAIM_COLUMNS = ["incident_id", "source", "paragraph", "killed", "wounded", "note"]
SOURCE_COLUMNS = ["source_id", "title", "outlet", "published", "published_note", "kind"]
SOURCE_KINDS = {"news", "analysis", "opinion", "report", "dataset"}
MAX_REPORTED = 200
"""At most this many problems of one kind are listed; the count says how many there were."""
FIRST_DATE = "1800-01-01"
LAST_DATE = "2200-12-31"
"""The supported date range: every date must lie within it (the dashboard's slider, the
timeline and the exports handle these years; a year like 1600 or 2300 is a typo)."""
MAX_TOLL = 10_000_000
"""The largest toll (killed or wounded) a table may give; tolls are whole numbers 0..MAX_TOLL."""
MAX_COLUMNS = 200
"""The most columns a table may have (GTD's export, the widest the product reads, has 135)."""
MAX_CELL_CHARS = 32_767
"""The longest text a cell may hold (a spreadsheet's own limit)."""
FREE_TEXT_COLUMNS = ["place", "perpetrator", "target", "summary"]
"""Columns kept exactly as written (leading spaces included); other columns are codes and are
stripped of surrounding spaces."""


@dataclass
class Checked:
    """A validated table and the problems found on the way."""

    table: pd.DataFrame
    problems: list[Problem]


class _Collector:
    def __init__(self, file: str, row_numbers: np.ndarray) -> None:
        self.file = file
        self.rows = row_numbers
        self.problems: list[Problem] = []

    def whole(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, None, column, message))

    def rows_where(self, mask: np.ndarray, column: str, message, values=None) -> None:  # type: ignore[no-untyped-def]
        """Add one problem per row where ``mask`` holds; ``message`` may be a callable of value."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in idx[:MAX_REPORTED]:
            text = message(values[i]) if callable(message) else message
            self.problems.append(Problem(self.file, int(self.rows[i]), column, text))
        if len(idx) > MAX_REPORTED:
            self.problems.append(
                Problem(
                    self.file, None, column, f"... {len(idx) - MAX_REPORTED} more rows like this"
                )
            )


def _isin(values: np.ndarray, choices: Iterable[str]) -> np.ndarray:
    """Where ``values`` are among ``choices``, by hashing: ``np.isin`` on object arrays compares
    every pair, minutes for 100,000 claims."""
    return pd.Series(values, dtype=object).isin(list(choices)).to_numpy(dtype=bool)


def _blank(series: pd.Series) -> np.ndarray:
    return (
        series.isna().to_numpy()
        | (series.astype("string").str.strip() == "").fillna(True).to_numpy()
    )


def _parse_dates(series: pd.Series) -> pd.Series:
    """Dates in YYYY-MM-DD form within the supported range; anything else is NaT."""
    text = series.astype("string").str.strip()
    ok_shape = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
    in_range = ok_shape & (text >= FIRST_DATE).fillna(False) & (text <= LAST_DATE).fillna(False)
    return pd.to_datetime(text.where(in_range), format="%Y-%m-%d", errors="coerce").astype(
        "datetime64[ns]"
    )


def _date_message(column: str) -> Callable[[object], str]:
    def message(value: object) -> str:
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and not FIRST_DATE <= text <= LAST_DATE:
            return f"{column} {text} is outside the supported range {FIRST_DATE} to {LAST_DATE}"
        return f"{column} {value!r} is not a date in YYYY-MM-DD form"

    return message


def _parse_numbers(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    return pd.to_numeric(text.where(text != ""), errors="coerce")


def whole_numbers(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse toll cells: ``(numbers, bad)``, NaN where blank or bad.

    A toll is a whole number from 0 to ``MAX_TOLL``; ``"1.0"`` and ``"1e3"`` are read as 1 and
    1000, the same way for incidents and claims. ``bad`` marks non-blank cells that are not.
    """
    cells = pd.Series(text, dtype="string").fillna("").str.strip()
    number = pd.to_numeric(cells.where(cells != ""), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
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


def _toll_message(column: str) -> Callable[[object], str]:
    return lambda v: f"{column} {v!r} is not a whole number from 0 to {MAX_TOLL:,}"


def unique_ids(
    ids: pd.Series, *, file: str, row_numbers: np.ndarray | None = None
) -> list[Problem]:
    """Empty and repeated ids (``incident_id``, ``source_id``), each with its row."""
    column = str(ids.name)
    rows = np.arange(2, len(ids) + 2) if row_numbers is None else np.asarray(row_numbers)
    out = _Collector(file, rows)
    values = ids.astype("string").fillna("").to_numpy(dtype=object)
    out.rows_where(values == "", column, f"{column} is empty")
    first = ~pd.Series(values).duplicated(keep="first").to_numpy()
    dup = ~first & (values != "")
    first_row = dict(zip(values[first], rows[first], strict=True)) if dup.any() else {}
    out.rows_where(
        dup,
        column,
        lambda v: f"duplicate {column} {v!r} (first used on row {first_row[v]})",
        values,
    )
    return out.problems


def check_cells(
    table: pd.DataFrame, *, file: str, row_numbers: np.ndarray | None = None
) -> list[Problem]:
    """Cells no page can show: NUL bytes, and text longer than ``MAX_CELL_CHARS``."""
    rows = np.arange(2, len(table) + 2) if row_numbers is None else np.asarray(row_numbers)
    out = _Collector(file, rows)
    for column in table.columns:
        values = table[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        text = values.astype("string").fillna("")
        nul = text.str.contains("\x00", regex=False).to_numpy(dtype=bool)
        out.rows_where(nul, str(column), "the cell holds a NUL byte (\\x00); remove it")
        long = (text.str.len() > MAX_CELL_CHARS).to_numpy(dtype=bool)
        out.rows_where(
            long,
            str(column),
            lambda v: f"the cell holds {v:,} characters; the limit is {MAX_CELL_CHARS:,}",
            text.str.len().to_numpy(),
        )
    return out.problems


def validate_incidents(
    raw: pd.DataFrame,
    *,
    file: str,
    row_numbers: np.ndarray | None = None,
    source_ids: set[str] | None = None,
) -> Checked:
    """Check an incident table and return it typed, with every problem found.

    Parameters
    ----------
    raw
        The table as read from a file: one column per field, values as strings (or numbers).
    file
        The file name used in messages.
    row_numbers
        The row number a user sees for each row (CSV: the header is row 1); default 2, 3, ...
    source_ids
        The known source ids; when given, every id in ``sources`` must be one of them.

    Returns
    -------
    Checked
        ``table`` has the columns of ``COLUMNS`` (missing optional ones filled in), dates as
        datetimes, coordinates as floats and tolls as nullable integers; ``problems`` is empty when
        the table is valid.
    """
    n = len(raw)
    rows = np.arange(2, n + 2) if row_numbers is None else np.asarray(row_numbers)
    out = _Collector(file, rows)
    raw = raw.rename(columns=lambda c: str(c).strip().lstrip("\ufeff"))

    missing = [c for c in REQUIRED if c not in raw.columns]
    for column in missing:
        out.whole(
            column,
            f"required column {column!r} is missing (columns found: "
            f"{', '.join(map(str, raw.columns[:12]))})",
        )
    if missing:
        return Checked(pd.DataFrame(columns=COLUMNS), out.problems)
    if n == 0:
        out.whole(None, "the table has a header but no rows")
        return Checked(pd.DataFrame(columns=COLUMNS), out.problems)

    t = pd.DataFrame(index=raw.index)
    for column in [
        "incident_id",
        "place",
        "country",
        "region",
        "perpetrator",
        "target",
        "summary",
        "sources",
        "date_precision",
        "geo_precision",
        "event_type",
    ]:
        if column not in raw.columns:
            t[column] = ""
        elif column in FREE_TEXT_COLUMNS:
            t[column] = raw[column].astype("string").fillna("")
        else:
            t[column] = raw[column].astype("string").str.strip().fillna("")

    # Identity.
    out.problems.extend(unique_ids(t["incident_id"], file=file, row_numbers=rows))

    # Dates.
    start = _parse_dates(raw["date_start"])
    bad_start = start.isna().to_numpy()
    out.rows_where(
        bad_start,
        "date_start",
        _date_message("date_start"),
        raw["date_start"].astype("string").to_numpy(),
    )
    if "date_end" in raw.columns:
        end_blank = _blank(raw["date_end"])
        end = _parse_dates(raw["date_end"]).where(~end_blank, start)
        bad_end = end.isna().to_numpy() & ~end_blank
        out.rows_where(
            bad_end,
            "date_end",
            _date_message("date_end"),
            raw["date_end"].astype("string").to_numpy(),
        )
    else:
        end = start.copy()
    span = (end - start).dt.days.to_numpy(dtype=float, na_value=np.nan)
    out.rows_where(span < 0, "date_end", "date_end is before date_start")
    precision = t["date_precision"].to_numpy(dtype=object)
    derived = np.select(
        [span <= 0, span <= 6, span <= 30, span <= 365],
        ["day", "week", "month", "year"],
        default="",
    )
    blank_precision = precision == ""
    precision = np.where(blank_precision, derived, precision)
    known = np.isin(precision, list(DATE_PRECISIONS))
    out.rows_where(
        ~known & ~blank_precision,
        "date_precision",
        lambda v: f"unknown date_precision {v!r}; use one of {', '.join(DATE_PRECISIONS)}",
        precision,
    )
    allowed = pd.Series(precision).map(DATE_PRECISIONS).fillna(10**6).to_numpy(dtype=float)
    out.rows_where(
        known & (span > allowed),
        "date_end",
        lambda v: f"date range of {int(v)} days is too long for its date_precision",
        span,
    )
    out.rows_where(
        np.isfinite(span) & (span > 365) & blank_precision,
        "date_end",
        "date range is longer than a year; narrow it or split the incident",
    )
    t["date_start"] = start
    t["date_end"] = end
    t["date_precision"] = precision

    # Coordinates.
    lat = _parse_numbers(raw["lat"]).to_numpy(dtype=float, na_value=np.nan)
    lon = _parse_numbers(raw["lon"]).to_numpy(dtype=float, na_value=np.nan)
    lat_text = raw["lat"].astype("string").to_numpy()
    lon_text = raw["lon"].astype("string").to_numpy()
    out.rows_where(~np.isfinite(lat), "lat", lambda v: f"lat {v!r} is not a number", lat_text)
    out.rows_where(~np.isfinite(lon), "lon", lambda v: f"lon {v!r} is not a number", lon_text)
    out.rows_where(
        np.isfinite(lat) & (np.abs(lat) > 90), "lat", lambda v: f"lat {v} is outside -90..90", lat
    )
    out.rows_where(
        np.isfinite(lon) & (np.abs(lon) > 180),
        "lon",
        lambda v: f"lon {v} is outside -180..180",
        lon,
    )
    t["lat"] = lat
    t["lon"] = lon

    geo_precision = t["geo_precision"].to_numpy(dtype=object)
    geo_precision = np.where(geo_precision == "", "point", geo_precision)
    out.rows_where(
        ~np.isin(geo_precision, list(GEO_PRECISIONS)),
        "geo_precision",
        lambda v: f"unknown geo_precision {v!r}; use one of {', '.join(GEO_PRECISIONS)}",
        geo_precision,
    )
    t["geo_precision"] = geo_precision

    # Regions: the point decides; a stated region must agree with it.
    inside = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    joined = np.full(n, None, dtype=object)
    joined[inside] = regions_at(lon[inside], lat[inside])
    stated = t["region"].to_numpy(dtype=object)
    canonical = _canonical_regions(stated)
    unknown_region = (stated != "") & (canonical == None)  # noqa: E711
    out.rows_where(
        unknown_region,
        "region",
        lambda v: f"unknown region {v!r}; valid regions: {', '.join(region_names())}",
        stated,
    )
    by_country = geo_precision == "country"
    mismatch = (stated != "") & ~unknown_region & inside & ~by_country & (canonical != joined)
    out.rows_where(
        mismatch,
        "region",
        lambda i: (
            f"point ({lon[i]:.4f}, {lat[i]:.4f}) lies in "
            f"{joined[i] or 'no known region'}, not in {stated[i]!r}"
        ),
        np.arange(n),
    )
    region = np.where(by_country, "", np.where(joined == None, "", joined))  # noqa: E711
    t["region"] = np.where(stated == "", region, np.where(canonical == None, stated, canonical))  # noqa: E711
    t.loc[by_country, "region"] = ""

    country = t["country"].str.upper()
    bad_country = (country != "") & ~country.str.fullmatch(r"[A-Z]{2}").fillna(False)
    out.rows_where(
        bad_country.to_numpy(),
        "country",
        lambda v: f"country {v!r} is not an ISO 3166-1 alpha-2 code",
        country.to_numpy(),
    )
    t["country"] = country

    # Event types.
    types = t["event_type"].to_numpy(dtype=object)
    out.rows_where(
        ~np.isin(types, list(EVENT_TYPES)),
        "event_type",
        lambda v: f"unknown event_type {v!r}; use one of {', '.join(EVENT_TYPES)}",
        types,
    )

    # Tolls.
    for what in ("killed", "wounded"):
        values = {}
        for bound in ("low", "best", "high"):
            column = f"{what}_{bound}"
            if column not in raw.columns:
                values[bound] = np.full(n, np.nan)
                continue
            text = raw[column].astype("string").fillna("").str.strip().to_numpy(dtype=object)
            number, bad = whole_numbers(text)
            out.rows_where(bad, column, _toll_message(column), text)
            values[bound] = number
        low, best, high = values["low"], values["best"], values["high"]
        # Missing bounds come from the figures given: only a best figure is a range of one value;
        # only a low (or a high) is also its best; the range never widens beyond what is given.
        best = np.where(np.isnan(best), np.where(np.isnan(low), high, low), best)
        low = np.where(np.isnan(low), best, low)
        high = np.where(np.isnan(high), best, high)
        with np.errstate(invalid="ignore"):
            out.rows_where(
                low > best,
                f"{what}_low",
                lambda i: f"{what}_low {low[i]:.0f} is above {what}_best {best[i]:.0f}",
                np.arange(n),
            )
            out.rows_where(
                best > high,
                f"{what}_high",
                lambda i: f"{what}_high {high[i]:.0f} is below {what}_best {best[i]:.0f}",
                np.arange(n),
            )
        for bound, arr in (("low", low), ("best", best), ("high", high)):
            t[f"{what}_{bound}"] = pd.array(arr, dtype="Float64").round().astype("Int64")

    # Sources.
    if source_ids is not None:
        srcs = t["sources"].to_numpy(dtype=object)
        cited = pd.Series(srcs, dtype=object).str.split(";").explode().str.strip()
        uncited = (cited != "") & ~cited.isin(list(source_ids))
        bad_rows = uncited.groupby(level=0).any().reindex(range(n), fill_value=False)
        unknown = np.full(n, "", dtype=object)
        for i in np.flatnonzero(bad_rows.to_numpy(dtype=bool)):
            unknown[i] = ",".join(
                s for s in srcs[i].split(";") if s.strip() and s.strip() not in source_ids
            )
        out.rows_where(
            unknown != "",
            "sources",
            lambda v: f"unknown source id(s) {v}",
            unknown,
        )
    t["row"] = rows
    return Checked(t[COLUMNS + ["row"]].reset_index(drop=True), out.problems)


def _canonical_regions(stated: np.ndarray) -> np.ndarray:
    codes, names = pd.factorize(pd.Series(stated, dtype=object))
    canonical = np.full(len(names), None, dtype=object)
    for j, name in enumerate(names):
        if not name:
            continue
        try:
            canonical[j] = canonical_region(name)
        except ValueError:
            pass
    result = np.full(len(stated), None, dtype=object)
    known = codes >= 0
    result[known] = canonical[codes[known]]
    return result


def validate_claims(
    claims: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    file: str,
    source_ids: set[str] | None,
) -> list[Problem]:
    """Check per-source claims against the incident table.

    Every claim must name a known incident and source, and each incident's low and high must span
    the figures its sources claim (low <= every claim <= high).
    """
    out = _Collector(file, np.arange(2, len(claims) + 2))
    missing = [c for c in CLAIM_COLUMNS if c not in claims.columns]
    for column in missing:
        out.whole(column, f"required column {column!r} is missing")
    if missing or claims.empty:
        return out.problems
    known = set(incidents["incident_id"])
    ids = claims["incident_id"].astype("string").fillna("").to_numpy(dtype=object)
    claimed = _isin(ids, known)
    out.rows_where(
        ~claimed,
        "incident_id",
        lambda v: f"claim for unknown incident {v!r}",
        ids,
    )
    if source_ids is not None:
        srcs = claims["source"].astype("string").fillna("").to_numpy(dtype=object)
        out.rows_where(~_isin(srcs, source_ids), "source", lambda v: f"unknown source {v!r}", srcs)
    ranges = incidents.drop_duplicates("incident_id").set_index("incident_id")
    for what in ("killed", "wounded"):
        text = claims[what].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        number, bad = whole_numbers(text)
        out.rows_where(bad, what, _toll_message(what), text)
        low = ranges[f"{what}_low"].reindex(ids).to_numpy(dtype=float, na_value=np.nan)
        high = ranges[f"{what}_high"].reindex(ids).to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            outside = np.isfinite(number) & claimed & ~((low <= number) & (number <= high))
        out.rows_where(
            outside,
            what,
            lambda i: (
                f"claim of {number[i]:.0f} {what} is outside the range "
                f"{_fmt(low[i])}-{_fmt(high[i])} of incident {ids[i]!r}"
            ),
            np.arange(len(ids)),
        )
    return out.problems


def claims_as_read(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims with each figure written as the whole number it was read as (``"1.0"`` -> ``"1"``)."""
    out = claims.copy()
    for what in ("killed", "wounded"):
        if what not in out:
            continue
        number, _ = whole_numbers(out[what].to_numpy(dtype=object))
        text = out[what].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        known = np.isfinite(number)
        text[known] = number[known].astype(np.int64).astype(str)
        out[what] = text
    return out


def _fmt(value: float) -> str:
    return "?" if np.isnan(value) else f"{value:.0f}"


def schema_section(title: str) -> str:
    """The text of one ``## title`` section of ``data/SCHEMA.md`` (empty if there is none)."""
    from geo.paths import DATA_DIR

    path = DATA_DIR / "SCHEMA.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    for section in text.split("\n## ")[1:]:
        heading, _, body = section.partition("\n")
        if heading.strip() == title:
            return body.strip()
    return ""
