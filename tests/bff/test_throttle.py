"""Login throttling per account and per client IP: only failed logins count."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text

from bff.throttle import SlidingWindow
from core_api.security import PasswordHashing, hashing_replaced
from tests.bff.conftest import BffFactory
from tests.db import superuser
from tests.factories import PASSWORD, TenantCtx
from tests.hashing import HeldHasher


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
            sessions = await session_count(tenant)
            response = await client.post(
                "/api/auth/login",
                json={"tenant": tenant.slug, "email": tenant.admin_email, "password": PASSWORD},
            )
            assert response.status_code == 429
            assert response.headers["content-type"] == "application/problem+json"
            assert 0 < int(response.headers["retry-after"]) <= 60
            assert response.json()["type"].endswith("too-many-attempts")
            # Refused before the core was asked: the right password made no session.
            assert await session_count(tenant) == sessions
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


class TestOnlyFailuresCount:
    async def test_successful_logins_are_never_throttled(
        self, make_bff: BffFactory, tenant: TenantCtx
    ) -> None:
        async with make_bff(login_limit_per_account=3, login_limit_per_ip=3) as client:
            for _ in range(10):
                assert await attempt(client, tenant.slug, tenant.admin_email, PASSWORD) == 200

    async def test_a_success_clears_the_accounts_failures(
        self, make_bff: BffFactory, tenant: TenantCtx
    ) -> None:
        email = tenant.admin_email
        async with make_bff(login_limit_per_account=3) as client:
            for _ in range(2):
                assert await attempt(client, tenant.slug, email, "wrong") == 401
            assert await attempt(client, tenant.slug, email, PASSWORD) == 200
            # Three more failures are allowed again, then the account is refused.
            for _ in range(3):
                assert await attempt(client, tenant.slug, email, "wrong") == 401
            assert await attempt(client, tenant.slug, email, PASSWORD) == 429

    async def test_a_success_does_not_clear_the_ips_failures(
        self, make_bff: BffFactory, tenant: TenantCtx
    ) -> None:
        async with make_bff(login_limit_per_ip=3) as client:
            for n in range(2):
                assert await attempt(client, tenant.slug, f"u{n}@example.com", "wrong") == 401
            assert await attempt(client, tenant.slug, tenant.admin_email, PASSWORD) == 200
            assert await attempt(client, tenant.slug, "u2@example.com", "wrong") == 401
            assert await attempt(client, tenant.slug, tenant.admin_email, PASSWORD) == 429

    async def test_refused_input_is_not_a_failure(
        self, make_bff: BffFactory, tenant: TenantCtx
    ) -> None:
        async with make_bff(login_limit_per_account=1) as client:
            for _ in range(3):  # the BFF passes it on (<= 320), the core refuses it (> 254)
                body = {"tenant": tenant.slug, "email": "x" * 300, "password": "x"}
                assert (await client.post("/api/auth/login", json=body)).status_code == 422
            assert await attempt(client, tenant.slug, "x" * 300, "x") == 422

    async def test_a_busy_core_is_passed_on_and_not_counted(
        self, make_bff: BffFactory, tenant: TenantCtx
    ) -> None:
        held = HeldHasher()
        async with make_bff(login_limit_per_ip=2) as client:
            with hashing_replaced(PasswordHashing(held, workers=1, queue=0)):
                first = asyncio.create_task(
                    client.post(
                        "/api/auth/login",
                        json={
                            "tenant": tenant.slug,
                            "email": tenant.admin_email,
                            "password": PASSWORD,
                        },
                    )
                )
                await held.started()
                body = {"tenant": tenant.slug, "email": "other@example.com", "password": "x"}
                busy = await client.post("/api/auth/login", json=body)
                assert busy.status_code == 503
                assert busy.headers["retry-after"] == "1"
                assert busy.json()["type"].endswith("/hasher-busy")
                held.release(10)
                assert (await first).status_code == 200
            # Neither the busy answer nor the success counted: two failures still pass.
            for n in range(2):
                assert await attempt(client, tenant.slug, f"u{n}@example.com", "wrong") == 401
            assert await attempt(client, tenant.slug, "u9@example.com", "wrong") == 429


async def session_count(tenant: TenantCtx) -> int:
    async with superuser() as db:
        count = await db.scalar(
            text("select count(*) from auth_sessions where user_id = :id"),
            {"id": tenant.admin_id},
        )
    return int(count or 0)


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
