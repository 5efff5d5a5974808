"""Corporate clients, enrollees (principals and dependants), their lifecycle and usage."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, str_enum, tenant_fk, tenant_table_args


class EnrolleeStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"


class Relationship(enum.StrEnum):
    PRINCIPAL = "PRINCIPAL"
    SPOUSE = "SPOUSE"
    CHILD = "CHILD"


class Sex(enum.StrEnum):
    M = "M"
    F = "F"


class ChangeRequestKind(enum.StrEnum):
    ADD_DEPENDANT = "ADD_DEPENDANT"
    EDIT_ENROLLEE = "EDIT_ENROLLEE"
    DELETE_DEPENDANT = "DELETE_DEPENDANT"


class ChangeRequestStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"


class Client(TenantScoped, Base):
    """An employer. `member_seq` hands out the NNNNN of its Member IDs, in commit order.

    `covered_since` is the day the client's scheme with the HMO began: no enrollee of the
    client is covered from an earlier day.
    """

    __tablename__ = "clients"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "code"))

    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    covered_since: Mapped[date]
    member_seq: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(default=1)


class Enrollee(TenantScoped, Base):
    __tablename__ = "enrollees"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "member_id"),
        tenant_fk("client_id", "clients"),
        tenant_fk("plan_id", "plans"),
        tenant_fk("principal_id", "enrollees"),
        Index("ix_enrollees_principal", "tenant_id", "principal_id"),
        Index("ix_enrollees_client_name", "tenant_id", "client_id", "last_name", "first_name"),
    )

    member_id: Mapped[str] = mapped_column(String(48))
    client_id: Mapped[uuid.UUID]
    plan_id: Mapped[uuid.UUID]
    principal_id: Mapped[uuid.UUID | None]
    relationship: Mapped[Relationship] = mapped_column(str_enum(Relationship, "relationship"))
    member_no: Mapped[int] = mapped_column(Integer)
    child_no: Mapped[int | None] = mapped_column(Integer)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, "sex"))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    primary_provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("providers.id"))
    status: Mapped[EnrolleeStatus] = mapped_column(
        str_enum(EnrolleeStatus, "enrollee_status"), default=EnrolleeStatus.ACTIVE
    )
    coverage_start: Mapped[date]
    coverage_end: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)


class EnrolleeStatusChange(TenantScoped, Base):
    """Lifecycle history: the status in force from `effective_date` on."""

    __tablename__ = "enrollee_status_changes"
    __table_args__ = tenant_table_args(
        tenant_fk("enrollee_id", "enrollees", ondelete="CASCADE"),
        # Covering: a member's status on a day, or its whole history, without the heap.
        Index(
            "ix_enrollee_status_changes_lookup",
            "tenant_id",
            "enrollee_id",
            "effective_date",
            "created_at",
            postgresql_include=["status"],
        ),
        # The members who ever left ACTIVE: the only histories exposure has to read.
        Index(
            "ix_enrollee_status_changes_left_active",
            "tenant_id",
            "enrollee_id",
            "effective_date",
            postgresql_where=text("status <> 'ACTIVE'"),
        ),
    )

    enrollee_id: Mapped[uuid.UUID]
    status: Mapped[EnrolleeStatus] = mapped_column(str_enum(EnrolleeStatus, "enrollee_status"))
    effective_date: Mapped[date]
    reason: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[uuid.UUID | None]


class BenefitUsage(TenantScoped, Base):
    """The ledger of approved spend per enrollee and benefit, written as claims are approved.

    Eligibility and coverage sum it for a period, so "used" counts approved items only.
    """

    __tablename__ = "benefit_usage"
    __table_args__ = tenant_table_args(
        tenant_fk("enrollee_id", "enrollees", ondelete="CASCADE"),
        Index("ix_benefit_usage_lookup", "tenant_id", "enrollee_id", "category", "service_date"),
        # Covering, spend only: each member's amounts in a span of days without the heap
        # (the enrollee-coverage report sums a year of them for every member).
        Index(
            "ix_benefit_usage_spend",
            "tenant_id",
            "enrollee_id",
            "service_date",
            postgresql_include=["category", "amount"],
            postgresql_where=text("amount > 0"),
        ),
    )

    enrollee_id: Mapped[uuid.UUID]
    category: Mapped[str] = mapped_column(String(40))
    service_date: Mapped[date]
    amount: Mapped[int]
    visits: Mapped[int] = mapped_column(Integer, default=1)
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[uuid.UUID | None]


class ChangeRequest(TenantScoped, Base):
    __tablename__ = "change_requests"
    __table_args__ = tenant_table_args(
        tenant_fk("client_id", "clients"),
        tenant_fk("enrollee_id", "enrollees"),
        Index("ix_change_requests_status", "tenant_id", "status"),
    )

    client_id: Mapped[uuid.UUID]
    kind: Mapped[ChangeRequestKind] = mapped_column(
        str_enum(ChangeRequestKind, "change_request_kind")
    )
    enrollee_id: Mapped[uuid.UUID | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[ChangeRequestStatus] = mapped_column(
        str_enum(ChangeRequestStatus, "change_request_status"),
        default=ChangeRequestStatus.PENDING,
    )
    requested_by: Mapped[uuid.UUID | None]
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(300))
    result_enrollee_id: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)
