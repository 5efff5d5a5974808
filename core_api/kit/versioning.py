"""Optimistic concurrency: a write names the version it read; a stale one gets 409."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.errors import NotFound, StaleVersion

M = TypeVar("M")


async def compare_and_set(
    db: AsyncSession, model: type[M], object_id: uuid.UUID, version: int, values: dict[str, Any]
) -> M:
    """`UPDATE … WHERE id = :id AND version = :version`; 0 rows means someone else won."""
    table_id = model.id  # type: ignore[attr-defined]
    table_version = model.version  # type: ignore[attr-defined]
    result = await db.execute(
        update(model)
        .where(table_id == object_id, table_version == version)
        .values(**values, version=table_version + 1)
        .returning(model)
        .execution_options(synchronize_session=False)
    )
    row = result.scalar_one_or_none()
    if row is not None:
        await db.refresh(row)
        return row
    current = await db.scalar(select(table_version).where(table_id == object_id))
    if current is None:
        raise NotFound(f"No such {getattr(model, '__tablename__', 'object').rstrip('s')}.")
    raise StaleVersion(
        f"Version {version} is stale; the current version is {current}.", current_version=current
    )
