"""The notification hub: one per core process, feeding every open stream of that process.

One asyncpg connection LISTENs for `vetra_notifications` (`<user_id>:<seq>`, sent at
commit by `vetra_notify`) and `vetra_session_ended` (`<session_id>`, sent at commit by a
trigger when a session is revoked or deleted), and is also the hub's reading connection:

- Fan-out: a notify only marks its user as woken (if the user has a stream here). After
  a short window (`VETRA_SSE_FANOUT_WINDOW_SECONDS`, or sooner once
  `VETRA_SSE_FANOUT_MAX_USERS` are woken) ONE query reads the new rows of every woken
  user (`vetra_notifications_after`: for each tenant in turn, with that tenant in force,
  so RLS still applies). Each row is framed once and the same bytes are appended to the
  bounded queue of each of the user's streams. The hub never awaits a stream.
- Per user the hub keeps a cursor (the last seq it read), only while the user has streams.
- A stream subscribes, then replays from its Last-Event-ID with a query of its own, then
  takes the hub's feed, dropping what it already replayed: no gap, no duplicate. It
  checks the order of what it is handed and reads again should a seq ever be skipped.
- Pings: one timer for the process appends a ping frame to every idle stream.
- Sessions: a revocation notify closes that session's streams at once; every
  `VETRA_SSE_SESSION_CHECK_SECONDS` one query checks every session with an open stream
  for revocation, absolute and idle expiry, and a deactivated user (a stream is not
  activity: it never touches the session).
- Back-pressure: a stream with `VETRA_SSE_QUEUE_EVENTS` frames waiting is closed; its
  client reconnects with Last-Event-ID and is replayed what it missed.
- A dropped LISTEN connection: on reconnecting, every user with streams is read again
  from its cursor, and streams still replaying replay once more, so nothing is lost.
- Memory: the hub tells its `HeapTrimmer` (shared/heap.py) how many streams are open, so
  the pages of many closed streams go back to the system.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import re
import signal
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from core_api.auth.credentials import session_stands
from core_api.config import Settings
from core_api.db import APP_ROLE, DriverPool
from core_api.models.base import utcnow
from core_api.notifications.schemas import NotificationRead
from shared.heap import HeapTrimmer

CHANNEL = "vetra_notifications"
SESSION_CHANNEL = "vetra_session_ended"
KEEPALIVE_SECONDS = 5.0
RECONNECT_SECONDS = 1.0
SHUTDOWN_POLL_SECONDS = 0.5
READ_BATCH = 200  # rows per user per read; a user with more is read again at once
PING_FRAME = b": ping\r\n\r\n"

ROWS_AFTER = (
    "select * from vetra_notifications_after($1::uuid[], $2::uuid[], $3::bigint[], $4::int)"
)
SESSION_STATES = "select * from vetra_session_states($1::uuid[], $2::uuid[])"

_LINE_BREAKS = re.compile(r"[\r\n]")

log = logging.getLogger("vetra.notifications")

Frame = tuple[int, bytes]  # (seq, the event's bytes); seq 0 for a ping


def frame(row: Mapping[str, Any]) -> Frame:
    """A notification row as one server-sent event: `id` is the per-user seq."""
    data = row["data"]
    if isinstance(data, str):  # jsonb from a driver connection
        data = json.loads(data)
    body = NotificationRead.model_validate({**dict(row.items()), "data": data}).model_dump_json()
    seq = int(row["seq"])
    event = _LINE_BREAKS.sub("", row["type"])
    return seq, f"id: {seq}\r\nevent: {event}\r\ndata: {body}\r\n\r\n".encode()


@dataclass
class HubStats:
    """Counters, for tests and for an operator's curiosity."""

    batch_reads: int = 0  # fan-out queries (one per burst of notifies, per 1 reading round)
    replay_reads: int = 0  # queries streams made for themselves (replay, resync)
    session_checks: int = 0
    pings: int = 0
    overflows: int = 0
    session_ends: int = 0
    listener_connects: int = 0


class Stream:
    """One open stream's place in the hub: its bounded queue and why it ended.

    A full queue while the stream's sender is blocked writing to its client means the
    client has stopped reading: the stream is closed (the client resumes from its last
    id). A full queue while the sender is not blocked (a burst larger than the queue, or
    a long replay) only marks the stream `behind`: further frames are not queued and the
    sender reads what it missed from the database once it gets there."""

    __slots__ = (
        "_hub",
        "_items",
        "_limit",
        "_timer",
        "_waiter",
        "behind",
        "closed",
        "position",
        "sending",
        "session_id",
        "stale",
        "tenant_id",
        "user_id",
    )

    def __init__(
        self,
        hub: NotificationHub,
        tenant_id: uuid.UUID,
        user_id: uuid.UUID,
        session_id: uuid.UUID | None,
        limit: int,
    ) -> None:
        self.tenant_id = tenant_id
        self.user_id = user_id
        self.session_id = session_id
        self.position: int | None = None  # the last seq it sent; None while replaying
        self.stale = False  # the hub lost notifies while it replayed: replay again
        self.behind = False  # frames were left out: read them from the database
        self.sending = False  # its sender is writing live frames to the client
        self.closed: str | None = None
        self._hub = hub
        self._items: list[Frame] = []  # a list: an empty one is 56 bytes, a deque 600
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def offer(self, item: Frame) -> None:
        """Queues a frame without waiting (see the class for a full queue)."""
        if self.closed is not None or self.behind:
            return
        if len(self._items) >= self._limit:
            if self.sending:
                self._hub.stats.overflows += 1
                self.close("overflow")
            else:
                self.behind = True
                self._items.clear()
                self._wake()
            return
        self._items.append(item)
        self._wake()

    @property
    def idle(self) -> bool:
        return not self._items and not self.sending

    def close(self, reason: str) -> None:
        """Ends the stream: it leaves the hub now, its queue is freed, its sender wakes."""
        if self.closed is not None:
            return
        self.closed = reason
        self._items.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._hub._forget(self)
        self._wake()

    async def take(self) -> list[Frame] | None:
        """What is queued, once there is something (or the stream is behind);
        None once the stream is closed."""
        while not self._items and not self.behind and self.closed is None:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.closed is not None:
            return None
        items, self._items = self._items, []
        return items

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class NotificationHub:
    def __init__(self, dsn: str, pool: DriverPool, settings: Settings) -> None:
        self._dsn = dsn
        self._pool = pool
        self.settings = settings
        self.stats = HubStats()
        self._by_user: dict[uuid.UUID, set[Stream]] = {}
        self._open_streams = 0
        self.trimmer = HeapTrimmer()  # gives closed streams' memory back
        self._by_session: dict[uuid.UUID, set[Stream]] = {}
        self._cursor: dict[uuid.UUID, int] = {}  # last seq read, per user with streams
        self._woken: dict[uuid.UUID, int] = {}  # user → read after this if no cursor yet
        self._wake = asyncio.Event()
        self._full = asyncio.Event()
        self._conn: Any = None  # the LISTEN (and reading) connection, while up
        self._conn_lock = asyncio.Lock()
        self._connected = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._draining = False

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        jobs: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = [
            ("listen", self._listen_forever),
            ("fanout", self._fan_out_forever),
            ("ping", self._ping_forever),
            ("sessions", self._check_sessions_forever),
            ("shutdown", self._watch_for_shutdown),
        ]
        self._tasks = [
            asyncio.create_task(job(), name=f"notification-hub-{name}") for name, job in jobs
        ]

    async def stop(self) -> None:
        self.drain()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def drain(self) -> None:
        """Ends every stream (the server is stopping); new ones end at once."""
        self._draining = True
        for streams in list(self._by_user.values()):
            for stream in list(streams):
                stream.close("shutdown")

    @property
    def open_streams(self) -> int:
        return self._open_streams

    @property
    def tracked_users(self) -> int:
        return len(self._by_user) + len(self._cursor) + len(self._woken)

    # --- streams ---------------------------------------------------------------------

    def subscribe(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID | None
    ) -> Stream:
        """A new stream, fed from now on; it must replay before it sends what it is fed."""
        stream = Stream(self, tenant_id, user_id, session_id, self.settings.sse_queue_events)
        if self._draining:
            stream.closed = "shutdown"
            return stream
        self._by_user.setdefault(user_id, set()).add(stream)
        self._open_streams += 1
        self.trimmer.note(self._open_streams)
        if session_id is not None:
            self._by_session.setdefault(session_id, set()).add(stream)
        lifetime = self.settings.sse_max_lifetime_seconds * (
            1 - self.settings.sse_lifetime_jitter * random.random()  # noqa: S311 (spreading, not secrecy)
        )
        stream._timer = asyncio.get_running_loop().call_later(lifetime, stream.close, "lifetime")
        return stream

    def _forget(self, stream: Stream) -> None:
        """Once for each stream `subscribe` added, when it closes."""
        self._open_streams -= 1
        self.trimmer.note(self._open_streams)
        streams = self._by_user.get(stream.user_id)
        if streams is not None:
            streams.discard(stream)
            if not streams:
                del self._by_user[stream.user_id]
                self._cursor.pop(stream.user_id, None)
                self._woken.pop(stream.user_id, None)
        if stream.session_id is not None:
            sessions = self._by_session.get(stream.session_id)
            if sessions is not None:
                sessions.discard(stream)
                if not sessions:
                    del self._by_session[stream.session_id]

    async def read_after(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, after: int, limit: int = READ_BATCH
    ) -> list[Frame]:
        """One user's rows after `after`, framed (a stream's replay: its own query)."""
        self.stats.replay_reads += 1
        async with self._pool.connection() as conn:
            rows = await conn.fetch(ROWS_AFTER, [tenant_id], [user_id], [after], limit)
        return [frame(row) for row in rows]

    # --- the LISTEN connection -------------------------------------------------------

    def _on_notify(self, _conn: object, _pid: int, channel: str, payload: str) -> None:
        if channel == SESSION_CHANNEL:
            self._end_session(payload)
            return
        user_part, _, seq_part = payload.partition(":")
        try:
            user_id = uuid.UUID(user_part)
            seq = int(seq_part)
        except ValueError:
            return
        if user_id not in self._by_user:
            return
        after = seq - 1
        previous = self._woken.get(user_id)
        self._woken[user_id] = after if previous is None else min(previous, after)
        self._wake.set()
        if len(self._woken) >= self.settings.sse_fanout_max_users:
            self._full.set()

    def _end_session(self, payload: str) -> None:
        try:
            session_id = uuid.UUID(payload)
        except ValueError:
            return
        for stream in list(self._by_session.get(session_id, ())):
            self.stats.session_ends += 1
            stream.close("session ended")

    async def _listen_forever(self) -> None:
        while True:
            try:
                conn = await asyncpg.connect(
                    self._dsn,
                    server_settings={"application_name": "vetra-core-hub", "role": APP_ROLE},
                )
                try:
                    lost = asyncio.Event()
                    conn.add_termination_listener(functools.partial(_set_event, lost))
                    await conn.add_listener(CHANNEL, self._on_notify)
                    await conn.add_listener(SESSION_CHANNEL, self._on_notify)
                    self._conn = conn
                    self.stats.listener_connects += 1
                    self._connected.set()
                    self._catch_up()  # whatever was sent while no one listened
                    while not lost.is_set():
                        with contextlib.suppress(TimeoutError):
                            async with asyncio.timeout(KEEPALIVE_SECONDS):
                                await lost.wait()
                        if not lost.is_set():
                            async with self._conn_lock:
                                await conn.execute("select 1")
                    raise ConnectionError("the notification listener's connection closed")
                finally:
                    self._conn = None
                    self._connected.clear()
                    with contextlib.suppress(Exception):
                        await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the listener must outlive any failure
                log.warning(
                    "notification listener reconnecting", extra={"fields": {"error": str(exc)}}
                )
                await asyncio.sleep(RECONNECT_SECONDS)

    def _catch_up(self) -> None:
        """After the listener was away: read every user's rows after what the hub knows of it."""
        for user_id, streams in self._by_user.items():
            known = [s.position for s in streams if s.position is not None]
            for stream in streams:
                if stream.position is None:
                    stream.stale = True
            if user_id in self._cursor:
                self._woken[user_id] = self._cursor[user_id]
            elif known:
                self._woken[user_id] = min(known)
        if self._woken:
            self._wake.set()

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        """On the listener's connection; waits for it while it reconnects."""
        await self._connected.wait()
        async with self._conn_lock:
            conn = self._conn
            if conn is None:
                raise asyncpg.InterfaceError("the listener connection is down")
            rows: list[Any] = await conn.fetch(sql, *args)
            return rows

    # --- fan-out ---------------------------------------------------------------------

    async def _fan_out_forever(self) -> None:
        while True:
            await self._wake.wait()
            window = self.settings.sse_fanout_window_seconds
            if window > 0 and not self._full.is_set():
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(window):
                        await self._full.wait()
            self._wake.clear()
            self._full.clear()
            woken, self._woken = self._woken, {}
            try:
                await self._read_and_deliver(woken)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # read again later; the fan-out must not die
                log.warning("notification fan-out retrying", extra={"fields": {"error": str(exc)}})
                for user_id, after in woken.items():  # not lost: read again
                    if user_id in self._by_user:
                        previous = self._woken.get(user_id)
                        self._woken[user_id] = after if previous is None else min(previous, after)
                self._wake.set()
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _read_and_deliver(self, woken: dict[uuid.UUID, int]) -> None:
        wanted: list[tuple[uuid.UUID, uuid.UUID, int]] = []
        for user_id, after in woken.items():
            streams = self._by_user.get(user_id)
            if streams:
                tenant_id = next(iter(streams)).tenant_id
                wanted.append((tenant_id, user_id, self._cursor.get(user_id, after)))
        chunk = self.settings.sse_fanout_max_users
        while wanted:
            batch, wanted = wanted[:chunk], wanted[chunk:]
            self.stats.batch_reads += 1
            rows = await self._fetch(
                ROWS_AFTER,
                [t for t, _, _ in batch],
                [u for _, u, _ in batch],
                [a for _, _, a in batch],
                READ_BATCH,
            )
            counts = self._deliver(rows)
            for tenant_id, user_id, _ in batch:  # a user with more rows: read on
                if counts.get(user_id, 0) >= READ_BATCH and user_id in self._cursor:
                    wanted.append((tenant_id, user_id, self._cursor[user_id]))

    def _deliver(self, rows: Sequence[Mapping[str, Any]]) -> dict[uuid.UUID, int]:
        counts: dict[uuid.UUID, int] = {}
        for row in rows:
            user_id = row["user_id"]
            counts[user_id] = counts.get(user_id, 0) + 1
            streams = self._by_user.get(user_id)
            if not streams:
                continue
            item = frame(row)
            if item[0] > self._cursor.get(user_id, 0):
                self._cursor[user_id] = item[0]
            for stream in list(streams):
                stream.offer(item)
        return counts

    # --- pings, sessions, shutdown ---------------------------------------------------

    async def _ping_forever(self) -> None:
        ping: Frame = (0, PING_FRAME)
        while True:
            await asyncio.sleep(self.settings.sse_ping_seconds)
            for streams in list(self._by_user.values()):
                for stream in list(streams):
                    if stream.position is not None and stream.idle:
                        self.stats.pings += 1
                        stream.offer(ping)

    async def _check_sessions_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sse_session_check_seconds)
            try:
                await self.check_sessions()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("session check failed", extra={"fields": {"error": str(exc)}})

    async def check_sessions(self) -> None:
        """One query for every session with a stream here; ends those that no longer stand."""
        sessions = {
            session_id: next(iter(streams)).tenant_id
            for session_id, streams in self._by_session.items()
            if streams
        }
        if not sessions:
            return
        self.stats.session_checks += 1
        rows = await self._fetch(SESSION_STATES, list(sessions.values()), list(sessions))
        now = utcnow()
        standing = {
            row["session_id"]
            for row in rows
            if row["is_active"]
            and session_stands(
                self.settings, now, row["revoked_at"], row["expires_at"], row["last_seen_at"]
            )
        }
        for session_id in sessions.keys() - standing:
            for stream in list(self._by_session.get(session_id, ())):
                self.stats.session_ends += 1
                stream.close("session ended")

    async def _watch_for_shutdown(self) -> None:
        """Ends the streams as soon as uvicorn is asked to stop (it waits for open
        responses before it runs the lifespan's shutdown, so that would be too late)."""
        while True:
            await asyncio.sleep(SHUTDOWN_POLL_SECONDS)
            if _uvicorn_should_exit():
                self.drain()
                return


def _set_event(event: asyncio.Event, *_args: object) -> None:
    event.set()


def _uvicorn_should_exit() -> bool:
    """uvicorn's flag, found through its SIGTERM handler (a bound method of its Server);
    False when not served by uvicorn's signal handling (tests' threads)."""
    handler = signal.getsignal(signal.SIGTERM)
    server = getattr(handler, "__self__", None)
    return bool(getattr(server, "should_exit", False))
