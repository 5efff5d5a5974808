"""Wakes notification streams when PostgreSQL says a recipient has something new.

One LISTEN connection per process fans `pg_notify` payloads (`<user_id>:<seq>`) out to
the streams of that user. A wake-up only says "look again": streams read the rows
themselves, and also look on every ping, so a dropped listener delays but never loses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator

import asyncpg

CHANNEL = "vetra_notifications"
KEEPALIVE_SECONDS = 5.0

log = logging.getLogger("vetra.notifications")


class NotificationHub:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._subscribers: defaultdict[uuid.UUID, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="notification-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._wake_all()

    @contextlib.contextmanager
    def subscribe(self, user_id: uuid.UUID) -> Iterator[asyncio.Event]:
        event = asyncio.Event()
        self._subscribers[user_id].add(event)
        try:
            yield event
        finally:
            self._subscribers[user_id].discard(event)
            if not self._subscribers[user_id]:
                del self._subscribers[user_id]

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        user_part, _, _ = payload.partition(":")
        try:
            user_id = uuid.UUID(user_part)
        except ValueError:
            return
        for event in self._subscribers.get(user_id, ()):
            event.set()

    async def _listen_forever(self) -> None:
        while True:
            try:
                conn = await asyncpg.connect(self._dsn)
                try:
                    await conn.add_listener(CHANNEL, self._on_notify)
                    self._wake_all()  # anything sent while we were away
                    while True:
                        await asyncio.sleep(KEEPALIVE_SECONDS)
                        await conn.execute("select 1")
                finally:
                    with contextlib.suppress(Exception):
                        await conn.close()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning(
                    "notification listener reconnecting", extra={"fields": {"error": str(exc)}}
                )
                await asyncio.sleep(KEEPALIVE_SECONDS)

    def _wake_all(self) -> None:
        for events in self._subscribers.values():
            for event in events:
                event.set()
