"""Disputes: a provider challenges one claim line of its own remittance; the HMO's
finance staff review and resolve it. An accepted dispute's `adjustment` is paid as a line
of the provider's next settlement run (`finance.service.create_run` gathers it).

OPEN → UNDER_REVIEW → RESOLVED_ACCEPTED | RESOLVED_REJECTED (OPEN may be resolved
directly). A dispute belongs to the HMO (`tenant_id`) and is shared with the provider
(`provider_tenant_id`) under Row-Level Security. Every move is a compare-and-set on
`version`, is audited in both parties' chains (so each side's history shows it), and
tells the other side.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.db import as_tenant
from core_api.disputes.schemas import (
    DisputeCreate,
    DisputeDetail,
    DisputeRead,
    HistoryEntry,
    Outcome,
    Resolution,
)
from core_api.errors import Conflict, Forbidden, Invalid, NotFound
from core_api.kit.counters import next_number
from core_api.kit.idempotency import Answer, once, request_hash
from core_api.kit.pagination import (
    PageParams,
    newest_first,
)
from core_api.kit.versioning import compare_and_set
from core_api.models import AuditEvent, Provider, Tenant
from core_api.models.base import utcnow
from core_api.models.claim import Claim
from core_api.models.finance import Dispute, DisputeStatus, RemittanceLine
from core_api.network.service import act_for_hmo, notify_provider_users
from core_api.notifications.service import notify_permission_holders

S = DisputeStatus
ALLOWED: dict[DisputeStatus, frozenset[DisputeStatus]] = {
    S.OPEN: frozenset({S.UNDER_REVIEW, S.RESOLVED_ACCEPTED, S.RESOLVED_REJECTED}),
    S.UNDER_REVIEW: frozenset({S.RESOLVED_ACCEPTED, S.RESOLVED_REJECTED}),
    S.RESOLVED_ACCEPTED: frozenset(),
    S.RESOLVED_REJECTED: frozenset(),
}
ACTIONS = {
    S.OPEN: "raised",
    S.UNDER_REVIEW: "under_review",
    S.RESOLVED_ACCEPTED: "accepted",
    S.RESOLVED_REJECTED: "rejected",
}
RESOLVE = "disputes:resolve"
OBJECT = "dispute"
# Audit entry ids are time-ordered: a dispute's history lies between its own id's time
# and its resolution (with this much slack for clocks of several app copies).
CLOCK_SLACK = timedelta(minutes=5)


class IllegalDisputeTransition(Conflict):
    type = "illegal-transition"
    title = "Illegal transition"


class LineAlreadyDisputed(Conflict):
    type = "dispute-exists"
    title = "The line already has a live dispute"


class RemittanceCancelled(Conflict):
    type = "remittance-cancelled"
    title = "The remittance's settlement run was cancelled"


# --- raising ---------------------------------------------------------------------------------


async def raise_dispute(
    db: AsyncSession, actor: Actor, data: DisputeCreate, idempotency_key: str | None
) -> Answer:
    """A provider (user or integration key) disputes a claim line of its own remittance.

    Another organisation's line is 404; an HMO cannot raise one (403). A retry with the
    same `Idempotency-Key` and body answers as the first time."""
    org = actor.require_tenant()
    provider = await db.scalar(select(Provider).where(Provider.org_tenant_id == org))
    if provider is None:
        raise Forbidden("Disputes are raised by providers, against their own remittances.")
    line = await _disputed_line(db, data)
    if line is None or line.provider_tenant_id != org:
        raise NotFound("No such remittance line.")
    if line.claim_id is None:
        raise Invalid("remittance_line_id", "An adjustment line cannot itself be disputed.")
    if not line.active:
        raise RemittanceCancelled(
            "The settlement run of this remittance was cancelled; its claims go into a later run."
        )
    if data.amount_claimed > line.billed:
        raise Invalid(
            "amount_claimed", f"At most the line's billed amount ({line.billed}) can be claimed."
        )
    hmo_code = await db.scalar(select(Tenant.code).where(Tenant.id == line.tenant_id))
    scope = await act_for_hmo(db, actor, tenant=hmo_code)
    assert scope.hmo_tenant_id == line.tenant_id

    async def create() -> Answer:
        dispute = await _create(db, actor, provider, line, data)
        return 201, (await detail(db, actor, dispute)).model_dump(mode="json")

    body_hash = request_hash(data.model_dump(mode="json"))
    return await once(
        db, line.tenant_id, f"disputes:{provider.id}", idempotency_key, body_hash, create
    )


async def _disputed_line(db: AsyncSession, data: DisputeCreate) -> RemittanceLine | None:
    """The named line as far as this caller may see it (RLS: its own org's or HMO's)."""
    query = select(RemittanceLine)
    if data.remittance_line_id is not None:
        query = query.where(RemittanceLine.id == data.remittance_line_id)
    if data.remittance_id is not None:
        query = query.where(RemittanceLine.remittance_id == data.remittance_id)
    if data.claim_id is not None:
        query = query.where(RemittanceLine.claim_id == data.claim_id)
    return (await db.scalars(query.limit(1))).first()


async def _create(
    db: AsyncSession,
    actor: Actor,
    provider: Provider,
    line: RemittanceLine,
    data: DisputeCreate,
) -> Dispute:
    live = await _live_dispute(db, line.id)
    if live is not None:
        raise LineAlreadyDisputed(
            f"Dispute {live.number} on this line is still live.", dispute_id=str(live.id)
        )
    dispute = Dispute(
        tenant_id=line.tenant_id,
        number=await next_number(db, line.tenant_id, "DSP"),
        remittance_id=line.remittance_id,
        remittance_line_id=line.id,
        provider_id=provider.id,
        provider_tenant_id=line.provider_tenant_id,
        reason=data.reason,
        amount_claimed=data.amount_claimed,
        raised_by=actor.id,
    )
    try:
        async with db.begin_nested():
            db.add(dispute)
            await db.flush()
    except IntegrityError as exc:  # a concurrent dispute on the same line won
        raise LineAlreadyDisputed("This line already has a live dispute.") from exc
    await _audit(db, actor, dispute, None)
    await notify_permission_holders(
        db,
        dispute.tenant_id,
        RESOLVE,
        "dispute.raised",
        f"{provider.name} raised dispute {dispute.number}",
        data=_notice(dispute),
    )
    return dispute


async def _live_dispute(db: AsyncSession, line_id: uuid.UUID) -> Dispute | None:
    return await db.scalar(
        select(Dispute).where(
            Dispute.remittance_line_id == line_id, Dispute.status != S.RESOLVED_REJECTED
        )
    )


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DisputeFilters:
    status: DisputeStatus | None = None
    remittance_id: uuid.UUID | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.status is not None:
            query = query.where(Dispute.status == self.status)
        if self.remittance_id is not None:
            query = query.where(Dispute.remittance_id == self.remittance_id)
        return query


async def list_disputes(
    db: AsyncSession, actor: Actor, filters: DisputeFilters, page: PageParams
) -> tuple[list[Dispute], str | None]:
    """Newest first: the HMO's disputes, or a provider's own (across its HMOs)."""
    tenant = actor.require_tenant()
    own = or_(Dispute.tenant_id == tenant, Dispute.provider_tenant_id == tenant)
    query = filters.apply(select(Dispute).where(own))
    newest = newest_first(Dispute.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    return newest.page(rows, page.limit)


async def load(db: AsyncSession, actor: Actor, dispute_id: uuid.UUID) -> Dispute:
    """The HMO's dispute or the provider's own; anything else is 404."""
    dispute = await db.get(Dispute, dispute_id)
    if dispute is None or actor.tenant_id not in (dispute.tenant_id, dispute.provider_tenant_id):
        raise NotFound("No such dispute.")
    return dispute


async def detail(db: AsyncSession, actor: Actor, dispute: Dispute) -> DisputeDetail:
    """The dispute with its claim, where its adjustment is paid, and its history (from the
    caller's own audit chain, which holds every move of the dispute)."""
    body = DisputeDetail.model_validate(
        {
            **DisputeRead.model_validate(dispute).model_dump(),
            "claim_id": None,
            "claim_number": None,
        }
    )
    claim = (
        await db.execute(
            select(Claim.id, Claim.number)
            .join(RemittanceLine, RemittanceLine.claim_id == Claim.id)
            .where(RemittanceLine.id == dispute.remittance_line_id)
        )
    ).first()
    if claim is not None:
        body.claim_id, body.claim_number = claim.id, claim.number
    body.adjustment_remittance_id = await db.scalar(
        select(RemittanceLine.remittance_id).where(
            RemittanceLine.dispute_id == dispute.id, RemittanceLine.active.is_(True)
        )
    )
    body.history = await _history(db, actor.require_tenant(), dispute)
    return body


async def _history(db: AsyncSession, tenant: uuid.UUID, dispute: Dispute) -> list[HistoryEntry]:
    since = dispute.created_at - CLOCK_SLACK
    until = (dispute.resolved_at or utcnow()) + CLOCK_SLACK
    async with as_tenant(db, tenant):
        events = (
            await db.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.tenant_id == tenant,
                    AuditEvent.id.between(_id_floor(since), _id_floor(until)),
                    AuditEvent.object_type == OBJECT,
                    AuditEvent.object_id == str(dispute.id),
                )
                .order_by(AuditEvent.seq)
            )
        ).all()
    return [
        HistoryEntry(
            at=e.occurred_at,
            action=e.action.removeprefix(f"{OBJECT}."),
            from_status=e.details.get("from"),
            to_status=e.details["to"],
            actor_id=e.actor_id,
            actor_label=e.actor_label,
        )
        for e in events
    ]


def _id_floor(moment: Any) -> uuid.UUID:
    """The smallest time-ordered (v7) id of that millisecond."""
    return uuid.UUID(int=(int(moment.timestamp() * 1000) & ((1 << 48) - 1)) << 80)


# --- moving ----------------------------------------------------------------------------------


async def review(
    db: AsyncSession, actor: Actor, dispute_id: uuid.UUID, version: int | None
) -> Dispute:
    """OPEN → UNDER_REVIEW; the provider is told."""
    dispute = await _hmo_load(db, actor, dispute_id)
    await _move(db, actor, dispute, S.UNDER_REVIEW, version, reviewed_by=actor.id)
    await _tell_provider(db, dispute, f"Dispute {dispute.number} is under review")
    return dispute


async def resolve(
    db: AsyncSession, actor: Actor, dispute_id: uuid.UUID, data: Resolution
) -> Dispute:
    """Accepted (with the adjustment the next settlement run pays) or rejected (with the
    reason); the provider is told. Two resolvers at once: one wins, the other gets 409."""
    dispute = await _hmo_load(db, actor, dispute_id)
    accepted = data.outcome is Outcome.ACCEPTED
    to = S.RESOLVED_ACCEPTED if accepted else S.RESOLVED_REJECTED
    _check(dispute, to)
    if data.adjustment is not None and data.adjustment > dispute.amount_claimed:
        raise Invalid(
            "adjustment", f"At most the amount claimed ({dispute.amount_claimed}) can be paid."
        )
    await _move(
        db,
        actor,
        dispute,
        to,
        data.version,
        adjustment=data.adjustment if accepted else None,
        resolution_note=data.note,
        resolved_by=actor.id,
        resolved_at=utcnow(),
    )
    if accepted:
        title = f"Dispute {dispute.number} accepted: {dispute.adjustment} in your next settlement"
    else:
        title = f"Dispute {dispute.number} rejected"
    await _tell_provider(db, dispute, title)
    return dispute


async def _hmo_load(db: AsyncSession, actor: Actor, dispute_id: uuid.UUID) -> Dispute:
    dispute = await load(db, actor, dispute_id)
    if dispute.tenant_id != actor.tenant_id:
        raise Forbidden("The HMO reviews and resolves disputes.")
    return dispute


def _check(dispute: Dispute, to: DisputeStatus) -> None:
    if to not in ALLOWED[dispute.status]:
        raise IllegalDisputeTransition(
            f"A dispute cannot go from {dispute.status} to {to}.",
            current_status=dispute.status.value,
        )


async def _move(
    db: AsyncSession,
    actor: Actor,
    dispute: Dispute,
    to: DisputeStatus,
    version: int | None,
    **values: Any,
) -> None:
    """Compare-and-set on the version (every move bumps it, so a dispute that moved
    meanwhile is stale too): of two concurrent moves one wins, the other gets 409."""
    _check(dispute, to)
    from_status = dispute.status
    expected = dispute.version if version is None else version
    await compare_and_set(db, Dispute, dispute.id, expected, {"status": to, **values})
    await _audit(db, actor, dispute, from_status)


async def _audit(
    db: AsyncSession, actor: Actor, dispute: Dispute, from_status: DisputeStatus | None
) -> None:
    """One entry in the HMO's chain, one in the provider's (the HMO's first, always)."""
    details = {
        "number": dispute.number,
        "from": from_status.value if from_status else None,
        "to": dispute.status.value,
        "remittance_line_id": str(dispute.remittance_line_id),
        "amount_claimed": dispute.amount_claimed,
        "adjustment": dispute.adjustment,
    }
    action = f"{OBJECT}.{ACTIONS[dispute.status]}"
    async with as_tenant(db, dispute.tenant_id):
        await audit.record(
            db, actor, action, OBJECT, dispute.id, tenant_id=dispute.tenant_id, details=details
        )
    async with as_tenant(db, dispute.provider_tenant_id):
        await audit.record(
            db,
            actor,
            action,
            OBJECT,
            dispute.id,
            tenant_id=dispute.provider_tenant_id,
            details=details,
        )


async def _tell_provider(db: AsyncSession, dispute: Dispute, title: str) -> None:
    await notify_provider_users(
        db,
        dispute.provider_tenant_id,
        f"dispute.{ACTIONS[dispute.status]}",
        title,
        body=dispute.resolution_note or "",
        data=_notice(dispute),
    )


def _notice(dispute: Dispute) -> dict[str, Any]:
    return {
        "dispute_id": str(dispute.id),
        "number": dispute.number,
        "status": dispute.status.value,
        "remittance_id": str(dispute.remittance_id),
        "amount_claimed": dispute.amount_claimed,
        "adjustment": dispute.adjustment,
    }
