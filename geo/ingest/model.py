"""What extraction proposes: a candidate incident in the project's schema, each value's
evidence, one claim per passage with a figure, and the publication date it counted from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from geo.ingest.dates import DateRange

MATCH_KM = 50.0
"""Two mentions whose places lie this close are one place (a city and its outskirts)."""


@dataclass(frozen=True)
class Evidence:
    """The words a field's value came from: paragraph (from 1), character offsets within that
    paragraph's text (``text == paragraph_text[start:end]``), and how they were read."""

    field: str
    paragraph: int
    start: int
    end: int
    text: str
    note: str = ""


@dataclass(frozen=True)
class ClaimDraft:
    """One passage's figures for a candidate: a row of ``claims.csv`` once accepted."""

    paragraph: str
    killed: int | None
    wounded: int | None
    note: str
    killed_open: bool = False
    """The killed figure is a lower bound ("at least 12", "more than 20")."""
    wounded_open: bool = False


@dataclass
class Candidate:
    """A proposed incident in the project's schema (data/SCHEMA.md), with its evidence.

    ``date_start`` is ``None`` when the text gives no date and nothing bounds the publication
    date: such a candidate cannot enter a table until a person dates it. ``killed_high`` (and
    ``wounded_high``) is ``None`` when the largest figure is open ("at least 12"). ``confidence``
    runs from 0 to 1: how much of date, place, type and toll the text stated outright.
    """

    incident_id: str
    date_start: date | None
    date_end: date | None
    date_precision: str
    place: str
    country: str
    region: str
    lat: float | None
    lon: float | None
    geo_precision: str
    event_type: str
    killed_low: int | None
    killed_best: int | None
    killed_high: int | None
    wounded_low: int | None
    wounded_best: int | None
    wounded_high: int | None
    summary: str
    sources: str
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    claims: list[ClaimDraft] = field(default_factory=list)
    paragraphs: tuple[int, ...] = ()
    told_apart: bool = False
    """The text opened it as another incident ("another bomb", "in a separate attack")."""
    recalled: str = ""
    """Why this is an incident the report only recalls (background), or "" for the report's
    own (``geo.ingest.consolidate``)."""


@dataclass(frozen=True)
class Published:
    """The publication date and where it came from (``how``: argument, byline, dateline,
    printed, bounded or unknown); ``when`` is a range when only bounded."""

    when: DateRange | None
    exact: bool
    how: str
    evidence: Evidence | None = None
    reported_from: str = ""
    """The dateline's place: where the report was filed (not where the incident happened)."""
