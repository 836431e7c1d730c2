"""Incident Atlas: the dashboard's entry point (``streamlit run app.py``)."""

import streamlit as st

st.set_page_config(page_title="Incident Atlas", page_icon="🗺️", layout="wide")

pages = st.navigation(
    [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:"),
        st.Page("pages/incidents.py", title="Incidents", icon=":material/table:"),
        st.Page("pages/about.py", title="About the data", icon=":material/info:"),
    ]
)
pages.run()
