"""The provider directory, provider logins, and HMO-provider network links."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit.service import verify_chain
from tests.db import superuser
from tests.factories import (
    PLATFORM,
    ProviderCtx,
    TenantCtx,
    link_provider,
    make_provider,
    make_staff,
    make_tenant,
)


async def notification_types(core: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    page = (await core.get("/v1/notifications", headers=headers)).json()
    return [n["type"] for n in page["items"]]


async def request_link(
    core: httpx.AsyncClient, tenant: TenantCtx, provider: ProviderCtx
) -> dict[str, Any]:
    response = await core.post(
        "/v1/network/links", json={"provider_id": provider.id}, headers=tenant.admin
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def audit_actions(tenant_id: str) -> list[str]:
    """A tenant's audit chain, read as the owner (provider users hold no audit:read)."""
    async with superuser() as conn:
        rows = await conn.execute(
            text("select action from audit_events where tenant_id = :t order by seq"),
            {"t": tenant_id},
        )
        return list(rows.scalars())


class TestProviderCreation:
    async def test_creates_org_entry_and_provider_user_who_can_log_in(
        self, core: httpx.AsyncClient
    ) -> None:
        provider = await make_provider(core, name="Lagoon Hospital", state="Lagos")
        me = (await core.get("/v1/me", headers=provider.user)).json()
        assert me["tenant"]["kind"] == "PROVIDER"
        assert me["tenant"]["slug"] == provider.slug
        assert me["user"]["kind"] == "PROVIDER"
        assert me["user"]["role_id"] is None
        assert {"eligibility:check", "providers:read", "network:manage"} <= set(me["permissions"])
        assert "enrollees:read" not in me["permissions"]
        entry = (await core.get(f"/v1/providers/{provider.id}", headers=provider.user)).json()
        assert entry["slug"] == provider.slug
        assert entry["type"] == "HOSPITAL"
        assert await audit_actions(provider.tenant_id) == [
            "tenant.created",
            "user.created",
            "provider.created",
            "auth.login",
        ]

    async def test_provider_org_has_no_hmo_roles(self, core: httpx.AsyncClient) -> None:
        provider = await make_provider(core)
        async with superuser() as conn:
            roles = await conn.scalar(
                text("select count(*) from roles where tenant_id = :t"), {"t": provider.tenant_id}
            )
        assert roles == 0

    async def test_platform_key_only(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        body = {
            "slug": f"p-{secrets.token_hex(4)}",
            "name": "X",
            "type": "LAB",
            "state": "Lagos",
            "admin_email": "a@x.example.com",
            "admin_password": "correct horse battery",
        }
        assert (
            await core.post("/v1/providers", json=body, headers=tenant.admin)
        ).status_code == 403

    async def test_duplicate_slug_is_409(self, core: httpx.AsyncClient) -> None:
        provider = await make_provider(core)
        tenant = await make_tenant(core)
        for slug in (provider.slug, tenant.slug):
            response = await core.post(
                "/v1/providers",
                json={
                    "slug": slug,
                    "name": "Again",
                    "type": "LAB",
                    "state": "Lagos",
                    "admin_email": "b@x.example.com",
                    "admin_password": "correct horse battery",
                },
                headers=PLATFORM,
            )
            assert response.status_code == 409, response.text

    async def test_bad_type_is_422(self, core: httpx.AsyncClient) -> None:
        response = await core.post(
            "/v1/providers",
            json={"slug": "p-bad", "name": "X", "type": "SPA", "state": "Lagos"},
            headers=PLATFORM,
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

    async def test_provider_user_can_create_a_provider_integration_key(
        self, core: httpx.AsyncClient
    ) -> None:
        provider = await make_provider(core)
        response = await core.post(
            "/v1/api-keys",
            json={"name": "HIS", "scope": "provider_integration", "provider_id": provider.id},
            headers=provider.user,
        )
        assert response.status_code == 201, response.text
        me = (await core.get("/v1/me", headers={"x-api-key": response.json()["key"]})).json()
        assert me["tenant"]["id"] == provider.tenant_id


class TestDirectory:
    async def test_search_by_name_type_and_state(self, core: httpx.AsyncClient) -> None:
        tag = secrets.token_hex(4)
        hospital = await make_provider(core, f"Lagoon {tag} Hospital", "HOSPITAL", "Lagos")
        pharmacy = await make_provider(core, f"MedPlus {tag} Pharmacy", "PHARMACY", "Lagos")
        lab = await make_provider(core, f"Synlab {tag}", "LAB", "Abuja")
        tenant = await make_tenant(core)

        async def names(**params: str) -> set[str]:
            page = await core.get("/v1/providers", params=params, headers=tenant.admin)
            assert page.status_code == 200, page.text
            return {p["name"] for p in page.json()["items"]}

        assert await names(q=tag.upper()) == {hospital.name, pharmacy.name, lab.name}
        assert await names(q=f"{tag} pharm") == {pharmacy.name}
        assert await names(q=tag, type="LAB") == {lab.name}
        assert await names(q=tag, state="lagos") == {hospital.name, pharmacy.name}
        assert await names(q=f"{tag}%") == set()  # a wildcard is plain text

    async def test_keyset_pagination_walks_every_match_once(self, core: httpx.AsyncClient) -> None:
        tag = secrets.token_hex(4)
        made = {(await make_provider(core, f"Clinic {tag} {i}")).id for i in range(5)}
        tenant = await make_tenant(core)
        seen: list[str] = []
        params: dict[str, Any] = {"q": tag, "limit": 2}
        while True:
            page = (await core.get("/v1/providers", params=params, headers=tenant.admin)).json()
            seen += [p["id"] for p in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
        assert len(seen) == 5
        assert set(seen) == made

    async def test_bad_cursors_are_422(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        for path in ("/v1/providers", "/v1/network/links"):
            for cursor in ("%%%", "WyJ4Il0=", "WyJ4IiwgIngiXQ=="):  # junk, ["x"], ["x", "x"]
                response = await core.get(path, params={"cursor": cursor}, headers=tenant.admin)
                assert response.status_code == 422, (path, cursor, response.text)

    async def test_reading_needs_providers_read(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        key = await core.post(
            "/v1/api-keys",
            json={"name": "k", "scope": "tenant_integration", "permissions": ["eligibility:check"]},
            headers=tenant.admin,
        )
        narrow = {"x-api-key": key.json()["key"]}
        assert (await core.get("/v1/providers", headers=narrow)).status_code == 403
        unknown = await core.get(f"/v1/providers/{tenant.id}", headers=tenant.admin)
        assert unknown.status_code == 404


class TestLinks:
    async def test_request_then_accept_notifies_each_side(self, core: httpx.AsyncClient) -> None:
        tenant, provider = await make_tenant(core, "Avon HMO"), await make_provider(core)
        link = await request_link(core, tenant, provider)
        assert link["status"] == "REQUESTED"
        assert link["hmo"] == {
            "id": tenant.id,
            "name": "Avon HMO",
            "code": tenant.code,
            "slug": tenant.slug,
        }
        assert link["provider"]["id"] == provider.id
        assert "network.link_requested" in await notification_types(core, provider.user)

        accepted = await core.post(
            f"/v1/network/links/{link['id']}/accept",
            json={"version": link["version"]},
            headers=provider.user,
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "ACTIVE"
        assert accepted.json()["responded_at"] is not None
        assert "network_link.active" in await notification_types(core, tenant.admin)
        assert "network_link.requested" in await audit_actions(tenant.id)
        assert "network_link.active" in await audit_actions(tenant.id)
        assert "network_link.active" in await audit_actions(provider.tenant_id)
        verdict = (await core.get("/v1/audit-events/verify", headers=tenant.admin)).json()
        assert verdict["ok"] is True
        async with superuser() as conn:  # provider users hold no audit:verify
            provider_chain = await verify_chain(AsyncSession(conn), uuid.UUID(provider.tenant_id))
        assert provider_chain.ok

    async def test_decline(self, core: httpx.AsyncClient) -> None:
        tenant, provider = await make_tenant(core), await make_provider(core)
        link = await request_link(core, tenant, provider)
        declined = await core.post(f"/v1/network/links/{link['id']}/decline", headers=provider.user)
        assert declined.status_code == 200
        assert declined.json()["status"] == "DECLINED"
        assert "network_link.declined" in await notification_types(core, tenant.admin)
        again = await request_link(core, tenant, provider)  # a declined link is not open
        assert again["id"] != link["id"]

    async def test_either_side_ends_an_active_link(self, core: httpx.AsyncClient) -> None:
        tenant, provider = await make_tenant(core), await make_provider(core)
        first = await link_provider(core, tenant, provider)
        ended = await core.post(f"/v1/network/links/{first['id']}/end", headers=tenant.admin)
        assert ended.status_code == 200
        assert ended.json()["status"] == "ENDED"
        assert ended.json()["ended_by_tenant_id"] == tenant.id
        assert "network_link.ended" in await notification_types(core, provider.user)

        second = await link_provider(core, tenant, provider)
        ended = await core.post(f"/v1/network/links/{second['id']}/end", headers=provider.user)
        assert ended.json()["ended_by_tenant_id"] == provider.tenant_id
        assert "network_link.ended" in await notification_types(core, tenant.admin)

    async def test_second_open_request_is_409(self, core: httpx.AsyncClient) -> None:
        tenant, provider = await make_tenant(core), await make_provider(core)
        link = await request_link(core, tenant, provider)
        again = await core.post(
            "/v1/network/links", json={"provider_id": provider.id}, headers=tenant.admin
        )
        assert again.status_code == 409
        assert again.json()["type"].endswith("link-exists")
        await core.post(f"/v1/network/links/{link['id']}/accept", headers=provider.user)
        assert (
            await core.post(
                "/v1/network/links", json={"provider_id": provider.id}, headers=tenant.admin
            )
        ).status_code == 409

    async def test_illegal_and_stale_moves_are_409(self, core: httpx.AsyncClient) -> None:
        tenant, provider = await make_tenant(core), await make_provider(core)
        link = await link_provider(core, tenant, provider)
        again = await core.post(f"/v1/network/links/{link['id']}/accept", headers=provider.user)
        assert again.status_code == 409
        stale = await core.post(
            f"/v1/network/links/{link['id']}/end", json={"version": 1}, headers=provider.user
        )
        assert stale.status_code == 409
        assert stale.json()["type"].endswith("stale-version")

    async def test_only_the_provider_accepts_and_only_an_hmo_requests(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant, provider = await make_tenant(core), await make_provider(core)
        link = await request_link(core, tenant, provider)
        own = await core.post(f"/v1/network/links/{link['id']}/accept", headers=tenant.admin)
        assert own.status_code == 403
        other = await make_provider(core)
        by_provider = await core.post(
            "/v1/network/links", json={"provider_id": other.id}, headers=provider.user
        )
        assert by_provider.status_code == 403

    async def test_each_side_sees_only_its_own_links(self, core: httpx.AsyncClient) -> None:
        hmo_a, hmo_b = await make_tenant(core), await make_tenant(core)
        mine, theirs = await make_provider(core), await make_provider(core)
        a_mine = await link_provider(core, hmo_a, mine)
        b_mine = await request_link(core, hmo_b, mine)
        b_theirs = await request_link(core, hmo_b, theirs)

        async def ids(headers: dict[str, str], **params: str) -> set[str]:
            page = (await core.get("/v1/network/links", params=params, headers=headers)).json()
            return {link["id"] for link in page["items"]}

        assert await ids(mine.user) == {a_mine["id"], b_mine["id"]}
        assert await ids(mine.user, status="ACTIVE") == {a_mine["id"]}
        assert await ids(theirs.user) == {b_theirs["id"]}
        assert await ids(hmo_a.admin) == {a_mine["id"]}
        assert await ids(hmo_b.admin, status="REQUESTED") == {b_mine["id"], b_theirs["id"]}
        outsider = await core.post(f"/v1/network/links/{b_theirs['id']}/accept", headers=mine.user)
        assert outsider.status_code == 404
        foreign_hmo = await core.post(f"/v1/network/links/{a_mine['id']}/end", headers=hmo_b.admin)
        assert foreign_hmo.status_code == 404

    async def test_managing_needs_network_manage(self, core: httpx.AsyncClient) -> None:
        tenant, provider = await make_tenant(core), await make_provider(core)
        _, finance = await make_staff(core, tenant, "Finance")
        refused = await core.post(
            "/v1/network/links", json={"provider_id": provider.id}, headers=finance
        )
        assert refused.status_code == 403
        assert (await core.get("/v1/network/links", headers=finance)).status_code == 200
