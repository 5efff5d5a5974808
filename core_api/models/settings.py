"""Per-tenant operational settings (SLA targets, fraud thresholds, sampling), the tenant's
branding, and its logo."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, str_enum, utcnow
from core_api.models.finance import SettlementCadence


class TenantSettings(Base):
    """One row per HMO tenant; absent values fall back to the documented defaults."""

    __tablename__ = "tenant_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    claim_sla_days: Mapped[int] = mapped_column(Integer, default=14)
    frequency_limit_days: Mapped[int] = mapped_column(Integer, default=7)
    sampling_percent: Mapped[int | None] = mapped_column(Integer)
    sampling_max_risk: Mapped[int] = mapped_column(Integer, default=30)
    risk_thresholds: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    pa_sla_hours: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # None: no scheduled runs. Otherwise a job drafts a settlement run per elapsed period.
    settlement_cadence: Mapped[SettlementCadence | None] = mapped_column(
        str_enum(SettlementCadence, "settlement_cadence")
    )
    # Branding, shown on the login page without a session; None: the tenant's name, or none.
    display_name: Mapped[str | None] = mapped_column(String(100))
    primary_colour: Mapped[str | None] = mapped_column(String(7))  # #RRGGBB
    support_email: Mapped[str | None] = mapped_column(String(254))
    support_phone: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)


class TenantLogo(Base):
    """The tenant's logo as uploaded (PNG, JPEG or SVG, its type sniffed from the bytes);
    `digest` (SHA-256, hex) is its cache validator."""

    __tablename__ = "tenant_logos"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
