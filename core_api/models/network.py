"""The platform-wide provider directory and each HMO's links to providers."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ARRAY, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, str_enum, tenant_table_args, utcnow
from shared.ids import uuid7


class ProviderType(enum.StrEnum):
    HOSPITAL = "HOSPITAL"
    PHARMACY = "PHARMACY"
    LAB = "LAB"


class LinkStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    ENDED = "ENDED"


class Provider(Base):
    """Platform-level (not row-secured): a hospital, pharmacy or lab any HMO may link.

    Its staff and integration keys belong to its own tenant (`org_tenant_id`, kind PROVIDER).
    """

    __tablename__ = "providers"
    __table_args__ = (Index("ix_providers_type_state", "type", "state"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    org_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), unique=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[ProviderType] = mapped_column(str_enum(ProviderType, "provider_type"))
    state: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(300), default="")
    services: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NetworkLink(TenantScoped, Base):
    """An HMO (`tenant_id`) and a provider; visible to both sides under RLS."""

    __tablename__ = "network_links"
    __table_args__ = tenant_table_args(
        Index(
            "uq_network_links_open",
            "tenant_id",
            "provider_id",
            unique=True,
            postgresql_where="status in ('REQUESTED', 'ACTIVE')",
        ),
        Index("ix_network_links_provider", "provider_tenant_id", "status"),
    )

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    status: Mapped[LinkStatus] = mapped_column(
        str_enum(LinkStatus, "link_status"), default=LinkStatus.REQUESTED
    )
    requested_by: Mapped[uuid.UUID | None]
    responded_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by_tenant_id: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)
