"""The Global Terrorism Database's export in the project's terms (from GTD's public codebook).

- Dates: ``iyear``/``imonth``/``iday``; ``iday`` 0 means only the month is known, ``imonth`` 0
  only the year (``geo.formats.dates.gtd_dates``). ``approxdate`` ("May 27 - June 5, 1970")
  narrows such a month or year to the range it gives, where it parses and lies inside it.
- ``specificity``: 1 the city or town, with its coordinates; 2 the town is known but not its
  coordinates (the point is the centre of the smallest administrative area known); 3 not in a
  town (the centre of the smallest area known); 4 only the first-order region; 5 no region
  either, and no coordinates: such rows are skipped, or with ``unlocated="country"`` placed at
  their country's representative point with ``country`` precision.
- ``nkill``/``nwound`` count perpetrators too; ``nkillter``/``nwoundte`` say how many, and the
  claim's note repeats it.
- The type comes from the most specific of ``attacktype1_txt`` to ``attacktype3_txt`` (an
  "Unknown" first type gives way to a known second); a hijacking that killed is an armed
  attack, one that did not a kidnapping (the codebook's hijacking is a seizure of a vehicle and
  its passengers); a facility or infrastructure attack (arson, sabotage) is a
  ``property_attack``; a bombing with ``suicide`` 1 is a suicide bombing; an attack with
  ``success`` 0 (attempted, without effect) is a foiled plot.
- Kept as they are (``geo.schema.DATASET_COLUMNS``): ``gname`` (``actor1``), ``gname2`` and
  ``gname3`` (``assoc_actors``), ``provstate`` (``admin1``), the attack, target and weapon types
  (each of the three, ``'; '`` between them), ``success`` and ``suicide`` as ``yes``/``no``
  (``-9``, unknown, as empty).
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from geo.formats import countries
from geo.formats.conversion import (
    Conversion,
    Skips,
    assemble,
    free_text,
    iso,
    joined,
    numbers,
    place_from_columns,
    text,
    tolls,
    whole,
)
from geo.formats.dates import MONTHS

SPECIFICITY = {1: "city", 2: "district", 3: "district", 4: "region", 5: "country"}
ATTACK_TYPES: dict[str, str] = {
    "assassination": "armed_attack",
    "armed assault": "armed_attack",
    "bombing/explosion": "bombing",
    "hijacking": "kidnapping",
    "hostage taking (barricade incident)": "kidnapping",
    "hostage taking (kidnapping)": "kidnapping",
    "facility/infrastructure attack": "property_attack",
    "unarmed assault": "armed_attack",
}
"""GTD's attack types to the project's types; "Unknown" (or any other) is ``other``. An
unarmed assault is an assault (the codebook: an attack whose weapon is neither a firearm, an
explosive nor an incendiary; e.g. with the hands, a chemical, a vehicle)."""
UNLOCATED_CHOICES = ("skip", "country")


_SOURCE = {
    "source_id": "gtd",
    "outlet": "Global Terrorism Database (GTD), START",
    "published_note": "a dataset export; each claim names its event",
    "kind": "dataset",
}
"""The export as a source of ``sources.csv`` (its title names the file)."""


def convert_gtd(
    raw: pd.DataFrame, rows: np.ndarray, *, file: str, unlocated: str = "skip"
) -> Conversion:
    """A GTD export in the project's schema; ``unlocated`` says what becomes of rows with
    ``specificity`` 5 (no coordinates): ``skip`` them, or place them at their ``country``."""
    raw = raw.rename(columns=lambda c: str(c).strip().lstrip("\ufeff").lower())
    skips = Skips(file, rows)
    event_ids = text(raw, "eventid").str.replace(r"\.0$", "", regex=True)
    skips.skip((event_ids == "").to_numpy(), "eventid", "no event id")
    start, end, precision = _dates(raw)
    skips.skip(start.isna().to_numpy(), "iyear", "iyear/imonth/iday is not a date")
    specificity = numbers(raw, "specificity")
    skips.skip(~np.isin(specificity, list(SPECIFICITY)), "specificity", "specificity is not 1-5")
    lat, lon = numbers(raw, "latitude"), numbers(raw, "longitude")
    codes = countries.codes_for(text(raw, "country_txt"))
    located = np.isfinite(lat) & np.isfinite(lon)
    lat_text = text(raw, "latitude").to_numpy(dtype=object, copy=True)
    lon_text = text(raw, "longitude").to_numpy(dtype=object, copy=True)
    unplaced = specificity == 5
    if unlocated == "country":
        codes, has = _at_country_points(raw, codes, unplaced, lat_text, lon_text, skips)
        located = located | has
    else:
        skips.skip(unplaced, "specificity", "specificity 5: no coordinates")
    located_to = pd.Series(specificity).map(SPECIFICITY).fillna("").to_numpy(dtype=object)
    province = text(raw, "provstate", ("Unknown",))
    named = [("city", text(raw, "city", ("Unknown",)), "place"), ("provstate", province, "admin")]
    found = place_from_columns(named, codes, ~located, skips, within=province)
    lat_text = np.where(found[2], found[0], lat_text)
    lon_text = np.where(found[2], found[1], lon_text)
    located_to = np.where(found[2], found[3], located_to)
    codes = countries.fill_from_points(codes, lon, lat)
    nkill, nwound = tolls(raw, "nkill", skips), tolls(raw, "nwound", skips)
    return assemble(
        "gtd",
        {
            "incident_id": "GTD-" + event_ids,
            "date_start": iso(start),
            "date_end": iso(end),
            "date_precision": precision,
            "place": _place(raw),
            "country": codes,
            "lat": lat_text,
            "lon": lon_text,
            "geo_precision": located_to,
            "event_type": _types(raw),
            "killed_best": whole(nkill),
            "wounded_best": whole(nwound),
            "perpetrator": free_text(raw, "gname"),
            "target": free_text(raw, "target1"),
            "summary": free_text(raw, "summary"),
            "source_event_type": free_text(raw, "attacktype1_txt"),
            "source_sub_event_type": free_text(raw, "targtype1_txt"),
            **_dataset_fields(raw),
        },
        skips=skips,
        rows_read=len(raw),
        source={"title": f"Global Terrorism Database export {file}", **_SOURCE},
        claims={"killed": whole(nkill), "wounded": whole(nwound), "note": _notes(raw, event_ids)},
    )


def _at_country_points(
    raw: pd.DataFrame,
    codes: np.ndarray,
    unplaced: np.ndarray,
    lat_text: np.ndarray,
    lon_text: np.ndarray,
    skips: Skips,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows with no coordinates placed at their country's representative point (``lat_text``
    and ``lon_text`` filled in place); a former union's rows (Soviet Union, Yugoslavia,
    Czechoslovakia) in the country of its capital. Returns the codes and which rows were
    placed; rows in no known country are skipped."""
    from geo.places.regions import country_points

    points = country_points()
    unions = text(raw, "country_txt").str.lower().map(countries.UNION_SEATS).fillna("")
    seated = unplaced & (codes == "") & (unions != "").to_numpy()
    codes = np.where(seated, unions.to_numpy(dtype=object), codes)
    if int((seated & skips.keep).sum()):
        skips.notes[
            "of a former union (Soviet Union, Yugoslavia, Czechoslovakia) placed in the "
            "country of its capital"
        ] += int((seated & skips.keep).sum())
    at = [points.get(c) for c in codes]
    has = np.array([p is not None for p in at]) & unplaced
    for i in np.flatnonzero(has):
        _, x, y = points[codes[i]]
        lon_text[i], lat_text[i] = f"{x:.5f}", f"{y:.5f}"
    skips.skip(unplaced & ~has, "country_txt", "specificity 5 in no known country")
    placed = int((has & skips.keep).sum())
    if placed:
        skips.notes["placed at their country's representative point"] += placed
    return codes, has


def _place(raw: pd.DataFrame) -> pd.Series:
    city, province = free_text(raw, "city"), free_text(raw, "provstate")
    unknown = city.str.strip().str.lower().isin(["", "unknown"])
    same = province.str.strip().str.lower() == city.str.strip().str.lower()
    province = province.where(~same, "")
    joined = city + np.where(province.str.strip() != "", ", ", "") + province
    return joined.where(~unknown, province)


def _dataset_fields(raw: pd.DataFrame) -> dict[str, pd.Series | str | np.ndarray]:
    """GTD's own fields analysts filter on (``geo.schema.DATASET_COLUMNS``)."""

    def three(stem: str) -> pd.Series:
        return joined(*(text(raw, f"{stem}{k}_txt", ("Unknown",)) for k in (1, 2, 3)))

    yes_no = {1: "yes", 0: "no"}
    return {
        "dataset": "GTD",
        # GTD's "Unknown" group is no actor: not the top "actor" of every GTD table.
        "actor1": text(raw, "gname", ("Unknown",)),
        "assoc_actors": joined(
            text(raw, "gname2", ("Unknown",)), text(raw, "gname3", ("Unknown",))
        ),
        "admin1": text(raw, "provstate", ("Unknown",)),
        "attack_types": three("attacktype"),
        "target_types": three("targtype"),
        "weapon_types": three("weaptype"),
        "success": pd.Series(numbers(raw, "success")).map(yes_no).fillna("").to_numpy(object),
        "suicide": pd.Series(numbers(raw, "suicide")).map(yes_no).fillna("").to_numpy(object),
    }


def _types(raw: pd.DataFrame) -> np.ndarray:
    kind = np.full(len(raw), "other", dtype=object)
    for k in (3, 2, 1):  # the first known type wins: the most specific GTD gives
        found = text(raw, f"attacktype{k}_txt").str.lower().map(ATTACK_TYPES)
        kind = np.where(found.notna().to_numpy(), found.fillna("").to_numpy(object), kind)
    hijacking = np.zeros(len(raw), dtype=bool)
    for k in (1, 2, 3):
        hijacking |= (text(raw, f"attacktype{k}_txt").str.lower() == "hijacking").to_numpy()
    killed = numbers(raw, "nkill") > 0
    kind = np.where(hijacking & killed & (kind == "kidnapping"), "armed_attack", kind)
    suicide = numbers(raw, "suicide") == 1
    kind = np.where(suicide & (kind == "bombing"), "suicide_bombing", kind)
    failed = numbers(raw, "success") == 0
    return np.where(failed, "foiled_plot", kind)


def _notes(raw: pd.DataFrame, event_ids: pd.Series) -> np.ndarray:
    """The claim's note: the event, and how many of the dead and wounded were perpetrators."""
    notes = ("GTD " + event_ids).to_numpy(dtype=object, copy=True)
    for column, what in (("nkillter", "killed"), ("nwoundte", "wounded")):
        counted = whole(numbers(raw, column))
        given = counted != ""
        notes[given] = notes[given] + f"; {what} include " + counted[given] + " perpetrator(s)"
    failed = numbers(raw, "success") == 0
    notes[failed] = notes[failed] + "; unsuccessful attack"
    return np.asarray(notes)


def _dates(raw: pd.DataFrame) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """(start, end, precision) from ``iyear``/``imonth``/``iday``, narrowed by ``approxdate``."""
    year, month, day = (numbers(raw, c) for c in ("iyear", "imonth", "iday"))
    ok = np.isfinite(year) & np.isfinite(month) & np.isfinite(day)
    ok &= (month >= 0) & (month <= 12) & (day >= 0) & (day <= 31) & (year >= 1) & (year <= 9999)
    with np.errstate(invalid="ignore"):
        ok &= (year == np.floor(year)) & (month == np.floor(month)) & (day == np.floor(day))
    y = np.where(ok, year, 2000).astype(int)
    m = np.where(ok & (month > 0), month, 1).astype(int)
    d = np.where(ok & (month > 0) & (day > 0), day, 1).astype(int)
    first = pd.to_datetime(pd.DataFrame({"year": y, "month": m, "day": d}), errors="coerce").where(
        ok
    )
    whole_year = ok & (month == 0)
    whole_month = ok & (month > 0) & (day == 0)
    last = first.copy()
    last[whole_month] = first[whole_month].dt.to_period("M").dt.end_time.dt.normalize()
    last[whole_year] = first[whole_year].dt.to_period("Y").dt.end_time.dt.normalize()
    precision = np.select([whole_year, whole_month], ["year", "month"], "day")
    approx = text(raw, "approxdate").to_numpy(dtype=object)
    for i in np.flatnonzero((whole_year | whole_month) & (approx != "")):
        found = parse_approxdate(approx[i])
        if found is None:
            continue
        low, high = pd.Timestamp(found[0]), pd.Timestamp(found[1])
        if first.iloc[i] <= low <= high <= last.iloc[i]:
            first.iloc[i], last.iloc[i] = low, high
            precision[i] = _precision((high - low).days)
    return first, last, precision


def _precision(span: int) -> str:
    return "day" if span <= 0 else "week" if span <= 6 else "month" if span <= 30 else "year"


_MONTH = r"([A-Za-z]+)\.?"
_APPROX = [
    # May 27 - June 5, 1970
    re.compile(rf"{_MONTH} (\d{{1,2}})\s*[-–]\s*{_MONTH} (\d{{1,2}}),? (\d{{4}})"),
    # May 27-30, 1970
    re.compile(rf"{_MONTH} (\d{{1,2}})\s*[-–]\s*(\d{{1,2}}),? (\d{{4}})"),
    # December 28, 1970 - January 3, 1971
    re.compile(rf"{_MONTH} (\d{{1,2}}),? (\d{{4}})\s*[-–]\s*{_MONTH} (\d{{1,2}}),? (\d{{4}})"),
    # May 1970
    re.compile(rf"{_MONTH},? (\d{{4}})"),
    # May 27, 1970
    re.compile(rf"{_MONTH} (\d{{1,2}}),? (\d{{4}})"),
]


def parse_approxdate(value: str) -> tuple[date, date] | None:
    """The range a GTD ``approxdate`` gives, or ``None`` where it is none of its usual forms."""
    value = str(value).strip()
    try:
        if m := _APPROX[0].fullmatch(value):
            year = int(m[5])
            return _day(year, m[1], m[2]), _day(year, m[3], m[4])
        if m := _APPROX[1].fullmatch(value):
            year = int(m[4])
            return _day(year, m[1], m[2]), _day(year, m[1], m[3])
        if m := _APPROX[2].fullmatch(value):
            return _day(int(m[3]), m[1], m[2]), _day(int(m[6]), m[4], m[5])
        if m := _APPROX[3].fullmatch(value):
            first = _day(int(m[2]), m[1], "1")
            return first, (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
        if m := _APPROX[4].fullmatch(value):
            day = _day(int(m[3]), m[1], m[2])
            return day, day
    except (KeyError, ValueError):
        return None
    return None


def _day(year: int, month: str, day: str) -> date:
    name = month.lower()
    number = MONTHS.get(name) or {k[:3]: v for k, v in MONTHS.items()}[name[:3]]
    return date(year, number, int(day))


__all__ = ["ATTACK_TYPES", "SPECIFICITY", "UNLOCATED_CHOICES", "convert_gtd", "parse_approxdate"]
