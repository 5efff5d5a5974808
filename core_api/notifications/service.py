"""Notifications: written to the outbox in the caller's transaction, read per recipient."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.db import as_tenant
from core_api.errors import NotFound
from core_api.kit.pagination import By, Keyset, PageParams
from core_api.models import EmailMessage, Notification, Role, User, UserKind
from core_api.models.base import utcnow


async def notify(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    type_: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    """Queues one notification; listeners wake when the transaction commits."""
    seq = await db.scalar(
        text("select vetra_notify(:tenant, :user, :type, :title, :body, cast(:data as jsonb))"),
        {
            "tenant": tenant_id,
            "user": user_id,
            "type": type_,
            "title": title,
            "body": body,
            "data": json.dumps(data or {}, default=str),
        },
    )
    return int(seq)


async def notify_permission_holders(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    permission: str,
    type_: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    """Notifies every active staff user of the tenant whose role grants `permission`,
    from whichever tenant is acting (a provider's action notifies the HMO's staff)."""
    async with as_tenant(db, tenant_id):
        recipients = (
            await db.scalars(
                select(User.id)
                .join(Role, (Role.id == User.role_id) & (Role.tenant_id == User.tenant_id))
                .where(
                    User.tenant_id == tenant_id,
                    User.kind == UserKind.STAFF,
                    User.is_active.is_(True),
                    Role.permissions.any_() == permission,
                )
                .order_by(User.id)
            )
        ).all()
    for user_id in recipients:
        await notify(db, tenant_id, user_id, type_, title, body, data)
    return len(recipients)


async def notify_members(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    enrollee_ids: list[uuid.UUID | None],
    type_: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    """Notifies the active portal logins of these enrollees (a dependant's principal is
    named by the caller when the principal should hear too)."""
    wanted = [e for e in enrollee_ids if e is not None]
    recipients = (
        await db.scalars(
            select(User.id)
            .where(
                User.tenant_id == tenant_id,
                User.enrollee_id.in_(wanted),
                User.kind == UserKind.ENROLLEE,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    ).all()
    for user_id in recipients:
        await notify(db, tenant_id, user_id, type_, title, body, data)
    return len(recipients)


NEWEST_FIRST = Keyset(By(Notification.seq, int, descending=True))


async def list_for_user(
    db: AsyncSession, user_id: uuid.UUID, page: PageParams, *, unread_only: bool
) -> tuple[list[Notification], str | None]:
    """The user's notifications, newest first, a page at a time."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = (await db.scalars(NEWEST_FIRST.apply(query, page))).all()
    return NEWEST_FIRST.page(rows, page.limit)


async def after_seq(
    db: AsyncSession, user_id: uuid.UUID, seq: int, limit: int
) -> list[Notification]:
    return list(
        (
            await db.scalars(
                select(Notification)
                .where(Notification.user_id == user_id, Notification.seq > seq)
                .order_by(Notification.seq)
                .limit(limit)
            )
        ).all()
    )


async def mark_read(
    db: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification:
    notification = await db.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def queue_email(db: AsyncSession, tenant_id: uuid.UUID, to: str, subject: str, body: str) -> None:
    """Writes to the email outbox in the caller's transaction."""
    db.add(EmailMessage(tenant_id=tenant_id, to_address=to, subject=subject, body=body))
