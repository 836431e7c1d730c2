"""Candidates as files: the incident table, its claims and sources, and the evidence beside it.

``write_candidates(out, articles)`` writes ``OUT.csv`` in the project's schema (so
``python -m geo validate OUT.csv`` accepts it), ``OUT.claims.csv`` and ``OUT.sources.csv``
(``geo.tables.sibling_paths``) and ``OUT.evidence.jsonl``: one JSON object per candidate with
its confidence and, per field, the paragraph and the words it came from (data/SCHEMA.md,
"Candidates from articles"). Every file is written atomically. Article text is only ever
data here: it is written through the CSV and JSON writers, never through a template.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from geo.errors import UsageError
from geo.files import write_text_atomic
from geo.ingest.model import Candidate, ClaimDraft, Published
from geo.schema import (
    CLAIM_COLUMNS,
    COLUMNS,
    FIRST_DATE,
    LAST_DATE,
    SOURCE_COLUMNS,
    TOLL_COLUMNS,
)


@dataclass(frozen=True)
class Article:
    """One article read: its source id, title, publication date found and candidates."""

    source_id: str
    title: str
    published: Published
    candidates: list[Candidate]


def evidence_path(out: Path) -> Path:
    """Where the evidence of a candidates table ``NAME.csv`` goes: ``NAME.evidence.jsonl``."""
    return out.with_name(f"{out.stem}.evidence.jsonl")


def _high(candidate: Candidate, what: str) -> int | None:
    # An open upper bound ("at least 12") is written as the largest figure given: the table
    # holds what sources claim, and the claim's note says "or more".
    high = getattr(candidate, f"{what}_high")
    if high is not None:
        return int(high)
    figures = [getattr(c, what) for c in candidate.claims if getattr(c, what) is not None]
    best: int | None = getattr(candidate, f"{what}_best")
    return max(figures) if figures else best


def incident_row(candidate: Candidate) -> dict[str, object]:
    """A candidate as a row of the incident table (data/SCHEMA.md)."""
    row: dict[str, object] = {
        "incident_id": candidate.incident_id,
        "date_start": candidate.date_start.isoformat() if candidate.date_start else "",
        "date_end": candidate.date_end.isoformat() if candidate.date_end else "",
        "date_precision": candidate.date_precision,
        "place": candidate.place,
        "country": candidate.country,
        "region": candidate.region,
        "lat": candidate.lat,
        "lon": candidate.lon,
        "geo_precision": candidate.geo_precision,
        "event_type": candidate.event_type,
        "summary": candidate.summary,
        "sources": candidate.sources,
    }
    for what in ("killed", "wounded"):
        row[f"{what}_low"] = getattr(candidate, f"{what}_low")
        row[f"{what}_best"] = getattr(candidate, f"{what}_best")
        row[f"{what}_high"] = _high(candidate, what)
    return row


def evidence_record(candidate: Candidate, *, written: bool, reason: str = "") -> dict[str, object]:
    """One line of ``OUT.evidence.jsonl``."""
    return {
        "incident_id": candidate.incident_id,
        "source": candidate.sources,
        "confidence": candidate.confidence,
        "written": written,
        "reason": reason,
        "candidate": {
            **incident_row(candidate),
            "killed_high": candidate.killed_high,
            "wounded_high": candidate.wounded_high,
        },
        "paragraphs": list(candidate.paragraphs),
        "evidence": [asdict(e) for e in candidate.evidence],
        "claims": [asdict(c) for c in candidate.claims],
    }


def source_row(article: Article) -> dict[str, object]:
    pub = article.published
    exact = pub.when is not None and pub.exact
    note = {
        "given": "publication date given (--published)",
        "byline": "date in the byline or date line",
        "dateline": "date in the dateline",
        "printed": "date printed in the article",
        "bounded": "not printed; after the latest date the article gives",
        "dateline without a year": "dateline gives a day without a year",
        "unknown": "not found in the article",
    }.get(pub.how, pub.how)
    if pub.evidence is not None:
        note += f" (para {pub.evidence.paragraph})"
    if pub.when is not None and not exact:
        note += f": {pub.when.iso()}"
    return {
        "source_id": article.source_id,
        "title": article.title,
        "outlet": "",
        "published": pub.when.start.isoformat() if exact and pub.when else "",
        "published_note": note,
        "kind": "news",
    }


@dataclass(frozen=True)
class Written:
    """What ``write_candidates`` wrote."""

    incidents: int
    claims: int
    sources: int
    undated: list[str]
    evidence: Path


def writable(candidate: Candidate) -> bool:
    """Whether a candidate can be a row of a table: dated, placed, within the dates a table
    may hold (data/SCHEMA.md)."""
    return candidate.lat is not None and _in_range(candidate)


def _in_range(candidate: Candidate) -> bool:
    first, last = date.fromisoformat(FIRST_DATE), date.fromisoformat(LAST_DATE)
    end = candidate.date_end or candidate.date_start
    return (
        candidate.date_start is not None
        and end is not None
        and (first <= candidate.date_start and end <= last)
    )


def _why_kept(candidate: Candidate) -> str:
    """Why a candidate stays in the evidence file only."""
    if candidate.date_start is None:
        return "no date"
    if candidate.lat is None:
        return "no place"
    return f"dates outside {FIRST_DATE}..{LAST_DATE}"


def _claim_row(candidate: Candidate, claim: ClaimDraft) -> dict[str, object]:
    return {
        "incident_id": candidate.incident_id,
        "source": candidate.sources,
        "paragraph": claim.paragraph,
        "killed": "" if claim.killed is None else str(claim.killed),
        "wounded": "" if claim.wounded is None else str(claim.wounded),
        "note": claim.note,
    }


def write_candidates(out: Path, articles: list[Article]) -> Written:
    """Write the candidates of ``articles`` as ``out`` with claims, sources and evidence.

    A candidate without a date (the text gives none and nothing bounds the publication date)
    cannot enter a table: it is kept in the evidence file with ``"written": false``.

    Raises
    ------
    UsageError
        If ``out`` is not a ``.csv`` file name.
    """
    from geo.importing import write_dataset

    if out.suffix.lower() != ".csv":
        raise UsageError(f"{out.name}: write the candidates as .csv")
    rows: list[dict[str, object]] = []
    claims: list[dict[str, object]] = []
    records: list[dict[str, object]] = []
    undated: list[str] = []
    for candidate in (c for article in articles for c in article.candidates):
        if not writable(candidate):
            undated.append(candidate.incident_id)
            records.append(evidence_record(candidate, written=False, reason=_why_kept(candidate)))
            continue
        rows.append(incident_row(candidate))
        records.append(evidence_record(candidate, written=True))
        claims += [_claim_row(candidate, claim) for claim in candidate.claims]
    incidents = pd.DataFrame(rows, columns=COLUMNS)
    for column in TOLL_COLUMNS:
        incidents[column] = incidents[column].astype("Int64")
    claim_table = pd.DataFrame(claims, columns=CLAIM_COLUMNS)
    sources = pd.DataFrame([source_row(a) for a in articles], columns=SOURCE_COLUMNS)
    write_dataset(incidents, claim_table, sources, out)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path = evidence_path(out)
    write_text_atomic(path, lines)
    return Written(len(rows), len(claims), len(sources), undated, path)
