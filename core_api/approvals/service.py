"""Approval limits: per role, the largest claim and settlement run a holder may approve."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.approvals.schemas import LimitRead, LimitsUpdate
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.errors import Forbidden, Invalid
from core_api.models import Role, User
from core_api.models.billing import ApprovalLimit
from shared.money import Money

# What the seeded roles may approve in a new tenant (NGN kobo); changed with PUT.
SEEDED_LIMITS: dict[str, tuple[int, int]] = {
    "Admin": (100_000_000_00, 1_000_000_000_00),
    "Claims Manager": (5_000_000_00, 0),
    "Adjudicator": (500_000_00, 0),
    "Finance": (0, 100_000_000_00),
}


async def seed_limits(db: AsyncSession, tenant_id: uuid.UUID, roles: list[Role]) -> None:
    db.add_all(
        ApprovalLimit(tenant_id=tenant_id, role_id=role.id, claim_limit=claim, settlement_limit=run)
        for role in roles
        if role.name in SEEDED_LIMITS
        for claim, run in [SEEDED_LIMITS[role.name]]
    )


async def list_limits(db: AsyncSession) -> list[LimitRead]:
    rows = await db.execute(
        select(Role.id, Role.name, ApprovalLimit.claim_limit, ApprovalLimit.settlement_limit)
        .outerjoin(
            ApprovalLimit,
            (ApprovalLimit.role_id == Role.id) & (ApprovalLimit.tenant_id == Role.tenant_id),
        )
        .order_by(Role.name)
    )
    return [
        LimitRead(role_id=r[0], role_name=r[1], claim_limit=r[2] or 0, settlement_limit=r[3] or 0)
        for r in rows
    ]


async def set_limits(db: AsyncSession, actor: Actor, data: LimitsUpdate) -> list[LimitRead]:
    tenant_id = actor.require_tenant()
    known = set(await db.scalars(select(Role.id)))
    unknown = [str(limit.role_id) for limit in data.limits if limit.role_id not in known]
    if unknown:
        raise Invalid("limits", f"No such roles in this tenant: {', '.join(unknown)}.")
    before = {limit.role_id: limit for limit in await list_limits(db)}
    for limit in data.limits:
        old = before[limit.role_id]
        if (old.claim_limit, old.settlement_limit) == (limit.claim_limit, limit.settlement_limit):
            continue  # unchanged (GET's answer sent back whole): nothing to write or audit
        await db.execute(
            insert(ApprovalLimit)
            .values(
                tenant_id=tenant_id,
                role_id=limit.role_id,
                claim_limit=limit.claim_limit,
                settlement_limit=limit.settlement_limit,
            )
            .on_conflict_do_update(
                index_elements=["tenant_id", "role_id"],
                set_={
                    "claim_limit": limit.claim_limit,
                    "settlement_limit": limit.settlement_limit,
                    "version": ApprovalLimit.version + 1,
                },
            )
        )
        await audit.record(
            db,
            actor,
            "approval_limit.changed",
            "role",
            limit.role_id,
            details={
                "claim_limit": [old.claim_limit, limit.claim_limit],
                "settlement_limit": [old.settlement_limit, limit.settlement_limit],
            },
        )
    return await list_limits(db)


async def ceiling(db: AsyncSession, actor: Actor, kind: str) -> int:
    """The actor's ceiling for `kind` ("claim" or "settlement"); 0 without a role."""
    role_id = await db.scalar(select(User.role_id).where(User.id == actor.user_id))
    if role_id is None:
        return 0
    limit = await db.scalar(select(ApprovalLimit).where(ApprovalLimit.role_id == role_id))
    if limit is None:
        return 0
    return limit.claim_limit if kind == "claim" else limit.settlement_limit


async def check(db: AsyncSession, actor: Actor, kind: str, amount: int) -> None:
    """403 naming the limit when `amount` is above the actor's ceiling."""
    limit = await ceiling(db, actor, kind)
    if amount > limit:
        raise Forbidden(
            f"Approving {Money(amount).format()} is above your {kind} approval limit of "
            f"{Money(limit).format()} ({limit} minor units); "
            "someone with a higher limit must approve it.",
            type="approval-limit",
            limit=limit,
            amount=amount,
        )
