"""Real-browser test: the dashboard in Debian's headless Chromium, with the internet blocked.

It starts ``streamlit run app.py`` on a free loopback port, waits for ``/_stcore/health``, loads
the page with every non-local request aborted, and checks that the map draws the region shapes and
incident symbols, that moving the time slider changes the map, and that clicking Atyrau filters
the dashboard to it and puts it in the URL. Screenshots go to ``test-output/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from geo.places.regions import read_countries, read_regions
from geo.tables import load_dataset
from tests.tables import FROZEN_CSV

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
OUTPUT = ROOT / "test-output"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _streamlit(data: str, log: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port, showing the table ``data``; its output
    goes to ``log`` (a pipe nobody reads can fill and hang the server), which
    is printed when the server dies or never becomes healthy."""
    port = _free_port()
    env = {**os.environ, "INCIDENT_ATLAS_DATA": data}
    env["INCIDENT_ATLAS_CACHE"] = os.environ["INCIDENT_ATLAS_CACHE"]  # the run's (conftest)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc, log)
            yield url
            if proc.poll() is not None:
                raise AssertionError(f"streamlit died during the test:\n{log.read_text()}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def server(frozen_data: Path) -> Iterator[str]:
    """The app on the run's copy of the frozen seed data set (tests/fixtures)."""
    with _streamlit(str(frozen_data), OUTPUT / "server-seed.log") as url:
        yield url


@pytest.fixture(scope="module")
def many_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic table of 3,000 incidents (more than the map draws one by one)."""
    out = tmp_path_factory.mktemp("many") / "many.csv"
    subprocess.run(
        [sys.executable, "-m", "geo", "synth", "--n", "3000", "--out", str(out)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def many_server(many_path: Path) -> Iterator[str]:
    with _streamlit(str(many_path), OUTPUT / "server-many.log") as url:
        yield url


HOSTILE_SUMMARY = "{{7*191}} <b>bold?</b> ' \" & $x$"


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a three-row table the test writes, with template syntax and markup in it."""
    from tests.tables import GOOD_ROWS, HEADER, write_csv

    rows = [list(r) for r in GOOD_ROWS]
    for row in rows:
        row[HEADER.index("summary")] = HOSTILE_SUMMARY
        row[HEADER.index("sources")] = ""
    table = write_csv(tmp_path_factory.mktemp("browser") / "mine.csv", HEADER, rows)
    with _streamlit(str(table), OUTPUT / "server-fixture.log") as url:
        yield url


WORLD_CSV = Path(__file__).parent / "data" / "world.csv"


@pytest.fixture(scope="module")
def world_server() -> Iterator[str]:
    """The app on tests/data/world.csv: twelve incidents on five continents."""
    with _streamlit(str(WORLD_CSV), OUTPUT / "server-world.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (see the README)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # No host but the app's loopback address resolves: the internet is unplugged.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            ],
        )
        yield b
        b.close()


def _offline_page(browser, external: list[str]):  # type: ignore[no-untyped-def]
    """A page whose every outside request is recorded; the browser cannot resolve any host."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    local = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
    page.on("request", lambda r: None if r.url.startswith(local) else external.append(r.url))
    return page


def _map_frame(page, timeout: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.query_selector(".leaflet-container path.atlas-region"):
                    return frame
            except Exception:  # frames can detach while Streamlit re-renders
                continue
        time.sleep(0.3)
    raise AssertionError("the map did not render")


def _incident_layer_label(frame) -> str:  # type: ignore[no-untyped-def]
    """What the map draws now, as its layers note it on the map's element."""
    return str(frame.eval_on_selector(".folium-map, #map_div", "e => e.dataset.atlasLayer"))


def _href(page) -> str:  # type: ignore[no-untyped-def]
    # Streamlit updates the query string with history.replaceState, which page.url misses.
    return str(page.evaluate("() => location.href"))


def _view_holds(frame, incidents) -> bool:  # type: ignore[no-untyped-def]
    """Whether the map's view holds every incident's point."""
    points = incidents[["lat", "lon"]].to_numpy().tolist()
    return bool(
        frame.evaluate(
            "(pts) => pts.every(p => map_div.getBounds().contains(L.latLng(p[0], p[1])))",
            points,
        )
    )


def _wait_for(predicate, timeout: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:
            value = None
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_map_renders_offline_and_follows_slider_and_region_click(server, browser) -> None:  # type: ignore[no-untyped-def]
    OUTPUT.mkdir(exist_ok=True)
    external: list[str] = []
    page = _offline_page(browser, external)
    page.goto(server)
    frame = _map_frame(page)
    regions = frame.query_selector_all("path.atlas-region")
    # Every region of the table's two countries (Kazakhstan, Russia) in the shipped layer.
    units = read_regions()
    assert len(regions) == int(units["country"].isin({"KZ", "RU"}).sum())
    # The offline basemap: the world's outlines and their names.
    _wait_for(lambda: frame.query_selector_all(".atlas-country-label"))
    # Zoomed in, every country of the layer is named (small ones appear from zoom 5).
    frame.evaluate("() => { map_div.setZoom(5); }")
    countries = read_countries()["name"].nunique()
    named = (
        "new Set(Array.from(document.querySelectorAll('.atlas-country-label'))"
        ".map(e => e.textContent)).size"
    )
    _wait_for(lambda: frame.evaluate(named) == countries)
    frame.evaluate("() => { map_div.setZoom(3); }")  # far out, only the large countries are named
    _wait_for(lambda: 0 < len(frame.query_selector_all(".atlas-country-label")) < countries / 2)
    frame.locator(".atlas-fit").dispatch_event("click")  # back to the incidents
    # The Baikonur lease is hatched, not a plain round outline like a hollow symbol.
    baikonur = frame.query_selector("path.atlas-region-baikonur")
    assert baikonur is not None and baikonur.get_attribute("fill") == "url(#atlas-hatch)"
    _wait_for(lambda: frame.query_selector_all(".marker-cluster, path.atlas-incident"))
    assert _incident_layer_label(frame) == "Incidents by city (33)"
    assert _view_holds(frame, load_dataset(FROZEN_CSV).incidents)
    page.screenshot(path=str(OUTPUT / "map-all.png"))

    def labels_above_clusters() -> bool:  # region names (from zoom 6) are not under clusters
        f = _map_frame(page)
        f.evaluate("() => { map_div.setZoom(6); }")
        above = f.query_selector_all(".leaflet-atlasLabels-pane .atlas-region-label")
        return bool(above) and not f.query_selector_all(".leaflet-marker-pane .atlas-region-label")

    assert _wait_for(labels_above_clusters)

    # Move the slider's start thumb towards the end of the range: fewer incidents overlap.
    # A keypress that lands while the page is still busy can be lost: press again if so.
    thumb = page.get_by_role("slider").first
    frame = None
    for _ in range(3):
        thumb.focus()
        for _ in range(3):
            thumb.press("PageUp")
        try:
            frame = _wait_for(
                lambda: (f := _map_frame(page)) and "(33)" not in _incident_layer_label(f) and f,
                timeout=20,
            )
            break
        except AssertionError:
            continue
    page.screenshot(path=str(OUTPUT / "map-slider-moved.png"))
    assert frame is not None, "the map did not follow the time slider"
    moved = _incident_layer_label(frame)
    assert moved != "Incidents by city (33)"
    page.screenshot(path=str(OUTPUT / "map-slider.png"))

    # Back to everything, then click Atyrau.
    page.goto(server)
    frame = _map_frame(page)
    # Dispatched, not a mouse click: a cluster icon may lie over the shape's centre.
    frame.locator("path.atlas-region-atyrau").dispatch_event("click")
    _wait_for(lambda: "region=Atyrau" in _href(page))
    frame = _wait_for(lambda: (f := _map_frame(page)) and "(5)" in _incident_layer_label(f) and f)
    assert _incident_layer_label(frame) == "Incidents by city (5)"
    page.screenshot(path=str(OUTPUT / "map-atyrau.png"))

    # The shared link reopens the same view.
    page.goto(_href(page))
    frame = _map_frame(page)
    assert _wait_for(lambda: _incident_layer_label(frame) == "Incidents by city (5)")
    assert external == [], f"the page tried to reach the internet: {external[:5]}"


def test_a_box_drawn_on_the_map_keeps_the_incidents_inside_it(server, browser) -> None:  # type: ignore[no-untyped-def]
    page = _offline_page(browser, [])
    page.goto(server)
    frame = _map_frame(page)
    _wait_for(lambda: frame.query_selector_all(".marker-cluster, path.atlas-incident"))
    # what shift and drag hands the map when the mouse is let go: a box of 46-56 E, 40-49 N
    frame.evaluate(
        "map_div.fire('boxzoomend', {boxZoomBounds: L.latLngBounds([40, 46], [49, 56])})"
    )
    _wait_for(lambda: "area=46" in _href(page))
    # 8 of the frozen table's incidents lie in it (by hand, see tests/test_links.py)
    frame = _wait_for(lambda: (f := _map_frame(page)) and "(8)" in _incident_layer_label(f) and f)
    assert _incident_layer_label(frame) == "Incidents by city (8)"
    page.screenshot(path=str(OUTPUT / "map-box.png"))


def test_an_area_drawn_with_the_mouse_keeps_the_incidents_inside_it(server, browser) -> None:  # type: ignore[no-untyped-def]
    page = _offline_page(browser, [])
    page.goto(server)
    frame = _map_frame(page)
    _wait_for(lambda: frame.query_selector_all(".marker-cluster, path.atlas-incident"))
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    frame.locator(".atlas-draw").click()
    # the triangle 46 E 40 N, 56 E 40 N, 46 E 49 N, clicked corner by corner, closed on the first
    corners = [(40, 46), (40, 56), (49, 46), (40, 46)]
    for lat, lon in corners:
        point = f"map_div.latLngToContainerPoint([{lat}, {lon}])"
        x, y = frame.evaluate(f"() => {{ var p = {point}; return [p.x, p.y]; }}")
        page.mouse.click(box["x"] + x, box["y"] + y)
        time.sleep(0.3)
    _wait_for(lambda: "within=46" in _href(page))
    # 2 of the frozen table's incidents lie in it, both at Khasavyurt (43.25 N 46.59 E: 0.59 east
    # of 46 where the edge is 6.4 east); Atyrau's (47.10 N 51.88 E) lie east of the edge (2.1
    # there)
    frame = _wait_for(lambda: (f := _map_frame(page)) and "(2)" in _incident_layer_label(f) and f)
    assert _incident_layer_label(frame) == "Incidents by city (2)"
    page.screenshot(path=str(OUTPUT / "map-drawn-area.png"))
    page.get_by_role("button", name="Clear the drawn area").click()
    frame = _wait_for(lambda: (f := _map_frame(page)) and "(33)" in _incident_layer_label(f) and f)
    assert "within=" not in _href(page)


def test_play_steps_through_the_periods_on_the_map(server, browser) -> None:  # type: ignore[no-untyped-def]
    page = _offline_page(browser, [])
    page.goto(server)
    frame = _map_frame(page)
    label = frame.locator(".atlas-play-label")
    assert label.inner_text().strip() == "all periods"
    frame.locator(".atlas-play-button").dispatch_event("click")
    # the frozen table's incidents span 2011-2016: by quarter, from the first one's (17 May 2011)
    seen = []
    for expected in ("2011 Q2", "2011 Q3", "2011 Q4"):
        _wait_for(lambda e=expected: label.inner_text().strip() == e, timeout=20)
        seen.append(expected)
    frame.locator(".atlas-play-button").dispatch_event("click")  # pause
    paused = label.inner_text().strip()
    time.sleep(2.5)  # two steps' time: still there
    assert label.inner_text().strip() == paused and seen == ["2011 Q2", "2011 Q3", "2011 Q4"]
    page.screenshot(path=str(OUTPUT / "map-play.png"))
    # new layers (here the shading switched to killed) bring their play control, not a second
    page.get_by_text("killed (best)").first.click()
    _wait_for(lambda: "killed per region" in _map_frame(page).inner_text(".atlas-legend").lower())
    assert len(_map_frame(page).query_selector_all(".atlas-play")) == 1


def test_a_link_to_one_incident_opens_its_popup_and_the_popup_opens_the_dashboard(
    server, browser
) -> None:  # type: ignore[no-untyped-def]
    first = str(load_dataset(FROZEN_CSV).incidents["incident_id"].iloc[0])
    page = _offline_page(browser, [])
    page.goto(f"{server}/?id={first}")
    frame = _wait_for(lambda: (f := _map_frame(page)) and f.query_selector(".leaflet-popup") and f)
    link = frame.locator(".leaflet-popup a.atlas-open")
    with page.context.expect_page() as opened:  # a new tab: the map's frame may not lead away
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.startswith(server) and f"id={first}" in tab.url
    assert _incident_layer_label(_map_frame(tab)) == "Incidents by city (1)"


def test_zooming_into_a_city_of_many_incidents_shows_its_incidents(
    many_server, many_path, browser
) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    page = _offline_page(browser, [])
    page.goto(many_server)
    frame = _map_frame(page)
    _wait_for(lambda: "grouped by area" in _incident_layer_label(frame))
    time.sleep(2)  # the map has framed its incidents
    _map_frame(page).evaluate("() => { map_div.setView([43.25, 76.92], 10); }")  # Almaty
    frame = _wait_for(
        lambda: (f := _map_frame(page)) and "by city" in _incident_layer_label(f) and f, timeout=90
    )
    shown = int(_incident_layer_label(frame).split("(")[1].rstrip(")").replace(",", ""))
    # as many as the table holds in the view the map shows (counted here with pandas)
    west, south, east, north = frame.evaluate(
        "(() => { var b = map_div.getBounds(); "
        "return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    table = pd.read_csv(many_path)

    def within(shrink: float) -> int:  # the table's incidents in the view's middle part
        dx, dy = (east - west) * shrink / 2, (north - south) * shrink / 2
        lon, lat = table["lon"], table["lat"]
        return int((lon.between(west + dx, east - dx) & lat.between(south + dy, north - dy)).sum())

    # the map asked for the view the user zoomed to, then framed it (a little larger, at most)
    assert 0 < within(0.3) <= shown <= within(0.0) <= 2000
    page.screenshot(path=str(OUTPUT / "map-zoomed.png"))


def test_back_undoes_a_region_click_and_page_links_keep_the_filters(server, browser) -> None:  # type: ignore[no-untyped-def]
    page = _offline_page(browser, [])
    page.goto(server)
    frame = _map_frame(page)
    _wait_for(lambda: _incident_layer_label(frame) == "Incidents by city (33)")
    frame.locator("path.atlas-region-atyrau").dispatch_event("click")
    _wait_for(lambda: "region=Atyrau" in _href(page))
    _wait_for(lambda: (f := _map_frame(page)) and "(5)" in _incident_layer_label(f))

    page.go_back()  # the view before the click: all 33, no region in the link
    _wait_for(lambda: (f := _map_frame(page)) and "(33)" in _incident_layer_label(f))
    assert "region=" not in _href(page)
    page.go_forward()
    _wait_for(lambda: (f := _map_frame(page)) and "(5)" in _incident_layer_label(f))
    assert "region=Atyrau" in _href(page)

    # Another page keeps the filters, and so does the way back to the map.
    page.get_by_role("link", name="Incidents").first.click()
    _wait_for(lambda: "/incidents" in _href(page) and "region=Atyrau" in _href(page))
    page.get_by_role("link", name="Map").first.click()
    _wait_for(lambda: (f := _map_frame(page)) and "(5)" in _incident_layer_label(f))


def test_a_world_table_opens_framed_on_all_its_incidents(world_server, browser) -> None:  # type: ignore[no-untyped-def]
    OUTPUT.mkdir(exist_ok=True)
    external: list[str] = []
    page = _offline_page(browser, external)
    page.goto(world_server)
    frame = _map_frame(page)
    incidents = load_dataset(WORLD_CSV).incidents
    countries = set(incidents["country"])
    units = read_regions()
    expected = int(units["country"].isin(countries).sum())
    _wait_for(lambda: len(frame.query_selector_all("path.atlas-region")) == expected)
    assert _view_holds(frame, incidents)
    # Zoomed out as far as the map goes, the whole world is in view.
    assert frame.evaluate("map_div.getMinZoom()") <= 1
    page.screenshot(path=str(OUTPUT / "map-world.png"))
    assert external == []


def test_the_server_starts_without_asking_for_its_external_address(server) -> None:  # type: ignore[no-untyped-def]
    log = (OUTPUT / "server-seed.log").read_text()
    assert "URL: http://localhost:" in log
    assert "external IP" not in log and "External URL" not in log


def test_timeline_page_draws_its_charts_from_a_shared_link(server, browser) -> None:  # type: ignore[no-untyped-def]
    OUTPUT.mkdir(exist_ok=True)
    external: list[str] = []
    page = _offline_page(browser, external)
    page.goto(f"{server}/timeline?year=2016")
    assert _wait_for(
        lambda: len(page.query_selector_all(".vega-embed canvas, .vega-embed svg")) >= 2
    )
    assert page.get_by_text("Incidents per year, by type").count() == 1
    page.screenshot(path=str(OUTPUT / "timeline-2016.png"), full_page=True)
    assert external == []


def test_a_table_of_ones_own_with_hostile_text_is_mapped_as_text(fixture_server, browser) -> None:  # type: ignore[no-untyped-def]
    external: list[str] = []
    page = _offline_page(browser, external)
    page.goto(f"{fixture_server}/?region=Almaty%20City")
    frame = _wait_for(lambda: (f := _map_frame(page)) and "(1)" in _incident_layer_label(f) and f)
    assert _incident_layer_label(frame) == "Incidents by city (1)"
    marker = _wait_for(lambda: frame.query_selector("path.atlas-incident"))
    marker.dispatch_event("click")
    popup = _wait_for(lambda: frame.query_selector(".leaflet-popup-content"))
    assert HOSTILE_SUMMARY in popup.inner_text()  # shown as typed: not run, not markup
    assert "1337" not in popup.inner_text()
    page.screenshot(path=str(OUTPUT / "map-fixture-popup.png"))
    assert external == []


def test_the_exported_map_opens_offline_with_grey_clusters(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from geo.export import export
    from geo.filters import Filters

    page_file = tmp_path / "map.html"
    page_file.write_bytes(export(load_dataset(FROZEN_CSV), Filters(), "html"))
    external: list[str] = []
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else external.append(r.url),
    )
    page.goto(page_file.as_uri())
    bubble = _wait_for(lambda: page.query_selector(".marker-cluster div"))
    colour = page.evaluate("(el) => getComputedStyle(el).backgroundColor", bubble)
    assert colour == "rgba(55, 55, 55, 0.82)"  # grey, not the plugin's green, yellow or orange
    sea = page.evaluate(
        "() => getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
    )
    assert sea == "rgb(219, 231, 240)"  # the app's water blue (#dbe7f0), not Leaflet's grey
    # a file has no dashboard to filter or open: no draw button, no link to an incident
    assert page.query_selector(".atlas-draw") is not None and not page.is_visible(".atlas-draw")
    page.screenshot(path=str(OUTPUT / "export-html.png"))
    assert external == []
