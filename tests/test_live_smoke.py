from __future__ import annotations

import httpx

from tests.factories import make_tenant


async def test_live_core_answers(live_core: str) -> None:
    async with httpx.AsyncClient(base_url=live_core) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/readyz")).status_code == 200
        tenant = await make_tenant(client)
        assert (await client.get("/v1/me", headers=tenant.admin)).status_code == 200
