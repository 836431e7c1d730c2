"""What the Review page needs beyond extraction: an article's paragraphs with the words behind
a candidate marked, the incident already stored that a candidate repeats, and the values an
accepted candidate is saved with (through the same validated store as the Edit page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import DataError
from geo.escape import esc
from geo.filters import Filters
from geo.ingest.model import MATCH_KM, Candidate, Evidence
from geo.ingest.text import Paragraph
from geo.ingest.write import Article, incident_row, source_row
from geo.merging import compatible, distance_km
from geo.query import SqlEngine
from geo.schema import COLUMNS
from geo.store import Store
from geo.store.checks import checked_change, fill_range_from_claims, with_claim_sources

FIELD_COLOURS = {
    "date": "#cfe8ff",
    "place": "#d9f2d0",
    "event_type": "#fde2c8",
    "killed": "#f9c9c9",
    "wounded": "#efd5f5",
}
"""The background each field's words are marked with (the page's key uses the same)."""


def marked_paragraph(paragraph: Paragraph, evidence: list[Evidence]) -> str:
    """One paragraph as HTML: its number, and its text with the words behind each field of
    the candidate marked in that field's colour. Every piece of article text goes through
    ``esc``; overlapping marks keep the first."""
    spans = sorted(
        (e for e in evidence if e.paragraph == paragraph.number and e.end > e.start),
        key=lambda e: (e.start, -e.end),
    )
    text, out, at = paragraph.text, [], 0
    for span in spans:
        if span.start < at:
            continue
        colour = FIELD_COLOURS.get(span.field, "#eeeeee")
        out.append(esc(text[at : span.start]))
        out.append(
            f'<mark style="background:{colour};padding:0 2px" title="{esc(span.field)}'
            f'{": " + esc(span.note) if span.note else ""}">{esc(text[span.start : span.end])}'
            "</mark>"
        )
        at = span.end
    out.append(esc(text[at:]))
    return f'<p><span style="color:#888">¶{paragraph.number}</span> {"".join(out)}</p>'


def evidence_line(evidence: Evidence) -> str:
    """One field's evidence in words: the paragraph and the words, or, where no words gave it
    (a date taken from the publication), how it was found."""
    if evidence.paragraph == 0 or not evidence.text:
        return f"{evidence.field}: {evidence.note}"
    return f"{evidence.field}: ¶{evidence.paragraph} “{evidence.text}”"


def key_html() -> str:
    """The colour key of :func:`marked_paragraph`."""
    return " ".join(
        f'<mark style="background:{colour};padding:0 4px">{esc(field.replace("_", " "))}</mark>'
        for field, colour in FIELD_COLOURS.items()
    )


@dataclass(frozen=True)
class Match:
    """An incident already stored that a candidate repeats: how far apart the two places are."""

    incident_id: str
    km: float
    place: str
    date_text: str


MATCH_DAYS = 7
"""A candidate dated more loosely than this (a month, a year) matches no stored incident: its
range would overlap too many."""


def same_days(engine: SqlEngine, candidate: Candidate) -> pd.DataFrame:
    """The stored incidents whose dates overlap the candidate's (what :func:`stored_match`
    looks among), asked of the table's query engine."""
    if candidate.date_start is None:
        return pd.DataFrame(columns=COLUMNS)
    end = candidate.date_end or candidate.date_start
    return engine.rows(Filters(start=candidate.date_start, end=end))


def stored_match(candidate: Candidate, incidents: pd.DataFrame) -> Match | None:
    """The stored incident a candidate repeats, if any: the nearest one of a compatible type
    (``geo.merging.compatible``, as when datasets are merged) whose dates overlap the
    candidate's and whose point lies within ``MATCH_KM``, for a candidate dated to within
    ``MATCH_DAYS``."""
    if candidate.lat is None or candidate.lon is None or candidate.date_start is None:
        return None
    end = candidate.date_end or candidate.date_start
    if incidents.empty or (end - candidate.date_start).days > MATCH_DAYS:
        return None
    starts = pd.to_datetime(incidents["date_start"]).dt.date.to_numpy()
    ends = pd.to_datetime(incidents["date_end"]).dt.date.to_numpy()
    kinds = [compatible(candidate.event_type, str(k)) for k in incidents["event_type"]]
    overlap = (starts <= end) & (ends >= candidate.date_start) & np.array(kinds, dtype=bool)
    if not overlap.any():
        return None
    near = incidents.iloc[np.flatnonzero(overlap)]
    km = distance_km(candidate.lat, candidate.lon, near["lat"], near["lon"])
    best = int(np.argmin(km))
    if km[best] > MATCH_KM:
        return None
    row = near.iloc[best]
    when = f"{_day(row['date_start'])}..{_day(row['date_end'])}"
    return Match(str(row["incident_id"]), float(km[best]), str(row["place"]), when)


def _day(value: object) -> str:
    return str(pd.Timestamp(value).strftime("%Y-%m-%d"))  # type: ignore[arg-type]


def candidate_values(candidate: Candidate, title: str = "") -> dict[str, Any]:
    """A candidate as the values of a new incident (an empty toll where none was given), with
    a summary made of its fields and the article's title, not the extractor's working note."""
    row = {k: ("" if v is None else v) for k, v in incident_row(candidate).items()}
    row["summary"] = summary_of(candidate, title)
    return row


def summary_of(candidate: Candidate, title: str) -> str:
    """A plain summary: what, where, when, the tolls as ranges, and which report says so."""
    what = candidate.event_type.replace("_", " ")
    when = "" if candidate.date_start is None else f" on {candidate.date_start.isoformat()}"
    if candidate.date_end not in (None, candidate.date_start):
        when = f" between {candidate.date_start} and {candidate.date_end}"
    tolls = []
    for word in ("killed", "wounded"):
        low, high = getattr(candidate, f"{word}_low"), getattr(candidate, f"{word}_high")
        if low is not None:
            span = (
                f"{low}" if high == low else f"{low} or more" if high is None else f"{low}-{high}"
            )
            tolls.append(f"{span} {word}")
    said = f'; as reported in "{title}"' if title else ""
    toll_text = f": {', '.join(tolls)}" if tolls else ""
    return f"{what.capitalize()} at {candidate.place or 'an unnamed place'}{when}{toll_text}{said}."


def candidate_claims(candidate: Candidate, source_id: str) -> list[dict[str, str]]:
    """A candidate's claims as rows of the claims table, citing ``source_id`` and paragraph;
    an open figure ("at least 12") says so in the note."""
    rows = []
    for claim in candidate.claims:
        note = claim.note
        opens = [
            w for w, o in (("killed", claim.killed_open), ("wounded", claim.wounded_open)) if o
        ]
        if opens and "or more" not in note:
            note = f"{note}; {' and '.join(opens)}: or more".lstrip("; ")
        rows.append(
            {
                "source": source_id,
                "paragraph": claim.paragraph,
                "killed": "" if claim.killed is None else str(claim.killed),
                "wounded": "" if claim.wounded is None else str(claim.wounded),
                "note": note,
            }
        )
    return rows


def accept_new(
    store: Store, article: Article, values: dict[str, Any], claims: list[dict[str, Any]], *,
    who: str, outlet: str = "",
) -> str:  # fmt: skip
    """Save a candidate as a new incident with its claims, the article as its source; what
    was done, in a sentence. Checked first as the save will be, so a refused candidate leaves
    no source behind."""
    values = fill_range_from_claims(values, claims, widen=True)
    checked_change(values, claims, None, {*store.source_ids(), article.source_id}, new_id=True)
    _ensure_source(store, article, who, outlet)
    change = store.save(values, version=None, who=who, claims=claims)
    return f"Added {change.incident_id}."


def accept_as_claims(
    store: Store, article: Article, incident_id: str, claims: list[dict[str, Any]], *,
    who: str, outlet: str = "",
) -> str:  # fmt: skip
    """Add a candidate's claims to the stored incident it repeats (its range widened to hold
    them, the article among its sources); claims it already holds are not added twice."""
    record = store.open(incident_id)
    held = {_claim_key(c) for c in record.claims}
    claims = [c for c in claims if _claim_key(c) not in held]
    if not claims:  # the same article reviewed again
        return f"{incident_id} already holds these claims of {article.source_id}; nothing added."
    every = [*record.claims, *claims]
    values = with_claim_sources(fill_range_from_claims(record.values, every, widen=True), every)
    known = {*store.source_ids(), article.source_id}
    checked_change(values, every, record, known, new_id=False)
    _ensure_source(store, article, who, outlet)
    store.save(values, version=record.version, who=who, claims=every, opened=record.values)
    return f"Added {len(claims)} claim(s) of {article.source_id} to {incident_id}."


def accept_candidate(
    store: Store, article: Article, candidate: Candidate, values: dict[str, Any],
    claims: list[dict[str, Any]], match: Match | None, *, who: str, outlet: str = "",
) -> str:  # fmt: skip
    """Accept a candidate as the reviewer saw it: its claims added to the stored incident it
    repeats (``match``), else a new incident. Refused (``DataError``) while it has no date or
    place: it must be edited first."""
    if candidate.date_start is None or candidate.lat is None:
        raise DataError("this candidate has no date or place yet: edit it first")
    if match is not None:
        return accept_as_claims(store, article, match.incident_id, claims, who=who, outlet=outlet)
    return accept_new(store, article, values, claims, who=who, outlet=outlet)


def candidate_title(candidate: Candidate, label: str, status: str | None) -> str:
    """A candidate's one-line title on the Review page: type (``label``), place, dates,
    confidence, what was decided, and "Recalled" for an incident the report only recalls."""
    start, end = candidate.date_start, candidate.date_end
    when = (
        "no date" if start is None else f"{start}" if end in (None, start) else f"{start} to {end}"
    )
    title = (
        f"{label} · {candidate.place or 'no place'} · {when} · "
        f"confidence {candidate.confidence:.0%}" + (f" · {status}" if status else "")
    )
    return f"Recalled · {title}" if candidate.recalled else title


def _ensure_source(store: Store, article: Article, who: str, outlet: str) -> None:
    """Add the article to the store's sources the first time one of its candidates is saved."""
    if article.source_id not in store.source_ids():
        row = {k: str(v) for k, v in source_row(article).items()}
        store.add_source({**row, "outlet": outlet}, who=who)


def _claim_key(claim: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        str(claim.get(k, "")).strip() for k in ("source", "paragraph", "killed", "wounded")
    )


__all__ = [
    "accept_as_claims",
    "accept_candidate",
    "accept_new",
    "candidate_title",
    "FIELD_COLOURS",
    "Match",
    "candidate_claims",
    "candidate_values",
    "evidence_line",
    "summary_of",
    "key_html",
    "marked_paragraph",
    "stored_match",
]
