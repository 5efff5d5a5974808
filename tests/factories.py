"""Builders for test data, all through the API."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from shared.settings import DEV_BFF_API_KEY, DEV_PLATFORM_API_KEY

PLATFORM = {"x-api-key": DEV_PLATFORM_API_KEY}
BFF = {"x-api-key": DEV_BFF_API_KEY}
PASSWORD = "correct horse battery"


def session_headers(token: str) -> dict[str, str]:
    return {**BFF, "x-session-token": token}


@dataclass
class TenantCtx:
    id: str
    slug: str
    code: str
    admin_email: str
    admin_id: str
    admin: dict[str, str]

    def role_id(self, roles: list[dict[str, Any]], name: str) -> str:
        return next(r["id"] for r in roles if r["name"] == name)


async def login(core: httpx.AsyncClient, tenant: str, email: str, password: str = PASSWORD) -> str:
    response = await core.post(
        "/v1/auth/sessions",
        json={"tenant": tenant, "email": email, "password": password},
        headers=BFF,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


async def make_tenant(core: httpx.AsyncClient, name: str = "Acme Health") -> TenantCtx:
    slug = f"t-{secrets.token_hex(5)}"
    email = f"admin@{slug}.example.com"
    response = await core.post(
        "/v1/tenants",
        json={"slug": slug, "name": name, "admin_email": email, "admin_password": PASSWORD},
        headers=PLATFORM,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    token = await login(core, slug, email)
    return TenantCtx(
        id=body["tenant"]["id"],
        slug=slug,
        code=body["tenant"]["code"],
        admin_email=email,
        admin_id=body["admin"]["id"],
        admin=session_headers(token),
    )


async def make_staff(
    core: httpx.AsyncClient, tenant: TenantCtx, role: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Creates a staff user with a seeded role; returns (user, session headers)."""
    roles = (await core.get("/v1/roles", headers=tenant.admin)).json()
    email = f"{role.lower().replace(' ', '-')}-{secrets.token_hex(3)}@{tenant.slug}.example.com"
    response = await core.post(
        "/v1/users",
        json={"email": email, "password": PASSWORD, "role_id": tenant.role_id(roles, role)},
        headers=tenant.admin,
    )
    assert response.status_code == 201, response.text
    return response.json(), session_headers(await login(core, tenant.slug, email))
