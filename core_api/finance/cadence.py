"""The settlement cadence: a job that drafts each HMO's settlement run per elapsed period.

An HMO turns it on with `PATCH /v1/settings {settlement_cadence}` (null turns it off).
Periods, by the service dates of the claims they gather (UTC calendar days):

- WEEKLY: Monday to Sunday;
- FORTNIGHTLY: two weeks, Monday to the Sunday after next, counted from Monday
  2024-01-01 (`FORTNIGHT_ANCHOR`), so every HMO's fortnights line up;
- MONTHLY: calendar months.

Each pass (`run_cadence_pass`, looped by the core's lifespan every
`VETRA_SETTLEMENT_CADENCE_INTERVAL_SECONDS`) takes, for each HMO with a cadence, the most
recent *completed* period, and drafts its run with the same code as
`POST /v1/settlement-runs` (the HMO's APPROVED claims in no live run, one remittance per
provider), marked with the cadence. The approvers (`settlements:approve`) are notified.

- A period gets at most one cadence run, ever: a partial unique index on
  `(tenant_id, cadence, period_from)`, so a run the HMO cancelled is not drafted again.
- No APPROVED claims in the period: nothing is created or recorded, and the next pass
  looks again (claims approved later still make it into that period's run while the
  period is the latest completed one; after that they need a manual run).
- Several core processes may run passes at once: each HMO's drafting happens under the
  same transaction-scoped advisory lock as manual run creation, so the second worker sees
  the first one's run and does nothing; the unique index is the backstop.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core_api.auth.actor import Actor, ActorKind
from core_api.config import Settings
from core_api.db import tenant_transaction
from core_api.errors import Invalid
from core_api.finance import service
from core_api.finance.schemas import RunCreate
from core_api.kit.jobs import periodic
from core_api.models.base import utcnow
from core_api.models.finance import SettlementCadence, SettlementRun
from core_api.notifications.service import notify_permission_holders
from shared.money import Money

log = logging.getLogger("vetra.settlement_cadence")

JOB_LABEL = "system:settlement-cadence"
FORTNIGHT_ANCHOR = date(2024, 1, 1)  # a Monday
APPROVERS = "settlements:approve"


def last_completed_period(cadence: SettlementCadence, today: date) -> tuple[date, date]:
    """The latest period (first and last day) that ended before `today`."""
    if cadence is SettlementCadence.WEEKLY:
        last = today - timedelta(days=today.weekday() + 1)  # the Sunday before this week
        return last - timedelta(days=6), last
    if cadence is SettlementCadence.FORTNIGHTLY:
        current = FORTNIGHT_ANCHOR + timedelta(days=(today - FORTNIGHT_ANCHOR).days // 14 * 14)
        return current - timedelta(days=14), current - timedelta(days=1)
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def system_actor(tenant_id: uuid.UUID) -> Actor:
    """Vetra itself drafting a run inside one HMO (recorded as such in the audit log)."""
    return Actor(
        ActorKind.PLATFORM, JOB_LABEL, frozenset({"settlements:create"}), tenant_id=tenant_id
    )


@dataclass(frozen=True, slots=True)
class DraftedRun:
    tenant_id: uuid.UUID
    run_id: uuid.UUID
    number: str


@dataclass
class CadenceReport:
    drafted: list[DraftedRun] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)  # tenants whose drafting raised


async def cadence_tenants(
    factory: async_sessionmaker[AsyncSession],
) -> list[tuple[uuid.UUID, SettlementCadence]]:
    """The HMOs with a cadence (`vetra_cadence_tenants`: each read under its own tenant
    setting, RLS staying on, in one round trip)."""
    async with factory() as db, db.begin():
        rows = await db.execute(text("select * from vetra_cadence_tenants()"))
        return [(row.tenant_id, SettlementCadence(row.cadence)) for row in rows]


async def run_cadence_pass(
    factory: async_sessionmaker[AsyncSession], today: date | None = None
) -> CadenceReport:
    """One pass over every HMO with a cadence. Safe to run on several workers at once."""
    today = today or utcnow().date()
    report = CadenceReport()
    for tenant_id, cadence in await cadence_tenants(factory):
        try:
            async with tenant_transaction(factory, tenant_id) as db:
                drafted = await draft_run(db, tenant_id, cadence, today)
        except Exception:
            log.exception("settlement cadence failed for tenant %s", tenant_id)
            report.failed.append(tenant_id)
            continue
        if drafted is not None:
            report.drafted.append(drafted)
    return report


async def draft_run(
    db: AsyncSession, tenant_id: uuid.UUID, cadence: SettlementCadence, today: date
) -> DraftedRun | None:
    """The run of the latest completed period, unless it exists (or existed) or the period
    has nothing to settle. The caller's transaction is scoped to the tenant."""
    period_from, period_to = last_completed_period(cadence, today)
    # The lock manual creation takes too (re-entrant): drafting is one at a time per HMO.
    await db.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:lock, 0))"),
        {"lock": f"settlement-runs:{tenant_id}"},
    )
    done = await db.scalar(
        select(SettlementRun.id).where(
            SettlementRun.tenant_id == tenant_id,
            SettlementRun.cadence == cadence,
            SettlementRun.period_from == period_from,
        )
    )
    if done is not None:
        return None
    actor = system_actor(tenant_id)
    try:
        async with db.begin_nested():
            run = await service.create_run(
                db, actor, RunCreate(period_from=period_from, period_to=period_to)
            )
            await db.execute(
                update(SettlementRun)
                .where(SettlementRun.id == run.id)
                .values(cadence=cadence)
                .execution_options(synchronize_session=False)
            )
    except Invalid:
        return None  # nothing approved in the period: no run, try again next pass
    except IntegrityError:
        return None  # another worker drafted this period meanwhile
    await notify_permission_holders(
        db,
        tenant_id,
        APPROVERS,
        "settlement_run.drafted",
        f"Settlement run {run.number} awaits approval",
        f"{cadence.value.title()} run for {period_from.isoformat()} to "
        f"{period_to.isoformat()}: {Money(run.total, run.currency).format()} to "
        f"{len(run.remittances)} provider(s).",
        data={
            "run_id": str(run.id),
            "number": run.number,
            "cadence": cadence.value,
            "period_from": period_from.isoformat(),
            "period_to": period_to.isoformat(),
            "total": run.total,
        },
    )
    return DraftedRun(tenant_id, run.id, run.number)


def cadence_job_running(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AbstractAsyncContextManager[None]:
    """A pass every `settlement_cadence_interval_seconds` while the block runs (0: none)."""
    interval = settings.settlement_cadence_interval_seconds
    return periodic("settlement cadence", lambda: run_cadence_pass(factory), interval, log)
