"""The incident checks of ``geo.validate.incidents``, as SQL over a staged table.

The staged table (``geo.columnar``) holds ``row``, the file's columns as text under positional
names, and what the rows' points gave as they were staged: ``lon_num``/``lat_num`` (read by
``num``), ``joined`` (the region the point lies in) and ``joined_country``, ``region_canon``
(the stated region's label, where it has one) and ``canon_country``. The view ``t`` reads every
facet from them exactly as the pandas checks do; each check below is one condition over ``t``,
in the order the pandas checks run, so that both list the same problems in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from geo.errors import Problem
from geo.schema import (
    COLUMNS,
    DATASET_COLUMNS,
    DATE_PRECISIONS,
    EVENT_TYPES,
    FREE_TEXT_COLUMNS,
    GEO_PRECISIONS,
    REQUIRED,
)
from geo.validate import messages as m
from geo.validate.cell_values import date_message, toll_message
from geo.validate.incidents import missing_column
from geo.validate.sql import (
    Check,
    Found,
    column,
    count_checks,
    listed,
    message_with,
    report,
)

TOLLS = ("killed", "wounded")
BOUNDS = ("low", "best", "high")


def _words(values: Iterable[str]) -> str:
    """A vocabulary of the schema's as an SQL list."""
    return ", ".join(f"'{v}'" for v in values)


def _cell(names: Sequence[str], name: str) -> str:
    """The staged text of column ``name``; ``''`` when the table lacks it."""
    return column(names.index(name)) if name in names else "''"


def typed_view(names: Sequence[str]) -> str:
    """The SQL of view ``t``: every facet of each staged row, read and derived."""
    c = {name: _cell(names, name) for name in COLUMNS}
    allowed = " ".join(f"WHEN '{k}' THEN {v}" for k, v in DATE_PRECISIONS.items())
    text = ",\n".join(
        f"{c[n]} AS {n}" if n in FREE_TEXT_COLUMNS else f"strip({c[n]}) AS {n}"
        for n in ("place", "perpetrator", "target", "summary", "sources")
        + ("source_event_type", "source_sub_event_type", *DATASET_COLUMNS)
    )
    return f"""
    SELECT row, strip({c["incident_id"]}) AS incident_id,
      {c["date_start"]} AS start_text, day_of(strip(start_text)) AS start_d,
      {c["date_end"]} AS end_text, strip(end_text) AS end_s, end_s = '' AS end_blank,
      CASE WHEN end_blank THEN start_d ELSE day_of(end_s) END AS end_d,
      end_d - start_d AS span,
      strip({c["date_precision"]}) AS prec_stated,
      CASE WHEN prec_stated <> '' THEN prec_stated WHEN span <= 0 THEN 'day'
        WHEN span <= 6 THEN 'week' WHEN span <= 30 THEN 'month' WHEN span <= 365 THEN 'year'
        ELSE '' END AS date_precision,
      date_precision IN ({_words(DATE_PRECISIONS)}) AS prec_known,
      CASE date_precision {allowed} END AS prec_allowed,
      {c["lat"]} AS lat_text, {c["lon"]} AS lon_text, lat_num, lon_num,
      coalesce(isfinite(lat_num) AND isfinite(lon_num) AND abs(lat_num) <= 90
        AND abs(lon_num) <= 180, false) AS inside,
      strip({c["geo_precision"]}) AS geo_stated,
      CASE WHEN geo_stated = '' THEN 'point' ELSE geo_stated END AS geo_precision,
      geo_precision = 'country' AS by_country,
      strip({c["region"]}) AS stated, joined, region_canon,
      stated <> '' AND region_canon IS NULL AS region_unknown,
      strip({c["admin1"]}) AS admin1_stated, admin1_canon,
      coalesce(admin1_canon = region_canon, false) AS vouched,
      CASE WHEN stated = '' OR vouched THEN admin1_canon END AS admin1_region,
      CASE WHEN by_country THEN '' WHEN stated = '' THEN coalesce(admin1_region, joined, '')
        ELSE coalesce(region_canon, stated) END AS region,
      CASE WHEN by_country THEN '' WHEN admin1_region IS NOT NULL THEN upper(strip({c["country"]}))
        WHEN stated = '' THEN coalesce(joined_country, '')
        ELSE coalesce(canon_country, '') END AS region_country,
      upper(strip({c["country"]})) AS country,
      country <> '' AND NOT regexp_full_match(country, '[A-Z]{{2}}') AS country_bad,
      strip({c["event_type"]}) AS event_type,
      {_tolls(c)},
      {text}
    FROM staging"""  # noqa: S608 - the product's own SQL: no cell, no name from a file


def _tolls(c: dict[str, str]) -> str:
    """Each toll's text and given figure, then low, best and high as ``check_tolls`` fills
    them in: best from low or high where missing, low and high from best."""
    parts = []
    for what in TOLLS:
        for bound in BOUNDS:
            name = f"{what}_{bound}"
            parts.append(f"strip({c[name]}) AS {name}_text")
            parts.append(f"num_of({name}_text) AS {name}_num")
            parts.append(f"whole_of({name}_num) AS {name}_given")
        parts.append(
            f"coalesce({what}_best_given, {what}_low_given, {what}_high_given) AS {what}_best"
        )
        parts.append(f"coalesce({what}_low_given, {what}_best) AS {what}_low")
        parts.append(f"coalesce({what}_high_given, {what}_best) AS {what}_high")
    return ",\n      ".join(parts)


def date_checks(names: Sequence[str]) -> list[Check]:
    start = date_message("date_start")
    checks = [Check("date_start", "start_d IS NULL", ("start_text",), _first(start))]
    if "date_end" in names:
        checks.append(
            Check(
                "date_end",
                "end_d IS NULL AND NOT end_blank",
                ("end_text",),
                _first(date_message("date_end")),
            )
        )
    return checks + [
        Check("date_end", "span < 0", (), lambda _: m.END_BEFORE_START),
        Check(
            "date_precision",
            "NOT prec_known AND prec_stated <> ''",
            ("date_precision",),
            _first(m.unknown_date_precision),
        ),
        Check(
            "date_end",
            "prec_known AND span > prec_allowed",
            ("span",),
            _first(m.too_long_for_precision),
        ),
        Check("date_end", "span > 365 AND prec_stated = ''", (), lambda _: m.LONGER_THAN_A_YEAR),
    ]


def _first(message: Callable[[Any], str]) -> Callable[[tuple[Any, ...]], str]:
    """A message of one value, given the values as a tuple."""
    return lambda values: message(values[0])


UNJOINED = (
    "stated = '' AND admin1_stated <> '' AND admin1_canon IS NULL AND inside AND NOT by_country"
)
"""Rows whose own admin1 joins no region (the point decides theirs)."""


def admin1_summary(con: duckdb.DuckDBPyConnection, *, file: str, found: Found) -> None:
    """One warning listing every admin1 name that joins no region, with its rows."""
    counts = con.execute(
        f"SELECT admin1_stated, country, count(*) AS n FROM t WHERE {UNJOINED} "  # noqa: S608
        "GROUP BY 1, 2 ORDER BY n DESC, 1, 2"
    ).fetchall()
    if counts:
        rows = [(str(a), str(c), int(n)) for a, c, n in counts]
        text = m.admin1_unjoined_summary(rows, len(rows), sum(n for *_, n in rows))
        found.warnings.append(Problem(file, None, "admin1", text))


def place_checks() -> list[Check]:
    """Coordinates, geo_precision, regions (a warning for a point in none) and country."""
    return _coordinate_checks() + _region_checks()


def _coordinate_checks() -> list[Check]:
    """lat and lon: numbers, within 90 and 180 degrees."""
    checks = []
    for name, limit in (("lat", 90), ("lon", 180)):
        checks.append(
            Check(
                name,
                f"NOT coalesce(isfinite({name}_num), false)",
                (f"{name}_text",),
                message_with(m.not_a_number, name),
            )
        )
        checks.append(
            Check(
                name,
                f"isfinite({name}_num) AND abs({name}_num) > {limit}",
                (f"{name}_num", str(limit)),
                message_with(m.outside_range, name),
            )
        )
    return checks


def _region_checks() -> list[Check]:
    """geo_precision's words; the region and admin1 against the point; the country."""
    return [
        Check(
            "geo_precision",
            f"geo_precision NOT IN ({_words(GEO_PRECISIONS)})",
            ("geo_precision",),
            _first(m.unknown_geo_precision),
        ),
        Check("region", "region_unknown", ("stated",), _first(m.unknown_region)),
        Check(
            "region",
            "stated <> '' AND NOT region_unknown AND inside AND NOT by_country AND NOT vouched "
            "AND (joined IS NULL OR region_canon <> joined)",
            ("lat_num", "lon_num", "joined", "stated"),
            lambda v: m.region_mismatch(*v),
        ),
        Check(
            "admin1",
            UNJOINED,
            ("admin1_stated", "joined", "country"),
            lambda v: m.admin1_unjoined(*v),
            warn=True,
        ),
        Check(
            "admin1",
            "admin1_region IS NOT NULL AND inside AND NOT by_country "
            "AND (joined IS NULL OR admin1_region <> joined)",
            ("admin1_stated", "admin1_region", "joined"),
            lambda v: m.admin1_elsewhere(*v),
            warn=True,
        ),
        Check(
            "lat",
            "inside AND NOT by_country AND joined IS NULL",
            ("lat_num", "lon_num"),
            lambda v: m.in_no_region(*v),
            warn=True,
        ),
        Check("country", "country_bad", ("country",), _first(m.not_a_country)),
        Check(
            "country",
            "country <> '' AND NOT country_bad AND region_country <> '' "
            "AND region_country <> country",
            ("region", "region_country", "country"),
            lambda v: m.in_another_country(*v),
            warn=True,
        ),
    ]


def toll_checks(names: Sequence[str]) -> list[Check]:
    checks = [
        Check(
            "event_type",
            f"event_type NOT IN ({_words(EVENT_TYPES)})",
            ("event_type",),
            _first(m.unknown_event_type),
        )
    ]
    for what in TOLLS:
        for bound in BOUNDS:
            name = f"{what}_{bound}"
            if name in names:
                text, given = f"{name}_text", f"{name}_given"
                message = _first(toll_message(name))
                checks.append(Check(name, f"{text} <> '' AND {given} IS NULL", (text,), message))
        checks.append(
            Check(
                f"{what}_low",
                f"{what}_low > {what}_best",
                (f"{what}_low", f"{what}_best"),
                message_with(m.low_above_best, what),
            )
        )
        checks.append(
            Check(
                f"{what}_high",
                f"{what}_best > {what}_high",
                (f"{what}_high", f"{what}_best"),
                message_with(m.high_below_best, what),
            )
        )
    return checks


def check_repeated_ids(con: duckdb.DuckDBPyConnection, *, file: str, found: Found) -> bool:
    """Repeated ``incident_id``s, each after its first row; whether there is any."""
    repeated = Check("incident_id", "", (), message_with(m.duplicate_id, "incident_id"))
    before = len(found.problems)
    listed(
        con,
        """WITH d AS (SELECT incident_id, min(row) AS first FROM t WHERE incident_id <> ''
             GROUP BY incident_id HAVING count(*) > 1)
           SELECT t.row, t.incident_id, d.first, count(*) OVER () AS total
           FROM t JOIN d USING (incident_id) WHERE t.row > d.first""",
        repeated,
        file=file,
        found=found,
    )
    return len(found.problems) > before


def check_sources(con: duckdb.DuckDBPyConnection, *, file: str, found: Found) -> None:
    """Every ``;``-separated id in ``sources`` is one of the table ``source_ids``: each
    distinct ``sources`` text is split once (a table repeats a few hundred of them), then the
    rows of those naming an unknown id are listed."""
    listed(
        con,
        """WITH texts AS (SELECT DISTINCT sources FROM t WHERE sources <> ''),
           parts AS (
             SELECT sources, unnest(string_split(sources, ';')) AS part,
               generate_subscripts(string_split(sources, ';'), 1) AS i
             FROM texts),
           bad AS (
             SELECT sources, string_agg(part, ',' ORDER BY i) AS unknown FROM parts
             WHERE strip(part) <> '' AND strip(part) NOT IN (SELECT id FROM source_ids)
             GROUP BY sources)
           SELECT t.row, bad.unknown, count(*) OVER () AS total
           FROM t JOIN bad USING (sources)""",
        Check("sources", "", (), _first(m.unknown_sources)),
        file=file,
        found=found,
    )


def check_incidents(
    con: duckdb.DuckDBPyConnection,
    names: Sequence[str],
    rows: int,
    *,
    file: str,
    found: Found,
    with_sources: bool,
    header: Sequence[str] | None = None,
) -> bool:
    """Every check of ``validate_incidents`` over ``staging`` (view ``t`` is made here);
    whether the table could be read into ``t`` (its required columns are there and it has
    rows). ``header``: every column of the file, for the message when one is missing."""
    missing = [c for c in REQUIRED if c not in names]
    shown = list(header if header is not None else names)
    for name in missing:
        found.problems.append(Problem(file, None, name, missing_column(name, shown)))
    if not missing and rows == 0:
        found.problems.append(Problem(file, None, None, m.NO_ROWS))
    if missing or rows == 0:
        return False
    con.execute(f"CREATE OR REPLACE VIEW t AS {typed_view(names)}")
    empty = Check("incident_id", "incident_id = ''", (), lambda _: m.empty_id("incident_id"))
    checks = [empty, *date_checks(names), *place_checks(), *toll_checks(names)]
    counts = count_checks(con, "t", checks)  # one pass for all; listed in the pandas order
    report(con, "t", checks[:1], counts[:1], file=file, found=found)
    duplicates = check_repeated_ids(con, file=file, found=found)
    # the admin1 summary follows the region checks, as in the pandas order
    k = next(i for i, c in enumerate(checks) if c.column == "lat" and c.warn) + 1
    report(con, "t", checks[1:k], counts[1:k], file=file, found=found)
    admin1_summary(con, file=file, found=found)
    report(con, "t", checks[k:], counts[k:], file=file, found=found)
    if with_sources:
        check_sources(con, file=file, found=found)
    first = " QUALIFY row_number() OVER (PARTITION BY incident_id ORDER BY row) = 1"
    con.execute(
        "CREATE OR REPLACE VIEW ranges AS SELECT incident_id, killed_low, killed_high, "  # noqa: S608
        "wounded_low, wounded_high FROM t" + (first if duplicates else "")
    )
    return True


def write_incidents(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """The checked table (``COLUMNS`` and ``row``) as Parquet: dates as timestamps, tolls as
    64-bit integers, coordinates as doubles, in the file's row order."""
    typed = {
        "date_start": "CAST(start_d AS TIMESTAMP)",
        "date_end": "CAST(end_d AS TIMESTAMP)",
        "lat": "lat_num",
        "lon": "lon_num",
        **{f"{w}_{b}": f"CAST(round({w}_{b}) AS BIGINT)" for w in TOLLS for b in BOUNDS},
    }
    select = ", ".join(f"{typed.get(n, n)} AS {n}" for n in COLUMNS)
    con.sql(f"SELECT {select}, row FROM t").write_parquet(str(out), compression="zstd")  # noqa: S608


__all__ = ["check_incidents", "typed_view", "write_incidents"]
