"""Tenants: the organisations that own rows. An HMO, or a provider organisation."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, str_enum, utcnow
from shared.ids import uuid7


class TenantKind(enum.StrEnum):
    HMO = "HMO"
    PROVIDER = "PROVIDER"


class Tenant(Base):
    """Platform-level: not row-secured, every other tenant row points here."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[TenantKind] = mapped_column(
        str_enum(TenantKind, "tenant_kind"), default=TenantKind.HMO
    )
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
