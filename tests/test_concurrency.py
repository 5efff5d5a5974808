"""Two writers on one row: exactly one wins, the other gets 409 and changes nothing."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable

import httpx
from sqlalchemy import text

from tests.db import superuser
from tests.factories import PLATFORM, make_staff, make_tenant


async def test_two_concurrent_edits_of_one_user(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    user, _ = await make_staff(core, tenant, "Finance")
    url = f"/v1/users/{user['id']}"
    responses = await asyncio.gather(
        core.patch(url, json={"version": 1, "first_name": "Ada"}, headers=tenant.admin),
        core.patch(url, json={"version": 1, "first_name": "Bola"}, headers=tenant.admin),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["type"].endswith("stale-version")
    winner = next(r for r in responses if r.status_code == 200).json()
    current = (await core.get(url, headers=tenant.admin)).json()
    assert current["first_name"] == winner["first_name"]
    assert current["version"] == 2


async def test_stale_version_changes_nothing(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    user, _ = await make_staff(core, tenant, "Finance")
    url = f"/v1/users/{user['id']}"
    assert (
        await core.patch(url, json={"version": 1, "last_name": "A"}, headers=tenant.admin)
    ).status_code == 200
    stale = await core.patch(url, json={"version": 1, "last_name": "B"}, headers=tenant.admin)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert (await core.get(url, headers=tenant.admin)).json()["last_name"] == "A"


async def test_concurrent_tenant_creation_with_one_slug(core: httpx.AsyncClient) -> None:
    slug = f"race-{secrets.token_hex(4)}"
    body = {
        "slug": slug,
        "name": "Race",
        "admin_email": "a@example.com",
        "admin_password": "long enough password",
    }
    responses = await asyncio.gather(
        *(core.post("/v1/tenants", json=body, headers=PLATFORM) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]


async def test_concurrent_audit_appends_keep_one_chain(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    await asyncio.gather(*(make_staff(core, tenant, "Read-only") for _ in range(6)))
    verdict = (await core.get("/v1/audit-events/verify", headers=tenant.admin)).json()
    assert verdict["ok"] is True
    assert verdict["checked"] == 3 + 6 * 2  # setup + (user.created, auth.login) each


async def test_requests_survive_the_server_dropping_pooled_connections(
    core: httpx.AsyncClient,
) -> None:
    """As after a database restart: both pools (the session's and the driver's, which
    eligibility runs on) notice closed connections at checkout and connect afresh, so no
    request fails."""
    tenant = await make_tenant(core)

    def calls() -> list[Awaitable[httpx.Response]]:
        unknown = {"member_id": f"{tenant.code}-NONE-00001-P", "service_date": "2026-01-05"}
        return [
            *(core.get("/v1/me", headers=tenant.admin) for _ in range(4)),
            *(core.post("/v1/eligibility", json=unknown, headers=tenant.admin) for _ in range(4)),
        ]

    answers = [200] * 4 + [404] * 4  # the member is unknown, but the caller was resolved
    warm = await asyncio.gather(*calls())
    assert [r.status_code for r in warm] == answers
    async with superuser() as conn:
        dropped = await conn.scalar(
            text(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                " where application_name = 'vetra-core' and datname = current_database()"
                " and state = 'idle'"
            )
        )
    assert dropped >= 1
    await asyncio.sleep(0.5)  # the server's goodbye reaches the pooled sockets
    after = [await call for call in calls()]
    assert [r.status_code for r in after] == answers
