"""Reading and changing a tenant's settings (optimistic `version`, audited).

A change to what the queue score reads (`claim_sla_days`, `flag_score`) re-scores the
tenant's open claims in the same transaction (`core_api.claims.queue.rescore_open`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.claims import queue
from core_api.claims.queue import FLAG_SCORE
from core_api.claims.risk import DEFAULT_THRESHOLDS
from core_api.errors import Invalid, StaleVersion
from core_api.models.settings import TenantSettings
from core_api.settings_api import branding
from core_api.settings_api.schemas import LogoRead, SettingsPatch, SettingsRead
from core_api.tenants.settings import load_settings

DEFAULTS: dict[str, int] = {**DEFAULT_THRESHOLDS, "flag_score": FLAG_SCORE}
# Fields where an explicit null is a value (off, or none), not "leave unchanged".
NULLABLE = frozenset(
    {
        "sampling_percent",
        "settlement_cadence",
        "display_name",
        "primary_colour",
        "support_email",
        "support_phone",
    }
)


def read(settings: TenantSettings, logo: LogoRead | None) -> SettingsRead:
    overrides = {k: int(v) for k, v in (settings.risk_thresholds or {}).items() if k in DEFAULTS}
    return SettingsRead(
        claim_sla_days=settings.claim_sla_days,
        frequency_limit_days=settings.frequency_limit_days,
        sampling_percent=settings.sampling_percent,
        sampling_max_risk=settings.sampling_max_risk,
        risk_thresholds={**DEFAULTS, **overrides},
        risk_overrides=overrides,
        settlement_cadence=settings.settlement_cadence,
        display_name=settings.display_name,
        primary_colour=settings.primary_colour,
        support_email=settings.support_email,
        support_phone=settings.support_phone,
        logo=logo,
        version=settings.version,
    )


async def get(db: AsyncSession, actor: Actor) -> SettingsRead:
    tenant_id = actor.require_tenant()
    return read(await load_settings(db, tenant_id), await branding.logo_of(db, tenant_id))


async def patch(db: AsyncSession, actor: Actor, data: SettingsPatch) -> SettingsRead:
    tenant_id = actor.require_tenant()
    await queue.lock_for_settings_change(db, tenant_id)
    stored = await db.get(TenantSettings, tenant_id, with_for_update=True)
    settings = stored or await load_settings(db, tenant_id)
    if data.version != settings.version:
        raise StaleVersion(f"Version {data.version} is stale.", current_version=settings.version)
    ranking = _ranking_inputs(settings)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
    thresholds = changes.pop("risk_thresholds", None)
    if thresholds is not None:
        unknown = sorted(set(thresholds) - set(DEFAULTS))
        if unknown:
            raise Invalid("risk_thresholds", f"Unknown thresholds: {', '.join(unknown)}.")
        merged = dict(settings.risk_thresholds or {})
        for key, value in thresholds.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        settings.risk_thresholds = merged
    for key, value in changes.items():
        if value is None and key not in NULLABLE:
            continue
        setattr(settings, key, value)
    settings.version += 1
    if stored is None:
        db.add(settings)
    await db.flush()
    requeued = None
    if _ranking_inputs(settings) != ranking:
        requeued = await queue.rescore_open(db, tenant_id, settings)
    await audit.record(
        db,
        actor,
        "settings.update",
        "tenant_settings",
        tenant_id,
        details={
            **changes,
            **({"risk_thresholds": thresholds} if thresholds else {}),
            **({"requeued_claims": requeued} if requeued is not None else {}),
        },
    )
    return read(settings, await branding.logo_of(db, tenant_id))


def _ranking_inputs(settings: TenantSettings) -> tuple[int, int]:
    """What the queue score reads of the settings: a change re-ranks every open claim."""
    return queue.flag_score(settings), queue.age_points_per_day(settings)
