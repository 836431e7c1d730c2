"""An incident's mentions made a candidate: its type, date, place and tolls chosen from the words,
each with its evidence, one claim per passage with a figure, and how much the text stated."""

from __future__ import annotations

import re
from datetime import timedelta

from geo.ingest.consolidate import toll_range
from geo.ingest.dates import DateRange
from geo.ingest.grouping import Incident
from geo.ingest.model import Candidate, ClaimDraft, Evidence, Published
from geo.ingest.places import PlaceMention, find_places
from geo.ingest.text import (
    Dateline,
    Paragraph,
    Sentence,
)
from geo.ingest.tolls import Toll
from geo.ingest.types import LABELS, choose_type


def fallback_place(
    dateline: Dateline | None,
    paragraphs: list[Paragraph],
    countries: tuple[str, ...],
    incidents: list[Incident],
) -> tuple[PlaceMention, Evidence] | None:
    """Where an incident with no place of its own is put: the article's country; or, when the
    article names no place at all, the dateline's (where the report was filed), if it lies in
    the country the article speaks of most."""
    if any(i.place or i.only_place for i in incidents):
        if countries:
            return _country_place(countries[0])
        return None
    if dateline is not None:
        paragraph = next(p for p in paragraphs if p.number == dateline.paragraph)
        head = paragraph.text[dateline.start : dateline.place_end]
        found = find_places(head, context=countries)
        if found and countries and found[0].country != countries[0]:
            found = []  # filed from abroad ("NAIROBI" for Somalia): the article's country
        if found:
            place = found[0]
            evidence = Evidence(
                "place",
                dateline.paragraph,
                dateline.start + place.start,
                dateline.start + place.end,
                place.text,
                "the dateline's place (where the report was filed): the text names no other",
            )
            return place, evidence
    if countries:
        return _country_place(countries[0])
    return None


def _country_place(code: str) -> tuple[PlaceMention, Evidence] | None:
    from geo.places.regions import country_points

    where = country_points().get(code)
    if where is None:
        return None
    name, lon, lat = where
    place = PlaceMention(0, 0, name, code, name, lat, lon, code, None, "country", "", 0, False)
    return place, Evidence("place", 0, 0, 0, "", f"no place named: the article's country, {name}")


def _slug(text: str) -> str:
    from geo.places.names import fold_name

    words = re.findall(r"[a-z0-9]+", fold_name(text.replace("-", " ").replace("_", " ")) or "")
    if not words:
        words = re.findall(r"[a-z0-9]+", text.lower().replace("_", " "))
    return "-".join(words)[:40] or "x"


def evidence_of(what: str, sentence: Sentence, start: int, end: int, note: str) -> Evidence:
    return Evidence(
        what,
        sentence.paragraph,
        sentence.start + start,
        sentence.start + end,
        sentence.text[start:end],
        note,
    )


def candidate_of(
    incident: Incident,
    source_id: str,
    pub: Published,
    fallback: tuple[PlaceMention, Evidence] | None,
    taken: set[str],
) -> Candidate | None:
    """The candidate an incident's mentions make, or ``None`` when they tell too little (no
    place and no figure, or a remark about a country)."""
    event_type, weight, evidence = _event_type(incident)
    when, date_stated, said = _when(incident, pub)
    evidence += said
    found = _where(incident, fallback, when)
    if found is None:
        return None
    place, said = found
    evidence += said
    tolled = any(m.tolls for m in incident.mentions)
    if place is None and not incident.date:
        return None
    if place is not None and place.precision == "country" and not date_stated and not tolled:
        return None  # a remark about a country, not an event
    claims, toll_evidence = _claims(incident)
    confidence = _confidence(when, date_stated, place, weight, claims, pub)
    incident_id = _unique_id(when, place, event_type, source_id, taken)
    return _assembled(incident, incident_id, event_type, when, place, claims, source_id,
                      confidence, evidence + toll_evidence)  # fmt: skip


def _event_type(incident: Incident) -> tuple[str, float, list[Evidence]]:
    """The type the triggers weigh most for, their weight, and the words behind it. The sentence
    that opened the incident counts twice: later ones may be commentary."""
    first_triggers = incident.mentions[0].triggers
    triggers = first_triggers + [t for m in incident.mentions for t in m.triggers]
    event_type, chosen = choose_type(triggers)
    evidence = [
        evidence_of("event_type", m.sentence, t.start, t.end, LABELS[event_type])
        for m in incident.mentions
        for t in m.triggers
        if t.event_type == event_type
    ]
    return event_type, sum(t.weight for t in chosen), evidence


def _when(incident: Incident, pub: Published) -> tuple[DateRange | None, bool, list[Evidence]]:
    """The incident's dates, whether the text stated them, and the evidence. A report of a known
    day with no date of its own tells what happened in the week before it; a date known only
    within bounds leaves the year before it."""
    evidence: list[Evidence] = []
    when: DateRange | None = None
    if incident.date is not None:
        mention_date, sentence = incident.date
        when = mention_date.when
        note = mention_date.note or mention_date.kind
        evidence.append(evidence_of("date", sentence, mention_date.start, mention_date.end, note))
    elif pub.when is not None:
        days, span = (7, "week") if pub.exact else (365, "year")
        end = pub.when.end
        start = max(end - timedelta(days=days), pub.when.start - timedelta(days=days))
        when = DateRange(start, end)
        note = f"no date in the text: the {span} up to publication ({pub.how})"
        evidence.append(Evidence("date", 0, 0, 0, "", note))
    if when is not None and when.precision == "years":
        # Longer than a table's date may span (a year): the evidence keeps what the text said.
        note = f"the text allows {when.iso()}; cut to a year from its start, the longest range "
        evidence.append(Evidence("date", 0, 0, 0, "", note + "a table holds"))
        when = DateRange(when.start, when.start + timedelta(days=365))
    return when, incident.date is not None, evidence


def _where(
    incident: Incident, fallback: tuple[PlaceMention, Evidence] | None, when: DateRange | None
) -> tuple[PlaceMention | None, list[Evidence]] | None:
    """The incident's place and its evidence; ``None`` when only the fallback could place it and
    it gives no figure and was not told apart by its day (too little to propose)."""
    if incident.only_place is not None:
        place = incident.only_place
        note = "one of several places listed for this event"
        return place, [evidence_of("place", incident.mentions[0].sentence, place.start,
                                   place.end, note)]  # fmt: skip
    if incident.place is not None:
        place, sentence = incident.place
        return place, [evidence_of("place", sentence, place.start, place.end, _place_note(place))]
    if incident.country is not None:
        place, sentence = incident.country
        note = "only the country is named"
        return place, [evidence_of("place", sentence, place.start, place.end, note)]
    if fallback is None:
        return None, []
    told_apart = incident.distinct and when is not None and when.precision == "day"
    if not any(m.tolls for m in incident.mentions) and not told_apart:
        return None  # no place named and no figure: too little to propose
    return fallback[0], [fallback[1]]


def _assembled(
    incident: Incident,
    incident_id: str,
    event_type: str,
    when: DateRange | None,
    place: PlaceMention | None,
    claims: list[ClaimDraft],
    source_id: str,
    confidence: float,
    evidence: list[Evidence],
) -> Candidate:
    killed = toll_range(claims, "killed")
    wounded = toll_range(claims, "wounded")
    first = incident.mentions[0].sentence.paragraph
    place_name = place.text if place is not None and place.text else ""
    if place is not None and place.precision == "country":
        place_name = f"{place.name} (place not given)"
    summary = f"Candidate from {source_id} para {first}: {LABELS[event_type]}"
    if place_name:
        summary += f" at {place_name}"
    return Candidate(
        incident_id=incident_id,
        date_start=when.start if when else None,
        date_end=when.end if when else None,
        date_precision=when.precision if when else "",
        place=place_name,
        country=place.country if place else "",
        region=(place.region or "") if place else "",
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        geo_precision=place.precision if place else "",
        event_type=event_type,
        killed_low=killed[0], killed_best=killed[1], killed_high=killed[2],
        wounded_low=wounded[0], wounded_best=wounded[1], wounded_high=wounded[2],
        summary=summary,
        sources=source_id,
        confidence=confidence,
        evidence=evidence,
        claims=claims or [ClaimDraft(str(first), None, None, "no figure given")],
        paragraphs=tuple(sorted({m.sentence.paragraph for m in incident.mentions})),
        told_apart=incident.distinct,
    )  # fmt: skip


def _place_note(place: PlaceMention) -> str:
    where = ", ".join(part for part in (place.name, place.region, place.country) if part)
    if place.qualifier and place.precision == "district":
        return f"'{place.qualifier}' {place.name}: an approximate location ({where})"
    return f"{where} ({place.precision})"


def _claims(incident: Incident) -> tuple[list[ClaimDraft], list[Evidence]]:
    evidence: list[Evidence] = []
    by_paragraph: dict[int, list[tuple[Toll, Sentence]]] = {}
    # A bomber who blew himself up is the toll only when no one else is counted dead.
    others = any(
        t.what == "killed" and not _self_only(t) for m in incident.mentions for t in m.tolls
    )
    parts = _breakdowns(incident)
    for mention in incident.mentions:
        for toll in mention.tolls:
            if (others and _self_only(toll)) or id(toll) in parts:
                continue
            by_paragraph.setdefault(mention.sentence.paragraph, []).append((toll, mention.sentence))
            evidence.append(
                evidence_of(toll.what, mention.sentence, toll.start, toll.end, toll.note)
            )
    drafts: list[tuple[int, int | None, int | None, str, bool, bool]] = []
    for paragraph, tolls in by_paragraph.items():
        killed = [t for t, _ in tolls if t.what == "killed"]
        wounded = [t for t, _ in tolls if t.what == "wounded"]
        for k in range(max(len(killed), len(wounded))):
            dead = killed[k] if k < len(killed) else None
            hurt = wounded[k] if k < len(wounded) else None
            notes = [t.note for t in (dead, hurt) if t is not None and t.note]
            drafts.append(
                (
                    paragraph,
                    dead.low if dead else None,
                    hurt.low if hurt else None,
                    "; ".join(notes),
                    dead is not None and dead.high is None,
                    hurt is not None and hurt.high is None,
                )
            )
    # One claim per figure: the same figure said twice is one claim citing both passages.
    merged: dict[tuple[int | None, int | None, bool, bool], tuple[list[int], list[str]]] = {}
    for paragraph, dead_n, hurt_n, note, dead_open, hurt_open in drafts:
        paras, notes = merged.setdefault((dead_n, hurt_n, dead_open, hurt_open), ([], []))
        paras.append(paragraph)
        if note and note not in notes:
            notes.append(note)
    claims = [
        ClaimDraft(
            ";".join(str(p) for p in sorted(set(paras))),
            key[0],
            key[1],
            "; ".join(notes),
            key[2],
            key[3],
        )
        for key, (paras, notes) in merged.items()
    ]
    return claims, evidence


def _breakdowns(incident: Incident) -> set[int]:
    """Tolls that split a total told elsewhere ("30 died of smoke, while eight others jumped"
    after "38 were killed"): parts of one figure, not claims of their own (by ``id``)."""
    totals = {
        (t.what, t.low, m.sentence.start, m.sentence.paragraph)
        for m in incident.mentions
        for t in m.tolls
    }
    out: set[int] = set()
    for mention in incident.mentions:
        for what in ("killed", "wounded"):
            mine = [t for t in mention.tolls if t.what == what and t.high is not None]
            if len(mine) < 2:
                continue
            here = (mention.sentence.start, mention.sentence.paragraph)
            whole = sum(t.low for t in mine)
            if any(w == what and n == whole and (s, p) != here for w, n, s, p in totals):
                out.update(id(t) for t in mine)
    return out


def _self_only(toll: Toll) -> bool:
    return toll.what == "killed" and toll.note.startswith("the bomber himself")


def _confidence(
    when: DateRange | None,
    date_stated: bool,
    place: PlaceMention | None,
    weight: float,
    claims: list[ClaimDraft],
    pub: Published,
) -> float:
    score = 0.2
    if when is not None and date_stated:
        score += {"day": 0.25, "week": 0.2, "month": 0.15}.get(when.precision, 0.05)
        if not pub.exact and when.precision == "year":
            score -= 0.05
    if place is not None:
        score += {"point": 0.25, "city": 0.25, "district": 0.2, "region": 0.15}.get(
            place.precision, 0.0
        )
    score += min(weight, 4.0) / 4.0 * 0.15
    if any(c.killed is not None or c.wounded is not None for c in claims):
        score += 0.15
    return round(max(0.05, min(score, 0.95)), 2)


def _unique_id(
    when: DateRange | None,
    place: PlaceMention | None,
    event_type: str,
    source_id: str,
    taken: set[str],
) -> str:
    if when is None:
        head = "undated"
    elif when.precision == "day":
        head = when.start.isoformat()
    elif when.precision == "month" and when.start.day == 1:
        head = when.start.strftime("%Y-%m")
    else:
        head = str(when.start.year)
    where = _slug(place.name) if place is not None else "unplaced"
    base = f"{head}-{where}-{event_type.replace('_', '-')}-{_slug(source_id)[:12]}"
    incident_id = base
    n = 2
    while incident_id in taken:
        incident_id = f"{base}-{n}"
        n += 1
    taken.add(incident_id)
    return incident_id
