"""shared/clock: the time timestamps and time-ordered ids are stamped with, shiftable for
the code run inside `shifted_to` (the demo seed's replayed history) and nothing else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from core_api.models.base import utcnow
from shared import clock
from shared.ids import uuid7

LAST_YEAR = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def id_time(value: object) -> datetime:
    return datetime.fromtimestamp((int(str(value).replace("-", ""), 16) >> 80) / 1000, UTC)


async def test_a_shifted_clock_stamps_times_and_ids_as_of_then_and_keeps_ticking() -> None:
    with clock.shifted_to(LAST_YEAR):
        first = utcnow()
        stamped = uuid7()
        await asyncio.sleep(0.01)
        second = utcnow()
    assert LAST_YEAR <= first < second < LAST_YEAR + timedelta(seconds=1)
    assert abs(id_time(stamped) - LAST_YEAR) < timedelta(seconds=1)
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=1)  # back to the wall clock


async def test_only_the_code_inside_is_shifted() -> None:
    started, done = asyncio.Event(), asyncio.Event()

    async def elsewhere() -> datetime:
        await started.wait()
        moment = utcnow()
        done.set()
        return moment

    other = asyncio.create_task(elsewhere())
    with clock.shifted_to(LAST_YEAR):
        started.set()
        await done.wait()
        assert utcnow() < LAST_YEAR + timedelta(seconds=1)
    assert abs(await other - datetime.now(UTC)) < timedelta(seconds=1)
