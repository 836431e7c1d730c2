"""HXL, the Humanitarian Exchange Language: a second header row of hashtags under a CSV's
column names (``#date+start``, ``#adm1+name``, ``#affected+killed``), which humanitarian tools
read to know what each column holds whatever it is called.

A CSV export can carry the row (``python -m geo export --hxl``); a table whose first row under
the header is such a row is read without it, its rows numbered as in the file.
"""

from __future__ import annotations

import re

import pandas as pd

HASHTAGS: dict[str, str] = {
    "incident_id": "#event+id",
    "date_start": "#date+start",
    "date_end": "#date+end",
    "date_precision": "#date+precision",
    "place": "#loc+name",
    "country": "#country+code",
    "region": "#adm1+name",
    "lat": "#geo+lat",
    "lon": "#geo+lon",
    "geo_precision": "#geo+precision",
    "event_type": "#event+type",
    "killed_low": "#affected+killed+min",
    "killed_best": "#affected+killed",
    "killed_high": "#affected+killed+max",
    "wounded_low": "#affected+injured+min",
    "wounded_best": "#affected+injured",
    "wounded_high": "#affected+injured+max",
    "perpetrator": "#group+perpetrator",
    "target": "#group+targeted",
    "summary": "#description",
    "sources": "#meta+source",
    "source_event_type": "#event+type+source",
    "source_sub_event_type": "#event+type+source+sub",
    "dataset": "#meta+dataset",
    "actor1": "#org+actor+primary",
    "actor2": "#org+actor+secondary",
    "assoc_actors": "#org+actor+associated",
    "admin1": "#adm1+name+source",
    "admin2": "#adm2+name+source",
    "disorder_type": "#event+type+disorder",
    "civilian_targeting": "#event+civilians",
    "attack_types": "#event+type+attack",
    "target_types": "#group+targeted+type",
    "weapon_types": "#event+weapon",
    "success": "#event+success",
    "suicide": "#event+suicide",
    "violence_type": "#event+type+violence",
    "claims": "#meta+claims",
}
"""Each column of an export and its HXL hashtag with attributes (HXL 1.1 core hashtags)."""

_TAG = re.compile(r"#[A-Za-z][A-Za-z0-9_]*(\s*\+\s*[A-Za-z][A-Za-z0-9_]*)*")


def hashtag_row(columns: list[str]) -> list[str]:
    """The HXL row for ``columns`` (empty under a column without a hashtag)."""
    return [HASHTAGS.get(c, "") for c in columns]


def is_hashtag_row(row: pd.Series) -> bool:
    """Whether a table's first row is an HXL hashtag row: every filled cell a hashtag, and at
    least one filled."""
    cells = [str(v).strip() for v in row if str(v).strip()]
    return bool(cells) and all(_TAG.fullmatch(c) for c in cells)


__all__ = ["HASHTAGS", "hashtag_row", "is_hashtag_row"]
