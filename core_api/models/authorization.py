"""Pre-authorizations: the request, its history, and the rules that approve it at once."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
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


class AuthorizationStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    IN_REVIEW = "IN_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    APPEALED = "APPEALED"
    USED = "USED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class Urgency(enum.StrEnum):
    """Ordered: a rule's urgency ceiling admits its own tier and the tiers below it."""

    ROUTINE = "ROUTINE"
    URGENT = "URGENT"
    EMERGENCY = "EMERGENCY"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)


OPEN_STATUSES = ("SUBMITTED", "IN_REVIEW", "APPEALED")


class Authorization(TenantScoped, Base):
    """Owned by the HMO (`tenant_id`); its provider org (`provider_tenant_id`) sees it too."""

    __tablename__ = "authorizations"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "auth_code"),
        tenant_fk("enrollee_id", "enrollees"),
        tenant_fk("plan_id", "plans"),
        Index("ix_authorizations_status", "tenant_id", "status"),
        Index("ix_authorizations_enrollee", "tenant_id", "enrollee_id", "id"),
        Index("ix_authorizations_provider_tenant", "provider_tenant_id", "created_at"),
        # The PA a claim used (the open-flags summary follows a claim's change to it).
        Index(
            "ix_authorizations_used_by",
            "tenant_id",
            "used_by_claim_id",
            postgresql_where="used_by_claim_id IS NOT NULL",
        ),
        Index(
            "ix_authorizations_sla",
            "tenant_id",
            "sla_due_at",
            "id",
            postgresql_where="status in ('SUBMITTED', 'IN_REVIEW', 'APPEALED')",
        ),
        CheckConstraint("estimated_amount > 0", name="positive_estimate"),
        CheckConstraint(
            "approved_amount is null or approved_amount > 0", name="positive_approved_amount"
        ),
    )

    number: Mapped[str] = mapped_column(String(20))
    enrollee_id: Mapped[uuid.UUID]
    member_id: Mapped[str] = mapped_column(String(48))
    plan_id: Mapped[uuid.UUID]
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, "pa_urgency"))
    procedure_code: Mapped[str] = mapped_column(String(32))
    diagnosis_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    currency: Mapped[str] = mapped_column(String(3), default="NGN")
    estimated_amount: Mapped[int]
    approved_amount: Mapped[int | None]
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[AuthorizationStatus] = mapped_column(
        str_enum(AuthorizationStatus, "pa_status"), default=AuthorizationStatus.SUBMITTED
    )
    sla_due_at: Mapped[datetime]
    breached_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[uuid.UUID | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    auth_code: Mapped[str | None] = mapped_column(String(32))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    used_at: Mapped[datetime | None]
    used_by_claim_id: Mapped[uuid.UUID | None]
    matched_rule_id: Mapped[uuid.UUID | None]
    suspicious: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_at: Mapped[datetime | None]
    reported_by: Mapped[uuid.UUID | None]
    hold_cleared_at: Mapped[datetime | None]
    hold_cleared_by: Mapped[uuid.UUID | None]
    submitted_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)


class AuthorizationEvent(TenantScoped, Base):
    """The PA's history: each transition, and what else happened to it (breach, reports).

    `note_enc` holds clinical free text (an appeal's evidence), encrypted like the notes.
    """

    __tablename__ = "pa_events"
    __table_args__ = tenant_table_args(
        tenant_fk("authorization_id", "authorizations", ondelete="CASCADE"),
        Index("ix_pa_events_authorization", "tenant_id", "authorization_id", "created_at"),
        # The PAs appealed, counted from the index alone (the authorisation report).
        Index(
            "ix_pa_events_appealed",
            "tenant_id",
            "authorization_id",
            postgresql_where="action = 'appealed'",
        ),
    )

    authorization_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[AuthorizationStatus | None] = mapped_column(
        str_enum(AuthorizationStatus, "pa_status")
    )
    to_status: Mapped[AuthorizationStatus] = mapped_column(
        str_enum(AuthorizationStatus, "pa_status")
    )
    actor_id: Mapped[uuid.UUID | None]
    actor_label: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str | None] = mapped_column(Text)
    note_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class PaRule(TenantScoped, Base):
    """Auto-approval: a PA for this plan and procedure, at most `max_amount` and at most
    `max_urgency`, is approved at once with a code valid for `valid_days`."""

    __tablename__ = "pa_rules"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "plan_id", "procedure_code"),
        tenant_fk("plan_id", "plans"),
        CheckConstraint("max_amount > 0", name="positive_max_amount"),
        CheckConstraint("valid_days between 1 and 365", name="valid_days_range"),
    )

    plan_id: Mapped[uuid.UUID]
    procedure_code: Mapped[str] = mapped_column(String(32))
    max_amount: Mapped[int]
    max_urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, "pa_urgency"))
    valid_days: Mapped[int] = mapped_column(Integer, default=30)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)
