"""Settlement runs: APPROVED claims batched per provider into remittances, approved within
the approver's limit, paid with proofs; a fully paid remittance settles its claims."""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import exists, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.approvals import service as approvals
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.claims import queries, state
from core_api.config import get_settings
from core_api.errors import Conflict, Forbidden, Invalid, NotFound, StaleVersion
from core_api.finance.schemas import (
    LineRead,
    ProofRead,
    RemittanceRead,
    RunCreate,
    RunDetail,
    RunRead,
)
from core_api.kit.counters import next_number
from core_api.models import UserKind
from core_api.models.base import utcnow
from core_api.models.claim import Attachment, Claim, ClaimStatus
from core_api.models.finance import (
    PaymentProof,
    Remittance,
    RemittanceLine,
    RemittanceStatus,
    RunStatus,
    SettlementRun,
)
from core_api.network.service import notify_provider_users

R = RunStatus
ALLOWED: dict[RunStatus, frozenset[RunStatus]] = {
    R.DRAFT: frozenset({R.APPROVED, R.CANCELLED}),
    R.APPROVED: frozenset({R.PAID, R.CANCELLED}),
    R.PAID: frozenset(),
    R.CANCELLED: frozenset(),
}
PROOF_OWNER = "payment_proof"


class IllegalRunTransition(Conflict):
    type = "illegal-transition"
    title = "Illegal transition"


class ClaimAlreadyInRun(Conflict):
    type = "claim-in-another-run"
    title = "Claim already in a settlement run"


def hmo_only(actor: Actor) -> None:
    """Settlement runs are the HMO's; providers see their remittances only."""
    if actor.user_kind not in (None, UserKind.STAFF):
        raise Forbidden("Settlement runs are managed by the HMO's staff.")


async def create_run(db: AsyncSession, actor: Actor, data: RunCreate) -> RunDetail:
    hmo_only(actor)
    tenant_id = actor.require_tenant()
    # One creation at a time per HMO; the partial unique index is the backstop.
    await db.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:lock, 0))"),
        {"lock": f"settlement-runs:{tenant_id}"},
    )
    taken = exists().where(RemittanceLine.claim_id == Claim.id, RemittanceLine.active.is_(True))
    query = (
        select(Claim)
        .where(
            Claim.status == ClaimStatus.APPROVED,
            Claim.service_date.between(data.period_from, data.period_to),
            ~taken,
        )
        .order_by(Claim.provider_id, Claim.number)
    )
    if data.provider_id is not None:
        query = query.where(Claim.provider_id == data.provider_id)
    claims = list((await db.scalars(query)).all())
    if not claims:
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
    by_provider: dict[uuid.UUID, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_provider[claim.provider_id].append(claim)
    try:
        async with db.begin_nested():
            for provider_id, group in by_provider.items():
                remittance = Remittance(
                    tenant_id=tenant_id,
                    run_id=run.id,
                    provider_id=provider_id,
                    provider_tenant_id=group[0].provider_tenant_id,
                    total=sum(c.total_approved for c in group),
                )
                db.add(remittance)
                await db.flush()
                db.add_all(
                    RemittanceLine(
                        tenant_id=tenant_id,
                        remittance_id=remittance.id,
                        claim_id=c.id,
                        provider_tenant_id=c.provider_tenant_id,
                        billed=c.total_billed,
                        approved=c.total_approved,
                        amount=c.total_approved,
                    )
                    for c in group
                )
                await db.flush()
    except IntegrityError as exc:
        raise ClaimAlreadyInRun("A claim of this run is already in another run.") from exc
    run.total = sum(c.total_approved for c in claims)
    await db.flush()
    await audit.record(
        db,
        actor,
        "settlement_run.created",
        "settlement_run",
        run.id,
        details={"number": run.number, "claims": len(claims), "total": run.total},
    )
    return await detail(db, actor, run.id)


async def list_runs(db: AsyncSession, actor: Actor, status: RunStatus | None) -> list[RunRead]:
    hmo_only(actor)
    query = select(SettlementRun).where(SettlementRun.tenant_id == actor.require_tenant())
    if status is not None:
        query = query.where(SettlementRun.status == status)
    rows = await db.scalars(query.order_by(SettlementRun.id.desc()).limit(200))
    return [RunRead.model_validate(r) for r in rows]


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


async def _move(
    db: AsyncSession, actor: Actor, run: SettlementRun, to: RunStatus, **values: Any
) -> None:
    if to not in ALLOWED[run.status]:
        raise IllegalRunTransition(
            f"A settlement run cannot go from {run.status} to {to}.",
            current_status=run.status.value,
        )
    moved = await db.scalar(
        update(SettlementRun)
        .where(
            SettlementRun.id == run.id,
            SettlementRun.version == run.version,
            SettlementRun.status == run.status,
        )
        .values(status=to, version=SettlementRun.version + 1, **values)
        .returning(SettlementRun.version)
        .execution_options(synchronize_session=False)
    )
    if moved is None:
        raise StaleVersion("The settlement run moved meanwhile.", current_version=run.version)
    await audit.record(
        db,
        actor,
        f"settlement_run.{to.value.lower()}",
        "settlement_run",
        run.id,
        details={"number": run.number, "from": run.status.value, "total": run.total},
    )
    await db.refresh(run)


async def approve(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> RunDetail:
    run = await load_run(db, actor, run_id)
    if run.status is not R.DRAFT:
        raise IllegalRunTransition(
            f"A settlement run cannot go from {run.status} to APPROVED.",
            current_status=run.status.value,
        )
    await approvals.check(db, actor, "settlement", run.total)
    await _move(db, actor, run, R.APPROVED, approved_by=actor.id, approved_at=utcnow())
    return await detail(db, actor, run.id)


async def cancel(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> RunDetail:
    """DRAFT or APPROVED only: the run's claims are released for a later run."""
    run = await load_run(db, actor, run_id)
    if run.status not in (R.DRAFT, R.APPROVED):
        raise IllegalRunTransition(
            f"A settlement run cannot go from {run.status} to CANCELLED.",
            current_status=run.status.value,
        )
    if await db.scalar(
        select(Remittance.id).where(Remittance.run_id == run.id, Remittance.paid_amount > 0)
    ):
        raise Conflict("Payments were recorded against this run; it cannot be cancelled.")
    await _move(db, actor, run, R.CANCELLED, cancelled_at=utcnow())
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


async def remittance_read(db: AsyncSession, remittance: Remittance) -> RemittanceRead:
    await db.refresh(remittance)
    body = RemittanceRead.model_validate(remittance)
    body.lines = [LineRead.model_validate(line) for line in await _lines(db, remittance)]
    proofs = await db.scalars(
        select(PaymentProof)
        .where(PaymentProof.remittance_id == remittance.id)
        .order_by(PaymentProof.created_at)
    )
    body.payment_proofs = [ProofRead.model_validate(p) for p in proofs]
    return body


CSV_HEADER = ["claim_number", "member_id", "service_date", "billed", "approved", "paid"]


async def remittance_csv(db: AsyncSession, remittance: Remittance) -> str:
    rows = await db.execute(
        select(
            Claim.number,
            Claim.member_id,
            Claim.service_date,
            RemittanceLine.billed,
            RemittanceLine.approved,
            RemittanceLine.amount,
        )
        .join(Claim, Claim.id == RemittanceLine.claim_id)
        .where(RemittanceLine.remittance_id == remittance.id)
        .order_by(Claim.number)
    )
    paid = remittance.status is RemittanceStatus.PAID
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for number, member, served, billed, approved, amount in rows:
        writer.writerow(
            [number, member, served.isoformat(), billed, approved, amount if paid else 0]
        )
    return out.getvalue()


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
    """Records a payment with its proof (stored encrypted). Fully paid: the remittance's
    claims become SETTLED, the provider is told, and a run whose remittances are all paid
    becomes PAID."""
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
        raise IllegalRunTransition(
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
    proof.attachment_id = (await _seal(db, actor, proof, filename, content_type, data)).id
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
    await db.flush()
    return await remittance_read(db, remittance)


async def _seal(
    db: AsyncSession,
    actor: Actor,
    proof: PaymentProof,
    filename: str,
    content_type: str,
    data: bytes,
) -> Attachment:
    limit = get_settings().max_attachment_bytes
    if len(data) > limit:
        raise queries.TooLarge(f"Attachments are limited to {limit} bytes.")
    if content_type not in queries.ALLOWED_TYPES:
        raise Invalid("file", f"Allowed types: {', '.join(sorted(queries.ALLOWED_TYPES))}.")
    if not data:
        raise Invalid("file", "The file is empty.")
    ring = queries.keyring()
    attachment = Attachment(
        tenant_id=proof.tenant_id,
        owner_type=PROOF_OWNER,
        owner_id=proof.id,
        filename_enc=ring.seal(filename.encode(), context=proof.id.bytes),
        content_type=content_type,
        size=len(data),
        key_id=ring.current,
        content_enc=ring.seal(data, context=proof.id.bytes),
        uploaded_by=actor.id,
    )
    db.add(attachment)
    await db.flush()
    return attachment


async def _settle(
    db: AsyncSession, actor: Actor, run: SettlementRun, remittance: Remittance
) -> None:
    remittance.status = RemittanceStatus.PAID
    remittance.paid_at = utcnow()
    claim_ids = [line.claim_id for line in await _lines(db, remittance)]
    claims = (await db.scalars(select(Claim).where(Claim.id.in_(claim_ids)))).all()
    for claim in sorted(claims, key=lambda c: c.number):
        state.check_move(actor, claim, ClaimStatus.SETTLED, by_provider=False)
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
        await _move(db, actor, run, R.PAID, paid_at=utcnow())
