"""The report summaries in the tests: what the triggers kept equals a rebuild from the raw
rows, and a turnaround as the summaries count it (whole hours)."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, text

from core_api.reports.provider_summaries import ProviderClaimMonth, ProviderTurnaroundHours
from core_api.reports.settlement_summaries import SettlementClaimDay, SettlementTurnaroundHours
from tests.db import superuser

SUMMARIES = tuple(
    model.__table__
    for model in (
        ProviderClaimMonth,
        ProviderTurnaroundHours,
        SettlementClaimDay,
        SettlementTurnaroundHours,
    )
)


def hours(wait: timedelta) -> int:
    """A turnaround as the reports count it: in whole hours, to the nearest (half up)."""
    return int((Decimal(wait.total_seconds()) / 3600).quantize(Decimal(1), ROUND_HALF_UP))


async def assert_summaries_rebuild_the_same(tenant_id: str) -> None:
    """What the triggers kept through the tenant's activity (and the tests' moves into the
    past) is what recomputing from the raw rows gives, bar rows that came to nothing."""

    async def summaries() -> dict[str, set[tuple[Any, ...]]]:
        found = {}
        for table in SUMMARIES:
            rows = await db.execute(
                select(table).where(table.c.tenant_id == tenant_id, table.c.claims != 0)
            )
            found[table.name] = {tuple(row) for row in rows}
        return found

    async with superuser() as db:
        kept = await summaries()
        await db.execute(text("select report_summaries_rebuild(:t)"), {"t": tenant_id})
        rebuilt = await summaries()
        await db.rollback()
    assert kept == rebuilt
    assert all(kept.values()), [name for name, rows in kept.items() if not rows]
