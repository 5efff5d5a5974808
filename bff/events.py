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
request, reads the status and headers, then copies the body through as it comes (chunks
decoded, uvicorn frames them again for the browser).

How many streams one process holds (`VETRA_EVENTS_MAX_STREAMS`, by default from the
process's open-file limit). A relayed stream costs two file descriptors, the browser's
socket and the socket to the core; nothing else (no pipe, no file, no extra event-loop
descriptor). `FD_RESERVE` descriptors are kept for everything else: stdio, the event
loop, the listening socket, and the browser and core sockets of ordinary requests. So

    max streams = (RLIMIT_NOFILE soft limit - FD_RESERVE) // 2
                = (20,000 - 200) // 2 = 9,900 on a machine allowing 20,000 files.

A stream over the bound is refused at once with a 503 `streams-busy` and `Retry-After`;
it never waits, and ordinary requests never wait or fail because of streams.

Back-pressure. The relay reads the core's next piece only once uvicorn has taken the
previous one, so per stream the BFF holds at most one piece (`READ_BYTES`) plus uvicorn's
write buffer (64 KiB before it pauses the sender); the rest waits in the kernel's socket
buffers, then at the core. A browser that takes in nothing for `VETRA_EVENTS_SEND_TIMEOUT`
seconds while that buffer is full is dropped: the core connection is closed at once and
the browser's as soon as the kernel lets go of it. Its reconnect with `Last-Event-ID`
replays what it missed.

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
from typing import Annotated
from urllib.parse import urlsplit

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
from shared.logging import request_id_var
from shared.problems import ProblemError

FD_PER_STREAM = 2  # the browser's socket and the socket to the core
FD_RESERVE = 200  # descriptors kept for everything but streams
READ_BYTES = 16 * 1024  # the most read from the core at once
RETRY_AFTER_SECONDS = 5  # Retry-After of a streams-busy answer
RECONNECT_MS = 2000  # `retry:` sent when the core cannot be reached
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
        core = urlsplit(settings.core_url)
        self.host = core.hostname or "127.0.0.1"
        self.tls = ssl.create_default_context() if core.scheme == "https" else None
        self.port = core.port or (443 if self.tls else 80)
        self.authority = core.netloc
        self.path = core.path.rstrip("/") + STREAM_PATH

    def take_slot(self) -> None:
        if self.open_streams >= self.max_streams:
            log.warning("event stream refused: streams full", extra={"fields": self._counts()})
            raise StreamsBusy(
                "Too many live streams on this server; try again shortly.",
                headers={"retry-after": str(RETRY_AFTER_SECONDS)},
            )
        self.open_streams += 1

    def release_slot(self) -> None:
        self.open_streams -= 1

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
        writer: asyncio.StreamWriter | None = None
        handed_off = False
        try:
            try:
                async with asyncio.timeout(self.settings.upstream_connect_timeout):
                    reader, writer = await asyncio.open_connection(
                        self.host, self.port, ssl=self.tls, limit=READ_BYTES
                    )
            except (OSError, TimeoutError) as exc:
                log.warning("core unreachable for a stream", extra={"fields": {"error": repr(exc)}})
                return _reconnect_later()
            writer.write(self.request_head(request, token, resume))
            try:
                async with asyncio.timeout(self.settings.upstream_read_timeout):
                    status, headers = await _read_head(reader)
            except TimeoutError as exc:
                raise CoreTimeout("The core API did not answer in time.") from exc
            except (OSError, asyncio.IncompleteReadError, _Malformed) as exc:
                raise CoreFailed("The core API connection failed.") from exc
            framing = _Framing.of(headers)
            content_type = _header(headers, "content-type")
            if status != 200 or not content_type.startswith(MEDIA_TYPE):
                return await self._answer(reader, framing, status, headers, request.url.path)
            stream = _EventStream(self, reader, writer, framing, headers)
            handed_off = True  # the stream owns the connection and the slot from here on
            return stream
        finally:
            if not handed_off:
                if writer is not None:
                    writer.transport.abort()
                self.release_slot()

    async def _answer(
        self,
        reader: asyncio.StreamReader,
        framing: _Framing,
        status: int,
        headers: list[tuple[str, str]],
        client_path: str,
    ) -> Response:
        """A refusal from the core (401, 422, 503 ...), small, read whole and passed on."""
        try:
            async with asyncio.timeout(self.settings.upstream_read_timeout):
                body = await framing.read_all(reader, WHOLE_ANSWER_BYTES)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, _Malformed) as exc:
            raise CoreFailed("The core API connection failed.") from exc
        if status == 401:
            return unauthorized(body, httpx.Headers(headers), client_path)
        answer = Response(as_called(body, httpx.Headers(headers), client_path), status_code=status)
        kept = filter_headers(headers, WHOLE_RESPONSE_DROP)
        kept.append(("content-length", str(len(answer.body))))
        answer.raw_headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in kept]
        return answer


def _one_line(value: str) -> str:
    if any(char in value for char in "\r\n\0"):
        raise CoreFailed("A header for the core would not be one line.")
    return value


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key == name), "").lower()


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, list[tuple[str, str]]]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as exc:
        raise _Malformed("headers too long") from exc
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise _Malformed(f"status line {lines[0]!r}")
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
    return int(code), headers


class _Framing:
    """How the core's body is delimited: chunked, a length, or the end of the connection."""

    def __init__(self, chunked: bool, length: int | None) -> None:
        self.chunked = chunked
        self.remaining = length

    @classmethod
    def of(cls, headers: list[tuple[str, str]]) -> _Framing:
        if "chunked" in _header(headers, "transfer-encoding"):
            return cls(chunked=True, length=None)
        length = _header(headers, "content-length")
        return cls(chunked=False, length=int(length) if length.isdigit() else None)

    async def read(self, reader: asyncio.StreamReader) -> bytes:
        """The next piece of the body as it comes; b"" at its end."""
        if self.chunked:
            try:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0], 16)
            except (ValueError, asyncio.LimitOverrunError) as exc:
                raise _Malformed("chunk size") from exc
            if size == 0:
                return b""
            piece = await reader.readexactly(size + 2)
            return piece[:-2]
        if self.remaining is None:
            return await reader.read(READ_BYTES)
        if self.remaining == 0:
            return b""
        piece = await reader.read(min(self.remaining, READ_BYTES))
        if not piece:
            raise asyncio.IncompleteReadError(b"", self.remaining)
        self.remaining -= len(piece)
        return piece

    async def read_all(self, reader: asyncio.StreamReader, limit: int) -> bytes:
        body = bytearray()
        while piece := await self.read(reader):
            body += piece
            if len(body) > limit:
                raise _Malformed("answer too large")
        return bytes(body)


def _reconnect_later() -> Response:
    """An empty event stream asking EventSource to come back (it keeps its last id)."""
    return Response(
        f"retry: {RECONNECT_MS}\n\n",
        media_type=MEDIA_TYPE,
        headers={"cache-control": "no-store"},
    )


class _EventStream(Response):
    """Copies the core's stream to the browser; closes the core connection however it ends."""

    def __init__(
        self,
        relay: EventRelay,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        framing: _Framing,
        headers: list[tuple[str, str]],
    ) -> None:
        self.relay = relay
        self.reader = reader
        self.writer = writer  # kept: a StreamWriter closes its connection when collected
        self.transport = writer.transport
        self.framing = framing
        self.status_code = 200
        self.background = None
        self.raw_headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in filter_headers(headers, _STREAM_DROP)
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watcher: asyncio.Task[None] | None = None
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            watcher = asyncio.ensure_future(_disconnected(receive))
            watcher.add_done_callback(self._browser_gone)
            await self._pump(send)
        finally:
            if watcher is not None:
                watcher.remove_done_callback(self._browser_gone)
                watcher.cancel()
            self.transport.abort()
            self.relay.release_slot()

    def _browser_gone(self, _watcher: asyncio.Task[None]) -> None:
        self.transport.abort()  # the pump's pending read ends at once

    async def _pump(self, send: Send) -> None:
        send_timeout = self.relay.settings.events_send_timeout
        try:
            if await self._copy(send):
                async with asyncio.timeout(send_timeout):
                    await send({"type": "http.response.body", "body": b""})
        except TimeoutError:  # the browser took nothing in for that long: drop it
            log.warning("slow event stream dropped", extra={"fields": self.relay._counts()})

    async def _copy(self, send: Send) -> bool:
        """Copies until the core's stream ends (True) or the browser is found too slow
        (raises TimeoutError). Each wait has its bound: the core's next piece (its pings
        come well within `events_read_timeout`), the browser taking it in."""
        settings = self.relay.settings
        loop = asyncio.get_running_loop()
        sending = False
        try:
            async with asyncio.timeout(None) as deadline:
                while True:
                    sending = False
                    deadline.reschedule(loop.time() + settings.events_read_timeout)
                    try:
                        piece = await self.framing.read(self.reader)
                    except (OSError, asyncio.IncompleteReadError, _Malformed) as exc:
                        if not self.transport.is_closing():
                            log.info("core stream broke off", extra={"fields": {"error": str(exc)}})
                        return True
                    if not piece:
                        return True
                    sending = True
                    deadline.reschedule(loop.time() + settings.events_send_timeout)
                    await send({"type": "http.response.body", "body": piece, "more_body": True})
        except TimeoutError:
            if sending:
                raise
            log.info("core stream silent too long; ended")
            return True


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
