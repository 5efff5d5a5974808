"""Background jobs: a pass repeated every so often while the core process runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable


async def _repeat(
    name: str, run_pass: Callable[[], Awaitable[object]], interval: float, log: logging.Logger
) -> None:
    while True:
        try:
            await run_pass()
        except Exception:
            log.exception("%s pass failed", name)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def periodic(
    name: str, run_pass: Callable[[], Awaitable[object]], interval: float, log: logging.Logger
) -> AsyncIterator[None]:
    """Runs `run_pass` every `interval` seconds for the lifetime of the block (not at all
    with an interval of 0), the first time at once. A pass that raises is logged to `log`
    and the next one runs on schedule; the loop is cancelled when the block ends."""
    if interval == 0:
        yield
        return
    task = asyncio.create_task(
        _repeat(name, run_pass, interval, log), name=f"vetra-{name.lower().replace(' ', '-')}"
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
