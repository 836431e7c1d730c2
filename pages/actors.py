"""Actors page: who the kept incidents name, ranked by incidents and deaths, each over time
and where; pick one to show only its incidents."""

import altair as alt
import streamlit as st

import ui
from geo.actors import CHARTED, actor_table, actor_years
from geo.escape import esc_markdown
from ui.filter_state import pick_filter

view = ui.sidebar()
st.title("Actors")
ui.headline_metrics(view)

if not {"actor1", "actor2", "assoc_actors"} & set(view.engine.overview().fields):
    st.info(
        "This table names no actors. ACLED, GTD and UCDP GED exports do: import one "
        "(python -m geo import) or upload it in the sidebar."
    )
    st.stop()
if view.count == 0:
    st.info("No incident matches the filters.")
    st.stop()

table = actor_table(view.engine, view.filters)
st.caption(
    f"The {len(table):,} actors named most often in the {view.count:,} incidents the filters "
    "keep, on either side or as associated actors (an incident counts for each actor it "
    "names). Pick a row to show only that actor's incidents on every page."
)
picked = st.dataframe(
    table,
    key=f"actors_{abs(hash(tuple(table['Actor'])))}",  # a new list, a new selection
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
)
rows = [r for r in (picked.selection.rows if picked else []) if r < len(table)]
if rows:
    name = str(table.iloc[rows[0]]["Actor"])
    if st.button(f"Show only {esc_markdown(name)}'s incidents", key="actor_pick"):
        pick_filter("actors", [name])
        st.rerun()

names = list(table["Actor"][:CHARTED])
years = actor_years(view.engine, view.filters, names)
st.subheader(f"Incidents over time of the first {len(names)} actors")
st.altair_chart(
    alt.Chart(years)
    .mark_line(point=True)
    .encode(
        x=alt.X("period:O", title=None),
        y=alt.Y("incidents:Q", title="Incidents"),
        color=alt.Color("actor:N", title="Actor", sort=names, legend=alt.Legend(orient="bottom")),
        tooltip=["actor:N", "period:O", "incidents:Q"],
    ),
    width="stretch",
)
