"""How fast the atlas is on large tables: import, load, filter, map, snapshot, a slider move.

Run from the repository root::

    python benchmarks/bench.py                 # N = 1,000, 10,000 and 100,000
    python benchmarks/bench.py --n 1000 10000  # chosen sizes
    python benchmarks/bench.py --quick         # smoke run: N = 1,000, one repeat
    python benchmarks/bench.py --million       # N = 1,000,000 spread over the world, alone
    python benchmarks/bench.py --n 10000000    # from a Parquet table (from PARQUET_FROM rows on)
    python benchmarks/bench.py --n 10000000 --table big.parquet  # that table, not a new one
    python benchmarks/bench.py --world --n 100000  # chosen sizes, spread over the world
    python benchmarks/bench.py --browser       # also time a real `streamlit run` in Chromium

Everything runs in a temporary folder, with the table cache (``INCIDENT_ATLAS_CACHE``) in it.
For each N it first writes a synthetic ACLED export of N rows spread over the world
(``benchmarks/synth_exports.py``: places and dates of ``geo.synth``, ACLED's columns and codes,
both of its date forms, 0.1 % of the rows repeating an earlier event id) and times:

- ``import_s``: ``geo.importing.import_table`` of that export into a project table (read,
  convert, validate, write), with ``import_rows`` read, ``import_converted`` and
  ``import_skipped`` (``export_s``, ``export_bytes``: writing the export, not a target).

Then the table measured: with ``--world`` (and ``--million``) the imported table itself; by
default, as before, a synthetic table of the shipped data's area (``geo.synth.write_synthetic``,
with claims and sources; ``synth_s``), so that default runs compare with earlier ones. On it,
in seconds (median of a few repeats for the fast steps):

- ``load_s``: the first ``geo.table_cache.load_cached`` (read and validate incidents, claims
  and sources, as ``geo.tables.load_dataset``, and fill the columnar cache), and
  ``cached_load_s``: the same call again, which reads the cache (the dashboard's loader);
- ``filter_s``: a time range + regions + types filter, counted with its headline figures by
  the query engine (``geo.query``; on a world table the regions are its five busiest);
- ``map_build_s``: the Map page's map for the unfiltered table (``geo.webmap.view.map_of``, then
  ``geo.webmap.assets.offline_map``) rendered to HTML as st_folium does (``m.get_root().render()``);
  ``map_bytes`` is that HTML without the Leaflet/plugin scripts, which st_folium sends once as
  ``js_links``/``css_links`` whatever N is (``assets_bytes``, reported once);
- ``naive_build_s``, ``naive_bytes``: the naive map, one folium CircleMarker with a popup per
  incident, rendered the same way. Above ``--naive-sample`` incidents (100,000) it is built for
  a random sample of that many and both numbers are scaled linearly to N
  (``naive_extrapolated: true``, ``naive_sample_n``);
- ``fast_cluster_build_s``, ``fast_cluster_bytes``: the other baseline, folium's
  ``plugins.FastMarkerCluster`` of every incident's (lat, lon), rendered the same way;
- ``vs_naive_build``, ``vs_naive_bytes``, ``vs_fast_cluster_build``, ``vs_fast_cluster_bytes``:
  how many times the baseline's time and HTML are the map's (``speedup`` is ``vs_naive_build``);
- ``snapshot_s``: an A4 landscape PNG at 300 dpi (``geo.export.snapshot_bytes``);
- ``rerun_s``: ``streamlit.testing.v1.AppTest`` on ``app.py`` with ``INCIDENT_ATLAS_DATA`` set to
  the table, in a process of its own: after a first run, the time of a rerun once the time
  slider's start has moved (median of three moves). ``app_first_run_s`` is that first run
  (Streamlit's imports and the table's load from the cache included); ``rerun_small_s`` a move
  with one region and one type chosen;
- ``process_rss_mb``: the peak resident memory (``VmHWM``, MiB) of that dashboard process.

Then ``first_load_s``: a fresh Python process runs the dashboard once (AppTest, first run of
``app.py`` on the shipped data set: imports, loading and the Map page); ``--browser`` adds
``browser_first_load_s``, from opening the page of a healthy ``streamlit run`` to the map drawn
in Chromium, beside the same for ``benchmarks/floor_app.py`` (the sidebar's widgets alone, the
floor), and ``rerun_server_cpu_s``, the server's CPU for a slider move made in the browser
(``--browser-only`` runs just these). ``--world-snapshot 10000 1000000`` adds A4 300 dpi
snapshots of synthetic incidents spread over the world (``world_snapshot_N_s``).

From ``PARQUET_FROM`` incidents (2,000,000) on, a table of N is not an ACLED export read with
pandas but a Parquet table spread over the world (``python -m geo synth --world --out
x.parquet``, or ``--table``), as such tables come, and everything is asked of the query engine:
``synth_s`` (writing it), ``load_s`` (validating it into the cache, in a child process, as the
dashboard does; ``cached_load_s`` finding the entry again), ``filter_s``, ``map_build_s`` and
``map_bytes`` as above, ``export_csv_s`` (the whole table streamed as CSV, as ``python -m geo
export`` writes it; ``export_csv_mb``), then ``rerun_s``, ``rerun_small_s``, ``app_first_run_s``
and ``process_rss_mb`` as above. The baselines, the import of an export and the snapshot (a
picture draws each incident: the dashboard makes none past 1,000,000) are not measured.

The targets are printed as met or missed: at 100,000 incidents ``TARGETS``, at 1,000,000
``MILLION_TARGETS`` (import under 60 s, the cached load under 3 s, filter under 0.1 s, the map
under 0.5 s and 3 MB, a slider move under 1 s, the snapshot under 5 s, the dashboard process
under 2.5 GB), at 10,000,000 ``PARQUET_TARGETS`` (a slider move and a facet change under
1.5 s, the dashboard process under 2 GB). When several sizes run, a last table gives each
figure side by side. Human-readable lines come first; the last line is one JSON object
``{"results": [{"n": ..., "import_s": ..., "load_s": ..., ...}, ...], "first_load_s": ..., ...}``.
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
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import pandas as pd  # noqa: E402

from geo.escape import esc  # noqa: E402
from geo.export import snapshot_bytes  # noqa: E402
from geo.filters import Filters  # noqa: E402
from geo.importing import import_table  # noqa: E402
from geo.paths import CACHE_ENV, DATA_ENV  # noqa: E402
from geo.query import SqlEngine, open_engine, table_files  # noqa: E402
from geo.snapshot import MapFrame  # noqa: E402
from geo.symbology import OTHER_COLOUR, TYPE_COLOURS, symbol_radius  # noqa: E402
from geo.synth import write_synthetic  # noqa: E402
from geo.table_cache import load_cached  # noqa: E402
from geo.tables import ReadOptions, load_dataset  # noqa: E402
from geo.webmap.assets import offline_map  # noqa: E402
from geo.webmap.build import MapOptions  # noqa: E402
from geo.webmap.view import map_of  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth_exports import make_acled, write_acled  # noqa: E402

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
MILLION = 1_000_000
MILLION_TARGETS = {
    "import_s": 60.0,
    "cached_load_s": 3.0,
    "filter_s": 0.1,
    "map_build_s": 0.5,
    "map_bytes": 3_000_000,
    "rerun_s": 1.0,
    "rerun_small_s": 1.0,
    "snapshot_s": 5.0,
    "process_rss_mb": 2.5 * 1024,
}
"""The targets at 1,000,000 incidents spread over the world (``--million``); the dashboard
process's memory in MiB (2.5 GiB)."""
PARQUET_FROM = 2_000_000
"""From this many incidents on, the table measured is Parquet and nothing is read into pandas."""
PARQUET_TARGETS = {"rerun_s": 1.5, "rerun_small_s": 1.5, "process_rss_mb": 2 * 1024}
"""The targets at 10,000,000 incidents from a Parquet file."""
NAIVE_SAMPLE = 100_000
"""Above this many incidents the naive map is built for a sample and scaled to N."""
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
WORLD_TYPES = ("armed_attack", "bombing", "armed_clash", "unrest")
"""The filter's types on an imported (ACLED) table, which has no security operations."""
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


def dashboard_map_html(engine: SqlEngine) -> tuple[str, int]:
    """The Map page's map of the whole table as HTML, and the bytes of its inlined assets.

    As on the Map page, the basemap is fetched from a URL (once per browser), not carried, and
    the figures are asked of the query engine."""
    options = MapOptions(
        countries=engine.overview().countries, basemap_url="/app/static/vendor/basemap.json"
    )
    fmap = offline_map(map_of(engine, Filters(), options))
    html = fmap.get_root().render()
    assets = sum(len(m.group(0).encode()) for m in _DATA_LINK.finditer(html))
    return _DATA_LINK.sub("", html), assets


def naive_map_html(incidents: pd.DataFrame) -> str:
    """The naive way: one CircleMarker with a popup per incident."""
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


def fast_cluster_html(incidents: pd.DataFrame) -> str:
    """The other baseline: folium's FastMarkerCluster of every incident's (lat, lon), the points
    sent as one array and clustered in the browser (no popups, no regions)."""
    from folium.plugins import FastMarkerCluster

    fmap = folium.Map(location=[20.0, 0.0], zoom_start=2, tiles=None)
    FastMarkerCluster(incidents[["lat", "lon"]]).add_to(fmap)
    return str(fmap.get_root().render())


def naive_baseline(incidents: pd.DataFrame, sample: int) -> dict[str, Any]:
    """``naive_build_s`` and ``naive_bytes`` of all the incidents, or, above ``sample`` of them,
    of a random sample of ``sample`` scaled linearly to all (the map's frame counted once)."""
    n = len(incidents)
    if n <= sample:
        took, page = timed(lambda: naive_map_html(incidents), 1)
        return {"naive_build_s": took, "naive_bytes": len(page.encode()),
                "naive_extrapolated": False, "naive_sample_n": n}  # fmt: skip
    part = incidents.sample(sample, random_state=0)
    took, page = timed(lambda: naive_map_html(part), 1)
    frame = len(naive_map_html(part.iloc[:0]).encode())
    return {
        "naive_build_s": took * n / sample,
        "naive_bytes": int(frame + (len(page.encode()) - frame) * n / sample),
        "naive_extrapolated": True,
        "naive_sample_n": sample,
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB (Linux ``VmHWM``; else ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quiet_streamlit() -> None:
    """No warnings, and none of the "missing ScriptRunContext" lines AppTest outside
    `streamlit run` logs: not our output."""
    warnings.filterwarnings("ignore", category=UserWarning)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )


def app_rerun(
    path: Path, repeats: int, small: tuple[str, str] = ("Atyrau", "armed_attack")
) -> dict[str, Any]:
    """AppTest of app.py on ``path``: the first run, then reruns after slider moves.

    ``rerun_s`` is the median of ``repeats`` moves of the slider's start on the unfiltered table
    (maps of grid cells at large N); ``rerun_small_s`` one move with the region and the type of
    ``small`` chosen, so that the map draws each incident with its popup.
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
    at.multiselect(key="f_regions").set_value([small[0]])
    at.multiselect(key="f_types").set_value([small[1]]).run()
    start = lo + timedelta(days=(hi - lo).days // 2)
    result["rerun_small_s"] = run(at.slider(key="f_dates").set_value((start, hi)).run)
    result["rerun_small_shown_n"] = shown(at)
    return result


_APP_PROCESS = """
import json, os, sys
from pathlib import Path
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "-1")  # as app.py sets it, before Arrow loads
sys.path.insert(0, sys.argv[1])
import bench
bench.quiet_streamlit()
out = bench.app_rerun(Path(sys.argv[2]), int(sys.argv[3]), small=(sys.argv[4], sys.argv[5]))
out["process_rss_mb"] = bench.peak_rss_mb()
print("APP " + json.dumps(out))
"""


def app_process(path: Path, repeats: int, small: tuple[str, str]) -> dict[str, Any]:
    """:func:`app_rerun` in a process of its own (the dashboard's), with its peak memory
    (``process_rss_mb``). The environment (the table cache's folder) is passed on."""
    out = subprocess.run(
        [sys.executable, "-c", _APP_PROCESS, str(ROOT / "benchmarks"), str(path), str(repeats),
         *small],
        capture_output=True, text=True, cwd=ROOT, timeout=3600,
    )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith("APP ")]
    if out.returncode or not lines:
        raise RuntimeError(f"the dashboard process failed on {path}:\n{out.stderr[-3000:]}")
    return dict(json.loads(lines[-1][4:]))


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

    def __init__(self, script: str, table: str = "") -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, DATA_ENV: table},
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
            if self.proc.poll() is not None or time.perf_counter() - t0 > 120:
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

    def slider(page: Any, server: _Server) -> dict[str, Any]:
        _cpu_until_idle(server.proc.pid)
        costs = _slider_moves(page, server.proc.pid, moves)
        return {"rerun_server_cpu_s": round(statistics.median(costs), 3)}

    return against_floor("", _MAP, slider, name="browser")


def against_floor(
    table: str, drawn: str, then: Callable[[Any, _Server], dict[str, Any]], *, name: str
) -> dict[str, Any]:
    """The floor app's widgets and the atlas (serving ``table``; '' for the shipped one) drawn
    in Chromium (``drawn``: the atlas's selector), first and second session, and their ratios;
    then ``then(page, server)`` on the atlas's second page, whose numbers are added."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu",
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
        )  # fmt: skip
        try:
            for which, script, selector in (
                ("floor", "benchmarks/floor_app.py", _WIDGETS),
                (name, "app.py", drawn),
            ):
                server = _Server(script, table if which == name else "")
                try:
                    # A fresh browser context each time: nothing cached in the browser.
                    first = _drawn_after(browser.new_context().new_page(), server.url, selector)
                    page = browser.new_context().new_page()
                    second = _drawn_after(page, server.url, selector)
                    out[f"{which}_server_healthy_s"] = round(server.healthy_s, 3)
                    out[f"{which}_first_load_s"] = round(first, 3)
                    out[f"{which}_second_load_s"] = round(second, 3)
                    if which == name:
                        out.update(then(page, server))
                finally:
                    server.close()
        finally:
            browser.close()
    for when in ("first", "second"):
        out[f"{when}_load_vs_floor"] = round(
            out[f"{name}_{when}_load_s"] / out[f"floor_{when}_load_s"], 2
        )
    return out


def bench_size(
    n: int, folder: Path, *, repeats: int, naive: bool, world: bool, naive_sample: int
) -> dict[str, Any]:
    """Every measurement at ``n`` incidents (see the module's docstring); files in ``folder``."""
    result: dict[str, Any] = {"n": n, "area": "world" if world else "shipped"}
    slow = 1 if n >= 100_000 and repeats > 1 else repeats  # steps of seconds: fewer repeats

    export = folder / f"acled-{n}.csv"
    t0 = time.perf_counter()
    result["export_bytes"] = write_acled(export, n, seed=0)
    result["export_s"] = time.perf_counter() - t0
    imported_path = folder / f"imported-{n}.csv"
    result["import_s"], imported = timed(
        lambda: import_table(export, imported_path, ReadOptions()), 1
    )
    result["import_rows"] = n
    result["import_converted"] = len(imported.dataset.incidents)
    result["import_skipped"] = n - result["import_converted"]
    del imported
    if world:
        path = imported_path
    else:
        path = folder / f"synthetic-{n}.csv"
        t0 = time.perf_counter()
        write_synthetic(path, n, seed=0)
        result["synth_s"] = time.perf_counter() - t0

    result["load_s"], _ = timed(lambda: load_cached(path, ReadOptions()), 1)  # fills the cache
    result["cached_load_s"], dataset = timed(
        lambda: load_cached(path, ReadOptions()), max(slow, min(repeats, 3))
    )
    incidents = dataset.incidents
    if world:
        busiest = incidents.loc[incidents["region"] != "", "region"].value_counts()
        filters = replace(FILTERS, regions=tuple(busiest.index[:5]), types=WORLD_TYPES)
        small = (str(busiest.index[0]), "armed_attack")
    else:
        filters, small = FILTERS, ("Atyrau", "armed_attack")
    filters = filters.normalised()
    engine = open_engine(table_files(path, ReadOptions()))
    result["filter_s"], chosen = timed(lambda: engine.headline(filters), repeats * 3)
    result["filtered_n"] = chosen.incidents
    result["map_build_s"], (html, assets) = timed(lambda: dashboard_map_html(engine), repeats)
    result["map_bytes"] = len(html.encode())
    result["assets_bytes"] = assets
    del html
    if naive:
        result.update(naive_baseline(incidents, naive_sample))
        result["fast_cluster_build_s"], page = timed(lambda: fast_cluster_html(incidents), slow)
        result["fast_cluster_bytes"] = len(page.encode())
        del page
        for base in ("naive", "fast_cluster"):
            result[f"vs_{base}_build"] = result[f"{base}_build_s"] / result["map_build_s"]
            result[f"vs_{base}_bytes"] = result[f"{base}_bytes"] / result["map_bytes"]
        result["speedup"] = result["vs_naive_build"]
    else:
        for key in ("naive_build_s", "naive_bytes", "fast_cluster_build_s",
                    "fast_cluster_bytes", "speedup"):  # fmt: skip
            result[key] = None
    result["snapshot_s"], png = timed(
        lambda: snapshot_bytes(incidents, Filters(), fmt="png", frame=MapFrame(dpi=300)), slow
    )
    result["snapshot_bytes"] = len(png)
    result.update(app_process(path, 3 if repeats > 1 else 1, small))
    result["rerun_small_region"] = small[0]
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}


def _child(code: str, *args: str) -> tuple[float, str]:
    """Run ``code`` in a fresh interpreter (the environment passed on): its time and output."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=7200
    )
    if out.returncode:
        raise RuntimeError(f"a benchmark step failed:\n{out.stderr[-3000:]}")
    return time.perf_counter() - t0, out.stdout


_CACHE_TABLE = "import sys; from geo.query import table_files; table_files(sys.argv[1])"


def bench_parquet(n: int, folder: Path, *, repeats: int, table: Path | None) -> dict[str, Any]:
    """The measurements of a Parquet table of ``n`` (``table``, or one written in ``folder``):
    every figure from the query engine, nothing read into pandas."""
    result: dict[str, Any] = {"n": n, "area": "world, Parquet"}
    if table is None:
        table = folder / f"synthetic-{n}.parquet"
        result["synth_s"], _ = _child(
            "import sys; from geo.cli import main; sys.exit(main(sys.argv[1:]))",
            "synth", "--n", str(n), "--world", "--out", str(table),
        )  # fmt: skip
    result["load_s"], _ = _child(_CACHE_TABLE, str(table))
    result["cached_load_s"], _ = _child(_CACHE_TABLE, str(table))
    engine = open_engine(table_files(table, ReadOptions()))
    result["n"] = engine.overview().count
    busiest = engine.value_counts(Filters(), "region")
    busiest = busiest[busiest.index != ""]
    filters = replace(FILTERS, regions=tuple(busiest.index[:5]), types=WORLD_TYPES).normalised()
    result["filter_s"], chosen = timed(lambda: engine.headline(filters), repeats * 3)
    result["filtered_n"] = chosen.incidents
    result["map_build_s"], (html, assets) = timed(lambda: dashboard_map_html(engine), repeats)
    result["map_bytes"], result["assets_bytes"] = len(html.encode()), assets
    del html
    from geo.export import data_chunks
    from geo.query import Table

    t0, size = time.perf_counter(), 0
    for chunk in data_chunks(Table(engine, str(table)), Filters(), "csv"):
        size += len(chunk.encode())
    result["export_csv_s"], result["export_csv_mb"] = time.perf_counter() - t0, size / 2**20
    small = (str(busiest.index[0]), "armed_attack")
    result.update(app_process(table, 3 if repeats > 1 else 1, small))
    result["rerun_small_region"] = small[0]
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}


def side_by_side(results: list[dict[str, Any]]) -> list[str]:
    """Each figure measured at more than one size, one row per figure, one column per size."""
    if len(results) < 2:
        return []
    keys = [k for k in results[0] if all(isinstance(r.get(k), float) for r in results)]
    head = f"{'':>20}" + "".join(f"{r['n']:>16,}" for r in results)
    rows = [f"{k:>20}" + "".join(f"{r[k]:>16,.3f}" for r in results) for k in keys]
    return [head, *rows]


def world_snapshots(sizes: list[int]) -> dict[str, float]:
    """An A4 PNG at 300 dpi of ``n`` synthetic incidents spread over the world, for each n
    (the table is made in memory, not read from a file)."""
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
    for r in results:
        if r.get("vs_naive_build") is not None:
            scaled = " (naive scaled from a sample of {:,})".format(r["naive_sample_n"])
            lines.append(
                f"n={r['n']:,}: the naive map takes {r['vs_naive_build']:,} times the map's "
                f"build time and {r['vs_naive_bytes']:,} times its bytes"
                f"{scaled if r.get('naive_extrapolated') else ''}; FastMarkerCluster "
                f"{r['vs_fast_cluster_build']:,} and {r['vs_fast_cluster_bytes']:,} times"
            )
    for r in results:
        if r["n"] >= PARQUET_FROM:
            targets: dict[str, float] = PARQUET_TARGETS
        elif r["n"] >= MILLION:
            targets = MILLION_TARGETS
        elif r["n"] >= 100_000:
            targets = TARGETS
        else:
            continue
        for key, limit in targets.items():
            if key == "first_load_s" or r.get(key) is None:
                continue
            ok = r[key] >= limit if key == "speedup" else r[key] < limit
            lines.append(f"target at n={r['n']:,} ({r['area']}): {key} {r[key]:,} vs {limit:,}: "
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
    return lines + side_by_side(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", metavar="N", help="sizes (default: all three)")
    parser.add_argument("--quick", action="store_true", help="smoke run: N=1,000, one repeat")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the fast steps")
    parser.add_argument(
        "--million", action="store_true", help="N=1,000,000 spread over the world, alone"
    )
    parser.add_argument(
        "--world",
        action="store_true",
        help="measure the imported world table (default: a synthetic table of the shipped area)",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip both baseline maps")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=NAIVE_SAMPLE,
        metavar="K",
        help=f"above K incidents, scale the naive map of K to N (default {NAIVE_SAMPLE:,})",
    )
    parser.add_argument(
        "--table",
        type=Path,
        help=f"from {PARQUET_FROM:,} incidents on: measure this Parquet table (not a new one)",
    )
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
    if args.million:
        args.world, sizes = True, [MILLION]
    if args.browser_only:
        args.browser, sizes = True, []
    repeats = 1 if args.quick else args.repeats
    quiet_streamlit()
    os.chdir(ROOT)
    results = []
    cache_before = os.environ.get(CACHE_ENV)
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        os.environ[CACHE_ENV] = str(Path(tmp) / "cache")  # this run's tables, not the user's
        try:
            if sizes and min(sizes) < PARQUET_FROM:  # the world's regions and towns
                t0 = time.perf_counter()
                make_acled(10)
                print(f"setup: world regions and towns ready in {time.perf_counter() - t0:.1f} s")
            for n in sizes:
                print(f"n={n:,} ...", flush=True)
                if n >= PARQUET_FROM:
                    r = bench_parquet(n, Path(tmp), repeats=repeats, table=args.table)
                else:
                    r = bench_size(n, Path(tmp), repeats=repeats, naive=not args.no_naive,
                                   world=args.world, naive_sample=args.naive_sample)  # fmt: skip
                print("  " + ", ".join(f"{k}={v}" for k, v in r.items() if k != "n"), flush=True)
                results.append(r)
        finally:
            os.environ.pop(CACHE_ENV, None)
            if cache_before is not None:
                os.environ[CACHE_ENV] = cache_before
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
