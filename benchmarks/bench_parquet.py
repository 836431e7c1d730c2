"""Parquet in: the time and peak memory of writing a synthetic Parquet table and of validating
and caching it, at 1,000,000 and 10,000,000 rows (issue 20, "Parquet in").

Each step runs in a child process of its own, timed from outside, its peak resident memory read
from the operating system when it ends (``os.wait4``: the child's ``ru_maxrss``):

- ``synth``: ``python -m geo synth --n N --world --out DIR/synth-N.parquet`` (drawn and written
  500,000 rows at a time), with its claims and sources beside it;
- ``validate_cache``: ``geo.table_cache.cached_table`` on that table with an empty cache: read in
  record batches, staged, every check in SQL (DuckDB), the checked table, claims and sources
  written as the cache's Parquet files; never held in pandas;
- ``cached``: the same call again, the entry found (what a dashboard's later start pays).

Usage::

    python benchmarks/bench_parquet.py                 # 1,000,000 and 10,000,000 rows
    python benchmarks/bench_parquet.py --n 200000      # a quick look
    python benchmarks/bench_parquet.py --keep /tmp/pq  # keep the tables and the cache there

One line per step, then a JSON object: ``{"results": [{"n", "step", "seconds", "peak_mb",
"files_mb"}, ...]}``. Nothing is asserted: the numbers are read and compared by people.

Measured on the 2-core, 24 GB machine while other work ran on it (load average 2.7-3.6):

=============  =========================  ===========================  ================
rows           synth (write Parquet)      validate and cache           cached start
=============  =========================  ===========================  ================
1,000,000      32 s, 1.36 GB peak         34 s, 0.91 GB peak           1.3 s, 0.16 GB
10,000,000     303 s, 1.37 GB peak        412 s, 1.42 GB peak          1.1 s, 0.16 GB
=============  =========================  ===========================  ================

Of a build, about half is staging (reading the batches, looking each distinct point up in the
region layer: ``regions_at``, a third of it; writing the staged copy), a third the SQL checks
(the repeated-id and claims joins spill to disk past ``MEMORY_LIMIT``), the rest writing the
cache's files. The cache's files: 37 MB (1M) and 371 MB (10M).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BUILD = (
    "import sys; from geo.table_cache import cached_table; "
    "e = cached_table(sys.argv[1]); print(e.rows, e.counts)"
)


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child; its wall time (s), peak resident memory (MB) and output."""
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output.strip()


def _size_mb(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths if p.exists()) / 2**20


def bench(n: int, folder: Path) -> list[dict[str, object]]:
    env = {**os.environ, "INCIDENT_ATLAS_CACHE": str(folder / "cache")}
    table = folder / f"synth-{n}.parquet"
    siblings = [table, table.with_name(f"synth-{n}.claims.parquet")]
    results: list[dict[str, object]] = []
    python = sys.executable
    steps = [
        ("synth", [python, "-m", "geo", "synth", "--n", str(n), "--world", "--out", str(table)]),
        ("validate_cache", [python, "-c", BUILD, str(table)]),
        ("cached", [python, "-c", BUILD, str(table)]),
    ]
    for step, args in steps:
        if step == "validate_cache":
            shutil.rmtree(folder / "cache" / "tables", ignore_errors=True)
        seconds, peak, output = run(args, env)
        files = siblings if step == "synth" else list((folder / "cache" / "tables").glob("*"))
        result = {
            "n": n,
            "step": step,
            "seconds": round(seconds, 1),
            "peak_mb": round(peak),
            "files_mb": round(_size_mb(files), 1),
        }
        print(f"{n:>11,} {step:<15} {seconds:8.1f} s {peak:8.0f} MB peak   {output[-120:]}")
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--keep", type=Path, help="write the tables and the cache here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="atlas-bench-parquet-"))
    folder.mkdir(parents=True, exist_ok=True)
    # The gazetteer's index (for --world) is built once, before anything is timed.
    warm = [sys.executable, "-m", "geo", "synth", "--n", "10", "--world", "--out"]
    run(
        [*warm, str(folder / "warm.parquet")],
        {**os.environ, "INCIDENT_ATLAS_CACHE": str(folder / "cache")},
    )
    try:
        results = [r for n in args.n for r in bench(n, folder)]
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps({"results": results, "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
