"""Trends page: what changed. Each unit's latest period against its baseline, flagged, on a
change map and in a table; pick a unit to show only its incidents on every page."""

import html

import streamlit as st
from streamlit_folium import st_folium

import ui
from geo.errors import AtlasError
from geo.escape import esc_markdown
from geo.trends import MEASURES, PERIOD_KINDS, Thresholds, Trend, trends
from geo.trends.brief import brief_bytes
from geo.trends.command import trends_csv
from geo.trends.periods import PER_YEAR
from geo.trends.view import (
    ROWS_SHOWN,
    UNIT_FACET,
    UNIT_WORDS,
    flag_counts,
    page_table,
    unit_names,
    units_offered,
    what_was_compared,
)
from geo.webmap import MAPPED_UNITS, change_map, legend_html, offline_map
from ui.filter_state import pick_filter
from ui.session import TREND_BACK, TREND_LAST_CLICK
from ui.static_files import served
from ui.trends import show_breakdowns, show_pivot, show_two_periods

view = ui.sidebar()
st.title("Trends")
ui.headline_metrics(view)
if view.count == 0:
    st.info("No incident matches the filters.")
    st.stop()

offered = units_offered(view.engine.overview().fields)
a, b, c, d = st.columns(4)
by = str(a.selectbox("Compare", offered, format_func=lambda u: UNIT_WORDS[u], key="trend_by"))
period = str(b.selectbox("Period", PERIOD_KINDS, index=1, key="trend_period"))
kind = c.radio(
    "Against", ["before", "year"], horizontal=True, key="trend_kind",
    format_func={"before": "the periods before", "year": "a year earlier"}.get,
)  # fmt: skip
if TREND_BACK.get_or(4) > 3 * PER_YEAR[period]:  # 36 months, then quarters
    TREND_BACK.set(3 * PER_YEAR[period])
back = c.number_input(
    f"{period.capitalize()}s before", min_value=1, max_value=3 * PER_YEAR[period], value=4,
    step=1, key=TREND_BACK.key, disabled=kind == "year",
)  # fmt: skip
measure = d.radio(
    "Measure", list(MEASURES), horizontal=True, key="trend_measure",
    format_func={"incidents": "incidents", "killed": "deaths (best)"}.get,
)  # fmt: skip
with st.expander("Thresholds"):
    t = Thresholds()
    cols = st.columns(4)
    chosen = (
        cols[0].number_input("Surge: up by % or more", 1.0, 10000.0, t.surge, key="t_s"),
        cols[1].number_input("Increase: up by % or more", 1.0, 10000.0, t.increase, key="t_i"),
        cols[2].number_input("Decrease: down by % or more", 1.0, 100.0, t.decrease, key="t_d"),
        cols[3].number_input("Too few to call under", 0.0, 1e6, t.floor, key="t_f"),
    )
    try:
        thresholds = Thresholds(*chosen)
    except ValueError as exc:
        st.error(esc_markdown(f"{exc}: the defaults are used."))
        thresholds = t
    st.caption(
        "Defaults after ACLED's Trendfinder (a rise of more than 25% is large); surge at "
        "+100%. Where both the period and the baseline are under the floor, a change is "
        "called steady. New: nothing in the baseline (a first incident is news at any count); "
        "quiet: nothing now against a baseline of at least the floor."
    )
trend = Trend(by, period, "year" if kind == "year" else int(back), measure, thresholds)
# only the open tab runs: the others ask the engine nothing
change, parts, pivoted, two = st.tabs(
    ["What changed", "Breakdowns", "Pivot table", "Compare two periods"],
    key="trend_tab",
    on_change="rerun",
)
with change:
    if change.open:
        found = trends(view.engine, view.filters, trend)
        st.caption(esc_markdown(what_was_compared(found, trend)))
        counts = flag_counts(found)
        for col, (flag, n) in zip(st.columns(len(counts)), counts.items(), strict=True):
            col.metric(flag.capitalize(), f"{n:,}")

        latest = found.table
        if by in MAPPED_UNITS and len(latest):
            files = served()
            names = unit_names([str(u) for u in latest["unit"]], by)
            fmap = change_map(
                latest, by=by, measure=measure, names=names, basemap_url=files.basemap_url
            )
            clicked = st_folium(
                offline_map(fmap, base_url=files.assets_url), key="trend_map", height=480,
                use_container_width=True, returned_objects=["last_active_drawing"],
            )  # fmt: skip
            st.html(legend_html())
            feature = (clicked or {}).get("last_active_drawing") or {}
            unit = html.unescape(str((feature.get("properties") or {}).get("unit", "")))
            if unit and feature != TREND_LAST_CLICK.get():
                TREND_LAST_CLICK.set(feature)
                pick_filter(UNIT_FACET[by], [unit])
                st.rerun()
        elif len(latest):
            st.caption("The change map draws regions and countries; these units are listed below.")

        shown = page_table(found, by, measure)
        if len(shown) > ROWS_SHOWN:
            st.caption(
                f"The {ROWS_SHOWN} busiest of {len(shown):,} units; the CSV below holds them all."
            )
            shown = shown.head(ROWS_SHOWN)
        picked = st.dataframe(
            shown.drop(columns="unit"),
            key=f"trend_rows_{abs(hash((trend, tuple(shown['unit']))))}",
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            column_config={
                "Last periods": st.column_config.LineChartColumn(
                    f"Last {period}s", help=f"{measure} per {period}, the last at the right"
                ),
                "Deaths": st.column_config.TextColumn(width="medium"),
            },
        )
        rows = [r for r in (picked.selection.rows if picked else []) if r < len(shown)]
        if rows:
            unit = str(shown.iloc[rows[0]]["unit"])
            label = shown.iloc[rows[0]][UNIT_WORDS[by]]
            if st.button(f"Show only {esc_markdown(label)}'s incidents", key="trend_pick"):
                pick_filter(UNIT_FACET[by], [unit])
                st.rerun()

        if st.toggle("Prepare a one-page situation brief (PDF)", key="trend_brief"):
            brief = brief_bytes(view.table, view.filters, trend)
            st.download_button(
                f"Download the brief for {found.latest}", brief, f"brief-{found.latest}.pdf",
                mime="application/pdf", key="trend_brief_pdf",
            )  # fmt: skip
        if st.toggle("Prepare a CSV of every period of the selection", key="trend_every"):
            try:
                text, n = trends_csv(view.table, view.filters, trend)
            except AtlasError as exc:
                st.info(esc_markdown(str(exc)))
                st.stop()
            st.download_button(
                f"Download trends.csv ({n:,} rows: each unit and period against its baseline)",
                text.encode("utf-8"), "trends.csv", mime="text/csv", key="trend_csv",
            )  # fmt: skip

with parts:
    if parts.open:
        show_breakdowns(view, by, period, offered)
with pivoted:
    if pivoted.open:
        show_pivot(view, by, period, measure)
with two:
    if two.open:
        show_two_periods(view)
