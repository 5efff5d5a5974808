"""Reading server-sent events in tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx


@dataclass
class Event:
    id: str | None
    event: str | None
    data: str


def parse_lines(on_comment: Callable[[str], None] | None = None) -> Callable[[str], Event | None]:
    """A line-by-line parser: feed it lines, it answers each event as it ends."""
    fields: dict[str, str] = {}

    def feed(line: str) -> Event | None:
        nonlocal fields
        if not line:
            done = None
            if "data" in fields:
                done = Event(fields.get("id"), fields.get("event"), fields["data"])
            fields = {}
            return done
        if line.startswith(":"):
            if on_comment is not None:
                on_comment(line)
            return None
        name, _, value = line.partition(":")
        fields[name] = value.removeprefix(" ")
        return None

    return feed


async def events(
    response: httpx.Response, on_comment: Callable[[str], None] | None = None
) -> AsyncIterator[Event]:
    """Parses the stream; comment lines (pings) are skipped (or handed to `on_comment`)."""
    feed = parse_lines(on_comment)
    async for line in response.aiter_lines():
        if (event := feed(line)) is not None:
            yield event


class EventReader:
    """Reads one response's events across several `take` calls; counts pings."""

    def __init__(self, response: httpx.Response) -> None:
        self.pings = 0
        self._events = events(response, self._ping)

    def _ping(self, _line: str) -> None:
        self.pings += 1

    async def take(self, count: int, within: float = 10) -> list[Event]:
        """The next `count` events, or fails after `within` seconds."""
        async with asyncio.timeout(within):
            return [await anext(self._events) for _ in range(count)]

    async def rest(self, within: float = 10) -> list[Event]:
        """Every event until the server ends the stream."""
        async with asyncio.timeout(within):
            return [event async for event in self._events]


class RawStream:
    """A stream over a plain socket, read only when asked: a client that can stop reading.

    `receive_buffer` shrinks the socket's receive buffer, so a client that does not read
    soon makes the server's writes wait."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._feed = parse_lines(self._ping)
        self._pending = b""
        self.ended = False
        self.ping_count = 0

    def _ping(self, _line: str) -> None:
        self.ping_count += 1

    @classmethod
    async def open(
        cls,
        base_url: str,
        headers: dict[str, str],
        path: str = "/v1/notifications/stream",
        receive_buffer: int | None = None,
    ) -> RawStream:
        parts = urlsplit(base_url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=1 << 16)
        lines = [f"GET {path} HTTP/1.1", f"host: {parts.netloc}", "accept: text/event-stream"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        stream = cls(reader, writer)
        status = await reader.readline()
        assert b" 200 " in status, status
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        return stream

    async def events(self, count: int | None = None, within: float = 10) -> list[Event]:
        """The next `count` events (or all of them until the stream ends)."""
        got: list[Event] = []
        async with asyncio.timeout(within):
            while count is None or len(got) < count:
                chunk = await self._chunk()
                if chunk is None:
                    break
                got.extend(self._consume(chunk))
        return got

    async def pings(self, quiet: float = 0.1) -> int:
        """Reads what has arrived (until nothing more comes for `quiet` seconds); the
        pings seen so far."""
        with contextlib.suppress(TimeoutError):
            while not self.ended:
                async with asyncio.timeout(quiet):
                    chunk = await self._chunk()
                if chunk is not None:
                    self._consume(chunk)
        return self.ping_count

    def _consume(self, chunk: bytes) -> list[Event]:
        got: list[Event] = []
        self._pending += chunk
        *lines, rest = self._pending.split(b"\n")
        self._pending = rest
        for line in lines:
            if (event := self._feed(line.rstrip(b"\r").decode())) is not None:
                got.append(event)
        return got

    async def _chunk(self) -> bytes | None:
        """One chunk of the chunked body; None at its end."""
        size_line = await self._reader.readline()
        if not size_line:
            self.ended = True
            return None
        size = int(size_line.split(b";")[0], 16)
        data = await self._reader.readexactly(size + 2)
        if size == 0:
            self.ended = True
            return None
        return data[:-2]

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(self._writer.wait_closed(), 5)
