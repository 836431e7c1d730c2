"""Timeline page: incidents over time by type, and killed as a low-high band."""

import altair as alt
import pandas as pd
import streamlit as st

import ui
from geo.symbology import type_labels, type_legend
from geo.trends.coverage import covered_spans, gap_labels, rolling_mean

view = ui.sidebar()
st.title("Timeline")
ui.headline_metrics(view)
left, right = st.columns([3, 2])
period = left.radio(
    "Group by", ["month", "quarter", "year"], index=2, horizontal=True, key="timeline_period"
)
rolling = right.toggle("Rolling average of 3 periods", key="timeline_rolling")

if view.count == 0:
    st.info("No incident matches the filters.")
    st.stop()

# One time axis for both charts, in order, with every period: an empty one shows as nothing.
periods = view.engine.periods(view.filters, period)
axis = periods.labels
x = alt.X("period:O", title=None, sort=axis, scale=alt.Scale(domain=axis))
spans = covered_spans(view.engine, view.filters)
gaps = gap_labels(spans, axis, period)
gap_layer = (
    alt.Chart(pd.DataFrame({"period": gaps, "note": "not covered by the data"}))
    .mark_rect(color="#bbbbbb", opacity=0.35)
    .encode(x=x, tooltip=["period:O", "note:N"])
)
counts = periods.counts.reset_index()
long = counts.melt(id_vars="period", var_name="event_type", value_name="incidents")
long = long[long["incidents"] > 0]
types, colours = type_legend(long["event_type"])
long["event_type"] = type_labels(long["event_type"])
st.subheader(f"Incidents per {period}, by type")
bars = (
    alt.Chart(long)
    .mark_bar()
    .encode(
        x=x,
        y=alt.Y("incidents:Q", title="Incidents", stack="zero"),
        color=alt.Color(
            "event_type:N",
            title="Type",
            scale=alt.Scale(domain=types, range=colours),
            # Below the chart, so both charts' periods line up one above the other.
            legend=alt.Legend(orient="bottom", columns=4),
        ),
        tooltip=["period:O", "event_type:N", "incidents:Q"],
    )
)
layers = [gap_layer, bars] if gaps else [bars]
if rolling:
    mean = rolling_mean(periods.counts.sum(axis=1), gaps).rename("mean").reset_index()
    layers.append(
        alt.Chart(mean.dropna())
        .mark_line(color="#222222", point=True)
        .encode(x=x, y="mean:Q", tooltip=["period:O", alt.Tooltip("mean:Q", format=".1f")])
    )
st.altair_chart(alt.layer(*layers), width="stretch")
if gaps:
    covered = "; ".join(f"{a} to {b}" for a, b in spans)
    st.caption(
        f"Grey: {len(gaps):,} {period}s the data does not cover (gaps, not zeros). It covers "
        f"{covered}, each dataset from its first to its last day less the gaps its makers "
        "declare (GTD has no 1993)."
    )

killed = periods.killed.reset_index()
st.subheader(f"Killed per {period}: lowest to highest source figures, and the best")
band = (
    alt.Chart(killed)
    .mark_bar(opacity=0.35, color="#d62728", width={"band": 0.8})
    .encode(
        x=x,
        y=alt.Y("low:Q", title="Killed"),
        y2="high:Q",
        tooltip=["period:O", "low:Q", "best:Q", "high:Q"],
    )
)
best = (
    alt.Chart(killed)
    .mark_tick(color="#8c1c13", thickness=3, size=18)
    .encode(
        x=x,
        y="best:Q",
        tooltip=["period:O", "low:Q", "best:Q", "high:Q"],
    )
)
st.altair_chart(alt.layer(*([gap_layer] if gaps else []), band, best), width="stretch")
st.caption("An incident whose date is known only as a range is counted at the range's middle.")
