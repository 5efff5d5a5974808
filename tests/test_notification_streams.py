"""Notification streams at scale: the hub's fan-out, pings, session ends, back-pressure and
a lost listener, each through a real core served over HTTP with the settings it needs."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import threading
import types
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
from sqlalchemy import text

from core_api.config import Settings
from core_api.main import create_app
from core_api.notifications.hub import NotificationHub
from core_api.notifications.stream import EventStream
from core_api.security import token_digest
from shared.heap import HeapTrimmer
from shared.http import RequestContextMiddleware
from tests.db import app_role, superuser
from tests.factories import (
    PASSWORD,
    PLATFORM,
    TenantCtx,
    login,
    make_staff,
    make_tenant,
    session_headers,
)
from tests.live import serve
from tests.sse import Event, EventReader, RawStream
from tests.test_problems import assert_problem


@contextlib.contextmanager
def served(**settings: Any) -> Iterator[tuple[str, NotificationHub]]:
    """A core of its own (own engine, listener and hub) with these settings."""
    app = create_app(Settings(**settings))
    with serve(app) as base_url:
        yield base_url, app.state.notification_hub


@contextlib.asynccontextmanager
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, timeout=20, limits=limits) as c:
        yield c


async def notify(
    recipients: list[tuple[str, str]], count: int = 1, pad: int = 0, start: int = 1
) -> None:
    """`count` notifications to each recipient (tenant id, user id), committed at once;
    each carries its recipient and its number (and `pad` bytes of filler)."""
    last = start + count - 1
    async with superuser() as conn:
        for tenant_id, user_id in recipients:
            await conn.execute(
                text(
                    "select vetra_notify(cast(:t as uuid), cast(:u as uuid), 'test.event',"
                    " 'Test ' || i, '', jsonb_build_object('user', cast(:u as text), 'n', i,"
                    " 'pad', repeat('x', cast(:pad as int))))"
                    " from generate_series(cast(:start as int), cast(:end as int)) i"
                ),
                {"t": tenant_id, "u": user_id, "pad": pad, "start": start, "end": last},
            )


async def latest_seq(c: httpx.AsyncClient, headers: dict[str, str]) -> int:
    items = (await c.get("/v1/notifications?limit=1", headers=headers)).json()["items"]
    return int(items[0]["seq"]) if items else 0


async def until(check: Callable[[], bool], within: float = 10, what: str = "") -> None:
    """Polls `check` (state of a server in another thread: nothing to wait on here)."""
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert check(), what


def replayed(hub: NotificationHub, count: int) -> Callable[[], bool]:
    """Every one of `count` streams has replayed and takes the hub's feed."""

    def check() -> bool:
        streams = [s for group in hub._by_user.values() for s in group]
        return len(streams) == count and all(s.position is not None for s in streams)

    return check


@contextlib.asynccontextmanager
async def open_streams(
    c: httpx.AsyncClient, headers: dict[str, str], count: int, after: int
) -> AsyncIterator[list[EventReader]]:
    async with contextlib.AsyncExitStack() as stack:
        responses = await asyncio.gather(
            *(
                stack.enter_async_context(
                    c.stream("GET", f"/v1/notifications/stream?after={after}", headers=headers)
                )
                for _ in range(count)
            )
        )
        for response in responses:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
        yield [EventReader(response) for response in responses]


def ids(events: list[Event]) -> list[int]:
    return [int(e.id or 0) for e in events]


class TestFanOut:
    async def test_each_event_reaches_every_stream_of_every_user_once_in_order(self) -> None:
        with served() as (base_url, hub):
            async with client(base_url) as c:
                first, second = await make_tenant(c), await make_tenant(c)
                people: list[tuple[TenantCtx, dict[str, Any], dict[str, str], int]] = []
                for tenant, streams in ((first, 50), (first, 10), (second, 10)):
                    user, headers = await make_staff(c, tenant, "Finance")
                    people.append((tenant, user, headers, streams))
                async with contextlib.AsyncExitStack() as stack:
                    readers = []
                    for _, _, headers, count in people:
                        after = await latest_seq(c, headers)
                        group = await stack.enter_async_context(
                            open_streams(c, headers, count, after)
                        )
                        readers.append((after, group))
                    await until(replayed(hub, 70), what="streams replayed")
                    reads = hub.stats.batch_reads

                    await notify([(t.id, u["id"]) for t, u, _, _ in people], count=5)

                    for (_, user, _, _), (after, group) in zip(people, readers, strict=True):
                        got = await asyncio.gather(*(reader.take(5) for reader in group))
                        for events in got:
                            assert ids(events) == list(range(after + 1, after + 6))
                            assert {json.loads(e.data)["data"]["user"] for e in events} == {
                                user["id"]
                            }
                    assert hub.stats.batch_reads - reads == 1  # one query for the burst
                    assert hub.stats.overflows == 0
            await until(lambda: hub.tracked_users == 0, what="nothing left behind")

    async def test_a_burst_beyond_the_queue_is_read_again_not_dropped(self) -> None:
        with served(sse_queue_events=8) as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                user, headers = await make_staff(c, tenant, "Finance")
                after = await latest_seq(c, headers)
                async with open_streams(c, headers, 5, after) as readers:
                    await until(replayed(hub, 5))
                    await notify([(tenant.id, user["id"])], count=300)
                    got = await asyncio.gather(*(reader.take(300) for reader in readers))
                for events in got:
                    assert ids(events) == list(range(after + 1, after + 301))
                assert hub.stats.overflows == 0

    async def test_the_batched_read_keeps_to_each_rows_tenant(self) -> None:
        """RLS still applies: asked for a user under another tenant, it finds nothing."""
        with served() as (base_url, _):
            async with client(base_url) as c:
                mine, other = await make_tenant(c), await make_tenant(c)
                user, _ = await make_staff(c, mine, "Finance")
        await notify([(mine.id, user["id"])], count=2)
        sql = "select * from vetra_notifications_after(:t, :u, :a, 10)"
        async with app_role() as conn:
            for tenant, expected in ((mine.id, 2), (other.id, 0)):
                result = await conn.execute(
                    text(sql), {"t": [uuid.UUID(tenant)], "u": [uuid.UUID(user["id"])], "a": [0]}
                )
                assert len(result.all()) == expected


class TestPings:
    async def test_pings_go_out_with_no_database_work(self) -> None:
        with served(sse_ping_seconds=0.2, sse_session_check_seconds=600) as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                _, headers = await make_staff(c, tenant, "Finance")
            streams = [await RawStream.open(base_url, headers) for _ in range(20)]
            await until(replayed(hub, 20))
            before = (hub.stats.batch_reads, hub.stats.replay_reads, hub.stats.session_checks)
            await asyncio.sleep(1.5)
            pings = [await s.pings() for s in streams]
            assert all(p >= 4 for p in pings), pings
            assert (hub.stats.batch_reads, hub.stats.replay_reads, hub.stats.session_checks) == (
                before
            )
            for s in streams:
                await s.close()
            await until(lambda: hub.open_streams == 0, what="closed streams leave the hub")


EXPIRE = "update auth_sessions set expires_at = now() - interval '1 second' where token_hash = :h"
IDLE = "update auth_sessions set last_seen_at = now() - interval '1 day' where token_hash = :h"


class TestSessionEnds:
    async def test_a_revoked_session_ends_its_streams_at_once_and_no_others(self) -> None:
        # No periodic check to speak of: only the revocation's notify can end them.
        with served(sse_session_check_seconds=600) as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                user, ending = await make_staff(c, tenant, "Finance")
                staying = session_headers(await login(c, tenant.slug, user["email"]))
                after = await latest_seq(c, ending)
                async with (
                    open_streams(c, ending, 5, after) as doomed,
                    open_streams(c, staying, 2, after) as kept,
                ):
                    await until(replayed(hub, 7))
                    await c.delete("/v1/auth/sessions/current", headers=ending)
                    for reader in doomed:
                        assert await reader.rest(within=3) == []
                    await notify([(tenant.id, user["id"])])
                    for reader in kept:
                        assert ids(await reader.take(1)) == [after + 1]

    async def test_a_password_change_ends_the_other_sessions_streams(self) -> None:
        with served(sse_session_check_seconds=600) as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                user, current = await make_staff(c, tenant, "Finance")
                other = session_headers(await login(c, tenant.slug, user["email"]))
                after = await latest_seq(c, current)
                async with (
                    open_streams(c, other, 3, after) as doomed,
                    open_streams(c, current, 1, after) as (kept,),
                ):
                    await until(replayed(hub, 4))
                    changed = await c.post(
                        "/v1/me/password",
                        headers=current,
                        json={"current_password": PASSWORD, "new_password": "a brand new one"},
                    )
                    assert changed.status_code == 204, changed.text
                    for reader in doomed:
                        assert await reader.rest(within=3) == []
                    (event,) = await kept.take(1)
                    assert event.event == "security.password_changed"

    async def test_expired_and_idle_sessions_end_their_streams(self) -> None:
        with served(sse_session_check_seconds=0.3) as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                user, expiring = await make_staff(c, tenant, "Finance")
                idle = session_headers(await login(c, tenant.slug, user["email"]))
                live = session_headers(await login(c, tenant.slug, user["email"]))
                after = await latest_seq(c, live)
                async with (
                    open_streams(c, expiring, 2, after) as expired_streams,
                    open_streams(c, idle, 2, after) as idle_streams,
                    open_streams(c, live, 1, after) as (kept,),
                ):
                    await until(replayed(hub, 5))
                    async with superuser() as conn:
                        for headers, statement in (
                            (expiring, EXPIRE),
                            (idle, IDLE),
                        ):
                            await conn.execute(
                                text(statement), {"h": token_digest(headers["x-session-token"])}
                            )
                    for reader in expired_streams + idle_streams:
                        assert await reader.rest(within=5) == []
                    await notify([(tenant.id, user["id"])])
                    assert ids(await kept.take(1)) == [after + 1]


class TestBackPressure:
    async def test_a_reader_that_stops_is_dropped_and_resumes_with_nothing_lost(self) -> None:
        count, pad = 100, 100_000
        with served(sse_queue_events=4, sse_fanout_window_seconds=0) as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                user, headers = await make_staff(c, tenant, "Finance")
                after = await latest_seq(c, headers)
            stuck = await RawStream.open(
                base_url, {**headers, "last-event-id": str(after)}, receive_buffer=4096
            )
            await until(replayed(hub, 1))
            for n in range(1, count + 1):  # one commit each; the reader reads nothing
                await notify([(tenant.id, user["id"])], pad=pad, start=n)
                if hub.stats.overflows:
                    break
                await asyncio.sleep(0.01)
            assert hub.stats.overflows == 1, "the stream was not dropped"
            assert hub.open_streams == 0
            remaining = range(n + 1, count + 1)
            if remaining:
                await notify([(tenant.id, user["id"])], count=len(remaining), pad=pad, start=n + 1)

            first = await stuck.events(within=30)  # what was on its way, then the end
            assert stuck.ended
            await stuck.close()
            assert first, "nothing reached the reader before it was dropped"
            resumed = await RawStream.open(
                base_url, {**headers, "last-event-id": first[-1].id or ""}
            )
            rest = await resumed.events(count - len(first), within=30)
            await resumed.close()
        got = ids(first + rest)
        assert got == list(range(after + 1, after + count + 1))
        assert [json.loads(e.data)["data"]["n"] for e in first + rest] == list(range(1, count + 1))


class TestListener:
    async def test_a_lost_listener_connection_loses_nothing(self) -> None:
        with served() as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                user, headers = await make_staff(c, tenant, "Finance")
                after = await latest_seq(c, headers)
                async with open_streams(c, headers, 3, after) as readers:
                    await until(replayed(hub, 3))
                    connects = hub.stats.listener_connects
                    pid = hub._conn.get_server_pid()
                    async with superuser() as conn:
                        await conn.execute(text("select pg_terminate_backend(:p)"), {"p": pid})
                    await until(lambda: hub._conn is None, what="listener down")
                    await notify([(tenant.id, user["id"])], count=3)  # nobody hears these
                    await until(lambda: hub.stats.listener_connects > connects, within=10)
                    got = await asyncio.gather(*(reader.take(3) for reader in readers))
                    for events in got:
                        assert ids(events) == [after + 1, after + 2, after + 3]
                    await notify([(tenant.id, user["id"])], count=1, start=4)
                    for reader in readers:
                        assert ids(await reader.take(1)) == [after + 4]


def live_coroutines(function: Callable[..., Any]) -> int:
    """How many coroutines of `function` are suspended right now (a stream's layers)."""
    code = function.__code__
    return sum(
        1 for o in gc.get_objects() if isinstance(o, types.CoroutineType) and o.cr_code is code
    )


class CountedTrims:
    """A stand-in for malloc_trim that counts its calls (made on the executor's thread)."""

    def __init__(self) -> None:
        self.calls = 0
        self.called = threading.Event()

    def __call__(self) -> None:
        self.calls += 1
        self.called.set()


class TestBelowTheMiddleware:
    async def test_refusals_are_the_usual_problems_and_a_stream_keeps_no_request_layer(
        self,
    ) -> None:
        """The route still checks the key, the session and the id (problem+json as any
        route); an open stream's body runs below the middleware, which have finished."""
        with served() as (base_url, hub):
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                for headers, status in (
                    ({}, 401),
                    (session_headers("not-a-session"), 401),
                    (PLATFORM, 403),  # a credential with no user
                    ({**tenant.admin, "last-event-id": "abc"}, 422),
                ):
                    refused = await c.get("/v1/notifications/stream", headers=headers)
                    assert_problem(refused, status)
                    assert refused.headers["x-request-id"]
                assert [e["field"] for e in refused.json()["errors"]] == ["last-event-id"]

                async with open_streams(c, tenant.admin, 3, 0) as _readers:
                    await until(replayed(hub, 3))
                    assert live_coroutines(EventStream._body) == 3
                    assert live_coroutines(RequestContextMiddleware.__call__) == 0


class TestMemoryBack:
    async def test_the_heap_is_trimmed_once_many_streams_have_closed(self) -> None:
        trims = CountedTrims()
        with served() as (base_url, hub):
            hub.trimmer = HeapTrimmer(after_closed=4, settle=0, trim=trims)
            async with client(base_url) as c:
                tenant = await make_tenant(c)
                async with open_streams(c, tenant.admin, 4, 0):
                    await until(replayed(hub, 4))
                    assert trims.calls == 0
                await until(lambda: hub.open_streams == 0)
            assert await asyncio.to_thread(trims.called.wait, 10)
            assert (hub.trimmer.trims, trims.calls) == (1, 1)
