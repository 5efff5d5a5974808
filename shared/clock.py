"""The time the code acts at: the wall clock, unless a caller shifts it for what it runs.

Every timestamp the core stamps (`core_api.models.base.utcnow`) and every time-ordered id
(`shared.ids.uuid7`) reads the time here. `shifted_to(moment)` moves that time to `moment`
for the code run inside it (this task and what it awaits: a context variable, so other
requests are untouched); the shifted clock keeps ticking, so the steps of one action stay
in order. Only the demo seed shifts it, to replay a year of history through the services
as of the day each step happened; everywhere else it is the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

# How far the clock is shifted, in microseconds (0: the wall clock).
_offset_us: ContextVar[int] = ContextVar("vetra_clock_offset_us", default=0)
_MICROSECOND = timedelta(microseconds=1)


def time_ns() -> int:
    """Nanoseconds since the Unix epoch, as `time.time_ns`, shifted if a caller shifted it."""
    return time.time_ns() + _offset_us.get() * 1000


def now() -> datetime:
    """The current moment in UTC, shifted if a caller shifted it."""
    offset = _offset_us.get()
    return datetime.now(UTC) + offset * _MICROSECOND if offset else datetime.now(UTC)


@contextmanager
def shifted_to(moment: datetime) -> Iterator[None]:
    """Runs the block as if the clock read `moment` (timezone-aware) on entry."""
    token = _offset_us.set((moment - datetime.now(UTC)) // _MICROSECOND)
    try:
        yield
    finally:
        _offset_us.reset(token)
