"""The floor for the dashboard's first load: Streamlit with the atlas's sidebar widgets, no data.

``bench.py --browser`` serves this file and the atlas side by side and compares the time from
opening the page to the widgets (here) and to the map (the atlas) being drawn.
"""

from datetime import date

import streamlit as st

st.set_page_config(page_title="Floor", layout="wide")
sb = st.sidebar
sb.title("Incident Atlas")
for label in ("Map", "Timeline", "Incidents", "About the data"):
    sb.markdown(f"[{label}](#)")
sb.slider(
    "Time range",
    min_value=date(2011, 1, 1),
    max_value=date(2016, 12, 31),
    value=(date(2011, 1, 1), date(2016, 12, 31)),
    format="YYYY-MM-DD",
)
sb.multiselect("Year", list(range(2011, 2017)), placeholder="All years")
sb.multiselect("Region", [f"Region {i}" for i in range(21)], placeholder="All regions")
sb.multiselect("Event type", [f"Type {i}" for i in range(8)], placeholder="All types")
sb.multiselect("Country", ["GE", "KZ", "RU"], placeholder="All countries")
sb.toggle("Only incidents located to the city or better")
sb.button("Reset filters")
st.title("Map")
for column, label in zip(st.columns(4), ("Incidents", "Killed", "Wounded", "Regions")):
    column.metric(label, 0)
