from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.settings_api import service
from core_api.settings_api.schemas import SettingsPatch, SettingsRead

router = APIRouter(prefix="/settings", tags=["tenancy"])
branding_router = APIRouter(prefix="/branding", tags=["tenancy"])


@router.get("", response_model=SettingsRead)
async def get_settings(
    db: DbSession, actor: Annotated[Actor, require("tenant:read")]
) -> SettingsRead:
    """The tenant's claim SLA target, fraud thresholds (with defaults), sampling and
    settlement cadence."""
    return await service.get(db, actor)


@router.patch("", response_model=SettingsRead)
async def patch_settings(
    body: SettingsPatch, db: DbSession, actor: Annotated[Actor, require("tenant:update")]
) -> SettingsRead:
    """Changes only the fields sent; `version` must be current (stale: 409). A change to
    `claim_sla_days` or `risk_thresholds.flag_score` re-ranks every open claim in the
    review queue, in the same transaction."""
    return await service.patch(db, actor, body)
