"""One incident, many sources: records of the same event in several tables become one incident.

Two records match when they lie within ``km`` of each other, their date ranges are at most
``days`` apart, and their types are compatible (:func:`compatible`). Each table is matched
against the incidents merged so far, one to one, closest first; a merged incident keeps every
record's claims (so its low and high span every dataset's figures, as they span the documents'
of the shipped data), its most precise place, and dates that cover what the records say.
Unmatched records stay as incidents of their own: nothing is dropped.

The match report lists every pair matched and every near miss (within twice the distance and
the days, or with incompatible types) with the distance, the date gap and why, for a person to
review.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import UsageError
from geo.schema import CLAIM_COLUMNS, COLUMNS, DATASET_COLUMNS, SOURCE_COLUMNS, TOLL_COLUMNS

EARTH_KM = 6371.0088
TYPE_GROUPS: dict[str, frozenset[str]] = {
    "armed_attack": frozenset({"violence"}),
    "armed_clash": frozenset({"violence"}),
    "bombing": frozenset({"violence"}),
    "suicide_bombing": frozenset({"violence"}),
    "explosion": frozenset({"violence"}),
    "shelling_airstrike": frozenset({"violence"}),
    "kidnapping": frozenset({"violence"}),
    "foiled_plot": frozenset({"violence", "enforcement"}),
    "security_operation": frozenset({"enforcement", "violence"}),
    "arrest": frozenset({"enforcement"}),
    "weapons_seizure": frozenset({"enforcement"}),
    "unrest": frozenset({"unrest"}),
}
"""Which types may describe one event: datasets code one attack as an armed attack, a bombing
or a clash; a foiled plot is an attack that failed or a raid that stopped it. ``other`` is
compatible with every type."""
PRECISION_RANK = {"point": 0, "city": 1, "district": 2, "region": 3, "country": 4}
REPORT_COLUMNS = [
    "incident_id", "status", "id_a", "id_b", "dataset_a", "dataset_b", "distance_km",
    "date_gap_days", "type_a", "type_b", "why",
]  # fmt: skip


def distance_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances in km from one point to each of ``lats``/``lons`` (haversine)."""
    p1, p2 = np.radians(lat), np.radians(np.asarray(lats, dtype=float))
    dp, dl = p2 - p1, np.radians(np.asarray(lons, dtype=float) - lon)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1))))


def compatible(a: str, b: str) -> bool:
    """Whether two event types may describe the same event."""
    if a == b or "other" in (a, b):
        return True
    return bool(TYPE_GROUPS.get(a, frozenset()) & TYPE_GROUPS.get(b, frozenset()))


@dataclass
class Merged:
    """The merged tables, and the match report."""

    incidents: pd.DataFrame
    claims: pd.DataFrame
    sources: pd.DataFrame
    report: pd.DataFrame

    @property
    def matched(self) -> int:
        return int((self.report["status"] == "matched").sum())


def merge_tables(
    tables: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]],
    *,
    km: float = 10.0,
    days: int = 1,
) -> Merged:
    """Merge validated (incidents, claims, sources) tables, the first one's ids kept."""
    if not (math.isfinite(km) and 0 < km <= 1000) or days < 0:
        raise UsageError(
            f"--km must be above 0 and at most 1000, and --days 0 or more (not {km}, {days})"
        )
    if not tables:
        raise UsageError("nothing to merge")
    incidents, claims, sources = (_plain(t) for t in tables[0])
    reports = []
    for other, other_claims, other_sources in tables[1:]:
        other, other_claims = _unique_ids(
            _plain(other), _plain(other_claims), set(incidents["incident_id"])
        )
        pairs, misses = _match(incidents, other, km=km, days=days)
        incidents, claims = _combine(incidents, claims, other, other_claims, pairs)
        sources = pd.concat([sources, _plain(other_sources)]).drop_duplicates("source_id")
        reports += [_report(pairs, "matched"), _report(misses, "near miss")]
    report = pd.concat(reports) if reports else pd.DataFrame(columns=REPORT_COLUMNS)
    return Merged(
        incidents.reset_index(drop=True),
        claims[CLAIM_COLUMNS].reset_index(drop=True),
        sources[[c for c in SOURCE_COLUMNS if c in sources.columns]].reset_index(drop=True),
        report[REPORT_COLUMNS].reset_index(drop=True),
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(frame.drop(columns=["geometry", "row"], errors="ignore")).copy()


def _unique_ids(
    incidents: pd.DataFrame, claims: pd.DataFrame, taken: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rename ids another table already uses (``x`` becomes ``x-2``, or the next number free
    in both tables), in its claims too."""
    own = set(incidents["incident_id"])
    used = taken | own
    renamed: dict[str, str] = {}
    for old in incidents["incident_id"]:
        if old in taken and old not in renamed:
            n = 2
            while f"{old}-{n}" in used:
                n += 1
            renamed[old] = f"{old}-{n}"
            used.add(renamed[old])
    if renamed:
        incidents["incident_id"] = _renamed(incidents["incident_id"], renamed)
        claims["incident_id"] = _renamed(claims["incident_id"], renamed)
    return incidents, claims


def _renamed(ids: pd.Series, renamed: dict[str, str]) -> pd.Series:
    return ids.map(renamed).fillna(ids)


def _unit_vectors(frame: pd.DataFrame) -> np.ndarray:
    lon = np.radians(frame["lon"].to_numpy(dtype=float))
    lat = np.radians(frame["lat"].to_numpy(dtype=float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _candidates(a: pd.DataFrame, b: pd.DataFrame, reach_km: float) -> pd.DataFrame:
    """Pairs (ia, ib) of rows closer than ``reach_km``, found through a grid of 3-D cells on
    the unit sphere (no wrap at the 180th meridian, none at the poles)."""
    va, vb = _unit_vectors(a), _unit_vectors(b)
    size = reach_km / EARTH_KM
    ca = np.floor(va / size).astype(np.int64)
    cb = np.floor(vb / size).astype(np.int64)
    left = pd.DataFrame({"x": ca[:, 0], "y": ca[:, 1], "z": ca[:, 2], "ia": np.arange(len(a))})
    shifts = np.array([(i, j, k) for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)])
    around = (cb[:, None, :] + shifts[None, :, :]).reshape(-1, 3)
    right = pd.DataFrame(
        {"x": around[:, 0], "y": around[:, 1], "z": around[:, 2],
         "ib": np.repeat(np.arange(len(b)), len(shifts))}
    )  # fmt: skip
    pairs = left.merge(right, on=["x", "y", "z"])[["ia", "ib"]]
    ia, ib = pairs["ia"].to_numpy(), pairs["ib"].to_numpy()
    chord = np.linalg.norm(va[ia] - vb[ib], axis=1)
    distance = 2 * EARTH_KM * np.arcsin(np.clip(chord / 2, 0, 1))
    pairs = pairs.assign(distance_km=distance)
    return pairs[pairs["distance_km"] <= reach_km].reset_index(drop=True)


def _match(
    a: pd.DataFrame, b: pd.DataFrame, *, km: float, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pairs matched one to one, near misses), each with ia, ib, distance and date gap."""
    empty = pd.DataFrame(columns=["ia", "ib", "distance_km", "gap", "why"])
    if a.empty or b.empty:
        return empty, empty
    pairs = _candidates(a, b, 2 * km)
    ia, ib = pairs["ia"].to_numpy(), pairs["ib"].to_numpy()
    a_start, a_end = (a[c].to_numpy(dtype="datetime64[D]") for c in ("date_start", "date_end"))
    b_start, b_end = (b[c].to_numpy(dtype="datetime64[D]") for c in ("date_start", "date_end"))
    gap = np.maximum(
        np.maximum((b_start[ib] - a_end[ia]).astype(int), (a_start[ia] - b_end[ib]).astype(int)),
        0,
    )
    pairs["gap"] = gap
    pairs = pairs[pairs["gap"] <= 2 * days].reset_index(drop=True)
    ta = a["event_type"].to_numpy(dtype=object)[pairs["ia"].to_numpy()]
    tb = b["event_type"].to_numpy(dtype=object)[pairs["ib"].to_numpy()]
    types_ok = np.array([compatible(x, y) for x, y in zip(ta, tb)], dtype=bool)
    close = (pairs["distance_km"] <= km) & (pairs["gap"] <= days)
    eligible = pairs[close & types_ok].copy()
    eligible["score"] = eligible["distance_km"] / km + eligible["gap"] / (days + 1)
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    chosen = []
    for row in eligible.sort_values(["score", "ia", "ib"]).itertuples():
        if row.ia in taken_a or row.ib in taken_b:
            continue
        taken_a.add(row.ia)
        taken_b.add(row.ib)
        chosen.append(row.Index)
    matched = eligible.loc[chosen].drop(columns="score").assign(why="")
    rest = pairs.drop(index=matched.index, errors="ignore")
    rest = rest[~rest.index.isin(matched.index)]
    reasons = []
    for row in rest.itertuples():
        if not compatible(str(a["event_type"].iat[row.ia]), str(b["event_type"].iat[row.ib])):
            reasons.append("types differ")
        elif row.distance_km > km:
            reasons.append(f"farther than {km:g} km")
        elif row.gap > days:
            reasons.append(f"dates more than {days} day(s) apart")
        else:
            reasons.append("one of the two matched a closer record")
    misses = rest.assign(why=reasons)
    return _describe(matched, a, b), _describe(misses, a, b)


def _describe(pairs: pd.DataFrame, a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    ia, ib = pairs["ia"].to_numpy(dtype=int), pairs["ib"].to_numpy(dtype=int)
    return pairs.assign(
        incident_id=a["incident_id"].to_numpy(dtype=object)[ia],
        id_a=a["incident_id"].to_numpy(dtype=object)[ia],
        id_b=b["incident_id"].to_numpy(dtype=object)[ib],
        dataset_a=a["sources"].to_numpy(dtype=object)[ia],
        dataset_b=b["sources"].to_numpy(dtype=object)[ib],
        type_a=a["event_type"].to_numpy(dtype=object)[ia],
        type_b=b["event_type"].to_numpy(dtype=object)[ib],
    )


def _report(pairs: pd.DataFrame, status: str) -> pd.DataFrame:
    out = pairs.rename(columns={"gap": "date_gap_days"}).assign(status=status)
    out["distance_km"] = out["distance_km"].astype(float).round(2)
    if status != "matched":
        out["incident_id"] = ""
    return out.reindex(columns=REPORT_COLUMNS)


def _combine(
    a: pd.DataFrame,
    a_claims: pd.DataFrame,
    b: pd.DataFrame,
    b_claims: pd.DataFrame,
    pairs: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``a`` with each matched ``b`` record folded in and the unmatched ``b`` rows added.

    A folded record takes the finer place of the two, dates covering both (where that is a
    year or less), the first non-empty text, every source, and a low and high spanning both.
    Claims repeated word for word (a table merged with itself) are kept once.
    """
    a = a.reset_index(drop=True).copy()
    b = b.reset_index(drop=True)
    ia, ib = pairs["ia"].to_numpy(dtype=int), pairs["ib"].to_numpy(dtype=int)
    rename = dict(zip(b["incident_id"].to_numpy()[ib], a["incident_id"].to_numpy()[ia]))
    if len(ia):
        _fold(a, b, ia, ib)
    unmatched = b.drop(index=ib)
    b_claims = b_claims.assign(incident_id=_renamed(b_claims["incident_id"], rename))
    incidents = pd.concat([a, unmatched], ignore_index=True)
    claims = pd.concat([a_claims, b_claims], ignore_index=True).drop_duplicates()
    merged_ids = set(a["incident_id"].to_numpy()[ia])
    return span_claims(incidents, claims, ids=merged_ids), claims


def _fold(a: pd.DataFrame, b: pd.DataFrame, ia: np.ndarray, ib: np.ndarray) -> None:
    """Fold rows ``ib`` of ``b`` into rows ``ia`` of ``a``, in place, all pairs at once."""
    rank_a = a["geo_precision"].map(PRECISION_RANK).fillna(9).to_numpy()[ia]
    rank_b = b["geo_precision"].map(PRECISION_RANK).fillna(9).to_numpy()[ib]
    finer = rank_b < rank_a
    for column in ("place", "country", "region", "lat", "lon", "geo_precision"):
        values = a[column].to_numpy(copy=True)
        values[ia[finer]] = b[column].to_numpy()[ib[finer]]
        a[column] = values
    start = np.minimum(a["date_start"].to_numpy()[ia], b["date_start"].to_numpy()[ib])
    end = np.maximum(a["date_end"].to_numpy()[ia], b["date_end"].to_numpy()[ib])
    span = (end - start).astype("timedelta64[D]").astype(int)
    fits = span <= 365
    for column, values in (("date_start", start), ("date_end", end)):
        column_values = a[column].to_numpy(copy=True)
        column_values[ia[fits]] = values[fits]
        a[column] = column_values
    precision = a["date_precision"].to_numpy(dtype=object, copy=True)
    precision[ia[fits]] = np.select(
        [span[fits] <= 0, span[fits] <= 6, span[fits] <= 30], ["day", "week", "month"], "year"
    )
    a["date_precision"] = precision
    for column in ("perpetrator", "target", "summary", "source_event_type",
                   "source_sub_event_type", *DATASET_COLUMNS):  # fmt: skip
        values = a[column].astype("string").fillna("").to_numpy(dtype=object, copy=True)
        other = b[column].astype("string").fillna("").to_numpy(dtype=object)[ib]
        empty = np.array([not str(v).strip() for v in values[ia]], dtype=bool)
        values[ia[empty]] = other[empty]
        a[column] = values
    cited = a["sources"].astype(str).to_numpy(dtype=object, copy=True)
    other_cited = b["sources"].astype(str).to_numpy(dtype=object)[ib]
    cited[ia] = [
        ";".join(dict.fromkeys(s for s in f"{x};{y}".split(";") if s))
        for x, y in zip(cited[ia], other_cited)
    ]
    a["sources"] = cited
    for what in ("killed", "wounded"):
        for bound, pick in (("low", np.fmin), ("high", np.fmax)):
            column = f"{what}_{bound}"
            mine = a[column].to_numpy(dtype=float, na_value=np.nan)
            theirs = b[column].to_numpy(dtype=float, na_value=np.nan)[ib]
            mine[ia] = pick(mine[ia], theirs)
            a[column] = pd.array(mine, dtype="Float64").round().astype("Int64")


def span_claims(
    incidents: pd.DataFrame, claims: pd.DataFrame, *, ids: set[str] | None = None
) -> pd.DataFrame:
    """Incidents whose low and high span their claims' figures and whose best is the middle
    claim (the lower middle one of an even count): a figure a source gave, never an average.

    Only the incidents in ``ids`` are changed (all with ``None``); a low or high wider than
    every claim (UCDP's own range) is kept, and an incident's own best stays where it has one
    claim.
    """
    out = incidents.reset_index(drop=True).copy()
    chosen = claims if ids is None else claims[claims["incident_id"].isin(ids)]
    position = pd.Series(np.arange(len(out)), index=out["incident_id"].to_numpy())
    for what in ("killed", "wounded"):
        figures = pd.to_numeric(chosen[what].replace("", np.nan), errors="coerce")
        given = (
            pd.DataFrame({"incident_id": chosen["incident_id"], "figure": figures})
            .dropna()
            .sort_values(["incident_id", "figure"], kind="stable")
        )
        given = given[given["incident_id"].isin(position.index)]
        if given.empty:
            continue
        groups = given.groupby("incident_id", sort=False)["figure"]
        count = groups.transform("size").to_numpy()
        rank = groups.cumcount().to_numpy()
        middle = given[rank == (count - 1) // 2].set_index("incident_id")["figure"]
        stats = pd.DataFrame(
            {"low": groups.min(), "high": groups.max(), "n": groups.size(), "middle": middle}
        )
        rows = position.reindex(stats.index).to_numpy(dtype=int)
        for bound, pick in (("low", np.fmin), ("high", np.fmax)):
            column = f"{what}_{bound}"
            values = out[column].to_numpy(dtype=float, na_value=np.nan)
            values[rows] = pick(values[rows], stats[bound].to_numpy(dtype=float))
            out[column] = pd.array(values, dtype="Float64").round().astype("Int64")
        best = out[f"{what}_best"].to_numpy(dtype=float, na_value=np.nan)
        several = (stats["n"].to_numpy() > 1) | np.isnan(best[rows])
        best[rows[several]] = stats["middle"].to_numpy(dtype=float)[several]
        out[f"{what}_best"] = pd.array(best, dtype="Float64").round().astype("Int64")
    for column in TOLL_COLUMNS:
        out[column] = pd.array(out[column], dtype="Int64")
    return out[[c for c in COLUMNS if c in out.columns]]


__all__ = ["REPORT_COLUMNS", "TYPE_GROUPS", "Merged", "compatible", "merge_tables", "span_claims"]
