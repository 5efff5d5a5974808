"""Risk events: listing them (newest first, filtered, keyset-paginated on the time-ordered
id) and clearing a claim's flag as a false positive."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.claims import queue, risk
from core_api.errors import Conflict, NotFound
from core_api.kit.filters import on_days
from core_api.kit.pagination import PageParams, newest_first
from core_api.models.base import utcnow
from core_api.models.claim import Claim, RiskEvent
from core_api.risk.schemas import RiskEventClear, RiskEventCleared, RiskEventRead


@dataclass(frozen=True, slots=True)
class RiskEventFilters:
    rule: str | None = None
    claim_id: uuid.UUID | None = None
    from_: date | None = None
    to: date | None = None
    cleared: bool | None = None


async def list_events(
    db: AsyncSession, actor: Actor, filters: RiskEventFilters, page: PageParams
) -> tuple[list[RiskEvent], str | None]:
    """`from`/`to` are inclusive days (UTC) of when the flag was raised."""
    query = select(RiskEvent).where(RiskEvent.tenant_id == actor.require_tenant())
    if filters.rule is not None:
        query = query.where(RiskEvent.rule == filters.rule)
    if filters.claim_id is not None:
        query = query.where(RiskEvent.claim_id == filters.claim_id)
    query = query.where(*on_days(RiskEvent.created_at, filters.from_, filters.to))
    if filters.cleared is not None:
        cleared = RiskEvent.cleared_at.is_not(None)
        query = query.where(cleared if filters.cleared else ~cleared)
    newest = newest_first(RiskEvent.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    return newest.page(rows, page.limit)


async def clear(
    db: AsyncSession, actor: Actor, event_id: uuid.UUID, data: RiskEventClear
) -> RiskEventCleared:
    """Clears one flag of a claim: the claim's risk score drops by its weight (the
    uncleared flags are summed again and capped, as at submission), the claim is
    re-ranked in the queue, and the note goes to the audit log. A compare-and-set on
    `cleared_at`, so of two concurrent clears one wins and the other gets 409."""
    tenant_id = actor.require_tenant()
    event = await db.scalar(
        select(RiskEvent).where(RiskEvent.id == event_id, RiskEvent.tenant_id == tenant_id)
    )
    if event is None:
        raise NotFound("No such risk event.")
    if event.authorization_id is not None:
        raise Conflict(
            "This flag belongs to a pre-authorization: clear its hold with "
            f"POST /v1/authorizations/{event.authorization_id}/clear.",
            type="pre-authorization-risk-event",
        )
    if event.claim_id is None:
        raise Conflict("This risk event flags no claim.", type="not-a-claim-flag")
    if event.cleared_at is not None:
        raise Conflict("The risk event is already cleared.", type="already-cleared")
    now = utcnow()
    won = await db.scalar(
        update(RiskEvent)
        .where(
            RiskEvent.id == event.id,
            RiskEvent.tenant_id == tenant_id,
            RiskEvent.cleared_at.is_(None),
        )
        .values(cleared_at=now, cleared_by=actor.user_id)
        .returning(RiskEvent.id)
        .execution_options(synchronize_session=False)
    )
    if won is None:
        raise Conflict("The risk event is already cleared.", type="already-cleared")
    await db.refresh(event)
    # The scoring lock before the claim's row lock (see `core_api.claims.queue`); the row
    # lock makes concurrent clears of the claim's other flags sum one after the other.
    settings = await queue.scoring_settings(db, tenant_id)
    claim = await db.scalar(
        select(Claim)
        .where(Claim.id == event.claim_id, Claim.tenant_id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert claim is not None
    before = claim.risk_score
    after = await risk.current_score(db, claim)
    if after != before:
        claim.risk_score = after
        claim.version += 1
    await queue.rescore(db, claim, settings)
    await audit.record(
        db,
        actor,
        "risk_event.cleared",
        "risk_event",
        event.id,
        details={
            "note": data.note,
            "rule": event.rule,
            "weight": event.weight,
            "claim_id": str(claim.id),
            "claim_number": claim.number,
            "risk_score": {"from": before, "to": after},
            "queue_score": claim.queue_score,
        },
    )
    return RiskEventCleared(
        **RiskEventRead.model_validate(event).model_dump(),
        claim_risk_score=claim.risk_score,
        claim_queue_score=claim.queue_score,
    )
