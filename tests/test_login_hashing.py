"""Password hashing never stalls other requests: it runs on a bounded thread pool, off the
event loop, with no database connection held while it runs.

The hasher is replaced by one that stops inside each hash or verify until the test lets it
go, so that what happens meanwhile is observed deterministically, not timed. Were hashing
on the event loop, the stopped hasher would stop the whole app and every test here would
fail by timing out.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from core_api.security import PasswordHashing, hashing_replaced
from tests.db import superuser
from tests.factories import BFF, PASSWORD, PLATFORM, TenantCtx, make_tenant
from tests.hashing import WAIT, HeldHasher


@pytest.fixture
async def tenant(core: httpx.AsyncClient) -> TenantCtx:
    """Made before `held` replaces the hasher."""
    return await make_tenant(core)


@pytest.fixture
def held(tenant: TenantCtx) -> Iterator[HeldHasher]:
    hasher = HeldHasher()
    with hashing_replaced(PasswordHashing(hasher, workers=1, queue=0)):
        try:
            yield hasher
        finally:
            hasher.release(100)  # whatever a failed test left waiting


def login_body(tenant: TenantCtx, password: str = PASSWORD) -> dict[str, str]:
    return {"tenant": tenant.slug, "email": tenant.admin_email, "password": password}


async def checked_out(app: FastAPI) -> int:
    """Connections the app's engine has lent out (the least of a few looks, so that a
    background job's moment with one is not mistaken for a held connection)."""
    seen = []
    for _ in range(5):
        seen.append(app.state.engine.pool.checkedout())
        await asyncio.sleep(0.02)
    return int(min(seen))


class TestLoginOffTheLoop:
    async def test_other_requests_complete_while_a_password_is_verified(
        self, core: httpx.AsyncClient, tenant: TenantCtx, held: HeldHasher
    ) -> None:
        logging_in = asyncio.create_task(
            core.post("/v1/auth/sessions", json=login_body(tenant), headers=BFF)
        )
        await held.started()
        me = await asyncio.wait_for(core.get("/v1/me", headers=tenant.admin), WAIT)
        assert me.status_code == 200
        assert not logging_in.done()
        held.release()
        assert (await logging_in).status_code == 201

    async def test_a_saturated_hasher_answers_503_with_retry_after(
        self, core: httpx.AsyncClient, tenant: TenantCtx, held: HeldHasher
    ) -> None:
        first = asyncio.create_task(
            core.post("/v1/auth/sessions", json=login_body(tenant), headers=BFF)
        )
        await held.started()  # the one worker is busy and no one may wait (queue=0)
        busy = await core.post("/v1/auth/sessions", json=login_body(tenant), headers=BFF)
        assert busy.status_code == 503
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.headers["retry-after"] == "1"
        assert busy.json()["type"].endswith("/hasher-busy")
        held.release()
        assert (await first).status_code == 201
        # The refused one left nothing counted behind.
        held.release()
        again = await core.post("/v1/auth/sessions", json=login_body(tenant), headers=BFF)
        assert again.status_code == 201

    async def test_a_wrong_password_and_an_unknown_account_both_cost_a_verify(
        self, core: httpx.AsyncClient, tenant: TenantCtx, held: HeldHasher
    ) -> None:
        unknown = {**login_body(tenant), "email": "nobody@example.com"}
        # The first miss of a process also makes the dummy hash it verifies: two calls.
        for body, calls in ((login_body(tenant, "wrong password"), 1), (unknown, 2)):
            attempt = asyncio.create_task(core.post("/v1/auth/sessions", json=body, headers=BFF))
            await held.started()  # a miss reaches the hasher too (a dummy hash)
            assert not attempt.done()
            held.release(calls)
            answer = await attempt
            assert answer.status_code == 401
            assert answer.json()["type"].endswith("/invalid-credentials")


class TestAccountReadAgainAfterVerifying:
    async def test_an_account_deactivated_meanwhile_gets_no_session(
        self, core: httpx.AsyncClient, tenant: TenantCtx, held: HeldHasher
    ) -> None:
        logging_in = asyncio.create_task(
            core.post("/v1/auth/sessions", json=login_body(tenant), headers=BFF)
        )
        await held.started()
        async with superuser() as db:
            await db.execute(
                text("update users set is_active = false where id = :id"), {"id": tenant.admin_id}
            )
        held.release()
        answer = await logging_in
        assert answer.status_code == 401
        assert answer.json()["type"].endswith("/invalid-credentials")

    async def test_a_password_changed_meanwhile_gets_no_session(
        self, core: httpx.AsyncClient, tenant: TenantCtx, held: HeldHasher
    ) -> None:
        logging_in = asyncio.create_task(
            core.post("/v1/auth/sessions", json=login_body(tenant), headers=BFF)
        )
        await held.started()
        async with superuser() as db:
            await db.execute(
                text("update users set password_hash = 'replaced' where id = :id"),
                {"id": tenant.admin_id},
            )
        held.release()
        assert (await logging_in).status_code == 401


Call = Callable[[httpx.AsyncClient, TenantCtx], Awaitable[httpx.Response]]


async def _login(core: httpx.AsyncClient, tenant: TenantCtx) -> httpx.Response:
    return await core.post("/v1/auth/sessions", json=login_body(tenant), headers=BFF)


async def _change_password(core: httpx.AsyncClient, tenant: TenantCtx) -> httpx.Response:
    body = {"current_password": PASSWORD, "new_password": "another long password"}
    return await core.post("/v1/me/password", json=body, headers=tenant.admin)


async def _create_user(core: httpx.AsyncClient, tenant: TenantCtx) -> httpx.Response:
    roles = (await core.get("/v1/roles", headers=tenant.admin)).json()
    roles = roles["items"] if isinstance(roles, dict) else roles
    body = {
        "email": f"new-{secrets.token_hex(3)}@{tenant.slug}.example.com",
        "password": PASSWORD,
        "role_id": tenant.role_id(roles, "Adjudicator"),
    }
    return await core.post("/v1/users", json=body, headers=tenant.admin)


async def _create_tenant(core: httpx.AsyncClient, tenant: TenantCtx) -> httpx.Response:
    slug = f"t-{secrets.token_hex(5)}"
    body = {
        "slug": slug,
        "name": "Held Health",
        "admin_email": f"admin@{slug}.example.com",
        "admin_password": PASSWORD,
    }
    return await core.post("/v1/tenants", json=body, headers=PLATFORM)


class TestNoConnectionHeldWhileHashing:
    @pytest.mark.parametrize(
        ("call", "hashes", "status"),
        [
            (_login, 1, 201),
            (_change_password, 2, 204),  # verifies the current password, hashes the new
            (_create_user, 1, 201),
            (_create_tenant, 1, 201),
        ],
        ids=["login", "password-change", "user", "tenant"],
    )
    async def test_hashing_holds_no_connection(
        self,
        core: httpx.AsyncClient,
        core_app: FastAPI,
        tenant: TenantCtx,
        held: HeldHasher,
        call: Call,
        hashes: int,
        status: int,
    ) -> None:
        await core.get("/v1/roles", headers=tenant.admin)  # warm: nothing lazy left to open
        running = asyncio.create_task(call(core, tenant))
        for _ in range(hashes):
            await held.started()
            assert await checked_out(core_app) == 0
            held.release()
        answer = await running
        assert answer.status_code == status, answer.text
