"""One ``Filters`` value, used by the dashboard, the command line and every export alike.

An incident is in when its date interval overlaps the chosen range and every other chosen facet
matches. What each facet means is declared once, in :mod:`geo.facets`: the URL round trip, the
description under a snapshot and the SQL both query back ends run are made from that registry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from geo.errors import FilterError
from geo.facets import (
    FACETS,
    QUERY_KEYS,
    Bind,
    Rings,
    chosen,
)
from geo.places.regions import canonical_region, region_label
from geo.schema import EVENT_TYPES


@dataclass(frozen=True)
class Filters:
    """What to show. Empty tuples and ``None`` mean "no restriction". One field per facet of
    :data:`geo.facets.FACETS`."""

    start: date | None = None
    end: date | None = None
    years: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    exact_only: bool = False
    actors: tuple[str, ...] = ()
    source_types: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    admin2: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    search: str | None = None
    area: tuple[float, float, float, float] | None = None
    within: Rings | None = None
    ids: tuple[str, ...] = ()

    def normalised(self) -> Filters:
        """Check names and return the filters with canonical region names and upper-case codes.

        Raises
        ------
        FilterError
            For an unknown region or event type; the message lists the valid choices.
        """
        regions = tuple(dict.fromkeys(canonical_region(r) for r in self.regions))
        unknown = [t for t in self.types if t not in EVENT_TYPES]
        if unknown:
            raise FilterError(
                f"unknown event type(s) {', '.join(map(repr, unknown))}; valid types: "
                f"{', '.join(EVENT_TYPES)}"
            )
        countries = tuple(dict.fromkeys(c.strip().upper() for c in self.countries))
        bad = [c for c in countries if len(c) != 2 or not c.isalpha()]
        if bad:
            raise FilterError(f"country codes must be ISO alpha-2 like KZ or RU, not {bad}")
        if self.start and self.end and self.start > self.end:
            raise FilterError(f"start date {self.start} is after end date {self.end}")
        return replace(
            self, regions=regions, countries=countries, years=tuple(sorted(set(self.years)))
        )

    def chosen(self) -> list[tuple[Any, Any]]:
        """``(facet, value)`` for every facet that restricts something, in registry order."""
        return [(f, getattr(self, f.name)) for f in FACETS if chosen(f, getattr(self, f.name))]

    def describe(self) -> str:
        """A one-line human description, as printed under a snapshot's title."""
        parts = []
        dates = " ".join(f.words(v) for f, v in self.chosen() if f.widget == "dates")
        if dates:
            parts.append(dates)
        for facet in FACETS:
            if facet.widget == "dates":
                continue
            value = getattr(self, facet.name)
            text = facet.words(value) if chosen(facet, value) else facet.everything
            if text:
                parts.append(text)
        return "; ".join(parts)

    def to_query(self) -> dict[str, list[str]]:
        """Encode as URL query parameters (lists for repeated values); empty facets are left out."""
        query: dict[str, list[str]] = {}
        for facet, value in self.chosen():
            if isinstance(value, bool):
                query[facet.key] = ["1"]
            elif facet.many:
                query[facet.key] = [str(v) for v in value]
            else:
                query[facet.key] = [
                    value.isoformat() if isinstance(value, date) else facet.text(value)
                ]
        return query

    def to_cli(self) -> list[str]:
        """The same filters as ``python -m geo`` options (one per facet chosen)."""
        args: list[str] = []
        for facet, value in self.chosen():
            values = self.to_query()[facet.key]
            args += [facet.option] if isinstance(value, bool) else [facet.option, *values]
        return args

    def file_stem(self, prefix: str = "incident-atlas", limit: int = 100) -> str:
        """A download's file name without its suffix, naming what the filters keep
        (``incident-atlas_2012-03-01_2015-06-30_bombing``): the values of the facets chosen,
        letters, digits and dashes only, cut at ``limit`` characters."""
        words = []
        query = self.to_query()
        for facet, value in self.chosen():
            values = query[facet.key]
            if isinstance(value, bool) or facet.name == "within":  # an outline: its name only
                words.append(facet.key)
            else:
                words.append("+".join(values) if len(values) < 4 else f"{len(values)}-{facet.key}")
        stem = "_".join([prefix, *words])
        stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
        stem = re.sub(r"[^A-Za-z0-9+_-]+", "-", stem.replace(" ", "-"))
        stem = re.sub(r"-{2,}", "-", stem.replace("+", "-"))
        return stem[:limit].rstrip("-_") or prefix

    def where(self, bind: Bind, *, precision: bool = True) -> str:
        """The filters as one SQL condition, every value a bound parameter of ``bind``.

        ``precision=False`` leaves out the "located to the city" switch, to count what it hides.
        """
        tests = [
            f.predicate(v, bind) for f, v in self.chosen() if precision or f.name != "exact_only"
        ]
        return " AND ".join(f"({t})" for t in tests) or "TRUE"

    @classmethod
    def parse_query(cls, query: Mapping[str, str | Iterable[str]]) -> tuple[Filters, list[str]]:
        """Decode URL query parameters, and say which values were dropped and why.

        Any text is accepted: unknown keys, malformed dates, years outside the supported range,
        unknown regions, types or country codes are left out, each with a note for the user.
        """
        notes: list[str] = []
        unknown = sorted(set(query) - set(QUERY_KEYS))
        if unknown:
            more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
            notes.append("unknown parameter(s) " + ", ".join(map(_shown, unknown[:5])) + more)
        values: dict[str, Any] = {}
        for facet in FACETS:
            kept = _kept(facet, query.get(facet.key, []), notes)
            if facet.many:
                values[facet.name] = tuple(kept)
            elif kept:
                values[facet.name] = kept[0]
        return cls(**values), notes


def _kept(facet: Any, raw: str | Iterable[str], notes: list[str]) -> list[Any]:
    """The valid, distinct values of one URL parameter, with a note for each one left out."""
    items = [raw] if isinstance(raw, str) else [str(item) for item in raw]
    given = sum(item.count(",") + 1 for item in items)
    texts = _query_values(facet, items, notes)
    if len(texts) > MAX_QUERY_VALUES:
        notes.append(
            f"{facet.key}: {given:,} values given; only the first {MAX_QUERY_VALUES} are read"
        )
    kept: list[Any] = []
    for text in texts[:MAX_QUERY_VALUES]:
        value = facet.parse(text)
        if value is None:
            notes.append(f"{facet.key}={_shown(text)} is not {facet.what}")
        elif value not in kept:  # "Atyrau" and "Atyrau Region" are one region
            kept.append(value)
    return kept


FILTER_FIELDS = tuple(f.name for f in fields(Filters))
assert FILTER_FIELDS == tuple(f.name for f in FACETS), "one Filters field per facet"  # noqa: S101
MAX_QUERY_VALUES = 100
"""The most values of one URL parameter that are read (a link is typed or shared by people)."""
MAX_QUERY_CHARS = 200
"""The longest value of a URL parameter that is looked up (a region's label is under 100)."""


def _query_values(facet: Any, items: list[str], notes: list[str]) -> list[str]:
    """The values of one URL parameter, split at commas (where the facet's values hold none),
    at most ``MAX_QUERY_VALUES + 1`` of them (a longer list is cut before any is looked up),
    each at most ``MAX_QUERY_CHARS``."""
    out: list[str] = []
    key = facet.key
    longest = max(MAX_QUERY_CHARS, facet.max_chars)
    budget = (MAX_QUERY_VALUES + 1) * (longest + 1)
    for item in items[: MAX_QUERY_VALUES + 1]:
        text = item[:budget].strip()
        # A region's label may hold a comma ("Central, Ghana"): whole first.
        if not facet.split:
            pieces = [text] if text else []
        elif key == "region" and len(text) <= MAX_QUERY_CHARS and region_label(text) is not None:
            pieces = [text]
        else:
            parts = text.split(",", MAX_QUERY_VALUES + 1)[: MAX_QUERY_VALUES + 1]
            pieces = [p.strip() for p in parts if p.strip()]
        for piece in pieces:
            if len(piece) > longest:
                notes.append(f"{key}={_shown(piece)} is longer than {longest:,} characters")
            else:
                out.append(piece)
        if len(out) > MAX_QUERY_VALUES:
            break
    return out


def _shown(text: str, limit: int = 40) -> str:
    """A query value quoted for a note: shortened, control characters made visible."""
    return repr(text if len(text) <= limit else text[:limit] + "…")
