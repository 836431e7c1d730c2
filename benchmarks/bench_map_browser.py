"""The map in Chromium against ``streamlit run``: how soon it answers a filter change and a zoom.

    python benchmarks/bench_map_browser.py                       # the shipped table
    python benchmarks/bench_map_browser.py --table big.parquet --zoom 12.609,-7.975

Prints, for the table served:

- ``first_load_s`` / ``second_load_s``: from opening the page (a fresh browser context) to the
  map's regions drawn, for the server's first session and a second one; the same for the floor
  app (``benchmarks/floor_app.py``: the sidebar's widgets, no data, no map) and their ratios;
- ``filter_update_s``: from a move of the time slider (PageUp: a tenth of the range) to the
  map's layers replaced (median of ``--moves``), and ``map_reloads``: how many of those moves
  drew a new map instead of new layers (a mark left in the map's frame is gone);
- ``zoom_detail_s`` (with ``--zoom LAT,LON``): from the map set to that point at zoom 12 to
  the incidents themselves drawn there (the layer reads "Incidents by city"), and how many.

Times are wall-clock on this machine; compare ratios measured in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import against_floor  # noqa: E402 - the same servers and clock as bench.py

_REGIONS = ".leaflet-container path.atlas-region"
_WIDGETS = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'


def map_frame(page: Any, timeout: float = 120) -> Any:
    """The frame that holds the map, once its regions are drawn."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        for frame in page.frames:
            try:
                if frame.query_selector(_REGIONS):
                    return frame
            except Exception:  # noqa: S112 - frames detach while Streamlit re-renders
                continue
        time.sleep(0.02)
    raise RuntimeError("the map was not drawn")


def layer_of(page: Any) -> tuple[str, bool, int]:
    """What the map draws now, whether the mark left in its frame is still there (the same
    map, given new layers) or gone (a new map), and how many times layers were drawn on it."""
    frame = map_frame(page)
    label, drawn = frame.eval_on_selector(
        "#map_div", "e => [e.dataset.atlasLayer || '', Number(e.dataset.atlasDrawn || 0)]"
    )
    return str(label), bool(frame.evaluate("() => window.__benchMark === true")), int(drawn)


def _mark(page: Any) -> None:
    map_frame(page).evaluate("() => { window.__benchMark = true; }")


def _until(page: Any, changed: Any, timeout: float = 120) -> tuple[float, str, bool] | None:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            label, same, drawn = layer_of(page)
        except Exception:  # noqa: BLE001 - the frame is being replaced
            time.sleep(0.01)
            continue
        if changed(label, drawn):
            return time.perf_counter() - t0, label, same
        time.sleep(0.01)
    return None


def filter_updates(page: Any, moves: int) -> dict[str, Any]:
    """Slider moves: seconds to new layers, and how many moves drew a new map (a move that
    keeps the same incidents draws nothing and is not counted)."""
    times, reloads, unchanged = [], 0, 0
    for _ in range(moves):
        _mark(page)
        _, _, before = layer_of(page)
        thumb = page.locator(_WIDGETS).first
        thumb.focus()
        page.keyboard.press("PageUp")
        done = _until(page, lambda _label, drawn, b=before: drawn != b, timeout=15)
        if done is None:
            unchanged += 1
            continue
        times.append(done[0])
        reloads += not done[2]
        time.sleep(1.0)  # let the rerun settle before the next move
    return {
        "filter_update_s": round(statistics.median(times), 3) if times else None,
        "filter_update_all_s": [round(t, 3) for t in times],
        "map_reloads": reloads,
        "moves_that_changed_nothing": unchanged,
    }


def zoom_detail(page: Any, lat: float, lon: float) -> dict[str, Any]:
    """The map zoomed to (lat, lon) at zoom 12: seconds to the incidents themselves drawn."""
    _mark(page)
    before, _, _ = layer_of(page)
    frame = map_frame(page)
    t0 = time.perf_counter()
    frame.evaluate(f"() => {{ map_div.setView([{lat}, {lon}], 12, {{animate: false}}); }}")
    set_s = time.perf_counter() - t0
    done = _until(
        page, lambda label, _drawn: label != before and label.startswith("Incidents by city")
    )
    if done is None:
        raise RuntimeError("the incidents were not drawn after the zoom")
    seconds, label, same = done
    return {
        "zoom_detail_s": round(set_s + seconds, 3),
        "zoom_set_view_s": round(set_s, 3),
        "zoom_layer_before": before,
        "zoom_layer": label,
        "zoom_reloaded": not same,
    }


def run(table: str, moves: int, zoom: tuple[float, float] | None) -> dict[str, Any]:
    def then(page: Any, server: Any) -> dict[str, Any]:
        _until(page, lambda label, _drawn: bool(label))  # the layers are drawn
        time.sleep(2.0)
        out = filter_updates(page, moves)
        if zoom:
            time.sleep(5.0)  # the last move's rerun is over
            out.update(zoom_detail(page, *zoom))
        return out

    return {"table": table or "shipped", **against_floor(table, _REGIONS, then, name="atlas")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", default="", help="the table to serve (default: shipped)")
    parser.add_argument("--moves", type=int, default=5, help="slider moves to time")
    parser.add_argument("--zoom", help="LAT,LON of a city to zoom into")
    args = parser.parse_args(argv)
    zoom = tuple(float(v) for v in args.zoom.split(",")) if args.zoom else None
    out = run(args.table, args.moves, zoom)  # type: ignore[arg-type]
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
