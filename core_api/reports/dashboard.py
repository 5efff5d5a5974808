"""The HMO portal's dashboard: this month's claims and settlement, the year's loss ratio,
open fraud flags, the claims queue and the PAs awaiting a decision, in one answer.

Months and the year are UTC. Where a report computes a figure the dashboard takes it
from that report, so the two always agree: the loss ratio from `loss-ratio` over this
year up to today, the open and past-SLA claims from `claims-aging` as of today. The open
fraud flags are fraud-anomaly's `open` outcome over every flag ever raised, counted in
`open_flags` (the flags the database keeps open by that report's rule). PA due times
are those the PA SLA (`core_api.authorizations.sla`) stamped on each PA.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ScalarSelect, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.authorizations.sla import sla_hours
from core_api.claims.queue import OPEN_SQL
from core_api.kit.filters import on_days
from core_api.models.authorization import OPEN_STATUSES, Authorization, Urgency
from core_api.models.base import utcnow
from core_api.models.claim import Claim
from core_api.models.finance import RunStatus, SettlementRun
from core_api.models.summary import OpenFlag
from core_api.reports import loss_ratio
from core_api.reports.base import ReportFilters, ReportQuery
from core_api.reports.claims_aging import ClaimsAging
from core_api.reports.dashboard_schemas import (
    ClaimsQueue,
    ClaimsReceived,
    DashboardRead,
    FraudFlags,
    LossRatioThisYear,
    PendingAuthorizations,
    SettlementThisMonth,
)
from core_api.reports.period import Period, add_months, month_start
from core_api.reports.service import tenant_currency
from core_api.reports.sql import start_of
from core_api.tenants.settings import load_settings


async def read(db: AsyncSession, tenant_id: uuid.UUID) -> DashboardRead:
    now = utcnow()
    today = now.date()
    year_start = today.replace(month=1, day=1)
    currency = await tenant_currency(db)

    def over(first: date) -> ReportQuery:
        return ReportQuery(tenant_id, Period(first, today), ReportFilters(), currency, today)

    counts = await _counts(db, tenant_id, currency, today)
    loss = await loss_ratio.totals(db, over(year_start))
    aging = await ClaimsAging().kpi_values(db, over(today))
    return DashboardRead(
        as_of=now,
        currency=currency,
        claims_received=ClaimsReceived(
            this_month=counts["received_this_month"], last_month=counts["received_last_month"]
        ),
        settlement=SettlementThisMonth(
            runs=counts["runs"], amount=counts["run_amount"], paid=counts["run_paid"]
        ),
        loss_ratio=LossRatioThisYear.model_validate({"from": year_start, "to": today, **loss}),
        fraud_flags=FraudFlags(open=counts["open_flags"]),
        claims_queue=ClaimsQueue(
            depth=counts["queue_depth"], open=aging["claims"], past_sla=aging["past_sla"]
        ),
        authorizations=await _pending_authorizations(db, tenant_id, now),
    )


async def _counts(
    db: AsyncSession, tenant_id: uuid.UUID, currency: str, today: date
) -> dict[str, Any]:
    """The counts and sums read straight from the tables, in one round trip."""
    this_month = month_start(today)
    last_month = add_months(this_month, -1)

    def received(first: date, after: date) -> ScalarSelect[int]:
        return (
            select(func.count())
            .where(
                Claim.tenant_id == tenant_id,
                Claim.received_at >= start_of(first),
                Claim.received_at < start_of(after),
            )
            .scalar_subquery()
        )

    runs = (
        select(
            func.count().label("runs"),
            func.coalesce(func.sum(SettlementRun.total), 0).label("run_amount"),
            func.coalesce(
                func.sum(SettlementRun.total).filter(SettlementRun.status == RunStatus.PAID), 0
            ).label("run_paid"),
        )
        .where(
            SettlementRun.tenant_id == tenant_id,
            SettlementRun.status != RunStatus.CANCELLED,
            SettlementRun.currency == currency,
            *on_days(SettlementRun.created_at, this_month, today),
        )
        .subquery()
    )
    queue = select(func.count()).where(Claim.tenant_id == tenant_id, text(OPEN_SQL))
    open_flags = select(func.count()).where(
        OpenFlag.tenant_id == tenant_id, OpenFlag.currency == currency
    )
    found = await db.execute(
        select(
            received(this_month, add_months(this_month, 1)).label("received_this_month"),
            received(last_month, this_month).label("received_last_month"),
            queue.scalar_subquery().label("queue_depth"),
            open_flags.scalar_subquery().label("open_flags"),
            runs,
        )
    )
    return found.one()._asdict()


async def _pending_authorizations(
    db: AsyncSession, tenant_id: uuid.UUID, now: datetime
) -> list[PendingAuthorizations]:
    """Per urgency (every one, even with none pending): the PAs awaiting a decision, those
    past their due time, and the earliest due time still ahead."""
    settings = await load_settings(db, tenant_id)
    due = Authorization.sla_due_at
    found = await db.execute(
        select(
            Authorization.urgency,
            func.count(),
            func.count().filter(due <= now),
            func.min(due).filter(due > now),
        )
        .where(Authorization.tenant_id == tenant_id, Authorization.status.in_(OPEN_STATUSES))
        .group_by(Authorization.urgency)
    )
    by_urgency = {urgency: (pending, late, ahead) for urgency, pending, late, ahead in found}
    answer = []
    for urgency in Urgency:
        pending, late, ahead = by_urgency.get(urgency, (0, 0, None))
        answer.append(
            PendingAuthorizations(
                urgency=urgency,
                sla_hours=sla_hours(settings, urgency),
                pending=pending,
                past_sla=late,
                next_due_at=ahead,
            )
        )
    return answer
