"""The audit log: one entry per permission-sensitive action, hash-chained per tenant.

Each entry's hash covers its content and the previous entry's hash, so altering or
removing any entry breaks every hash after it. Appends to one tenant's chain are
serialised with a transaction-scoped advisory lock; the lock is released at commit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.models import AuditEvent
from core_api.models.base import utcnow

GENESIS_HASH = "0" * 64
VERIFY_BATCH = 2000


def entry_hash(event: AuditEvent) -> str:
    payload = {
        "tenant_id": str(event.tenant_id),
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_type": event.actor_type,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "request_id": event.request_id,
        "ip": event.ip,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def record(
    db: AsyncSession,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str | None = None,
    *,
    tenant_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    tenant = tenant_id or actor.require_tenant()
    await db.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"audit:{tenant}"},
    )
    last = (
        await db.execute(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.tenant_id == tenant)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    ).first()
    event = AuditEvent(
        tenant_id=tenant,
        seq=(last.seq + 1) if last else 1,
        occurred_at=utcnow(),
        actor_type=actor.kind.value,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        request_id=actor.request_id,
        ip=actor.ip,
        details=details or {},
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = entry_hash(event)
    db.add(event)
    await db.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


async def verify_chain(db: AsyncSession, tenant_id: uuid.UUID) -> ChainVerdict:
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    async for event in _events_in_order(db, tenant_id):
        if event.seq != expected_seq:
            return ChainVerdict(False, checked, expected_seq, "entry missing")
        if event.prev_hash != expected_prev:
            return ChainVerdict(False, checked, event.seq, "chain link broken")
        if entry_hash(event) != event.hash:
            return ChainVerdict(False, checked, event.seq, "entry altered")
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    return ChainVerdict(True, checked)


async def _events_in_order(db: AsyncSession, tenant_id: uuid.UUID) -> AsyncIterator[AuditEvent]:
    after = 0
    while True:
        batch = (
            await db.scalars(
                select(AuditEvent)
                .where(AuditEvent.tenant_id == tenant_id, AuditEvent.seq > after)
                .order_by(AuditEvent.seq)
                .limit(VERIFY_BATCH)
                .execution_options(populate_existing=True)
            )
        ).all()
        if not batch:
            return
        for event in batch:
            yield event
        after = batch[-1].seq
