"""Finance: settlement runs, their remittances per provider, lines per claim, payment proofs."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, str_enum, tenant_fk, tenant_table_args


class RunStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    APPROVED = "APPROVED"
    PAID = "PAID"
    CANCELLED = "CANCELLED"


class RemittanceStatus(enum.StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    CANCELLED = "CANCELLED"


class SettlementRun(TenantScoped, Base):
    """The HMO's batch of APPROVED claims for a period, one remittance per provider."""

    __tablename__ = "settlement_runs"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "number"),
        Index("ix_settlement_runs_status", "tenant_id", "status"),
        CheckConstraint("period_from <= period_to", name="period_order"),
    )

    number: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("providers.id"))
    period_from: Mapped[date]
    period_to: Mapped[date]
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "settlement_run_status"), default=RunStatus.DRAFT
    )
    currency: Mapped[str] = mapped_column(String(3), default="NGN")
    total: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[uuid.UUID | None]
    approved_by: Mapped[uuid.UUID | None]
    approved_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)


class Remittance(TenantScoped, Base):
    """What a run pays one provider; its provider org (`provider_tenant_id`) sees it too."""

    __tablename__ = "remittances"
    __table_args__ = tenant_table_args(
        tenant_fk("run_id", "settlement_runs", ondelete="CASCADE"),
        Index("ix_remittances_run", "tenant_id", "run_id"),
        Index("ix_remittances_provider_tenant", "provider_tenant_id", "created_at"),
        CheckConstraint("paid_amount between 0 and total", name="paid_within_total"),
    )

    run_id: Mapped[uuid.UUID]
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    total: Mapped[int] = mapped_column(default=0)
    paid_amount: Mapped[int] = mapped_column(default=0)
    status: Mapped[RemittanceStatus] = mapped_column(
        str_enum(RemittanceStatus, "remittance_status"), default=RemittanceStatus.PENDING
    )
    paid_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)


class RemittanceLine(TenantScoped, Base):
    """One claim in a remittance. `active` is cleared when the run is cancelled, and a claim
    is in at most one active line (a partial unique index), so never in two live runs."""

    __tablename__ = "remittance_lines"
    __table_args__ = tenant_table_args(
        tenant_fk("remittance_id", "remittances", ondelete="CASCADE"),
        tenant_fk("claim_id", "claims"),
        Index("ix_remittance_lines_remittance", "tenant_id", "remittance_id"),
        Index(
            "uq_remittance_lines_active_claim",
            "claim_id",
            unique=True,
            postgresql_where=text("active"),
        ),
    )

    remittance_id: Mapped[uuid.UUID]
    claim_id: Mapped[uuid.UUID]
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    billed: Mapped[int]
    approved: Mapped[int]
    amount: Mapped[int]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PaymentProof(TenantScoped, Base):
    """A payment made against a remittance, with its encrypted proof (an `Attachment`)."""

    __tablename__ = "payment_proofs"
    __table_args__ = tenant_table_args(
        tenant_fk("remittance_id", "remittances", ondelete="CASCADE"),
        Index("ix_payment_proofs_remittance", "tenant_id", "remittance_id"),
        CheckConstraint("amount > 0", name="positive_amount"),
    )

    remittance_id: Mapped[uuid.UUID]
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    reference: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int]
    paid_on: Mapped[date]
    attachment_id: Mapped[uuid.UUID | None]
    recorded_by: Mapped[uuid.UUID | None]
