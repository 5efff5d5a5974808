"""Secrets: password hashing (argon2 via pwdlib), opaque tokens, API key material.

Hashing and verifying a password costs argon2's tenth of a second or more of CPU, so it
never runs on the event loop: `hash_password` and `verify_password` hand it to a small
pool of threads (argon2 releases the GIL), sized by `VETRA_PASSWORD_HASH_WORKERS`, with at
most `VETRA_PASSWORD_HASH_QUEUE` more waiting. Beyond that the caller gets 503
`hasher-busy` with Retry-After at once instead of a place in an endless queue. The
threads run at a lower CPU priority (`VETRA_PASSWORD_HASH_NICE`), so that a storm of
logins slows down logins, not every other request of the process.

Callers never hold a database connection while they await either: read what is needed
in one short transaction, hash, then write in another.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import math
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Protocol, TypeVar

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from core_api.config import Settings, get_settings
from shared.problems import ProblemError

MIN_PASSWORD_LENGTH = 10
API_KEY_PREFIX = "vk"
T = TypeVar("T")


class HasherBusy(ProblemError):
    status = 503
    type = "hasher-busy"
    title = "Too busy"


class Hasher(Protocol):
    """What is used of pwdlib's `PasswordHash` (a test may pass a slower one)."""

    def hash(self, password: str) -> str: ...
    def verify(self, password: str, hash: str) -> bool: ...


def argon2_hasher(settings: Settings) -> PasswordHash:
    """argon2id at pwdlib's recommended cost; under `VETRA_ENV=test` at its lowest, since
    the suite creates hundreds of accounts and each hash costs a quarter of a second here.
    A hash records its parameters, so either verifies the other's."""
    if settings.env == "test":
        return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    return PasswordHash.recommended()


class PasswordHashing:
    """Password hashing on `workers` threads, with at most `queue` jobs waiting for one."""

    def __init__(
        self,
        hasher: Hasher,
        *,
        workers: int,
        queue: int,
        retry_after_seconds: float = 1.0,
        nice: int = 0,
    ) -> None:
        self.hasher = hasher
        self.limit = workers + queue
        self.retry_after = str(max(1, math.ceil(retry_after_seconds)))
        self._nice = nice
        self._lock = threading.Lock()  # `_pending` is shared by every event loop's threads
        self._pending = 0
        self._dummy_hash: str | None = None
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="vetra-hash", initializer=self._lower_priority
        )

    @property
    def pending(self) -> int:
        """Jobs running or waiting for a thread."""
        return self._pending

    async def hash(self, password: str) -> str:
        return await self._run(self.hasher.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """Whether `password` matches; with no hash (no such account) a dummy hash is
        verified all the same, so that a miss costs as much time as a hit."""
        if password_hash is None:
            return await self._run(self._verify_dummy, password)
        return await self._run(self.hasher.verify, password, password_hash)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self, func: Callable[..., T], *args: str) -> T:
        with self._lock:
            if self._pending >= self.limit:
                raise HasherBusy(
                    "Too many logins at once; try again shortly.",
                    headers={"retry-after": self.retry_after},
                )
            self._pending += 1
        try:
            job: Future[T] = self._executor.submit(func, *args)
        except BaseException:
            self._done(None)
            raise
        # Counted until the thread is done with it, even if the caller stops waiting.
        job.add_done_callback(self._done)
        return await asyncio.wrap_future(job)

    def _done(self, _job: object) -> None:
        with self._lock:
            self._pending -= 1

    def _verify_dummy(self, password: str) -> bool:
        if self._dummy_hash is None:  # once, on a worker (two racing would both be fine)
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        self.hasher.verify(password, self._dummy_hash)
        return False

    def _lower_priority(self) -> None:
        """Runs on each new worker thread. Linux keeps a nice value per thread, and the
        threads argon2 starts for its lanes inherit it."""
        if self._nice <= 0 or not hasattr(os, "setpriority"):
            return
        with contextlib.suppress(OSError):  # not allowed: hashing keeps the normal priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self._nice)


def default_hash_workers() -> int:
    """Half the cores: each argon2 hash already runs its four lanes on parallel threads."""
    return max(1, (os.cpu_count() or 2) // 2)


_hashing: PasswordHashing | None = None
_hashing_lock = threading.Lock()


def password_hashing() -> PasswordHashing:
    """The process's hashing pool, made from the settings on first use."""
    global _hashing
    with _hashing_lock:
        if _hashing is None:
            settings = get_settings()
            _hashing = PasswordHashing(
                argon2_hasher(settings),
                workers=settings.password_hash_workers or default_hash_workers(),
                queue=settings.password_hash_queue,
                retry_after_seconds=settings.password_hash_retry_after_seconds,
                nice=settings.password_hash_nice,
            )
        return _hashing


@contextmanager
def hashing_replaced(hashing: PasswordHashing) -> Iterator[PasswordHashing]:
    """Uses `hashing` for a while (tests: a slow or a tiny pool), then the previous one."""
    global _hashing
    with _hashing_lock:
        previous, _hashing = _hashing, hashing
    try:
        yield hashing
    finally:
        with _hashing_lock:
            _hashing = previous
        hashing.close()


async def hash_password(password: str) -> str:
    """The argon2id hash of `password`, computed off the event loop (or 503 `hasher-busy`)."""
    return await password_hashing().hash(password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether `password` matches `password_hash` (None: no such account), off the loop."""
    return await password_hashing().verify(password, password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_api_key() -> tuple[str, str, str]:
    """Returns (full key shown once, public prefix stored in clear, digest of the secret)."""
    prefix = f"{API_KEY_PREFIX}_{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    return f"{prefix}.{secret}", prefix, token_digest(secret)


def split_api_key(key: str) -> tuple[str, str] | None:
    prefix, sep, secret = key.partition(".")
    if not sep or not prefix.startswith(API_KEY_PREFIX + "_") or not secret:
        return None
    return prefix, secret
