"""Map page: incidents by city and regions, for the sidebar's filters."""

import functools
import html

import streamlit as st
from streamlit_folium import st_folium

import ui
from geo.errors import FilterError
from geo.escape import esc_markdown
from geo.export import MIME_TYPES, ExportOptions, export, table_argument, too_many_to_download
from geo.facets import BY_NAME
from geo.records import only_country
from geo.timelapse import frames_of
from geo.webmap import COLOUR_FIELDS, LAYERS, MapOptions, filter_of_drawing, live_map, offline_map
from ui.filter_state import pick_filter
from ui.session import LAPSE_MADE, MAP, MAP_FRAME, MAP_LAST_CLICK
from ui.static_files import served

SNAPSHOT_SIZES = {
    "a4-landscape": "A4 landscape",
    "a4-portrait": "A4 portrait",
    "slide": "Slide 16:9",
    "custom": "Custom (pixels)",
}


def timelapse_button(view: ui.View, freq: str, file_name: str) -> None:
    """Make the GIF on request, with a progress bar (a monthly one takes a while), then offer
    it for download. The GIF is kept for these filters and step until they change."""
    made = LAPSE_MADE.get()
    wanted = (view.label, view.filters, freq, view.headline) if made else None
    if made is None or made[0] != wanted:
        slot = st.empty()  # the button gives way to the progress bar, then the download
        if not slot.button("Make time-lapse (GIF)", key="lapse_make"):
            return
        slot.empty()
        bar = st.progress(0.0, text="Drawing the time-lapse…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Drawing frame {done} of {total}")

        gif = export(view.table, view.filters, "gif", ExportOptions(freq=freq, progress=progress))
        bar.empty()
        wanted = (view.label, view.filters, freq, view.headline)
        made = (wanted, gif)
        LAPSE_MADE.set(made)
    st.download_button(
        "Download time-lapse (GIF)",
        data=made[1],
        file_name=file_name,
        mime="image/gif",
        on_click="ignore",
        key="dl_gif",
    )


view = ui.sidebar()
st.title("Incident map")
ui.headline_metrics(view)

left, right = st.columns([3, 2])
layer = str(
    left.radio(
        "Draw incidents as", list(LAYERS), horizontal=True, key="map_layer",
        format_func=lambda k: LAYERS[str(k)].lower(),
        help="Symbols show each incident (grouped into areas when there are many); the heatmap "
        "and the grid show where they are dense. Zoom in for finer cells.",
    )
)  # fmt: skip
metric = left.radio(
    "Shade regions (and grid or heatmap) by",
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

fields = view.engine.overview().fields
colourings = [f for f in COLOUR_FIELDS if f == "event_type" or f in fields]
colour_by = str(
    left.radio(
        "Colour symbols by", colourings, horizontal=True, key="map_colour",
        format_func=lambda f: COLOUR_FIELDS[str(f)].lower(),
        help="The most frequent values each in a colour, the rest in grey; grid cells (many "
        "incidents) keep their most frequent type's colour.",
    )
    if len(colourings) > 1
    else "event_type"
)  # fmt: skip
files = served()
overview = view.engine.overview()
map_options = MapOptions(
    layer=layer,
    colour_by=colour_by,
    metric=metric,
    online_tiles=online,
    countries=overview.countries,
    basemap_url=files.basemap_url,
)
# The map is drawn once; a filter change, a zoom or a pan sends it new layers (st_folium's
# feature group), so its view stays where the user left it (the fit button frames the data).
live = live_map(
    view.engine, view.filters, map_options, count=view.count,
    bounds=(MAP.get() or {}).get("bounds"),
    frame=MAP_FRAME.get(),
)  # fmt: skip
MAP_FRAME.set(live.frame)
clicked = st_folium(
    offline_map(live.base, base_url=files.assets_url),
    key=MAP.key,
    height=640,
    use_container_width=True,
    feature_group_to_add=offline_map(live.layers, base_url=files.assets_url),
    returned_objects=["last_active_drawing", "bounds"],
)
st.caption(
    "Click a region to show only its incidents; shift and drag to keep only those in a box "
    "(the sidebar's Area clears it), or draw an area with the \u2b20 button (click its "
    "corners, then the first again); click a numbered cluster to spread out "
    "the incidents it holds. Pale symbols with a solid outline are located to a district; "
    "hollow dashed ones only to a region or country."
)

feature = (clicked or {}).get("last_active_drawing") or {}
drawn = filter_of_drawing(feature)  # a box (shift and drag) or an area drawn with the button
if drawn and feature != MAP_LAST_CLICK.get():
    MAP_LAST_CLICK.set(feature)
    facet = BY_NAME[drawn[0]]
    if getattr(view.filters, facet.name) != facet.parse(drawn[1]):
        pick_filter(facet.name, drawn[1])
        st.rerun()
region = html.unescape(str((feature.get("properties") or {}).get("region", "")))
if region and feature != MAP_LAST_CLICK.get():
    MAP_LAST_CLICK.set(feature)
    if list(view.filters.regions) != [region]:
        pick_filter("regions", [region])
        st.rerun()

st.subheader("Export this view")
if view.count == 0:
    st.info("No incident matches the filters: nothing to export.")
    st.stop()
stem = view.filters.file_stem()
snap, data = st.columns([3, 2])
with snap:
    st.markdown("**Map snapshot for reports**")
    a, b, c = st.columns(3)
    fmt = a.selectbox("Format", ["png", "svg", "pdf"], key="snap_fmt", format_func=str.upper)
    size = str(
        b.selectbox(
            "Size",
            list(SNAPSHOT_SIZES),
            key="snap_size",
            format_func=lambda s: SNAPSHOT_SIZES[str(s)],
        )
    )
    if size == "custom":
        w = a.number_input("Width (px)", 320, 8000, 1600, step=100, key="snap_w")
        h = b.number_input("Height (px)", 240, 8000, 900, step=100, key="snap_h")
        size = f"{w}x{h}"
    dpi = c.selectbox("Resolution (dpi)", [300, 200, 150, 100], key="snap_dpi")
    # "The whole country" where the incidents are in one (beyond it, it frames them all anyway).
    main = only_country(view.engine, view.filters)
    extent = st.radio(
        "Extent",
        ["data", "country", "world"] if main else ["data", "world"],
        horizontal=True,
        key="snap_extent",
        format_func={
            "data": "the filtered incidents",
            "country": f"all of {main} (and any incident beyond it)",
            "world": "the world",
        }.get,
        help="The whole country is offered when the filtered incidents are in one country.",
    )
    title = st.text_input("Title (optional)", key="snap_title", max_chars=120)
    refusal = too_many_to_download(view.filters, fmt, view.count, table_argument(view.table))
    if refusal:
        st.info(esc_markdown(refusal))
    st.download_button(
        f"Download {fmt.upper()} snapshot",
        disabled=refusal is not None,
        data=functools.partial(
            export,
            view.table,
            view.filters,
            fmt,
            ExportOptions(size=size, dpi=int(dpi), extent=extent, title=title),
        ),
        file_name=f"{stem}.{fmt}",
        mime=MIME_TYPES[fmt],
        on_click="ignore",
        key="dl_snapshot",
    )
    freq = st.radio(
        "Time-lapse step", ["year", "quarter", "month"], horizontal=True, key="lapse_freq"
    )
    try:
        frames_of(view.engine, view.filters, freq)
    except FilterError as exc:  # too many frames: say so here, not as a failed download
        st.info(esc_markdown(str(exc)))
    else:
        refusal = too_many_to_download(view.filters, "gif", view.count, table_argument(view.table))
        if refusal:
            st.info(esc_markdown(refusal))
        else:
            timelapse_button(view, freq, f"{stem}-{freq}.gif")
with data:
    st.markdown(f"**The {view.count:,} incidents shown**")
    for fmt_, label in (
        ("html", "Interactive map (HTML, works offline)"),
        ("csv", "Table (CSV, each incident's claims in one column)"),
        ("zip", "Table with its claims and sources (ZIP of CSV files, reads back)"),
        ("geojson", "Points with claims and sources (GeoJSON)"),
    ):
        refusal = too_many_to_download(view.filters, fmt_, view.count, table_argument(view.table))
        if refusal:
            st.caption(esc_markdown(refusal))
            continue
        st.download_button(
            label,
            data=functools.partial(
                export, view.table, view.filters, fmt_, ExportOptions(map=map_options)
            ),
            file_name=f"{stem}.{fmt_}",
            mime=MIME_TYPES[fmt_],
            on_click="ignore",
            key=f"dl_{fmt_}",
        )
st.caption(
    "Every export shows exactly the incidents of the current filters: "
    + esc_markdown(view.filters.describe())
    + "."
)
