"""Notifications: the outbox per recipient, read state, and the SSE stream with replay."""

from __future__ import annotations

import asyncio
import json

import httpx

from tests.factories import PASSWORD, TenantCtx, make_staff, make_tenant
from tests.sse import EventReader


async def rename(core: httpx.AsyncClient, tenant: TenantCtx, user_id: str, name: str) -> None:
    """An admin edit: notifies the edited user (`account.updated`)."""
    current = (await core.get(f"/v1/users/{user_id}", headers=tenant.admin)).json()
    response = await core.patch(
        f"/v1/users/{user_id}",
        json={"version": current["version"], "first_name": name},
        headers=tenant.admin,
    )
    assert response.status_code == 200, response.text


class TestInbox:
    async def test_recipient_sees_own_notifications_newest_first(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        user, headers = await make_staff(core, tenant, "Finance")
        for name in ("Ada", "Bola"):
            await rename(core, tenant, user["id"], name)
        items = (await core.get("/v1/notifications", headers=headers)).json()["items"]
        assert [n["seq"] for n in items] == [2, 1]
        assert items[0]["type"] == "account.updated"
        assert (await core.get("/v1/notifications", headers=tenant.admin)).json()["items"] == []

    async def test_mark_read_and_filter_unread(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        user, headers = await make_staff(core, tenant, "Finance")
        await rename(core, tenant, user["id"], "Ada")
        await rename(core, tenant, user["id"], "Bola")
        first = (await core.get("/v1/notifications", headers=headers)).json()["items"][-1]
        read = await core.post(f"/v1/notifications/{first['id']}/read", headers=headers)
        assert read.status_code == 200
        assert read.json()["read_at"] is not None
        unread = (await core.get("/v1/notifications?unread=true", headers=headers)).json()["items"]
        assert [n["seq"] for n in unread] == [2]

    async def test_cannot_mark_someone_elses(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        user, headers = await make_staff(core, tenant, "Finance")
        await rename(core, tenant, user["id"], "Ada")
        mine = (await core.get("/v1/notifications", headers=headers)).json()["items"][0]
        response = await core.post(f"/v1/notifications/{mine['id']}/read", headers=tenant.admin)
        assert response.status_code == 404

    async def test_writes_roll_back_with_the_change(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        user, headers = await make_staff(core, tenant, "Finance")
        stale = await core.patch(
            f"/v1/users/{user['id']}",
            json={"version": 99, "first_name": "X"},
            headers=tenant.admin,
        )
        assert stale.status_code == 409
        assert (await core.get("/v1/notifications", headers=headers)).json()["items"] == []


class TestStream:
    async def test_live_events_then_replay_after_reconnect(self, live_core: str) -> None:
        async with httpx.AsyncClient(base_url=live_core, timeout=10) as client:
            tenant = await make_tenant(client)
            user, headers = await make_staff(client, tenant, "Finance")

            async with client.stream("GET", "/v1/notifications/stream", headers=headers) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                reader = EventReader(stream)
                await rename(client, tenant, user["id"], "Ada")
                await rename(client, tenant, user["id"], "Bola")
                live = await reader.take(2)
            assert [e.id for e in live] == ["1", "2"]
            assert live[0].event == "account.updated"
            assert json.loads(live[1].data)["seq"] == 2

            for name in ("Chi", "Dayo", "Ebi"):  # while disconnected
                await rename(client, tenant, user["id"], name)

            resumed = {**headers, "last-event-id": live[-1].id or ""}
            async with client.stream("GET", "/v1/notifications/stream", headers=resumed) as stream:
                reader = EventReader(stream)
                replayed = await reader.take(3)
                await rename(client, tenant, user["id"], "Femi")
                after = await reader.take(1)
            assert [e.id for e in replayed + after] == ["3", "4", "5", "6"]

    async def test_concurrent_notifications_arrive_in_order_without_gaps(
        self, live_core: str
    ) -> None:
        async with httpx.AsyncClient(base_url=live_core, timeout=10) as client:
            tenant = await make_tenant(client)
            user, headers = await make_staff(client, tenant, "Finance")
            async with client.stream("GET", "/v1/notifications/stream", headers=headers) as stream:
                reader = EventReader(stream)
                for new_password in ("first new password", "second new password"):
                    old = PASSWORD if new_password.startswith("first") else "first new password"
                    await asyncio.gather(
                        rename(client, tenant, user["id"], new_password[:5]),
                        client.post(
                            "/v1/me/password",
                            headers=headers,
                            json={"current_password": old, "new_password": new_password},
                        ),
                    )
                got = await reader.take(4)
            assert [e.id for e in got] == ["1", "2", "3", "4"]
            assert sorted(e.event or "" for e in got) == [
                "account.updated",
                "account.updated",
                "security.password_changed",
                "security.password_changed",
            ]

    async def test_stream_ends_when_the_session_is_revoked(self, live_core: str) -> None:
        async with httpx.AsyncClient(base_url=live_core, timeout=10) as client:
            tenant = await make_tenant(client)
            _, headers = await make_staff(client, tenant, "Finance")
            async with client.stream("GET", "/v1/notifications/stream", headers=headers) as stream:
                await client.delete("/v1/auth/sessions/current", headers=headers)
                await asyncio.wait_for(stream.aread(), timeout=10)
