from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from core_api.approvals import service
from core_api.approvals.schemas import LimitsRead, LimitsUpdate, MyLimitsRead
from core_api.auth.actor import Actor
from core_api.deps import DbSession, require

router = APIRouter(prefix="/approval-limits", tags=["access"])


@router.get("", response_model=LimitsRead)
async def list_limits(
    db: DbSession, _actor: Annotated[Actor, require("approval_limits:read")]
) -> LimitsRead:
    """`{limits}`: every role with its ceilings (0 where none is set: it cannot approve).
    One resource, the shape `PUT` takes: edit the answer and send it back."""
    return LimitsRead(limits=await service.list_limits(db))


@router.get("/mine", response_model=MyLimitsRead)
async def my_limits(
    db: DbSession,
    actor: Annotated[Actor, require("claims:approve", "settlements:approve")],
) -> MyLimitsRead:
    """The caller's own role's ceilings: what an approver may approve, shown before trying
    (approvers need not hold `approval_limits:read`, which lists every role's)."""
    return MyLimitsRead(
        claim_limit=await service.ceiling(db, actor, "claim"),
        settlement_limit=await service.ceiling(db, actor, "settlement"),
    )


@router.put("", response_model=LimitsRead)
async def set_limits(
    body: LimitsUpdate, db: DbSession, actor: Annotated[Actor, require("approval_limits:manage")]
) -> LimitsRead:
    """Takes `{limits}` (the roles named; others keep theirs); each change is audited with
    old and new values. Answers every role's ceilings, as `GET` does."""
    return LimitsRead(limits=await service.set_limits(db, actor, body))
