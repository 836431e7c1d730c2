"""How fast each page of the dashboard answers on a large table, and what the process holds.

Run from the repository root::

    python benchmarks/bench_pages.py TABLE                 # a table file (CSV, Parquet, ...)
    python benchmarks/bench_pages.py postgresql://...      # the team store
    python benchmarks/bench_pages.py TABLE --root ../old   # the same, on another checkout

In a fresh process (the dashboard's, driven by ``streamlit.testing.v1.AppTest``), with the table's
cache already filled (a first process fills it and is not timed):

- ``first_page_s``: the first run of app.py (the Map page): imports, opening the table, drawing;
- ``slider_s``: a move of the time slider's start on the Map page (median of three);
- ``facet_s``: a facet change on the Map page (an event type chosen);
- ``timeline_s``, ``incidents_s``: switching to the Timeline page, then the Incidents page,
  with that facet kept (each the median of three reruns of the page);
- ``process_rss_mb``: the dashboard process's peak resident memory (``VmHWM``).

``--root`` runs another checkout's app.py the same way (before and after a change, one command).
The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROCESS = r"""
import gc, json, logging, os, statistics, sys, time, warnings
from datetime import timedelta
os.chdir(sys.argv[1])
sys.path.insert(0, sys.argv[1])
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
from streamlit.testing.v1 import AppTest

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

def timed(step):
    gc.collect()
    t0 = time.perf_counter(); step(); took = time.perf_counter() - t0
    if at.exception:
        raise SystemExit(f"the page failed: {at.exception}")
    return took

out = {}
at = AppTest.from_file("app.py", default_timeout=1800)
out["first_page_s"] = timed(at.run)
if sys.argv[2] == "fill":
    print("PAGES " + json.dumps(out)); raise SystemExit(0)
lo, hi = at.slider(key="f_dates").value
moves = []
for k in (1, 2, 3):
    start = lo + timedelta(days=(hi - lo).days * k // 8)
    moves.append(timed(at.slider(key="f_dates").set_value((start, hi)).run))
out["slider_s"] = statistics.median(moves)
options = at.multiselect(key="f_types").options
out["facet_s"] = timed(at.multiselect(key="f_types").set_value([options[0]]).run)
for page in ("timeline", "incidents"):
    at.switch_page(f"pages/{page}.py")
    times = [timed(at.run) for _ in range(3)]
    out[f"{page}_s"] = statistics.median(times)
if os.path.exists(os.path.join(sys.argv[1], "pages", "trends.py")):
    at.switch_page("pages/trends.py")
    out["trends_first_s"] = timed(at.run)
    # each a new question: by country, by event type, then by region per week
    changes = [
        lambda: at.selectbox(key="trend_by").set_value("country").run(),
        lambda: at.selectbox(key="trend_by").set_value("type").run(),
        lambda: (at.selectbox(key="trend_by").set_value("region"),
                 at.selectbox(key="trend_period").set_value("week").run()),
    ]
    out["trends_change_s"] = statistics.median(timed(step) for step in changes)
out["process_rss_mb"] = rss()
print("PAGES " + json.dumps(out))
"""


def run_pages(data: str, root: Path, mode: str) -> dict[str, float]:
    """One dashboard process on ``data`` (``mode`` "fill": the first run only)."""
    env = {**os.environ, "INCIDENT_ATLAS_DATA": data}
    out = subprocess.run(
        [sys.executable, "-c", _PROCESS, str(root), mode],
        capture_output=True, text=True, env=env, timeout=7200,
    )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith("PAGES ")]
    if out.returncode or not lines:
        raise RuntimeError(
            f"the dashboard process failed:\n{out.stdout[-2000:]}{out.stderr[-3000:]}"
        )
    return dict(json.loads(lines[-1][6:]))


def engine_figures(data: str, repeats: int = 5) -> dict[str, float]:
    """The engine's questions timed directly (median of ``repeats``), in this process."""
    sys.path.insert(0, str(ROOT))
    from geo.filters import Filters
    from geo.query import open_engine, table_files
    from geo.store import is_database_url

    engine = open_engine(data if is_database_url(data) else table_files(data))
    engine.remembers = False  # every question asked afresh: what a new filter costs
    view = engine.overview()
    some = Filters(types=(view.types[0],))

    def median(step: object) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            step()  # type: ignore[operator]
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    return {
        "q_headline_s": median(lambda: engine.headline(Filters())),
        "q_map_world_s": median(lambda: engine.map_summary(Filters(), max_cells=2000)),
        "q_map_type_s": median(lambda: engine.map_summary(some, max_cells=2000)),
        "q_periods_month_s": median(lambda: engine.periods(Filters(), "month")),
        "q_page_s": median(lambda: engine.rows(Filters(), order=("killed_best", True), limit=200)),
        "q_values_s": median(lambda: engine.value_counts(Filters(), "country")),
        **trend_figures(engine, median),
        "rows": view.count,
    }


def trend_figures(engine: object, median: object) -> dict[str, float]:
    """The Trends page's questions, asked of the engine directly (each afresh)."""
    try:
        from geo.filters import Filters
        from geo.trends import Trend, trends
    except ImportError:  # a checkout from before the Trends page
        return {}
    asks = {
        "q_trends_region_month_s": Trend(by="region", period="month", baseline=4),
        "q_trends_country_week_s": Trend(by="country", period="week", baseline="year"),
        "q_trends_type_quarter_s": Trend(by="type", period="quarter", baseline=4),
    }
    return {
        key: median(lambda t=trend: trends(engine, Filters(), t))  # type: ignore[operator, misc]
        for key, trend in asks.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="a table file or a postgresql:// URL")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app runs")
    parser.add_argument("--no-engine", action="store_true", help="skip the engine's own timings")
    args = parser.parse_args(argv)
    fill = run_pages(args.data, args.root.resolve(), "fill")
    print(f"first process (fills the cache): {fill['first_page_s']:.2f} s", flush=True)
    pages = run_pages(args.data, args.root.resolve(), "all")
    for key, value in pages.items():
        unit = "MB" if key.endswith("_mb") else "s"
        print(f"{key:>16}: {value:10.3f} {unit}", flush=True)
    result: dict[str, object] = {"data": args.data, "root": str(args.root), **pages}
    if not args.no_engine:
        figures = engine_figures(args.data)
        for key, value in figures.items():
            print(f"{key:>16}: {value:10.3f}", flush=True)
        result |= figures
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
