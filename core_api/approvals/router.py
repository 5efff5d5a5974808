from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from core_api.approvals import service
from core_api.approvals.schemas import LimitRead, LimitsUpdate
from core_api.auth.actor import Actor
from core_api.deps import DbSession, require

router = APIRouter(prefix="/approval-limits", tags=["access"])


@router.get("", response_model=list[LimitRead])
async def list_limits(
    db: DbSession, _actor: Annotated[Actor, require("approval_limits:read")]
) -> list[LimitRead]:
    """Every role with its ceilings (0 where none is set: it cannot approve)."""
    return await service.list_limits(db)


@router.put("", response_model=list[LimitRead])
async def set_limits(
    body: LimitsUpdate, db: DbSession, actor: Annotated[Actor, require("approval_limits:manage")]
) -> list[LimitRead]:
    """Sets the ceilings of the roles named; each change is audited with old and new values."""
    return await service.set_limits(db, actor, body)
