"""Per-tenant operational settings, with documented defaults when none are stored."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core_api.models.settings import TenantSettings

DEFAULT_CLAIM_SLA_DAYS = 14


async def load_settings(db: AsyncSession, tenant_id: uuid.UUID) -> TenantSettings:
    stored = await db.get(TenantSettings, tenant_id)
    return stored or TenantSettings(
        tenant_id=tenant_id,
        claim_sla_days=DEFAULT_CLAIM_SLA_DAYS,
        frequency_limit_days=7,
        sampling_percent=None,
        sampling_max_risk=30,
        risk_thresholds={},
        pa_sla_hours={},
        version=1,
    )
