"""Listing risk events: newest first, filtered, keyset-paginated on the time-ordered id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.errors import Invalid
from core_api.kit.pagination import PageParams, decode_cursor, next_cursor
from core_api.models.claim import RiskEvent


@dataclass(frozen=True, slots=True)
class RiskEventFilters:
    rule: str | None = None
    claim_id: uuid.UUID | None = None
    from_: date | None = None
    to: date | None = None
    cleared: bool | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def list_events(
    db: AsyncSession, actor: Actor, filters: RiskEventFilters, page: PageParams
) -> tuple[list[RiskEvent], str | None]:
    """`from`/`to` are inclusive days (UTC) of when the flag was raised."""
    query = select(RiskEvent).where(RiskEvent.tenant_id == actor.require_tenant())
    if filters.rule is not None:
        query = query.where(RiskEvent.rule == filters.rule)
    if filters.claim_id is not None:
        query = query.where(RiskEvent.claim_id == filters.claim_id)
    if filters.from_ is not None:
        query = query.where(RiskEvent.created_at >= _start_of(filters.from_))
    if filters.to is not None:
        query = query.where(RiskEvent.created_at < _start_of(filters.to + timedelta(days=1)))
    if filters.cleared is not None:
        cleared = RiskEvent.cleared_at.is_not(None)
        query = query.where(cleared if filters.cleared else ~cleared)
    after = decode_cursor(page.cursor)
    if after:
        try:
            last = uuid.UUID(str(after[0]))
        except (ValueError, IndexError) as exc:
            raise Invalid("cursor", "The cursor is not valid.") from exc
        query = query.where(RiskEvent.id < last)
    query = query.order_by(RiskEvent.id.desc()).limit(page.limit + 1)
    rows = list((await db.scalars(query)).all())
    return next_cursor(rows, page.limit, lambda e: [str(e.id)])
