"""Checking an incident table: one small checker per facet, all feeding one ``Collector``.

Each checker reads the raw cells it needs, reports every problem with its row and column, and
writes the typed values into the table being built (``t``), so a user fixes a file in one pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import Problem
from geo.places.admin import admin1_labels
from geo.places.regions import region_countries, region_label, regions_at
from geo.schema import (
    COLUMNS,
    DATASET_COLUMNS,
    DATE_PRECISIONS,
    EVENT_TYPES,
    FREE_TEXT_COLUMNS,
    GEO_PRECISIONS,
    REQUIRED,
)
from geo.schema_dtypes import with_schema_dtypes
from geo.validate import messages as m
from geo.validate.cell_values import (
    blank,
    date_message,
    parse_dates,
    parse_numbers,
    toll_message,
    unique_ids,
    whole_numbers,
)
from geo.validate.collector import Checked, Collector


def missing_column(column: str, found: list[str]) -> str:
    """A required column is missing: the message shows the first dozen columns there are."""
    return f"required column {column!r} is missing (columns found: {', '.join(found[:12])})"


_CODES_AND_TEXT = [
    "incident_id",
    "place",
    "country",
    "region",
    "perpetrator",
    "target",
    "summary",
    "sources",
    "source_event_type",
    "source_sub_event_type",
    "date_precision",
    "geo_precision",
    "event_type",
    *DATASET_COLUMNS,
]


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
    out = Collector.numbered(file, len(raw), row_numbers)
    raw = raw.rename(columns=lambda c: str(c).strip().lstrip("\ufeff"))
    if not _has_required_columns(raw, out):
        return Checked(pd.DataFrame(columns=COLUMNS), out.problems)
    t = _codes_and_text(raw)
    out.problems.extend(unique_ids(t["incident_id"], file=file, row_numbers=out.rows))
    check_dates(raw, t, out)
    check_coordinates(raw, t, out)
    check_regions(t, out)
    check_country(t, out)
    check_event_types(t, out)
    for what in ("killed", "wounded"):
        check_tolls(raw, t, out, what)
    if source_ids is not None:
        check_sources(t, out, source_ids)
    t["row"] = out.rows
    typed = with_schema_dtypes(t[COLUMNS + ["row"]].reset_index(drop=True))
    return Checked(typed, out.problems, out.warnings, out.bad_rows)


def _has_required_columns(raw: pd.DataFrame, out: Collector) -> bool:
    missing = [c for c in REQUIRED if c not in raw.columns]
    for column in missing:
        out.whole(
            column,
            missing_column(column, list(map(str, raw.columns))),
        )
    if not missing and len(raw) == 0:
        out.whole(None, m.NO_ROWS)
    return not missing and len(raw) > 0


def _codes_and_text(raw: pd.DataFrame) -> pd.DataFrame:
    """The text columns: free text exactly as written, codes without surrounding spaces."""
    t = pd.DataFrame(index=raw.index)
    for column in _CODES_AND_TEXT:
        if column not in raw.columns:
            t[column] = ""
        elif column in FREE_TEXT_COLUMNS:
            t[column] = raw[column].astype("string").fillna("")
        else:
            t[column] = raw[column].astype("string").str.strip().fillna("")
    return t


def check_dates(raw: pd.DataFrame, t: pd.DataFrame, out: Collector) -> None:
    """``date_start``/``date_end`` as a range, and a precision that fits its length."""
    start = parse_dates(raw["date_start"])
    text = raw["date_start"].astype("string").to_numpy()
    out.rows_where(start.isna().to_numpy(), "date_start", date_message("date_start"), text)
    end = start.copy()
    if "date_end" in raw.columns:
        end_blank = blank(raw["date_end"])
        end = parse_dates(raw["date_end"]).where(~end_blank, start)
        text = raw["date_end"].astype("string").to_numpy()
        out.rows_where(
            end.isna().to_numpy() & ~end_blank, "date_end", date_message("date_end"), text
        )
    # In days, not nanoseconds: a range of over 292 years (1800 to 2200) fits.
    gap = end.to_numpy(dtype="datetime64[D]") - start.to_numpy(dtype="datetime64[D]")
    span = np.where(np.isnat(gap), np.nan, gap.astype("int64").astype(float))
    out.rows_where(span < 0, "date_end", m.END_BEFORE_START)
    t["date_start"] = start
    t["date_end"] = end
    t["date_precision"] = _date_precision(t["date_precision"].to_numpy(dtype=object), span, out)


def _date_precision(precision: np.ndarray, span: np.ndarray, out: Collector) -> np.ndarray:
    """The stated precision (or the one the range's length implies) checked against the range."""
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
        m.unknown_date_precision,
        precision,
    )
    allowed = pd.Series(precision).map(DATE_PRECISIONS).fillna(10**6).to_numpy(dtype=float)
    out.rows_where(
        known & (span > allowed),
        "date_end",
        m.too_long_for_precision,
        span,
    )
    out.rows_where(
        np.isfinite(span) & (span > 365) & blank_precision,
        "date_end",
        m.LONGER_THAN_A_YEAR,
    )
    return precision


def check_coordinates(raw: pd.DataFrame, t: pd.DataFrame, out: Collector) -> None:
    """``lat``/``lon`` as numbers on the globe, and a known ``geo_precision``."""
    for column, limit in (("lat", 90), ("lon", 180)):
        t[column] = _coordinate(raw, column, limit, out)
    precision = t["geo_precision"].to_numpy(dtype=object)
    precision = np.where(precision == "", "point", precision)
    out.rows_where(
        ~np.isin(precision, list(GEO_PRECISIONS)),
        "geo_precision",
        m.unknown_geo_precision,
        precision,
    )
    t["geo_precision"] = precision


def _coordinate(raw: pd.DataFrame, column: str, limit: int, out: Collector) -> np.ndarray:
    values = parse_numbers(raw[column]).to_numpy(dtype=float, na_value=np.nan)
    text = raw[column].astype("string").to_numpy()
    out.rows_where(~np.isfinite(values), column, lambda v: m.not_a_number(column, v), text)
    out.rows_where(
        np.isfinite(values) & (np.abs(values) > limit),
        column,
        lambda v: m.outside_range(column, v, limit),
        values,
    )
    return np.asarray(values)


def check_regions(t: pd.DataFrame, out: Collector) -> None:
    """The point decides the region, or the row's own ``admin1`` where it joins one; a stated
    region must be known and agree with the point, unless it is the row's ``admin1``'s."""
    lat, lon = t["lat"].to_numpy(dtype=float), t["lon"].to_numpy(dtype=float)
    inside = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    joined = np.full(len(t), None, dtype=object)
    # Each distinct point is looked up once: an export repeats its places many times.
    codes, points = pd.factorize(lon[inside] + 1j * lat[inside])
    joined[inside] = regions_at(points.real, points.imag)[codes]
    stated = t["region"].to_numpy(dtype=object)
    canonical = _canonical_regions(stated)
    unknown = (stated != "") & (canonical == None)  # noqa: E711
    out.rows_where(unknown, "region", m.unknown_region, stated)
    by_country = t["geo_precision"].to_numpy(dtype=object) == "country"
    placed = inside & ~by_country
    names = t["admin1"].to_numpy(dtype=object) if "admin1" in t else np.full(len(t), "")
    admin = admin1_labels(names, t["country"].to_numpy(dtype=object), joined)
    vouched = (admin != None) & (admin == canonical)  # noqa: E711
    mismatch = (stated != "") & ~unknown & placed & (canonical != joined) & ~vouched
    out.rows_where(
        mismatch,
        "region",
        lambda i: m.region_mismatch(lat[i], lon[i], joined[i], stated[i]),
    )
    own = np.where((stated == "") | vouched, admin, np.full(len(t), None, dtype=object))
    unjoined = (stated == "") & placed & (admin == None) & (names != "")  # noqa: E711
    countries = t["country"].to_numpy(dtype=object)
    _admin_warnings(names, own, unjoined, countries, placed, joined, out)
    nowhere = placed & (joined == None)  # noqa: E711
    out.rows_where(nowhere, "lat", lambda i: m.in_no_region(lat[i], lon[i]), warn=True)
    _unjoined_summary(names, countries, unjoined, out)
    region = np.where(joined == None, "", joined)  # noqa: E711
    region = np.where(own == None, region, own)  # noqa: E711
    region = np.where(stated == "", region, np.where(canonical == None, stated, canonical))  # noqa: E711
    t["region"] = np.where(by_country, "", region)


def _admin_warnings(
    names: np.ndarray,
    own: np.ndarray,
    unjoined: np.ndarray,
    countries: np.ndarray,
    placed: np.ndarray,
    joined: np.ndarray,
    out: Collector,
) -> None:
    """A warning where a row's ``admin1`` joins no region, and where its point lies in
    another region than its ``admin1``'s."""
    out.rows_where(
        unjoined,
        "admin1",
        lambda i: m.admin1_unjoined(names[i], joined[i], countries[i]),
        warn=True,
    )
    elsewhere = (own != None) & placed & (own != joined)  # noqa: E711
    out.rows_where(
        elsewhere,
        "admin1",
        lambda i: m.admin1_elsewhere(names[i], own[i], joined[i]),
        warn=True,
    )


def _unjoined_summary(
    names: np.ndarray, countries: np.ndarray, unjoined: np.ndarray, out: Collector
) -> None:
    """One warning listing every admin1 name that joins no region, with its rows."""
    if not unjoined.any():
        return
    codes = pd.Series(countries[unjoined], dtype=object).astype(str).str.strip().str.upper()
    pairs = pd.DataFrame({"name": names[unjoined], "country": codes.to_numpy()})
    counts = pairs.value_counts(sort=False).reset_index(name="n")
    counts = counts.sort_values(["n", "name", "country"], ascending=[False, True, True])
    rows = [(str(a), str(c), int(n)) for a, c, n in counts.itertuples(index=False)]
    summary = m.admin1_unjoined_summary(rows, len(rows), int(unjoined.sum()))
    out.warnings.append(Problem(out.file, None, "admin1", summary))


def _canonical_regions(stated: np.ndarray) -> np.ndarray:
    """Each stated region's label (``None`` where unknown), each name looked up once (the exact
    lookup ``canonical_region`` makes; its suggestions are worked out only for the messages)."""
    codes, names = pd.factorize(pd.Series(stated, dtype=object))
    canonical = np.array([region_label(n) if n else None for n in names], dtype=object)
    result = np.full(len(stated), None, dtype=object)
    known = codes >= 0
    result[known] = canonical[codes[known]]
    return result


def check_country(t: pd.DataFrame, out: Collector) -> None:
    """``country`` as an upper-case ISO 3166-1 alpha-2 code; a warning where the region the
    point falls in belongs to another country (a point just across a border, or a typo)."""
    country = t["country"].str.upper()
    bad = (country != "") & ~country.str.fullmatch(r"[A-Z]{2}").fillna(False)
    out.rows_where(
        bad.to_numpy(),
        "country",
        m.not_a_country,
        country.to_numpy(),
    )
    t["country"] = country
    of_region = region_countries()
    region = t["region"].to_numpy(dtype=object)
    codes = country.to_numpy(dtype=object)
    where = np.array([of_region.get(r, "") for r in region], dtype=object)
    elsewhere = (codes != "") & ~bad.to_numpy() & (where != "") & (where != codes)
    out.rows_where(
        elsewhere,
        "country",
        lambda i: m.in_another_country(region[i], where[i], codes[i]),
        warn=True,
    )


def check_event_types(t: pd.DataFrame, out: Collector) -> None:
    types = t["event_type"].to_numpy(dtype=object)
    out.rows_where(
        ~np.isin(types, list(EVENT_TYPES)),
        "event_type",
        m.unknown_event_type,
        types,
    )


def check_tolls(raw: pd.DataFrame, t: pd.DataFrame, out: Collector, what: str) -> None:
    """``{what}_low``/``_best``/``_high`` as whole numbers with low <= best <= high.

    Missing bounds come from the figures given: only a best figure is a range of one value; only
    a low (or a high) is also its best; the range never widens beyond what is given.
    """
    given = {}
    for bound in ("low", "best", "high"):
        column = f"{what}_{bound}"
        if column not in raw.columns:
            given[bound] = np.full(len(raw), np.nan)
            continue
        text = raw[column].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        given[bound], bad = whole_numbers(text)
        out.rows_where(bad, column, toll_message(column), text)
    low, best, high = given["low"], given["best"], given["high"]
    best = np.where(np.isnan(best), np.where(np.isnan(low), high, low), best)
    low = np.where(np.isnan(low), best, low)
    high = np.where(np.isnan(high), best, high)
    with np.errstate(invalid="ignore"):
        out.rows_where(
            low > best,
            f"{what}_low",
            lambda i: m.low_above_best(what, low[i], best[i]),
        )
        out.rows_where(
            best > high,
            f"{what}_high",
            lambda i: m.high_below_best(what, high[i], best[i]),
        )
    for bound, values in (("low", low), ("best", best), ("high", high)):
        t[f"{what}_{bound}"] = pd.array(values, dtype="Float64").round().astype("Int64")


def check_sources(t: pd.DataFrame, out: Collector, source_ids: set[str]) -> None:
    """Every id in ``sources`` (``;``-separated) is one of the sources table's."""
    cited = t["sources"].to_numpy(dtype=object)
    unknown = np.array(
        [
            ",".join(s for s in str(text).split(";") if s.strip() and s.strip() not in source_ids)
            for text in cited
        ],
        dtype=object,
    )
    out.rows_where(unknown != "", "sources", m.unknown_sources, unknown)
