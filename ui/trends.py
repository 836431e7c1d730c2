"""The Trends page's other tabs: breakdowns, the pivot table and two periods side by side
(their figures come from ``geo.trends``; this module only draws them)."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from geo.errors import AtlasError
from geo.escape import esc_markdown
from geo.export import table_argument, too_many_to_download
from geo.trends.coverage import covered_spans
from geo.trends.tables import as_csv, as_xlsx, breakdown, by_period, pivot
from geo.trends.two_periods import default_periods, side_by_side, two_periods
from geo.trends.view import UNIT_WORDS, unit_names
from ui import View

BARS_SHOWN = 25
"""The most units a breakdown's chart draws (the CSV holds them all)."""


def _bars(table: pd.DataFrame, label: str, sort: list[str] | None = None) -> None:
    """Incidents and killed (best, with the lowest-highest range) per row, as two bar charts
    (the first ``BARS_SHOWN`` rows, or every row in the order ``sort`` gives)."""
    long = table if sort else table.head(BARS_SHOWN)
    x = alt.X(f"{label}:N", sort=sort or list(long[label]), title=None)
    left, right = st.columns(2)
    left.altair_chart(
        alt.Chart(long)
        .mark_bar(color="#4c78a8")
        .encode(x=x, y=alt.Y("incidents:Q", title="Incidents"), tooltip=[label, "incidents"]),
        width="stretch",
    )
    killed = alt.Chart(long).mark_bar(color="#d62728", opacity=0.8).encode(
        x=x, y=alt.Y("killed:Q", title="Killed (best)"),
        tooltip=[label, "killed", "killed_low", "killed_high"],
    )  # fmt: skip
    ranges = (
        alt.Chart(long).mark_rule(color="#8c1c13").encode(x=x, y="killed_low:Q", y2="killed_high:Q")
    )
    right.altair_chart(killed + ranges, width="stretch")


def show_breakdowns(view: View, by: str, period: str, offered: list[str]) -> None:
    """Incidents and deaths by type, by actor (where the table names any), by the unit
    chosen above and by period, each as bars and as CSV."""
    wanted = list(dict.fromkeys(["type", *(["actor"] if "actor" in offered else []), by]))
    for unit in wanted:
        table = breakdown(view.engine, view.filters, unit)
        names = unit_names([str(u) for u in table["unit"]], unit)
        label = UNIT_WORDS[unit]
        table.insert(0, label, [names[str(u)] for u in table["unit"]])
        st.subheader(f"By {label.lower()}")
        if len(table) > BARS_SHOWN:
            st.caption(f"The first {BARS_SHOWN} of {len(table):,}; the CSV holds them all.")
        _bars(table, label)
        st.download_button(
            f"Download by {label.lower()} as CSV", as_csv(table.drop(columns="unit")),
            f"by-{unit}.csv", mime="text/csv", key=f"breakdown_{unit}",
        )  # fmt: skip
    st.subheader(f"By {period}")
    try:
        per = by_period(view.engine, view.filters, period)
    except ValueError as exc:
        st.info(esc_markdown(str(exc)))
        return
    _bars(per, "period", sort=list(per["period"]))
    st.download_button(
        f"Download by {period} as CSV", as_csv(per), f"by-{period}.csv", mime="text/csv",
        key="breakdown_period",
    )  # fmt: skip


def show_pivot(view: View, by: str, period: str, measure: str) -> None:
    """Units x periods of the selection, as the table analysts paste into reports."""
    try:
        table = pivot(view.engine, view.filters, by, period, measure)
    except ValueError as exc:
        st.info(esc_markdown(str(exc)))
        return
    what = "incidents" if measure == "incidents" else "killed (best figure)"
    st.caption(
        f"{what.capitalize()} per {UNIT_WORDS[by].lower()} and {period}, every {period} of the "
        "selection; most first."
    )
    if len(table) > BARS_SHOWN * 12:  # the page lists the busiest; the downloads hold all
        st.caption(f"The {BARS_SHOWN * 12} busiest of {len(table):,}; the downloads hold all.")
    st.dataframe(table.head(BARS_SHOWN * 12), width="stretch")
    left, right = st.columns(2)
    left.download_button(
        "Download as CSV", as_csv(table), f"pivot-{by}-{period}.csv", mime="text/csv",
        key="pivot_csv",
    )  # fmt: skip
    if right.toggle("Prepare an Excel workbook (.xlsx)", key="pivot_make_xlsx"):
        right.download_button(
            "Download as Excel (.xlsx)", as_xlsx(table), f"pivot-{by}-{period}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="pivot_xlsx",
        )  # fmt: skip


def show_two_periods(view: View) -> None:
    """The selection in period A and period B: their figures, and both maps over one area."""
    overview = view.engine.overview()
    if overview.first is None or overview.last is None:
        return
    lo, hi = overview.first, overview.last
    covered = covered_spans(view.engine)  # the defaults split the days the data covers
    if covered:
        lo_c, hi_c = covered[0][0], covered[-1][1]
    else:
        lo_c, hi_c = lo, hi
    (a0, a1), (b0, b1) = default_periods(lo_c, hi_c)
    left, right = st.columns(2)
    a = left.date_input("Period A", (a0, a1), min_value=lo, max_value=hi, key="two_a")
    b = right.date_input("Period B", (b0, b1), min_value=lo, max_value=hi, key="two_b")
    if not (isinstance(a, tuple) and len(a) == 2 and isinstance(b, tuple) and len(b) == 2):
        st.info("Choose a first and a last day for each period.")
        return
    spans: tuple[tuple[date, date], tuple[date, date]] = ((a[0], a[1]), (b[0], b[1]))
    pair = two_periods(view.table, view.filters, *spans)
    for col, name, figures in ((left, "A", pair.figures_a), (right, "B", pair.figures_b)):
        col.metric(f"Incidents in {name}", f"{figures.incidents:,}")
        col.metric(f"Killed in {name}", figures.span(figures.killed_low, figures.killed_high))
    st.caption(esc_markdown(f"B against A: {pair.change()}."))
    if not st.toggle("Draw both maps", key="two_maps"):
        return
    for filters, figures in ((pair.filters_a, pair.figures_a), (pair.filters_b, pair.figures_b)):
        refusal = too_many_to_download(
            filters, "png", figures.incidents, table_argument(view.table)
        )
        if refusal:  # as the Map page's snapshot: the command line draws more
            st.info(esc_markdown(refusal))
            return
    try:
        picture = side_by_side(view.table, pair, dpi=110)
    except AtlasError as exc:
        st.info(esc_markdown(str(exc)))
        return
    st.image(picture, width="stretch")
    st.download_button(
        "Download both maps as one PNG", picture, "two-periods.png", mime="image/png",
        key="two_png",
    )  # fmt: skip


__all__ = ["show_breakdowns", "show_pivot", "show_two_periods"]
