"""Map layers whose data goes into the page as text, never through a template engine.

branca renders each element's ``header``/``html``/``script`` macro and then wraps the output in a
new ``Element``, which compiles it as a Jinja template a second time. Any data inside that output
(a place name, a summary, a claim's note) would then be run as template code on the server:
``{{ 7*191 }}`` in a table cell would come out as ``1337``. The layers here render their macros
once, with the data passed in as values, and add the result to the page as :class:`RawHtml`,
which is never compiled.

Every folium layer that carries data from a table is one of these; the others hold only the
project's own constants.
"""

from __future__ import annotations

import json
import re
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import FastMarkerCluster


class RawHtml(Element):
    """Text put into the page exactly as given: it is never compiled as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class RenderedOnce(MacroElement):
    """Mixin for a ``MacroElement``: its macros are rendered once and added as :class:`RawHtml`.

    Put it last among the bases (``class X(folium.GeoJson, RenderedOnce)``) so that the folium
    class's own ``render`` runs first and reaches this one in place of ``MacroElement.render``.
    """

    def render(self, **kwargs: Any) -> str:  # type: ignore[override]
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} can only be rendered inside a Figure")
        module = self._template.module.__dict__
        for part, target in (
            ("header", figure.header),
            ("html", figure.html),
            ("script", figure.script),
        ):
            macro = module.get(part)
            if macro is not None:
                target.add_child(RawHtml(str(macro(self, kwargs))), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
        return ""


_SLOT = re.compile(r"\{(\w+)\}")


class _ScriptMacro:
    """Stands in for a template's ``module`` with a ``script`` macro that returns the element's
    text: streamlit-folium builds the map's script by calling each element's
    ``_template.module.script(element)`` (it never renders the page's script section)."""

    @staticmethod
    def script(this: ParentScript, kwargs: object = None) -> str:
        return this.text()


class _ScriptOnly:
    module = _ScriptMacro()


class ParentScript(MacroElement):
    """A fixed script added to the page as given, with ``{parent}`` put for the parent layer's
    variable name and each ``{name}`` of ``values`` for its value, in one pass (no template:
    what is put in is never scanned again).

    For layers whose script never changes (the basemap's outlines): the script text is made
    once per process and each map only places it and a few small values, which saves
    serialising the same shapes on every rerun. Holding no ``data``, it adds nothing to the
    map's bounds. ``values`` must be JavaScript already (:func:`script_json`).
    """

    def __init__(self, script: str, values: dict[str, str] | None = None) -> None:
        super().__init__()
        self._name = "ParentScript"
        self.script = script
        self.values = dict(values or {})

    _template = _ScriptOnly()  # type: ignore[assignment]

    def text(self) -> str:
        """The script with its slots filled."""
        if self._parent is None:
            raise TypeError("ParentScript can only be drawn under a layer")
        values = {**self.values, "parent": self._parent.get_name(), "map": _map_of(self).get_name()}
        return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), self.script)

    def render(self, **kwargs: Any) -> str:  # type: ignore[override]
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("ParentScript can only be rendered inside a Figure")
        figure.script.add_child(RawHtml(self.text()), name=self.get_name())
        return ""


def _map_of(element: Element) -> Element:
    """The map an element is drawn on (the nearest ``folium.Map`` above it)."""
    node: Element | None = element
    while node is not None and not isinstance(node, folium.Map):
        node = node._parent
    if node is None:
        raise TypeError(f"{type(element).__name__} is not on a map")
    return node


def script_json(value: object) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element (no ``<``, ``>``, ``&``)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class ClusterAssets(JSCSSMixin):
    """Nothing drawn: Leaflet.markercluster's script and styles, for a map whose clusters come
    later (st_folium loads scripts only when the map is first drawn)."""

    default_js = list(FastMarkerCluster.default_js)
    default_css = list(FastMarkerCluster.default_css)

    def __init__(self) -> None:
        super().__init__()
        self._name = "ClusterAssets"

    _template = _ScriptOnly()  # type: ignore[assignment]

    def text(self) -> str:
        return ""


class DataGeoJson(folium.GeoJson, RenderedOnce):
    """``folium.GeoJson`` for features whose properties come from data."""

    def _get_self_bounds(self) -> list[list[float | None]]:
        """No bounds of its own: the map's view is set by ``fit_bounds`` from the incidents,
        and folium's walk over every vertex of every region took 0.08 s of each slider move
        (st_folium asks for it)."""
        return [[None, None], [None, None]]


class DataMarkerCluster(FastMarkerCluster, RenderedOnce):
    """``FastMarkerCluster`` for rows (popups, tooltips) that come from data."""


__all__ = [
    "ClusterAssets",
    "DataGeoJson",
    "DataMarkerCluster",
    "ParentScript",
    "RawHtml",
    "RenderedOnce",
    "script_json",
]
