"""PA service levels: the due time per urgency, and the job that marks breaches.

Each urgency has a target (hours from filing, or from an appeal): ROUTINE 72, URGENT 24,
EMERGENCY 1, unless the tenant's `TenantSettings.pa_sla_hours` overrides a tier (e.g.
`{"URGENT": 12}`). The job (`run_sla_pass`, looped by the core's lifespan every
`VETRA_PA_SLA_INTERVAL_SECONDS`) walks the HMOs with work, each in its own transaction
under RLS, and:

- marks every open PA past its due time as breached with one
  `UPDATE … WHERE breached_at IS NULL … RETURNING`: when several workers run at once, the
  row lock makes the others re-check `breached_at` and skip the row, so a breach is
  recorded, escalated and notified exactly once;
- escalates each breach to the tenant's Claims Managers: the active staff whose role is
  named "Claims Manager"; a tenant without one escalates to every holder of
  `authorizations:decide` instead;
- expires APPROVED PAs whose code's validity has ended (rows taken with
  `FOR UPDATE SKIP LOCKED`, each moved by the state machine).
"""

from __future__ import annotations

import logging
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core_api.audit import service as audit
from core_api.authorizations import state
from core_api.config import Settings
from core_api.db import tenant_transaction
from core_api.kit.jobs import periodic
from core_api.models import Role, User, UserKind
from core_api.models.authorization import (
    OPEN_STATUSES,
    Authorization,
    AuthorizationEvent,
    AuthorizationStatus,
    Urgency,
)
from core_api.models.base import utcnow
from core_api.models.settings import TenantSettings
from core_api.notifications.service import notify

log = logging.getLogger("vetra.pa_sla")

DEFAULT_SLA_HOURS: dict[Urgency, float] = {
    Urgency.ROUTINE: 72,
    Urgency.URGENT: 24,
    Urgency.EMERGENCY: 1,
}
ESCALATION_ROLE = "Claims Manager"
JOB_LABEL = "system:pa-sla"


def sla_hours(settings: TenantSettings, urgency: Urgency) -> float:
    """The tenant's override for the tier when it is a positive number, else the default."""
    override = (settings.pa_sla_hours or {}).get(urgency.value)
    if isinstance(override, int | float) and not isinstance(override, bool) and override > 0:
        return float(override)
    return DEFAULT_SLA_HOURS[urgency]


def due_at(start: datetime, settings: TenantSettings, urgency: Urgency) -> datetime:
    return start + timedelta(hours=sla_hours(settings, urgency))


@dataclass
class SlaReport:
    breached: list[uuid.UUID] = field(default_factory=list)  # the PAs this pass marked
    notified: int = 0
    expired: list[uuid.UUID] = field(default_factory=list)


async def run_sla_pass(
    factory: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> SlaReport:
    """One pass over every HMO with work. Safe to run on several workers at once."""
    now = now or utcnow()
    report = SlaReport()
    async with factory() as db, db.begin():
        tenants = list(
            (
                await db.scalars(
                    text("select vetra_pa_due_tenants(:now, :today)"),
                    {"now": now, "today": now.date()},
                )
            ).all()
        )
    for tenant_id in tenants:
        async with tenant_transaction(factory, tenant_id) as db:
            await mark_breaches(db, tenant_id, now, report)
        async with tenant_transaction(factory, tenant_id) as db:
            await expire_codes(db, tenant_id, now.date(), report)
    return report


async def mark_breaches(
    db: AsyncSession, tenant_id: uuid.UUID, now: datetime, report: SlaReport
) -> None:
    rows = (
        await db.execute(
            update(Authorization)
            .where(
                Authorization.tenant_id == tenant_id,
                Authorization.status.in_(OPEN_STATUSES),
                Authorization.breached_at.is_(None),
                Authorization.sla_due_at <= now,
            )
            .values(breached_at=now, escalated_at=now)
            .returning(
                Authorization.id,
                Authorization.number,
                Authorization.status,
                Authorization.urgency,
                Authorization.sla_due_at,
            )
            .execution_options(synchronize_session=False)
        )
    ).all()
    if not rows:
        return
    recipients = await escalation_recipients(db, tenant_id)
    actor = state.system_actor(tenant_id, JOB_LABEL)
    for row in rows:
        db.add(
            AuthorizationEvent(
                tenant_id=tenant_id,
                authorization_id=row.id,
                action="sla_breached",
                from_status=row.status,
                to_status=row.status,
                actor_label=JOB_LABEL,
                details={
                    "sla_due_at": row.sla_due_at.isoformat(),
                    "escalated_to": [str(u) for u in recipients],
                },
                created_at=now,
            )
        )
        await audit.record(
            db,
            actor,
            "authorization.sla_breached",
            "authorization",
            row.id,
            tenant_id=tenant_id,
            details={"number": row.number, "escalated_to": len(recipients)},
        )
        data = {
            "authorization_id": str(row.id),
            "number": row.number,
            "urgency": row.urgency.value,
            "sla_due_at": row.sla_due_at.isoformat(),
        }
        for user_id in recipients:
            await notify(
                db,
                tenant_id,
                user_id,
                "authorization.sla_breached",
                f"{row.urgency.value.title()} PA {row.number} is past its SLA",
                "Escalated to you: decide it now.",
                data,
            )
            report.notified += 1
        report.breached.append(row.id)


async def escalation_recipients(db: AsyncSession, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    staff = (
        select(User.id)
        .join(Role, (Role.id == User.role_id) & (Role.tenant_id == User.tenant_id))
        .where(
            User.tenant_id == tenant_id,
            User.kind == UserKind.STAFF,
            User.is_active.is_(True),
        )
        .order_by(User.id)
    )
    managers = list((await db.scalars(staff.where(Role.name == ESCALATION_ROLE))).all())
    if managers:
        return managers
    return list((await db.scalars(staff.where(Role.permissions.any_() == state.DECIDE))).all())


async def expire_codes(
    db: AsyncSession, tenant_id: uuid.UUID, today: date, report: SlaReport
) -> None:
    due = (
        await db.scalars(
            select(Authorization)
            .where(
                Authorization.tenant_id == tenant_id,
                Authorization.status == AuthorizationStatus.APPROVED,
                Authorization.valid_to < today,
            )
            .order_by(Authorization.id)
            .limit(500)
            .with_for_update(skip_locked=True)
        )
    ).all()
    actor = state.system_actor(tenant_id, JOB_LABEL)
    for pa in due:
        await state.move(
            db, actor, pa, AuthorizationStatus.EXPIRED, reason="The auth code's validity ended."
        )
        report.expired.append(pa.id)


def sla_job_running(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AbstractAsyncContextManager[None]:
    """A pass every `pa_sla_interval_seconds` while the block runs (0: none)."""
    interval = settings.pa_sla_interval_seconds
    return periodic("PA SLA", lambda: run_sla_pass(factory), interval, log)
