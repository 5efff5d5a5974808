from __future__ import annotations

import httpx

from tests.factories import make_tenant


async def test_tenant_admin_can_read_me(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    response = await core.get("/v1/me", headers=tenant.admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["email"] == tenant.admin_email
    assert "users:create" in body["permissions"]
