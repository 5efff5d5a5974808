"""The driver pool (eligibility's connections) serves waiters first come, first served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from core_api.db import DriverPool


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[DriverPool]:
    pool = await DriverPool.open(database_url, size=1, wait_seconds=0.5)
    try:
        yield pool
    finally:
        await pool.close()


async def test_waiters_get_the_connection_in_the_order_they_asked(
    one_connection: DriverPool,
) -> None:
    served: list[str] = []
    held, release = asyncio.Event(), asyncio.Event()

    async def use(name: str) -> None:
        async with one_connection.connection() as connection:
            served.append(name)
            assert await connection.fetchval("select 1") == 1
            if name == "holder":
                held.set()
                await release.wait()

    holder = asyncio.create_task(use("holder"))
    await held.wait()
    waiters = []
    for name in ("first", "second", "third"):
        waiters.append(asyncio.create_task(use(name)))
        await asyncio.sleep(0.01)  # each is queued before the next asks
    # A newcomer that asks just as the connection comes free must not take it first.
    release.set()
    late = asyncio.create_task(use("late"))
    await asyncio.gather(holder, *waiters, late)
    assert served == ["holder", "first", "second", "third", "late"]


async def test_a_waiter_that_times_out_gives_up_its_place(one_connection: DriverPool) -> None:
    async with one_connection.connection():
        with pytest.raises(TimeoutError):
            async with one_connection.connection():
                pass
    async with one_connection.connection() as connection:
        assert await connection.fetchval("select 2") == 2


class LastComeFirstServed:
    """A pool of one connection at its least fair: a freed connection goes to whoever
    asked last (asyncpg's pool is unfair only under particular timings, which a test
    cannot arrange)."""

    def __init__(self) -> None:
        self.busy = False
        self.waiting: list[asyncio.Future[None]] = []

    @asynccontextmanager
    async def acquire(self, **options: object) -> AsyncIterator[str]:
        if self.busy:
            turn = asyncio.get_running_loop().create_future()
            self.waiting.append(turn)
            await turn
        self.busy = True
        try:
            yield "connection"
        finally:
            if self.waiting:
                self.waiting.pop().set_result(None)  # the newest waiter: busy stays True
            else:
                self.busy = False


async def test_waiters_are_served_in_order_whatever_the_pool_underneath() -> None:
    pool = DriverPool(LastComeFirstServed(), size=1)
    served: list[str] = []
    held, release = asyncio.Event(), asyncio.Event()

    async def use(name: str) -> None:
        async with pool.connection():
            served.append(name)
            if name == "holder":
                held.set()
                await release.wait()

    holder = asyncio.create_task(use("holder"))
    await held.wait()
    waiters = [asyncio.create_task(use(name)) for name in ("first", "second", "third")]
    await asyncio.sleep(0.01)  # all three are queued
    release.set()
    await asyncio.gather(holder, *waiters)
    assert served == ["holder", "first", "second", "third"]
