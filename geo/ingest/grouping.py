"""Mentions grouped into incidents: sentences that agree on the date and the place (or leave one
open) tell one incident; another date or place starts a new one, and a town named in the next
sentences narrows the place of the incident just told."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import numpy as np

from geo.ingest.dates import DateMention, DateRange
from geo.ingest.model import MATCH_KM
from geo.ingest.places import PlaceMention
from geo.ingest.text import (
    Sentence,
)
from geo.ingest.tolls import Toll
from geo.ingest.types import Trigger, TypeTally, choose_type
from geo.merging import PRECISION_RANK, distance_km


@dataclass
class Mention:
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
class Incident:
    mentions: list[Mention] = field(default_factory=list)
    date: tuple[DateMention, Sentence] | None = None
    place: tuple[PlaceMention, Sentence] | None = None
    only_place: PlaceMention | None = None  # one place of a list ("in A, B and C")
    country: tuple[PlaceMention, Sentence] | None = None
    distinct: bool = False  # opened by "another ...": proposed even with only its date
    tally: TypeTally = field(default_factory=TypeTally)  # the type of its mentions so far


# --- publication date ------------------------------------------------------------------------


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


def main_place(places: list[PlaceMention]) -> PlaceMention | None:
    """The most exact place a sentence names; a country alone does not place an event."""
    places = [p for p in places if p.precision != "country"]
    if not places:
        return None
    # The first town or area named ("in the Temir district of the Aktobe region").
    local = [p for p in places if p.precision != "region"]
    return local[0] if local else places[0]


def _as_list(mention: Mention) -> list[PlaceMention]:
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


def group(mentions: list[Mention]) -> list[Incident]:
    """The incidents the mentions tell, in order of first mention (see the module's account)."""
    grouping = _Grouping()
    for mention in mentions:
        grouping.add(mention)
    return grouping.incidents


Told = tuple[DateMention, Sentence]
Placed = tuple[PlaceMention, Sentence]


@dataclass
class _Grouping:
    """The incidents told so far, and the one just spoken of."""

    incidents: list[Incident] = field(default_factory=list)
    current: Incident | None = None

    def add(self, mention: Mention) -> None:
        if mention.place_only:
            if self.current is not None:
                _narrow_place(self.current, mention)
            return
        date_here = (mention.dates[0], mention.sentence) if mention.dates else None
        date_here = date_here or mention.inherited_date
        if self._listed(mention, date_here):
            return
        place = main_place(mention.places)
        place_here = (place, mention.sentence) if place else None
        # "A week earlier", "two days later", "another bomb": not the event just told.
        other = mention.distinct or bool(mention.dates and mention.dates[0].offset)
        if other:
            self.current = None
        if self._follow_up(mention, place_here):
            return
        if date_here is None and place_here is None:
            self._unplaced(mention)
            return
        target = self._target(mention, date_here, place_here, other)
        if target is not None:
            _attach(target, mention, date_here, place_here)
            self.current = target

    def _listed(self, mention: Mention, date_here: Told | None) -> bool:
        """Several towns listed for one event: an incident in each."""
        listed = _as_list(mention)
        if not (listed and mention.triggers):
            return False
        for town in listed:
            told = date_here or mention.inherited_date
            self.incidents.append(Incident([mention], told, None, town))
        self.current = None
        return True

    def _follow_up(self, mention: Mention, place_here: Placed | None) -> bool:
        """ "The death toll rose to 17 on Wednesday": a figure about the event just told, dated
        by when it was reported."""
        if mention.triggers or place_here is not None or self.current is None:
            return False
        last = self.current.mentions[-1].sentence.paragraph if self.current.mentions else -9
        if mention.sentence.paragraph - last > 1:
            return False
        self.current.mentions.append(mention)
        return True

    def _unplaced(self, mention: Mention) -> None:
        """A mention with neither date nor place: part of the incident just told when near it,
        else a new incident if it has a date to inherit, or leads the article with a toll."""
        current, paragraph = self.current, mention.sentence.paragraph
        if current is not None and (
            _near(current, paragraph)
            or _told_again(current, mention)
            or _first_toll(current, mention)
        ):
            current.mentions.append(mention)
        elif mention.triggers and mention.inherited_date is not None:
            self.current = Incident([mention], mention.inherited_date, None)
            self.incidents.append(self.current)
        elif mention.triggers and mention.tolls and current is None and not self.incidents:
            # The lead tells what happened before it says where: "At least three guards died
            # in a shooting." The next sentences may place it.
            self.current = Incident([mention], None, None)
            self.incidents.append(self.current)

    def _target(
        self, mention: Mention, date_here: Told | None, place_here: Placed | None, other: bool
    ) -> Incident | None:
        """An incident recalled by its day or its town first (among the last RECALL told);
        else the one just spoken of; else a new one (``None``: nothing to tell)."""
        for incident in [] if other else itertools.islice(reversed(self.incidents), RECALL):
            if _fits(incident, date_here, place_here, loose=False):
                if not _exclusive(incident, mention):
                    return incident
        current = self.current
        if current is not None and _fits(current, date_here, place_here, loose=True):
            if not _exclusive(current, mention):
                return current
        if not mention.triggers and not mention.tolls:
            return None
        target = Incident([], None, None, distinct=mention.distinct)
        self.incidents.append(target)
        if date_here is None and mention.inherited_date is not None:
            target.date = mention.inherited_date
        return target


def _attach(
    target: Incident, mention: Mention, date_here: Told | None, place_here: Placed | None
) -> None:
    """Add a mention to its incident: its country, a narrower date, a finer place."""
    target.mentions.append(mention)
    countries = [p for p in mention.places if p.precision == "country"]
    if countries and target.country is None:
        target.country = (countries[0], mention.sentence)
    if date_here is not None and (
        target.date is None or _narrower(date_here[0].when, target.date[0].when)
    ):
        target.date = date_here
    if place_here is not None and (
        target.place is None
        or PRECISION_RANK[place_here[0].precision] < PRECISION_RANK[target.place[0].precision]
    ):
        target.place = place_here


_ELSEWHERE = re.compile(
    r"\b(?:hospitals?|clinics?|morgues?|(?:taken|rushed|flown|evacuated|transferred|moved|"
    r"brought|sent|fled|road|route|highway|way) to|capital|province of|state of|"
    r"headquarter(?:s|ed))\W+(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
"""Words before a town that name somewhere else than the event's place: where the wounded were
taken, a road's end, a capital spoken of."""


def where_it_happened(text: str, place: PlaceMention) -> bool:
    """Whether a town named with no event words may be where the event happened: a town (not
    a region or a country), not after words that send the reader elsewhere."""
    if place.precision not in ("point", "city"):
        return False
    return not _ELSEWHERE.search(text[max(0, place.start - 40) : place.start])


def _narrow_place(incident: Incident, mention: Mention) -> None:
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


def _exclusive(incident: Incident, mention: Mention) -> bool:
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


def _told_again(incident: Incident, mention: Mention) -> bool:
    """Figures in the next paragraph about "the attack" or "the blast" just told: "Six other
    people were wounded in the attack" continues it (a definite article, and a figure)."""
    last = incident.mentions[-1].sentence.paragraph if incident.mentions else -9
    if not mention.tolls or mention.sentence.paragraph - last > 1:
        return False
    text = mention.sentence.text
    return any(
        re.search(r"\bthe\s+$", text[max(0, t.start - 5) : t.start]) for t in mention.triggers
    )


def _first_toll(incident: Incident, mention: Mention) -> bool:
    """A toll with no date or place of its own, a few paragraphs after an incident told with
    none yet (a photo caption between them): that incident's toll. An incident with a toll
    takes no other this way, so a background paragraph's figure is never added to it."""
    last = incident.mentions[-1].sentence.paragraph if incident.mentions else -9
    if not mention.tolls or mention.distinct or mention.sentence.paragraph - last > 3:
        return False
    return not any(m.tolls for m in incident.mentions)


def _near(incident: Incident, paragraph: int) -> bool:
    """Whether a sentence that names no date or place continues the incident: only in the
    same paragraph (a later one is as likely commentary)."""
    last = incident.mentions[-1].sentence.paragraph if incident.mentions else -9
    return paragraph == last


def _fits(
    incident: Incident,
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
