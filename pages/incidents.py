"""Incidents page: the filtered table, a page at a time in the chosen order; pick a row to see
its record and every source's claim."""

import streamlit as st

import ui
from geo.escape import esc_markdown
from geo.records import (
    PAGE_ROWS,
    SORT_CHOICES,
    disagreement,
    display_table,
    named_claims,
    record_fields,
    rows_caption,
    rows_key,
)

view = ui.sidebar()
st.title("Incidents")
ui.headline_metrics(view)

left, middle, right = st.columns([3, 2, 2])
order = left.selectbox(
    "Sort by", list(SORT_CHOICES), key="incident_sort", format_func=lambda c: SORT_CHOICES[c]
)
descending = middle.toggle("Largest or latest first", key="incident_desc", value=False)
total = view.count
pages = max(1, -(-total // PAGE_ROWS))
number = int(right.number_input(f"Page (of {pages:,})", 1, pages, 1, key=f"incident_page_{pages}"))
shown = view.engine.rows(
    view.filters,
    order=(str(order), descending),
    limit=PAGE_ROWS,
    offset=(number - 1) * PAGE_ROWS,
)
table = display_table(shown)
st.caption(rows_caption(number, len(table), total))
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
        view.engine.claims_of(str(record["incident_id"])).drop(columns="incident_id"),
        view.engine.sources(),
    )
    right.markdown("**What each source claims**")
    if claims.empty:
        right.text("No per-source claims in this table.")
    else:
        right.dataframe(claims, hide_index=True, width="stretch")
        for line in disagreement(claims):
            right.warning(esc_markdown(line))
