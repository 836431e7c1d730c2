"""One article's candidates, put in order: the same incident told twice becomes one, and the
incidents a report only recalls are told apart from the one it reports.

A news report is about one incident, or a few on the same days, and recalls others for
background: "in April, 112 died at a mosque", "more than 2,000 were killed last year". Those are
still candidates (a reviewer may want them), but they are marked ``recalled`` with the reason,
and the Review page folds them away beneath the report's own.

**Folding.** A weaker candidate folds into a stronger one, unless the text told either as
another ("a second bomb", "separately"), when the two are dated within a day of each other,
the weaker spans at most a month, its place is the same (within :data:`SAME_PLACE_KM`) or is
only the stronger one's region or country, and its tolls (if it gives any) do not contradict
the stronger one's: for the dead and for the hurt, the two ranges meet (an open one, "at least
64", reaches up without end). Tolls of different incidents are never merged: 14 killed in an
earlier raid near Beni stays apart from at least 64 in Beni.

**Confidence.** What the text stated (date, place, toll: ``extract._confidence``) times how
often such a candidate proved right on real reports: :data:`LEAD_RIGHT` for the report's own
incident, :data:`OTHER_RIGHT` for the others.

**Recalled.** The report's incident is the one dated to the week, with a toll, told first (a
report leads with its news), and placed in or near a town. Another candidate is recalled when
it ended more than :data:`RECALLED_DAYS` days before that one began, when it is dated only by
month or year while that one is dated to the week, when the article places it only by its
country, when the text gives it no day of its own while it dates the report's incident, or
when it is told with neither its day nor a toll beside a report's incident told with one.
Without a publication date, days are not known well enough to recall anything by its date.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from geo.ingest.tolls import INITIAL_NOTE
from geo.merging import distance_km

if TYPE_CHECKING:
    from geo.ingest.model import Candidate, ClaimDraft

SAME_PLACE_KM = 25.0
FOLD_REACH_DAYS = 32
"""A telling folds only into one that begins at most this many days before it."""
FOLD_LOOKS = 48
"""The most kept candidates, nearest in time, a telling is compared with."""
RECALLED_DAYS = 7
LEAD_RIGHT = 0.85
"""How often the report's own incident, told with date, place and toll, is right: measured on
the development set of real reports (``benchmarks/news_eval.py --calibration``)."""
OTHER_RIGHT = 0.5
"""The same for the other incidents of a report (told beside it, or recalled)."""
_RANK = {"point": 4, "city": 4, "district": 3, "region": 2, "country": 1}


def toll_range(claims: list[ClaimDraft], what: str) -> tuple[int | None, int | None, int | None]:
    """(low, best, high) over the claims' ``what`` ("killed" or "wounded") figures; best is the
    middle claim (the lower of the two middle ones) among those not told as a first figure since
    changed nor below an "at least N" (a partial count), high is open (``None``) when the
    largest figure is a lower bound."""
    told = [
        (c.killed, c.killed_open) if what == "killed" else (c.wounded, c.wounded_open)
        for c in claims
    ]
    figures = sorted(v for v, _ in told if v is not None)
    if not figures:
        return None, None, None
    # A first figure the text says was superseded is part of the range, not the best guess.
    initial = {v for (v, _), c in zip(told, claims, strict=True) if INITIAL_NOTE in c.note}
    later = [f for f in figures if f not in initial] or figures
    # Below an "at least N" of the same incident, a figure is a partial count (one hospital's).
    floor = max((v for v, is_open in told if is_open and v is not None), default=0)
    later = [f for f in later if f >= floor] or later
    best = later[(len(later) - 1) // 2]
    high = None if (figures[-1], True) in told else figures[-1]
    return figures[0], best, high


def consolidate(candidates: list[Candidate], *, dates_known: bool = True) -> list[Candidate]:
    """Fold repeated tellings of one incident and mark the recalled ones; the report's own
    candidates come first, each group in order of first mention. Where the publication date is
    not known (``dates_known`` false), "Monday" spans a year of Mondays: dates then mark
    nothing as recalled."""
    kept = _fold(candidates)
    if not kept:
        return kept
    lead = max(kept, key=_news)
    marked = [
        c if c is lead else replace(c, recalled=_recalled(c, lead, dates_known)) for c in kept
    ]
    rated = [_rated(c, c is lead) for c in marked]
    return [c for c in rated if not c.recalled] + [c for c in rated if c.recalled]


def _rated(c: Candidate, lead: bool) -> Candidate:
    factor = LEAD_RIGHT if lead else OTHER_RIGHT
    return replace(c, confidence=round(max(0.05, c.confidence * factor), 2))


def _has_toll(c: Candidate) -> bool:
    return c.killed_best is not None or c.wounded_best is not None


def _first_told(c: Candidate) -> int:
    return c.paragraphs[0] if c.paragraphs else 10**6


def _strength(c: Candidate) -> tuple[int, bool, float, int]:
    return (_RANK.get(c.geo_precision, 0), _has_toll(c), c.confidence, -_first_told(c))


def _news(c: Candidate) -> tuple[bool, bool, int, bool, float]:
    """How likely a candidate is the report's own incident: dated to the week, with a toll, told
    first (a report leads with its news), placed in a town or near one."""
    short = (
        c.date_start is not None
        and c.date_end is not None
        and ((c.date_end - c.date_start).days <= 7)
    )
    place = _RANK.get(c.geo_precision, 0) >= 3
    return (short, _has_toll(c), -_first_told(c), place, c.confidence)


def _fold(candidates: list[Candidate]) -> list[Candidate]:
    """Each candidate, strongest first, folds into a kept one or is kept. Kept ones are looked up
    by the day they begin (a month either way), at most :data:`FOLD_LOOKS` of them, the nearest
    in time, and merged once at the end: a roundup of thousands costs little more than a pass."""
    order = sorted(range(len(candidates)), key=lambda i: _strength(candidates[i]), reverse=True)
    kept: dict[int, Candidate] = {}
    folded: dict[int, list[Candidate]] = {}
    starts: list[tuple[int, int]] = []  # (first day, index into kept), sorted
    for i in order:
        weak = candidates[i]
        home = None
        if weak.date_start is not None and weak.date_end is not None:
            first, last = weak.date_start.toordinal(), weak.date_end.toordinal()
            low = bisect.bisect_left(starts, (first - FOLD_REACH_DAYS, -1))
            high = bisect.bisect_right(starts, (last + 1, len(candidates)))
            at = bisect.bisect_left(starts, (first, -1), low, high)
            near = starts[max(low, at - FOLD_LOOKS // 2) : min(high, at + FOLD_LOOKS // 2)]
            home = next((j for _, j in near if _folds_into(weak, kept[j])), None)
        if home is not None:
            folded.setdefault(home, []).append(weak)
            continue
        kept[i] = weak
        if weak.date_start is not None:
            bisect.insort(starts, (weak.date_start.toordinal(), i))
    return [_merged(kept[i], folded[i]) if i in folded else kept[i] for i in sorted(kept)]


def _folds_into(weak: Candidate, strong: Candidate) -> bool:
    if None in (weak.date_start, weak.date_end, strong.date_start, strong.date_end):
        return False
    assert weak.date_start and weak.date_end and strong.date_start and strong.date_end
    if weak.told_apart or strong.told_apart:
        return False  # "another bomb", "in a separate attack": the text says they are two
    if (weak.date_end - weak.date_start).days > 31:
        return False
    # A day either way only between days ("on Sunday" in a report dated Monday).
    day = 1 if _one_day(weak) and _one_day(strong) else 0
    if weak.date_start.toordinal() > strong.date_end.toordinal() + day:
        return False
    if weak.date_end.toordinal() < strong.date_start.toordinal() - day:
        return False
    if not _same_kind(weak.event_type, strong.event_type):
        return False
    if weak.geo_precision == "country" and not (
        _same_figures(weak, strong) or _toll_for_the_place(weak, strong)
    ):
        return False  # a remark about the country, unless it repeats the toll
    days_apart = weak.date_start != strong.date_start and _one_day(weak) and _one_day(strong)
    if days_apart and weak.killed_best is None:
        return False  # told apart by their days: a toll that agrees is needed to call them one
    return _same_place(weak, strong) and _tolls_agree(weak, strong)


_VIOLENCE = frozenset(
    {"armed_attack", "bombing", "suicide_bombing", "explosion", "shelling_airstrike", "armed_clash"}
)


def _same_kind(a: str, b: str) -> bool:
    """One incident's tellings may name it differently ("the attack", "the blast"), but a plot
    foiled or an arrest is not the attack beside it."""
    return a == b or "other" in (a, b) or (a in _VIOLENCE and b in _VIOLENCE)


def _toll_for_the_place(weak: Candidate, strong: Candidate) -> bool:
    """A toll told of the country on the day a place of it is told with none ("19 soldiers were
    killed in Peru on Thursday" ... "the ambush in Huancavelica"): one incident."""
    return (
        weak.killed_best is not None
        and strong.killed_best is None
        and strong.wounded_best is None
        and weak.country == strong.country
        and _one_day(weak)
        and _one_day(strong)
    )


def _one_day(c: Candidate) -> bool:
    return c.date_start == c.date_end


def _same_figures(weak: Candidate, strong: Candidate) -> bool:
    return weak.killed_best is not None and (weak.killed_low, weak.killed_high) == (
        strong.killed_low,
        strong.killed_high,
    )


def _same_place(weak: Candidate, strong: Candidate) -> bool:
    if weak.lat is None or weak.lon is None or strong.lat is None or strong.lon is None:
        return False
    if weak.geo_precision == "country":
        return weak.country == strong.country
    if weak.geo_precision == "region" and strong.geo_precision != "region":
        same_region = not weak.region or not strong.region or weak.region == strong.region
        return weak.country == strong.country and same_region
    km = distance_km(weak.lat, weak.lon, np.array([strong.lat]), np.array([strong.lon]))[0]
    return bool(km <= SAME_PLACE_KM)


def _tolls_agree(weak: Candidate, strong: Candidate) -> bool:
    """Whether the tolls may be one incident's: for the dead and for the hurt, either gives
    none, or their ranges meet (an open range, "at least 64", reaches up without end)."""
    if weak.killed_low is not None and strong.killed_low is None:
        # a toll for an incident told without one: another incident, unless the country's
        if not _toll_for_the_place(weak, strong):
            return False
    killed = _meet(weak.killed_low, weak.killed_high, strong.killed_low, strong.killed_high)
    hurt = _meet(weak.wounded_low, weak.wounded_high, strong.wounded_low, strong.wounded_high)
    return killed and hurt


def _meet(low: int | None, high: int | None, other_low: int | None, other_high: int | None) -> bool:
    if low is None or other_low is None:
        return True
    top = high if high is not None else math.inf
    other_top = other_high if other_high is not None else math.inf
    return low <= other_top and other_low <= top


def _merged(strong: Candidate, weaker: list[Candidate]) -> Candidate:
    claims = _merged_claims(strong.claims, [c for w in weaker for c in w.claims])
    seen = set(strong.evidence)
    tolls = [e for w in weaker for e in w.evidence if e.field in ("killed", "wounded")]
    killed = toll_range(claims, "killed")
    wounded = toll_range(claims, "wounded")
    return replace(
        strong,
        claims=claims,
        evidence=[*strong.evidence, *dict.fromkeys(e for e in tolls if e not in seen)],
        paragraphs=tuple(sorted({*strong.paragraphs, *(p for w in weaker for p in w.paragraphs)})),
        killed_low=killed[0], killed_best=killed[1], killed_high=killed[2],
        wounded_low=wounded[0], wounded_best=wounded[1], wounded_high=wounded[2],
    )  # fmt: skip


def _merged_claims(ours: list[ClaimDraft], theirs: list[ClaimDraft]) -> list[ClaimDraft]:
    """Claims of both, one per figure; "no figure given" only where nothing else is left."""
    out: dict[tuple[int | None, int | None, bool, bool], ClaimDraft] = {}
    for claim in [*ours, *theirs]:
        if claim.killed is None and claim.wounded is None:
            continue
        key = (claim.killed, claim.wounded, claim.killed_open, claim.wounded_open)
        if key not in out:
            out[key] = claim
            continue
        paragraphs = {*out[key].paragraph.split(";"), *claim.paragraph.split(";")}
        out[key] = replace(out[key], paragraph=";".join(sorted(paragraphs, key=_number)))
    return list(out.values()) or ours


def _number(paragraph: str) -> int:
    return int(paragraph) if paragraph.isdigit() else 0


def _recalled(c: Candidate, lead: Candidate, dates_known: bool) -> str:
    if c.date_start is None or c.date_end is None or lead.date_start is None:
        return ""
    assert lead.date_end is not None
    if c.geo_precision == "country" and lead.geo_precision != "country":
        return "placed only by its country, beside the incident the report places"
    if not dates_known:
        return ""
    if (lead.date_start - c.date_end).days > RECALLED_DAYS:
        days = (lead.date_start - c.date_end).days
        return f"ended {days} days before the incident the report is about"
    if (c.date_end - c.date_start).days > 31 and (lead.date_end - lead.date_start).days <= 7:
        return "dated only by its month or year: background the report recalls"
    if _dated_by_its_words(lead) and not _dated_by_its_words(c):
        return "told with no day of its own, beside the report's dated incident"
    undated = (c.date_end - c.date_start).days > 1
    if _has_toll(lead) and undated and not _has_toll(c):
        return "named with neither its day nor a toll: a mention beside the report's incident"
    return ""


def _dated_by_its_words(c: Candidate) -> bool:
    """Whether the text gave the date (not the week before publication, for want of one)."""
    return any(e.field == "date" and e.paragraph > 0 for e in c.evidence)


__all__ = ["RECALLED_DAYS", "SAME_PLACE_KM", "consolidate", "toll_range"]
