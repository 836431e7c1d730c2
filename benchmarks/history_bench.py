"""Time and peak memory of the file store's history at its largest: what one Edit page run
asks of the store, and one save, on a history of about 66 MB (70 changes of about 950 KB, each
under the 1 MB a change may take), plus a history holding one 50 MB line.

Run from a checkout: ``python benchmarks/history_bench.py``. Prints one line a measurement.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.store.edits import FileStore  # noqa: E402
from tests.tables import copy_shipped  # noqa: E402

ALMATY = "2016-07-18-almaty-shooting"


def measure(what: str, work: Callable[[], Any]) -> None:
    tracemalloc.start()
    began = time.perf_counter()
    try:
        work()
        outcome = "ok"
    except Exception as exc:  # noqa: BLE001 - a refusal is a result here
        outcome = f"{type(exc).__name__}: {str(exc)[:60]}"
    took = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{what:<52} {took:7.3f} s  peak {peak / 1e6:8.1f} MB  {outcome}")


def big_history(store: FileStore, changes: int = 70, chars: int = 470_000) -> None:
    """``changes`` changes to incidents not in the table, each ~2 x ``chars`` of summary."""
    with store.history_path.open("w", encoding="utf-8") as fh:
        for n in range(1, changes + 1):
            old = {"incident_id": f"filler-{n}", "summary": "o" * chars, "claims": []}
            new = {**old, "summary": "n" * chars}
            change = {"change_id": n, "at": "2026-01-01T00:00:00", "who": "bench"}
            change |= {"incident_id": f"filler-{n}", "action": "update", "old": old, "new": new}
            fh.write(json.dumps(change) + "\n")


def page_run(store: FileStore) -> None:
    """The store calls of one Edit page run with an incident open."""
    store.source_ids()
    store.open(ALMATY)
    store.history(ALMATY)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = FileStore(copy_shipped(Path(folder)))
        store.open(ALMATY)  # the table cache warmed: only the history is measured
        big_history(store)
        size = store.history_path.stat().st_size
        print(f"history of {size / 1e6:.1f} MB, {70} changes")
        measure("Edit page run (source ids, open, history)", lambda: page_run(store))
        measure("the next run, file unchanged", lambda: page_run(store))
        record = store.open(ALMATY)
        measure(
            "one save on that history",
            lambda: store.save({**record.values, "target": "x"}, version=1, who="b"),
        )
        measure("the run after the save", lambda: page_run(store))
        record = store.open(ALMATY)
        claims = [
            {**record.claims[0], "note": "n" * 32_767, "paragraph": str(i)} for i in range(60)
        ]
        measure(
            "a save with 60 claims of 32,767-character notes",
            lambda: store.save(record.values, version=record.version, who="b", claims=claims),
        )
        with store.history_path.open("ab") as fh:
            fh.write(b'{"change_id": 999, "who": "' + b"a" * 50_000_000 + b'"}\n')
        measure("Edit page run with a 50 MB line added", lambda: page_run(store))
        print(f"history now {store.history_path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
