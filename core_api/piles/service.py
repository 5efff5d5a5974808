"""Piles: a provider's claims in one billing month, rolled up and vetted as a batch.

A pile is not stored: it is every claim with the same (`provider_id`, `billing_month`),
so its id is derived, stable and url-safe: `<provider_uuid>:<YYYY-MM>`.

`next` hands the caller the pile's next unvetted claim (RECEIVED or RESUBMITTED, highest
queue score first) and stamps `assigned_to`/`assigned_at`. The row is taken with
`SELECT … FOR UPDATE SKIP LOCKED`, so concurrent callers never receive the same claim;
an assignment older than `ASSIGNMENT_TTL` is abandoned and the claim is handed out again.

Sampled vetting (when the tenant sets `sampling_percent`): `start_sample` draws a random
n% of the pile's low-risk open claims (risk ≤ `sampling_max_risk`, not on hold) and records
the draw in the audit log (`pile.sample_started`). People decide those claims as usual.
`apply_sample` then takes the ratio approved ÷ billed over the sample and decides every
other low-risk open claim of the pile at that ratio through the claims state machine
(`claims.service.transition` → `adjudication.approve`, which writes the benefit usage),
marking them `decided_by_sampling` with `sampling_ratio_bp`. High-risk claims are never
in the sample's population, so a person always vets them.
"""

from __future__ import annotations

import math
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.claims import adjudication, carc, queue
from core_api.claims import service as claims
from core_api.claims.schemas import LineDecision, Transition
from core_api.errors import Conflict, NotFound
from core_api.kit.pagination import By, Keyset, PageParams
from core_api.models import Provider
from core_api.models.audit import AuditEvent
from core_api.models.base import utcnow
from core_api.models.claim import Claim, ClaimStatus
from core_api.models.settings import TenantSettings
from core_api.piles.schemas import (
    HandedClaim,
    PileRead,
    SampleApplied,
    SampleRead,
    StatusTotals,
)
from core_api.tenants.settings import load_settings
from shared.problems import ProblemError

S = ClaimStatus
ASSIGNMENT_TTL = timedelta(minutes=15)
TO_VET = (S.RECEIVED, S.RESUBMITTED)
DECIDED = frozenset({S.APPROVED, S.REJECTED, S.SETTLED})
SAMPLE_STARTED, SAMPLE_APPLIED = "pile.sample_started", "pile.sample_applied"
_PILE_ID = re.compile(r"^([0-9a-fA-F-]{36}):(\d{4})-(\d{2})$")
_rng = random.SystemRandom()


def pile_id(provider_id: uuid.UUID, month: date) -> str:
    return f"{provider_id}:{month:%Y-%m}"


def parse_pile_id(value: str) -> tuple[uuid.UUID, date]:
    """The pile's provider and billing month; a malformed id names no pile (404)."""
    found = _PILE_ID.match(value)
    try:
        if found is None:
            raise ValueError(value)
        return uuid.UUID(found.group(1)), date(int(found.group(2)), int(found.group(3)), 1)
    except ValueError as exc:
        raise NotFound("No such pile.") from exc


def _in_pile(tenant_id: uuid.UUID, provider_id: uuid.UUID, month: date) -> list[Any]:
    return [
        Claim.tenant_id == tenant_id,
        Claim.provider_id == provider_id,
        Claim.billing_month == month,
    ]


async def _summaries(
    db: AsyncSession, tenant_id: uuid.UUID, keys: list[tuple[uuid.UUID, date]]
) -> list[PileRead]:
    if not keys:
        return []
    stale = utcnow() - ASSIGNMENT_TTL
    free = Claim.status.in_(TO_VET) & or_(Claim.assigned_to.is_(None), Claim.assigned_at < stale)
    rows = (
        await db.execute(
            select(
                Claim.provider_id,
                Claim.billing_month,
                Claim.status,
                func.count().label("n"),
                func.sum(Claim.total_billed).label("billed"),
                func.sum(Claim.total_approved).label("approved"),
                func.min(Claim.currency).label("currency"),
                func.count().filter(free).label("to_vet"),
                func.count().filter(Claim.decided_by_sampling).label("sampled"),
            )
            .where(
                Claim.tenant_id == tenant_id,
                tuple_(Claim.provider_id, Claim.billing_month).in_(keys),
            )
            .group_by(Claim.provider_id, Claim.billing_month, Claim.status)
        )
    ).all()
    names = dict(
        (
            await db.execute(
                select(Provider.id, Provider.name).where(Provider.id.in_({k[0] for k in keys}))
            )
        ).all()
    )
    piles: dict[tuple[uuid.UUID, date], PileRead] = {}
    for r in rows:
        key = (r.provider_id, r.billing_month)
        pile = piles.get(key)
        if pile is None:
            pile = piles[key] = PileRead(
                id=pile_id(*key),
                provider_id=r.provider_id,
                provider_name=names.get(r.provider_id, ""),
                month=f"{r.billing_month:%Y-%m}",
                claim_count=0,
                total_billed=0,
                total_approved=0,
                currency=r.currency,
                to_vet=0,
                decided_by_sampling=0,
                by_status={},
            )
        pile.by_status[r.status.value] = StatusTotals(
            count=r.n, total_billed=int(r.billed or 0), total_approved=int(r.approved or 0)
        )
        pile.claim_count += r.n
        pile.total_billed += int(r.billed or 0)
        pile.total_approved += int(r.approved or 0)
        pile.to_vet += r.to_vet
        pile.decided_by_sampling += r.sampled
    return [piles[k] for k in keys if k in piles]


NEWEST_MONTH_FIRST = Keyset(
    By(Claim.billing_month, date, descending=True),
    By(Claim.provider_id, uuid.UUID, descending=True),
)


async def list_piles(
    db: AsyncSession,
    actor: Actor,
    provider_id: uuid.UUID | None,
    month: date | None,
    page: PageParams,
) -> tuple[list[PileRead], str | None]:
    """Newest month first, then by provider id; keyset on (month, provider)."""
    tenant_id = actor.require_tenant()
    query: Select[date, uuid.UUID] = (
        select(Claim.billing_month, Claim.provider_id)
        .where(Claim.tenant_id == tenant_id)
        .group_by(Claim.billing_month, Claim.provider_id)
    )
    if provider_id is not None:
        query = query.where(Claim.provider_id == provider_id)
    if month is not None:
        query = query.where(Claim.billing_month == month)
    rows = (await db.execute(NEWEST_MONTH_FIRST.apply(query, page))).all()
    found, cursor = NEWEST_MONTH_FIRST.page(rows, page.limit, lambda row: tuple(row))
    return await _summaries(db, tenant_id, [(p, m) for m, p in found]), cursor


async def get_pile(db: AsyncSession, actor: Actor, pid: str) -> PileRead:
    found = await _summaries(db, actor.require_tenant(), [parse_pile_id(pid)])
    if not found:
        raise NotFound("No such pile.")
    return found[0]


async def _exists(db: AsyncSession, tenant_id: uuid.UUID, pid: str) -> tuple[uuid.UUID, date]:
    provider_id, month = parse_pile_id(pid)
    any_claim = await db.scalar(
        select(Claim.id).where(*_in_pile(tenant_id, provider_id, month)).limit(1)
    )
    if any_claim is None:
        raise NotFound("No such pile.")
    return provider_id, month


async def next_claim(db: AsyncSession, actor: Actor, pid: str) -> HandedClaim | None:
    """Assigns the next unvetted claim to the caller; None when nothing is left to hand."""
    tenant_id = actor.require_tenant()
    provider_id, month = await _exists(db, tenant_id, pid)
    now = utcnow()
    claim = await db.scalar(
        select(Claim)
        .where(
            *_in_pile(tenant_id, provider_id, month),
            Claim.status.in_(TO_VET),
            or_(Claim.assigned_to.is_(None), Claim.assigned_at < now - ASSIGNMENT_TTL),
        )
        .order_by(Claim.queue_score.desc(), Claim.id.desc())
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if claim is None:
        return None
    claim.assigned_to, claim.assigned_at = actor.id, now
    await db.flush()
    settings = await load_settings(db, tenant_id)
    entry = queue.describe(claim, settings, datetime.now(UTC).date())
    return HandedClaim(**entry.model_dump(), assignment_expires_at=now + ASSIGNMENT_TTL)


# Sampled vetting --------------------------------------------------------------------


async def _lock_pile(db: AsyncSession, tenant_id: uuid.UUID, pid: str) -> None:
    """Serialises sample draws and applications on one pile."""
    await db.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"pile:{tenant_id}:{pid}"},
    )


async def _latest_sample(db: AsyncSession, tenant_id: uuid.UUID, pid: str) -> AuditEvent | None:
    return await db.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.tenant_id == tenant_id,
            AuditEvent.object_type == "pile",
            AuditEvent.object_id == pid,
            AuditEvent.action.in_((SAMPLE_STARTED, SAMPLE_APPLIED)),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )


async def _started(db: AsyncSession, tenant_id: uuid.UUID, pid: str) -> AuditEvent | None:
    """The draw that the latest sample event belongs to (None: no sample ever drawn)."""
    latest = await _latest_sample(db, tenant_id, pid)
    if latest is None or latest.action == SAMPLE_STARTED:
        return latest
    return await db.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.tenant_id == tenant_id,
            AuditEvent.object_type == "pile",
            AuditEvent.object_id == pid,
            AuditEvent.action == SAMPLE_STARTED,
            AuditEvent.seq < latest.seq,
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )


def _low_risk_open(
    tenant_id: uuid.UUID, provider_id: uuid.UUID, month: date, max_risk: int
) -> Select[Claim]:
    return select(Claim).where(
        *_in_pile(tenant_id, provider_id, month),
        text(queue.OPEN_SQL),
        Claim.on_hold.is_(False),
        Claim.risk_score <= max_risk,
        Claim.decided_by_sampling.is_(False),
    )


async def _sample_claims(db: AsyncSession, ids: list[str]) -> list[Claim]:
    wanted = [uuid.UUID(i) for i in ids]
    rows = (await db.scalars(select(Claim).where(Claim.id.in_(wanted)))).all()
    by_id = {c.id: c for c in rows}
    return [by_id[i] for i in wanted if i in by_id]


async def _sample_read(
    db: AsyncSession, pid: str, started: AuditEvent, settings: TenantSettings, applied: bool
) -> SampleRead:
    sample = await _sample_claims(db, started.details["claims"])
    today = datetime.now(UTC).date()
    return SampleRead(
        pile_id=pid,
        status="APPLIED" if applied else "OPEN",
        percent=started.details["percent"],
        max_risk=started.details["max_risk"],
        population=started.details["population"],
        claims=[queue.describe(c, settings, today) for c in sample],
        pending=sum(1 for c in sample if c.status not in DECIDED),
    )


async def get_sample(db: AsyncSession, actor: Actor, pid: str) -> SampleRead:
    tenant_id = actor.require_tenant()
    await _exists(db, tenant_id, pid)
    latest = await _latest_sample(db, tenant_id, pid)
    started = await _started(db, tenant_id, pid)
    if latest is None or started is None:
        raise NotFound("No sample has been drawn from this pile.")
    settings = await load_settings(db, tenant_id)
    read = await _sample_read(db, pid, started, settings, latest.action == SAMPLE_APPLIED)
    if latest.action == SAMPLE_APPLIED:
        read.ratio_bp = latest.details.get("ratio_bp")
    return read


async def start_sample(db: AsyncSession, actor: Actor, pid: str) -> SampleRead:
    """Draws the sample (or returns the open one: a pile has at most one at a time)."""
    tenant_id = actor.require_tenant()
    provider_id, month = await _exists(db, tenant_id, pid)
    await _lock_pile(db, tenant_id, pid)
    settings = await load_settings(db, tenant_id)
    latest = await _latest_sample(db, tenant_id, pid)
    if latest is not None and latest.action == SAMPLE_STARTED:
        return await _sample_read(db, pid, latest, settings, applied=False)
    percent = settings.sampling_percent
    if not percent:
        raise Conflict(
            "Sampled vetting is off for this HMO (settings: sampling_percent).",
            type="sampling-off",
        )
    max_risk = settings.sampling_max_risk
    pool = list((await db.scalars(_low_risk_open(tenant_id, provider_id, month, max_risk))).all())
    if not pool:
        raise Conflict("The pile has no low-risk open claims to sample.", type="nothing-to-sample")
    size = min(max(math.ceil(len(pool) * percent / 100), 1), len(pool))
    chosen = _rng.sample(pool, size)
    started = await audit.record(
        db,
        actor,
        SAMPLE_STARTED,
        "pile",
        pid,
        details={
            "claims": [str(c.id) for c in chosen],
            "percent": percent,
            "max_risk": max_risk,
            "population": len(pool),
        },
    )
    return await _sample_read(db, pid, started, settings, applied=False)


async def apply_sample(db: AsyncSession, actor: Actor, pid: str) -> SampleApplied:
    """Decides the pile's other low-risk open claims at the sample's approved ratio."""
    tenant_id = actor.require_tenant()
    provider_id, month = await _exists(db, tenant_id, pid)
    await _lock_pile(db, tenant_id, pid)
    started = await _latest_sample(db, tenant_id, pid)
    if started is None or started.action != SAMPLE_STARTED:
        raise Conflict("Draw a sample first (POST …/sample).", type="no-open-sample")
    sample = await _sample_claims(db, started.details["claims"])
    pending = [c.number for c in sample if c.status not in DECIDED]
    if pending:
        raise Conflict(
            "Every sampled claim must be decided first.", type="sample-not-vetted", pending=pending
        )
    billed = sum(c.total_billed for c in sample)
    approved_total = sum(c.total_approved for c in sample)
    ratio_bp = approved_total * 10_000 // billed if billed else 0
    settings = await load_settings(db, tenant_id)
    sampled = {c.id for c in sample}
    rest = [
        (c.id, c.number)
        for c in (
            await db.scalars(
                _low_risk_open(tenant_id, provider_id, month, started.details["max_risk"])
                .order_by(Claim.id)
                .with_for_update()
            )
        ).all()
        if c.id not in sampled
    ]
    result = SampleApplied(
        pile_id=pid,
        ratio_bp=ratio_bp,
        sample_billed=billed,
        sample_approved=approved_total,
        approved=[],
        rejected=[],
        skipped=[],
    )
    for claim_id, number in rest:
        try:
            async with db.begin_nested():
                outcome = await _decide(db, actor, claim_id, ratio_bp, settings)
        except ProblemError as exc:
            result.skipped.append({"claim_id": str(claim_id), "number": number, "reason": str(exc)})
            continue
        (result.approved if outcome is S.APPROVED else result.rejected).append(claim_id)
    await audit.record(
        db,
        actor,
        SAMPLE_APPLIED,
        "pile",
        pid,
        details={
            "ratio_bp": ratio_bp,
            "approved": [str(i) for i in result.approved],
            "rejected": [str(i) for i in result.rejected],
            "skipped": result.skipped,
        },
    )
    return result


async def _decide(
    db: AsyncSession,
    actor: Actor,
    claim_id: uuid.UUID,
    ratio_bp: int,
    settings: TenantSettings,
) -> ClaimStatus:
    """One claim through the state machine: (→ IN_REVIEW) → APPROVED at the ratio, each
    line capped by what the plan's checks allow; REJECTED when nothing is payable."""
    claim = await db.get(Claim, claim_id, populate_existing=True)
    assert claim is not None
    reason = f"Sampled vetting: {ratio_bp / 100:.2f}% of billed, from the pile's sample."
    if claim.status in TO_VET:
        await claims.transition(
            db, actor, claim.id, Transition(to=S.IN_REVIEW, version=claim.version, reason=reason)
        )
    items = await claims.items_of(db, claim)
    assessment = await adjudication.assess(db, claim, items, settings)
    decisions = []
    for line in assessment.lines:
        at_ratio = line.item.billed_amount * ratio_bp // 10_000
        cut = at_ratio < line.approved_amount
        decisions.append(
            LineDecision(
                id=line.item.id,
                approved_amount=min(at_ratio, line.approved_amount),
                reason_code=carc.OVER_MAXIMUM if cut else None,
            )
        )
    to = S.APPROVED if any(d.approved_amount for d in decisions) else S.REJECTED
    await claims.transition(
        db,
        actor,
        claim.id,
        Transition(
            to=to,
            version=claim.version,
            reason=reason,
            items=decisions if to is S.APPROVED else None,
        ),
    )
    await db.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.tenant_id == claim.tenant_id)
        .values(decided_by_sampling=True, sampling_ratio_bp=ratio_bp)
        .execution_options(synchronize_session=False)
    )
    return to
