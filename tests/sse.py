"""Reading server-sent events in tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx


@dataclass
class Event:
    id: str | None
    event: str | None
    data: str


async def events(response: httpx.Response) -> AsyncIterator[Event]:
    """Parses the stream; comment lines (pings) are skipped."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if not line:
            if "data" in fields:
                yield Event(fields.get("id"), fields.get("event"), fields["data"])
            fields = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value.removeprefix(" ")


class EventReader:
    """Reads one response's events across several `take` calls."""

    def __init__(self, response: httpx.Response) -> None:
        self._events = events(response)

    async def take(self, count: int, within: float = 10) -> list[Event]:
        """The next `count` events, or fails after `within` seconds."""
        async with asyncio.timeout(within):
            return [await anext(self._events) for _ in range(count)]
