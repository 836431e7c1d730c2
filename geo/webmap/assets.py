"""Serve folium's JavaScript and CSS from pip-installed packages, never from a CDN.

folium (and ``streamlit_folium.st_folium``) load Leaflet and its plugins from CDNs; without
internet the map does not appear at all. This module swaps every ``default_js`` /
``default_css`` entry of a map and its children for a local copy taken from the XStatic
packages (``xstatic-leaflet``, ``xstatic-leaflet-markercluster``, ``xstatic-jquery``,
``xstatic-font-awesome``), and drops what the map itself does not need and no package ships
(Bootstrap, Leaflet.awesome-markers, glyphicons, the awesome-rotate CSS).

Two ways to point at the local copies:

* inline (the default, ``base_url=None``): each asset becomes a ``data:`` URL. st_folium hands
  ``default_js`` / ``default_css`` to its iframe as ``js_links`` / ``css_links`` and loads them with
  ``<script src>`` / ``<link href>``, so data URLs work with no server configuration at all;
* ``base_url="…"``: each asset becomes ``{base_url}/{package}/{file}``; copy the files there
  first with :func:`copy_assets` (e.g. into Streamlit's ``static/`` folder, see
  :data:`STREAMLIT_STATIC_BASE_URL`).

:func:`standalone_html` renders one self-contained HTML page (all JS/CSS inlined) for a
download. Third-party code is read from site-packages at run time and never committed here.

This module never imports streamlit.
"""

from __future__ import annotations

import base64
import importlib
import mimetypes
import posixpath
import re
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import TypeVar
from urllib.parse import quote

import folium
from branca.colormap import ColorMap
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import JSCSSMixin
from folium.map import Icon

from geo.errors import OfflineAssetError
from geo.escape import esc

__all__ = [
    "ASSET_KEYS",
    "STREAMLIT_STATIC_BASE_URL",
    "Asset",
    "OfflineAssetError",
    "asset_data_uri",
    "asset_text",
    "copy_assets",
    "external_references",
    "local_assets",
    "offline_map",
    "standalone_html",
]

E = TypeVar("E", bound=Element)

# Where st_folium's iframe (``<base>/component/streamlit_folium.st_folium/index.html``) finds
# files that ``copy_assets(<main script dir>/static/vendor)`` put in Streamlit's static folder
# (served at ``<base>/app/static/`` when ``server.enableStaticServing = true``). Relative, so it
# also works under ``server.baseUrlPath``.
STREAMLIT_STATIC_BASE_URL = "../../app/static/vendor"


@dataclass(frozen=True)
class Asset:
    """One script or stylesheet folium needs, as shipped by an XStatic package.

    ``relpath`` (the file itself) and ``resources`` (images / fonts it refers to) are POSIX paths
    relative to the package's ``BASE_DIR``.
    """

    key: str
    kind: str  # "js" or "css"
    package: str  # XStatic module name under ``xstatic.pkg``
    version: str
    base_dir: Path
    relpath: str
    resources: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return self.base_dir / self.relpath

    def files(self) -> list[Path]:
        """The file and every local file it refers to."""
        return [self.base_dir / r for r in (self.relpath, *self.resources)]

    def url(self, base_url: str) -> str:
        """Where the file is once :func:`copy_assets` copied it below ``base_url``."""
        return f"{base_url.rstrip('/')}/{self.package}/{self.relpath}"


# key -> (xstatic package, main file, kind, extra resources not referenced by url() in the file)
_SPECS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "leaflet_js": ("leaflet", "leaflet.js", "js", ()),
    # Leaflet finds the default marker images next to leaflet.css.
    "leaflet_css": (
        "leaflet",
        "leaflet.css",
        "css",
        ("images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png"),
    ),
    "jquery_js": ("jquery", "jquery.min.js", "js", ()),
    "markercluster_js": ("leaflet_markercluster", "leaflet.markercluster.js", "js", ()),
    "markercluster_css": ("leaflet_markercluster", "MarkerCluster.css", "css", ()),
    "markercluster_default_css": ("leaflet_markercluster", "MarkerCluster.Default.css", "css", ()),
    "font_awesome_css": ("font_awesome", "css/all.min.css", "css", ()),
}
ASSET_KEYS: tuple[str, ...] = tuple(_SPECS)

# folium's link names -> asset key.
_BY_NAME = {
    "leaflet": "leaflet_js",
    "leaflet_css": "leaflet_css",
    "jquery": "jquery_js",
    "markerclusterjs": "markercluster_js",
    "markerclustercss": "markercluster_css",
    "markerclusterdefaultcss": "markercluster_default_css",
    "awesome_markers_font_css": "font_awesome_css",
}
# Other names / CDN URLs of the same libraries (plugins sometimes use their own names).
_BY_URL = [
    (re.compile(r"leaflet\.markercluster(-src)?\.js$", re.I), "markercluster_js"),
    (re.compile(r"MarkerCluster\.Default\.css$", re.I), "markercluster_default_css"),
    (re.compile(r"MarkerCluster\.css$", re.I), "markercluster_css"),
    (re.compile(r"/leaflet(@[\w.-]+)?/dist/leaflet(-src)?\.js$", re.I), "leaflet_js"),
    (re.compile(r"/leaflet(@[\w.-]+)?/dist/leaflet\.css$", re.I), "leaflet_css"),
    (re.compile(r"/jquery(-[\d.]+)?(\.min)?\.js$", re.I), "jquery_js"),
    (re.compile(r"font-?awesome.*/css/all(\.min)?\.css$", re.I), "font_awesome_css"),
]
# What folium.Map loads for Bootstrap / awesome-markers although a plain map needs none of it.
_MAP_EXTRAS = frozenset(
    {
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_css",
        "awesome_rotate_css",
        "awesome_markers_font_css",
    }
)
# Our own script that points Leaflet's default marker icon at data: URLs (inline mode).
_ICON_SHIM = "leaflet_icon_default"
_PLACEHOLDER = "atlas-asset:"

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_SOURCE_MAP_JS = re.compile(r"^\s*//[#@]\s*sourceMappingURL=.*$", re.M)
_SOURCE_MAP_CSS = re.compile(r"/\*[#@]\s*sourceMappingURL=.*?\*/", re.S)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
_TTF_SRC = re.compile(
    r""",\s*url\(\s*['"]?[^'")]+\.ttf['"]?\s*\)\s*format\(\s*['"]truetype['"]\s*\)"""
)
# Characters left as they are in a data: URL. Everything else (%, #, quotes, <, >, &, \,
# whitespace, non-ASCII) is percent-encoded, so the URL is also safe inside an HTML attribute.
_DATA_SAFE = "!$()*+,-./:;=?@_~[]{}|^"


# --------------------------------------------------------------------------- local files


def _xstatic(package: str) -> ModuleType:
    try:
        return importlib.import_module(f"xstatic.pkg.{package}")
    except ImportError as exc:
        dist = "xstatic-" + package.replace("_", "-")
        raise OfflineAssetError(f"{dist} is not installed; pip install {dist}") from exc


def _is_local_ref(ref: str) -> bool:
    return not re.match(r"^(data:|#|[a-z][a-z0-9+.-]*:|//|/)", ref, re.I)


def _css_refs(base_dir: Path, relpath: str) -> list[str]:
    """Local files a stylesheet refers to with url(...), relative to the package's BASE_DIR."""
    css = (base_dir / relpath).read_text(encoding="utf-8")
    refs: list[str] = []
    for _, ref in _CSS_URL.findall(css):
        ref = ref.split("?")[0].split("#")[0]
        if not ref or not _is_local_ref(ref):
            continue
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), ref))
        if (base_dir / rel).is_file() and rel not in refs:
            refs.append(rel)
    return refs


@cache
def _asset(key: str) -> Asset:
    package, relpath, kind, extra = _SPECS[key]
    mod = _xstatic(package)
    base_dir = Path(mod.BASE_DIR)
    if not (base_dir / relpath).is_file():
        raise OfflineAssetError(f"{base_dir / relpath} is missing from {mod.PACKAGE_NAME}")
    resources = list(extra)
    if kind == "css":
        resources += [r for r in _css_refs(base_dir, relpath) if r not in resources]
    return Asset(key, kind, package, str(mod.VERSION), base_dir, relpath, tuple(resources))


def local_assets(*, font_awesome: bool = True) -> dict[str, Asset]:
    """Every asset folium needs that is available locally, keyed by :data:`ASSET_KEYS`.

    Raises :class:`OfflineAssetError` when an XStatic package is missing.
    """
    return {k: _asset(k) for k in ASSET_KEYS if font_awesome or k != "font_awesome_css"}


def copy_assets(dest: str | Path, *, font_awesome: bool = True) -> list[Path]:
    """Copy every local asset (with its images / fonts) to ``dest/<package>/<file>``.

    Meant for a git-ignored folder served over HTTP (e.g. Streamlit's ``static/vendor``); pair
    with ``offline_map(m, base_url=...)``. Files already up to date are left alone. Returns the
    destination paths.
    """
    dest = Path(dest)
    copied: list[Path] = []
    for asset in local_assets(font_awesome=font_awesome).values():
        for rel in (asset.relpath, *asset.resources):
            src = asset.base_dir / rel
            target = dest / asset.package / rel
            st = src.stat()
            if not (
                target.is_file()
                and target.stat().st_size == st.st_size
                and target.stat().st_mtime >= st.st_mtime
            ):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)
            copied.append(target)
    return copied


# --------------------------------------------------------------------------- inline content


def _file_data_uri(path: Path) -> str:
    mime = (
        {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf"}.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@cache
def asset_text(key: str) -> str:
    """The asset's code ready to inline: source-map comments removed and, for stylesheets,
    every local ``url(...)`` replaced by a ``data:`` URL (Font Awesome keeps only its v6 font
    faces, as WOFF2, so each font is embedded once)."""
    asset = _asset(key)
    text = asset.path.read_text(encoding="utf-8")
    if asset.kind == "js":
        return _SOURCE_MAP_JS.sub("", text).rstrip() + "\n"
    text = _SOURCE_MAP_CSS.sub("", text)
    if key == "font_awesome_css":
        text = _FONT_FACE.sub(
            lambda m: _TTF_SRC.sub("", m.group(0)) if "Font Awesome 6" in m.group(0) else "",
            text,
        )
    folder = posixpath.dirname(asset.relpath)

    def embed(m: re.Match[str]) -> str:
        ref = m.group(2).strip()
        if not _is_local_ref(ref):
            return str(m.group(0))
        rel = posixpath.normpath(posixpath.join(folder, ref.split("?")[0].split("#")[0]))
        path = asset.base_dir / rel
        return f'url("{_file_data_uri(path)}")' if path.is_file() else m.group(0)

    return _CSS_URL.sub(embed, text)


@cache
def _icon_shim(base_url: str | None = None) -> str:
    """Our script (loaded right after leaflet.js) that tells L.Icon.Default where its images are.

    Leaflet guesses the folder from the computed style of leaflet.css, which fails when the CSS
    is inlined (no folder) and also when st_folium adds the stylesheet after the scripts: the
    first marker is built before the CSS has loaded and Leaflet falls back to a wrong path
    (``…/leafletmarker-icon.png``). So the URLs are set explicitly: ``data:`` URLs when
    ``base_url`` is None, else the copies below ``base_url``.
    """
    names = ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
    if base_url is None:
        images = _asset("leaflet_css").base_dir / "images"
        icon, retina, shadow = (_file_data_uri(images / n) for n in names)
    else:
        folder = f"{base_url.rstrip('/')}/{_asset('leaflet_css').package}/images/"
        icon, retina, shadow = (quote(folder + n, safe="/:.-_~!$()*+,;=@%") for n in names)
    return (
        "(function(){var D=window.L&&L.Icon&&L.Icon.Default;if(!D)return;D.imagePath='';"
        f"D.mergeOptions({{iconUrl:'{icon}',iconRetinaUrl:'{retina}',shadowUrl:'{shadow}'}});}})();\n"
    )


def _text_data_uri(mime: str, text: str) -> str:
    return f"data:{mime};charset=utf-8," + quote(text, safe=_DATA_SAFE)


@cache
def asset_data_uri(key: str) -> str:
    """The asset (or ``"leaflet_icon_default"``, the icon shim) as a ``data:`` URL."""
    if key == _ICON_SHIM:
        return _text_data_uri("text/javascript", _icon_shim())
    mime = "text/javascript" if _asset(key).kind == "js" else "text/css"
    return _text_data_uri(mime, asset_text(key))


def _escape_script(js: str) -> str:
    """Make JS safe inside <script>…</script>: no ``</script`` can end the element early and no
    ``<!--`` can switch the HTML parser into its escaped states."""
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.I)
    return js.replace("<!--", "\\x3C!--")


def _escape_style(css: str) -> str:
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.I)


# --------------------------------------------------------------------------- the element tree


def _walk(el: Element) -> Iterator[Element]:
    yield el
    for child in list(el._children.values()):
        yield from _walk(child)


def _resolve(name: str, url: str) -> str | None:
    if name == _ICON_SHIM:
        return _ICON_SHIM
    if name in _BY_NAME:
        return _BY_NAME[name]
    for pattern, key in _BY_URL:
        if pattern.search(url.split("?")[0]):
            return key
    return None


@dataclass
class _Plan:
    links: list[tuple[JSCSSMixin, list[tuple[str, str]], list[tuple[str, str]]]]
    colormaps: list[ColorMap]
    problems: list[str]


def _plan(root: Element, *, font_awesome: bool) -> _Plan:
    """Which local asset replaces each link of each element, and what cannot be served."""
    plan = _Plan([], [], [])
    for el in _walk(root):
        label = type(el).__name__
        if isinstance(el, ColorMap):
            plan.colormaps.append(el)
            plan.problems.append(
                f"{label} (a colour legend) needs d3.js, which no installed package provides"
            )
            continue
        # folium.Icon, and FastMarkerCluster's default callback, call L.AwesomeMarkers.icon().
        if isinstance(el, Icon) or "AwesomeMarkers" in str(getattr(el, "callback", "") or ""):
            plan.problems.append(
                f"{label} needs Leaflet.awesome-markers, which no installed package provides; "
                "use CircleMarker, DivIcon, a plain Marker or a callback without L.AwesomeMarkers"
            )
        if not isinstance(el, JSCSSMixin):
            continue
        is_map = isinstance(el, folium.Map)
        new: dict[str, list[tuple[str, str]]] = {"js": [], "css": []}
        for kind, links in (("js", el.default_js), ("css", el.default_css)):
            for name, url in links:
                if (
                    is_map
                    and name in _MAP_EXTRAS
                    and not (font_awesome and name == "awesome_markers_font_css")
                ):
                    continue
                key = _resolve(name, url)
                if key is None:
                    plan.problems.append(f"{label} needs {name} ({url}); no local copy")
                    continue
                if key == _ICON_SHIM:
                    continue  # re-added after leaflet_js below
                if (name, key) not in new[kind]:
                    new[kind].append((name, key))
                if key == "leaflet_js":
                    new[kind].append((_ICON_SHIM, _ICON_SHIM))
        plan.links.append((el, new["js"], new["css"]))
    return plan


def _purge_header_links(root: Element) -> None:
    """Drop the <script src>/<link> tags earlier renders left in the figure's header."""
    figure = root.get_root()
    if isinstance(figure, Figure):
        for name, child in list(figure.header._children.items()):
            if isinstance(child, (JavascriptLink, CssLink)):
                del figure.header._children[name]


def _remove(el: Element) -> None:
    """Take ``el`` out of the tree (folium.Choropleth also keeps its legend in ``color_scale``)."""
    for owner in _walk(el.get_root()):
        for name, child in list(owner._children.items()):
            if child is el:
                del owner._children[name]
        if getattr(owner, "color_scale", None) is el:
            owner.color_scale = None  # type: ignore[attr-defined]


def _apply(
    root: Element, *, mode: str, base_url: str | None, font_awesome: bool, strict: bool
) -> None:
    plan = _plan(root, font_awesome=font_awesome)
    if plan.problems:
        if strict:
            raise OfflineAssetError(
                "the map cannot be shown offline:\n  - "
                + "\n  - ".join(dict.fromkeys(plan.problems))
                + "\n(pass strict=False to drop these and show the rest)"
            )
        warnings.warn(
            "dropped for offline use: " + "; ".join(dict.fromkeys(plan.problems)), stacklevel=3
        )
        for cm in plan.colormaps:
            _remove(cm)

    def url(key: str) -> str:
        if mode == "placeholder":
            return _PLACEHOLDER + key
        if mode == "inline":
            return asset_data_uri(key)
        if key == _ICON_SHIM:  # our few lines of JS, always inline
            return _text_data_uri("text/javascript", _icon_shim(base_url or ""))
        return _asset(key).url(base_url or "")

    for el, js, css in plan.links:
        # Instance attributes: folium's own lists are class attributes shared by every map.
        el.default_js = [(n, url(k)) for n, k in js]
        el.default_css = [(n, url(k)) for n, k in css]
    _purge_header_links(root)


def offline_map(
    m: E,
    *,
    base_url: str | None = None,
    font_awesome: bool = False,
    strict: bool = True,
) -> E:
    """Make ``m`` (a ``folium.Map``, or any element such as a FeatureGroup passed to
    ``st_folium(feature_group_to_add=...)``) load nothing from the internet; returns ``m``,
    changed in place.

    Every ``default_js`` / ``default_css`` in the element tree is replaced: with ``data:`` URLs
    when ``base_url`` is None, else with ``{base_url}/{package}/{file}`` (see
    :func:`copy_assets`). Bootstrap, awesome-markers and the other folium.Map extras are
    dropped; Font Awesome is kept only with ``font_awesome=True``. Anything else without a local
    copy (a plugin's CDN script, folium.Icon, a branca colour legend) raises
    :class:`OfflineAssetError`, or with ``strict=False`` is dropped with a warning (legends are
    removed from the map, since their script would fail without d3.js).

    Call it after the last child is added (it walks the tree as it is then). Tile layers are not
    touched: pass ``tiles=None`` to folium.Map to avoid requests for tiles; a map with no tile
    layer then needs ``maxZoom=18`` (camelCase: folium ignores ``max_zoom`` without tiles), or
    Leaflet.markercluster throws "Map has no maxZoom specified" and the map stays blank.
    """
    _apply(
        m,
        mode="inline" if base_url is None else "url",
        base_url=base_url,
        font_awesome=font_awesome,
        strict=strict,
    )
    return m


def standalone_html(
    m: folium.Map, *, font_awesome: bool = False, strict: bool = True, title: str | None = None
) -> str:
    """One self-contained HTML page for ``m``: every script and stylesheet inlined, images and
    fonts as ``data:`` URLs. The links of ``m`` are left as they were (a legend removed with
    ``strict=False`` stays removed).

    Raises :class:`OfflineAssetError` when a script or stylesheet the page would load from
    elsewhere is left (see :func:`external_references`).
    """
    saved = [
        (el, el.__dict__.get("default_js"), el.__dict__.get("default_css"))
        for el in _walk(m)
        if isinstance(el, JSCSSMixin)
    ]
    figure = m.get_root()
    old_title = getattr(figure, "title", None)
    try:
        _apply(m, mode="placeholder", base_url=None, font_awesome=font_awesome, strict=strict)
        if title is not None and isinstance(figure, Figure):
            figure.title = esc(title)  # branca writes the title into <title> unescaped
        html = figure.render()
    finally:
        for el, js, css in saved:
            for attr, value in (("default_js", js), ("default_css", css)):
                if value is None:
                    el.__dict__.pop(attr, None)
                else:
                    setattr(el, attr, value)
        if isinstance(figure, Figure):
            figure.title = old_title
        _purge_header_links(m)

    def script(match: re.Match) -> str:
        key = match.group(1)
        code = _icon_shim() if key == _ICON_SHIM else asset_text(key)
        return "<script>" + _escape_script(code) + "</script>"

    def style(match: re.Match) -> str:
        return "<style>" + _escape_style(asset_text(match.group(1))) + "</style>"

    html = re.sub(
        r'<script src="' + re.escape(_PLACEHOLDER) + r'([\w]+)"></script>',
        script,
        html,
    )
    html = re.sub(
        r'<link rel="stylesheet" href="' + re.escape(_PLACEHOLDER) + r'([\w]+)"/>',
        style,
        html,
    )
    # A placeholder left in a src or href would load nothing; data text may say anything.
    placeholder = re.search(r'(?:src|href)="' + re.escape(_PLACEHOLDER), html)
    left = external_references(html) + ([_PLACEHOLDER] if placeholder else [])
    if left:
        raise OfflineAssetError("standalone page still loads: " + ", ".join(left))
    return html


# --------------------------------------------------------------------------- checks


class _RefParser(HTMLParser):
    _ATTRS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        want = self._ATTRS.get(tag)
        for name, value in attrs:
            if name == want and value:
                self.refs.append(value)


def external_references(html: str) -> list[str]:
    """URLs (http:, https:, protocol-relative) an HTML page loads through ``<script src>``,
    ``<link href>``, ``<img src>``, ``<iframe src>`` or ``<source src>``. Tile URLs inside
    Leaflet code are not tags and are not listed."""
    parser = _RefParser()
    parser.feed(html)
    parser.close()
    return [r for r in parser.refs if re.match(r"^\s*(https?:)?//", r, re.I)]
