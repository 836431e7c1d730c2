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
from ui.widgets import PAGES  # noqa: E402

# One page list (ui.widgets.PAGES) for the router and the sidebar's links; each page's
# ui.sidebar() sets the page up.
pages = st.navigation(
    [st.Page(path, title=label, default=n == 0) for n, (path, label, _icon) in enumerate(PAGES)],
    position="hidden",
)
with ui.unexpected_errors():
    pages.run()
