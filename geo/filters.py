"""One ``Filters`` value, used by the dashboard, the command line and every export alike.

An incident is in when its date interval overlaps the chosen range and every other chosen facet
matches. Filters round-trip through a URL query string, so a filtered view can be shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from geo.errors import FilterError
from geo.regions import canonical_region
from geo.schema import EVENT_TYPES

EXACT_PRECISIONS = ("point", "city")
"""Precisions kept by the "located at least to the city" switch."""


@dataclass(frozen=True)
class Filters:
    """What to show. Empty tuples and ``None`` mean "no restriction"."""

    start: date | None = None
    end: date | None = None
    years: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    exact_only: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

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

    def describe(self) -> str:
        """A one-line human description, as printed under a snapshot's title."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        if self.years:
            parts.append("year " + ", ".join(map(str, self.years)))
        parts.append(("regions: " + ", ".join(self.regions)) if self.regions else "all regions")
        parts.append(
            ("types: " + ", ".join(t.replace("_", " ") for t in self.types))
            if self.types
            else "all types"
        )
        if self.countries:
            parts.append("countries: " + ", ".join(self.countries))
        if self.exact_only:
            parts.append("located to the city or better")
        return "; ".join(parts)

    def to_query(self) -> dict[str, list[str]]:
        """Encode as URL query parameters (lists for repeated values); empty facets are left out."""
        query: dict[str, list[str]] = {}
        if self.start:
            query["start"] = [self.start.isoformat()]
        if self.end:
            query["end"] = [self.end.isoformat()]
        for key, values in (
            ("year", self.years),
            ("region", self.regions),
            ("type", self.types),
            ("country", self.countries),
        ):
            if values:
                query[key] = [str(v) for v in values]
        if self.exact_only:
            query["exact"] = ["1"]
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, str | Iterable[str]]) -> Filters:
        """Decode URL query parameters; values that do not parse are dropped, not fatal."""

        def values(key: str) -> list[str]:
            raw = query.get(key, [])
            items = [raw] if isinstance(raw, str) else list(raw)
            return [s for item in items for s in str(item).split(",") if s.strip()]

        def one_date(key: str) -> date | None:
            for text in values(key):
                try:
                    return date.fromisoformat(text.strip())
                except ValueError:
                    return None
            return None

        regions = []
        for name in values("region"):
            try:
                regions.append(canonical_region(name))
            except FilterError:
                continue
        return cls(
            start=one_date("start"),
            end=one_date("end"),
            years=tuple(int(y) for y in values("year") if y.strip().isdigit()),
            regions=tuple(regions),
            types=tuple(t for t in values("type") if t in EVENT_TYPES),
            countries=tuple(c.upper() for c in values("country") if len(c.strip()) == 2),
            exact_only=values("exact")[:1] == ["1"],
        )


def filter_mask(incidents: pd.DataFrame, filters: Filters, *, precision: bool = True) -> np.ndarray:
    """Boolean mask of the incidents the filters keep.

    ``precision=False`` ignores the "located to the city" switch, to count what it hides.
    """
    n = len(incidents)
    keep = np.ones(n, dtype=bool)
    if n == 0:
        return keep
    start = incidents["date_start"].to_numpy(dtype="datetime64[D]")
    end = incidents["date_end"].to_numpy(dtype="datetime64[D]")
    if filters.start is not None:
        keep &= end >= np.datetime64(filters.start, "D")
    if filters.end is not None:
        keep &= start <= np.datetime64(filters.end, "D")
    if filters.years:
        in_year = np.zeros(n, dtype=bool)
        for year in filters.years:
            first = np.datetime64(f"{year:04d}-01-01", "D")
            last = np.datetime64(f"{year:04d}-12-31", "D")
            in_year |= (start <= last) & (end >= first)
        keep &= in_year
    if filters.regions:
        keep &= incidents["region"].isin(filters.regions).to_numpy()
    if filters.types:
        keep &= incidents["event_type"].isin(filters.types).to_numpy()
    if filters.countries:
        keep &= incidents["country"].isin(filters.countries).to_numpy()
    if precision and filters.exact_only:
        keep &= incidents["geo_precision"].isin(EXACT_PRECISIONS).to_numpy()
    return keep


def filter_incidents(incidents: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The incidents the filters keep (same type as given, GeoDataFrame stays GeoDataFrame)."""
    return incidents[filter_mask(incidents, filters)]


def hidden_by_precision(incidents: pd.DataFrame, filters: Filters) -> int:
    """How many incidents match every filter but are hidden by the precision switch."""
    if not filters.exact_only:
        return 0
    everything = filter_mask(incidents, filters, precision=False)
    return int(everything.sum() - filter_mask(incidents, filters).sum())
