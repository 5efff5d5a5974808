"""`Idempotency-Key` for POSTs that create money-bearing records.

The first answer is stored with a hash of the request; a retry with the same key and
body gets that answer again and creates nothing; the same key with another body is a
422. Requests with one key are serialised by a transaction-scoped advisory lock, so two
concurrent retries cannot both run.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.models.claim import IdempotencyRecord
from shared.problems import ProblemError

Answer = tuple[int, dict[str, Any]]


class KeyReused(ProblemError):
    status = 422
    type = "idempotency-key-reused"
    title = "Idempotency key reused with a different request"


def request_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def once(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    scope: str,
    key: str | None,
    body_hash: str,
    run: Callable[[], Awaitable[Answer]],
) -> Answer:
    if key is None:
        return await run()
    await db.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:lock, 0))"),
        {"lock": f"idempotency:{tenant_id}:{scope}:{key}"},
    )
    previous = await db.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    if previous is not None:
        if previous.request_hash != body_hash:
            raise KeyReused("This Idempotency-Key was used for a different request body.")
        return previous.status_code, previous.response
    status, response = await run()
    db.add(
        IdempotencyRecord(
            tenant_id=tenant_id,
            scope=scope,
            key=key,
            request_hash=body_hash,
            status_code=status,
            response=response,
        )
    )
    await db.flush()
    return status, response
