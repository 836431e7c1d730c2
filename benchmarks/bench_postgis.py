"""How fast the team store answers, beside the file store, on the same synthetic table.

Run from the repository root (needs Debian's postgresql-15-postgis-3; a throwaway server is
started in a temporary folder, as the tests do)::

    python benchmarks/bench_postgis.py                # N = 100,000
    python benchmarks/bench_postgis.py --n 1000000    # a million incidents over the world
    python benchmarks/bench_postgis.py --n 1000000 --import-only   # the import alone

It writes a synthetic table of N incidents over the world (``geo.synth``), then times, in
seconds: ``load_s`` (``geo.tables.load_dataset``: the table read and validated, as
``python -m geo db import`` does first), ``pg_import_s`` (``geo.store.postgis.import_dataset``
into an empty store: COPY into staging tables, one set-based upsert with its history, the
claims and sources; from 100,000 rows the indexes are set aside and made again),
``command_s`` (the two together: the target for ``db import`` of a million rows is under 60 s),
``pg_reimport_s`` (the same table again: nothing changes), and, unless ``--import-only``, for
each query the
median of five runs of ``geo.store.postgis.read_incidents`` (rows sent back and typed) beside
``geo.filters.filter_incidents`` on the file store's table in memory: a year + region + type
filter (``*_filter_s``), a bounding box around the busiest region (``*_bbox_s``), and the
unfiltered table (``*_all_s``). Then the map's query, ``pg_map_*_s``
(``geo.store.postgis.map_summary``: the filters, the grid cells, regions, precision classes and
countries added up in SQL, cells coarsened to at most ``MAX_SYMBOLS``) beside ``file_map_*_s``
(the same filter and counts on the table in memory), for the busiest country in the busiest
year, that year everywhere, and everything. The team store's target at 1,000,000 incidents is a
filtered map query under 0.15 s (``pg_map_country_year_s``). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.store import postgis  # noqa: E402
from geo.synth import WORLD, write_synthetic  # noqa: E402
from geo.tables import Dataset, load_dataset  # noqa: E402
from tests.pg import start_server  # noqa: E402


def median_of(step: Callable[[], Any], repeats: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def time_import(url: str, path: Path, out: dict[str, Any]) -> Dataset:
    """The import of the table at ``path`` into an empty store, as ``db import`` makes it."""
    started = time.perf_counter()
    dataset = load_dataset(path)
    out["load_s"] = round(time.perf_counter() - started, 3)
    postgis.init_schema(url)
    started = time.perf_counter()
    counts = postgis.import_dataset(url, dataset)
    out["pg_import_s"] = round(time.perf_counter() - started, 3)
    out["pg_import_added"] = counts["added"]
    out["command_s"] = round(out["load_s"] + out["pg_import_s"], 3)
    started = time.perf_counter()
    counts = postgis.import_dataset(url, dataset)
    out["pg_reimport_s"] = round(time.perf_counter() - started, 3)
    out["pg_reimport_unchanged"] = counts["unchanged"]
    return dataset


def time_reads(url: str, dataset: Dataset, out: dict[str, Any]) -> None:
    """Filtered reads and the map's counts from the store, beside the same on the table in
    memory."""
    from geo.filters import Filters, filter_incidents
    from geo.webmap.build import MAX_SYMBOLS
    from geo.webmap.grid_counts import summarise

    with postgis.connect(url) as conn:
        conn.execute("ANALYZE incidents")
    incidents = dataset.incidents
    busiest = str(incidents["region"][incidents["region"] != ""].value_counts().index[0])
    year = int(incidents["date_start"].dt.year.value_counts().index[0])
    kinds = tuple(incidents["event_type"].value_counts().index[:2])
    at = incidents[incidents["region"] == busiest]
    box = (
        float(at["lon"].min()), float(at["lat"].min()),
        float(at["lon"].max()), float(at["lat"].max()),
    )  # fmt: skip
    chosen = Filters(years=(year,), regions=(busiest,), types=kinds).normalised()
    for name, filters, bbox in (
        ("filter", chosen, None),
        ("bbox", Filters(), box),
        ("all", Filters(), None),
    ):
        pg_s, rows = median_of(lambda f=filters, b=bbox: postgis.read_incidents(url, f, bbox=b))
        out[f"pg_{name}_s"], out[f"pg_{name}_rows"] = round(pg_s, 4), len(rows)
        if bbox is None:
            file_s, kept = median_of(lambda f=filters: filter_incidents(incidents, f))
            out[f"file_{name}_s"], out[f"file_{name}_rows"] = round(file_s, 4), len(kept)
    out["filter"] = chosen.describe()
    # The map: counts per cell, region, precision class and country (what the
    # dashboard draws above MAX_SYMBOLS incidents), in SQL beside the same in memory.
    country = str(incidents["country"].value_counts().index[0])
    for name, filters in (
        ("country_year", Filters(years=(year,), countries=(country,)).normalised()),
        ("year", Filters(years=(year,)).normalised()),
        ("all", Filters()),
    ):
        pg_s, summary = median_of(
            lambda f=filters: postgis.map_summary(url, f, max_cells=MAX_SYMBOLS)
        )
        file_s, _ = median_of(
            lambda f=filters: summarise(filter_incidents(incidents, f), max_cells=MAX_SYMBOLS)
        )
        out[f"pg_map_{name}_s"], out[f"file_map_{name}_s"] = round(pg_s, 4), round(file_s, 4)
        out[f"map_{name}_incidents"], out[f"map_{name}_cells"] = summary.count, len(summary.cells)
    out["map_country_year"] = f"{country}, {year}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument(
        "--import-only", action="store_true", help="time the import alone, not the reads"
    )
    args = parser.parse_args()
    server = start_server()
    out: dict[str, Any] = {"n": args.n}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "synthetic.csv"
            write_synthetic(path, args.n, seed=7, countries=WORLD)
            dataset = time_import(server.url, path, out)
            if not args.import_only:
                time_reads(server.url, dataset, out)
    finally:
        server.stop()
    for key, value in out.items():
        print(f"{key}: {value}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
