"""Roles, users, permissions and invites."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import text

from tests.db import superuser
from tests.factories import (
    BFF,
    PASSWORD,
    login,
    make_provider,
    make_staff,
    make_tenant,
    session_headers,
)


class TestRoles:
    async def test_seeded_roles(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        roles = (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
        names = {r["name"] for r in roles}
        assert names == {
            "Admin",
            "Claims Manager",
            "Adjudicator",
            "Finance",
            "Provider Relations",
            "Read-only",
        }

    async def test_custom_role_grants_exactly_its_permissions(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        role = (
            await core.post(
                "/v1/roles",
                json={"name": "Auditor", "permissions": ["audit:read", "users:read"]},
                headers=tenant.admin,
            )
        ).json()
        email = f"auditor@{tenant.slug}.example.com"
        await core.post(
            "/v1/users",
            json={"email": email, "password": PASSWORD, "role_id": role["id"]},
            headers=tenant.admin,
        )
        auditor = session_headers(await login(core, tenant.slug, email))
        assert (await core.get("/v1/audit-events", headers=auditor)).status_code == 200
        denied = await core.get("/v1/roles", headers=auditor)
        assert denied.status_code == 403
        assert denied.json()["permission"] == "roles:read"

    async def test_role_change_applies_to_the_next_request(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        roles = (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
        finance = next(r for r in roles if r["name"] == "Finance")
        _, headers = await make_staff(core, tenant, "Finance")
        assert (await core.get("/v1/users", headers=headers)).status_code == 403
        updated = await core.patch(
            f"/v1/roles/{finance['id']}",
            json={
                "version": finance["version"],
                "permissions": [*finance["permissions"], "users:read"],
            },
            headers=tenant.admin,
        )
        assert updated.status_code == 200, updated.text
        assert (await core.get("/v1/users", headers=headers)).status_code == 200

    async def test_unknown_permission_is_422(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/roles",
            json={"name": "X", "permissions": ["claims:teleport"]},
            headers=tenant.admin,
        )
        assert response.status_code == 422
        assert "claims:teleport" in response.json()["detail"]

    async def test_admin_role_is_locked(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        admin = next(
            r
            for r in (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
            if r["name"] == "Admin"
        )
        response = await core.patch(
            f"/v1/roles/{admin['id']}", json={"version": 1, "permissions": []}, headers=tenant.admin
        )
        assert response.status_code == 403

    async def test_duplicate_role_name_is_409(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post("/v1/roles", json={"name": "Finance"}, headers=tenant.admin)
        assert response.status_code == 409

    async def test_permission_catalog(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        catalog = (await core.get("/v1/permissions", headers=tenant.admin)).json()["items"]
        assert len(catalog) >= 55
        assert all(":" in p["name"] and p["description"] for p in catalog)


class TestUsers:
    async def test_duplicate_email_is_409(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        roles = (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
        response = await core.post(
            "/v1/users",
            json={
                "email": tenant.admin_email.upper(),
                "password": PASSWORD,
                "role_id": roles[0]["id"],
            },
            headers=tenant.admin,
        )
        assert response.status_code == 409

    async def test_role_from_another_tenant_is_422(self, core: httpx.AsyncClient) -> None:
        mine, theirs = await make_tenant(core), await make_tenant(core)
        their_role = (await core.get("/v1/roles", headers=theirs.admin)).json()["items"][0]
        response = await core.post(
            "/v1/users",
            json={
                "email": f"x@{mine.slug}.example.com",
                "password": PASSWORD,
                "role_id": their_role["id"],
            },
            headers=mine.admin,
        )
        assert response.status_code == 422

    async def test_cannot_deactivate_yourself(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.patch(
            f"/v1/users/{tenant.admin_id}",
            json={"version": 1, "is_active": False},
            headers=tenant.admin,
        )
        assert response.status_code == 403

    async def test_list_pages_through_everyone(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        for _ in range(3):
            await make_staff(core, tenant, "Read-only")
        first = (await core.get("/v1/users?limit=2", headers=tenant.admin)).json()
        second = (
            await core.get(f"/v1/users?limit=2&cursor={first['next_cursor']}", headers=tenant.admin)
        ).json()
        ids = [u["id"] for u in first["items"] + second["items"]]
        assert len(ids) == len(set(ids)) == 4
        assert second["next_cursor"] is None


class TestInvites:
    async def invite_token(self, tenant_id: str) -> str:
        async with superuser() as conn:
            body = (
                (
                    await conn.execute(
                        text(
                            "select body from email_outbox where tenant_id = :t"
                            " order by created_at desc"
                        ),
                        {"t": tenant_id},
                    )
                )
                .scalars()
                .first()
            )
        assert body is not None
        return str(body.split("token=")[1].split()[0])

    async def test_invite_round_trip(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        roles = (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
        finance = next(r["id"] for r in roles if r["name"] == "Finance")
        email = f"new@{tenant.slug}.example.com"
        invite = await core.post(
            "/v1/invites", json={"email": email, "role_id": finance}, headers=tenant.admin
        )
        assert invite.status_code == 201, invite.text
        token = await self.invite_token(tenant.id)
        accept = {"tenant": tenant.slug, "token": token, "password": PASSWORD, "first_name": "New"}
        accepted = await core.post("/v1/invites/accept", json=accept, headers=BFF)
        assert accepted.status_code == 201, accepted.text
        assert accepted.json()["role_id"] == finance
        headers = session_headers(await login(core, tenant.slug, email))
        assert (
            "settlements:create"
            in (await core.get("/v1/me", headers=headers)).json()["permissions"]
        )
        again = await core.post("/v1/invites/accept", json=accept, headers=BFF)
        assert again.status_code == 400

    async def test_token_is_bound_to_its_tenant(self, core: httpx.AsyncClient) -> None:
        tenant, other = await make_tenant(core), await make_tenant(core)
        roles = (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
        await core.post(
            "/v1/invites",
            json={"email": f"n@{tenant.slug}.example.com", "role_id": roles[0]["id"]},
            headers=tenant.admin,
        )
        token = await self.invite_token(tenant.id)
        response = await core.post(
            "/v1/invites/accept",
            headers=BFF,
            json={"tenant": other.slug, "token": token, "password": PASSWORD},
        )
        assert response.status_code == 400


class TestProviderUsers:
    """A provider organisation's users are peers: each lists, invites and deactivates the
    others (no roles there), and never reaches another organisation's users."""

    async def test_invite_deactivate_and_isolation(self, core: httpx.AsyncClient) -> None:
        provider, other = await make_provider(core), await make_provider(core)
        email = f"nurse@{provider.slug}.example.com"
        with_role = await core.post(
            "/v1/invites",
            json={"email": email, "role_id": str(uuid.uuid4())},
            headers=provider.user,
        )
        assert with_role.status_code == 422, with_role.text
        assert with_role.json()["errors"][0]["field"] == "role_id"
        invite = await core.post("/v1/invites", json={"email": email}, headers=provider.user)
        assert invite.status_code == 201, invite.text
        assert invite.json()["role_id"] is None
        token = await TestInvites().invite_token(provider.tenant_id)
        accepted = await core.post(
            "/v1/invites/accept",
            json={"tenant": provider.slug, "token": token, "password": PASSWORD},
            headers=BFF,
        )
        assert accepted.status_code == 201, accepted.text
        nurse = accepted.json()
        assert (nurse["kind"], nurse["role_id"]) == ("PROVIDER", None)
        headers = session_headers(await login(core, provider.slug, email))
        me = (await core.get("/v1/me", headers=headers)).json()
        assert {"claims:create", "users:invite"} <= set(me["permissions"])
        listed = (await core.get("/v1/users", headers=provider.user)).json()["items"]
        assert {u["email"] for u in listed} == {provider.email, email}
        assert (await core.get(f"/v1/users/{nurse['id']}", headers=other.user)).status_code == 404
        off = await core.patch(
            f"/v1/users/{nurse['id']}",
            json={"version": nurse["version"], "is_active": False},
            headers=provider.user,
        )
        assert off.status_code == 200, off.text
        assert (await core.get("/v1/me", headers=headers)).status_code == 401

    async def test_hmo_invite_needs_a_role(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/invites", json={"email": f"x@{tenant.slug}.example.com"}, headers=tenant.admin
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "role_id"
