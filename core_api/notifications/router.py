from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sse_starlette import EventSourceResponse, ServerSentEvent

from core_api.auth.actor import Actor
from core_api.auth.credentials import find_live_session
from core_api.config import Settings, get_settings
from core_api.db import tenant_transaction
from core_api.deps import DbSession, require
from core_api.errors import Forbidden, Invalid
from core_api.kit.fields import INT64_MAX, EventId
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.notifications import service
from core_api.notifications.hub import NotificationHub
from core_api.notifications.schemas import NotificationRead

router = APIRouter(prefix="/notifications", tags=["notifications"])
Reader = Annotated[Actor, require("notifications:read")]
STREAM_BATCH = 200


def _user_id(actor: Actor) -> uuid.UUID:
    if actor.user_id is None:
        raise Forbidden("Notifications belong to users; this credential has none.")
    return actor.user_id


@router.get("", response_model=Page[NotificationRead])
async def list_notifications(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    unread: bool = False,
) -> Page[NotificationRead]:
    """The caller's notifications, newest first."""
    items, cursor = await service.list_for_user(db, _user_id(actor), page, unread_only=unread)
    return Page(items=[NotificationRead.model_validate(n) for n in items], next_cursor=cursor)


@router.post("/{notification_id}/read", response_model=NotificationRead)
async def mark_read(notification_id: uuid.UUID, db: DbSession, actor: Reader) -> NotificationRead:
    return NotificationRead.model_validate(
        await service.mark_read(db, _user_id(actor), notification_id)
    )


@router.get("/stream")
async def stream(
    request: Request,
    actor: Reader,
    last_event_id: Annotated[str | None, Header(alias="last-event-id", max_length=20)] = None,
    after: Annotated[EventId | None, Query(description="Same as Last-Event-ID")] = None,
) -> EventSourceResponse:
    """Server-sent events: every notification after `Last-Event-ID`, then live ones, with pings.

    The event id is the notification's per-user `seq`. The stream ends after
    `VETRA_SSE_MAX_LIFETIME_SECONDS` or when the session ends; clients reconnect with
    the last id they saw and miss nothing.
    """
    user_id = _user_id(actor)
    start = after if after is not None else _parse_event_id(last_event_id)
    settings = get_settings()
    return EventSourceResponse(
        _events(request, actor, user_id, start, settings),
        ping=int(settings.sse_ping_seconds),
    )


def _parse_event_id(value: str | None) -> int:
    """An id this stream sent (a `seq`); refused before the stream starts otherwise."""
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()) or int(value) > INT64_MAX:
        raise Invalid("last-event-id", "Give the id of an event this stream sent, or none.")
    return int(value)


async def _events(
    request: Request, actor: Actor, user_id: uuid.UUID, last_seq: int, settings: Settings
) -> AsyncIterator[ServerSentEvent]:
    hub: NotificationHub = request.app.state.notification_hub
    factory = request.app.state.session_factory
    tenant_id = actor.require_tenant()
    deadline = time.monotonic() + settings.sse_max_lifetime_seconds
    with hub.subscribe(user_id) as wake:
        while time.monotonic() < deadline and not await request.is_disconnected():
            wake.clear()
            async with tenant_transaction(factory, tenant_id) as db:
                rows = await service.after_seq(db, user_id, last_seq, STREAM_BATCH)
            for row in rows:
                last_seq = row.seq
                yield ServerSentEvent(
                    data=NotificationRead.model_validate(row).model_dump_json(),
                    event=row.type,
                    id=str(row.seq),
                )
            if len(rows) == STREAM_BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=settings.sse_ping_seconds)
            if not await _still_signed_in(factory, settings, actor, request):
                return


async def _still_signed_in(
    factory: async_sessionmaker[AsyncSession], settings: Settings, actor: Actor, request: Request
) -> bool:
    token = request.headers.get("x-session-token")
    if actor.session_id is None or token is None:
        return True
    async with tenant_transaction(factory, actor.require_tenant()) as db:
        return await find_live_session(db, settings, token) is not None
