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

import re
from dataclasses import replace
from datetime import date

from geo.ingest.candidates import candidate_of, fallback_place
from geo.ingest.consolidate import consolidate
from geo.ingest.dates import DateContext, DateMention, DateRange, find_dates
from geo.ingest.grouping import Mention, group, main_place, where_it_happened
from geo.ingest.model import Candidate, Published
from geo.ingest.places import countries_spoken_of, find_places
from geo.ingest.published import bounded_publication, find_published
from geo.ingest.text import (
    Dateline,
    Paragraph,
    Sentence,
    check_length,
    find_dateline,
    split_paragraphs,
    split_sentences,
)
from geo.ingest.tolls import find_tolls
from geo.ingest.types import Trigger, find_triggers


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
        reference = bounded_publication(paragraphs)
        if reference is not None:
            pub = Published(reference, False, "bounded")
    context = DateContext(published=reference, published_exact=pub.exact)
    countries = _context_countries(text)
    mentions = list(_read(paragraphs, context, countries, dateline))
    incidents = group(mentions)
    fallback = fallback_place(dateline, paragraphs, countries, incidents)
    out: list[Candidate] = []
    taken: set[str] = set()
    for incident in incidents:
        candidate = candidate_of(incident, source_id, pub, fallback, taken)
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
) -> list[Mention]:
    out: list[Mention] = []
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
                    mention = Mention(sentence, dates, places, tolls, triggers, last_date)
                    mention.distinct = _distinct(sentence.text, triggers)
                    out.append(mention)
                elif towns := [p for p in places if where_it_happened(sentence.text, p)]:
                    # No event words, but a town: it may say where the event just told was
                    # ("the violence in the southern city of Osh").
                    out.append(Mention(sentence, [], towns, [], [], None, place_only=True))
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
        if main_place(places) is None:
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


__all__ = ["extract", "extract_with_publication"]
