"""API keys: scopes, hashing, revocation, last use, and the 401s for bad keys."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from tests.db import superuser
from tests.factories import BFF, PLATFORM, TenantCtx, make_provider, make_tenant


async def create_key(
    core: httpx.AsyncClient, tenant: TenantCtx, permissions: list[str] | None = None
) -> dict[str, str]:
    body: dict[str, object] = {"name": "erp", "scope": "tenant_integration"}
    if permissions is not None:
        body["permissions"] = permissions
    response = await core.post("/v1/api-keys", json=body, headers=tenant.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


class TestKeyChecks:
    @pytest.mark.parametrize(
        "headers",
        [{}, {"x-api-key": "wrong"}, {"x-api-key": "vk_0123456789abcdef.nope"}],
        ids=["missing", "garbage", "unknown-prefix"],
    )
    async def test_bad_key_is_401_problem(
        self, core: httpx.AsyncClient, headers: dict[str, str]
    ) -> None:
        response = await core.get("/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"

    async def test_right_prefix_wrong_secret_is_401(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        key = (await create_key(core, tenant))["key"]
        prefix = key.split(".")[0]
        response = await core.get("/v1/me", headers={"x-api-key": f"{prefix}.forged-secret"})
        assert response.status_code == 401

    async def test_platform_key_cannot_act_in_a_tenant(self, core: httpx.AsyncClient) -> None:
        assert (await core.get("/v1/users", headers=PLATFORM)).status_code == 403

    async def test_only_platform_key_creates_tenants(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        body = {
            "slug": "nope-tenant",
            "name": "X",
            "admin_email": "a@example.com",
            "admin_password": "long enough password",
        }
        assert (await core.post("/v1/tenants", json=body, headers=tenant.admin)).status_code == 403
        assert (await core.post("/v1/tenants", json=body, headers=BFF)).status_code == 401


class TestIntegrationKeys:
    async def test_key_is_shown_once_and_stored_hashed(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        created = await create_key(core, tenant)
        listed = (await core.get("/v1/api-keys", headers=tenant.admin)).json()["items"]
        assert [k["id"] for k in listed] == [created["id"]]
        assert "key" not in listed[0]
        secret = created["key"].split(".", 1)[1]
        async with superuser() as conn:
            stored = (await conn.execute(text("select key_hash from api_keys"))).scalars().all()
        assert secret not in stored

    async def test_key_acts_for_its_tenant_with_its_permissions(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        key = (await create_key(core, tenant, ["users:read"]))["key"]
        headers = {"x-api-key": key}
        me = (await core.get("/v1/me", headers=headers)).json()
        assert me["kind"] == "integration"
        assert me["tenant"]["id"] == tenant.id
        assert (await core.get("/v1/users", headers=headers)).status_code == 200
        assert (await core.get("/v1/roles", headers=headers)).status_code == 403

    async def test_cannot_grant_more_than_you_hold(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/api-keys",
            json={"name": "x", "scope": "tenant_integration", "permissions": ["claims:create"]},
            headers=tenant.admin,
        )
        assert response.status_code == 403

    @pytest.mark.parametrize("scope", ["platform", "bff", "provider_integration", "root"])
    async def test_hmo_creates_only_tenant_integration_keys(
        self, core: httpx.AsyncClient, scope: str
    ) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/api-keys", json={"name": "x", "scope": scope}, headers=tenant.admin
        )
        assert response.status_code == 422

    async def test_only_a_provider_key_names_a_provider(self, core: httpx.AsyncClient) -> None:
        """An HMO's key cannot carry a provider_id it would never use (nor can a provider's
        key of another scope); 422 on the field, and no key is created."""
        tenant = await make_tenant(core)
        provider = await make_provider(core)
        body = {"name": "erp", "scope": "tenant_integration", "provider_id": provider.id}
        response = await core.post("/v1/api-keys", json=body, headers=tenant.admin)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["provider_id"]
        for scope in ("tenant_integration", "platform", "bff"):
            body = {"name": "erp", "scope": scope, "provider_id": provider.id}
            response = await core.post("/v1/api-keys", json=body, headers=provider.user)
            assert response.status_code == 422, (scope, response.text)
            assert [e["field"] for e in response.json()["errors"]] == ["provider_id"], scope
        keys = await core.get("/v1/api-keys", headers=tenant.admin)
        assert keys.json()["items"] == []
        own = {"name": "erp", "scope": "provider_integration", "provider_id": provider.id}
        created = await core.post("/v1/api-keys", json=own, headers=provider.user)
        assert created.status_code == 201, created.text
        assert created.json()["provider_id"] == provider.id

    async def test_revoked_key_stops_working(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        created = await create_key(core, tenant)
        headers = {"x-api-key": created["key"]}
        assert (await core.get("/v1/me", headers=headers)).status_code == 200
        response = await core.delete(f"/v1/api-keys/{created['id']}", headers=tenant.admin)
        assert response.status_code == 204
        assert (await core.get("/v1/me", headers=headers)).status_code == 401

    async def test_last_used_at_is_recorded(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        created = await create_key(core, tenant)
        await core.get("/v1/me", headers={"x-api-key": created["key"]})
        listed = (await core.get("/v1/api-keys", headers=tenant.admin)).json()["items"]
        assert listed[0]["last_used_at"] is not None

    async def test_concurrent_use_of_one_key(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        headers = {"x-api-key": (await create_key(core, tenant))["key"]}
        responses = await asyncio.gather(*(core.get("/v1/me", headers=headers) for _ in range(8)))
        assert {r.status_code for r in responses} == {200}
