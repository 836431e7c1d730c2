"""Incident Atlas: the dashboard's entry point (``streamlit run app.py``).

The page list is drawn by ``ui.sidebar()`` as links, not by ``st.navigation``'s own menu:
Streamlit also runs files of ``pages/`` directly when a link such as ``/timeline`` is opened, and
the links then look and work the same either way.
"""

import os

# Before Arrow is loaded (pandas loads it): its allocator, mimalloc, hands freed memory back to
# the system at once, and a slider move over a million incidents then spent most of its time
# faulting fresh pages in (1.2 s instead of 0.2 s to take the rows kept). Freed memory is kept
# for reuse instead; the process's peak is the same.
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "-1")

import streamlit as st  # noqa: E402

import ui  # noqa: E402

st.set_page_config(page_title="Incident Atlas", layout="wide")

pages = st.navigation(
    [
        st.Page("pages/map.py", title="Map", default=True),
        st.Page("pages/timeline.py", title="Timeline"),
        st.Page("pages/incidents.py", title="Incidents"),
        st.Page("pages/actors.py", title="Actors"),
        st.Page("pages/trends.py", title="Trends"),
        st.Page("pages/edit.py", title="Edit"),
        st.Page("pages/review.py", title="Review"),
        st.Page("pages/about.py", title="About the data"),
    ],
    position="hidden",
)
with ui.unexpected_errors():
    pages.run()
