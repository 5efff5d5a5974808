"""BFF fixtures: a BFF app pointed at the real core (`live_core`), and browser-like clients.

Non-streaming tests drive the BFF in process (httpx ASGITransport); what needs real
sockets (SSE, a slow or absent core) serves it with `tests.live.serve`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bff.config import Settings
from bff.main import create_app
from tests.factories import PASSWORD, TenantCtx, make_tenant

ORIGIN = "https://portal.example.com"
COOKIE = "vetra_session"


def bff_settings(core_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "core_url": core_url,
        "cors_origins": ORIGIN,
        "login_limit_per_account": 1000,
        "login_limit_per_ip": 1000,
        **overrides,
    }
    return Settings(**values)


def browser(app: FastAPI) -> httpx.AsyncClient:
    """A client with its own cookie jar, talking to `app` in process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff")


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser for `app`, with the app's lifespan running (so its upstream client exists)."""
    async with app.router.lifespan_context(app), browser(app) as client:
        yield client


BffFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def make_bff(live_core: str) -> BffFactory:
    """`async with make_bff(login_limit_per_ip=2) as client:` — a BFF with its own settings."""

    def make(**overrides: Any) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        core_url = overrides.pop("core_url", live_core)
        return running(create_app(bff_settings(core_url, **overrides)))

    return make


@pytest.fixture
async def bff_app(live_core: str) -> AsyncIterator[FastAPI]:
    app = create_app(bff_settings(live_core))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def bff(bff_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(bff_app) as client:
        yield client


@pytest.fixture
async def core_http(live_core: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the live core itself (creating tenants, checking the core's view)."""
    async with httpx.AsyncClient(base_url=live_core) as client:
        yield client


@pytest.fixture
async def tenant(core_http: httpx.AsyncClient) -> TenantCtx:
    return await make_tenant(core_http)


@dataclass
class Browser:
    """A signed-in browser: its client holds the cookie; `csrf` goes on unsafe requests."""

    client: httpx.AsyncClient
    user: dict[str, Any]
    csrf: str

    @property
    def cookie(self) -> str:
        return str(self.client.cookies[COOKIE])

    def unsafe(self) -> dict[str, str]:
        return {"x-csrf-token": self.csrf}


async def sign_in(
    client: httpx.AsyncClient, tenant: TenantCtx, email: str | None = None
) -> Browser:
    response = await client.post(
        "/api/auth/login",
        json={"tenant": tenant.slug, "email": email or tenant.admin_email, "password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return Browser(client, body["user"], body["csrf_token"])


@pytest.fixture
async def admin(bff: httpx.AsyncClient, tenant: TenantCtx) -> Browser:
    return await sign_in(bff, tenant)
