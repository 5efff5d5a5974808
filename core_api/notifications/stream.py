"""One notification stream's response: a minimal `text/event-stream` ASGI response.

Its head goes out through the middleware as any response's; its body is sent below them
(`shared.detached`), so that an open stream keeps none of the request's layers alive.
Per open stream there is then this body's coroutine (waiting on its queue in the hub,
see hub.py) and one task waiting for the client to go away. No timers or ping tasks of
its own (the hub pings, and ends it at its lifetime) and no database work after its
replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from core_api.notifications.hub import READ_BATCH, Frame, NotificationHub, Stream
from shared.detached import detach_body

log = logging.getLogger("vetra.notifications")

HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"connection", b"keep-alive"),
    (b"x-accel-buffering", b"no"),  # proxies (nginx) must not buffer it
]


class EventStream(Response):
    """Replays the user's notifications after `after`, then relays the hub's feed."""

    media_type = "text/event-stream"

    def __init__(
        self,
        hub: NotificationHub,
        tenant_id: uuid.UUID,
        user_id: uuid.UUID,
        session_id: uuid.UUID | None,
        after: int,
    ) -> None:
        self.status_code = 200
        self.background = None
        self.body = b""
        self.raw_headers = list(HEADERS)
        self._hub = hub
        self._tenant_id = tenant_id
        self._user_id = user_id
        self._session_id = session_id
        self._after = after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers, self.raw_headers = self.raw_headers, []  # not kept for the stream's life
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        detach_body(scope, self._body)

    async def _body(self, receive: Receive, send: Send) -> None:
        stream = self._hub.subscribe(self._tenant_id, self._user_id, self._session_id)
        watcher = asyncio.get_running_loop().create_task(_watch_disconnect(receive, stream))
        try:
            await self._relay(stream, send, await self._replay(stream, send))
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client went away (servers that say so)
            pass
        finally:
            stream.close("done")
            watcher.cancel()

    async def _replay(self, stream: Stream, send: Send) -> int | None:
        """Sends what the user has after `after`; the last seq sent, or None if it ended."""
        last: int | None = self._after
        while last is not None:
            last = await self._read_on(stream, send, last)
            if not stream.stale:
                break
            stream.stale = False  # the hub lost notifies meanwhile: look once more
        stream.position = last
        return last

    async def _read_on(self, stream: Stream, send: Send, last: int) -> int | None:
        """Sends the user's rows after `last` from the database, page by page; the last
        seq sent, or None if the stream ended."""
        while stream.closed is None:
            try:
                frames = await self._hub.read_after(self._tenant_id, self._user_id, last)
            except Exception as exc:  # the client comes back with its last id
                log.warning("stream replay failed", extra={"fields": {"error": str(exc)}})
                stream.close("replay failed")
                return None
            if frames:
                await _send_body(send, stream, b"".join(data for _, data in frames))
                last = frames[-1][0]
            if len(frames) < READ_BATCH:
                return last
        return None

    async def _relay(self, stream: Stream, send: Send, last: int | None) -> None:
        while last is not None and (items := await stream.take()) is not None:
            chunks: list[bytes] = []
            for seq, data in items:
                if seq:  # an event (a ping has none)
                    if seq <= last:
                        continue  # replayed already
                    if seq != last + 1:
                        chunks.extend(d for _, d in await self._missing(last, seq))
                    last = seq
                chunks.append(data)
            if chunks:
                await _send_body(send, stream, b"".join(chunks))
            if stream.behind:  # left out of a burst: read on from the database
                stream.behind = False
                last = await self._read_on(stream, send, last)
            stream.position = last

    async def _missing(self, last: int, upto: int) -> list[Frame]:
        """The events between `last` and `upto` (never expected: seqs have no holes and
        the hub reads in order; but if ever, read rather than skip)."""
        log.warning("stream gap", extra={"fields": {"after": last, "next": upto}})
        frames = await self._hub.read_after(self._tenant_id, self._user_id, last, upto - last - 1)
        return [item for item in frames if item[0] < upto]


async def _send_body(send: Send, stream: Stream, body: bytes) -> None:
    """A send waits only while the client is not taking what was sent before; the hub
    closes a stream whose queue fills meanwhile."""
    stream.sending = True
    try:
        await send({"type": "http.response.body", "body": body, "more_body": True})
    finally:
        stream.sending = False


async def _watch_disconnect(receive: Receive, stream: Stream) -> None:
    with contextlib.suppress(Exception):
        message: Message = await receive()
        while message["type"] != "http.disconnect":
            message = await receive()
    stream.close("disconnected")
