"""Death and injury figures in a sentence: numbers in words and digits, vague ones as bounds.

A figure is read with its qualifier: "at least 12" is 12 and up (no upper bound), "more than
20" is 21 and up, "up to 30" is at most 30, "dozens" is 24 and up. A toll is a figure tied to a
word for dying or being hurt, after it ("17 people were killed", "three soldiers and four
civilians were killed": 7) or before it ("killing two police officers", "the death toll rose to
12 from seven": 12, and 7 as the first figure). A subset ("including three police officers",
"five of whom") is a note, not a second toll.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_UNITS = {
    "zero": 0,
    "no": 0,
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
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Vague amounts: (lowest figure meant, highest or None).
_VAGUE = {
    "a dozen": (12, 12),
    "dozens": (24, None),
    "dozens of": (24, None),
    "scores": (40, None),
    "scores of": (40, None),
    "hundreds": (200, None),
    "hundreds of": (200, None),
    "a hundred": (100, 100),
    "thousands": (2000, None),
    "thousands of": (2000, None),
}
_UNIT_WORDS = "|".join(sorted(_UNITS, key=len, reverse=True))
_TEN_WORDS = "|".join(_TENS)
_WORD_NUMBER = (
    rf"(?:(?:{_TEN_WORDS})(?:[- ](?:{_UNIT_WORDS}))?|{_UNIT_WORDS})(?:\s+hundred(?:\s+and\s+"
    rf"(?:(?:{_TEN_WORDS})(?:[- ](?:{_UNIT_WORDS}))?|{_UNIT_WORDS}))?)?"
)
_QUALIFIER = (
    r"at least|more than|over|upwards of|in excess of|up to|as many as|nearly|almost|about"
    r"|around|some|approximately|roughly|an estimated|at most|fewer than|less than|no fewer than"
    r"|no less than|a total of|another|a further|an additional"
)
_FIGURE = re.compile(
    rf"(?<![\w.,-])(?:(?P<q>{_QUALIFIER})\s+)?"
    rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|{_WORD_NUMBER}|a dozen|dozens(?: of)?|scores(?: of)?"
    rf"|hundreds(?: of)?|a hundred|thousands(?: of)?)"
    r"(?=\b|people|persons|civilians|soldiers|policemen)(?![-.,]\d)(?!-year|-strong|-member)",
    re.IGNORECASE,
)
_KILL = (
    r"killed|dead|died|dies|slain|slaughtered|massacred|murdered|executed|shot dead|gunned down"
    r"|shot(?!\s+(?:at|down|up|through|in the|into))"
    r"|lost their lives|perished|fatalities|deaths|liquidated|eliminated|neutrali[sz]ed"
    r"|suffocated|asphyxiated|(?:crushed|burned|burnt|beaten|stabbed|hacked|stoned|trampled)"
    r" to death"
    r"|destroyed|bodies|corpses"
)
_HURT = r"wounded|injured|hurt|injuries|hospitali[sz]ed|wounds|maimed"
_APPOSITION = (
    r"\s*(?:including|among (?:them|whom)|(?:most|many|all|some) of (?:them|whom)|mostly|mainly)\b"
)
# Figure, up to five words (people, police officers, more), an auxiliary, then the word.
_AFTER = re.compile(
    r"\s*(?P<words>(?:(?!and\b|but\b|who\b|which\b|were\b|was\b|had\b|have\b|as\b)[\w'’-]+\s+)"
    r"{0,5}?(?:[\w'’-]+(?=," + _APPOSITION + r"))?)"
    # "Four tourists, including two Americans, were killed": who they were, between commas
    r"(?:," + _APPOSITION + r"[^,;.()]{0,60},\s+)?"
    r"(?:(?:were|was|have been|has been|had been|are|is|being|got|reportedly|later|also|"
    r"all|either|both)\s+){0,3}(?:\w+ly\s+)?(?P<verb>" + _KILL + "|" + _HURT + r")\b",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"(?P<verb>killing|killed|kills|kill|massacred|murdered|slaughtered|shot dead|executed"
    r"|gunned down|gunning down|shot|shooting|(?:the )?shooting of"
    r"|claimed the lives of|claiming the lives of|took the lives of|dead|deaths|death toll"
    r"(?:\s+[\w'-]+){0,4}?\s+(?:to|at|of|is|was|reached|hit|stands at|stood at)|toll(?:\s+[\w'-]+)"
    r"{0,3}?\s+(?:to|at|of)|injuring|injured|wounding|wounded|hurting|injuries to|wounds to"
    r"|injured toll(?:\s+[\w'-]+){0,3}?\s+(?:to|at|of))\s+$",
    re.IGNORECASE,
)
_NOT_VICTIMS = re.compile(
    r"\b(?:km|kilometres?|kilometers?|miles?|metres?|meters?|years?|months?|weeks?|days?|hours?"
    r"|minutes?|rounds?|cartridges?|bombs?|grenades?|rifles?|guns?|weapons?|percent|per cent|%"
    r"|dollars?|tonnes?|kg|vehicles?|cars?|houses?|homes?|buildings?|times?|cases?|suspects?"
    r"|arrested|detained|sentenced)\b",
    re.IGNORECASE,
)
_AND_MORE = re.compile(
    r"\s+(?:[\w'’-]+\s+){1,2}and\s+(?P<fig>(?:\d+|[a-z]+(?:-[a-z]+)?))\s+(?:[\w'’-]+)"
    r"(?:\s+of\s+the\s+public)?",
    re.IGNORECASE,
)
_SUBSET_BEFORE = re.compile(
    r"(?:including|among them|among whom|of whom|of them|mostly|mainly)\s+$", re.IGNORECASE
)
_SUBSET_AFTER = re.compile(
    r"\s*(?:of whom|of them|of the (?:wounded|injured|dead|victims|hostages))\b", re.IGNORECASE
)
_ATTACKER_WORDS = (
    r"attackers?|gunm[ae]n|assailants?|bombers?|militants?|terrorists?|insurgents?|rebels?"
    r"|bandits?|fighters?|jihadists?|perpetrators?|hostage-takers?|kidnappers?"
)
_ATTACKERS_COUNTED = re.compile(
    rf"\bincluding (?:the |two |three |one |an? |all )?(?:\w+ )?(?:{_ATTACKER_WORDS})\b", re.I
)
_ATTACKERS_NOT_COUNTED = re.compile(
    rf"\b(?:not (?:counting|including)|excluding|besides|apart from|in addition to|as well as)"
    rf" (?:the |two |three |one |an? |all )?(?:\w+ )?(?:{_ATTACKER_WORDS})\b",
    re.I,
)
_ATTACKER_VICTIMS = re.compile(rf"\b(?:{_ATTACKER_WORDS})\b", re.I)
_SINGULAR = re.compile(
    r"\b(?:a|an|one|the)\s+(?:[\w-]+\s+){0,2}?(?P<who>man|woman|person|civilian|policeman"
    r"|policewoman|police officer|officer|soldier|guard|bomber|attacker|gunman|militant|child"
    r"|boy|girl|resident|journalist|worker|trooper|passer-by|driver|student|teacher|imam|priest"
    r"|official|commander)\s+(?:was|has been|had been|is)\s+(?:\w+ly\s+)?(?P<verb>killed|shot dead"
    r"|murdered|stabbed to death|wounded|injured|hurt)\b"
    r"|\b(?:blew (?:himself|herself) up|killing (?:himself|herself))",
    re.IGNORECASE,
)
_MONTH_NAMES = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b"
)
_MONTH_AFTER = re.compile(rf"(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH_NAMES}")
_MONTH_BEFORE = re.compile(rf"\b{_MONTH_NAMES}\.?\s*$")
# The longest month name and its stop, and one character before it for the word boundary.
_MONTH_REACH = len("September.") + 1
_DIGIT_SPACE_BEFORE = re.compile(r"\d[\s\u00a0\u202f]$")
_SPACES_BEFORE = re.compile(r"\s*$")
_SHOT_NOTE = "'shot': read as killed; the text does not say how many died"
_ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
# "A third officer later died in hospital": the dead now number three.
_ORDINAL_DEATH = re.compile(
    rf"\b(?:a|the)\s+(?P<ord>{'|'.join(_ORDINALS)})\s+(?:[\w-]+\s+){{0,2}}?"
    r"(?:(?:later|also|has|had|have|subsequently|since|then|was|reportedly)\s+){0,2}"
    r"(?P<verb>died|dies|succumbed|passed away|was killed|killed|was wounded|wounded"
    r"|was injured|injured)\b",
    re.IGNORECASE,
)
# "Five were killed and another wounded": one more.
_ONE_MORE = re.compile(
    r"\b(?:and|while)\s+(?P<one>(?:another|one more|a further)\s+(?:(?!\d)[a-z-]+\s+)?"
    r"(?:(?:was|were|has been|had been)\s+)?(?:\w+ly\s+)?(?P<verb>wounded|injured|hurt|killed"
    r"|died))\b",
    re.IGNORECASE,
)
_UPDATED = re.compile(r"\b(?:rose|risen|rising|climbed|increased|jumped|revised|later|updated)\b")
INITIAL_NOTE = "initial figure"
"""How a toll's note marks a first figure the text says was since changed."""
ROLE_NOTES = {"initial": INITIAL_NOTE, "updated": "updated figure"}

_INITIAL = re.compile(
    r"\b(?:initially|first reported|earlier reports?|at first|initial(?: \w+)? reports?"
    r"|preliminary (?:\w+ )?(?:reports?|figures?|count|toll))\b",
    re.I,
)


@dataclass(frozen=True)
class Figure:
    """A number as written: its lower bound, upper bound (``None``: open) and how it was read."""

    start: int
    end: int
    text: str
    low: int
    high: int | None
    note: str


@dataclass(frozen=True)
class Toll:
    """Deaths or injuries a sentence reports: offsets in the sentence, the figure's bounds.

    ``what`` is ``killed`` or ``wounded``; ``role`` is ``""``, ``initial`` (a first figure the
    text says was later changed) or ``updated``; ``note`` says how vague figures were read,
    sums, subsets, and whether attackers are counted where the text says so.
    """

    what: str
    low: int
    high: int | None
    start: int
    end: int
    text: str
    note: str
    role: str = ""


MAX_TOLL = 10_000_000
"""The largest toll a table may hold (data/SCHEMA.md)."""
_SCALE_AFTER = re.compile(r"\s*(?:hundred|thousand|million|billion|\d{3}\b|\.\d)", re.I)


def word_number(text: str) -> int | None:
    """``"twenty-one"`` -> 21, ``"seven"`` -> 7, ``"17"`` -> 17, ``"1,200"`` -> 1200."""
    text = text.lower().strip()
    digits = text.replace(",", "")
    if digits.isdigit():
        # A toll is at most 10,000,000 (data/SCHEMA.md); a longer run of digits is no toll.
        return int(digits) if len(digits) <= 8 and int(digits) <= MAX_TOLL else None
    total = 0
    hundreds = re.match(r"(.+?)\s+hundred(?:\s+and\s+(.+))?$", text)
    if hundreds:
        head = word_number(hundreds.group(1))
        tail = word_number(hundreds.group(2)) if hundreds.group(2) else 0
        if head is None or tail is None:
            return None
        return head * 100 + tail
    for part in re.split(r"[- ]", text):
        if part in _UNITS:
            total += _UNITS[part]
        elif part in _TENS:
            total += _TENS[part]
        else:
            return None
    return total


_NO_ONE = re.compile(r"\bno[\s-]+$", re.IGNORECASE)


def _qualified(
    qualifier: str, number: str, low: int, high: int | None, note: str
) -> tuple[int, int | None, str]:
    """A figure's bounds and note once its qualifier is read ("at least 12": 12 or more)."""
    said = f"'{qualifier} {number}'"
    if qualifier in ("at least", "no fewer than", "no less than"):
        return low, None, f"{said}: {low} or more"
    if qualifier in ("more than", "over", "upwards of", "in excess of"):
        return low + 1, None, f"{said}: {low + 1} or more"
    if qualifier in ("up to", "as many as", "at most"):
        return low, high, f"{said}: at most {low}"
    if qualifier in ("fewer than", "less than"):
        fewer = max(low - 1, 0)
        return fewer, fewer, f"{said}: at most {fewer}"
    if qualifier in ("nearly", "almost", "about", "around", "some", "approximately", "roughly",
                     "an estimated"):  # fmt: skip
        return low, high, f"{said}: approximate"
    if qualifier in ("another", "a further", "an additional"):
        return low, high, f"{said}: in addition"
    return low, high, note


def find_figures(text: str) -> list[Figure]:
    """Every number in ``text`` with its qualifier, as bounds."""
    out = []
    for match in _FIGURE.finditer(text):
        qualifier = (match.group("q") or "").lower()
        number = match.group("n").lower()
        if number == "no" and not qualifier:
            continue
        if number == "one" and _NO_ONE.search(text, max(0, match.start() - 4), match.start()):
            continue  # "no one was hurt": nobody, not one
        if number in _VAGUE:
            low, high = _VAGUE[number]
            note = f"'{match.group('n')}' read as {low} or more" if high is None else ""
        else:
            value = word_number(number)
            if (
                value is None
                or _SCALE_AFTER.match(text, match.end())
                or (
                    number.isdigit()
                    and _DIGIT_SPACE_BEFORE.search(text, max(0, match.start() - 3), match.start())
                )
            ):
                continue  # "two thousand", "2 million", "10 000": not read, never read short
            low, high = value, value
            note = ""
        if 1800 <= low <= 2200 and number.isdigit() and not qualifier:
            continue  # a year
        if number.isdigit() and (
            _MONTH_AFTER.match(text, match.end()) or _month_before(text, match.start())
        ):
            continue  # a day of the month: "On 3 March", "March 3"
        low, high, note = _qualified(qualifier, number, low, high, note)
        out.append(Figure(match.start(), match.end(), match.group(), low, high, note))
    return out


def _month_before(text: str, end: int) -> bool:
    """Whether ``text[:end]`` ends with a month's name and spaces ("March 3"): only the name
    and the spaces before ``end`` are read."""
    spaces = end
    while spaces > 0 and text[spaces - 1].isspace():
        spaces -= 1
    return bool(_MONTH_BEFORE.search(text, max(0, spaces - _MONTH_REACH), end))


def _kind(verb: str) -> str:
    return (
        "wounded"
        if re.fullmatch(_HURT, verb.lower()) or "injur" in verb.lower()
        else ("wounded" if re.search(r"wound|hurt|injur", verb, re.I) else "killed")
    )


def find_tolls(text: str) -> list[Toll]:
    """Deaths and injuries in one sentence, in order of the words."""
    figures = find_figures(text)
    # Words for the dead or hurt, found once: a figure looks up the last one before it.
    victims = list(_VICTIMS.finditer(text))
    tolls: list[Toll] = []
    used: set[int] = set()
    for i, figure in enumerate(figures):
        if i in used:
            continue
        before = text[max(0, figure.start - 70) : figure.start]
        if _SUBSET_BEFORE.search(before) or _SUBSET_AFTER.match(text, figure.end):
            continue
        toll = _toll_before(text, figure, before, victims) or _toll_after(text, figures, i, used)
        if toll is None and tolls and re.search(r"\bfrom\s+$", before):
            if figure.start - tolls[-1].end <= 12:
                last = tolls[-1]
                toll = Toll(
                    last.what,
                    figure.low,
                    figure.high,
                    figure.start,
                    figure.end,
                    figure.text,
                    figure.note,
                )
        if toll is not None:
            tolls.append(toll)
            used.add(i)
    tolls += _singular(text, tolls)
    tolls.sort(key=lambda t: t.start)
    attackers = _attackers(text)
    return [_with_attackers(t, attackers) for t in _roles(text, tolls)]


_RISEN_TO = re.compile(
    r"\b(?:has |have |had )?(?:risen|rose|climbed|increased|jumped|grown|grew)\s+to\s+$", re.I
)
_VICTIMS = re.compile(r"\b(?:killed|dead|deaths?|died|lives|injured|wounded|hurt)\b", re.I)


def _toll_before(
    text: str, figure: Figure, before: str, victims: list[re.Match[str]]
) -> Toll | None:
    match = _BEFORE.search(before)
    if match is None:
        # "The number of people killed in ... has risen to six": the victims are named earlier
        # in the sentence than the words just before the figure.
        risen = _RISEN_TO.search(before)
        named = bisect_right(victims, figure.start, key=lambda m: m.end())
        if risen is None or not named:
            return None
        match, verb = risen, victims[named - 1].group()
    else:
        verb = match.group("verb")
    after = text[figure.end : figure.end + 40]
    if _NOT_VICTIMS.match(after.strip().split(" ")[0] if after.strip() else ""):
        return None
    what = "wounded" if re.search(r"injur|wound|hurt", verb, re.I) else "killed"
    start = figure.start - len(before) + match.start()
    low, high, end, note = figure.low, figure.high, figure.end, figure.note
    if re.fullmatch(r"(?:the )?shooting(?: of)?|shot", verb, re.I):
        note = "; ".join(n for n in (note, _SHOT_NOTE) if n)
    # "killed four soldiers and three villagers": 7.
    more = _AND_MORE.match(text, figure.end)
    if more:
        for other in find_figures(more.group("fig")):
            low += other.low
            high = None if high is None or other.high is None else high + other.high
            end = more.end()
            note = f"{text[figure.start : end]}: {low} in all"
            break
    return Toll(what, low, high, start, end, text[start:end], note)


# "three soldiers, four police officers and two civilians": at most this many figures are
# added up, so a sentence of a thousand figures costs a few tries per figure.
_MAX_JOINED = 8
# The words between two joined figures: a word or two, then a comma, "and" or ", and".
_JOINED = re.compile(r"\s+[\w'’-]+(?:\s+[\w'’-]+)?(?:\s*,\s*|\s*,\s+and\s+|\s+and\s+)")


_OWN_VERB = re.compile(r"\b(?:dead|killed|died|injured|wounded|hurt|missing)\b", re.I)


def _toll_after(text: str, figures: list[Figure], i: int, used: set[int]) -> Toll | None:
    figure = figures[i]
    parts = [figure]
    cursor = figure.end
    # "three soldiers and four civilians were killed": figures joined by "and" or commas.
    for j in range(i + 1, min(len(figures), i + _MAX_JOINED)):
        gap = text[cursor : figures[j].start]
        if not _JOINED.fullmatch(gap):
            break
        if _NOT_VICTIMS.search(gap) or _OWN_VERB.search(gap):
            break  # "eight dead and 100 injured": each figure has its own word
        parts.append(figures[j])
        cursor = figures[j].end
    while parts:
        last = parts[-1]
        match = _AFTER.match(text, last.end)
        if match and not _NOT_VICTIMS.search(match.group("words")):
            verb = match.group("verb")
            what = _kind(verb)
            low = sum(p.low for p in parts)
            high = None if any(p.high is None for p in parts) else sum(p.high or 0 for p in parts)
            notes = [p.note for p in parts if p.note]
            if len(parts) > 1:
                notes.insert(0, f"{text[figure.start : match.end()]}: {low} in all")
            if verb.lower() == "shot":
                notes.append(_SHOT_NOTE)
            if verb.lower() in (
                "destroyed",
                "eliminated",
                "liquidated",
                "neutralised",
                "neutralized",
            ):
                notes.append(f"reported as '{verb}'")
            for k in range(len(parts)):
                used.add(i + k)
            return Toll(
                what,
                low,
                high,
                figure.start,
                match.end(),
                text[figure.start : match.end()],
                "; ".join(notes),
            )
        parts.pop()
    return None


class _Covered:
    """Which characters of a sentence the tolls found so far cover."""

    def __init__(self, text: str, tolls: list[Toll]) -> None:
        self.mask = bytearray(len(text) + 1)
        self.what: set[str] = set()
        for toll in tolls:
            self.add(toll)

    def add(self, toll: Toll) -> None:
        self.mask[toll.start : toll.end] = b"\x01" * (toll.end - toll.start)
        self.what.add(toll.what)

    def __contains__(self, position: int) -> bool:
        return bool(self.mask[position])


def _singular(text: str, found: list[Toll]) -> list[Toll]:
    out: list[Toll] = []
    covered = _Covered(text, found)
    for match in _ORDINAL_DEATH.finditer(text):
        if match.start() in covered:
            continue
        n = _ORDINALS[match.group("ord").lower()]
        what = "wounded" if re.search(r"wound|injur", match.group("verb"), re.I) else "killed"
        note = f"'{match.group()}': the {match.group('ord').lower()} to be counted, {n} in all"
        out.append(Toll(what, n, n, match.start(), match.end(), match.group(), note, "updated"))
    # Only tolls of the figures and the ordinals found before cover the matches read next.
    covered = _Covered(text, found + out)
    for match in _ONE_MORE.finditer(text):
        if match.start() in covered:
            continue
        verb = match.group("verb").lower()
        what = "killed" if verb in ("killed", "died") else "wounded"
        if what in covered.what:
            continue
        start, end = match.span("one")
        note = f"'{match.group('one')}': one more"
        toll = Toll(what, 1, 1, start, end, match.group("one"), note)
        out.append(toll)
        covered.add(toll)
    found = found + out
    for match in _SINGULAR.finditer(text):
        if match.start() in covered:
            continue
        verb = (match.group("verb") or "killed").lower()
        what = "wounded" if verb in ("wounded", "injured", "hurt") else "killed"
        note = "" if match.group("who") else "the bomber himself"
        if found and what in covered.what:
            continue
        out.append(Toll(what, 1, 1, match.start(), match.end(), match.group(), note))
    return out


def _roles(text: str, tolls: list[Toll]) -> list[Toll]:
    """Mark "rose to 12 from 7" and "initially 7 ... later 12" as updated and initial figures."""
    out: list[Toll] = []
    for k, toll in enumerate(tolls):
        role = toll.role
        before = text[max(0, toll.start - 12) : toll.start]
        if re.search(r"\bfrom\s+$", before) and k and tolls[k - 1].what == toll.what:
            role = "initial"
            out[-1] = Toll(**{**out[-1].__dict__, "role": "updated"})
        elif _UPDATED.search(toll.text) or _UPDATED.search(
            text[max(0, toll.start - 40) : toll.start]
        ):
            role = "updated"
        elif _INITIAL.search(text[max(0, toll.start - 40) : toll.end]):
            role = "initial"
        out.append(Toll(**{**toll.__dict__, "role": role}))
    return out


def _attackers(text: str) -> str:
    """What a sentence says of its attackers, once for all its tolls: not counted, counted."""
    if _ATTACKERS_NOT_COUNTED.search(text):
        return "attackers not counted"
    if _ATTACKERS_COUNTED.search(text):
        return "attackers counted"
    return ""


def _with_attackers(toll: Toll, attackers: str) -> Toll:
    notes = [toll.note] if toll.note else []
    if toll.role:
        notes.append(ROLE_NOTES[toll.role])
    if attackers:
        notes.append(attackers)
    elif _ATTACKER_VICTIMS.search(toll.text):
        notes.append("the dead or hurt are attackers")
    return Toll(**{**toll.__dict__, "note": "; ".join(notes)})
