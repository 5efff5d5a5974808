"""The PA state machine: the one table of legal moves and the one function that moves.

SUBMITTED → IN_REVIEW → APPROVED | REJECTED, REJECTED → APPEALED → IN_REVIEW,
APPROVED → USED | EXPIRED | CANCELLED.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor, ActorKind
from core_api.claims.queries import keyring
from core_api.errors import Conflict, Forbidden, StaleVersion
from core_api.models.authorization import Authorization, AuthorizationEvent, AuthorizationStatus
from core_api.models.base import utcnow

S = AuthorizationStatus
ALLOWED: dict[AuthorizationStatus, frozenset[AuthorizationStatus]] = {
    S.SUBMITTED: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.REJECTED}),
    S.REJECTED: frozenset({S.APPEALED}),
    S.APPEALED: frozenset({S.IN_REVIEW}),
    S.APPROVED: frozenset({S.USED, S.EXPIRED, S.CANCELLED}),
    S.USED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}

DECIDE = "authorizations:decide"
# The permissions (any one of them) each move needs. An appeal returns the PA to review
# itself; a claim citing the code uses it; either side may cancel an unused approval.
PERMISSIONS_FOR: dict[tuple[AuthorizationStatus, AuthorizationStatus], frozenset[str]] = {
    (S.SUBMITTED, S.IN_REVIEW): frozenset({DECIDE}),
    (S.IN_REVIEW, S.APPROVED): frozenset({DECIDE}),
    (S.IN_REVIEW, S.REJECTED): frozenset({DECIDE}),
    (S.REJECTED, S.APPEALED): frozenset({"authorizations:appeal"}),
    (S.APPEALED, S.IN_REVIEW): frozenset({"authorizations:appeal"}),
    (S.APPROVED, S.USED): frozenset({"claims:create"}),
    (S.APPROVED, S.EXPIRED): frozenset({DECIDE}),
    (S.APPROVED, S.CANCELLED): frozenset({DECIDE, "authorizations:create"}),
}
OPEN = frozenset({S.SUBMITTED, S.IN_REVIEW, S.APPEALED})
assert set(PERMISSIONS_FOR) == {(a, b) for a, targets in ALLOWED.items() for b in targets}


class IllegalTransition(Conflict):
    type = "illegal-transition"
    title = "Illegal transition"


def system_actor(tenant_id: uuid.UUID, label: str) -> Actor:
    """Vetra itself (an auto-approval rule, the SLA job), acting inside one HMO."""
    return Actor(ActorKind.PLATFORM, label, frozenset({DECIDE}), tenant_id=tenant_id)


def check_move(actor: Actor, pa: Authorization, to: AuthorizationStatus) -> None:
    if to not in ALLOWED[pa.status]:
        raise IllegalTransition(
            f"A pre-authorization cannot go from {pa.status} to {to}.",
            current_status=pa.status.value,
        )
    needed = PERMISSIONS_FOR[(pa.status, to)]
    if not needed & actor.permissions:
        wanted = " or ".join(f"'{p}'" for p in sorted(needed))
        raise Forbidden(f"This move needs the {wanted} permission.", permission=sorted(needed)[0])


def seal(pa: Authorization, text: str | None) -> bytes | None:
    """Clinical free text of a PA, encrypted with the PA's id as associated data."""
    return keyring().seal(text.encode(), context=pa.id.bytes) if text else None


def unseal(pa: Authorization, blob: bytes | None) -> str | None:
    return keyring().open(blob, context=pa.id.bytes).decode() if blob else None


async def move(
    db: AsyncSession,
    actor: Actor,
    pa: Authorization,
    to: AuthorizationStatus,
    *,
    version: int | None = None,
    reason: str | None = None,
    note: str | None = None,
    values: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    action: str | None = None,
) -> None:
    """Checks the move and the actor's permission, then compare-and-sets the status (and
    `values`) and appends history and audit in the same transaction.

    `version` is the one the caller read (None: the one loaded now); a stale version or a
    concurrent move (0 rows updated) is a 409 and changes nothing.
    """
    check_move(actor, pa, to)
    from_status = pa.status
    expected = pa.version if version is None else version
    moved = await db.scalar(
        update(Authorization)
        .where(
            Authorization.id == pa.id,
            Authorization.version == expected,
            Authorization.status == from_status,
        )
        .values(status=to, version=Authorization.version + 1, **(values or {}))
        .returning(Authorization.version)
        .execution_options(synchronize_session=False)
    )
    if moved is None:
        raise StaleVersion(
            f"Version {expected} is stale or the pre-authorization moved meanwhile.",
            current_version=pa.version,
        )
    await _history(
        db, actor, pa, action or to.value.lower(), from_status, to, reason, note, details
    )
    await db.refresh(pa)


async def record(
    db: AsyncSession,
    actor: Actor,
    pa: Authorization,
    action: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    initial: bool = False,
) -> None:
    """History and audit for what happens to a PA without a status change (`initial`:
    its filing)."""
    from_status = None if initial else pa.status
    await _history(db, actor, pa, action, from_status, pa.status, reason, None, details)


async def _history(
    db: AsyncSession,
    actor: Actor,
    pa: Authorization,
    action: str,
    from_status: AuthorizationStatus | None,
    to: AuthorizationStatus,
    reason: str | None,
    note: str | None,
    details: dict[str, Any] | None,
) -> None:
    db.add(
        AuthorizationEvent(
            tenant_id=pa.tenant_id,
            authorization_id=pa.id,
            action=action,
            from_status=from_status,
            to_status=to,
            actor_id=actor.id,
            actor_label=actor.label,
            reason=reason,
            note_enc=seal(pa, note),
            details=details or {},
            created_at=utcnow(),
        )
    )
    await audit.record(
        db,
        actor,
        f"authorization.{action}",
        "authorization",
        pa.id,
        tenant_id=pa.tenant_id,
        details={
            "number": pa.number,
            "from": from_status.value if from_status else None,
            "to": to.value,
        },
    )
