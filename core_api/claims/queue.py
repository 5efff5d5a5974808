"""The review queue: open claims ranked by one number kept on the row.

`queue_score` is stored on the claim and served from the partial index
`ix_claims_queue (tenant_id, queue_score, id) WHERE status IN (open)`, read backwards,
so a page costs the same with ten claims or ten million. Higher is reviewed sooner:

    score = tier * 10^12                      payer rules: 2 on hold, 1 flagged, 0 others
          + risk_score * 10_000               risk 0..100 → up to 1,000,000
          + value_points                      20,000 per doubling of the billed naira
          - day_number * (1,000,000 // sla)   day_number = days from 2020-01-01 to the
                                              day the claim was received (else submitted)

The last term is what keeps the ranking index-friendly without rewriting rows as time
passes: between two claims, the one received d days earlier is ahead by
d * 1,000,000 / claim_sla_days points, i.e. waiting one full SLA period (14 days by
default) is worth as much as a risk score of 100. Every row carries the same "minus
today" offset, so it cancels out of any comparison and no row needs an update at
midnight. A claim is "flagged" when its risk score reaches `risk_thresholds.flag_score`
(default 50).

The score changes only when its inputs change: submission (risk and value),
RECEIVED (the SLA clock starts), a hold being set or cleared, risk flags being cleared.
`rescore(db, claim)` recomputes and stores it; the claims state machine calls it on
those changes. Settings changes apply to claims scored afterwards.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import Select, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.errors import Invalid
from core_api.kit.pagination import PageParams, decode_cursor, next_cursor
from core_api.models.claim import Claim, ClaimStatus
from core_api.models.settings import TenantSettings
from core_api.tenants.settings import load_settings

EPOCH = date(2020, 1, 1)
TIER = 10**12
RISK_POINTS = 10_000
VALUE_POINTS_PER_DOUBLING = 20_000
SLA_POINTS = 1_000_000
FLAG_SCORE = 50
HOLD_TIER, FLAG_TIER = 2, 1
# The partial index's predicate, written out literally so the planner can match it
# even with a generic (parameterised) plan.
OPEN_SQL = "claims.status in ('RECEIVED', 'IN_REVIEW', 'RESUBMITTED')"


class QueueEntry(BaseModel):
    id: uuid.UUID
    number: str
    status: ClaimStatus
    member_id: str
    provider_id: uuid.UUID
    service_date: date
    billing_month: str
    total_billed: int
    currency: str
    risk_score: int
    on_hold: bool
    flagged: bool
    received_at: datetime | None
    age_days: int
    sla_due_on: date
    overdue: bool
    assigned_to: uuid.UUID | None
    assigned_at: datetime | None
    queue_score: int
    version: int


def flag_score(settings: TenantSettings) -> int:
    stored = (settings.risk_thresholds or {}).get("flag_score")
    return int(stored) if isinstance(stored, int | float) else FLAG_SCORE


def tier(claim: Claim, settings: TenantSettings) -> int:
    """Payer rules: claims on a fraud hold first, then flagged claims, then the rest."""
    if claim.on_hold:
        return HOLD_TIER
    return FLAG_TIER if (claim.risk_score or 0) >= flag_score(settings) else 0


def value_points(total_billed: int) -> int:
    """20,000 points per doubling of the billed amount in whole naira (log2 buckets)."""
    naira = max(total_billed or 0, 0) // 100
    return int(math.log2(naira + 1)) * VALUE_POINTS_PER_DOUBLING


def clock_start(claim: Claim) -> date:
    """The day the SLA clock started: received, else submitted, else today."""
    moment = claim.received_at or claim.created_at
    return moment.astimezone(UTC).date() if moment else datetime.now(UTC).date()


def age_points_per_day(settings: TenantSettings) -> int:
    return SLA_POINTS // max(settings.claim_sla_days or 14, 1)


def score(claim: Claim, settings: TenantSettings) -> int:
    day_number = (clock_start(claim) - EPOCH).days
    return (
        tier(claim, settings) * TIER
        + (claim.risk_score or 0) * RISK_POINTS
        + value_points(claim.total_billed)
        - day_number * age_points_per_day(settings)
    )


async def rescore(db: AsyncSession, claim: Claim, settings: TenantSettings | None = None) -> int:
    """Recomputes and stores the claim's queue score (call after its inputs change)."""
    settings = settings or await load_settings(db, claim.tenant_id)
    claim.queue_score = score(claim, settings)
    await db.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.tenant_id == claim.tenant_id)
        .values(queue_score=claim.queue_score)
        .execution_options(synchronize_session=False)
    )
    return claim.queue_score


def sla_due(claim: Claim, settings: TenantSettings) -> date:
    return clock_start(claim) + timedelta(days=settings.claim_sla_days)


def describe(claim: Claim, settings: TenantSettings, today: date) -> QueueEntry:
    """The queue entry: the claim plus why it sits where it does."""
    due = sla_due(claim, settings)
    return QueueEntry(
        id=claim.id,
        number=claim.number,
        status=claim.status,
        member_id=claim.member_id,
        provider_id=claim.provider_id,
        service_date=claim.service_date,
        billing_month=claim.billing_month.strftime("%Y-%m"),
        total_billed=claim.total_billed,
        currency=claim.currency,
        risk_score=claim.risk_score,
        on_hold=claim.on_hold,
        flagged=claim.risk_score >= flag_score(settings),
        received_at=claim.received_at,
        age_days=(today - clock_start(claim)).days,
        sla_due_on=due,
        overdue=today > due,
        assigned_to=claim.assigned_to,
        assigned_at=claim.assigned_at,
        queue_score=claim.queue_score,
        version=claim.version,
    )


def open_claims(tenant_id: uuid.UUID) -> Select[Claim]:
    return select(Claim).where(Claim.tenant_id == tenant_id, text(OPEN_SQL))


async def page(
    db: AsyncSession, actor: Actor, params: PageParams
) -> tuple[list[QueueEntry], str | None]:
    """Open claims, highest score first (ties: newest id first), keyset-paginated."""
    tenant_id = actor.require_tenant()
    query = (
        open_claims(tenant_id)
        .order_by(Claim.queue_score.desc(), Claim.id.desc())
        .limit(params.limit + 1)
    )
    after = decode_cursor(params.cursor)
    if after:
        try:
            key = (int(after[0]), uuid.UUID(str(after[1])))
        except (ValueError, IndexError, TypeError) as exc:
            raise Invalid("cursor", "The cursor is not valid.") from exc
        query = query.where(tuple_(Claim.queue_score, Claim.id) < key)
    rows = list((await db.scalars(query)).all())
    rows, cursor = next_cursor(rows, params.limit, lambda c: [c.queue_score, str(c.id)])
    settings = await load_settings(db, tenant_id)
    today = datetime.now(UTC).date()
    return [describe(c, settings, today) for c in rows], cursor
