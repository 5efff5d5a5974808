"""Login throttling: a sliding window of failed logins per account and per client IP.

Only failures count (a wrong tenant, email or password), and a successful login clears
its account's failures; the client IP's stay, so one account's success does not buy
guesses at others. An attempt is refused before it reaches the core once either window
is full. Each attempt holds a place in both windows while the core answers (given back
unless it fails), so that a burst of parallel attempts cannot outrun the count.

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
from dataclasses import dataclass

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

    def hit(self, key: str) -> float:
        """Records a hit; its time, for `forget`."""
        hits = self._hits.pop(key, None) or deque(maxlen=self.limit)
        now = self._clock()
        hits.append(now)
        self._hits[key] = hits
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        return now

    def forget(self, key: str, at: float) -> None:
        """Takes back the hit recorded at `at` (if it is still held)."""
        hits = self._hits.get(key)
        if hits is not None and at in hits:
            hits.remove(at)

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)


class LoginThrottle:
    """Counts failed logins (argon2 makes each attempt costly for the core too)."""

    def __init__(self, per_account: SlidingWindow, per_ip: SlidingWindow) -> None:
        self.per_account = per_account
        self.per_ip = per_ip

    def attempt(self, tenant: str, email: str, ip: str) -> LoginAttempt:
        """Holds a place in both windows for this attempt, or raises 429 with Retry-After
        when either is full. Tell the attempt how it ended."""
        account = f"{tenant.strip().lower()}\x00{email.strip().lower()}"
        wait = max(self.per_account.retry_after(account), self.per_ip.retry_after(ip))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyAttempts(
                f"Too many failed logins; try again in {seconds} seconds.",
                headers={"retry-after": str(seconds)},
            )
        return LoginAttempt(self, account, ip, self.per_account.hit(account), self.per_ip.hit(ip))


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One attempt's places in the windows: kept if it failed, given back otherwise."""

    throttle: LoginThrottle
    account: str
    ip: str
    account_hit: float
    ip_hit: float

    def failed(self) -> None:
        """Wrong credentials: the attempt stays counted against the account and the IP."""

    def succeeded(self) -> None:
        """The account's failures are forgotten; the IP's stay."""
        self.throttle.per_account.reset(self.account)
        self.throttle.per_ip.forget(self.ip, self.ip_hit)

    def undecided(self) -> None:
        """No verdict on the credentials (refused input, a busy or unreachable core)."""
        self.throttle.per_account.forget(self.account, self.account_hit)
        self.throttle.per_ip.forget(self.ip, self.ip_hit)
