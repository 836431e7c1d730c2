"""From an article's text to candidate incidents, each value tied to the words it came from.

The text is read sentence by sentence. A sentence that names an event (a trigger word: "blew
himself up", "special operation", "protest") and says where, when or how many were hurt is an
event mention; mentions that agree on the date and the place (or leave one open) are one
incident, and a mention with another date or place starts a new one. Figures are attached to
the incident of the sentence they are in, so the toll of an earlier attack recalled in passing
stays with that attack. Each passage with a figure is a claim, so an article that first says 7
and later 12 keeps both.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from geo.ingest.consolidate import consolidate, toll_range
from geo.ingest.dates import DateContext, DateMention, DateRange, find_dates
from geo.ingest.places import PlaceMention, countries_spoken_of, country_keys, find_places
from geo.ingest.text import (
    Dateline,
    Paragraph,
    Sentence,
    check_length,
    find_dateline,
    split_paragraphs,
    split_sentences,
)
from geo.ingest.tolls import Toll, find_tolls
from geo.ingest.types import LABELS, Trigger, TypeTally, choose_type, find_triggers
from geo.merging import PRECISION_RANK, distance_km

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


@dataclass
class _Mention:
    """One sentence's event words, before they are grouped into incidents."""

    sentence: Sentence
    dates: list[DateMention]
    places: list[PlaceMention]
    tolls: list[Toll]
    triggers: list[Trigger]
    inherited_date: tuple[DateMention, Sentence] | None = None
    distinct: bool = False
    """The words say this is another event than the one just told ("another", "a second")."""
    place_only: bool = False
    """A town named with no event words: it can only narrow the place of the event just told."""


@dataclass
class _Incident:
    mentions: list[_Mention] = field(default_factory=list)
    date: tuple[DateMention, Sentence] | None = None
    place: tuple[PlaceMention, Sentence] | None = None
    only_place: PlaceMention | None = None  # one place of a list ("in A, B and C")
    country: tuple[PlaceMention, Sentence] | None = None
    distinct: bool = False  # opened by "another ...": proposed even with only its date
    tally: TypeTally = field(default_factory=TypeTally)  # the type of its mentions so far


# --- publication date ------------------------------------------------------------------------

_SHORT_LINE = 120
_BYLINE_START = re.compile(r"(?:by|published|posted|updated|date[d:]?)\b", re.I)
_DATE_LINE_WORD = re.compile(
    r"[\W_]*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|page|p|[A-Z]?\d+[A-Z]?|\d{1,2}:\d{2}"
    r"|gmt|utc|am|pm|edition|updated|last)?[\W_]*",
    re.IGNORECASE,
)
"""Words a date line carries beside its date: a weekday, a page ("Page A18"), a time."""


def find_published(
    paragraphs: list[Paragraph], dateline: Dateline | None, published: date | None
) -> Published:
    """The publication date: the one given, else a byline or date line near the top, else the
    dateline's (with a year from the article), else a date printed on a line of its own."""
    if published is not None:
        return Published(DateRange(published, published), True, "given")
    for where, chosen in (("byline", paragraphs[:8]), ("printed", paragraphs[8:])):
        for paragraph in chosen:
            found = _date_line(paragraph, prefer_words=where == "byline")
            if found is not None:
                day, evidence = found
                return Published(DateRange(day, day), True, where, evidence)
    if dateline is not None and re.search(r"\d{4}", dateline.date_text):
        context = DateContext(published=None, published_exact=False)
        for mention in find_dates(dateline.date_text, context, dateline.paragraph):
            if mention.kind == "absolute" and mention.when and mention.when.precision == "day":
                at = dateline.text.find(dateline.date_text)  # the filing date, year written
                evidence = Evidence(
                    "published", dateline.paragraph, at, at + len(dateline.date_text),
                    dateline.date_text, "the dateline's date: when the report was filed",
                )  # fmt: skip
                return Published(mention.when, True, "dateline", evidence)
        return Published(None, False, "dateline without a year")
    return Published(None, False, "unknown")


def _date_line(paragraph: Paragraph, *, prefer_words: bool) -> tuple[date, Evidence] | None:
    offset = 0
    for line in paragraph.text.split("\n"):
        start = offset
        offset += len(line) + 1
        if len(line.strip()) > _SHORT_LINE:
            continue
        context = DateContext(published=None, published_exact=False)
        for mention in find_dates(line, context, paragraph.number):
            if mention.when is None or mention.kind != "absolute":
                continue
            if mention.when.precision != "day":
                continue
            rest = (line[: mention.start] + line[mention.end :]).strip(" ,.|-–—:")
            words = [w for w in rest.split() if not _DATE_LINE_WORD.fullmatch(w)]
            if len(words) > 3 and not _BYLINE_START.match(rest):
                continue
            evidence = Evidence(
                "published",
                paragraph.number,
                start + mention.start,
                start + mention.end,
                mention.text,
                "publication date from a line near the top"
                if prefer_words
                else "publication date printed in the article",
            )
            return mention.when.start, evidence
    return None


def _bounded_publication(paragraphs: list[Paragraph]) -> DateRange | None:
    """An article is written after the latest past date it gives: from that date, a year on."""
    context = DateContext(published=None, published_exact=False)
    latest: date | None = None
    for paragraph in paragraphs:
        for sentence in split_sentences(paragraph):
            for mention in find_dates(sentence.text, context, paragraph.number):
                if mention.when is None or mention.future or mention.kind != "absolute":
                    continue
                if mention.when.precision in ("day", "week", "month"):
                    end = mention.when.start if mention.when.precision == "day" else None
                    if end is not None and (latest is None or end > latest):
                        latest = end
    if latest is None:
        return None
    return DateRange(latest, latest + timedelta(days=358))


# --- reading ---------------------------------------------------------------------------------


def extract(text: str, *, source_id: str, published: date | None = None) -> list[Candidate]:
    """Propose the incidents an article reports.

    Parameters
    ----------
    text
        The article as plain text (``geo.ingest.read_article`` reads files and HTML).
        Paragraphs are blank-line-separated and counted from 1.
    source_id
        The article's id in ``sources.csv`` (the file stem by default); it goes into each
        candidate's ``sources`` and ``incident_id``.
    published
        The publication date, when known; otherwise it is looked for in the byline or
        dateline, then in the text, and relative dates are resolved against what was found
        (a range when the date is only bounded).

    Returns
    -------
    list of Candidate
        In order of first mention. Offsets in the evidence are within each paragraph's text.
    """
    candidates, _ = extract_with_publication(text, source_id=source_id, published=published)
    return candidates


def extract_with_publication(
    text: str, *, source_id: str, published: date | None = None
) -> tuple[list[Candidate], Published]:
    """:func:`extract`, and the publication date it used (for ``sources.csv``). A text longer
    than ``geo.ingest.text.MAX_ARTICLE_CHARS`` is refused with a ``DataError``: split it."""
    check_length(source_id, text)
    paragraphs = _unique(split_paragraphs(text))
    dateline = find_dateline(paragraphs)
    pub = find_published(paragraphs, dateline, published)
    if dateline is not None:
        pub = replace(pub, reported_from=dateline.place)
    reference = pub.when
    if reference is None:
        reference = _bounded_publication(paragraphs)
        if reference is not None:
            pub = Published(reference, False, "bounded")
    context = DateContext(published=reference, published_exact=pub.exact)
    countries = _context_countries(text)
    mentions = list(_read(paragraphs, context, countries, dateline))
    incidents = _group(mentions)
    fallback = _fallback_place(dateline, paragraphs, countries, incidents)
    out: list[Candidate] = []
    taken: set[str] = set()
    for incident in incidents:
        candidate = _candidate(incident, source_id, pub, fallback, taken)
        if candidate is not None:
            out.append(candidate)
    return consolidate(out, dates_known=pub.exact), pub


def _unique(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Paragraphs whose text repeats an earlier one (a repeated headline) are not read twice."""
    seen: set[str] = set()
    out = []
    for paragraph in paragraphs:
        key = " ".join(paragraph.text.split()).lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(paragraph)
    return out


def _context_countries(text: str) -> tuple[str, ...]:
    counts = countries_spoken_of(text)
    if not counts:
        return ()
    top = counts.most_common(1)[0][1]
    return tuple(code for code, n in counts.most_common() if n * 4 >= top or n >= 3)


def _read(
    paragraphs: list[Paragraph],
    context: DateContext,
    countries: tuple[str, ...],
    dateline: Dateline | None,
) -> list[_Mention]:
    out: list[_Mention] = []
    for paragraph in paragraphs:
        if paragraph.number == 1 and _headline(paragraph) and len(paragraphs) > 1:
            continue  # a headline restates the story in short: it is not a passage to cite
        last_date: tuple[DateMention, Sentence] | None = None
        for whole in split_sentences(paragraph):
            if whole.text.rstrip("\"'”’) ").endswith("?"):
                continue  # a question reports nothing
            for sentence in _clauses(whole, countries):
                skip: tuple[tuple[int, int], ...] = ()
                if dateline is not None and dateline.paragraph == paragraph.number:
                    skip = ((dateline.start - sentence.start, dateline.end - sentence.start),)
                every = find_dates(sentence.text, context, paragraph.number)
                dates = [
                    d
                    for d in every
                    if d.when is not None
                    and not any(s <= d.start < e for s, e in skip)
                    and d.kind != "span"
                    and not _began(sentence.text, d.start, d.end)
                    and not d.future
                    and not (context.published_exact and _after(d.when, context.published))
                ]
                # "Gunmen killed 12 on Saturday, police said on Monday": the event's date.
                dates = [d for d in dates if not d.reported] or dates
                if not dates and any(d.kind == "span" for d in every):
                    continue  # "since 2009", "in 2011-12": a period spoken of, not an event
                triggers = find_triggers(sentence.text)
                tolls = find_tolls(sentence.text)
                places = find_places(sentence.text, context=countries, skip=skip)
                if triggers or tolls:
                    mention = _Mention(sentence, dates, places, tolls, triggers, last_date)
                    mention.distinct = _distinct(sentence.text, triggers)
                    out.append(mention)
                elif towns := [p for p in places if _where_it_happened(sentence.text, p)]:
                    # No event words, but a town: it may say where the event just told was
                    # ("the violence in the southern city of Osh").
                    out.append(_Mention(sentence, [], towns, [], [], None, place_only=True))
                if dates:
                    last_date = (dates[0], sentence)
    return out


# "..., and in B there was ...", "...; in B ...": a second event in the same sentence.
_CLAUSE_BREAK = re.compile(r"(?:,\s+(?:and|while|whereas|but)|;)\s+(?=(?:in|at|near|on)\s+)", re.I)


_SINCE = re.compile(r"\b(?:since|ever since)\b[^,.;]{0,45}$", re.IGNORECASE)
"""Words before a date that make it the start of a state of things ("gathering since the
election on February 19"), not the day of an incident."""
_WHEN = re.compile(r"^\W{0,3}(?:when|as|after)\b", re.IGNORECASE)


def _began(text: str, start: int, end: int) -> bool:
    """Whether the date at ``text[start:end]`` only starts a state of things ("since the
    election on February 19"). Not when the words after "since" tell an incident ("since a bomb
    killed 40 on 1 March") or the date is told as one ("since 1 March, when gunmen ...")."""
    found = _SINCE.search(text[max(0, start - 50) : start])
    if found is None:
        return False
    if find_triggers(found.group()) or find_tolls(found.group()):
        return False
    return not _WHEN.match(text[end : end + 12])


def _clauses(sentence: Sentence, countries: tuple[str, ...]) -> list[Sentence]:
    """A sentence that tells two events, each with its own trigger and its own place ("a
    patrol was shot at in A, and in B there was a failed attempt on a judge"), as two parts;
    otherwise the sentence whole."""
    cuts = list(_CLAUSE_BREAK.finditer(sentence.text))
    if not cuts:
        return [sentence]
    bounds = [0] + [m.start() for m in cuts] + [len(sentence.text)]
    starts = [0] + [m.end() for m in cuts]
    parts = []
    for k in range(len(cuts) + 1):
        start, end = starts[k], bounds[k + 1]
        text = sentence.text[start:end]
        parts.append(
            Sentence(sentence.paragraph, sentence.start + start, sentence.start + end, text)
        )
    for part in parts:
        if not find_triggers(part.text):
            return [sentence]
        places = find_places(part.text, context=countries)
        if _main_place(places) is None:
            return [sentence]
    return parts


_ANOTHER = re.compile(
    r"\b(?:another|a second|a third|a separate|a further|one more)\s+(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_SEPARATELY = re.compile(r"\s*(?:separately|in a separate)\b", re.IGNORECASE)


def _distinct(text: str, triggers: list[Trigger]) -> bool:
    """Whether the sentence tells an event other than the one just told: "another weapons
    cache was found", "a second bomb went off", "In a separate incident"."""
    if _SEPARATELY.match(text):
        return True
    return any(_ANOTHER.search(text[max(0, t.start - 30) : t.start]) for t in triggers)


def _headline(paragraph: Paragraph) -> bool:
    """One short line without a full stop at its end: a title."""
    text = paragraph.text.strip()
    return "\n" not in text and len(text.split()) <= 20 and not text.endswith(".")


def _after(when: DateRange, published: DateRange | None) -> bool:
    """Whether a date lies wholly after publication (a term that ends in 2020): not an event."""
    return published is not None and when.start > published.end


def _km(a: PlaceMention, b: PlaceMention) -> float:
    return float(distance_km(a.lat, a.lon, np.array([b.lat]), np.array([b.lon]))[0])


def _same_place(a: PlaceMention, b: PlaceMention) -> bool:
    if a.country != b.country:
        return False
    if "country" in (a.precision, b.precision):
        return True
    if "region" in (a.precision, b.precision):
        return bool(a.region) and a.region == b.region
    return _km(a, b) <= MATCH_KM


def _main_place(places: list[PlaceMention]) -> PlaceMention | None:
    """The most exact place a sentence names; a country alone does not place an event."""
    places = [p for p in places if p.precision != "country"]
    if not places:
        return None
    # The first town or area named ("in the Temir district of the Aktobe region").
    local = [p for p in places if p.precision != "region"]
    return local[0] if local else places[0]


def _as_list(mention: _Mention) -> list[PlaceMention]:
    """Places named as a list ("in Aktobe, Atyrau and Semipalatinsk"): one event each."""
    towns = [p for p in mention.places if p.precision in ("city", "district")]
    if len(towns) < 2:
        return []
    text = mention.sentence.text
    for left, right in zip(towns, towns[1:]):
        gap = text[left.end : right.start]
        if not re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|and\s+|or\s+)(?:the\s+)?", gap):
            return []
    return towns


RECALL = 64
"""How many of the incidents told before a sentence it may return to by their day or town: a
report recalls an incident some paragraphs back, not hundreds of incidents back (and a roundup
of thousands of incidents is then read in time linear in its length)."""


def _group(mentions: list[_Mention]) -> list[_Incident]:
    incidents: list[_Incident] = []
    current: _Incident | None = None
    for mention in mentions:
        sentence = mention.sentence
        if mention.place_only:
            if current is not None:
                _narrow_place(current, mention)
            continue
        date_here = (mention.dates[0], sentence) if mention.dates else mention.inherited_date
        listed = _as_list(mention)
        if listed and mention.triggers:
            for town in listed:
                incident = _Incident([mention], date_here or mention.inherited_date, None, town)
                incidents.append(incident)
            current = None
            continue
        place = _main_place(mention.places)
        place_here = (place, sentence) if place else None
        # "A week earlier", "two days later", "another bomb": not the event just told.
        other = mention.distinct or bool(mention.dates and mention.dates[0].offset)
        if other:
            current = None
        if not mention.triggers and place_here is None and current is not None:
            # "The death toll rose to 17 on Wednesday": a figure about the event just told,
            # dated by when it was reported.
            last = current.mentions[-1].sentence.paragraph if current.mentions else -9
            if sentence.paragraph - last <= 1:
                current.mentions.append(mention)
                continue
        if date_here is None and place_here is None:
            if current is not None and (
                _near(current, sentence.paragraph)
                or _told_again(current, mention)
                or _first_toll(current, mention)
            ):
                current.mentions.append(mention)
            elif mention.triggers and mention.inherited_date is not None:
                current = _Incident([mention], mention.inherited_date, None)
                incidents.append(current)
            elif mention.triggers and mention.tolls and current is None and not incidents:
                # The lead tells what happened before it says where: "At least two policemen
                # were killed in a shooting." The next sentences may place it.
                current = _Incident([mention], None, None)
                incidents.append(current)
            continue
        # An incident recalled by its day or its town first (among the last RECALL told);
        # else the one just spoken of.
        target = None
        for incident in [] if other else itertools.islice(reversed(incidents), RECALL):
            if _fits(incident, date_here, place_here, loose=False) and not _exclusive(
                incident, mention
            ):
                target = incident
                break
        if target is None and current is not None:
            if _fits(current, date_here, place_here, loose=True) and not _exclusive(
                current, mention
            ):
                target = current
        if target is None:
            if not mention.triggers and not mention.tolls:
                continue
            target = _Incident([], None, None, distinct=mention.distinct)
            incidents.append(target)
            if date_here is None and mention.inherited_date is not None:
                target.date = mention.inherited_date
        target.mentions.append(mention)
        countries = [p for p in mention.places if p.precision == "country"]
        if countries and target.country is None:
            target.country = (countries[0], sentence)
        if date_here is not None and (
            target.date is None or _narrower(date_here[0].when, target.date[0].when)
        ):
            target.date = date_here
        if place_here is not None and (
            target.place is None
            or PRECISION_RANK[place_here[0].precision] < PRECISION_RANK[target.place[0].precision]
        ):
            target.place = place_here
        current = target
    return incidents


_ELSEWHERE = re.compile(
    r"\b(?:hospitals?|clinics?|morgues?|(?:taken|rushed|flown|evacuated|transferred|moved|"
    r"brought|sent|fled|road|route|highway|way) to|capital|province of|state of|"
    r"headquarter(?:s|ed))\W+(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
"""Words before a town that name somewhere else than the event's place: where the wounded were
taken, a road's end, a capital spoken of."""


def _where_it_happened(text: str, place: PlaceMention) -> bool:
    """Whether a town named with no event words may be where the event happened: a town (not
    a region or a country), not after words that send the reader elsewhere."""
    if place.precision not in ("point", "city"):
        return False
    return not _ELSEWHERE.search(text[max(0, place.start - 40) : place.start])


def _narrow_place(incident: _Incident, mention: _Mention) -> None:
    """Give the incident just told a town named in the next sentences, where it has no place,
    or only its country or region and the town lies in that country (and region)."""
    last = incident.mentions[-1].sentence.paragraph if incident.mentions else -9
    if mention.sentence.paragraph - last > 2 or incident.only_place is not None:
        return
    have = incident.place[0] if incident.place else (incident.country or (None, None))[0]
    if have is None:  # told with no place at all: the first town named next
        incident.place = (mention.places[0], mention.sentence)
        return
    if PRECISION_RANK[have.precision] < PRECISION_RANK["region"]:
        return
    for town in mention.places:
        inside = town.country == have.country and (
            have.precision == "country" or (have.region and town.region == have.region)
        )
        if inside:
            incident.place = (town, mention.sentence)
            return


_CARRIED_OUT = frozenset(
    ("armed_attack", "bombing", "suicide_bombing", "explosion", "shelling_airstrike", "kidnapping")
)


def _exclusive(incident: _Incident, mention: _Mention) -> bool:
    """Whether a mention's event cannot be the incident's: a plot stopped before it happened
    is not the attack that did happen (and the other way round)."""
    if not mention.triggers or not incident.mentions:
        return False
    mine = choose_type(mention.triggers)[0]
    theirs = incident.tally.best(incident.mentions)
    return (mine == "foiled_plot" and theirs in _CARRIED_OUT) or (
        theirs == "foiled_plot" and mine in _CARRIED_OUT
    )


def _narrower(new: DateRange | None, old: DateRange | None) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    return (new.end - new.start) < (old.end - old.start)


def _told_again(incident: _Incident, mention: _Mention) -> bool:
    """Figures in the next paragraph about "the attack" or "the blast" just told: "Six other
    people were wounded in the attack" continues it (a definite article, and a figure)."""
    last = incident.mentions[-1].sentence.paragraph if incident.mentions else -9
    if not mention.tolls or mention.sentence.paragraph - last > 1:
        return False
    text = mention.sentence.text
    return any(
        re.search(r"\bthe\s+$", text[max(0, t.start - 5) : t.start]) for t in mention.triggers
    )


def _first_toll(incident: _Incident, mention: _Mention) -> bool:
    """A toll with no date or place of its own, a few paragraphs after an incident told with
    none yet (a photo caption between them): that incident's toll. An incident with a toll
    takes no other this way, so a background paragraph's figure is never added to it."""
    last = incident.mentions[-1].sentence.paragraph if incident.mentions else -9
    if not mention.tolls or mention.distinct or mention.sentence.paragraph - last > 3:
        return False
    return not any(m.tolls for m in incident.mentions)


def _near(incident: _Incident, paragraph: int) -> bool:
    """Whether a sentence that names no date or place continues the incident: only in the
    same paragraph (a later one is as likely commentary)."""
    last = incident.mentions[-1].sentence.paragraph if incident.mentions else -9
    return paragraph == last


def _fits(
    incident: _Incident,
    date_here: tuple[DateMention, Sentence] | None,
    place_here: tuple[PlaceMention, Sentence] | None,
    *,
    loose: bool,
) -> bool:
    """Whether a mention with this date and place can be the same event as ``incident``.

    Loose (the incident just spoken of): what is not said does not disagree. Strict (an
    earlier incident recalled): both the date and the place must be stated and agree.
    """
    if incident.only_place is not None:
        return False
    have_date = incident.date[0].when if incident.date else None
    have_place = incident.place[0] if incident.place else None
    new_date = date_here[0].when if date_here else None
    new_place = place_here[0] if place_here else None
    if not (have_date is None or new_date is None or have_date.overlaps(new_date)):
        return False  # the dates disagree: no distance to work out
    if not (have_place is None or new_place is None or _same_place(have_place, new_place)):
        return False
    if loose:
        return True
    if have_date is not None and new_date is not None and have_place and new_place:
        return True
    # Told by its day and country, then its day and town: "78 men died in southern Thailand on
    # Monday ... Monday's protest began in Tak Bai".
    if have_place is None and new_place is not None and have_date is not None and new_date:
        country = incident.country[0].country if incident.country else None
        same_day = have_date.precision == "day" and new_date == have_date
        return same_day and country == new_place.country
    # Recalled by its day alone ("the July 18 attack"), or by its town alone.
    if new_place is None and have_date is not None and new_date is not None:
        return have_date.precision == "day" and new_date == have_date
    if new_date is None and have_place is not None and new_place is not None:
        return have_place.precision in ("city", "district") and have_place.name == new_place.name
    return False


# --- candidates ------------------------------------------------------------------------------


def _fallback_place(
    dateline: Dateline | None,
    paragraphs: list[Paragraph],
    countries: tuple[str, ...],
    incidents: list[_Incident],
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


def _evidence_of(what: str, sentence: Sentence, start: int, end: int, note: str) -> Evidence:
    return Evidence(
        what,
        sentence.paragraph,
        sentence.start + start,
        sentence.start + end,
        sentence.text[start:end],
        note,
    )


def _candidate(
    incident: _Incident,
    source_id: str,
    pub: Published,
    fallback: tuple[PlaceMention, Evidence] | None,
    taken: set[str],
) -> Candidate | None:
    evidence: list[Evidence] = []
    # The sentence that opened the incident counts twice: later ones may be commentary.
    first_triggers = incident.mentions[0].triggers
    triggers = first_triggers + [t for m in incident.mentions for t in m.triggers]
    event_type, chosen = choose_type(triggers)
    weight = sum(t.weight for t in chosen)
    for mention in incident.mentions:
        for trigger in mention.triggers:
            if trigger.event_type == event_type:
                evidence.append(
                    _evidence_of(
                        "event_type",
                        mention.sentence,
                        trigger.start,
                        trigger.end,
                        LABELS[event_type],
                    )
                )
    # Date.
    when: DateRange | None = None
    date_stated = False
    if incident.date is not None:
        mention_date, sentence = incident.date
        when = mention_date.when
        date_stated = True
        evidence.append(
            _evidence_of(
                "date",
                sentence,
                mention_date.start,
                mention_date.end,
                mention_date.note or mention_date.kind,
            )
        )
    elif pub.when is not None:
        # A report of a known day tells what happened in the days before it; a date known only
        # within bounds leaves the year before it.
        days, span = (7, "week") if pub.exact else (365, "year")
        end = pub.when.end
        start = max(end - timedelta(days=days), pub.when.start - timedelta(days=days))
        when = DateRange(start, end)
        note = f"no date in the text: the {span} up to publication ({pub.how})"
        evidence.append(Evidence("date", 0, 0, 0, "", note))
    if when is not None and when.precision == "years":
        # Longer than a table's date may span (a year): the evidence keeps what the text said.
        evidence.append(
            Evidence(
                "date",
                0,
                0,
                0,
                "",
                f"the text allows {when.iso()}; cut to a year from "
                "its start, the longest range a table holds",
            )
        )
        when = DateRange(when.start, when.start + timedelta(days=365))
    # Place.
    place: PlaceMention | None = None
    if incident.only_place is not None:
        place = incident.only_place
        evidence.append(
            _evidence_of(
                "place",
                incident.mentions[0].sentence,
                place.start,
                place.end,
                "one of several places listed for this event",
            )
        )
    elif incident.place is not None:
        place, sentence = incident.place
        evidence.append(_evidence_of("place", sentence, place.start, place.end, _place_note(place)))
    elif incident.country is not None:
        place, sentence = incident.country
        evidence.append(
            _evidence_of("place", sentence, place.start, place.end, "only the country is named")
        )
    elif fallback is not None:
        told_apart = incident.distinct and when is not None and when.precision == "day"
        if not any(m.tolls for m in incident.mentions) and not told_apart:
            return None  # no place named and no figure: too little to propose
        place = fallback[0]
        evidence.append(fallback[1])
    if place is None and not incident.date:
        return None
    if (
        place is not None
        and place.precision == "country"
        and not date_stated
        and not any(m.tolls for m in incident.mentions)
    ):
        return None  # a remark about a country, not an event
    # Tolls, one claim per passage.
    claims, toll_evidence = _claims(incident)
    evidence += toll_evidence
    killed = toll_range([c.killed for c in claims], claims, "killed")
    wounded = toll_range([c.wounded for c in claims], claims, "wounded")
    paragraphs = tuple(sorted({m.sentence.paragraph for m in incident.mentions}))
    first = incident.mentions[0].sentence.paragraph
    place_name = place.text if place is not None and place.text else ""
    if place is not None and place.precision == "country":
        place_name = f"{place.name} (place not given)"
    label = LABELS[event_type]
    summary = f"Candidate from {source_id} para {first}: {label}"
    if place_name:
        summary += f" at {place_name}"
    confidence = _confidence(when, date_stated, place, weight, claims, pub)
    incident_id = _unique_id(when, place, event_type, source_id, taken)
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
        killed_low=killed[0],
        killed_best=killed[1],
        killed_high=killed[2],
        wounded_low=wounded[0],
        wounded_best=wounded[1],
        wounded_high=wounded[2],
        summary=summary,
        sources=source_id,
        confidence=confidence,
        evidence=evidence,
        claims=claims or [ClaimDraft(str(first), None, None, "no figure given")],
        paragraphs=paragraphs,
        told_apart=incident.distinct,
    )


def _place_note(place: PlaceMention) -> str:
    where = ", ".join(part for part in (place.name, place.region, place.country) if part)
    if place.qualifier and place.precision == "district":
        return f"'{place.qualifier}' {place.name}: an approximate location ({where})"
    return f"{where} ({place.precision})"


def _claims(incident: _Incident) -> tuple[list[ClaimDraft], list[Evidence]]:
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
                _evidence_of(toll.what, mention.sentence, toll.start, toll.end, toll.note)
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


def _breakdowns(incident: _Incident) -> set[int]:
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


__all__ = [
    "Candidate",
    "ClaimDraft",
    "Evidence",
    "Published",
    "country_keys",
    "extract",
    "extract_with_publication",
]
