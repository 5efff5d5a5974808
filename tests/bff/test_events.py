"""`GET /api/events`: the core's notification stream relayed over real HTTP, resumable."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from bff.main import create_app
from tests.bff.conftest import COOKIE, bff_settings
from tests.factories import PASSWORD, TenantCtx
from tests.live import serve
from tests.sse import Event, EventReader

# Long enough that the core's pings never matter; events arrive within milliseconds.
WAIT = 10


@pytest.fixture(scope="module")
def bff_url(live_core: str) -> Iterator[str]:
    with serve(create_app(bff_settings(live_core))) as url:
        yield url


class Admin:
    """The tenant admin signed in to the served BFF; renames itself to cause notifications."""

    def __init__(self, client: httpx.AsyncClient, user: dict[str, Any], csrf: str) -> None:
        self.client = client
        self.user = user
        self.csrf = csrf
        self.version = user["version"]

    async def rename(self, name: str) -> None:
        response = await self.client.patch(
            f"/api/users/{self.user['id']}",
            json={"version": self.version, "first_name": name},
            headers={"x-csrf-token": self.csrf},
        )
        assert response.status_code == 200, response.text
        self.version = response.json()["version"]

    async def last_seq(self) -> int:
        items = (await self.client.get("/api/notifications", params={"limit": 1})).json()["items"]
        return int(items[0]["seq"]) if items else 0


@pytest.fixture
async def admin(bff_url: str, tenant: TenantCtx) -> AsyncIterator[Admin]:
    async with httpx.AsyncClient(base_url=bff_url, timeout=WAIT) as client:
        response = await client.post(
            "/api/auth/login",
            json={"tenant": tenant.slug, "email": tenant.admin_email, "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        user = (await client.get(f"/api/users/{response.json()['user']['id']}")).json()
        yield Admin(client, user, response.json()["csrf_token"])


def seqs(events: list[Event]) -> list[int]:
    return [int(event.id or 0) for event in events]


async def test_events_resume_after_a_disconnect_with_nothing_lost_or_repeated(
    admin: Admin,
) -> None:
    start = await admin.last_seq()
    resume = {"last-event-id": str(start)}
    async with admin.client.stream("GET", "/api/events", headers=resume) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        reader = EventReader(stream)
        await admin.rename("One")
        await admin.rename("Two")
        seen = await reader.take(2, WAIT)
    assert seqs(seen) == [start + 1, start + 2]
    assert all(event.event == "account.updated" for event in seen)
    assert json.loads(seen[0].data)["type"] == "account.updated"

    # Disconnected: these two happen while the browser is away.
    await admin.rename("Three")
    await admin.rename("Four")

    resume = {"last-event-id": seen[-1].id or ""}
    async with admin.client.stream("GET", "/api/events", headers=resume) as stream:
        reader = EventReader(stream)
        missed = await reader.take(2, WAIT)
        assert seqs(missed) == [start + 3, start + 4]
        # Live again: the next event is the next number, so nothing came twice.
        await admin.rename("Five")
        assert seqs(await reader.take(1, WAIT)) == [start + 5]


async def test_query_parameter_resumes_a_first_connection(admin: Admin) -> None:
    start = await admin.last_seq()
    await admin.rename("Six")
    await admin.rename("Seven")
    url = f"/api/events?last_event_id={start + 1}"
    async with admin.client.stream("GET", url) as stream:
        assert seqs(await EventReader(stream).take(1, WAIT)) == [start + 2]


async def test_events_need_a_session(bff_url: str) -> None:
    async with httpx.AsyncClient(base_url=bff_url) as client:
        assert (await client.get("/api/events")).status_code == 401
        client.cookies.set(COOKIE, "revoked-or-forged")
        response = await client.get("/api/events")
        assert response.status_code == 401
        assert response.json()["type"].endswith("session-expired")
