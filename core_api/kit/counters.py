"""Readable per-tenant numbers (`CLM-000123`) from a row-locked counter: gapless, unique."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

NUMBER_DIGITS = 6


async def next_number(db: AsyncSession, tenant_id: uuid.UUID, prefix: str) -> str:
    value = await db.scalar(
        text(
            "insert into counters (tenant_id, name, value) values (:tenant, :name, 1) "
            "on conflict (tenant_id, name) do update set value = counters.value + 1 "
            "returning value"
        ),
        {"tenant": tenant_id, "name": prefix},
    )
    return f"{prefix}-{int(value):0{NUMBER_DIGITS}d}"
