"""`GET /api/events`: the core's notification stream relayed over real HTTP, resumable."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from bff.events import (
    FD_PER_STREAM,
    FD_RESERVE,
    EventRelay,
    _CoreConnection,
    _EventStream,
    default_max_streams,
)
from bff.main import create_app
from scripts.run import free_port
from shared.heap import HeapTrimmer
from shared.http import RequestContextMiddleware
from tests.bff.conftest import COOKIE, bff_settings, running
from tests.db import superuser
from tests.factories import PASSWORD, TenantCtx
from tests.live import serve
from tests.sse import Event, EventReader
from tests.test_notification_streams import CountedTrims, live_coroutines

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


# --- streams at scale: their own connections, their bound, slow readers, endings ---------


@asynccontextmanager
async def served_bff(live_core: str, tenant: TenantCtx, **overrides: Any) -> AsyncIterator[Served]:
    """A BFF served over HTTP with `overrides`, and its tenant admin signed in to it."""
    app = create_app(bff_settings(live_core, **overrides))
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=WAIT) as client:
            response = await client.post(
                "/api/auth/login",
                json={"tenant": tenant.slug, "email": tenant.admin_email, "password": PASSWORD},
            )
            assert response.status_code == 200, response.text
            body = response.json()
            yield Served(app, url, client, body["user"]["id"], body["csrf_token"])


@dataclass
class Served:
    app: FastAPI
    url: str
    client: httpx.AsyncClient
    user_id: str
    csrf: str

    @property
    def relay(self) -> EventRelay:
        relay: EventRelay = self.app.state.events
        return relay

    def cookie(self) -> str:
        return f"{COOKIE}={self.client.cookies[COOKIE]}"

    async def streams(self, count: int, stack: AsyncExitStack) -> list[EventReader]:
        """`count` open streams of this user, each answered 200."""
        readers = []
        for _ in range(count):
            stream = await stack.enter_async_context(self.client.stream("GET", "/api/events"))
            assert stream.status_code == 200, await stream.aread()
            readers.append(EventReader(stream))
        return readers

    async def until_streams(self, count: int) -> None:
        """Waits until the BFF holds `count` streams (a closed one is let go of at once)."""
        async with asyncio.timeout(WAIT):
            while self.relay.open_streams != count:  # noqa: ASYNC110 (another thread's)
                await asyncio.sleep(0.02)


async def notify(tenant: TenantCtx, user_id: str, count: int, body_bytes: int = 100) -> None:
    """`count` notifications for the user, as the core's services write them."""
    async with superuser() as db:
        await db.execute(
            text(
                "select vetra_notify(cast(:tenant as uuid), cast(:user as uuid), 'test.bulk',"
                " 'n' || i, repeat('x', :size), '{}'::jsonb) from generate_series(1, :count) i"
            ),
            {"tenant": tenant.id, "user": user_id, "size": body_bytes, "count": count},
        )


async def last_seq(served: Served) -> int:
    items = (await served.client.get("/api/notifications", params={"limit": 1})).json()["items"]
    return int(items[0]["seq"]) if items else 0


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_default_bound_is_what_the_open_file_limit_allows() -> None:
    # Two descriptors a stream (browser, core); 200 kept for the rest of the process.
    assert default_max_streams(20_000) == 9_900
    assert default_max_streams(1_024) == 412
    assert default_max_streams(100) == 1
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert default_max_streams() == (soft - FD_RESERVE) // FD_PER_STREAM


async def test_streams_never_take_an_ordinary_requests_connection(
    live_core: str, tenant: TenantCtx
) -> None:
    """Ten streams through a BFF allowed four connections to the core for requests: every
    stream gets its events and `GET /api/me` answers at once all the while."""
    async with (
        served_bff(live_core, tenant, upstream_max_connections=4) as served,
        AsyncExitStack() as stack,
    ):
        start = await last_seq(served)
        readers = await served.streams(10, stack)
        for _ in range(20):
            began = time.monotonic()
            assert (await served.client.get("/api/me")).status_code == 200
            assert time.monotonic() - began < 1.0
        await notify(tenant, served.user_id, 2)
        for reader in readers:
            assert seqs(await reader.take(2, WAIT)) == [start + 1, start + 2]
        assert served.relay.open_streams == 10


async def test_a_stream_over_the_bound_is_refused_and_requests_go_on(
    live_core: str, tenant: TenantCtx
) -> None:
    async with served_bff(live_core, tenant, events_max_streams=2) as served:
        async with AsyncExitStack() as stack:
            await served.streams(2, stack)
            refused = await served.client.get("/api/events")
            assert refused.status_code == 503
            assert refused.json()["type"].endswith("streams-busy")
            assert int(refused.headers["retry-after"]) > 0
            assert (await served.client.get("/api/me")).status_code == 200
        await served.until_streams(0)  # closed streams give their places back
        async with AsyncExitStack() as stack:
            await served.streams(2, stack)


async def test_closed_streams_leave_no_descriptor_open(live_core: str, tenant: TenantCtx) -> None:
    """The browser goes away: the BFF closes its socket to the core at once. Browser, BFF
    and core all run in this process, so every socket of theirs is counted here."""
    async with served_bff(live_core, tenant) as served:
        for round_ in range(2):  # the first round warms the core's database pool
            if round_:
                gc.collect()
                baseline = open_files()
            async with AsyncExitStack() as stack:
                await served.streams(20, stack)
                await served.until_streams(20)
                assert open_files() >= (baseline + 40 if round_ else 40)
            await served.until_streams(0)
        async with asyncio.timeout(WAIT):
            while open_files() > baseline:  # noqa: ASYNC110 (the kernel's count)
                await asyncio.sleep(0.05)
        # Freed at once, none left in a reference cycle for the garbage collector.
        assert not any(isinstance(o, _CoreConnection) for o in gc.get_objects())


async def test_a_stream_ends_when_the_core_ends_the_session(
    live_core: str, tenant: TenantCtx
) -> None:
    async with served_bff(live_core, tenant) as served:
        async with served.client.stream("GET", "/api/events") as stream:
            assert stream.status_code == 200
            logout = await served.client.post(
                "/api/auth/logout", headers={"x-csrf-token": served.csrf}
            )
            assert logout.status_code == 204
            async with asyncio.timeout(WAIT):  # the relay ends as the core's stream does
                async for _chunk in stream.aiter_raw():
                    pass
        await served.until_streams(0)


async def test_an_unreachable_core_asks_eventsource_to_come_back() -> None:
    """EventSource gives up on a non-200 answer; an empty stream with `retry:` keeps it
    reconnecting (with its last id) until the core is back."""
    app = create_app(bff_settings(f"http://127.0.0.1:{free_port()}", events_max_streams=1))
    async with running(app) as client:
        client.cookies.set(COOKIE, "some-session")
        for _ in range(2):  # the one place is given back each time
            response = await client.get("/api/events", headers={"last-event-id": "7"})
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.text.startswith("retry: ")
        assert app.state.events.open_streams == 0


async def test_a_slow_reader_is_dropped_then_resumes_with_nothing_lost_or_doubled(
    live_core: str, tenant: TenantCtx
) -> None:
    """A browser that stops reading while events pile up: the BFF drops its stream after
    a bounded buffer; what it had received plus its reconnect from `Last-Event-ID` is
    every event once."""
    async with served_bff(live_core, tenant, events_send_timeout=0.5) as served:
        start = await last_seq(served)
        # 9.6 MB: more than the socket buffers on the way hold (the kernel lets a sender's
        # grow to 4 MB, tcp_wmem)
        count, size = 600, 16_000
        host, port = served.url.removeprefix("http://").split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        sock.settimeout(WAIT)
        try:
            sock.sendall(
                f"GET /api/events HTTP/1.1\r\nhost: {host}\r\ncookie: {served.cookie()}\r\n"
                f"last-event-id: {start}\r\n\r\n".encode()
            )
            await served.until_streams(1)
            await notify(tenant, served.user_id, count, size)
            await asyncio.sleep(3)  # not reading: the BFF gives up on this browser
            assert served.relay.open_streams == 0
            received = await asyncio.to_thread(read_to_end, sock)
        finally:
            sock.close()
        first = sse_ids(dechunk(received.partition(b"\r\n\r\n")[2]))
        assert 0 < len(first) < count
        assert first == list(range(start + 1, start + 1 + len(first)))

        resume = {"last-event-id": str(first[-1])}
        async with served.client.stream("GET", "/api/events", headers=resume) as stream:
            rest = await EventReader(stream).take(count - len(first), 30)
        assert first + seqs(rest) == list(range(start + 1, start + 1 + count))


def read_to_end(sock: socket.socket) -> bytes:
    data = bytearray()
    while chunk := sock.recv(65536):
        data += chunk
    return bytes(data)


def dechunk(body: bytes) -> bytes:
    """A chunked body's data, up to where it was cut off."""
    data = bytearray()
    while b"\r\n" in body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0 or len(body) < size + 2:
            data += body[:size]
            break
        data += body[:size]
        body = body[size + 2 :]
    return bytes(data)


def sse_ids(data: bytes) -> list[int]:
    """The ids of the complete events in `data` (an event cut off is not dispatched)."""
    ids = []
    for block in data.decode().replace("\r\n", "\n").split("\n\n")[:-1]:
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "id" in fields and "data" in fields:
            ids.append(int(fields["id"]))
    return ids


async def test_a_stream_runs_below_the_middleware_which_still_set_its_headers(
    live_core: str, tenant: TenantCtx
) -> None:
    """The head went through the BFF's middleware (request id, security headers); the
    body is relayed with none of the request's layers left waiting above it."""
    async with served_bff(live_core, tenant) as served, AsyncExitStack() as stack:
        streams = [
            await stack.enter_async_context(served.client.stream("GET", "/api/events"))
            for _ in range(3)
        ]
        for stream in streams:
            assert stream.status_code == 200
            assert stream.headers["x-request-id"]
            assert stream.headers["x-content-type-options"] == "nosniff"
        await served.until_streams(3)
        assert live_coroutines(_EventStream._body) == 3
        # Nor in the core these streams come from (served in this process too).
        assert live_coroutines(RequestContextMiddleware.__call__) == 0


async def test_a_core_silent_past_the_read_bound_ends_the_stream(
    live_core: str, tenant: TenantCtx
) -> None:
    """The core pings every second here; a bound of 0.3 s finds it silent in between."""
    async with served_bff(live_core, tenant, events_read_timeout=0.3) as served:
        async with served.client.stream("GET", "/api/events") as stream:
            assert stream.status_code == 200
            async with asyncio.timeout(WAIT):  # the relay ends it, cleanly
                async for _chunk in stream.aiter_raw():
                    pass
        await served.until_streams(0)


async def test_the_heap_is_trimmed_once_many_streams_have_closed(
    live_core: str, tenant: TenantCtx
) -> None:
    trims = CountedTrims()
    async with served_bff(live_core, tenant) as served:
        served.relay.trimmer = HeapTrimmer(after_closed=3, settle=0, trim=trims)
        async with AsyncExitStack() as stack:
            await served.streams(3, stack)
            assert trims.calls == 0
        await served.until_streams(0)
        assert await asyncio.to_thread(trims.called.wait, WAIT)
        assert (served.relay.trimmer.trims, trims.calls) == (1, 1)
