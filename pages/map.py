"""Map page: incidents by city and regions, for the sidebar's filters."""

import html

import streamlit as st
from streamlit_folium import st_folium

import ui
from geo.assets import offline_map
from geo.maps import build_map

view = ui.sidebar()
st.title("Incident map")
ui.headline_metrics(view)

left, right = st.columns([3, 2])
metric = left.radio(
    "Shade regions by",
    ["incidents", "killed"],
    horizontal=True,
    key="map_metric",
    format_func=lambda m: {"incidents": "incidents", "killed": "killed (best)"}[m],
)
online = right.toggle(
    "Web map tiles (needs internet)",
    key="map_online",
    value=False,
    help="Adds OpenStreetMap as a basemap choice. Off by default: the map "
    "draws its own country and region outlines with no internet.",
)

fmap = offline_map(
    build_map(view.incidents, claims=view.dataset.claims, metric=metric, online_tiles=online)
)
clicked = st_folium(
    fmap, key="map", height=640, use_container_width=True, returned_objects=["last_active_drawing"]
)
st.caption(
    "Click a region to show only its incidents; click a numbered cluster to spread out "
    "the incidents it holds. Hollow dashed symbols are located only to a region or "
    "country."
)

feature = (clicked or {}).get("last_active_drawing") or {}
region = html.unescape(str((feature.get("properties") or {}).get("region", "")))
if region and feature != st.session_state.get("map_last_click"):
    st.session_state["map_last_click"] = feature
    if list(view.filters.regions) != [region]:
        st.session_state["pending_region"] = region
        st.rerun()
