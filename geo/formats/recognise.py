"""Which dataset an export comes from, told by its header.

Each format is known by a few columns its public codebook defines and no other format has
together. A header that is none of them gets the nearest format and the columns it lacks, so a
user who renamed or dropped a column is told which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FORMAT_NAMES = {"acled": "ACLED", "gtd": "GTD", "ucdp": "UCDP GED"}
"""Each format as users know it."""

SIGNATURES: dict[str, tuple[str, ...]] = {
    # ACLED codebook: the event's id, date, type, actors, place and fatalities (the layout
    # before 2019 had no sub-event type and no iso code: both are read where given).
    "acled": (
        "event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "country",
        "admin1", "location", "latitude", "longitude", "geo_precision", "fatalities",
    ),
    # GTD codebook: the event's id, date in three columns, place, attack type and casualties.
    "gtd": (
        "eventid", "iyear", "imonth", "iday", "country_txt", "provstate", "city", "latitude",
        "longitude", "specificity", "attacktype1_txt", "nkill", "nwound",
    ),
    # UCDP GED codebook: the event's id, date range and precisions, sides and deaths.
    "ucdp": (
        "id", "date_start", "date_end", "date_prec", "where_prec", "type_of_violence",
        "side_a", "side_b", "country", "latitude", "longitude", "best", "low", "high",
    ),
}  # fmt: skip
"""The columns that identify each format (all of them must be present)."""

USED_COLUMNS: dict[str, frozenset[str]] = {
    "acled": frozenset(
        {*SIGNATURES["acled"], "sub_event_type", "iso", "actor2", "notes", "source", "admin1",
         "admin2", "assoc_actor_1", "assoc_actor_2", "ally_actor_1", "ally_actor_2",
         "disorder_type", "civilian_targeting", "year"}
    ),
    "gtd": frozenset(
        {*SIGNATURES["gtd"], "approxdate", "summary", "success", "suicide", "gname",
         "target1", "nkillter", "nwoundte", "vicinity", "gname2", "gname3",
         *(f"{t}{k}_txt" for t in ("attacktype", "targtype", "weaptype") for k in (1, 2, 3))}
    ),
    "ucdp": frozenset(
        {*SIGNATURES["ucdp"], "conflict_name", "where_coordinates", "adm_1", "adm_2",
         "source_headline", "dyad_name"}
    ),
}  # fmt: skip
"""The columns each format's converter reads (lower case); the rest of an export is not kept."""


@dataclass(frozen=True)
class Recognised:
    """What a header is: a format, or the nearest one and what it lacks."""

    format: str | None
    nearest: str
    missing: tuple[str, ...]

    def describe(self) -> str:
        """One sentence for a user."""
        if self.format is not None:
            return f"an {FORMAT_NAMES[self.format]} export"
        return (
            f"no known export; nearest {FORMAT_NAMES[self.nearest]}, which would also have "
            + ", ".join(self.missing)
        )


def recognise(columns: Iterable[str]) -> Recognised:
    """The format whose identifying columns the header holds (case and spaces aside)."""
    have = {str(c).strip().lower().lstrip("\ufeff") for c in columns}
    best: tuple[int, str, tuple[str, ...]] | None = None
    for name, needed in SIGNATURES.items():
        missing = tuple(c for c in needed if c not in have)
        if not missing:
            return Recognised(name, name, ())
        score = len(needed) - len(missing)
        if best is None or score > best[0]:
            best = (score, name, missing)
    assert best is not None
    return Recognised(None, best[1], best[2])


__all__ = ["FORMAT_NAMES", "SIGNATURES", "USED_COLUMNS", "Recognised", "recognise"]
