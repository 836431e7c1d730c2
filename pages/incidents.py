"""Incidents page: the filtered table; pick a row to see its record and every source's claim."""

import streamlit as st

import ui
from geo.escape import esc_markdown
from geo.records import (
    claims_of,
    disagreement,
    display_table,
    named_claims,
    record_fields,
    rows_key,
    search_incidents,
)

view = ui.sidebar()
st.title("Incidents")
ui.headline_metrics(view)

query = st.text_input(
    "Search",
    key="incident_search",
    placeholder="Words in the place, perpetrator, target or summary",
)
shown = search_incidents(view.incidents, query)
table = display_table(shown)
st.caption(
    f"{len(table):,} of {len(view.incidents):,} incidents. Click a column to sort (the low, "
    "best and high columns sort as numbers); pick a row for its full record."
)
# The key follows the rows shown, so a selection never outlives a filter change.
picked = st.dataframe(
    table,
    key=f"incident_table_{rows_key(shown)}",
    hide_index=True,
    width="stretch",
    height=min(36 * (len(table) + 1) + 3, 720),
    on_select="rerun",
    selection_mode="single-row",
    placeholder="",  # no figure: an empty cell, not the word "None"
)
rows = [r for r in (picked.selection.rows if picked else []) if r < len(shown)]
if rows:
    record = shown.iloc[rows[0]]
    st.subheader(esc_markdown(record["place"]))
    st.text(str(record["summary"]))
    left, right = st.columns(2)
    left.dataframe(
        record_fields(record),
        width="stretch",
    )
    claims = named_claims(
        claims_of(view.dataset.claims, str(record["incident_id"])), view.dataset.sources
    )
    right.markdown("**What each source claims**")
    if claims.empty:
        right.text("No per-source claims in this table.")
    else:
        right.dataframe(claims, hide_index=True, width="stretch")
        for line in disagreement(claims):
            right.warning(esc_markdown(line))
