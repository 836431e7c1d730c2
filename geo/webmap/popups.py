"""What a map's popup says of an incident: its dates, place, toll range, type, each source's
claims (a source that is a web address is a link), and the words it was told in. Every value
reaches the page escaped."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd

from geo.escape import esc
from geo.stats import toll_text
from geo.symbology import type_label


def _range_text(low: object, best: object, high: object) -> str:
    return toll_text(low, best, high) or "no figure"


def date_text(start: pd.Timestamp, end: pd.Timestamp, precision: str) -> str:
    """A date as a reader should take it: the day, or the range and how it is known."""
    a, b = start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")
    return a if a == b else f"between {a} and {b} (known to the {precision})"


def popup_html(
    row: Mapping[str, object],
    claims: pd.DataFrame | None,
    sources: Mapping[str, str] | None = None,
) -> str:
    """An incident's popup; every data value is escaped. ``sources`` names each source id
    (see :func:`source_names`)."""
    rows = None if claims is None else list(claims.itertuples(index=False))
    return incident_popup(row, rows, sources or {})


def _source_html(source_id: object, names: Mapping[str, str]) -> str:
    """A source as its title and outlet, with the id in small print (the id alone if unnamed);
    a link where the id or the name is a web address (http or https only)."""
    name = names.get(str(source_id).strip())
    address = next((t for t in (str(source_id).strip(), name or "") if _WEB.fullmatch(t)), "")
    text = esc(source_id) if not name else (
        f"{esc(name)} <small style='color:#777'>{esc(source_id)}</small>"
    )  # fmt: skip
    if not address:
        return text
    return f"<a href='{esc(address)}' target='_blank' rel='noopener noreferrer'>{text}</a>"


def _paragraph(paragraph: object) -> str:
    text = str(paragraph).strip() if paragraph is not None else ""
    return f" ¶{esc(text)}" if text and text.lower() not in ("nan", "<na>", "none") else ""


_WEB = re.compile(r"https?://[^\s<>'\"]{1,500}", re.IGNORECASE)
"""A source that is a web address: shown as a link (never another scheme, such as javascript:)."""


def incident_popup(
    row: Mapping[str, object], claims: Sequence[Any] | None, names: Mapping[str, str]
) -> str:
    """``popup_html`` for claims given as rows with ``source``, ``paragraph``, ``killed``,
    ``wounded`` and ``note`` attributes."""
    lines = [
        f"<b>{esc(row['place'])}</b>",
        f"{esc(date_text(row['date_start'], row['date_end'], str(row['date_precision'])))}",  # type: ignore[arg-type]
        f"{esc(type_label(str(row['event_type'])))} · located to the {esc(row['geo_precision'])}",
        f"Killed: {esc(_range_text(row['killed_low'], row['killed_best'], row['killed_high']))}"
        f" · Wounded: "
        f"{esc(_range_text(row['wounded_low'], row['wounded_best'], row['wounded_high']))}",
    ]
    if row.get("summary"):
        lines.append(f"<i>{esc(row['summary'])}</i>")
    if claims is not None and len(claims):
        items = []
        for claim in claims:
            figures = []
            if str(claim.killed).strip():
                figures.append(f"{esc(claim.killed)} killed")
            if str(claim.wounded).strip():
                figures.append(f"{esc(claim.wounded)} wounded")
            said = ", ".join(figures) or "no figure"
            items.append(
                f"<li>{_source_html(claim.source, names)}{_paragraph(claim.paragraph)}: {said}"
                f"{' – ' + esc(claim.note) if str(claim.note).strip() else ''}</li>"
            )
        lines.append("Sources:<ul style='margin:0;padding-left:1.2em'>" + "".join(items) + "</ul>")
    elif row.get("sources"):
        cited = [s for s in str(row["sources"]).split(";") if s.strip()]
        lines.append("Sources: " + "; ".join(_source_html(s, names) for s in cited))
    link = "?id=" + quote(str(row.get("incident_id", "")), safe="")
    lines.append(f"<a class='atlas-open' href='{esc(link)}' target='_blank'>Open this incident</a>")
    return "<div style='max-width:320px'>" + "<br>".join(lines) + "</div>"


__all__ = ["date_text", "incident_popup", "popup_html"]
