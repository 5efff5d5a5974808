"""Plans: a tier's benefits and exclusions, versioned so past claims keep their rules."""

from __future__ import annotations

import enum
import uuid
from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, str_enum, tenant_fk, tenant_table_args


class BenefitPeriod(enum.StrEnum):
    POLICY_YEAR = "POLICY_YEAR"
    CALENDAR_MONTH = "CALENDAR_MONTH"


class ExclusionKind(enum.StrEnum):
    PROCEDURE = "PROCEDURE"
    DIAGNOSIS = "DIAGNOSIS"


class Plan(TenantScoped, Base):
    """The plan's identity; its rules live in `PlanVersion` rows."""

    __tablename__ = "plans"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "code"))

    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3), default="NGN")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    current_version_no: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(default=1)


class PlanVersion(TenantScoped, Base):
    """A plan's rules from `effective_from` on, premiums included: minor units of the plan's
    currency per member per month, by the member's relationship to the principal."""

    __tablename__ = "plan_versions"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "plan_id", "version_no"),
        tenant_fk("plan_id", "plans", ondelete="CASCADE"),
        CheckConstraint(
            "premium_principal >= 0 and premium_spouse >= 0 and premium_child >= 0",
            name="premiums_non_negative",
        ),
    )

    plan_id: Mapped[uuid.UUID]
    version_no: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date]
    max_dependants: Mapped[int] = mapped_column(Integer, default=5)
    max_children: Mapped[int] = mapped_column(Integer, default=4)
    capitation_rate: Mapped[int] = mapped_column(default=0)
    premium_principal: Mapped[int] = mapped_column(default=0)
    premium_spouse: Mapped[int] = mapped_column(default=0)
    premium_child: Mapped[int] = mapped_column(default=0)


class PlanBenefit(TenantScoped, Base):
    __tablename__ = "plan_benefits"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "plan_version_id", "category"),
        tenant_fk("plan_version_id", "plan_versions", ondelete="CASCADE"),
        CheckConstraint("limit_amount >= 0", name="limit_amount_non_negative"),
        CheckConstraint("copay_percent between 0 and 100", name="copay_percent_range"),
    )

    plan_version_id: Mapped[uuid.UUID]
    category: Mapped[str] = mapped_column(String(40))
    limit_amount: Mapped[int]
    limit_visits: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[BenefitPeriod] = mapped_column(str_enum(BenefitPeriod, "benefit_period"))
    copay_percent: Mapped[int] = mapped_column(Integer, default=0)
    waiting_period_days: Mapped[int] = mapped_column(Integer, default=0)


class PlanExclusion(TenantScoped, Base):
    __tablename__ = "plan_exclusions"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "plan_version_id", "kind", "code"),
        tenant_fk("plan_version_id", "plan_versions", ondelete="CASCADE"),
    )

    plan_version_id: Mapped[uuid.UUID]
    kind: Mapped[ExclusionKind] = mapped_column(str_enum(ExclusionKind, "exclusion_kind"))
    code: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(300), default="")
