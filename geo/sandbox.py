"""Untrusted work in a child process that cannot stop the server: bounded CPU time and memory.

The dashboard serves every visitor from one process, so an article that takes a minute to read
or a small file that unpacks to gigabytes would stop every other visitor's page. ``run_limited``
runs such work (reading an uploaded table, reading an article and proposing its incidents) in a
fresh child process with a CPU-time limit (``RLIMIT_CPU``) and an address-space limit
(``RLIMIT_AS``) set by the child on itself before it starts; the parent waits for the answer
with the GIL released, so other sessions go on. A child over its limits is ended and the caller
gets a ``LimitError`` in a plain sentence, never a traceback.

Children come from a fork server started once per process with the engine's modules already
imported, so a child costs about 10 ms to start (the first one about a second).

Examples
--------
>>> from geo.sandbox import ARTICLE_LIMITS, run_limited
>>> run_limited(ARTICLE_LIMITS, sorted, [3, 1, 2])
[1, 2, 3]
"""

from __future__ import annotations

import collections
import logging
import multiprocessing
import multiprocessing.context
import os
import resource
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from geo.errors import AtlasError, LimitError

log = logging.getLogger(__name__)
T = TypeVar("T")

PRELOAD = ["geo.tables", "geo.ingest.reading", "geo.uploads"]
"""Modules the fork server imports once, so that children start with them loaded."""


@dataclass(frozen=True)
class Limits:
    """What one piece of untrusted work may cost, and how a refusal is worded.

    ``what`` names the input as a sentence starts ("This article", "mine.txt"); ``advice``
    says what to do about a refusal.
    """

    cpu_seconds: int
    memory_bytes: int
    what: str
    advice: str

    @property
    def wall_seconds(self) -> float:
        """How long the parent waits: the CPU limit, and room for a machine that is busy."""
        return 3.0 * self.cpu_seconds + 10.0


ARTICLE_LIMITS = Limits(
    cpu_seconds=10,
    memory_bytes=1 * 2**30,
    what="This article",
    advice="split it into shorter texts and try again",
)
"""Reading one article (up to 120,000 characters, about 0.1-2 s) and proposing its incidents."""

TABLE_LIMITS = Limits(
    cpu_seconds=60,
    memory_bytes=3 * 2**30,
    what="This table",
    advice="import it on the command line (python -m geo import) or split it",
)
"""Reading and checking one uploaded table (150 MB at most: about 5 s and 0.8 GB)."""

WORKERS = max(1, min(4, os.cpu_count() or 1))
"""How many limited children run at once, server-wide: more visitors' uploads wait their turn
(so ten uploads at once cannot ask for ten times a child's memory), in the order they came."""


class _Turns:
    """``WORKERS`` slots handed to callers in the order they asked: a freed slot goes to the
    longest-waiting caller, never back to the one that freed it (with a plain semaphore, two
    visitors reading file after file could take every slot for as long as they liked)."""

    def __init__(self, slots: int) -> None:
        self._lock = threading.Lock()
        self._free = slots
        self._waiting: collections.deque[threading.Event] = collections.deque()

    def acquire(self, timeout: float) -> bool:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._lock:
            if turn.is_set():  # given between the wait's end and this lock
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()  # the slot passes on, still taken
            else:
                self._free += 1


_lock = threading.Lock()
_slots = _Turns(WORKERS)
_context: multiprocessing.context.ForkServerContext | None = None


def also_preload(*modules: str) -> None:
    """Have the fork server import ``modules`` too, before its first child.

    A child runs the parent's main script again as ``__mp_main__`` (``multiprocessing`` does
    so to find functions defined there); a server whose main script is a launcher, such as
    ``streamlit``'s, names the modules that script imports, so that each child finds them
    imported instead of importing them again (0.5 s a child for ``streamlit.web.cli``).
    """
    with _lock:
        if _context is None:
            PRELOAD.extend(m for m in modules if m not in PRELOAD)


def _forkserver() -> multiprocessing.context.ForkServerContext:
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def run_limited(limits: Limits, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` run in a child process held to ``limits``; its value, or the
    engine error it raised (``AtlasError``: a ``DataError`` keeps its problems). Any other
    error is logged by the child and given to the caller as a ``LimitError``.

    ``fn`` and its arguments must be picklable (a module-level function of the engine).

    At most ``WORKERS`` children run at once in this process; a call waits its turn for as long
    as it would wait for its own child.

    Raises
    ------
    LimitError
        If the child ran out of CPU time, memory or wall-clock time, or stopped unexpectedly, or
        no turn came; the message says so in a sentence built from ``limits.what`` and
        ``limits.advice``.
    """
    if not _slots.acquire(timeout=limits.wall_seconds):
        raise LimitError(
            f"{limits.what}: the server is busy reading other visitors' files; try again in a "
            "minute."
        )
    try:
        return _run_child(limits, fn, args, kwargs)
    finally:
        _slots.release()


def _run_child(
    limits: Limits, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> T:
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main, args=(sender, limits, fn, args, kwargs), daemon=True
    )
    child.start()
    sender.close()
    try:
        outcome = _receive(receiver, limits)
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome is None:
        raise _refusal(limits, child.exitcode)
    kind, value = outcome
    if kind == "error" and isinstance(value, AtlasError):
        raise value
    if kind == "error":  # logged in the child: the visitor gets a sentence, not a traceback
        raise LimitError(_sentence(limits, "could not be read"))
    if kind == "memory":
        raise LimitError(_sentence(limits, "needed more memory than it may use"))
    return value  # type: ignore[no-any-return]


def _receive(receiver: Connection, limits: Limits) -> tuple[str, Any] | None:
    """The child's answer, or ``None`` when it gave none in time or died first."""
    try:
        if not receiver.poll(limits.wall_seconds):
            return None
        return receiver.recv()  # type: ignore[no-any-return]
    except (EOFError, OSError):
        return None


def _refusal(limits: Limits, exitcode: int | None) -> LimitError:
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL, None):
        return LimitError(_sentence(limits, "took too long to read"))
    if exitcode == -signal.SIGSEGV or exitcode == -signal.SIGABRT:
        return LimitError(_sentence(limits, "needed more memory than it may use"))
    log.warning("a limited worker stopped with exit code %s", exitcode)
    return LimitError(_sentence(limits, "could not be read (the reader stopped unexpectedly)"))


def _sentence(limits: Limits, what_happened: str) -> str:
    return f"{limits.what} {what_happened}; {limits.advice}."


def _child_main(
    sender: Connection,
    limits: Limits,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """The child: limit itself, run ``fn``, send ``(kind, value)`` back."""
    _limit_self(limits)
    try:
        outcome: tuple[str, Any] = ("value", fn(*args, **kwargs))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - every error is sent to the parent to raise
        if not isinstance(exc, AtlasError):
            log.exception("a limited worker failed")
        outcome = ("error", exc)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    except Exception:  # noqa: BLE001 - an answer that cannot be pickled is a failure
        log.exception("a limited worker's answer could not be sent")
        sender.send(("error", LimitError(_sentence(limits, "could not be read"))))
    finally:
        sender.close()


def _limit_self(limits: Limits) -> None:
    """Set this process's CPU-time, address-space and core-file limits (never raised again:
    a process may only lower its hard limits)."""
    for which, soft, hard in (
        (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 2),
        (resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes),
        (resource.RLIMIT_CORE, 0, 0),
    ):
        held = resource.getrlimit(which)[1]
        if held != resource.RLIM_INFINITY:
            soft, hard = min(soft, held), min(hard, held)
        resource.setrlimit(which, (soft, hard))
    os.environ["OMP_NUM_THREADS"] = "1"


__all__ = [
    "ARTICLE_LIMITS",
    "TABLE_LIMITS",
    "WORKERS",
    "Limits",
    "LimitError",
    "also_preload",
    "run_limited",
]
