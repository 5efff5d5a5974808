"""Finance: settlement runs, their remittances per provider, lines per claim, payment proofs."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
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


class SettlementCadence(enum.StrEnum):
    WEEKLY = "WEEKLY"
    FORTNIGHTLY = "FORTNIGHTLY"
    MONTHLY = "MONTHLY"


class DisputeStatus(enum.StrEnum):
    OPEN = "OPEN"
    UNDER_REVIEW = "UNDER_REVIEW"
    RESOLVED_ACCEPTED = "RESOLVED_ACCEPTED"
    RESOLVED_REJECTED = "RESOLVED_REJECTED"


class SettlementRun(TenantScoped, Base):
    """The HMO's batch of APPROVED claims for a period, one remittance per provider."""

    __tablename__ = "settlement_runs"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "number"),
        Index("ix_settlement_runs_status", "tenant_id", "status"),
        CheckConstraint("period_from <= period_to", name="period_order"),
        Index(
            "uq_settlement_runs_cadence_period",
            "tenant_id",
            "cadence",
            "period_from",
            unique=True,
            postgresql_where=text("cadence IS NOT NULL"),
        ),
    )

    number: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("providers.id"))
    period_from: Mapped[date]
    period_to: Mapped[date]
    # Set on runs the cadence job drafts; one such run per cadence period, even cancelled.
    cadence: Mapped[SettlementCadence | None] = mapped_column(
        str_enum(SettlementCadence, "settlement_cadence")
    )
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
    """One claim in a remittance, or one accepted dispute's adjustment (exactly one of
    `claim_id` and `dispute_id`). `active` is cleared when the run is cancelled, and a claim
    or an adjustment is in at most one active line (partial unique indexes), so never in
    two live runs."""

    __tablename__ = "remittance_lines"
    __table_args__ = tenant_table_args(
        tenant_fk("remittance_id", "remittances", ondelete="CASCADE"),
        tenant_fk("claim_id", "claims"),
        # Disputes also reference lines: this key is added after both tables exist.
        ForeignKeyConstraint(
            ["tenant_id", "dispute_id"],
            ["disputes.tenant_id", "disputes.id"],
            use_alter=True,
            name="fk_remittance_lines_tenant_id_dispute_id_disputes",
        ),
        Index("ix_remittance_lines_remittance", "tenant_id", "remittance_id"),
        Index(
            "uq_remittance_lines_active_claim",
            "claim_id",
            unique=True,
            postgresql_where=text("active"),
        ),
        Index(
            "uq_remittance_lines_active_dispute",
            "dispute_id",
            unique=True,
            postgresql_where=text("active"),
        ),
        CheckConstraint("num_nonnulls(claim_id, dispute_id) = 1", name="claim_or_dispute"),
    )

    remittance_id: Mapped[uuid.UUID]
    claim_id: Mapped[uuid.UUID | None]
    dispute_id: Mapped[uuid.UUID | None]
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


class Dispute(TenantScoped, Base):
    """A provider's challenge to one remittance line. An accepted dispute's `adjustment` is
    paid as a line of the provider's next settlement run; a line has at most one dispute
    that is not rejected."""

    __tablename__ = "disputes"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "number"),
        tenant_fk("remittance_id", "remittances"),
        tenant_fk("remittance_line_id", "remittance_lines"),
        Index("ix_disputes_status", "tenant_id", "status", "created_at"),
        Index("ix_disputes_provider_tenant", "provider_tenant_id", "created_at"),
        Index(
            "uq_disputes_live_line",
            "remittance_line_id",
            unique=True,
            postgresql_where=text("status <> 'RESOLVED_REJECTED'"),
        ),
        CheckConstraint("amount_claimed > 0", name="positive_claim"),
        CheckConstraint("adjustment IS NULL OR adjustment > 0", name="positive_adjustment"),
    )

    number: Mapped[str] = mapped_column(String(20))
    remittance_id: Mapped[uuid.UUID]
    remittance_line_id: Mapped[uuid.UUID]
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    reason: Mapped[str] = mapped_column(String(2000))
    amount_claimed: Mapped[int]
    status: Mapped[DisputeStatus] = mapped_column(
        str_enum(DisputeStatus, "dispute_status"), default=DisputeStatus.OPEN
    )
    adjustment: Mapped[int | None]
    resolution_note: Mapped[str | None] = mapped_column(String(2000))
    raised_by: Mapped[uuid.UUID | None]
    reviewed_by: Mapped[uuid.UUID | None]
    resolved_by: Mapped[uuid.UUID | None]
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)


class CapitationRun(TenantScoped, Base):
    """One month's capitation: a line per primary provider. A month has at most one run
    that is not cancelled (a partial unique index), so running it twice creates nothing."""

    __tablename__ = "capitation_runs"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "number"),
        Index(
            "uq_capitation_runs_live_month",
            "tenant_id",
            "month",
            unique=True,
            postgresql_where=text("status <> 'CANCELLED'"),
        ),
        CheckConstraint("extract(day from month) = 1", name="first_of_month"),
    )

    number: Mapped[str] = mapped_column(String(20))
    month: Mapped[date]
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "capitation_run_status"), default=RunStatus.DRAFT
    )
    currency: Mapped[str] = mapped_column(String(3), default="NGN")
    total: Mapped[int] = mapped_column(default=0)
    member_count: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[uuid.UUID | None]
    approved_by: Mapped[uuid.UUID | None]
    approved_at: Mapped[datetime | None]
    paid_by: Mapped[uuid.UUID | None]
    paid_at: Mapped[datetime | None]
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    cancelled_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)


class CapitationLine(TenantScoped, Base):
    """What a capitation run pays one primary provider; its provider org sees it too.
    `member_days` is the sum over its enrollees of the days each was ACTIVE in the month."""

    __tablename__ = "capitation_lines"
    __table_args__ = tenant_table_args(
        tenant_fk("run_id", "capitation_runs", ondelete="CASCADE"),
        UniqueConstraint("run_id", "provider_id"),
        Index("ix_capitation_lines_provider_tenant", "provider_tenant_id", "created_at"),
        CheckConstraint("amount >= 0 AND member_count >= 0", name="non_negative"),
    )

    run_id: Mapped[uuid.UUID]
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    member_count: Mapped[int]
    member_days: Mapped[int]
    amount: Mapped[int]
