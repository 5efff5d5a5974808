"""A user's own sessions: `GET /v1/me/sessions`, `DELETE /v1/me/sessions/{id}` and
`DELETE /v1/me/sessions` (everywhere else, or everywhere)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import (
    PLATFORM,
    TenantCtx,
    login,
    make_staff,
    make_tenant,
    session_headers,
)
from tests.test_notification_streams import (
    client,
    ids,
    latest_seq,
    notify,
    open_streams,
    replayed,
    served,
    until,
)
from tests.test_problems import assert_problem

SESSIONS = "/v1/me/sessions"


async def listed(core: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await core.get(SESSIONS, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def signed_in_twice(
    core: httpx.AsyncClient, tenant: TenantCtx
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """A user with two sessions (the second, say, a phone): (user, first, second)."""
    user, first = await make_staff(core, tenant, "Finance")
    second = session_headers(await login(core, tenant.slug, user["email"]))
    return user, first, second


async def stands(core: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    status = (await core.get("/v1/me", headers=headers)).status_code
    assert status in (200, 401)
    return status == 200


async def current_id(core: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return str(next(s["id"] for s in await listed(core, headers) if s["current"]))


class TestListing:
    async def test_own_standing_sessions_the_asking_one_marked(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        _, first, second = await signed_in_twice(core, tenant)
        sessions = await listed(core, first)
        assert len(sessions) == 2
        assert [s["current"] for s in sessions] == [False, True]  # the newest sign-in first
        assert set(sessions[0]) == {
            "id",
            "ip",
            "user_agent",
            "created_at",
            "last_seen_at",
            "expires_at",
            "current",
        }
        from_the_phone = await listed(core, second)
        assert [s["id"] for s in from_the_phone] == [s["id"] for s in sessions]
        assert [s["current"] for s in from_the_phone] == [True, False]

    async def test_never_another_users_nor_another_tenants(self, core: httpx.AsyncClient) -> None:
        tenant, other_tenant = await make_tenant(core), await make_tenant(core)
        _, mine, _ = await signed_in_twice(core, tenant)
        _, colleague = await make_staff(core, tenant, "Finance")
        _, stranger = await make_staff(core, other_tenant, "Finance")
        theirs = {await current_id(core, colleague), await current_id(core, stranger)}
        assert theirs.isdisjoint({s["id"] for s in await listed(core, mine)})
        for session_id in theirs:
            assert_problem(await core.delete(f"{SESSIONS}/{session_id}", headers=mine), 404)
        assert await stands(core, colleague)
        assert await stands(core, stranger)

    async def test_ended_sessions_are_not_listed(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        _, first, second = await signed_in_twice(core, tenant)
        await core.delete("/v1/auth/sessions/current", headers=second)
        assert [s["current"] for s in await listed(core, first)] == [True]

    async def test_a_key_has_no_sessions(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        created = await core.post(
            "/v1/api-keys",
            json={"name": "ledger", "scope": "tenant_integration"},
            headers=tenant.admin,
        )
        assert created.status_code == 201, created.text
        key = {"x-api-key": created.json()["key"]}
        assert_problem(await core.get(SESSIONS, headers=key), 403)
        assert_problem(await core.delete(SESSIONS, headers=key), 403)
        assert_problem(await core.get(SESSIONS, headers=PLATFORM), 403)


class TestSigningOut:
    async def test_one_session_ends_and_the_rest_stand(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        _, first, second = await signed_in_twice(core, tenant)
        phone = await current_id(core, second)
        ended = await core.delete(f"{SESSIONS}/{phone}", headers=first)
        assert ended.status_code == 204, ended.text
        assert not await stands(core, second)
        assert await stands(core, first)
        again = await core.delete(f"{SESSIONS}/{phone}", headers=first)
        assert again.status_code == 204  # ended stays ended
        assert_problem(await core.delete(f"{SESSIONS}/not-an-id", headers=first), 422)

    async def test_everywhere_else_keeps_the_asking_one(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        user, first, second = await signed_in_twice(core, tenant)
        third = session_headers(await login(core, tenant.slug, user["email"]))
        _, colleague = await make_staff(core, tenant, "Finance")
        ended = await core.delete(SESSIONS, headers=first)
        assert ended.status_code == 204, ended.text
        assert [await stands(core, h) for h in (first, second, third)] == [True, False, False]
        assert await stands(core, colleague)
        assert [s["current"] for s in await listed(core, first)] == [True]

    async def test_everywhere_ends_the_asking_one_too(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        _, first, second = await signed_in_twice(core, tenant)
        ended = await core.delete(SESSIONS, params={"keep_current": "false"}, headers=first)
        assert ended.status_code == 204, ended.text
        assert [await stands(core, h) for h in (first, second)] == [False, False]

    async def test_each_sign_out_is_audited(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        _, first, second = await signed_in_twice(core, tenant)
        await core.delete(f"{SESSIONS}/{await current_id(core, second)}", headers=first)
        await core.delete(SESSIONS, headers=first)
        events = await core.get("/v1/audit-events", params={"limit": 200}, headers=tenant.admin)
        actions = [e["action"] for e in events.json()["items"]]
        assert {"auth.session_ended", "auth.sessions_ended"} <= set(actions)


class TestStreams:
    async def test_a_signed_out_sessions_streams_end_at_once(self) -> None:
        # No periodic check to speak of: only the revocation's notify can end them.
        with served(sse_session_check_seconds=600) as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                user, desk, phone = await signed_in_twice(c, tenant)
                after = await latest_seq(c, desk)
                async with (
                    open_streams(c, phone, 2, after) as doomed,
                    open_streams(c, desk, 1, after) as (kept,),
                ):
                    await until(replayed(hub, 3))
                    phone_id = await current_id(c, phone)
                    ended = await c.delete(f"{SESSIONS}/{phone_id}", headers=desk)
                    assert ended.status_code == 204, ended.text
                    for reader in doomed:
                        assert await reader.rest(within=3) == []
                    await notify([(tenant.id, user["id"])])
                    assert ids(await kept.take(1)) == [after + 1]
