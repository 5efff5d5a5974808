from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request

from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.errors import Forbidden, Invalid
from core_api.kit.fields import INT64_MAX, EventId
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.notifications import service
from core_api.notifications.hub import NotificationHub
from core_api.notifications.schemas import NotificationRead
from core_api.notifications.stream import EventStream

router = APIRouter(prefix="/notifications", tags=["notifications"])
Reader = Annotated[Actor, require("notifications:read")]


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


@router.get(
    "/stream",
    status_code=200,
    response_class=EventStream,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def stream(
    request: Request,
    actor: Reader,
    last_event_id: Annotated[str | None, Header(alias="last-event-id", max_length=20)] = None,
    after: Annotated[EventId | None, Query(description="Same as Last-Event-ID")] = None,
) -> EventStream:
    """Server-sent events: every notification after `Last-Event-ID`, then live ones, with pings.

    The event id is the notification's per-user `seq`. The stream ends after
    `VETRA_SSE_MAX_LIFETIME_SECONDS` (less a random part), when the session ends, or when
    the client falls too far behind; clients reconnect with the last id they saw and
    miss nothing.
    """
    user_id = _user_id(actor)
    start = after if after is not None else _parse_event_id(last_event_id)
    hub: NotificationHub = request.app.state.notification_hub
    return EventStream(hub, actor.require_tenant(), user_id, actor.session_id, start)


def _parse_event_id(value: str | None) -> int:
    """An id this stream sent (a `seq`); refused before the stream starts otherwise."""
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()) or int(value) > INT64_MAX:
        raise Invalid("last-event-id", "Give the id of an event this stream sent, or none.")
    return int(value)
