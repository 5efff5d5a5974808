"""Visits recorded at a provider's front desk (check-ins), each with its eligibility verdict."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, tenant_fk, tenant_table_args


class CheckIn(TenantScoped, Base):
    """Owned by the HMO (`tenant_id`); its provider org (`provider_tenant_id`) sees it too.

    `eligible` and `reasons` are the eligibility answer on `visit_date` as it was given at
    the desk: later changes to the member or the plan do not rewrite the verdict."""

    __tablename__ = "check_ins"
    __table_args__ = tenant_table_args(
        tenant_fk("enrollee_id", "enrollees"),
        Index("ix_check_ins_enrollee_date", "tenant_id", "enrollee_id", "visit_date"),
        # The visits of a few days (utilisation's part months).
        Index("ix_check_ins_visit_date", "tenant_id", "visit_date"),
        Index("ix_check_ins_provider_tenant", "provider_tenant_id", "id"),
    )

    enrollee_id: Mapped[uuid.UUID]
    member_id: Mapped[str] = mapped_column(String(48))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    visit_date: Mapped[date]
    benefit_category: Mapped[str | None] = mapped_column(String(40))
    eligible: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    recorded_by: Mapped[uuid.UUID | None]
