"""`GET /api/events`: the user's notification stream, relayed from the core as it comes.

The event id is the core's per-user sequence number. A browser that reconnects sends
the last id it saw (`Last-Event-ID`, which EventSource does by itself, or
`?last_event_id=` for a first connection that resumes) and the core replays what was
missed, so nothing is lost or repeated, whichever BFF copy the browser reaches.

Streams have their own way to the core, apart from the httpx pools of ordinary requests
(`bff.proxy.Upstream`): each stream is one plain HTTP/1.1 connection of its own, opened
with asyncio, used for this one long GET and closed with it. Nothing is pooled, so
nothing is shared: a stream never takes a connection an ordinary request needs, and no
pool bookkeeping walks ten thousand connections on every event. The relay writes the
request; the answer is parsed as it arrives (httptools, the parser uvicorn uses) and its
body, chunks decoded, is passed on to the browser (uvicorn frames it again). The body is
sent below the middleware (`shared.detached`): an open stream keeps none of the request's
layers alive, and each piece is one `send` straight to uvicorn.

How many streams one process holds (`VETRA_EVENTS_MAX_STREAMS`, by default from the
process's open-file limit). A relayed stream costs two file descriptors, the browser's
socket and the socket to the core; nothing else (no pipe, no file, no extra event-loop
descriptor). `FD_RESERVE` descriptors are kept for everything else: stdio, the event
loop, the listening socket, and the browser and core sockets of ordinary requests. So

    max streams = (RLIMIT_NOFILE soft limit - FD_RESERVE) // 2
                = (20,000 - 200) // 2 = 9,900 on a machine allowing 20,000 files.

A stream over the bound is refused at once with a 503 `streams-busy` and `Retry-After`;
it never waits, and ordinary requests never wait or fail because of streams.

Back-pressure. What arrives from the core waits for the browser in the relay, up to
`READ_BYTES`; past that the relay stops reading from the core until uvicorn has taken
it, so per stream the BFF holds at most that (plus one socket read) and uvicorn's write
buffer (64 KiB before it pauses the sender); the rest waits in the kernel's socket
buffers, then at the core. A browser that takes in nothing for `VETRA_EVENTS_SEND_TIMEOUT`
seconds while that buffer is full is dropped: the core connection is closed at once and
the browser's as soon as the kernel lets go of it. Its reconnect with `Last-Event-ID`
replays what it missed. The bounds on waiting (the browser taking a piece in, the core
saying anything within `VETRA_EVENTS_READ_TIMEOUT`; its pings come well within) are
checked by one sweep over the process's streams every half of the shorter bound, not by
a timer per stream and event: a wait over its bound ends within half a bound more.

Endings. When the core ends the stream (session revoked or expired, lifetime reached,
core restarting) the browser's stream ends at once, cleanly; when the browser goes away
the core connection is closed at once (a task waits on the ASGI disconnect for that,
since an idle stream would otherwise notice only on the next write). If the core cannot
be reached at all, the answer is an empty event stream carrying `retry:`: EventSource
treats any non-200 answer as final, while this one makes it reconnect (with its
`Last-Event-ID`) a moment later, as when a core restarts under `make run`.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import ssl
from typing import Annotated, cast
from urllib.parse import urlsplit

import httptools
import httpx
from fastapi import APIRouter, Query, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from bff.config import Settings
from bff.proxy import (
    RESPONSE_DROP,
    WHOLE_ANSWER_BYTES,
    WHOLE_RESPONSE_DROP,
    CoreFailed,
    CoreTimeout,
    SessionExpired,
    as_called,
    client_ip,
    filter_headers,
    unauthorized,
)
from bff.sessions import SessionToken
from shared.detached import detach_body
from shared.heap import HeapTrimmer
from shared.logging import request_id_var
from shared.problems import ProblemError

FD_PER_STREAM = 2  # the browser's socket and the socket to the core
FD_RESERVE = 200  # descriptors kept for everything but streams
READ_BYTES = 16 * 1024  # the most kept from the core before reading from it pauses
RETRY_AFTER_SECONDS = 5  # Retry-After of a streams-busy answer
RECONNECT_MS = 2000  # `retry:` sent when the core cannot be reached
SWEEPS_PER_BOUND = 2  # how often the waits are checked: twice in the shorter bound
STREAM_PATH = "/v1/notifications/stream"
MEDIA_TYPE = "text/event-stream"
# The stream's own headers are uvicorn's to set for the browser.
_STREAM_DROP = RESPONSE_DROP | {"content-length"}

log = logging.getLogger("vetra.bff.events")
router = APIRouter(tags=["events"])
EventId = Annotated[str | None, Query(pattern=r"^\d{1,20}$", description="Resume after this id")]


class StreamsBusy(ProblemError):
    status = 503
    type = "streams-busy"
    title = "Service unavailable"


class _Malformed(Exception):
    """The core's answer is not HTTP/1.1 as expected."""


def default_max_streams(open_files: int | None = None) -> int:
    """How many streams fit in the process's open-file limit (see the module's docstring)."""
    if open_files is None:
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        open_files = soft if soft != resource.RLIM_INFINITY else 1 << 20
    return max(1, (open_files - FD_RESERVE) // FD_PER_STREAM)


class EventRelay:
    """Relays notification streams from the core, one private connection each."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.max_streams = settings.events_max_streams or default_max_streams()
        self.open_streams = 0
        self.trimmer = HeapTrimmer()  # gives closed streams' memory back
        core = urlsplit(settings.core_url)
        self.host = core.hostname or "127.0.0.1"
        self.tls = ssl.create_default_context() if core.scheme == "https" else None
        self.port = core.port or (443 if self.tls else 80)
        self.authority = core.netloc
        self.path = core.path.rstrip("/") + STREAM_PATH
        bound = min(settings.events_send_timeout, settings.events_read_timeout)
        self.sweep_seconds = bound / SWEEPS_PER_BOUND
        self._relaying: set[_EventStream] = set()
        self._sweep: asyncio.TimerHandle | None = None

    def take_slot(self) -> None:
        if self.open_streams >= self.max_streams:
            log.warning("event stream refused: streams full", extra={"fields": self._counts()})
            raise StreamsBusy(
                "Too many live streams on this server; try again shortly.",
                headers={"retry-after": str(RETRY_AFTER_SECONDS)},
            )
        self.open_streams += 1
        self.trimmer.note(self.open_streams)

    def release_slot(self) -> None:
        self.open_streams -= 1
        self.trimmer.note(self.open_streams)

    def _counts(self) -> dict[str, int]:
        return {"open_streams": self.open_streams, "max_streams": self.max_streams}

    def request_head(self, request: Request, token: str, resume: str | None) -> bytes:
        """The GET the core is sent; every value is checked to be one header line."""
        headers = {
            "host": self.authority,
            "connection": "close",
            "accept": MEDIA_TYPE,
            "x-api-key": self.settings.bff_api_key,
            "x-session-token": token,
            "x-client-ip": client_ip(request),
        }
        if request_id := request_id_var.get():
            headers["x-request-id"] = request_id
        if (user_agent := request.headers.get("user-agent", "")).isascii() and user_agent:
            headers["user-agent"] = user_agent
        if resume:
            headers["last-event-id"] = resume
        lines = [f"GET {self.path} HTTP/1.1"]
        lines += [f"{name}: {_one_line(value)}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def open(self, request: Request, token: str, resume: str | None) -> Response:
        """The browser's answer: the core's stream, or what the core answered instead."""
        if not (token.isascii() and token.isprintable()):
            raise SessionExpired("This session is not valid.")
        self.take_slot()
        core = _CoreConnection()
        handed_off = False
        try:
            try:
                async with asyncio.timeout(self.settings.upstream_connect_timeout):
                    await asyncio.get_running_loop().create_connection(
                        core.itself, self.host, self.port, ssl=self.tls
                    )
            except (OSError, TimeoutError) as exc:
                log.warning("core unreachable for a stream", extra={"fields": {"error": repr(exc)}})
                return _reconnect_later()
            core.write(self.request_head(request, token, resume))
            try:
                async with asyncio.timeout(self.settings.upstream_read_timeout):
                    status = await core.head
            except TimeoutError as exc:
                raise CoreTimeout("The core API did not answer in time.") from exc
            except (OSError, _Malformed) as exc:
                raise CoreFailed("The core API connection failed.") from exc
            if status != 200 or not _header(core.headers, "content-type").startswith(MEDIA_TYPE):
                return await self._answer(core, status, request.url.path)
            stream = _EventStream(self, core)
            handed_off = True  # the stream owns the connection and the slot from here on
            return stream
        finally:
            if not handed_off:
                core.close()
                self.release_slot()

    async def _answer(self, core: _CoreConnection, status: int, client_path: str) -> Response:
        """A refusal from the core (401, 422, 503 ...), small, read whole and passed on."""
        headers = core.headers
        try:
            async with asyncio.timeout(self.settings.upstream_read_timeout):
                body = await core.read_all(WHOLE_ANSWER_BYTES)
        except (TimeoutError, _Malformed) as exc:
            raise CoreFailed("The core API connection failed.") from exc
        if status == 401:
            return unauthorized(body, httpx.Headers(headers), client_path)
        answer = Response(as_called(body, httpx.Headers(headers), client_path), status_code=status)
        kept = filter_headers(headers, WHOLE_RESPONSE_DROP)
        kept.append(("content-length", str(len(answer.body))))
        answer.raw_headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in kept]
        return answer

    # --- the bounds on waiting: one sweep over the streams, not a timer each -------------

    def relaying(self, stream: _EventStream) -> None:
        self._relaying.add(stream)
        if self._sweep is None:
            loop = asyncio.get_running_loop()
            self._sweep = loop.call_later(self.sweep_seconds, self._sweep_once)

    def done_relaying(self, stream: _EventStream) -> None:
        self._relaying.discard(stream)

    def _sweep_once(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        send_bound = self.settings.events_send_timeout
        read_bound = self.settings.events_read_timeout
        for stream in self._relaying:
            if now - stream.since >= (send_bound if stream.sending else read_bound):
                stream.stop_waiting()
        self._sweep = None
        if self._relaying:
            self._sweep = loop.call_later(self.sweep_seconds, self._sweep_once)


def _one_line(value: str) -> str:
    if any(char in value for char in "\r\n\0"):
        raise CoreFailed("A header for the core would not be one line.")
    return value


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key == name), "").lower()


class _CoreConnection(asyncio.Protocol):
    """One stream's connection to the core: the answer's head, then its body as it comes.

    httptools parses the answer (chunked, with a length, or up to the connection's end).
    At most about `READ_BYTES` of body wait here for the relay; past that, reading from
    the core pauses until the relay takes them."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.head: asyncio.Future[int] = loop.create_future()  # the answer's status
        self.headers: list[tuple[str, str]] = []  # the answer's, names in lower case
        self.complete = False  # the whole body has arrived
        self.lost = False  # the connection is closed
        self._transport: asyncio.Transport | None = None
        # Holds bound methods of this protocol: let go of at the end, or the two could
        # only be freed by the garbage collector, along with what they hold.
        self._parser: httptools.HttpResponseParser | None = httptools.HttpResponseParser(self)
        self._body = bytearray()
        self._paused = False
        self._closed_here = False
        self._waiter: asyncio.Future[None] | None = None

    def itself(self) -> _CoreConnection:
        """The protocol factory for `create_connection`: this very connection."""
        return self

    @property
    def broke_off(self) -> bool:
        """The core's side closed before the end of the answer."""
        return self.lost and not self.complete and not self._closed_here

    def write(self, data: bytes) -> None:
        assert self._transport is not None
        self._transport.write(data)

    def close(self) -> None:
        """Closes the connection at once; whatever waits on it wakes."""
        self._closed_here = True
        self._parser = None
        if not self.head.done():
            self.head.cancel()
        if self._transport is not None:
            self._transport.abort()

    async def read(self) -> bytes:
        """The body that arrived since the last read, once there is some; b"" once the
        answer is complete or the connection closed."""
        while not self._body and not (self.complete or self.lost):
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        piece = bytes(self._body)
        self._body.clear()
        if self._paused:
            self._paused = False
            assert self._transport is not None
            if not self._transport.is_closing():
                self._transport.resume_reading()
        return piece

    async def read_all(self, limit: int) -> bytes:
        body = bytearray()
        while piece := await self.read():
            body += piece
            if len(body) > limit:
                raise _Malformed("answer too large")
        if not self.complete:
            raise _Malformed("answer cut off")
        return bytes(body)

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        assert self._parser is not None
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if not self.head.done():
                self.head.set_exception(_Malformed(str(exc)))
            assert self._transport is not None
            self._transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._parser = None
        if not self.head.done():
            self.head.set_exception(ConnectionError("closed before the answer's head"))
        self._wake()

    # httptools' callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        assert self._parser is not None
        self.head.set_result(self._parser.get_status_code())

    def on_body(self, body: bytes) -> None:
        self._body += body
        if len(self._body) >= READ_BYTES and not self._paused:
            self._paused = True
            assert self._transport is not None
            self._transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        self.complete = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


def _reconnect_later() -> Response:
    """An empty event stream asking EventSource to come back (it keeps its last id)."""
    return Response(
        f"retry: {RECONNECT_MS}\n\n",
        media_type=MEDIA_TYPE,
        headers={"cache-control": "no-store"},
    )


class _EventStream(Response):
    """Copies the core's stream to the browser; closes the core connection however it ends."""

    def __init__(self, relay: EventRelay, core: _CoreConnection) -> None:
        self.relay = relay
        self.core = core
        self.status_code = 200
        self.background = None
        self.raw_headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in filter_headers(core.headers, _STREAM_DROP)
        ]
        core.headers = []  # not kept for the stream's life
        self.sending = False  # waiting for the browser to take a piece in, else for the core
        self.since = 0.0  # when that wait began (loop time)
        self._waits: asyncio.Timeout | None = None  # ends the wait the sweep finds too long

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers, self.raw_headers = self.raw_headers, []  # not kept for the stream's life
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
        except BaseException:
            self._let_go()
            raise
        detach_body(scope, self._body)

    async def _body(self, receive: Receive, send: Send) -> None:
        watcher = asyncio.ensure_future(_disconnected(receive))
        watcher.add_done_callback(self._browser_gone)
        try:
            await self._pump(send)
        finally:
            watcher.remove_done_callback(self._browser_gone)
            watcher.cancel()
            self._let_go()

    def _let_go(self) -> None:
        """Closes the core connection and gives the stream's place back."""
        self.core.close()
        self.relay.release_slot()

    def _browser_gone(self, _watcher: asyncio.Task[None]) -> None:
        self.core.close()  # the pump's pending read ends at once

    def stop_waiting(self) -> None:
        """The relay's sweep found the current wait over its bound: it ends (TimeoutError)."""
        if self._waits is not None:
            self._waits.reschedule(asyncio.get_running_loop().time())

    async def _pump(self, send: Send) -> None:
        try:
            await self._copy(send)
            async with asyncio.timeout(self.relay.settings.events_send_timeout):
                await send({"type": "http.response.body", "body": b""})
        except TimeoutError:  # the browser took nothing in for that long: drop it
            log.warning("slow event stream dropped", extra={"fields": self.relay._counts()})

    async def _copy(self, send: Send) -> None:
        """Copies until the core's stream ends; TimeoutError if the browser is too slow."""
        loop = asyncio.get_running_loop()
        self.relay.relaying(self)
        try:
            async with asyncio.timeout(None) as self._waits:
                while True:
                    self.sending, self.since = False, loop.time()
                    if not (piece := await self.core.read()):
                        break
                    self.sending, self.since = True, loop.time()
                    await send({"type": "http.response.body", "body": piece, "more_body": True})
        except TimeoutError:
            if self.sending:
                raise
            log.info("core stream silent too long; ended")
        finally:
            self._waits = None
            self.relay.done_relaying(self)
        if self.core.broke_off:
            log.info("core stream broke off")


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def relay_of(request: Request) -> EventRelay:
    relay: EventRelay = request.app.state.events
    return relay


@router.get("/api/events", response_class=Response)
async def events(
    request: Request, token: Annotated[str, SessionToken], last_event_id: EventId = None
) -> Response:
    """Server-sent events (`text/event-stream`); pings keep idle connections open.

    503 `streams-busy` (with Retry-After) when this server holds as many streams as it may.
    """
    resume = request.headers.get("last-event-id") or last_event_id
    return await relay_of(request).open(request, token, resume)
