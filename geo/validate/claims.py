"""Checking the claims and sources beside an incident table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import Problem
from geo.schema import CLAIM_COLUMNS, SOURCE_KINDS
from geo.validate import messages as m
from geo.validate.cell_values import isin, toll_message, unique_ids, whole_numbers
from geo.validate.collector import Collector


def validate_sources(
    sources: pd.DataFrame, *, file: str, row_numbers: np.ndarray | None = None
) -> tuple[set[str] | None, list[Problem]]:
    """The source ids a sources table defines (``None`` without a ``source_id`` column), and its
    problems: missing columns, empty or repeated ids, a ``kind`` outside ``SOURCE_KINDS``
    (``row_numbers``: as for ``validate_claims``)."""
    out = Collector.numbered(file, len(sources), row_numbers)
    for column in [c for c in ("source_id", "title") if c not in sources.columns]:
        out.whole(column, "required column missing")
    if "kind" in sources.columns:
        kinds = sources["kind"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        out.rows_where(
            (kinds != "") & ~isin(kinds, SOURCE_KINDS),
            "kind",
            lambda v: f"unknown kind {v!r}; use one of {', '.join(sorted(SOURCE_KINDS))}",
            kinds,
        )
    if "source_id" not in sources.columns:
        return None, out.problems
    ids = sources["source_id"].astype("string").fillna("").str.strip()  # an empty file: floats
    return set(ids), out.problems + unique_ids(ids, file=file, row_numbers=out.rows)


def validate_claims(
    claims: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    file: str,
    source_ids: set[str] | None,
    row_numbers: np.ndarray | None = None,
) -> list[Problem]:
    """Check per-source claims against the incident table.

    Every claim must name a known incident and source, and each incident's low and high must span
    the figures its sources claim (low <= every claim <= high). ``row_numbers``: the row a user
    sees for each claim (default 2, 3, ...: a CSV's).
    """
    out = Collector.numbered(file, len(claims), row_numbers)
    missing = [c for c in CLAIM_COLUMNS if c not in claims.columns]
    for column in missing:
        out.whole(column, f"required column {column!r} is missing")
    if missing or claims.empty:
        return out.problems
    ids = claims["incident_id"].astype("string").fillna("").to_numpy(dtype=object)
    claimed = isin(ids, set(incidents["incident_id"]))
    out.rows_where(~claimed, "incident_id", m.claim_for_unknown_incident, ids)
    if source_ids is not None:
        srcs = claims["source"].astype("string").fillna("").to_numpy(dtype=object)
        out.rows_where(~isin(srcs, source_ids), "source", m.unknown_source, srcs)
    ranges = incidents.drop_duplicates("incident_id").set_index("incident_id")
    for what in ("killed", "wounded"):
        _check_figures(claims, ranges, ids, claimed, what, out)
    return out.problems


def _check_figures(
    claims: pd.DataFrame,
    ranges: pd.DataFrame,
    ids: np.ndarray,
    claimed: np.ndarray,
    what: str,
    out: Collector,
) -> None:
    """Each claimed figure is a whole number within its incident's low-high range."""
    text = claims[what].astype("string").fillna("").str.strip().to_numpy(dtype=object)
    number, bad = whole_numbers(text)
    out.rows_where(bad, what, toll_message(what), text)
    low = ranges[f"{what}_low"].reindex(ids).to_numpy(dtype=float, na_value=np.nan)
    high = ranges[f"{what}_high"].reindex(ids).to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        outside = np.isfinite(number) & claimed & ~((low <= number) & (number <= high))
    out.rows_where(
        outside,
        what,
        lambda i: m.claim_outside(what, number[i], low[i], high[i], ids[i]),
    )


def claims_as_read(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims with each figure written as the whole number it was read as (``"1.0"`` -> ``"1"``)."""
    out = claims.copy()
    for what in ("killed", "wounded"):
        if what not in out:
            continue
        number, _ = whole_numbers(out[what].to_numpy(dtype=object))
        text = out[what].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        known = np.isfinite(number)
        text[known] = number[known].astype(np.int64).astype(str)
        out[what] = text
    return out
