"""How fast the atlas is on large tables: load, filter, map, snapshot and a slider move.

Run from the repository root::

    python benchmarks/bench.py                 # N = 1,000, 10,000 and 100,000
    python benchmarks/bench.py --n 1000 10000  # chosen sizes
    python benchmarks/bench.py --quick         # smoke run: N = 1,000, one repeat
    python benchmarks/bench.py --browser       # also time a real `streamlit run` in Chromium

For each N it writes a synthetic table (``geo.synth``, with claims and sources) to a temporary
folder and times, in seconds (median of a few repeats for the fast steps):

- ``load_s``: ``geo.tables.load_dataset`` (read and validate incidents, claims and sources);
- ``filter_s``: a time range + regions + types filter (``geo.filters``);
- ``map_build_s``: the Map page's map for the unfiltered table (``geo.webmap.build.build_map``, then
  ``geo.webmap.assets.offline_map``) rendered to HTML as st_folium does (``m.get_root().render()``);
  ``map_bytes`` is that HTML without the Leaflet/plugin scripts, which st_folium sends once as
  ``js_links``/``css_links`` whatever N is (``assets_bytes``, reported once);
- ``naive_build_s``, ``naive_bytes``: the naive map, one folium CircleMarker with a popup per
  incident, rendered the same way;
- ``snapshot_s``: an A4 landscape PNG at 300 dpi (``geo.export.snapshot_bytes``);
- ``rerun_s``: ``streamlit.testing.v1.AppTest`` on ``app.py`` with ``INCIDENT_ATLAS_DATA`` set to
  the table: after a first run, the time of a rerun once the time slider's start has moved
  (median of three moves). ``app_first_run_s`` is that first run (loading included).

Then ``first_load_s``: a fresh Python process runs the dashboard once (AppTest, first run of
``app.py`` on the shipped data set: imports, loading and the Map page); ``--browser`` adds
``browser_first_load_s``, from opening the page of a healthy ``streamlit run`` to the map drawn
in Chromium, beside the same for ``benchmarks/floor_app.py`` (the sidebar's widgets alone, the
floor), and ``rerun_server_cpu_s``, the server's CPU for a slider move made in the browser
(``--browser-only`` runs just these). ``--world-snapshot 10000 1000000`` adds A4 300 dpi
snapshots of synthetic incidents spread over the world (``world_snapshot_N_s``).

Human-readable lines come first; the last line is one JSON object
``{"results": [{"n": ..., "load_s": ..., ...}, ...], "first_load_s": ..., ...}``.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import pandas as pd  # noqa: E402

from geo.escape import esc  # noqa: E402
from geo.export import snapshot_bytes  # noqa: E402
from geo.filters import Filters, filter_incidents  # noqa: E402
from geo.paths import DATA_ENV  # noqa: E402
from geo.snapshot import MapFrame  # noqa: E402
from geo.symbology import OTHER_COLOUR, TYPE_COLOURS, symbol_radius  # noqa: E402
from geo.synth import write_synthetic  # noqa: E402
from geo.tables import Dataset, load_dataset  # noqa: E402
from geo.webmap.assets import offline_map  # noqa: E402
from geo.webmap.build import MapOptions, build_map  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
TARGETS = {
    "filter_s": 0.1,
    "map_build_s": 0.5,
    "map_bytes": 3_000_000,
    "speedup": 50.0,
    "rerun_s": 1.0,
    "rerun_small_s": 1.0,
    "snapshot_s": 5.0,
    "first_load_s": 2.0,
}
"""The targets at 100,000 incidents (first load: at the shipped data set's size)."""
BROWSER_TARGETS = {
    "rerun_server_cpu_s": 0.25,
    "first_load_vs_floor": 1.5,
    "second_load_vs_floor": 1.5,
}
"""The targets of ``--browser`` on the shipped data set: a slider move's server CPU, and the
time to the map drawn as a multiple of the floor app's time to its widgets."""
FILTERS = Filters(
    start=date(2012, 3, 1),
    end=date(2015, 6, 30),
    regions=("Almaty City", "Almaty Region", "Aktobe", "Atyrau", "Mangystau"),
    types=("armed_attack", "bombing", "security_operation", "unrest"),
)
_DATA_LINK = re.compile(r'<script src="data:[^"]*"></script>|<link[^>]*href="data:[^"]*"[^>]*>')


def timed(step: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The median time of ``repeats`` calls, and the last call's result."""
    times = []
    result = None
    for _ in range(max(repeats, 1)):
        gc.collect()  # no step pays for the garbage of the one before
        t0 = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def dashboard_map_html(dataset: Dataset) -> tuple[str, int]:
    """The Map page's map of the whole table as HTML, and the bytes of its inlined assets.

    As on the Map page, the basemap is fetched from a URL (once per browser), not carried."""
    options = MapOptions(
        countries=tuple(sorted(set(dataset.incidents["country"]) - {""})),
        basemap_url="/app/static/vendor/basemap.json",
    )
    fmap = offline_map(
        build_map(
            dataset.incidents, claims=dataset.claims, sources=dataset.sources, options=options
        )
    )
    html = fmap.get_root().render()
    assets = sum(len(m.group(0).encode()) for m in _DATA_LINK.finditer(html))
    return _DATA_LINK.sub("", html), assets


def naive_map_html(dataset: Dataset) -> str:
    """The naive way: one CircleMarker with a popup per incident."""
    incidents = dataset.incidents
    fmap = folium.Map(location=[48.0, 67.0], zoom_start=5, tiles=None)
    for row in incidents.itertuples(index=False):
        colour = TYPE_COLOURS.get(row.event_type, OTHER_COLOUR)
        killed = None if pd.isna(row.killed_best) else float(row.killed_best)
        popup = (
            f"<b>{esc(row.place)}</b><br>{row.date_start:%Y-%m-%d}<br>"
            f"{esc(row.event_type)}<br>killed: {esc(row.killed_best)}"
        )
        folium.CircleMarker(
            location=[row.lat, row.lon],
            radius=symbol_radius(killed),
            color=colour,
            fill=True,
            fill_color=colour,
            popup=folium.Popup(popup, max_width=320),
        ).add_to(fmap)
    return str(fmap.get_root().render())


def app_rerun(path: Path, repeats: int) -> dict[str, Any]:
    """AppTest of app.py on ``path``: the first run, then reruns after slider moves.

    ``rerun_s`` is the median of ``repeats`` moves of the slider's start on the unfiltered table
    (maps of grid cells at large N); ``rerun_small_s`` one move with a region and a type chosen,
    so that the map draws each incident with its popup.
    """
    from streamlit.testing.v1 import AppTest

    def shown(at: AppTest) -> int:
        return int(next(m.value for m in at.metric if m.label == "Incidents").replace(",", ""))

    def run(step: Callable[[], Any]) -> float:
        gc.collect()
        t0 = time.perf_counter()
        step()
        took = time.perf_counter() - t0
        if at.exception:
            raise RuntimeError(f"app.py failed on {path}: {at.exception}")
        return took

    os.environ[DATA_ENV] = str(path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    result: dict[str, Any] = {"app_first_run_s": run(at.run)}
    lo, hi = at.slider(key="f_dates").value
    times = []
    for k in range(1, max(repeats, 1) + 1):
        start = lo + timedelta(days=(hi - lo).days * k // 8)
        times.append(run(at.slider(key="f_dates").set_value((start, hi)).run))
    result["rerun_s"] = statistics.median(times)
    result["rerun_shown_n"] = shown(at)
    at.multiselect(key="f_regions").set_value(["Atyrau"])
    at.multiselect(key="f_types").set_value(["armed_attack"]).run()
    start = lo + timedelta(days=(hi - lo).days // 2)
    result["rerun_small_s"] = run(at.slider(key="f_dates").set_value((start, hi)).run)
    result["rerun_small_shown_n"] = shown(at)
    return result


_FIRST_LOAD = """
import os, sys, time
os.chdir(sys.argv[1])
os.environ.pop("INCIDENT_ATLAS_DATA", None)
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120)
t0 = time.perf_counter(); at.run(); first = time.perf_counter() - t0
assert not at.exception, at.exception
again = AppTest.from_file("app.py", default_timeout=120)
t0 = time.perf_counter(); again.run(); warm = time.perf_counter() - t0
print(first, warm)
"""


def first_load() -> tuple[float, float]:
    """A fresh process's first run of app.py on the shipped data, and a second session's."""
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_LOAD, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    first, warm = (float(v) for v in out.stdout.split()[-2:])
    return first, warm


def _drawn_after(page: Any, url: str, selector: str) -> float:
    """Seconds from opening ``url`` to ``selector`` matching in the page or one of its frames."""
    page.set_viewport_size({"width": 1500, "height": 1100})
    t0 = time.perf_counter()
    page.goto(url)
    while time.perf_counter() - t0 < 60:
        for frame in page.frames:
            try:
                if frame.query_selector(selector):
                    return time.perf_counter() - t0
            except Exception:  # noqa: S112 - frames detach while Streamlit re-renders
                continue
        time.sleep(0.02)
    raise RuntimeError(f"{selector} was not drawn in the browser")


def _cpu_s(pid: int) -> float:
    """User plus system CPU seconds the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_until_idle(pid: int, quiet_s: float = 0.6) -> float:
    """CPU seconds the process uses from now until it has used none for ``quiet_s``."""
    t0 = last = _cpu_s(pid)
    still = time.perf_counter()
    deadline = still + 60
    while time.perf_counter() - still < quiet_s and time.perf_counter() < deadline:
        time.sleep(0.05)
        now = _cpu_s(pid)
        if now != last:
            last, still = now, time.perf_counter()
    return last - t0


class _Server:
    """``streamlit run SCRIPT`` on a free loopback port, until the block ends."""

    def __init__(self, script: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, DATA_ENV: ""},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        while True:
            try:
                health = f"{self.url}/_stcore/health"  # our own server on the loopback address
                with urllib.request.urlopen(health, timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.perf_counter() - t0 > 60:
                self.close()
                raise RuntimeError(f"streamlit did not become healthy for {script}")
            time.sleep(0.05)
        self.healthy_s = time.perf_counter() - t0

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_MAP = ".leaflet-container path.atlas-region"
_WIDGETS = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'


def _slider_moves(page: Any, pid: int, moves: int) -> list[float]:
    """Server CPU seconds for each of ``moves`` one-step moves of the time slider's start."""
    thumb = page.locator(_WIDGETS).first
    costs = []
    for _ in range(moves):
        thumb.focus()
        page.keyboard.press("PageUp")  # a tenth of the range: the map changes
        costs.append(_cpu_until_idle(pid))
    return costs


def browser_first_load(moves: int = 5) -> dict[str, float]:
    """In Chromium against ``streamlit run``: the atlas and its floor, and a rerun's server CPU.

    For the atlas (``app.py``, shipped data) and the floor (``benchmarks/floor_app.py``, the same
    sidebar widgets with no data and no map): seconds to a healthy server, then from opening
    the page to the map (atlas) or the widgets (floor) drawn, for the server's first session and
    a second one (server warm, browser cache empty). Then ``rerun_server_cpu_s``: the server's
    CPU seconds for a move of the time slider by one step in the browser (median of ``moves``),
    which includes everything a real rerun costs (the script, the map's HTML, the messages).
    """
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu",
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
        )  # fmt: skip
        try:
            for name, script, selector in (
                ("floor", "benchmarks/floor_app.py", _WIDGETS),
                ("browser", "app.py", _MAP),
            ):
                server = _Server(script)
                try:
                    # A fresh browser context each time: nothing cached in the browser.
                    first = _drawn_after(browser.new_context().new_page(), server.url, selector)
                    page = browser.new_context().new_page()
                    second = _drawn_after(page, server.url, selector)
                    out[f"{name}_server_healthy_s"] = round(server.healthy_s, 3)
                    out[f"{name}_first_load_s"] = round(first, 3)
                    out[f"{name}_second_load_s"] = round(second, 3)
                    if name == "browser":
                        _cpu_until_idle(server.proc.pid)
                        costs = _slider_moves(page, server.proc.pid, moves)
                        out["rerun_server_cpu_s"] = round(statistics.median(costs), 3)
                finally:
                    server.close()
        finally:
            browser.close()
    for which in ("first", "second"):
        out[f"{which}_load_vs_floor"] = round(
            out[f"browser_{which}_load_s"] / out[f"floor_{which}_load_s"], 2
        )
    return out


def bench_size(n: int, folder: Path, *, repeats: int, naive: bool) -> dict[str, Any]:
    path = folder / f"synthetic-{n}.csv"
    t0 = time.perf_counter()
    write_synthetic(path, n, seed=0)
    result: dict[str, Any] = {"n": n, "synth_s": time.perf_counter() - t0}
    slow = 1 if n >= 100_000 and repeats > 1 else repeats  # steps of seconds: fewer repeats

    result["load_s"], dataset = timed(lambda: load_dataset(path), max(slow, min(repeats, 3)))
    filters = FILTERS.normalised()
    result["filter_s"], chosen = timed(
        lambda: filter_incidents(dataset.incidents, filters), repeats * 3
    )
    result["filtered_n"] = len(chosen)
    result["map_build_s"], (html, assets) = timed(lambda: dashboard_map_html(dataset), repeats)
    result["map_bytes"] = len(html.encode())
    result["assets_bytes"] = assets
    if naive:
        result["naive_build_s"], page = timed(lambda: naive_map_html(dataset), 1)
        result["naive_bytes"] = len(page.encode())
        result["speedup"] = result["naive_build_s"] / result["map_build_s"]
    else:
        result["naive_build_s"] = result["naive_bytes"] = result["speedup"] = None
    result["snapshot_s"], png = timed(
        lambda: snapshot_bytes(dataset.incidents, Filters(), fmt="png", frame=MapFrame(dpi=300)),
        slow,
    )
    result["snapshot_bytes"] = len(png)
    result.update(app_rerun(path, 3 if repeats > 1 else 1))
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}


def world_snapshots(sizes: list[int]) -> dict[str, float]:
    """An A4 PNG at 300 dpi of ``n`` synthetic incidents spread over the world, for each n
    (the table is made in memory: a million rows is beyond what a file may hold)."""
    from geo.synth import WORLD, make_synthetic

    out: dict[str, float] = {}
    for n in sizes:
        table = make_synthetic(n, seed=0, countries=WORLD)
        took, png = timed(lambda t=table: snapshot_bytes(t, Filters(), frame=MapFrame(dpi=300)), 1)
        out[f"world_snapshot_{n}_s"] = round(took, 3)
        print(f"world snapshot, {n:,} incidents: {took:.2f} s, {len(png):,} bytes", flush=True)
    return out


def report(results: list[dict[str, Any]], extra: dict[str, Any]) -> list[str]:
    lines = []
    big = [r for r in results if r["n"] >= 100_000]
    for r in big:
        for key, limit in TARGETS.items():
            if key == "first_load_s" or r.get(key) is None:
                continue
            ok = r[key] >= limit if key == "speedup" else r[key] < limit
            lines.append(f"target at n={r['n']:,}: {key} {r[key]:,} vs {limit:,}: "
                         f"{'met' if ok else 'MISSED'}")  # fmt: skip
    for key in [k for k in extra if k.startswith("world_snapshot_")]:
        ok = extra[key] < TARGETS["snapshot_s"]
        lines.append(f"target: {key} {extra[key]} vs {TARGETS['snapshot_s']}: "
                     f"{'met' if ok else 'MISSED'}")  # fmt: skip
    for key, limit in BROWSER_TARGETS.items():
        if key in extra:
            ok = extra[key] < limit
            lines.append(f"target at the shipped size: {key} {extra[key]} vs {limit}: "
                         f"{'met' if ok else 'MISSED'}")  # fmt: skip
    if "first_load_s" in extra:
        ok = extra["first_load_s"] < TARGETS["first_load_s"]
        lines.append(f"target at the shipped size: first_load_s {extra['first_load_s']} vs "
                     f"{TARGETS['first_load_s']}: {'met' if ok else 'MISSED'}")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", metavar="N", help="sizes (default: all three)")
    parser.add_argument("--quick", action="store_true", help="smoke run: N=1,000, one repeat")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the fast steps")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive map")
    parser.add_argument("--browser", action="store_true", help="also time a real streamlit run")
    parser.add_argument(
        "--browser-only", action="store_true", help="only the streamlit run timings (no sizes)"
    )
    parser.add_argument(
        "--world-snapshot",
        type=int,
        nargs="+",
        metavar="N",
        help="also time A4 300 dpi snapshots of N synthetic incidents spread over the world",
    )
    args = parser.parse_args(argv)
    sizes = args.n or ([1_000] if args.quick else list(SIZES))
    if args.browser_only:
        args.browser, sizes = True, []
    repeats = 1 if args.quick else args.repeats
    warnings.filterwarnings("ignore", category=UserWarning)
    # AppTest outside `streamlit run` logs "missing ScriptRunContext" warnings: not our output.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    os.chdir(ROOT)
    results = []
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        for n in sizes:
            print(f"n={n:,} ...", flush=True)
            r = bench_size(n, Path(tmp), repeats=repeats, naive=not args.no_naive)
            print("  " + ", ".join(f"{k}={v}" for k, v in r.items() if k != "n"), flush=True)
            results.append(r)
    os.environ.pop(DATA_ENV, None)
    first, warm = first_load()
    shipped = len(load_dataset(ROOT / "data" / "incidents.csv").incidents)
    extra: dict[str, Any] = {
        "first_load_s": round(first, 4),
        "first_load_warm_s": round(warm, 4),
        "shipped_n": shipped,
    }
    print(f"first page load (AppTest, fresh process, {shipped} incidents): {first:.3f} s; "
          f"another session: {warm:.3f} s")  # fmt: skip
    if args.browser:
        extra.update(browser_first_load())
        print(f"streamlit run: map drawn in Chromium {extra['browser_first_load_s']} s after "
              f"opening the page (first session), {extra['browser_second_load_s']} s (second); "
              f"the floor app's widgets {extra['floor_first_load_s']} s and "
              f"{extra['floor_second_load_s']} s: {extra['first_load_vs_floor']} and "
              f"{extra['second_load_vs_floor']} times the floor. A slider move in the browser: "
              f"{extra['rerun_server_cpu_s']} s of server CPU")  # fmt: skip
    if args.world_snapshot:
        extra.update(world_snapshots(args.world_snapshot))
    for line in report(results, extra):
        print(line)
    print(json.dumps({"results": results, **extra}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
