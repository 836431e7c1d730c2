"""Incident records as a reader sees them: a display table, claims, and where sources disagree."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from geo.filters import Filters
from geo.query import SqlEngine
from geo.stats import toll_text
from geo.symbology import type_labels
from geo.validate import whole_numbers

DISPLAY_COLUMNS = {
    "date_start": "From",
    "date_end": "To",
    "place": "Place",
    "region": "Region",
    "country": "Country",
    "event_type": "Type",
    "killed": "Killed",
    "killed_low": "Killed low",
    "killed_best": "Killed best",
    "killed_high": "Killed high",
    "wounded": "Wounded",
    "wounded_low": "Wounded low",
    "wounded_best": "Wounded best",
    "wounded_high": "Wounded high",
    "geo_precision": "Located to",
    "sources": "Sources",
    "incident_id": "Id",
}


PAGE_ROWS = 200
"""Rows the Incidents page shows at a time."""
SORT_CHOICES = {
    "date_start": "Date",
    "killed_best": "Killed (best)",
    "killed_high": "Killed (highest claim)",
    "wounded_best": "Wounded (best)",
    "place": "Place",
    "region": "Region",
    "country": "Country",
    "event_type": "Type",
    "geo_precision": "Located to",
}
"""The orders the Incidents page offers over all the kept incidents (column: label)."""


def only_country(engine: SqlEngine, filters: Filters) -> str:
    """The name of the one country the kept incidents lie in, or "" when they lie in several
    (or none): a snapshot may then show "all of" that country."""
    from geo.places import country_names

    present = engine.value_counts(filters, "country")
    present = present[present.index != ""]
    return country_names().get(str(present.index[0]), "") if len(present) == 1 else ""


def rows_caption(page: int, shown: int, total: int) -> str:
    """What the Incidents page says under its controls: which rows it shows (``page`` counted
    from 1, ``shown`` rows on it) of the ``total`` the filters keep."""
    if total == 0:
        return "No incident matches the filters."
    first = (page - 1) * PAGE_ROWS + 1
    return (
        f"Rows {first:,}–{first + shown - 1:,} of the {total:,} incidents the filters keep. "
        "The order above runs over all of them; a click on a column sorts this page only. "
        "Pick a row for its full record."
    )


PICKER_ROWS = 500
"""The most incidents the Edit page's picker lists (narrowed by the filters and a search)."""


def picker_ids(engine: SqlEngine, filters: Filters, search: str = "") -> dict[str, str]:
    """The incidents the Edit page offers, each id with how it is listed ("2016-07-18 ·
    Almaty · armed attack · <id>"): the first ``PICKER_ROWS`` incidents ``filters`` and
    ``search`` keep, by date (a table of millions is never listed whole)."""
    from geo.symbology import type_label

    rows = engine.rows(
        filters, search=search, columns=("incident_id", "date_start", "place", "event_type"),
        limit=PICKER_ROWS,
    )  # fmt: skip
    return {
        str(i): " · ".join(
            part
            for part in (
                f"{d:%Y-%m-%d}" if pd.notna(d) else "",
                str(p).strip(),
                type_label(str(t)),
                str(i),
            )
            if part
        )  # fmt: skip
        for i, d, p, t in zip(
            rows["incident_id"], rows["date_start"], rows["place"], rows["event_type"]
        )
    }


def display_table(incidents: pd.DataFrame) -> pd.DataFrame:
    """A plain table for on-screen lists: dates as text, readable types, each toll as a range
    to read and as low, best and high numbers to sort by."""
    table = pd.DataFrame(
        {
            "date_start": incidents["date_start"].dt.strftime("%Y-%m-%d"),
            "date_end": incidents["date_end"].dt.strftime("%Y-%m-%d"),
            "place": incidents["place"],
            "region": incidents["region"],
            "country": incidents["country"],
            "event_type": type_labels(incidents["event_type"]),
            "killed": [
                toll_text(a, None, b)
                for a, b in zip(incidents["killed_low"], incidents["killed_high"])
            ],
            **{
                c: incidents[c].astype("Int64")
                for c in ("killed_low", "killed_best", "killed_high")
            },
            "wounded": [
                toll_text(a, None, b)
                for a, b in zip(incidents["wounded_low"], incidents["wounded_high"])
            ],
            **{
                c: incidents[c].astype("Int64")
                for c in ("wounded_low", "wounded_best", "wounded_high")
            },
            "geo_precision": incidents["geo_precision"],
            "sources": incidents["sources"].str.replace(";", "; "),
            "incident_id": incidents["incident_id"],
        }
    )
    return table.rename(columns=DISPLAY_COLUMNS).reset_index(drop=True)


def source_names(sources: pd.DataFrame | None) -> dict[str, str]:
    """Each source id's name for a reader: its title, and its outlet where known."""
    if sources is None or sources.empty or "source_id" not in sources:
        return {}
    names = {}
    for record in sources.to_dict("records"):
        title = str(record.get("title") or "").strip()
        outlet = str(record.get("outlet") or "").strip()
        name = f"{title} ({outlet})" if title and outlet else title or outlet
        if name:
            names[str(record["source_id"]).strip()] = name
    return names


def named_claims(claims: pd.DataFrame, sources: pd.DataFrame | None) -> pd.DataFrame:
    """Claims with each ``source`` shown by its title and outlet, the id kept in ``source_id``."""
    if claims.empty or "source" not in claims:
        return claims
    names = source_names(sources)
    ids = claims["source"].astype(str)
    return claims.assign(source=[names.get(i.strip(), i) for i in ids], source_id=ids.to_numpy())


def claims_of(claims: pd.DataFrame, incident_id: str) -> pd.DataFrame:
    """The claims about one incident, one row per source passage."""
    if claims.empty:
        return claims
    picked = claims[claims["incident_id"] == incident_id]
    return picked.drop(columns=["incident_id"]).reset_index(drop=True)


def disagreement(claims: pd.DataFrame) -> list[str]:
    """Sentences naming each figure on which the sources give different numbers."""
    lines = []
    for what in ("killed", "wounded"):
        if what not in claims:
            continue
        numbers, _ = whole_numbers(claims[what].to_numpy(dtype=object))
        known = np.isfinite(numbers)
        given = claims[known]
        values = sorted({int(v) for v in numbers[known]})
        if len(values) > 1:
            by = "; ".join(
                f"{s}{f' ¶{p}' if str(p).strip() else ''}: {v:.0f}"
                for (s, p), v in zip(
                    given[["source", "paragraph"]].itertuples(index=False), numbers[known]
                )
            )
            lines.append(f"Sources disagree on {what}: {', '.join(map(str, values))} ({by}).")
    return lines


def record_fields(record: pd.Series) -> pd.Series:
    """One incident's fields as text for a two-column view (dates as YYYY-MM-DD)."""
    shown = record.drop(labels=["geometry", "row"], errors="ignore")
    return pd.Series(
        {
            k: v.strftime("%Y-%m-%d")
            if isinstance(v, pd.Timestamp)
            else ("" if pd.isna(v) else str(v))
            for k, v in shown.items()
        },
        name="value",
    )


def rows_key(incidents: pd.DataFrame) -> str:
    """A short fingerprint of which incidents are shown, for widget keys."""
    ids = "\n".join(map(str, incidents["incident_id"]))
    return hashlib.sha1(ids.encode(), usedforsecurity=False).hexdigest()[:12]
