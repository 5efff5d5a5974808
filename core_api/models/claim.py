"""Claims: the adjudicated bill, its lines, history, queries, risk flags and attachments."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, str_enum, tenant_fk, tenant_table_args


class ClaimStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    RECEIVED = "RECEIVED"
    IN_REVIEW = "IN_REVIEW"
    QUERIED = "QUERIED"
    RESUBMITTED = "RESUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    SETTLED = "SETTLED"


DECIDED_MONTH_SQL = (
    "coalesce((date_trunc('month', decided_at AT TIME ZONE 'UTC'))::date, 'infinity'::date)"
)


# What the claims-aging snapshots read of an open claim besides its times (the row-level
# security check reads provider_tenant_id).
_OPEN_CLAIM_FACTS = (
    "provider_tenant_id",
    "currency",
    "provider_id",
    "enrollee_id",
    "plan_version_id",
    "total_billed",
)


class Claim(TenantScoped, Base):
    """Owned by the HMO (`tenant_id`); its provider org (`provider_tenant_id`) sees it too."""

    __tablename__ = "claims"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "number"),
        tenant_fk("enrollee_id", "enrollees"),
        tenant_fk("plan_version_id", "plan_versions"),
        Index("ix_claims_status", "tenant_id", "status"),
        # The claims citing a PA's auth code (the open-flags summary follows a PA's change
        # to them).
        Index(
            "ix_claims_auth_code",
            "tenant_id",
            "auth_code",
            postgresql_where="auth_code IS NOT NULL",
        ),
        Index("ix_claims_provider_month", "tenant_id", "provider_id", "billing_month"),
        Index("ix_claims_enrollee_date", "tenant_id", "enrollee_id", "service_date"),
        Index("ix_claims_provider_tenant", "provider_tenant_id", "created_at"),
        # The claims submitted in a few days (provider performance's part months).
        Index("ix_claims_created", "tenant_id", "created_at"),
        # The claims served in a few days (utilisation's part months).
        Index("ix_claims_service_date", "tenant_id", "service_date"),
        # Claims received in a span, counted from the index alone: the row-level security
        # check reads provider_tenant_id too.
        Index(
            "ix_claims_received",
            "tenant_id",
            "received_at",
            postgresql_include=["provider_tenant_id"],
        ),
        # The claims open at a past moment (received before it; decided at or after it, or
        # not yet): for each month of decision from its month on, one range of the index,
        # read from it alone (the reports' claims-aging snapshots).
        Index(
            "ix_claims_open_months",
            "tenant_id",
            "decided_month",
            "received_at",
            postgresql_include=[*_OPEN_CLAIM_FACTS, "decided_at"],
            postgresql_where="received_at IS NOT NULL",
        ),
        # The claims open now, with what claims aging shows of each, read from it alone.
        Index(
            "ix_claims_open_now",
            "tenant_id",
            "received_at",
            "id",
            postgresql_include=[*_OPEN_CLAIM_FACTS, "status", "number", "member_id"],
            postgresql_where="decided_at IS NULL AND received_at IS NOT NULL",
        ),
        # provider_tenant_id for the row-level security check: the dashboard counts the
        # queue from the index alone.
        Index(
            "ix_claims_queue",
            "tenant_id",
            "queue_score",
            "id",
            postgresql_include=["provider_tenant_id"],
            postgresql_where="status in ('RECEIVED', 'IN_REVIEW', 'RESUBMITTED')",
        ),
        CheckConstraint("total_approved <= total_billed", name="approved_within_billed"),
    )

    number: Mapped[str] = mapped_column(String(20))
    enrollee_id: Mapped[uuid.UUID]
    member_id: Mapped[str] = mapped_column(String(48))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    plan_version_id: Mapped[uuid.UUID]
    service_date: Mapped[date]
    admission_date: Mapped[date | None]
    discharge_date: Mapped[date | None]
    billing_month: Mapped[date]
    auth_code: Mapped[str | None] = mapped_column(String(32))
    diagnosis_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    status: Mapped[ClaimStatus] = mapped_column(
        str_enum(ClaimStatus, "claim_status"), default=ClaimStatus.SUBMITTED
    )
    currency: Mapped[str] = mapped_column(String(3), default="NGN")
    total_billed: Mapped[int] = mapped_column(default=0)
    total_approved: Mapped[int] = mapped_column(default=0)
    copay_amount: Mapped[int] = mapped_column(default=0)
    risk_score: Mapped[int] = mapped_column(Integer, default=0)
    queue_score: Mapped[int] = mapped_column(default=0)
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_to: Mapped[uuid.UUID | None]
    assigned_at: Mapped[datetime | None]
    decided_by_sampling: Mapped[bool] = mapped_column(Boolean, default=False)
    sampling_ratio_bp: Mapped[int | None] = mapped_column(Integer)
    submitted_by: Mapped[uuid.UUID | None]
    received_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    # The month of the decision (UTC; `infinity` while undecided), kept by the database. A
    # plain column, so an index on it serves queries under row-level security (which keeps
    # an expression such as date_trunc, not leakproof, out of index conditions).
    decided_month: Mapped[date] = mapped_column(Computed(DECIDED_MONTH_SQL, persisted=True))
    version: Mapped[int] = mapped_column(default=1)


class ClaimItem(TenantScoped, Base):
    __tablename__ = "claim_items"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "claim_id", "line_no"),
        tenant_fk("claim_id", "claims", ondelete="CASCADE"),
        CheckConstraint("quantity > 0 and unit_price > 0", name="positive_line"),
        CheckConstraint(
            "approved_amount is null or approved_amount between 0 and billed_amount",
            name="approved_within_line",
        ),
    )

    claim_id: Mapped[uuid.UUID]
    line_no: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int]
    billed_amount: Mapped[int]
    approved_quantity: Mapped[int | None] = mapped_column(Integer)
    approved_amount: Mapped[int | None]
    reason_code: Mapped[str | None] = mapped_column(String(16))
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)


class ClaimEvent(TenantScoped, Base):
    """The claim's history: one row per transition, in the transition's transaction."""

    __tablename__ = "claim_events"
    __table_args__ = tenant_table_args(
        tenant_fk("claim_id", "claims", ondelete="CASCADE"),
        Index("ix_claim_events_claim", "tenant_id", "claim_id", "created_at"),
        # The claims ever queried, for the provider-performance report's query rate.
        Index(
            "ix_claim_events_queried",
            "tenant_id",
            "claim_id",
            postgresql_where="to_status = 'QUERIED'",
        ),
    )

    claim_id: Mapped[uuid.UUID]
    from_status: Mapped[ClaimStatus | None] = mapped_column(str_enum(ClaimStatus, "claim_status"))
    to_status: Mapped[ClaimStatus] = mapped_column(str_enum(ClaimStatus, "claim_status"))
    actor_id: Mapped[uuid.UUID | None]
    actor_label: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class ClaimQuery(TenantScoped, Base):
    """A question from the HMO or an answer from the provider, with optional attachments."""

    __tablename__ = "claim_queries"
    __table_args__ = tenant_table_args(tenant_fk("claim_id", "claims", ondelete="CASCADE"))

    claim_id: Mapped[uuid.UUID]
    author_id: Mapped[uuid.UUID | None]
    author_side: Mapped[str] = mapped_column(String(16))
    message_enc: Mapped[bytes] = mapped_column(LargeBinary)


class RiskEvent(TenantScoped, Base):
    __tablename__ = "risk_events"
    __table_args__ = tenant_table_args(
        tenant_fk("claim_id", "claims", ondelete="CASCADE"),
        Index("ix_risk_events_rule", "tenant_id", "rule", "created_at"),
        Index("ix_risk_events_claim", "tenant_id", "claim_id"),
        Index(
            "ix_risk_events_authorization",
            "tenant_id",
            "authorization_id",
            postgresql_where="authorization_id IS NOT NULL",
        ),
    )

    claim_id: Mapped[uuid.UUID | None]
    authorization_id: Mapped[uuid.UUID | None]
    rule: Mapped[str] = mapped_column(String(40))
    weight: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[uuid.UUID | None]


class Attachment(TenantScoped, Base):
    """A file stored encrypted (AES-256-GCM); `key_id` names the key that sealed it."""

    __tablename__ = "attachments"
    __table_args__ = tenant_table_args(
        Index("ix_attachments_owner", "tenant_id", "owner_type", "owner_id")
    )

    owner_type: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[uuid.UUID]
    filename_enc: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    key_id: Mapped[str] = mapped_column(String(40))
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[uuid.UUID | None]


class IdempotencyRecord(TenantScoped, Base):
    """The first answer to a POST with an `Idempotency-Key`, replayed to retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "scope", "key"))

    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSONB)


class Counter(Base):
    """Per-tenant readable numbers (`CLM-000123`): row-locked, so gapless in commit order."""

    __tablename__ = "counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
