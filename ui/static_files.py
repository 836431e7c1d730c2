"""Files the browser fetches once instead of receiving with every map: Leaflet and its plugins
(copied from the installed packages) and the basemap (written from the project's data).

They go to ``static/vendor/`` beside ``app.py``, which Streamlit serves at ``app/static/``
(``server.enableStaticServing``); the folder is git-ignored and rebuilt when needed. Where it
cannot be written, the map carries everything inline as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from geo.webmap import copy_assets, write_basemap

FOLDER = Path(__file__).resolve().parent.parent / "static" / "vendor"
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Served:
    """Where the browser finds the Leaflet files and the basemap (``None``: inline)."""

    assets_url: str | None = None
    basemap_url: str | None = None


@st.cache_resource(show_spinner=False)
def served() -> Served:
    """Write the files once per server process and say where they are served."""
    if not st.get_option("server.enableStaticServing"):
        return Served()
    try:
        copy_assets(FOLDER)
        name = write_basemap(FOLDER)
    except OSError:
        _LOG.warning("cannot write %s; maps carry their scripts inline", FOLDER, exc_info=True)
        return Served()
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    url = "/" + "/".join(part for part in (base, "app/static/vendor") if part)
    return Served(url, f"{url}/{name}")
