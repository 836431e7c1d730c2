"""An article's publication date, when no one gives it: a byline or a date line near the top,
the dateline's date, a date printed on a line of its own, else bounds from the dates it tells."""

from __future__ import annotations

import re
from datetime import date, timedelta

from geo.ingest.dates import DateContext, DateRange, find_dates
from geo.ingest.model import Evidence, Published
from geo.ingest.text import (
    Dateline,
    Paragraph,
    split_sentences,
)

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


def bounded_publication(paragraphs: list[Paragraph]) -> DateRange | None:
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
