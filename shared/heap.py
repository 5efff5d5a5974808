"""Keeping the garbage collector's full passes short and rare in a long-running service,
and giving memory back to the system once many streams have closed."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import sys
from collections.abc import Callable

# Young collections run after this many more container allocations than frees (CPython's
# default is 700). Measured with 10,000 open notification streams on the core (about 170
# tracked objects each: the request's coroutine stack through the middleware, its task,
# transport and parser; 1.7 million in all): every event burst replaces each stream's
# waiting future, so objects of about one second's life survived the frequent young
# collections and were promoted; every ~6 s that tipped a full collection over the whole
# 1.7 million, a 1.2-1.4 s pause with nothing to collect, which set the p99 delivery
# (1.9-2.0 s). At 50,000 such short-lived objects die before a young collection sees them,
# so the streams' steady state promotes almost nothing and triggers no full collection;
# a young collection stays in the tens of milliseconds.
YOUNG_THRESHOLD = 50_000

# A trim is due once this many fewer streams are open than at the most since the last
# trim (about 15 MB of either service's memory) ...
TRIM_AFTER_CLOSED = 1_000
# ... and runs once no stream has closed for this long (a wave of closes is trimmed once,
# when it is over) ...
TRIM_SETTLE_SECONDS = 1.0
# ... or once it has waited this long; and at most one trim in this long.
TRIM_PAUSE_SECONDS = 10.0


def freeze_startup_heap() -> None:
    """Moves what startup allocated (modules, routes, models, compiled statements) out of
    the collector's sight, once the service is ready, and sets the collector's thresholds.

    A full collection otherwise walks the whole application again at random moments, a
    pause of about 100 ms on this machine that set the p99 of the hot paths; after this it
    walks only what requests allocate."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def _find_malloc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`; None where there is none (macOS, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    malloc_trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if malloc_trim is None:
        return None
    malloc_trim.argtypes = [ctypes.c_size_t]
    malloc_trim.restype = ctypes.c_int
    return lambda: malloc_trim(0)


malloc_trim = _find_malloc_trim()


class HeapTrimmer:
    """Gives the memory of closed streams back to the system.

    A closed stream's objects are freed, but glibc's allocator keeps the freed pages for
    its next allocations (in the main heap and in each thread's arena, and fragmented, so
    few are at the top of a heap where it would let go of them by itself): 10,000 streams
    closed left the core and the BFF each about 200 MB larger than before they opened.
    `malloc_trim(0)` returns every free page. It takes about 20 ms for a few hundred MB and
    ctypes releases the GIL meanwhile, so it runs on a thread of the event loop's executor.

    The owner reports its open-stream count on every open and close (`note`). A trim is
    due once `after_closed` fewer are open than at the most since the last trim; it runs
    when no stream has closed for `settle` seconds, or once it has waited `pause`
    seconds, and never sooner than `pause` seconds after the last trim. Nothing happens
    where there is no `malloc_trim`."""

    def __init__(
        self,
        after_closed: int = TRIM_AFTER_CLOSED,
        settle: float = TRIM_SETTLE_SECONDS,
        pause: float = TRIM_PAUSE_SECONDS,
        trim: Callable[[], object] | None = malloc_trim,
    ) -> None:
        self.after_closed = after_closed
        self.settle = settle
        self.pause = pause
        self.trims = 0
        self._trim = trim
        self._open = 0
        self._most = 0  # the most open since the last trim
        self._last: float | None = None  # when the last trim started (loop time)
        self._due_since = 0.0  # when the pending trim became due
        self._due: asyncio.TimerHandle | None = None

    def note(self, open_now: int) -> None:
        """The owner's open-stream count, after a stream opened or closed."""
        self._open = open_now
        if open_now > self._most:
            self._most = open_now
        elif self._due is None and self._most - open_now >= self.after_closed and self._trim:
            loop = asyncio.get_running_loop()
            self._due_since = loop.time()
            delay = self.settle
            if self._last is not None:
                delay = max(delay, self._last + self.pause - self._due_since)
            self._due = loop.call_later(delay, self._when_settled, loop, open_now)

    def _when_settled(self, loop: asyncio.AbstractEventLoop, open_then: int) -> None:
        """Trims, unless streams are still closing and the trim may wait longer."""
        now = loop.time()
        if self._open < open_then and now - self._due_since < self.pause:
            self._due = loop.call_later(self.settle, self._when_settled, loop, self._open)
            return
        assert self._trim is not None
        self._due = None
        self._last = now
        self._most = self._open
        self.trims += 1
        loop.run_in_executor(None, self._trim)
