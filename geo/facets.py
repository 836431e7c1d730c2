"""The facet registry: every filter declared once, for the sidebar, the URL, the CLI and the SQL.

A :class:`Facet` says which field of :class:`geo.filters.Filters` it fills, which column of the
incident table it reads, its URL parameter and command-line option, the widget that sets it,
how one typed or linked value is parsed, its SQL predicate (values only ever as bound
parameters, see :class:`Bind`) and its words in :meth:`Filters.describe`. Adding a facet is one
entry in :data:`FACETS` (and its field on ``Filters``); the sidebar, the URL round trip, the
command line, both query back ends and every export caption follow from it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from geo.errors import UsageError
from geo.schema import ACTOR_COLUMNS, EVENT_TYPES, FIRST_DATE, LAST_DATE

# The registry is read when the command line is set up (its options come from here): the
# region shapes and symbols, which need pandas, are imported only when a value is looked up.

EXACT_PRECISIONS = ("point", "city")
"""Precisions kept by the "located at least to the city" switch."""
FIRST_YEAR = int(FIRST_DATE[:4])
LAST_YEAR = int(LAST_DATE[:4])


class Bind:
    """Bound parameters collected while a statement is built.

    ``bind(value)`` stores the value and returns its placeholder in the driver's style:
    ``$p0`` for DuckDB, ``%(p0)s`` for psycopg. Nothing a user typed is ever part of the text.
    """

    def __init__(self, style: str, *, folded: str | None = None) -> None:
        if style not in ("duckdb", "psycopg"):
            raise UsageError(f"unknown parameter style {style!r}")
        self.style = style
        self.folded = folded
        """The column that holds the searched text folded already, where the table has one."""
        self.values: dict[str, object] = {}

    def __call__(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}" if self.style == "duckdb" else f"%({name})s"

    def each(self, values: Sequence[object]) -> str:
        """``(p0, p1, ...)``: a list for ``IN``, one placeholder per value."""
        return "(" + ", ".join(self(v) for v in values) + ")"


Predicate = Callable[[Any, Bind], str]


@dataclass(frozen=True)
class Facet:
    """One filter: where its value lives, how it is typed, linked, asked for and described."""

    name: str
    """The ``Filters`` field it fills."""
    key: str
    """Its URL parameter (repeated, or comma-separated, for several values)."""
    column: str
    """The incident table's column it tests."""
    label: str
    """The sidebar widget's label."""
    widget: str
    """``"dates"`` (the time slider), ``"multi"`` (a multiselect) or ``"toggle"``."""
    what: str
    """What a valid value is, for a note on a value that is left out."""
    parse: Callable[[str], Any]
    """One value as typed or linked -> the value, or ``None`` when it is not valid."""
    predicate: Predicate
    """The facet's SQL test for a chosen value (never called for an empty one)."""
    words: Callable[[Any], str]
    """The facet's part of :meth:`Filters.describe` for a chosen value."""
    cli_help: str = ""
    placeholder: str = ""
    everything: str = ""
    """What :meth:`Filters.describe` says when the facet is not chosen ("" says nothing)."""
    many: bool = True
    """Several values (a tuple on ``Filters``); else one value."""
    offered: tuple[str, ...] = ()
    """For a ``"values"`` widget: the columns whose values it offers (their union, with
    counts for the current selection); the widget is drawn when any of them has a value."""
    split: bool = True
    """Whether a URL value is split at commas (names that may hold one are not)."""
    cli: str = ""
    """Its command-line option's name, when not the URL key's (with ``-`` for ``_``)."""
    text: Callable[[Any], str] = str
    """A value as the URL and the command line write it (``parse`` reads it back)."""
    max_chars: int = 200
    """The longest URL value read (a drawn outline is longer than any name)."""

    @property
    def option(self) -> str:
        """Its command-line option."""
        return "--" + (self.cli or self.key.replace("_", "-"))


def parse_date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) or not FIRST_DATE <= text <= LAST_DATE:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_year(text: str) -> int | None:
    if not re.fullmatch(r"[0-9]{4}", text):  # ASCII digits only: "²".isdigit() is true
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def parse_country(text: str) -> str | None:
    return text.upper() if re.fullmatch(r"[A-Za-z]{2}", text) else None


def _years_sql(years: Sequence[int], bind: Bind) -> str:
    spans = [
        f"(date_start <= {bind(date(y, 12, 31))} AND date_end >= {bind(date(y, 1, 1))})"
        for y in years
    ]
    return "(" + " OR ".join(spans) + ")"


def _in(column: str) -> Predicate:
    return lambda values, bind: f"{column} IN {bind.each(list(values))}"


LIST_COLUMNS = ("assoc_actors", "attack_types", "target_types", "weapon_types")
"""Columns that hold several names with ``'; '`` between them (``geo.schema``)."""
MAX_NAME_CHARS = 200
"""The longest name (an actor, an admin unit, a type) a facet takes."""


def parse_name(text: str) -> str | None:
    """A name as a dataset writes it: any text of up to ``MAX_NAME_CHARS``, trimmed, with no
    control character."""
    text = text.strip()
    if not text or len(text) > MAX_NAME_CHARS or any(ord(c) < 32 for c in text):
        return None
    return text


def _any_of(columns: Sequence[str]) -> Predicate:
    """One of ``values`` in any of ``columns``; in a list column, as one of its items."""

    def test(values: Sequence[str], bind: Bind) -> str:
        tests = []
        for column in columns:
            if column in LIST_COLUMNS:  # a name holding "; " is no one item of such a list
                tests += [
                    f"strpos('; ' || coalesce({column}, '') || '; ', {bind('; ' + v + '; ')}) > 0"
                    for v in values
                    if "; " not in v
                ]
            else:
                tests.append(f"{column} IN {bind.each(list(values))}")
        return " OR ".join(tests)

    return test


FOLD_FROM = (
    "ÀÁÂÃÄÅàáâãäåÇçĆćČčÈÉÊËèéêëĘęĚěÌÍÎÏìíîïİıĞğŁłÑñŃńŇňÒÓÔÕÖØòóôõöøŐőŘřŚśŠšŞş"
    "ȘșŤťȚțÙÚÛÜùúûüŮůŰűÝýÿŹźŻżŽžĐđ"
)
"""Letters a search folds to their plain Latin letter (either case), the same in Python, in
DuckDB and in PostgreSQL (whose ``lower`` leaves such letters alone in the C locale)."""
_UNDECOMPOSED = {"ı": "i", "ł": "l", "đ": "d", "ø": "o"}


def _plain(letter: str) -> str:
    low = letter.lower()[:1]
    return _UNDECOMPOSED.get(low) or unicodedata.normalize("NFKD", low)[0]


FOLD_TO = "".join(_plain(c) for c in FOLD_FROM)
_FOLDING = str.maketrans(FOLD_FROM, FOLD_TO)
SEARCHED = ("place", "summary", "perpetrator", "target", "actor1", "actor2", "assoc_actors")
"""The columns the search facet looks in."""
MAX_SEARCH_CHARS = 200


def fold(text: str) -> str:
    """``text`` as a search compares it: lower case, accents folded (:data:`FOLD_FROM`)."""
    return text.translate(_FOLDING).lower()


def parse_search(text: str) -> str | None:
    """Words to look for: spaces run together; none of more than ``MAX_SEARCH_CHARS`` or with
    a control character."""
    text = " ".join(text.split())
    if not text or len(text) > MAX_SEARCH_CHARS or any(ord(c) < 32 for c in text):
        return None
    return text


SEARCH_COLUMN = "search_text"
"""The embedded engine's column of :func:`folded_text`, made once when its table is."""


def folded_text() -> str:
    """The searched columns as one folded text (``\x1f`` between them: a phrase never runs
    from one column into the next, and no typed character is the separator)."""
    haystack = " || chr(31) || ".join(f"coalesce({c}, '')" for c in SEARCHED)
    return f"lower(translate({haystack}, '{FOLD_FROM}', '{FOLD_TO}'))"


def _search_sql(text: str, bind: Bind) -> str:
    return f"strpos({bind.folded or folded_text()}, {bind(fold(text))}) > 0"


def _names(values: Sequence[str]) -> str:
    from geo.places.regions import country_names

    names = country_names()
    return ", ".join(names.get(c, c) for c in values)


def _region(text: str) -> str | None:
    """A region by its label, code or name, or by a dataset's spelling of one ("Idleb")."""
    from geo.places.admin import admin1_anywhere
    from geo.places.regions import region_label

    return region_label(text) or admin1_anywhere(text)


def _types(values: Sequence[str]) -> str:
    from geo.symbology import type_label

    return "types: " + ", ".join(type_label(t) for t in values)


def parse_area(text: str) -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` in degrees (west above east: across the 180th meridian)."""
    parts = text.replace(" ", "").split(",")
    if len(parts) != 4 or any(len(p) > 20 for p in parts):
        return None
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        return None
    box = (west, south, east, north)
    if not all(math.isfinite(v) for v in box):
        return None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south < north <= 90):
        return None
    return tuple(round(v, 5) for v in box)  # type: ignore[return-value]


def area_text(box: tuple[float, float, float, float]) -> str:
    """An area as the URL writes it: ``west,south,east,north``."""
    return ",".join(f"{v:g}" for v in box)


def _area_sql(box: tuple[float, float, float, float], bind: Bind) -> str:
    west, south, east, north = box
    lat = f"lat BETWEEN {bind(south)} AND {bind(north)}"
    if west <= east:
        return f"{lat} AND lon BETWEEN {bind(west)} AND {bind(east)}"
    return f"{lat} AND (lon >= {bind(west)} OR lon <= {bind(east)})"


MAX_VERTICES = 100
"""Most points an area drawn or read from a file may have: its SQL tests every edge of the
incidents in the outline's box (a million incidents, an outline round the world: 0.15 s a
question with 4 points, 0.3 s with 50, 0.8 s with 100, 1.9 s with 200)."""
WITHIN_CHARS = MAX_VERTICES * 26
"""The longest outline a URL may give (a point is at most ``-123.12345 -12.12345,``)."""

Rings = tuple[tuple[tuple[float, float], ...], ...]
"""An area's outline: rings of (longitude, latitude), each closed by its first point; a point
is inside when it lies inside an odd number of them (so parts and holes both work)."""


def parse_within(text: str) -> Rings | None:
    """An area's outline as the URL writes it: ``lon lat,lon lat,...`` with rings separated by
    ``;``; at least three points a ring, at most ``MAX_VERTICES`` in all. A ring that crosses
    the 180th meridian (a step of more than 180 degrees of longitude) is read the short way
    round, its longitudes then running past 180 (or -180)."""
    if len(text) > WITHIN_CHARS:
        return None
    rings = []
    for part in text.split(";"):
        ring = _ring(part)
        if ring is None:
            return None
        rings.append(ring)
    if not rings or sum(len(r) for r in rings) > MAX_VERTICES:
        return None
    return tuple(rings)


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _ring(part: str) -> tuple[tuple[float, float], ...] | None:
    points: list[tuple[float, float]] = []
    for pair in (p.split() for p in part.split(",") if p.strip()):
        if len(pair) != 2 or not all(_NUMBER.fullmatch(v) for v in pair):
            return None
        x, y = float(pair[0]), float(pair[1])
        if not (-180 <= x <= 180 and -90 <= y <= 90):  # NaN and infinities fail too
            return None
        if points and x - points[-1][0] > 180:  # across the 180th meridian, westwards
            x -= 360
        elif points and points[-1][0] - x > 180:  # eastwards
            x += 360
        points.append((round(x, 5), round(y, 5)))
    if points and points[0] == points[-1]:
        points.pop()
    return tuple(points) if len(points) >= 3 else None


def within_text(rings: Rings) -> str:
    """An area's outline as the URL writes it (:func:`parse_within` reads it back), each
    longitude between -180 and 180 (the reader goes round the short way again)."""

    def number(v: float) -> str:
        return f"{v:.5f}".rstrip("0").rstrip(".")

    return ";".join(
        ",".join(f"{number((x + 180) % 360 - 180 if abs(x) > 180 else x)} {number(y)}"
                 for x, y in ring)
        for ring in rings
    )  # fmt: skip


def _within_sql(rings: Rings, bind: Bind) -> str:
    """Inside the outline by the even-odd rule: a ray to the east from the incident crosses its
    edges an odd number of times. Edges along a parallel never count and are left out; every
    number is a bound parameter; only incidents in the outline's box are tested edge by edge.
    An outline past the 180th meridian is tested at the incident's longitude and at the same
    longitude a turn further east (or west)."""
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    tests = [_inside_sql("lon", rings, bind)]
    if max(xs) > 180:
        tests.append(_inside_sql("(lon + 360)", rings, bind))
    if min(xs) < -180:
        tests.append(_inside_sql("(lon - 360)", rings, bind))
    box = f"lat BETWEEN {bind(min(ys))} AND {bind(max(ys))}"
    return f"({box} AND (" + " OR ".join(tests) + "))"


def _inside_sql(lon: str, rings: Rings, bind: Bind) -> str:
    xs = [x for ring in rings for x, _ in ring]
    crossings = []
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if y1 == y2:
                continue
            slope = (x2 - x1) / (y2 - y1)
            crossings.append(
                f"CASE WHEN (lat < {bind(y1)}) <> (lat < {bind(y2)}) AND {lon} < "
                f"{bind(slope)} * (lat - {bind(y1)}) + {bind(x1)} THEN 1 ELSE 0 END"
            )
    inside = f"mod({' + '.join(crossings) or '0'}, 2) = 1"
    # The box first: most incidents lie outside it and never reach the edges.
    return (
        f"CASE WHEN {lon} BETWEEN {bind(min(xs))} AND {bind(max(xs))} THEN {inside} ELSE false END"
    )


def _within_words(rings: Rings) -> str:
    points = sum(len(r) for r in rings)
    parts = f" in {len(rings)} parts" if len(rings) > 1 else ""
    return f"in a drawn area ({points} points{parts})"


FACETS: tuple[Facet, ...] = (
    Facet(
        "start", "start", "date_end", "Time range", "dates", "a date (YYYY-MM-DD)", parse_date,
        lambda d, bind: f"date_end >= {bind(d)}", lambda d: f"from {d}",
        cli_help="from this date (YYYY-MM-DD)", many=False,
    ),
    Facet(
        "end", "end", "date_start", "Time range", "dates", "a date (YYYY-MM-DD)", parse_date,
        lambda d, bind: f"date_start <= {bind(d)}", lambda d: f"to {d}",
        cli_help="to this date (YYYY-MM-DD)", many=False,
    ),
    Facet(
        "years", "year", "date_start", "Year", "multi",
        f"a year from {FIRST_YEAR} to {LAST_YEAR}", parse_year, _years_sql,
        lambda ys: "year " + ", ".join(map(str, ys)),
        cli_help="incidents whose dates touch these years", placeholder="All years",
    ),
    Facet(
        "regions", "region", "region", "Region", "multi", "a known region", _region,
        _in("region"), lambda rs: "regions: " + ", ".join(rs),
        cli_help="admin-1 regions, by name", placeholder="All regions", everything="all regions",
    ),
    Facet(
        "types", "type", "event_type", "Event type", "multi", "an event type",
        lambda t: t if t in EVENT_TYPES else None, _in("event_type"),
        _types,
        cli_help="event types: " + ", ".join(EVENT_TYPES), placeholder="All types",
        everything="all types",
    ),
    Facet(
        "countries", "country", "country", "Country", "multi",
        "a two-letter country code (ISO 3166-1)", parse_country, _in("country"),
        lambda cs: "countries: " + _names(cs),
        cli_help="ISO alpha-2 country codes", placeholder="All countries",
    ),
    Facet(
        "exact_only", "exact", "geo_precision", "Only incidents located to the city or better",
        "toggle", "1", lambda t: True if t == "1" else None,
        lambda _on, bind: f"geo_precision IN {bind.each(list(EXACT_PRECISIONS))}",
        lambda _on: "located to the city or better",
        cli_help="only incidents located at least to the city", many=False,
    ),
    Facet(
        "actors", "actor", "actor1", "Actor", "values", "an actor's name", parse_name,
        _any_of(ACTOR_COLUMNS), lambda vs: "actors: " + ", ".join(vs),
        cli_help="actors as the dataset names them (either side, or associated)",
        placeholder="All actors", offered=ACTOR_COLUMNS, split=False,
    ),
    Facet(
        "source_types", "source_type", "source_event_type", "The dataset's own type", "values",
        "a type's name", parse_name, _any_of(("source_event_type", "source_sub_event_type")),
        lambda vs: "dataset types: " + ", ".join(vs),
        cli_help="the dataset's own event type or sub-type (ACLED, GTD, UCDP)",
        placeholder="All of the dataset's types",
        offered=("source_event_type", "source_sub_event_type"), split=False,
    ),
    Facet(
        "admin1", "admin1", "admin1", "Admin 1 (as the dataset writes it)", "values",
        "an admin unit's name", parse_name, _in("admin1"), lambda vs: "admin 1: " + ", ".join(vs),
        cli_help="first-level admin units as the dataset writes them",
        placeholder="All admin 1 units", offered=("admin1",), split=False,
    ),
    Facet(
        "admin2", "admin2", "admin2", "Admin 2 (as the dataset writes it)", "values",
        "an admin unit's name", parse_name, _in("admin2"), lambda vs: "admin 2: " + ", ".join(vs),
        cli_help="second-level admin units as the dataset writes them",
        placeholder="All admin 2 units", offered=("admin2",), split=False,
    ),
    Facet(
        "datasets", "dataset", "dataset", "Dataset", "values", "a dataset's name", parse_name,
        _in("dataset"), lambda vs: "datasets: " + ", ".join(vs),
        cli_help="the datasets rows were imported from (ACLED, GTD, UCDP GED)",
        placeholder="All datasets", offered=("dataset",), split=False,
    ),
    Facet(
        "search", "q", "summary", "Search", "text", "words to look for", parse_search,
        _search_sql, lambda text: f"matching {text!r}",
        cli_help="words in the summary or notes, the place or an actor (case and accents "
        "ignored)", placeholder="Words in the notes, place or actors", many=False, split=False,
        cli="search",
    ),
    Facet(
        "area", "area", "lat", "Area", "area", "an area: west,south,east,north in degrees",
        parse_area, _area_sql, lambda box: f"in the area {area_text(box)}"
        + (" (across the 180th meridian)" if box[0] > box[2] else ""),
        cli_help="only incidents inside this box, W,S,E,N in degrees (west above east: across "
        "the 180th meridian)", many=False, split=False, cli="bbox", text=area_text,
    ),
    Facet(
        "within", "within", "lat", "Drawn area", "within",
        f"an area's outline: lon lat pairs, at most {MAX_VERTICES} points",
        parse_within, _within_sql, _within_words,
        cli_help="only incidents inside the polygons of this GeoJSON file, or inside an outline "
        f"written as a link writes it ('lon lat,lon lat,...'); at most {MAX_VERTICES} points",
        many=False, split=False, text=within_text, max_chars=WITHIN_CHARS,
    ),
    Facet(
        "ids", "id", "incident_id", "Incident", "ids", "an incident's id", parse_name,
        _in("incident_id"), lambda ids: "incident " + ", ".join(ids),
        cli_help="incidents by their id (a popup's link opens one)", split=False, cli="id",
    ),
)  # fmt: skip

BY_NAME = {f.name: f for f in FACETS}
BY_KEY = {f.key: f for f in FACETS}
QUERY_KEYS = tuple(f.key for f in FACETS)
"""The URL query parameters a filtered view is encoded in."""


def chosen(facet: Facet, value: Any) -> bool:
    """Whether a facet's value restricts anything (an empty tuple, ``None`` or off does not)."""
    return bool(value) if facet.many or isinstance(value, bool) else value is not None


__all__ = [
    "BY_KEY",
    "BY_NAME",
    "EXACT_PRECISIONS",
    "FACETS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "QUERY_KEYS",
    "Bind",
    "Facet",
    "chosen",
    "SEARCH_COLUMN",
    "fold",
    "folded_text",
    "parse_country",
    "parse_name",
    "parse_search",
    "parse_date",
    "parse_year",
    "parse_area",
    "area_text",
    "parse_within",
    "within_text",
    "MAX_VERTICES",
    "WITHIN_CHARS",
    "Rings",
]
