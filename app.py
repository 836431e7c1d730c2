"""Incident Atlas: the dashboard's entry point (``streamlit run app.py``).

The page list is drawn by ``ui.sidebar()`` as links, not by ``st.navigation``'s own menu:
Streamlit also runs files of ``pages/`` directly when a link such as ``/timeline`` is opened, and
the links then look and work the same either way.
"""

import streamlit as st

import ui

st.set_page_config(page_title="Incident Atlas", layout="wide")

pages = st.navigation(
    [
        st.Page("pages/map.py", title="Map", default=True),
        st.Page("pages/timeline.py", title="Timeline"),
        st.Page("pages/incidents.py", title="Incidents"),
        st.Page("pages/about.py", title="About the data"),
    ],
    position="hidden",
)
with ui.unexpected_errors():
    pages.run()
