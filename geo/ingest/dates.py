"""Dates in an article's text: absolute ones, and relative ones resolved against a reference.

Every date found is a :class:`DateRange` (first and last day it certainly lies in), never one
day picked out of a wider range: "in May 2011" is the month, "in 2012" the year. Relative words
("yesterday", "on Tuesday", "last Friday", "this weekend") are resolved against the publication
date; "a week earlier" or "two days later" against the date the text was last speaking of. When
the publication date is not known but bounded (a range), a relative date is that range moved,
so it stays honest.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from geo.schema import DATE_PRECISIONS

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
_ABSOLUTE = re.compile(
    rf"\b(?P<iy>{_YEAR})-(?P<im>[01]\d)-(?P<id>[0-3]\d)\b"
    rf"|\b(?P<dd>[0-3]?\d)\.(?P<dm>[01]?\d)\.(?P<dy>{_YEAR})\b"
    rf"|\b(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH})\b\.?"
    rf"(?:,?\s+(?P<y1>{_YEAR})\b)?"
    rf"|\b(?P<m2>{_MONTH})\b\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\b(?![:\d])"
    rf"(?:,?\s*(?P<y2>{_YEAR})\b)?"
    rf"|\b(?:(?P<mq>[Ee]arly|[Ll]ate|[Mm]id)[\s-]+)?(?P<m3>{_MONTH})\b\.?(?:\s+of)?,?\s+"
    rf"(?P<y3>{_YEAR})\b"
    rf"|\b(?P<bp>[Ii]n|[Ee]arly|[Ll]ate|[Mm]id|[Ss]ince|[Dd]uring|[Ll]ast|[Tt]his|[Ee]nd of)"
    rf"[\s-]+(?:(?:early|late|mid)[\s-]+)?(?P<m4>{_MONTH})\b(?!\.?\s+\d)"
    rf"|\b(?P<yr1>{_YEAR})\s*[-–/]\s*(?P<yr2>{_YEAR}|\d\d)\b"
    rf"|\b(?P<yp>[Ii]n|[Oo]f|[Ss]ince|[Dd]uring|[Tt]hroughout|[Ee]arly|[Ll]ate|[Mm]id)[\s-]+"
    rf"(?P<y5>{_YEAR})\b"
    rf"|(?<![\d.-])(?P<y6>{_YEAR})(?=,)"
)
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a couple of": 2,
    "a few": 3,
}
_COUNT = r"(?:a couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,3})"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_RELATIVE = re.compile(
    r"\b(?P<day>yesterday|today|tonight|this (?:morning|afternoon|evening)|last night"
    r"|overnight|the day before yesterday)\b"
    rf"|\b(?:(?P<wq>on|last|this|past|early on|late on|since)\s+)?(?P<wd>{_WEEKDAY})(?:'s)?"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b"
    r"|\b(?P<wk>this|last|past|over the|at the|during the|on the)\s+weekend\b"
    r"|\b(?P<pw>last|this|past|previous)\s+(?P<unit>week|month|year)\b"
    r"|\bearlier (?:this|in the) (?P<unit2>week|month|year)\b"
    rf"|\b(?P<n>{_COUNT})\s+(?P<unit3>day|week|month|year)s?\s+"
    r"(?P<dir>ago|earlier|before|later|after|afterwards|previously)\b"
    r"|\b(?P<same>the same day|that day|that same day|the day before|the previous day"
    r"|the next day|the following day|the day after|a day later|a day earlier)\b",
    re.IGNORECASE,
)
# "Police said on Monday", "told reporters on Monday", "announced Tuesday": the date of a
# statement, not of the event.
_REPORTED_BEFORE = re.compile(
    r"\b(?:said|says|told (?:\w+ ){0,2}?|announced|reported|confirmed|added|stated|claimed"
    r"|tweeted|wrote|statement)\s+(?:(?:late|early)\s+)?(?:on\s+)?$",
    re.IGNORECASE,
)
# Words that make a date a plan rather than an event (it says nothing of the article's time).
_FUTURE = re.compile(
    r"\b(?:will|scheduled|is due|are due|to be held|plans? to|next (?:week|month|year|monday"
    r"|tuesday|wednesday|thursday|friday|saturday|sunday|weekend))\b",
    re.I,
)


@dataclass(frozen=True)
class DateRange:
    """The days an event certainly lies in, first and last included."""

    start: date
    end: date

    @property
    def precision(self) -> str:
        """``day``, ``week``, ``month`` or ``year`` (data/SCHEMA.md), from the range's length."""
        days = (self.end - self.start).days
        for name, longest in DATE_PRECISIONS.items():
            if days <= longest:
                return name
        return "years"

    def overlaps(self, other: DateRange, slack_days: int = 0) -> bool:
        pad = timedelta(days=slack_days)
        return self.start <= other.end + pad and other.start <= self.end + pad

    def iso(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class DateMention:
    """A date in a sentence: offsets within the sentence's text, what it means, how it was read.

    ``when`` is ``None`` when the words name a date that cannot be placed (a relative date in
    an article whose publication date is unknown and unbounded). ``kind`` is ``absolute``,
    ``relative`` (to the publication date), ``narrative`` (to the date last spoken of) or
    ``span`` (years like "2011-12": context only, too long to date an event).
    """

    start: int
    end: int
    text: str
    when: DateRange | None
    kind: str
    note: str = ""
    future: bool = False
    offset: bool = False
    """A narrative date some days away from the one spoken of ("a week earlier", "two days
    later"): it names another day, so another event."""
    reported: bool = False
    """When something was said ("police said on Monday"), not when it happened."""


@dataclass
class DateContext:
    """What relative dates and dates without a year are read against, updated while reading.

    ``published`` is the publication date's range: one day when known, a range when only
    bounded, ``None`` when nothing is known. ``year`` is the last year the text wrote out.
    ``last`` is the date the text last spoke of (for "a week earlier").
    """

    published: DateRange | None
    published_exact: bool
    year: int | None = None
    year_paragraph: int = 0
    last: DateRange | None = None


def month_range(year: int, month: int) -> DateRange:
    last = calendar.monthrange(year, month)[1]
    return DateRange(date(year, month, 1), date(year, month, last))


def year_range(year: int) -> DateRange:
    return DateRange(date(year, 1, 1), date(year, 12, 31))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, context: DateContext, paragraph: int) -> list[DateMention]:
    """Every date in ``text`` (one sentence), in order, resolved with ``context``.

    The context is updated as dates are read: a written year becomes the year of later
    "October 31st"; each resolved date becomes what "a week earlier" counts from.
    """
    future = bool(_FUTURE.search(text))
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for match in _ABSOLUTE.finditer(text):
        mention = _absolute(match, context, paragraph)
        if mention is not None:
            found.append(replace(mention, future=future))
            taken.append((match.start(), match.end()))
    # The absolute dates are in order and do not overlap: the relative dates, also read in
    # order, walk along them once.
    absolutes = list(found)
    next_taken = next_absolute = 0
    latest: DateMention | None = None  # the last dated mention before the relative date
    for match in _RELATIVE.finditer(text):
        # "Thursday, 28 July, 2016": the weekday belongs to the date after it.
        while next_taken < len(taken) and taken[next_taken][1] <= match.start():
            next_taken += 1
        if next_taken < len(taken) and taken[next_taken][0] < match.end() + 2:
            continue
        while next_absolute < len(absolutes) and absolutes[next_absolute].start < match.start():
            mention = absolutes[next_absolute]
            if (
                mention.when
                and mention.kind != "span"
                and (latest is None or mention.start > latest.start)
            ):
                latest = mention
            next_absolute += 1
        if latest is not None:
            context.last = latest.when
        mention = _relative(match, context)
        if mention is not None:
            found.append(replace(mention, future=future))
            if mention.when and mention.kind != "span":
                latest = mention
    found.sort(key=lambda m: m.start)
    found = [
        replace(m, reported=True)
        if _REPORTED_BEFORE.search(text[max(0, m.start - 40) : m.start])
        else m
        for m in found
    ]
    # "A week earlier" counts from the event's date, not from when it was reported.
    events = [m for m in found if not m.reported] or found
    for mention in events:
        if mention.when is not None and mention.kind != "span" and not future:
            context.last = mention.when
    return found


Read = tuple["DateRange | None", str, str]
"""What a date's words say: its range (``None``: no year to place it), a note, and its kind."""


def _absolute(match: re.Match[str], context: DateContext, paragraph: int) -> DateMention | None:
    g = match.groupdict()

    def written_year(year: int) -> None:
        context.year = year
        context.year_paragraph = paragraph

    read = (
        _numeric(g, written_year)
        if g["iy"] or g["dy"]
        else _month_and_day(g, context, paragraph, written_year)
        if g["m1"] or g["m2"]
        else _month(g, context, paragraph, written_year)
        if g["m3"] or g["m4"]
        else _years(g, written_year)
    )
    if read is None:
        return None
    when, note, kind = read
    return DateMention(match.start(), match.end(), match.group(), when, kind, note)


def _numeric(g: dict[str, str | None], written_year: Callable[[int], None]) -> Read | None:
    """2016-07-18, or 18.07.2016 (day.month.year)."""
    iso = bool(g["iy"])
    parts = (g["iy"], g["im"], g["id"]) if iso else (g["dy"], g["dm"], g["dd"])
    day = _safe_date(*(int(p or 0) for p in parts))
    if day is None:
        return None
    written_year(day.year)
    return DateRange(day, day), "" if iso else "day.month.year", "absolute"


def _month_and_day(
    g: dict[str, str | None],
    context: DateContext,
    paragraph: int,
    written_year: Callable[[int], None],
) -> Read | None:
    """ "July 18, 2016", "18 July": the year written, else the one the text or the publication
    date gives."""
    month_name = str(g["m1"] or g["m2"])
    month = MONTHS[month_name.lower()]
    day_text = str(g["d1"] or g["d2"])
    year_text = g["y1"] or g["y2"]
    if month_name == "May" and g["d2"] and not year_text and int(day_text) > 31:
        return None
    if year_text:
        written_year(int(year_text))
        day = _safe_date(int(year_text), month, int(day_text))
        return (DateRange(day, day), "", "absolute") if day else None
    year, note = _year_for(month, int(day_text), context, paragraph)
    if year is None:
        return None, "no year in the text or the publication date", "absolute"
    day = _safe_date(year, month, int(day_text))
    return (DateRange(day, day), note, "absolute") if day else None


def _month(
    g: dict[str, str | None],
    context: DateContext,
    paragraph: int,
    written_year: Callable[[int], None],
) -> Read:
    """ "July 2016", "early July 2016"; or "in July", "last July" with the year to be found."""
    if g["m3"]:
        year = int(str(g["y3"]))
        written_year(year)
        note = f"{str(g['mq']).lower()} in the month" if g["mq"] else ""
        return month_range(year, MONTHS[str(g["m3"]).lower()]), note, "absolute"
    month = MONTHS[str(g["m4"]).lower()]
    found, note = _year_for(month, 1, context, paragraph, whole_month=True)
    if found is None:
        return None, "no year in the text or the publication date", "absolute"
    if str(g["bp"]).lower() == "last" and context.published is not None:
        published = context.published.start
        found = published.year - (1 if month >= published.month else 0)
        note = "last <month>: the one before publication"
    return month_range(found, month), note, "absolute"


def _years(g: dict[str, str | None], written_year: Callable[[int], None]) -> Read | None:
    """ "2011-2016" (a span of years), "in 2016" (the whole year), "since 2009" (context)."""
    if g["yr1"]:
        first = int(g["yr1"])
        last_text = str(g["yr2"])
        last = int(last_text) if len(last_text) == 4 else first // 100 * 100 + int(last_text)
        if not first <= last <= first + 50:
            return None
        written_year(last)
        return DateRange(date(first, 1, 1), date(last, 12, 31)), "span of years", "span"
    year_text = g["y5"] or g["y6"]
    if not year_text:
        return None
    year = int(year_text)
    written_year(year)
    if (g["yp"] or "").lower() == "since":
        # "since 2009" is a span up to now, not an event's year.
        return year_range(year), "since the year: context only", "span"
    return year_range(year), "the whole year", "absolute"


def _year_for(
    month: int, day: int, context: DateContext, paragraph: int, *, whole_month: bool = False
) -> tuple[int | None, str]:
    """The year of a date written without one, and how it was chosen."""
    pub = context.published
    near = context.year is not None and paragraph - context.year_paragraph <= 1
    if near and context.year is not None:
        return context.year, f"year {context.year} from the text before it"
    if pub is not None and context.published_exact:
        year = pub.start.year
        first = date(year, month, 1 if whole_month else min(day, 28))
        if first > pub.end:
            year -= 1
        return year, "year of the publication date"
    if context.year is not None:
        return context.year, f"year {context.year} from earlier in the text"
    return None, ""


# --- relative dates ---------------------------------------------------------------------------

Rule = Callable[[date], DateRange]


def _day(offset: int) -> Rule:
    return lambda d: DateRange(d + timedelta(days=offset), d + timedelta(days=offset))


def _weekday(index: int, *, strictly_before: bool) -> Rule:
    def rule(d: date) -> DateRange:
        back = (d.weekday() - index) % 7
        if back == 0 and strictly_before:
            back = 7
        day = d - timedelta(days=back)
        return DateRange(day, day)

    return rule


def _weekend(d: date) -> DateRange:
    # The weekend on or before the reference: its Saturday and Sunday.
    back = (d.weekday() - 5) % 7
    saturday = d - timedelta(days=back)
    return DateRange(saturday, saturday + timedelta(days=1))


def _calendar(unit: str, previous: bool, to_date: bool) -> Rule:
    def rule(d: date) -> DateRange:
        if unit == "week":
            monday = d - timedelta(days=d.weekday())
            if previous:
                return DateRange(monday - timedelta(days=7), monday - timedelta(days=1))
            return DateRange(d - timedelta(days=6), d) if not to_date else DateRange(monday, d)
        if unit == "month":
            if previous:
                last = d.replace(day=1) - timedelta(days=1)
                return month_range(last.year, last.month)
            return DateRange(d.replace(day=1), d)
        if previous:
            return year_range(d.year - 1)
        return DateRange(date(d.year, 1, 1), d)

    return rule


def _apply(rule: Rule, reference: DateRange) -> DateRange:
    """A monotonic rule over a reference range: the range from its earliest to latest answer."""
    first, last = rule(reference.start), rule(reference.end)
    return DateRange(first.start, last.end)


def _relative(match: re.Match[str], context: DateContext) -> DateMention | None:
    g = {k: (v.lower() if v else v) for k, v in match.groupdict().items()}
    found = _rule(g)
    if found is None:
        return None
    rule, narrative, offset = found
    text = match.group()
    reference = context.last if narrative else context.published
    if reference is None and narrative:
        reference = context.published
    start, end = match.start(), match.end()
    kind = "narrative" if narrative else "relative"
    if reference is None:
        return DateMention(start, end, text, None, kind, "nothing to count it from")
    when = _apply(rule, reference)
    if narrative:
        note = f"counted from {reference.iso()}, the date spoken of before"
    elif context.published_exact:
        note = f"counted from the publication date {reference.iso()}"
    else:
        note = f"publication date unknown, bounded by {reference.iso()}"
    return DateMention(start, end, text, when, kind, note, offset=offset and narrative)


def _rule(g: dict[str, str | None]) -> tuple[Rule, bool, bool] | None:
    """The rule a relative date's words give, whether it counts from the date spoken of before
    (narrative) rather than publication, and whether it moves away from that date (offset)."""
    if g["day"]:
        return _day_word(g["day"]), False, False
    if g["wd"]:
        if g["wq"] == "since":
            return None
        return _weekday(WEEKDAYS.index(g["wd"]), strictly_before=g["wq"] == "last"), False, False
    if g["wk"]:
        return _weekend, False, False
    if g["pw"]:
        previous = g["pw"] in ("last", "previous")
        return _calendar(str(g["unit"]), previous, to_date=False), False, False
    if g["unit2"]:
        return _calendar(g["unit2"], False, to_date=True), False, False
    if g["unit3"]:
        narrative = g["dir"] != "ago"
        return _counted(g), narrative, narrative
    if g["same"]:
        shift = _SAME_DAY_SHIFT.get(g["same"], 0)
        return _day(shift), True, shift != 0
    return None


_SAME_DAY_SHIFT = {
    **dict.fromkeys(("the day before", "the previous day", "a day earlier"), -1),
    **dict.fromkeys(("the next day", "the following day", "the day after", "a day later"), 1),
}


def _day_word(word: str) -> Rule:
    if word == "the day before yesterday":
        return _day(-2)
    if word in ("yesterday", "last night"):
        return _day(-1)
    if word == "overnight":
        return lambda d: DateRange(d - timedelta(days=1), d)
    return _day(0)


def _counted(g: dict[str, str | None]) -> Rule:
    """ "Three days later", "a month earlier", "a week after": counted days either way."""
    number = str(g["n"])
    count = int(number) if number.isdigit() else _NUMBER_WORDS.get(number, 1)
    sign = 1 if g["dir"] in ("later", "afterwards") else -1
    unit = str(g["unit3"])
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * count
    if g["dir"] in ("after", "before"):
        # "X took place a month after Y": which side is which, the words alone do not say.
        return lambda d: DateRange(
            d - timedelta(days=days + days // 3), d + timedelta(days=days + days // 3)
        )
    if unit == "day":
        return _day(sign * count)
    # A round "a month earlier" is said of three to six weeks: it reaches further back (or on)
    # than short of the round figure.
    near, far = {"week": (2, 2), "month": (9, 15), "year": (60, 60)}[unit]
    low, high = (days - near, days + far)
    first, last = (-high, -low) if sign < 0 else (low, high)
    return lambda d: DateRange(d + timedelta(days=first), d + timedelta(days=last))
