"""Untrusted work runs in a child process held to its limits: a runaway costs its own request,
never the server (geo.sandbox)."""

from __future__ import annotations

import resource
import threading
import time
from pathlib import Path

import pytest

from geo.errors import DataError, LayerChoiceError, LimitError, Problem
from geo.sandbox import WORKERS, Limits, run_limited

QUICK = Limits(cpu_seconds=1, memory_bytes=1 * 2**30, what="This article", advice="split it")


def spin() -> None:
    while True:
        pass


def hoard() -> None:
    held = []
    while True:
        held.append(bytearray(50 * 2**20))


def refuse() -> None:
    raise DataError(
        [Problem("mine.csv", 3, "lat", "not a number"), Problem("mine.csv", 4, "", "x")]
    )


def ask_for_a_layer() -> None:
    raise LayerChoiceError(Path("/srv/atlas/mine.gpkg"), ["a", "b"], None)


def limits_seen() -> tuple[tuple[int, int], tuple[int, int]]:
    return resource.getrlimit(resource.RLIMIT_CPU), resource.getrlimit(resource.RLIMIT_AS)


def test_a_value_comes_back_and_the_child_holds_the_limits() -> None:
    assert run_limited(QUICK, sorted, [3, 1, 2]) == [1, 2, 3]
    cpu, memory = run_limited(QUICK, limits_seen)
    assert cpu == (1, 3) and memory == (2**30, 2**30)
    assert resource.getrlimit(resource.RLIMIT_CPU)[0] == resource.RLIM_INFINITY  # not ours


def test_work_that_never_ends_is_refused_in_a_sentence() -> None:
    began = time.monotonic()
    with pytest.raises(LimitError, match=r"^This article took too long to read; split it\.$"):
        run_limited(QUICK, spin)
    assert time.monotonic() - began < QUICK.wall_seconds


def test_work_that_hoards_memory_is_refused_in_a_sentence() -> None:
    small = Limits(cpu_seconds=20, memory_bytes=600 * 2**20, what="This table", advice="split it")
    with pytest.raises(LimitError, match="^This table needed more memory than it may use"):
        run_limited(small, hoard)


def test_an_engine_error_keeps_its_problems() -> None:
    with pytest.raises(DataError) as caught:
        run_limited(QUICK, refuse)
    assert [str(p) for p in caught.value.problems] == [
        "mine.csv, row 3, column 'lat': not a number",
        "mine.csv, row 4: x",
    ]
    with pytest.raises(LayerChoiceError) as asked:
        run_limited(QUICK, ask_for_a_layer)
    assert asked.value.layers == ["a", "b"]


def test_the_server_goes_on_while_a_child_runs_out_its_time() -> None:
    """Another session's work in the parent is not held up by a runaway child: the parent
    waits with the GIL released."""
    runaway = threading.Thread(target=lambda: pytest.raises(LimitError, run_limited, QUICK, spin))
    runaway.start()
    time.sleep(0.2)
    began = time.monotonic()
    total = sum(i * i for i in range(300_000))  # a page's worth of Python work
    elapsed = time.monotonic() - began
    runaway.join()
    assert total > 0 and elapsed < 1.0


def test_no_more_children_run_at_once_than_the_server_allows() -> None:
    """Uploads from many visitors at once wait their turn instead of each taking a child's
    memory: WORKERS + 1 calls of one second each take at least two seconds."""
    calls = [
        threading.Thread(target=run_limited, args=(QUICK, time.sleep, 1.0))
        for _ in range(WORKERS + 1)
    ]
    began = time.monotonic()
    for call in calls:
        call.start()
    for call in calls:
        call.join()
    assert time.monotonic() - began >= 2.0


def fail_unexpectedly() -> None:
    raise KeyError("/srv/atlas/secret/path")


def test_an_unexpected_error_is_a_sentence_without_its_text() -> None:
    with pytest.raises(LimitError) as caught:
        run_limited(QUICK, fail_unexpectedly)
    assert str(caught.value).startswith("This article could not be read")
    assert "/srv" not in str(caught.value)


def test_a_freed_slot_goes_to_the_longest_waiting_caller() -> None:
    """One visitor reading file after file cannot keep a slot from another who is waiting."""
    from geo.sandbox import _Turns

    turns, order = _Turns(1), []
    assert turns.acquire(timeout=1)

    def other() -> None:
        assert turns.acquire(timeout=5)
        order.append("other")
        time.sleep(0.3)
        turns.release()

    waiting = threading.Thread(target=other)
    waiting.start()
    time.sleep(0.2)  # the other visitor is waiting now
    turns.release()
    assert turns.acquire(timeout=5)  # asks again at once: served after the other
    order.append("first again")
    turns.release()
    waiting.join()
    assert order == ["other", "first again"]


def test_no_upload_is_taken_while_the_server_holds_too_much(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each session keeps its own uploaded table in the server: past a share of the machine's
    memory, a new upload is refused before it is read."""
    from geo import uploads

    monkeypatch.setattr(uploads, "SERVER_SHARE", 0.0)  # this process already holds "too much"
    with pytest.raises(LimitError, match="holds as many uploaded tables as it can"):
        uploads.read_upload("mine.csv", b"a,b\n1,2\n", layer=None, max_bytes=2**20)
    monkeypatch.setattr(uploads, "SERVER_SHARE", 0.5)
    with pytest.raises(DataError):  # read, and refused for its columns
        uploads.read_upload("mine.csv", b"a,b\n1,2\n", layer=None, max_bytes=2**20)
