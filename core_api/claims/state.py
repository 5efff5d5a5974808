"""The claim state machine: the one table of legal moves and the one function that moves.

SUBMITTED → RECEIVED → IN_REVIEW → APPROVED → SETTLED, with
IN_REVIEW → QUERIED → RESUBMITTED → IN_REVIEW, and SUBMITTED | RECEIVED | IN_REVIEW → REJECTED.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.errors import Conflict, Forbidden, StaleVersion
from core_api.models.base import utcnow
from core_api.models.claim import Claim, ClaimEvent, ClaimStatus

S = ClaimStatus
ALLOWED: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.SUBMITTED: frozenset({S.RECEIVED, S.REJECTED}),
    S.RECEIVED: frozenset({S.IN_REVIEW, S.REJECTED}),
    S.IN_REVIEW: frozenset({S.QUERIED, S.APPROVED, S.REJECTED}),
    S.QUERIED: frozenset({S.RESUBMITTED}),
    S.RESUBMITTED: frozenset({S.IN_REVIEW}),
    S.APPROVED: frozenset({S.SETTLED}),
    S.REJECTED: frozenset(),
    S.SETTLED: frozenset(),
}

# The permission a move needs. Only RESUBMITTED is the provider's move.
PERMISSION_FOR: dict[ClaimStatus, str] = {
    S.RECEIVED: "claims:adjudicate",
    S.IN_REVIEW: "claims:adjudicate",
    S.QUERIED: "claims:query",
    S.RESUBMITTED: "claims:create",
    S.APPROVED: "claims:approve",
    S.REJECTED: "claims:adjudicate",
    S.SETTLED: "payments:record",
}
PROVIDER_MOVES = frozenset({S.RESUBMITTED})
# A claim is SETTLED when its remittance is paid in full (core_api/finance), never by a
# transition request: only that path passes `via_payment`.
PAYMENT_MOVES = frozenset({S.SETTLED})
OPEN = frozenset({S.RECEIVED, S.IN_REVIEW, S.RESUBMITTED})


class IllegalTransition(Conflict):
    type = "illegal-transition"
    title = "Illegal transition"


class SettledByPayment(Conflict):
    type = "settled-by-payment"
    title = "Claims settle through payment"


def check_move(
    actor: Actor, claim: Claim, to: ClaimStatus, *, by_provider: bool, via_payment: bool = False
) -> None:
    if to not in ALLOWED[claim.status]:
        raise IllegalTransition(
            f"A claim cannot go from {claim.status} to {to}.", current_status=claim.status.value
        )
    if to in PAYMENT_MOVES and not via_payment:
        raise SettledByPayment(
            f"A claim becomes {to} when its remittance is paid: include it in a settlement "
            "run and record the payment proof (POST /v1/remittances/{id}/payment-proofs).",
            current_status=claim.status.value,
        )
    if by_provider != (to in PROVIDER_MOVES):
        side = "the provider" if to in PROVIDER_MOVES else "the HMO"
        raise Forbidden(f"Only {side} moves a claim to {to}.")
    permission = PERMISSION_FOR[to]
    if permission not in actor.permissions:
        raise Forbidden(f"This move needs the '{permission}' permission.", permission=permission)


async def move(
    db: AsyncSession,
    actor: Actor,
    claim: Claim,
    to: ClaimStatus,
    *,
    version: int,
    reason: str | None = None,
    values: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Compare-and-set the status, then append history and audit in the same transaction.

    A stale version or a concurrent move (0 rows updated) is a 409 and changes nothing.
    """
    from_status = claim.status
    stamped = {**(values or {}), **_timestamps(to)}
    moved = await db.scalar(
        update(Claim)
        .where(Claim.id == claim.id, Claim.version == version, Claim.status == from_status)
        .values(status=to, version=Claim.version + 1, **stamped)
        .returning(Claim.version)
        .execution_options(synchronize_session=False)
    )
    if moved is None:
        raise StaleVersion(
            f"Version {version} is stale or the claim moved meanwhile.",
            current_version=claim.version,
        )
    db.add(
        ClaimEvent(
            tenant_id=claim.tenant_id,
            claim_id=claim.id,
            from_status=from_status,
            to_status=to,
            actor_id=actor.id,
            actor_label=actor.label,
            reason=reason,
            details=details or {},
        )
    )
    await audit.record(
        db,
        actor,
        f"claim.{to.value.lower()}",
        "claim",
        claim.id,
        tenant_id=claim.tenant_id,
        details={"number": claim.number, "from": from_status.value},
    )
    await db.refresh(claim)


def _timestamps(to: ClaimStatus) -> dict[str, Any]:
    now = utcnow()
    if to is S.RECEIVED:
        return {"received_at": now}
    if to in (S.APPROVED, S.REJECTED):
        return {"decided_at": now}
    if to is S.SETTLED:
        return {"settled_at": now}
    return {}
