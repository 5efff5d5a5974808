"""Login throttling per account and per client IP."""

from __future__ import annotations

import httpx

from bff.throttle import SlidingWindow
from tests.bff.conftest import BffFactory
from tests.factories import PASSWORD, TenantCtx


async def attempt(client: httpx.AsyncClient, tenant: str, email: str, password: str) -> int:
    body = {"tenant": tenant, "email": email, "password": password}
    return (await client.post("/api/auth/login", json=body)).status_code


class TestLoginThrottle:
    async def test_per_account_limit_gives_429_with_retry_after(
        self, make_bff: BffFactory, tenant: TenantCtx
    ) -> None:
        async with make_bff(login_limit_per_account=2, login_window_seconds=60) as client:
            for _ in range(2):
                assert await attempt(client, tenant.slug, tenant.admin_email, "wrong") == 401
            response = await client.post(
                "/api/auth/login",
                json={"tenant": tenant.slug, "email": tenant.admin_email, "password": PASSWORD},
            )
            assert response.status_code == 429
            assert response.headers["content-type"] == "application/problem+json"
            assert 0 < int(response.headers["retry-after"]) <= 60
            assert response.json()["type"].endswith("too-many-attempts")
            # The same account in different spelling is the same account.
            upper = tenant.admin_email.upper()
            assert await attempt(client, tenant.slug.upper(), upper, "wrong") == 429
            # Another account from the same IP is not blocked by this one.
            assert await attempt(client, tenant.slug, "someone@example.com", "wrong") == 401

    async def test_per_ip_limit_covers_every_account(self, make_bff: BffFactory) -> None:
        async with make_bff(login_limit_per_ip=3) as client:
            for n in range(3):
                assert await attempt(client, "nowhere", f"u{n}@example.com", "x") == 401
            assert await attempt(client, "nowhere", "u9@example.com", "x") == 429


class TestSlidingWindow:
    def test_window_slides(self) -> None:
        now = [0.0]
        window = SlidingWindow(2, 10, max_keys=10, clock=lambda: now[0])
        window.hit("k")
        now[0] = 4
        window.hit("k")
        assert window.retry_after("k") == 6
        now[0] = 10
        assert window.retry_after("k") == 0
        window.hit("k")
        assert window.retry_after("k") == 4

    def test_memory_is_bounded(self) -> None:
        window = SlidingWindow(1, 60, max_keys=3)
        for key in "abcde":
            window.hit(key)
        assert window.retry_after("a") == 0
        assert window.retry_after("e") > 0
        assert len(window._hits) == 3
