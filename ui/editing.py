"""The Edit page's glue: which store is being edited, who edits, and the incident form.

Nothing here validates or writes: ``geo.store`` does, with the file rules; a failed save
keeps every value the user typed (the form's widgets keep their state).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from geo.escape import esc_markdown
from geo.schema import (
    DATE_PRECISIONS,
    EVENT_TYPES,
    FIRST_DATE,
    GEO_PRECISIONS,
    LAST_DATE,
    TOLL_COLUMNS,
)
from geo.store import CLAIM_FIELDS
from geo.symbology import type_label
from ui.session import EDITOR_NAME, KEPT, PLACE_FIELD

FIRST_DAY, LAST_DAY = date.fromisoformat(FIRST_DATE), date.fromisoformat(LAST_DATE)
"""The dates a table may hold (data/SCHEMA.md): the form's calendars reach all of them."""


def who_edits() -> str:
    """The name changes are recorded under: the server's authenticated user where there is
    one, else the name the user sets in the sidebar."""
    user = getattr(st, "user", None)
    name = ""
    try:
        if user is not None and user.is_logged_in:
            name = str(user.get("email") or user.get("name") or "")
    except (AttributeError, KeyError):
        name = ""
    if name:
        st.caption(esc_markdown(f"Changes are recorded as {name}."))
        return name
    kept = KEPT(EDITOR_NAME.key)
    if not EDITOR_NAME.is_set() and kept.is_set():
        EDITOR_NAME.set(kept.get_or(""))  # across pages
    typed = str(
        st.text_input(
            "Your name (recorded with every change you make)",
            key=EDITOR_NAME.key,
            max_chars=80,
            placeholder="needed to save, delete or undo",
        )
    ).strip()
    kept.set(typed)
    return typed


def place_key(key: str, field: str) -> str:
    """The session-state key of one of the form's place widgets (``lat``, ``lon``, ``place``,
    ``country``, ``geo_precision``, ``region``): a chosen candidate or a map click sets them."""
    return PLACE_FIELD(key, field).key


def incident_form(
    values: dict[str, Any],
    claims: list[dict[str, Any]],
    source_ids: list[str],
    *,
    new: bool,
    key: str,
) -> tuple[dict[str, Any], list[dict[str, Any]], bool] | None:
    """The incident's fields and its claims as a form; when Save is pressed, the values typed,
    the claims and whether empty low/high tolls are to be filled from the claims."""
    for field in ("lat", "lon", "place", "country", "geo_precision", "region"):
        given = values.get(field)
        missing = given is None or given == "" or (isinstance(given, float) and given != given)
        PLACE_FIELD(key, field).setdefault(_blank(field) if missing else given)
    with st.form(key=f"form_{key}"):
        out: dict[str, Any] = dict(values)
        if new:
            out["incident_id"] = st.text_input(
                "Id (a stable slug: letters, digits, - _ . :)", values.get("incident_id", "")
            )
        out.update(_when_and_where(values, key))
        types = list(EVENT_TYPES)
        out["event_type"] = st.selectbox(
            "Type", types, index=_index(types, values.get("event_type")), format_func=type_label
        )
        edited = _claims_editor(claims, source_ids, key)
        st.markdown("**The incident's range** (low, best, high; best is your call)")
        columns = st.columns(6)
        for column, place in zip(TOLL_COLUMNS, columns, strict=True):
            value = values.get(column)
            out[column] = place.text_input(
                column.replace("_", " "), "" if value is None or pd.isna(value) else str(value)
            )
        fill = st.checkbox(
            "Fill an empty low or high from the claims (and best where they all agree)",
            value=True,
        )
        out["perpetrator"] = st.text_input("Perpetrator", values.get("perpetrator", ""))
        out["target"] = st.text_input("Target", values.get("target", ""))
        out["summary"] = st.text_area("Summary, in your own words", values.get("summary", ""))
        out["sources"] = st.text_input("Sources (ids, ;-separated)", values.get("sources", ""))
        saved = st.form_submit_button("Save", type="primary")
    if not saved:
        return None
    rows = pd.DataFrame(edited).fillna("").astype(str).to_dict("records")
    return out, rows, fill


def _when_and_where(values: dict[str, Any], key: str) -> dict[str, Any]:
    """The form's dates and place widgets, and what they hold."""
    out: dict[str, Any] = {}
    a, b, c = st.columns(3)
    out["date_start"] = a.date_input(
        "From", _day(values.get("date_start")), FIRST_DAY, LAST_DAY, format="YYYY-MM-DD"
    )
    out["date_end"] = b.date_input(
        "To (empty: the same day)", _day(values.get("date_end")), FIRST_DAY, LAST_DAY,
        format="YYYY-MM-DD",
    )  # fmt: skip
    precisions = list(DATE_PRECISIONS)
    out["date_precision"] = c.selectbox(
        "Date known to", precisions, index=_index(precisions, values.get("date_precision"))
    )
    out["place"] = st.text_input("Place, as the sources name it", key=place_key(key, "place"))
    a, b, c, d = st.columns(4)
    out["lat"] = a.number_input("lat", -90.0, 90.0, format="%.5f", key=place_key(key, "lat"))
    out["lon"] = b.number_input("lon", -180.0, 180.0, format="%.5f", key=place_key(key, "lon"))
    places = list(GEO_PRECISIONS)
    out["geo_precision"] = c.selectbox("Located to", places, key=place_key(key, "geo_precision"))
    out["country"] = d.text_input("Country (ISO code)", max_chars=2, key=place_key(key, "country"))
    out["region"] = st.text_input(
        "Region (empty: the one the point lies in)", key=place_key(key, "region")
    )
    return out


def _claims_editor(claims: list[dict[str, Any]], source_ids: list[str], key: str) -> Any:
    """Each source's claim as an editable table (rows added at the bottom)."""
    st.markdown("**Tolls: each source's claim** (one row a passage; add rows at the bottom)")
    return st.data_editor(
        pd.DataFrame(claims, columns=CLAIM_FIELDS).astype(str),
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        key=f"claims_{key}",
        column_config={
            "source": st.column_config.SelectboxColumn("source", options=source_ids),
            "paragraph": st.column_config.TextColumn("paragraph(s)", help="e.g. 4 or 3;6"),
            "killed": st.column_config.TextColumn("killed", help="a whole number"),
            "wounded": st.column_config.TextColumn("wounded", help="a whole number"),
            "note": st.column_config.TextColumn("note", width="large"),
        },
    )


def _blank(field: str) -> Any:
    """A new incident's field: no point (``None``) until one is found or clicked."""
    return {"lat": None, "lon": None, "geo_precision": "city"}.get(field, "")


def _day(value: object) -> date | None:
    """A stored date as the form's date; ``None`` (an empty field) for none."""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def not_yet_given(values: dict[str, Any]) -> str | None:
    """What a new incident still lacks before it can be saved: its date or its point."""
    lacking = []
    if values.get("date_start") is None:
        lacking.append("the date it began (From)")
    if values.get("lat") is None or values.get("lon") is None:
        lacking.append("its point (find a place, click the map, or type lat and lon)")
    if not lacking:
        return None
    return "Not saved: give " + " and ".join(lacking) + "."


def _index(options: list[str], value: object) -> int:
    return options.index(str(value)) if str(value) in options else 0


__all__ = [
    "incident_form",
    "not_yet_given",
    "place_key",
    "who_edits",
]
