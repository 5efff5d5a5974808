"""What each HMO pays the platform: a fee per claim charged once at RECEIVED."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, tenant_fk, tenant_table_args, utcnow
from shared.ids import uuid7


class PlatformFee(TenantScoped, Base):
    """One row per claim, ever: the unique claim_id makes "charged once" a constraint."""

    __tablename__ = "platform_fees"
    __table_args__ = tenant_table_args(
        UniqueConstraint("claim_id"),
        tenant_fk("claim_id", "claims"),
        Index("ix_platform_fees_month", "tenant_id", "invoice_month"),
    )

    claim_id: Mapped[uuid.UUID]
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="NGN")
    invoice_month: Mapped[date]
    tier: Mapped[str] = mapped_column(String(40))


class FeeTier(Base):
    """Platform pricing: with `tenant_id` null, the default; otherwise a tenant's override.

    A month's claim N is priced by the tier with the highest `min_monthly_claims` <= N - 1
    (the claims already charged that month); see `core_api/billing/service.py`.
    """

    __tablename__ = "fee_tiers"
    __table_args__ = (UniqueConstraint("tenant_id", "min_monthly_claims"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(40))
    min_monthly_claims: Mapped[int] = mapped_column(Integer, default=0)
    fee_amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="NGN")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalLimit(TenantScoped, Base):
    """A role's ceilings, in minor units; no row means no approving at all."""

    __tablename__ = "approval_limits"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "role_id"),
        tenant_fk("role_id", "roles", ondelete="CASCADE"),
    )

    role_id: Mapped[uuid.UUID]
    claim_limit: Mapped[int] = mapped_column(default=0)
    settlement_limit: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
