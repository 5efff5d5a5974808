"""The audit log: an entry per sensitive action, append-only, hash-chained, exportable."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from sqlalchemy import text

from tests.db import app_role, superuser
from tests.factories import TenantCtx, make_staff, make_tenant


async def actions(core: httpx.AsyncClient, tenant: TenantCtx) -> list[str]:
    page = (await core.get("/v1/audit-events?limit=200", headers=tenant.admin)).json()
    return [e["action"] for e in reversed(page["items"])]


class TestEntries:
    async def test_tenant_setup_is_audited(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        assert await actions(core, tenant) == ["tenant.created", "user.created", "auth.login"]

    async def test_entry_carries_actor_object_request_and_ip(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        user, _ = await make_staff(core, tenant, "Finance")
        response = await core.patch(
            f"/v1/users/{user['id']}",
            json={"version": 1, "first_name": "Bola"},
            headers={**tenant.admin, "x-request-id": "req-audit-1", "x-client-ip": "203.0.113.9"},
        )
        assert response.status_code == 200
        entry = (
            await core.get("/v1/audit-events?action=user.updated", headers=tenant.admin)
        ).json()["items"][0]
        assert entry["actor_id"] == tenant.admin_id
        assert entry["actor_label"] == tenant.admin_email
        assert (entry["object_type"], entry["object_id"]) == ("user", user["id"])
        assert entry["request_id"] == "req-audit-1"
        assert entry["ip"] == "203.0.113.9"

    async def test_pagination_walks_every_entry_once(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        for _ in range(4):
            await make_staff(core, tenant, "Read-only")
        seen, cursor = [], None
        while True:
            params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
            page = (await core.get("/v1/audit-events", params=params, headers=tenant.admin)).json()
            seen.extend(e["seq"] for e in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(seen, reverse=True)
        assert len(seen) == len(set(seen)) == max(seen)

    async def test_bad_cursor_is_422(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.get("/v1/audit-events?cursor=%%%", headers=tenant.admin)
        assert response.status_code == 422

    async def test_csv_export(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.get("/v1/audit-events?format=csv", headers=tenant.admin)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["action"] for r in rows] == ["tenant.created", "user.created", "auth.login"]
        assert rows[1]["prev_hash"] == rows[0]["hash"]

    async def test_reading_needs_permission(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        _, adjudicator = await make_staff(core, tenant, "Adjudicator")
        assert (await core.get("/v1/audit-events", headers=adjudicator)).status_code == 403


class TestChain:
    async def test_intact_chain_verifies(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        await make_staff(core, tenant, "Finance")
        verdict = (await core.get("/v1/audit-events/verify", headers=tenant.admin)).json()
        assert verdict["ok"] is True
        assert verdict["checked"] == 5

    async def test_app_role_cannot_update_or_delete(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        for statement in ("update audit_events set action = 'x'", "delete from audit_events"):
            async with app_role() as conn, conn.begin():
                await conn.execute(
                    text("select set_config('app.tenant_id', :t, true)"), {"t": tenant.id}
                )
                with pytest.raises(Exception, match="permission denied"):
                    await conn.execute(text(statement))

    async def test_trigger_refuses_even_the_owner(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        with pytest.raises(Exception, match="append-only"):
            async with superuser() as conn:
                await conn.execute(
                    text("delete from audit_events where tenant_id = :t"), {"t": tenant.id}
                )

    @pytest.mark.parametrize(
        ("tamper", "reason"),
        [
            ("update audit_events set action = 'tenant.deleted' where seq = 2", "entry altered"),
            ("delete from audit_events where seq = 2", "chain link broken"),
        ],
    )
    async def test_tampering_is_detected(
        self, core: httpx.AsyncClient, tamper: str, reason: str
    ) -> None:
        tenant = await make_tenant(core)
        async with superuser() as conn:
            await conn.execute(text("set local session_replication_role = replica"))
            await conn.execute(text(f"{tamper} and tenant_id = :t"), {"t": tenant.id})
        verdict = (await core.get("/v1/audit-events/verify", headers=tenant.admin)).json()
        assert verdict["ok"] is False
        assert verdict["first_bad_seq"] == 2
        assert verdict["reason"] in (reason, "entry missing")
