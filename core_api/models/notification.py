"""The notification outbox (one row per recipient) and the email outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, tenant_fk, tenant_table_args


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
    __tablename__ = "email_outbox"
    __table_args__ = tenant_table_args()

    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
