"""Settlement runs: APPROVED claims batched per provider into remittances, approved within
the approver's limit, paid with proofs; a fully paid remittance settles its claims."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.approvals import service as approvals
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.claims import queries, state
from core_api.db import as_tenant
from core_api.errors import Conflict, Forbidden, Invalid, NotFound
from core_api.finance import runs
from core_api.finance.schemas import (
    LineRead,
    ProofRead,
    RemittanceRead,
    RemittanceSummary,
    RunCreate,
    RunDetail,
    RunRead,
)
from core_api.kit.counters import next_number
from core_api.kit.pagination import (
    PageParams,
    newest_first,
)
from core_api.models import Tenant, UserKind
from core_api.models.base import utcnow
from core_api.models.claim import Claim, ClaimStatus
from core_api.models.finance import (
    Dispute,
    DisputeStatus,
    PaymentProof,
    Remittance,
    RemittanceLine,
    RemittanceStatus,
    RunStatus,
    SettlementRun,
)
from core_api.network.service import notify_provider_users
from shared.ids import uuid7

R = RunStatus


class ClaimAlreadyInRun(Conflict):
    type = "claim-in-another-run"
    title = "Claim already in a settlement run"


class AdjustmentAlreadyInRun(Conflict):
    type = "adjustment-in-another-run"
    title = "Dispute adjustment already in a settlement run"


def hmo_only(actor: Actor) -> None:
    """Settlement runs are the HMO's; providers see their remittances only."""
    if actor.user_kind not in (None, UserKind.STAFF):
        raise Forbidden("Settlement runs are managed by the HMO's staff.")


async def create_run(db: AsyncSession, actor: Actor, data: RunCreate) -> RunDetail:
    """Set-based, so 10,000 claims take well under a second in the database: the claims
    and adjustments are picked by id, each kind of line is one INSERT … SELECT, and every
    total is summed from the lines in SQL."""
    hmo_only(actor)
    tenant_id = actor.require_tenant()
    # One creation at a time per HMO; the partial unique indexes are the backstop.
    await db.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:lock, 0))"),
        {"lock": f"settlement-runs:{tenant_id}"},
    )
    claims = (await db.execute(_unsettled_claims(data))).all()
    adjustments = (await db.execute(_unpaid_adjustments(data.provider_id))).all()
    if not claims and not adjustments:
        raise Invalid("period_from", "No approved claims to settle in this period.")
    run = SettlementRun(
        tenant_id=tenant_id,
        number=await next_number(db, tenant_id, "STL"),
        provider_id=data.provider_id,
        period_from=data.period_from,
        period_to=data.period_to,
        created_by=actor.id,
    )
    db.add(run)
    await db.flush()
    org_of = {row.provider_id: row.provider_tenant_id for row in [*claims, *adjustments]}
    remittances = {
        provider_id: Remittance(
            tenant_id=tenant_id,
            run_id=run.id,
            provider_id=provider_id,
            provider_tenant_id=org_of[provider_id],
        )
        for provider_id in sorted(org_of)
    }
    db.add_all(remittances.values())
    await db.flush()
    try:
        async with db.begin_nested():
            for statement, rows in ((CLAIM_LINES, claims), (ADJUSTMENT_LINES, adjustments)):
                if rows:
                    await db.execute(
                        statement,
                        {
                            "ids": [uuid7() for _ in rows],
                            "sources": [row.id for row in rows],
                            "remittances": [remittances[row.provider_id].id for row in rows],
                        },
                    )
    except IntegrityError as exc:
        if "uq_remittance_lines_active_dispute" in str(exc.orig):
            raise AdjustmentAlreadyInRun(
                "A dispute adjustment of this run is already in another run."
            ) from exc
        raise ClaimAlreadyInRun("A claim of this run is already in another run.") from exc
    sums = (
        select(RemittanceLine.remittance_id, func.sum(RemittanceLine.amount).label("total"))
        .where(RemittanceLine.remittance_id.in_([r.id for r in remittances.values()]))
        .group_by(RemittanceLine.remittance_id)
        .subquery()
    )
    await db.execute(
        update(Remittance)
        .where(Remittance.id == sums.c.remittance_id)
        .values(total=sums.c.total)
        .execution_options(synchronize_session=False)
    )
    run.total = int(
        await db.scalar(select(func.sum(Remittance.total)).where(Remittance.run_id == run.id)) or 0
    )
    await db.flush()
    await audit.record(
        db,
        actor,
        "settlement_run.created",
        "settlement_run",
        run.id,
        details={
            "number": run.number,
            "claims": len(claims),
            "adjustments": len(adjustments),
            "total": run.total,
        },
    )
    return await detail(db, actor, run.id)


def _unsettled_claims(data: RunCreate) -> Select[uuid.UUID, uuid.UUID, uuid.UUID]:
    """APPROVED claims served in the period and in no live run, by provider and number."""
    taken = exists().where(RemittanceLine.claim_id == Claim.id, RemittanceLine.active.is_(True))
    query = (
        select(Claim.id, Claim.provider_id, Claim.provider_tenant_id)
        .where(
            Claim.status == ClaimStatus.APPROVED,
            Claim.service_date.between(data.period_from, data.period_to),
            ~taken,
        )
        .order_by(Claim.provider_id, Claim.number)
    )
    if data.provider_id is not None:
        query = query.where(Claim.provider_id == data.provider_id)
    return query


def _unpaid_adjustments(
    provider_id: uuid.UUID | None,
) -> Select[uuid.UUID, uuid.UUID, uuid.UUID]:
    """Accepted disputes whose adjustment is in no live run, whatever the run's period."""
    taken = exists().where(RemittanceLine.dispute_id == Dispute.id, RemittanceLine.active.is_(True))
    query = (
        select(Dispute.id, Dispute.provider_id, Dispute.provider_tenant_id)
        .where(Dispute.status == DisputeStatus.RESOLVED_ACCEPTED, ~taken)
        .order_by(Dispute.provider_id, Dispute.number)
    )
    if provider_id is not None:
        query = query.where(Dispute.provider_id == provider_id)
    return query


# A line per claim: billed and approved as adjudicated, paying the approved amount.
CLAIM_LINES = text(
    """
    insert into remittance_lines (id, tenant_id, created_at, remittance_id, claim_id,
        provider_tenant_id, billed, approved, amount, active)
    select n.id, c.tenant_id, now(), n.remittance_id, c.id, c.provider_tenant_id,
        c.total_billed, c.total_approved, c.total_approved, true
    from unnest(cast(:ids as uuid[]), cast(:sources as uuid[]), cast(:remittances as uuid[]))
        with ordinality as n(id, source_id, remittance_id, position)
    join claims c on c.id = n.source_id and c.status = 'APPROVED'
    order by n.position
    """
)
# A line per accepted dispute: billed is what the provider claimed, paying the adjustment.
ADJUSTMENT_LINES = text(
    """
    insert into remittance_lines (id, tenant_id, created_at, remittance_id, dispute_id,
        provider_tenant_id, billed, approved, amount, active)
    select n.id, d.tenant_id, now(), n.remittance_id, d.id, d.provider_tenant_id,
        d.amount_claimed, d.adjustment, d.adjustment, true
    from unnest(cast(:ids as uuid[]), cast(:sources as uuid[]), cast(:remittances as uuid[]))
        with ordinality as n(id, source_id, remittance_id, position)
    join disputes d on d.id = n.source_id and d.status = 'RESOLVED_ACCEPTED'
    order by n.position
    """
)


async def list_runs(
    db: AsyncSession, actor: Actor, status: RunStatus | None, page: PageParams
) -> tuple[list[RunRead], str | None]:
    """Newest first (ids are time-ordered); the cursor is the last id served."""
    hmo_only(actor)
    query = select(SettlementRun).where(SettlementRun.tenant_id == actor.require_tenant())
    if status is not None:
        query = query.where(SettlementRun.status == status)
    newest = newest_first(SettlementRun.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    found, cursor = newest.page(rows, page.limit)
    return [RunRead.model_validate(r) for r in found], cursor


async def load_run(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> SettlementRun:
    hmo_only(actor)
    run = await db.get(SettlementRun, run_id)
    if run is None or run.tenant_id != actor.tenant_id:
        raise NotFound("No such settlement run.")
    return run


async def detail(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> RunDetail:
    run = await load_run(db, actor, run_id)
    await db.refresh(run)
    body = RunDetail.model_validate(run)
    remittances = await db.scalars(
        select(Remittance).where(Remittance.run_id == run.id).order_by(Remittance.id)
    )
    body.remittances = [await remittance_read(db, r) for r in remittances]
    return body


async def approve(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> RunDetail:
    run = await load_run(db, actor, run_id)
    runs.check_move(run, R.APPROVED)
    await approvals.check(db, actor, "settlement", run.total)
    await runs.move(db, actor, run, R.APPROVED, approved_by=actor.id, approved_at=utcnow())
    return await detail(db, actor, run.id)


async def cancel(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> RunDetail:
    """DRAFT or APPROVED only: the run's claims are released for a later run."""
    run = await load_run(db, actor, run_id)
    runs.check_move(run, R.CANCELLED)
    if await db.scalar(
        select(Remittance.id).where(Remittance.run_id == run.id, Remittance.paid_amount > 0)
    ):
        raise Conflict("Payments were recorded against this run; it cannot be cancelled.")
    await runs.move(db, actor, run, R.CANCELLED, cancelled_at=utcnow())
    remittances = select(Remittance.id).where(Remittance.run_id == run.id)
    await db.execute(
        update(RemittanceLine)
        .where(RemittanceLine.remittance_id.in_(remittances))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Remittance)
        .where(Remittance.run_id == run.id)
        .values(status=RemittanceStatus.CANCELLED, version=Remittance.version + 1)
        .execution_options(synchronize_session=False)
    )
    return await detail(db, actor, run.id)


# --- remittances ---------------------------------------------------------------------------


async def load_remittance(db: AsyncSession, actor: Actor, remittance_id: uuid.UUID) -> Remittance:
    """The HMO's own, or (through shared RLS) the provider's own; anything else is 404."""
    remittance = await db.get(Remittance, remittance_id)
    if remittance is None or actor.tenant_id not in (
        remittance.tenant_id,
        remittance.provider_tenant_id,
    ):
        raise NotFound("No such remittance.")
    return remittance


async def _lines(db: AsyncSession, remittance: Remittance) -> list[RemittanceLine]:
    rows = await db.scalars(
        select(RemittanceLine)
        .where(RemittanceLine.remittance_id == remittance.id)
        .order_by(RemittanceLine.id)
    )
    return list(rows.all())


async def _line_reads(db: AsyncSession, remittance: Remittance) -> list[LineRead]:
    """The lines with their claims' numbers and statuses, as the screens list them."""
    rows = await db.execute(
        select(RemittanceLine, Claim.number, Claim.status)
        .outerjoin(Claim, Claim.id == RemittanceLine.claim_id)
        .where(RemittanceLine.remittance_id == remittance.id)
        .order_by(RemittanceLine.id)
    )
    return [
        LineRead.model_validate(line).model_copy(
            update={"claim_number": number, "claim_status": status}
        )
        for line, number, status in rows.all()
    ]


async def _run_facts(
    db: AsyncSession, remittances: Sequence[Remittance]
) -> dict[uuid.UUID, dict[str, str]]:
    """Each run's number and currency with its HMO's name, by run id. Runs belong to the
    HMO alone, so a provider's are read in each paying HMO's scope."""
    runs_by_hmo: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for remittance in remittances:
        runs_by_hmo[remittance.tenant_id].add(remittance.run_id)
    hmos = await db.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(runs_by_hmo)))
    names = {hmo_id: name for hmo_id, name in hmos.all()}
    facts: dict[uuid.UUID, dict[str, str]] = {}
    for hmo_id, run_ids in runs_by_hmo.items():
        async with as_tenant(db, hmo_id):
            rows = await db.execute(
                select(SettlementRun.id, SettlementRun.number, SettlementRun.currency).where(
                    SettlementRun.id.in_(run_ids)
                )
            )
            for run_id, number, currency in rows.all():
                facts[run_id] = {
                    "run_number": number,
                    "currency": currency,
                    "hmo_name": names[hmo_id],
                }
    return facts


def _columns(remittance: Remittance) -> dict[str, Any]:
    return {column.key: getattr(remittance, column.key) for column in Remittance.__table__.columns}


async def remittance_summaries(
    db: AsyncSession, remittances: Sequence[Remittance]
) -> list[RemittanceSummary]:
    facts = await _run_facts(db, remittances)
    return [RemittanceSummary.model_validate(_columns(r) | facts[r.run_id]) for r in remittances]


async def remittance_read(db: AsyncSession, remittance: Remittance) -> RemittanceRead:
    await db.refresh(remittance)
    facts = await _run_facts(db, [remittance])
    proofs = await db.scalars(
        select(PaymentProof)
        .where(PaymentProof.remittance_id == remittance.id)
        .order_by(PaymentProof.created_at)
    )
    return RemittanceRead.model_validate(
        _columns(remittance)
        | facts[remittance.run_id]
        | {
            "lines": await _line_reads(db, remittance),
            "payment_proofs": [ProofRead.model_validate(p) for p in proofs],
        }
    )


async def record_payment(
    db: AsyncSession,
    actor: Actor,
    remittance_id: uuid.UUID,
    *,
    reference: str | None,
    amount: int | None,
    paid_on: date | None,
    filename: str,
    content_type: str,
    data: bytes,
) -> RemittanceRead:
    """Records a payment with its proof (stored encrypted); the provider is told either way.
    Fully paid: the remittance's claims become SETTLED, and a run whose remittances are all
    paid becomes PAID."""
    hmo_only(actor)
    remittance = await load_remittance(db, actor, remittance_id)
    if remittance.tenant_id != actor.tenant_id:
        raise NotFound("No such remittance.")
    if not reference or not reference.strip() or len(reference) > 100:
        raise Invalid("reference", "A payment reference (up to 100 characters) is required.")
    if paid_on is None:
        raise Invalid("paid_on", "The payment date is required.")
    if amount is None or amount <= 0:
        raise Invalid("amount", "The amount must be positive.")
    run = await db.get(SettlementRun, remittance.run_id, with_for_update=True)
    assert run is not None
    if run.status is not R.APPROVED or remittance.status is not RemittanceStatus.PENDING:
        raise runs.IllegalRunTransition(
            "Payments are recorded against pending remittances of approved runs.",
            current_status=run.status.value,
        )
    await db.refresh(remittance, with_for_update=True)
    if amount > remittance.total - remittance.paid_amount:
        raise Invalid(
            "amount", f"At most {remittance.total - remittance.paid_amount} remains to pay."
        )
    proof = PaymentProof(
        tenant_id=remittance.tenant_id,
        remittance_id=remittance.id,
        provider_tenant_id=remittance.provider_tenant_id,
        reference=reference.strip(),
        amount=amount,
        paid_on=paid_on,
        recorded_by=actor.id,
    )
    db.add(proof)
    await db.flush()
    proof.attachment_id = (await queries.attach(db, actor, proof, filename, content_type, data)).id
    remittance.paid_amount += amount
    remittance.version += 1
    await audit.record(
        db,
        actor,
        "remittance.payment_recorded",
        "remittance",
        remittance.id,
        details={"reference": proof.reference, "amount": amount},
    )
    if remittance.paid_amount == remittance.total:
        await _settle(db, actor, run, remittance)
    else:
        await _tell_part_paid(db, run, remittance, proof)
    await db.flush()
    return await remittance_read(db, remittance)


async def _tell_part_paid(
    db: AsyncSession, run: SettlementRun, remittance: Remittance, proof: PaymentProof
) -> None:
    """A part payment's proof reaches the provider as it is recorded (paid in full, the
    remittance's `remittance.paid` tells it instead)."""
    await notify_provider_users(
        db,
        remittance.provider_tenant_id,
        "remittance.payment_recorded",
        f"Payment recorded on the remittance of settlement run {run.number}",
        data={
            "remittance_id": str(remittance.id),
            "run": run.number,
            "proof_id": str(proof.id),
            "reference": proof.reference,
            "amount": proof.amount,
            "outstanding": remittance.total - remittance.paid_amount,
        },
    )


async def _settle(
    db: AsyncSession, actor: Actor, run: SettlementRun, remittance: Remittance
) -> None:
    remittance.status = RemittanceStatus.PAID
    remittance.paid_at = utcnow()
    # Adjustment lines (accepted disputes) have no claim to move: they are simply paid.
    lines = await _lines(db, remittance)
    claim_ids = [line.claim_id for line in lines if line.claim_id is not None]
    claims = (await db.scalars(select(Claim).where(Claim.id.in_(claim_ids)))).all()
    for claim in sorted(claims, key=lambda c: c.number):
        state.check_move(actor, claim, ClaimStatus.SETTLED, by_provider=False, via_payment=True)
        await state.move(
            db,
            actor,
            claim,
            ClaimStatus.SETTLED,
            version=claim.version,
            details={"remittance_id": str(remittance.id), "run": run.number},
        )
    await db.flush()
    await notify_provider_users(
        db,
        remittance.provider_tenant_id,
        "remittance.paid",
        f"Remittance of settlement run {run.number} paid",
        data={
            "remittance_id": str(remittance.id),
            "run": run.number,
            "total": remittance.total,
            "claims": len(claim_ids),
            "adjustments": len(lines) - len(claim_ids),
        },
    )
    unpaid = await db.scalar(
        select(Remittance.id).where(
            Remittance.run_id == run.id,
            Remittance.id != remittance.id,
            Remittance.status != RemittanceStatus.PAID,
        )
    )
    if unpaid is None:
        await runs.move(db, actor, run, R.PAID, paid_at=utcnow())
