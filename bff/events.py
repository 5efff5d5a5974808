"""`GET /api/events`: the user's notification stream, relayed from the core as it comes.

The event id is the core's per-user sequence number. A browser that reconnects sends
the last id it saw (`Last-Event-ID`, which EventSource does by itself, or
`?last_event_id=` for a first connection that resumes) and the core replays what was
missed, so nothing is lost or repeated, whichever BFF copy the browser reaches.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from bff.sessions import SessionToken, settings_of, upstream_of

router = APIRouter(tags=["events"])
EventId = Annotated[str | None, Query(pattern=r"^\d{1,20}$", description="Resume after this id")]


@router.get("/api/events", response_class=Response)
async def events(
    request: Request, token: Annotated[str, SessionToken], last_event_id: EventId = None
) -> Response:
    """Server-sent events (`text/event-stream`); pings keep idle connections open."""
    resume = request.headers.get("last-event-id") or last_event_id
    headers = {"accept": "text/event-stream"}
    if resume:
        headers["last-event-id"] = resume
    return await upstream_of(request).relay(
        request,
        "/v1/notifications/stream",
        token,
        query="",
        extra_headers=headers,
        read_timeout=settings_of(request).events_read_timeout,
    )
