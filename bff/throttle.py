"""Login throttling: a sliding window of attempts per account and per client IP.

The windows live in this process's memory, so each running copy of the BFF limits
independently (N copies allow up to N times the limit). That is enough to make password
guessing slow; a shared store would be needed for an exact global limit. Memory is
bounded: at most `max_keys` keys, each holding at most `limit` timestamps, and the key
used least recently is dropped first.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from shared.problems import ProblemError


class TooManyAttempts(ProblemError):
    status = 429
    type = "too-many-attempts"
    title = "Too many attempts"


class SlidingWindow:
    """Allows `limit` hits per key in any `window` seconds."""

    def __init__(
        self,
        limit: int,
        window: float,
        max_keys: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may hit again; 0 when it may hit now."""
        hits = self._hits.get(key)
        if hits is None:
            return 0.0
        cutoff = self._clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) < self.limit:
            return 0.0
        return hits[0] - cutoff

    def hit(self, key: str) -> None:
        hits = self._hits.pop(key, None) or deque(maxlen=self.limit)
        hits.append(self._clock())
        self._hits[key] = hits
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)


class LoginThrottle:
    """Counts every login attempt (argon2 makes each one costly for the core too)."""

    def __init__(self, per_account: SlidingWindow, per_ip: SlidingWindow) -> None:
        self.per_account = per_account
        self.per_ip = per_ip

    def attempt(self, tenant: str, email: str, ip: str) -> None:
        """Records an attempt, or raises 429 with Retry-After when either limit is reached."""
        account = f"{tenant.strip().lower()}\x00{email.strip().lower()}"
        wait = max(self.per_account.retry_after(account), self.per_ip.retry_after(ip))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyAttempts(
                f"Too many login attempts; try again in {seconds} seconds.",
                headers={"retry-after": str(seconds)},
            )
        self.per_account.hit(account)
        self.per_ip.hit(ip)
