"""Per-tenant operational settings: SLA targets, fraud thresholds, sampling."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, str_enum
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
    version: Mapped[int] = mapped_column(default=1)
