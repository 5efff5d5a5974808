"""A password hasher a test can hold still, to see what happens while a hash runs."""

from __future__ import annotations

import asyncio
import threading

from core_api.config import get_settings
from core_api.security import argon2_hasher

WAIT = 10.0  # seconds: only reached when something is wrong


class HeldHasher:
    """argon2 at the test cost, but each call, once started, waits for a `release()`.

    Install it with `core_api.security.hashing_replaced(PasswordHashing(HeldHasher(), …))`;
    it reaches the in-process core and `live_core` alike (one hashing pool per process)."""

    def __init__(self) -> None:
        self._inner = argon2_hasher(get_settings())
        self._started = threading.Semaphore(0)
        self._go = threading.Semaphore(0)

    def hash(self, password: str) -> str:
        self._hold()
        return self._inner.hash(password)

    def verify(self, password: str, hash: str) -> bool:
        self._hold()
        return self._inner.verify(password, hash)

    async def started(self) -> None:
        """Until a call is inside the hasher (it runs on a worker thread, not here)."""
        assert await asyncio.to_thread(self._started.acquire, True, WAIT), "nothing hashed"

    def release(self, calls: int = 1) -> None:
        """Lets this many calls (started or to come) through."""
        self._go.release(calls)

    def _hold(self) -> None:
        self._started.release()
        assert self._go.acquire(timeout=WAIT), "the test never released the hasher"
