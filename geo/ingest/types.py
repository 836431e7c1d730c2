"""Event types from the wording: trigger phrases in the project's vocabulary (geo.schema).

Each trigger has a weight; a candidate's type is the one whose triggers weigh most over its
sentences (ties go to the more specific type, in the order of :data:`PRIORITY`). A sentence
with no trigger describes no event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from geo.schema import EVENT_TYPES

PRIORITY = (
    "suicide_bombing",
    "explosion",
    "shelling_airstrike",
    "bombing",
    "kidnapping",
    "weapons_seizure",
    "security_operation",
    "armed_clash",
    "foiled_plot",
    "armed_attack",
    "property_attack",
    "unrest",
    "arrest",
    "other",
)
assert set(PRIORITY) == set(EVENT_TYPES)

LABELS = {
    "suicide_bombing": "suicide bombing",
    "explosion": "explosion",
    "shelling_airstrike": "shelling or air strike",
    "bombing": "bombing",
    "kidnapping": "kidnapping",
    "security_operation": "security operation",
    "armed_clash": "armed clash",
    "weapons_seizure": "weapons seizure",
    "foiled_plot": "foiled plot",
    "armed_attack": "armed attack",
    "property_attack": "attack on property",
    "unrest": "unrest",
    "arrest": "arrest",
    "other": "other event",
}

_TRIGGERS: tuple[tuple[str, float, str], ...] = (
    ("property_attack", 2, r"arson\w*|set fire to|torched|sabotag\w*"),
    (
        "suicide_bombing",
        4,
        r"suicide (?:bomb(?:er|ers|ing|ings)?|attack(?:er)?s?|blast|car bomb)"
        r"|blew (?:himself|herself|themselves) up|detonated (?:his|her) (?:suicide )?(?:vest|belt)"
        r"|suicide vest|explosives?[- ]laden (?:vest|belt)",
    ),
    (
        # An accident outweighs "blew himself up": a man killed by his own bomb as he built it
        # is no suicide bomber.
        "explosion",
        5,
        r"mishandl\w*|went off prematurely|premature(?:ly)? (?:blast|explosion)"
        r"|self-explosion|accidental(?:ly)? (?:blast|explosion|detonat\w*)"
        r"|while (?:assembling|making|building|handling|planting)"
        r" (?:a |an |the )?(?:bomb|device|explosive)",
    ),
    (
        # Before the bare "exploded" of an explosion: a bomb that went off is a bombing.
        "bombing",
        3,
        r"bomb (?:attacks?|blasts?|explosions?)|bombs? (?:exploded|went off|hit|ripped|tore"
        r"|struck|killed|exploding)",
    ),
    ("explosion", 1, r"explosions?|blasts?|exploded|blew up"),
    (
        "shelling_airstrike",
        3,
        r"air ?strikes?|drone strikes?|drone attacks?|shell(?:ing|ed|s)"
        r"|artillery|mortar (?:fire|rounds?|shells?|attack)|missile (?:strike|attack)s?"
        r"|rocket (?:fire|attacks?|strikes?)|bombard\w*|air raids?"
        r"|(?:missiles?|rockets?) (?:hit|struck)",
    ),
    (
        "bombing",
        3,
        r"car bomb\w*|roadside bomb\w*|bomb(?:ing|ings|ed)|improvised explosive"
        r"|IEDs?|detonat(?:e|es|ed|ing|ion|ions)|grenade attack"
        r"|set off (?:a|an) (?:bomb|device|explosive)",
    ),
    ("bombing", 1.5, r"bombs?|explosive devices?"),
    (
        "kidnapping",
        4,
        r"kidnap\w*|abduct\w*|took (?:\w+ )?hostages?|taken hostage|hostages?"
        r"|hijack\w*|seized (?:\w+ )?passengers",
    ),
    (
        "security_operation",
        3,
        r"special operations?|counter-?terror\w* operations?|security "
        r"operations?|anti-terror\w* operations?|police operations?|military operations?"
        r"|(?:police|troops|soldiers|security forces|special forces|commandos) (?:raided|stormed)"
        r"|raid(?:ed|s)? (?:on )?(?:a |an |the )?(?:hideout|house|flat|apartment|compound|camp)"
        r"|hideout|surrounded|cordoned off|ordered to surrender|riot police|special forces"
        r"|were (?:neutrali[sz]ed|liquidated|eliminated)|(?:was|were) destroyed",
    ),
    (
        "armed_clash",
        3,
        r"clash(?:es|ed)?|gun ?battles?|fire ?fights?|fighting between"
        r"|battles?|exchange of fire|exchanged fire|heavy fighting|(?:retook|recaptured|captured|"
        r"seized control of|overran) (?:the )?(?:town|village|city|base|positions?)",
    ),
    (
        # An attempt on someone's life was carried out, even when it failed: an attack, not a
        # plot stopped beforehand. A store of weapons taken by force is attacked, not seized.
        "armed_attack",
        3,
        r"assassination attempt|attempted (?:murder|assassination|killing)"
        r"|(?:failed |unsuccessful )?attempts? (?:to (?:assassinate|kill|murder)|on (?:the )?life)"
        r"|(?:seized|stormed|raided|attacked|looted|robbed|broke into) (?:a |an |the )?(?:\w+ )?"
        r"(?:gun|guns|weapons?|arms|ammunition|hunting) (?:stores?|shops?|depots?|warehouses?"
        r"|dealers?)|(?:stormed|raided|looted|broke into) (?:a |an |the )?(?:\w+ )?"
        r"(?:armou?ry|arsenal)",
    ),
    (
        "weapons_seizure",
        3,
        r"weapons? caches?|arms caches?|caches? of (?:arms|weapons)|arsenal"
        r"|seiz(?:ed|ing) (?:\w+ ){0,3}(?:weapons|arms|explosives|ammunition|rifles|grenades|TNT)"
        r"(?! (?:stores?|shops?|depots?|warehouses?|factory|plant|dealers?|markets?))"
        r"|(?:weapons|arms|explosives|ammunition|rifles|grenades) (?:were |was )?(?:found|seized"
        r"|confiscated|recovered|discovered)|confiscat\w*",
    ),
    (
        "foiled_plot",
        3,
        r"foil(?:ed|s)|thwart(?:ed|s)|prevent(?:ed|s) (?:a|an|the) (?:\w+ )?attack"
        r"|attempt(?:ed|s)? to (?:plant|bomb|blow up)|failed (?:bid|plot)"
        r"|plot(?:ted|ting|s)?\b|defused",
    ),
    (
        "armed_attack",
        2,
        r"gunm[ae]n|opened fire|fired (?:at|on|upon)|shot (?:dead|at)|shootings?"
        r"|ambush\w*|stormed|massacre\w*|gun attack|armed attack|attack(?:ed|ing|s)?|assailants?"
        r"|slaughtered|stabb\w*|hacked|machetes?|raided (?:a|the) (?:village|town|market|church"
        r"|mosque|school|gun shop)|killings?|murder(?:ed|s)?|assault(?:ed)?|rampage",
    ),
    ("armed_attack", 1, r"attackers|shot(?! down)|killed|killing|gunfire|gun fire|fired"),
    (
        "unrest",
        3,
        r"protests?|protesters|demonstrat(?:ion|ions|ors)|rall(?:y|ies)|riots?|rioters"
        r"|(?:workers'?|general|oil workers'?|hunger) strikes?|strik(?:e|ing) (?:workers|miners)"
        r"|unrest|marched|marchers|sit-in|blockaded",
    ),
    (
        "arrest",
        2,
        r"arrest(?:ed|s)?|detain(?:ed|s)?|detention|taken into custody|apprehended"
        r"|rounded up",
    ),
)
_COMPILED = tuple(
    (kind, weight, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE))
    for kind, weight, pattern in _TRIGGERS
)


@dataclass(frozen=True)
class Trigger:
    """Words that name an event: offsets in the sentence, the type they point to, a weight."""

    event_type: str
    weight: float
    start: int
    end: int
    text: str


def find_triggers(text: str) -> list[Trigger]:
    """Every trigger phrase in one sentence; overlapping weaker ones are dropped."""
    found: list[Trigger] = []
    taken = bytearray(len(text))  # the characters of the triggers found so far
    for kind, weight, pattern in _COMPILED:
        for match in pattern.finditer(text):
            start, end = match.span()
            if taken.find(1, start, end) >= 0:
                continue
            found.append(Trigger(kind, weight, start, end, match.group()))
            taken[start:end] = b"\x01" * (end - start)
    found.sort(key=lambda t: t.start)
    return found


def choose_type(triggers: list[Trigger]) -> tuple[str, list[Trigger]]:
    """The type with the most weight over ``triggers``, and the triggers that point to it."""
    if not triggers:
        return "other", []
    weight: dict[str, float] = {}
    for trigger in triggers:
        weight[trigger.event_type] = weight.get(trigger.event_type, 0.0) + trigger.weight
    best = max(weight, key=lambda kind: (weight[kind], -PRIORITY.index(kind)))
    return best, [t for t in triggers if t.event_type == best]


class Told(Protocol):
    """A sentence's event words (the extractor's mentions)."""

    triggers: list[Trigger]


class TypeTally:
    """:func:`choose_type` over a growing list of sentences' triggers, each sentence added once:
    an incident told in a thousand sentences costs one pass, not one pass per sentence."""

    def __init__(self) -> None:
        self.weight: dict[str, float] = {}
        self.seen = 0

    def best(self, told: Sequence[Told]) -> str:
        """The type ``choose_type`` gives the triggers of all of ``told``; its first
        :attr:`seen` items must be those given before."""
        for item in told[self.seen :]:
            for trigger in item.triggers:
                kind = trigger.event_type
                self.weight[kind] = self.weight.get(kind, 0.0) + trigger.weight
        self.seen = len(told)
        if not self.weight:
            return "other"
        return max(self.weight, key=lambda kind: (self.weight[kind], -PRIORITY.index(kind)))
