"""The notification outbox (one row per recipient) and the email outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, tenant_fk, tenant_table_args, utcnow


class Notification(TenantScoped, Base):
    """`seq` counts per recipient in commit order; it is the SSE event id."""

    __tablename__ = "notifications"
    __table_args__ = tenant_table_args(
        UniqueConstraint("user_id", "seq"),
        tenant_fk("user_id", "users", ondelete="CASCADE"),
    )

    user_id: Mapped[uuid.UUID]
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    read_at: Mapped[datetime | None]


class EmailMessage(TenantScoped, Base):
    """Queued mail. The mailer sends rows whose `next_attempt_at` has come; a failure
    pushes it later, and after the last attempt it is cleared (given up)."""

    __tablename__ = "email_outbox"
    __table_args__ = tenant_table_args(
        Index(
            "ix_email_outbox_due",
            "tenant_id",
            "next_attempt_at",
            postgresql_where="sent_at is null",
        )
    )

    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
