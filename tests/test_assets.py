"""geo.webmap.assets: a folium map must load every script and stylesheet locally (no CDN)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import unquote

import folium
import pytest
from branca.colormap import LinearColormap
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster

from geo.errors import OfflineAssetError
from geo.webmap import assets
from geo.webmap.assets import offline_map, standalone_html

REGIONS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Almaty Region", "incidents": 12},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[75, 43], [80, 43], [80, 46], [75, 46], [75, 43]]],
            },
        },
        {
            "type": "Feature",
            # Must not break out of the page's <script> in the standalone file.
            "properties": {"name": "Aqtöbe </script><b>x</b>", "incidents": 3},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[54, 47], [60, 47], [60, 50], [54, 50], [54, 47]]],
            },
        },
    ],
}


def build_map() -> folium.Map:
    m = folium.Map(location=[47.0, 67.0], zoom_start=4, tiles=None)
    folium.GeoJson(
        REGIONS,
        name="regions",
        tooltip=folium.GeoJsonTooltip(fields=["name", "incidents"]),
        style_function=lambda f: {"fillColor": "#d33", "color": "#333", "weight": 1},
    ).add_to(m)
    cluster = MarkerCluster(name="incidents").add_to(m)
    for i in range(20):
        folium.Marker([43.2 + i * 0.05, 76.9 + i * 0.05], tooltip=f"incident {i}").add_to(cluster)
    points = folium.FeatureGroup(name="points").add_to(m)
    for lat, lon in [(51.17, 71.45), (43.24, 76.95), (50.28, 57.21)]:
        folium.CircleMarker([lat, lon], radius=6, popup=f"{lat},{lon}", fill=True).add_to(points)
    folium.LayerControl().add_to(m)
    return m


class Refs(HTMLParser):
    """Collects <script src>, <link href> and the text of inline <script>s."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script_src: list[str] = []
        self.link_href: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if a.get("src"):
                self.script_src.append(a["src"])
            else:
                self._in_script = True
                self.inline_scripts.append("")
        elif tag == "link" and a.get("href"):
            self.link_href.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_scripts[-1] += data


def parse(html: str) -> Refs:
    p = Refs()
    p.feed(html)
    p.close()
    return p


def remote(urls: list[str]) -> list[str]:
    return [u for u in urls if u.strip().lower().startswith(("http://", "https://", "//"))]


def links_of(m: folium.Map) -> tuple[list[str], list[str]]:
    """What st_folium sends its iframe as js_links / css_links: every default_js/default_css."""
    js: list[str] = []
    css: list[str] = []
    stack = [m]
    while stack:
        el = stack.pop(0)
        if isinstance(el, JSCSSMixin):
            js += [u for _, u in el.default_js]
            css += [u for _, u in el.default_css]
        stack.extend(el._children.values())
    return list(dict.fromkeys(js)), list(dict.fromkeys(css))


LEAFLET_CODE = (assets.local_assets()["leaflet_js"].path).read_text(encoding="utf-8")[:2000]


def test_local_files_exist():
    found = assets.local_assets()
    assert set(found) == set(assets.ASSET_KEYS)
    for asset in found.values():
        for path in asset.files():
            assert path.is_file(), path
    leaflet_css = found["leaflet_css"]
    assert "images/layers.png" in leaflet_css.resources
    assert "images/marker-icon.png" in leaflet_css.resources
    assert any(r.endswith(".woff2") for r in found["font_awesome_css"].resources)
    assert found["leaflet_js"].version == "1.9.3"


def test_default_folium_map_uses_cdns():
    """The problem this module solves (fails if folium ever stops doing it)."""
    js, css = links_of(build_map())
    assert remote(js) and remote(css)


def test_offline_map_inline_links_are_data_urls():
    m = offline_map(build_map())
    js, css = links_of(m)
    assert js and css
    assert all(u.startswith("data:text/javascript;") for u in js)
    assert all(u.startswith("data:text/css;") for u in css)
    decoded = [unquote(u.split(",", 1)[1]) for u in js]
    assert decoded[0].startswith(LEAFLET_CODE[:500])  # leaflet first, then its plugins
    assert any("markerClusterGroup" in d for d in decoded)
    assert any("jQuery" in d for d in decoded)
    assert not any("bootstrap" in d.lower()[:300] for d in decoded)

    html = m.get_root().render()
    refs = parse(html)
    assert remote(refs.script_src) == []
    assert remote(refs.link_href) == []
    assert refs.script_src and all(s.startswith("data:") for s in refs.script_src)
    assert assets.external_references(html) == []


def test_offline_map_leaves_folium_class_defaults_alone():
    offline_map(build_map())
    assert folium.Map.default_js[0][1].startswith("https://")
    assert MarkerCluster.default_js[0][1].startswith("https://")
    js, _ = links_of(build_map())
    assert remote(js)


def test_offline_map_with_base_url(tmp_path):
    copied = assets.copy_assets(tmp_path)
    assert all(p.is_file() for p in copied)
    m = offline_map(build_map(), base_url="../../app/static/vendor/")
    js, css = links_of(m)
    # Only our icon script is inline; it points L.Icon.Default at the copied images.
    shim = [u for u in js if u.startswith("data:")]
    assert len(shim) == 1
    assert "../../app/static/vendor/leaflet/images/marker-icon.png" in unquote(shim[0])
    for url in [u for u in js if u not in shim] + css:
        assert url.startswith("../../app/static/vendor/")
        assert (tmp_path / url.removeprefix("../../app/static/vendor/")).is_file(), url
    assert js[0].endswith("/leaflet/leaflet.js")
    assert (tmp_path / "leaflet/images/marker-icon.png").is_file()
    refs = parse(m.get_root().render())
    assert remote(refs.script_src) == [] and remote(refs.link_href) == []
    assert "../../app/static/vendor/leaflet/leaflet.js" in refs.script_src


def test_st_folium_receives_only_local_links(monkeypatch):
    streamlit_folium = pytest.importorskip("streamlit_folium")
    sent: dict = {}

    def fake_component(**kwargs):
        sent.update(kwargs)
        return kwargs.get("default")

    monkeypatch.setattr(streamlit_folium, "_component_func", fake_component)
    streamlit_folium.st_folium(
        offline_map(build_map()), key="t", returned_objects=["last_object_clicked_tooltip"]
    )
    assert sent["js_links"] and sent["css_links"]
    assert all(u.startswith("data:") for u in sent["js_links"] + sent["css_links"])
    assert unquote(sent["js_links"][0].split(",", 1)[1]).startswith(LEAFLET_CODE[:500])
    refs = parse(sent["header"])
    assert refs.script_src == [] and refs.link_href == []
    assert "http://" not in sent["header"] and "https://" not in sent["header"]


def test_standalone_html_is_self_contained():
    m = build_map()
    before = links_of(m)
    html = standalone_html(m, title="Incident Atlas")
    refs = parse(html)
    assert refs.script_src == []
    assert refs.link_href == []
    assert assets.external_references(html) == []
    scripts = refs.inline_scripts
    leaflet_at = next(i for i, s in enumerate(scripts) if LEAFLET_CODE[:500] in s)
    cluster_at = next(i for i, s in enumerate(scripts) if "MarkerClusterGroup=" in s)
    map_at = next(i for i, s in enumerate(scripts) if "L.map(" in s)
    assert leaflet_at < cluster_at < map_at
    assert "L.markerClusterGroup" in scripts[map_at]
    assert "Almaty Region" in scripts[map_at]
    for s in scripts:
        assert "</script" not in s.lower()
    assert "<style>" in html and ".leaflet-container" in html
    assert "data:image/png;base64," in html  # leaflet's images
    assert "<title>Incident Atlas</title>" in html
    assert links_of(m) == before  # the map's own links are left as they were


def test_standalone_html_after_offline_map_and_font_awesome():
    m = offline_map(build_map(), font_awesome=True)
    _, css = links_of(m)
    assert any("font%2Fwoff2" in u or "font/woff2" in u for u in css)
    html = standalone_html(m, font_awesome=True)
    assert parse(html).link_href == []
    assert "data:font/woff2;base64," in html
    assert ".ttf" not in html


def test_script_escaping():
    assert assets._escape_script('x="</script><script>alert(1)</SCRIPT>"') == (
        'x="<\\/script><script>alert(1)<\\/SCRIPT>"'
    )
    assert "<!--" not in assets._escape_script("a='<!--<script>'")


def test_awesome_marker_icon_is_refused():
    m = build_map()
    folium.Marker([45, 70], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(OfflineAssetError, match="awesome-markers"):
        offline_map(m)


def test_fast_marker_cluster_default_callback_is_refused():
    from folium.plugins import FastMarkerCluster

    m = build_map()
    FastMarkerCluster([[45.0, 70.0], [45.1, 70.1]]).add_to(m)
    with pytest.raises(OfflineAssetError, match="awesome-markers"):
        offline_map(m)
    ok = build_map()
    FastMarkerCluster(
        [[45.0, 70.0]], callback="function (row) { return L.circleMarker(row); }"
    ).add_to(ok)
    js, _ = links_of(offline_map(ok))
    assert remote(js) == []


def test_colour_legend_needs_d3():
    m = build_map()
    LinearColormap(["white", "red"], vmin=0, vmax=12, caption="incidents").add_to(m)
    with pytest.raises(OfflineAssetError, match="d3"):
        offline_map(m)
    with pytest.warns(UserWarning, match="d3"):
        offline_map(m, strict=False)
    html = m.get_root().render()
    assert remote(parse(html).script_src) == []


def test_unknown_plugin_is_refused():
    from folium.plugins import Fullscreen

    m = build_map()
    Fullscreen().add_to(m)
    with pytest.raises(OfflineAssetError, match="Fullscreen"):
        offline_map(m)
    with pytest.warns(UserWarning):
        offline_map(m, strict=False)
    js, css = links_of(m)
    assert remote(js + css) == []
