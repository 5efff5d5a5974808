"""Capitation runs: a month's fixed per-enrollee payouts to each primary provider.

**The pro-rating rule.** For a month M of D days, an enrollee's capitated days are the days
of M on which both hold:

- the enrollee was ACTIVE: the status in force on a day is that of the lifecycle change
  (`enrollee_status_changes`) with the latest `effective_date` on or before it (the latest
  recorded wins a tie), exactly as eligibility reads it. A change takes effect on its
  `effective_date`, so an enrollee enrolled on the 10th counts from the 10th, and one
  suspended or terminated on the 20th counts up to the 19th. SUSPENDED and TERMINATED days
  (and the days before enrolment) do not count; a reactivation counts again from its date;
- the plan's capitation rate in force that day is above zero. The rate of a day is that of
  the plan version in force on it, as eligibility picks it: the highest `version_no` whose
  `effective_from` is on or before the day, else version 1. A rate change in the middle of
  a month therefore prices the days on each side at their own rate.

The enrollee's amount is `round_half_up(Σ rate_of_day / D)` over its capitated days, in
integer minor units: with one rate all month, `round_half_up(rate * days / D)`. A line per
primary provider carries `member_count` (its enrollees with at least one capitated day),
`member_days` (the sum of their capitated days) and `amount` (the sum of their rounded
amounts); the run's total is the sum of its lines. Enrollees without a primary provider,
and days priced at a zero rate, are left out. The enrollee's plan and primary provider are
the current ones. It is all one aggregate query over enrollees, their lifecycle history and
the plan versions.

A month has at most one run that is not CANCELLED: asking again returns that run and
creates nothing (an advisory lock per HMO and month serialises creation; a partial unique
index is the backstop). A run is a snapshot: later backdated lifecycle changes do not alter
it, but a DRAFT or APPROVED run can be cancelled and the month run again.
"""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Numeric,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.approvals import service as approvals
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.capitation.schemas import (
    CapitationLineRead,
    CapitationPayment,
    CapitationRunDetail,
    CapitationRunRead,
    ProviderCapitationLine,
)
from core_api.db import as_tenant
from core_api.errors import Conflict, Forbidden, Invalid, NotFound
from core_api.finance import runs
from core_api.kit.counters import next_number
from core_api.kit.pagination import By, Keyset, PageParams, newest_first
from core_api.models import (
    Enrollee,
    EnrolleeStatus,
    EnrolleeStatusChange,
    Plan,
    PlanVersion,
    Provider,
    Tenant,
    UserKind,
)
from core_api.models.base import utcnow
from core_api.models.finance import CapitationLine, CapitationRun, RunStatus
from core_api.network.service import notify_provider_users
from core_api.plans.service import version_periods

R = RunStatus
NUMBER_PREFIX = "CAP"
READ_PERMISSION = "capitation:read"


class MixedCurrencies(Conflict):
    type = "capitation-mixed-currencies"
    title = "Plans in several currencies"


@dataclass(frozen=True, slots=True)
class Payout:
    """What one primary provider is owed for the month."""

    provider_id: uuid.UUID
    provider_tenant_id: uuid.UUID
    currency: str
    member_count: int
    member_days: int
    amount: int


def hmo_only(actor: Actor) -> None:
    """Capitation runs are the HMO's; providers see their own lines only."""
    if actor.user_kind not in (None, UserKind.STAFF):
        raise Forbidden("Capitation runs are managed by the HMO's staff.")


def month_span(month: date) -> tuple[date, date, int]:
    """The first day of the month, the first day after it, and its number of days."""
    days = calendar.monthrange(month.year, month.month)[1]
    return month, month + timedelta(days=days), days


async def compute_payouts(db: AsyncSession, tenant_id: uuid.UUID, month: date) -> list[Payout]:
    """The month's payouts per primary provider (see the module docstring), in one query."""
    start, stop, days_in_month = month_span(month)
    first = bindparam("month_start", start, type_=Date)
    after = bindparam("month_stop", stop, type_=Date)

    change = EnrolleeStatusChange
    # Each lifecycle change holds from its date until the next one (ties: the latest
    # recorded wins, the others get an empty span).
    periods = (
        select(
            change.enrollee_id,
            change.status,
            change.effective_date.label("since"),
            func.lead(change.effective_date)
            .over(
                partition_by=change.enrollee_id,
                order_by=(change.effective_date, change.created_at, change.id),
            )
            .label("until"),
        )
        .where(change.tenant_id == tenant_id, change.effective_date < after)
        .cte("periods")
    )
    # The ACTIVE spans, clipped to the month: [since, until). Changes dated after the month
    # were left out above, so `until` never passes its end.
    active = (
        select(
            periods.c.enrollee_id,
            func.greatest(periods.c.since, first).label("since"),
            func.coalesce(periods.c.until, after).label("until"),
        )
        .where(
            periods.c.status == EnrolleeStatus.ACTIVE,
            func.coalesce(periods.c.until, after) > first,
        )
        .cte("active")
    )
    versions = version_periods(tenant_id, PlanVersion.capitation_rate.label("rate")).cte("versions")
    lower = func.greatest(active.c.since, func.coalesce(versions.c.since, first))
    upper = func.least(active.c.until, func.coalesce(versions.c.until, after))
    days = func.greatest(upper - lower, 0)
    members = (
        select(
            Enrollee.id,
            Enrollee.primary_provider_id.label("provider_id"),
            Plan.currency,
            func.sum(days).label("days"),
            func.sum(days * versions.c.rate).label("rate_days"),
        )
        .join(active, active.c.enrollee_id == Enrollee.id)
        .join(versions, and_(versions.c.plan_id == Enrollee.plan_id, versions.c.rate > 0))
        .join(Plan, Plan.id == Enrollee.plan_id)
        .where(Enrollee.tenant_id == tenant_id, Enrollee.primary_provider_id.is_not(None))
        .group_by(Enrollee.id, Enrollee.primary_provider_id, Plan.currency)
        .having(func.sum(days) > 0)
        .cte("members")
    )
    # round(numeric) rounds half away from zero: half up, amounts being positive.
    amount = func.round(cast(members.c.rate_days, Numeric) / days_in_month)
    rows = await db.execute(
        select(
            members.c.provider_id,
            Provider.org_tenant_id,
            members.c.currency,
            func.count(),
            cast(func.sum(members.c.days), BigInteger),
            cast(func.sum(amount), BigInteger),
        )
        .join(Provider, Provider.id == members.c.provider_id)
        .group_by(members.c.provider_id, Provider.org_tenant_id, members.c.currency)
        .order_by(members.c.provider_id)
    )
    return [Payout(p, t, c, int(n), int(d), int(a)) for p, t, c, n, d, a in rows]


def current_month() -> date:
    return utcnow().date().replace(day=1)


async def create_run(
    db: AsyncSession, actor: Actor, month: date
) -> tuple[CapitationRunDetail, bool]:
    """The month's run, and whether it was made now (False: it already existed)."""
    hmo_only(actor)
    tenant_id = actor.require_tenant()
    if month > current_month():
        raise Invalid("month", "The month has not begun; capitation is run for a begun month.")
    await db.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:lock, 0))"),
        {"lock": f"capitation-runs:{tenant_id}:{month.isoformat()}"},
    )
    existing = await _live_run(db, month)
    if existing is not None:
        return await detail(db, actor, existing), False
    payouts = await compute_payouts(db, tenant_id, month)
    if not payouts:
        raise Invalid(
            "month",
            "No enrollee with a primary provider and a capitation rate was active in the month.",
        )
    currencies = sorted({p.currency for p in payouts})
    if len(currencies) > 1:
        raise MixedCurrencies(
            f"The capitated plans use several currencies ({', '.join(currencies)}).",
            currencies=currencies,
        )
    try:
        async with db.begin_nested():
            run = CapitationRun(
                tenant_id=tenant_id,
                number=await next_number(db, tenant_id, NUMBER_PREFIX),
                month=month,
                currency=currencies[0],
                total=sum(p.amount for p in payouts),
                member_count=sum(p.member_count for p in payouts),
                created_by=actor.id,
            )
            db.add(run)
            await db.flush()
    except IntegrityError:
        # Only reachable past the lock; the index keeps one live run per month.
        existing = await _live_run(db, month)
        if existing is None:
            raise
        return await detail(db, actor, existing), False
    db.add_all(
        CapitationLine(
            tenant_id=tenant_id,
            run_id=run.id,
            provider_id=p.provider_id,
            provider_tenant_id=p.provider_tenant_id,
            member_count=p.member_count,
            member_days=p.member_days,
            amount=p.amount,
        )
        for p in payouts
    )
    await db.flush()
    await audit.record(
        db,
        actor,
        "capitation_run.created",
        "capitation_run",
        run.id,
        details={
            "number": run.number,
            "month": month.isoformat(),
            "providers": len(payouts),
            "members": run.member_count,
            "total": run.total,
        },
    )
    return await detail(db, actor, run), True


async def _live_run(db: AsyncSession, month: date) -> CapitationRun | None:
    return await db.scalar(
        select(CapitationRun).where(
            CapitationRun.month == month, CapitationRun.status != RunStatus.CANCELLED
        )
    )


NEWEST_MONTH_FIRST = Keyset(
    By(CapitationRun.month, date, descending=True), By(CapitationRun.id, uuid.UUID, descending=True)
)


async def list_runs(
    db: AsyncSession, actor: Actor, status: RunStatus | None, page: PageParams
) -> tuple[list[CapitationRunRead], str | None]:
    """Newest month first (a month's cancelled runs after its live one, newest first)."""
    hmo_only(actor)
    query = select(CapitationRun).where(CapitationRun.tenant_id == actor.require_tenant())
    if status is not None:
        query = query.where(CapitationRun.status == status)
    rows = (await db.scalars(NEWEST_MONTH_FIRST.apply(query, page))).all()
    found, cursor = NEWEST_MONTH_FIRST.page(rows, page.limit)
    return [CapitationRunRead.model_validate(r) for r in found], cursor


async def load_run(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> CapitationRun:
    hmo_only(actor)
    run = await db.get(CapitationRun, run_id)
    if run is None or run.tenant_id != actor.tenant_id:
        raise NotFound("No such capitation run.")
    return run


async def detail(db: AsyncSession, actor: Actor, run: CapitationRun) -> CapitationRunDetail:
    await db.refresh(run)
    body = CapitationRunDetail.model_validate(run)
    rows = await db.execute(
        select(CapitationLine, Provider.name)
        .join(Provider, Provider.id == CapitationLine.provider_id)
        .where(CapitationLine.run_id == run.id)
        .order_by(Provider.name, CapitationLine.id)
    )
    body.lines = [
        CapitationLineRead(
            id=line.id,
            run_id=line.run_id,
            provider_id=line.provider_id,
            provider_name=name,
            member_count=line.member_count,
            member_days=line.member_days,
            amount=line.amount,
        )
        for line, name in rows
    ]
    return body


async def get_run(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> CapitationRunDetail:
    return await detail(db, actor, await load_run(db, actor, run_id))


def _month(run: CapitationRun) -> dict[str, Any]:
    """What a capitation run's audit entries carry besides a run's number, from and total."""
    return {"month": run.month.isoformat()}


async def approve(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> CapitationRunDetail:
    """DRAFT → APPROVED within the approver's settlement approval limit (else 403)."""
    run = await load_run(db, actor, run_id)
    runs.check_move(run, R.APPROVED)
    await approvals.check(db, actor, "settlement", run.total)
    await runs.move(
        db, actor, run, R.APPROVED, details=_month(run), approved_by=actor.id, approved_at=utcnow()
    )
    return await detail(db, actor, run)


async def pay(
    db: AsyncSession, actor: Actor, run_id: uuid.UUID, data: CapitationPayment
) -> CapitationRunDetail:
    """APPROVED → PAID with the transfer's reference and date; each provider org is told."""
    run = await load_run(db, actor, run_id)
    runs.check_move(run, R.PAID)
    paid_at = datetime(data.paid_on.year, data.paid_on.month, data.paid_on.day, tzinfo=UTC)
    await runs.move(
        db,
        actor,
        run,
        R.PAID,
        details={
            **_month(run),
            "reference": data.reference,
            "paid_on": data.paid_on.isoformat(),
        },
        paid_by=actor.id,
        paid_at=paid_at,
        payment_reference=data.reference,
    )
    hmo_name = await db.scalar(select(Tenant.name).where(Tenant.id == run.tenant_id))
    lines = (
        await db.scalars(
            select(CapitationLine)
            .where(CapitationLine.run_id == run.id)
            .order_by(CapitationLine.id)
        )
    ).all()
    label = run.month.strftime("%B %Y")
    for line in lines:
        await notify_provider_users(
            db,
            line.provider_tenant_id,
            "capitation.paid",
            f"{hmo_name}: capitation for {label} paid",
            data={
                "line_id": str(line.id),
                "run": run.number,
                "month": run.month.isoformat(),
                "amount": line.amount,
                "currency": run.currency,
                "member_count": line.member_count,
                "reference": data.reference,
                "paid_on": data.paid_on.isoformat(),
            },
        )
    return await detail(db, actor, run)


async def cancel(db: AsyncSession, actor: Actor, run_id: uuid.UUID) -> CapitationRunDetail:
    """DRAFT or APPROVED only; the month is free for a new run."""
    run = await load_run(db, actor, run_id)
    await runs.move(db, actor, run, R.CANCELLED, details=_month(run), cancelled_at=utcnow())
    return await detail(db, actor, run)


# --- what providers see -------------------------------------------------------------------


async def list_lines(
    db: AsyncSession, actor: Actor, run_id: uuid.UUID | None, page: PageParams
) -> tuple[list[ProviderCapitationLine], str | None]:
    """Newest first: a provider org's lines from every HMO that pays it capitation, and
    with `capitation:read` the HMO's own lines. Runs are the HMO's rows, so each line's
    run is read in its HMO's tenant, by the ids of lines the caller may see."""
    me = actor.require_tenant()
    visible = [CapitationLine.provider_tenant_id == me]
    if READ_PERMISSION in actor.permissions:
        visible.append(CapitationLine.tenant_id == me)
    query = (
        select(CapitationLine, Provider.name)
        .join(Provider, Provider.id == CapitationLine.provider_id)
        .where(or_(*visible))
    )
    if run_id is not None:
        query = query.where(CapitationLine.run_id == run_id)
    newest = newest_first(CapitationLine.id)
    rows = (await db.execute(newest.apply(query, page))).all()
    found, cursor = newest.page(rows, page.limit, lambda row: [row[0].id])
    runs = await _runs_of(db, [line for line, _ in found])
    hmo_ids = {line.tenant_id for line, _ in found}
    hmo_names = await db.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(hmo_ids)))
    names = {hmo_id: name for hmo_id, name in hmo_names}
    items = []
    for line, provider_name in found:
        run = runs[line.run_id]
        items.append(
            ProviderCapitationLine(
                id=line.id,
                run_id=run.id,
                run_number=run.number,
                month=run.month,
                run_status=run.status,
                hmo_tenant_id=line.tenant_id,
                hmo_name=names[line.tenant_id],
                provider_id=line.provider_id,
                provider_name=provider_name,
                member_count=line.member_count,
                member_days=line.member_days,
                amount=line.amount,
                currency=run.currency,
                paid_at=run.paid_at,
                payment_reference=run.payment_reference,
                created_at=line.created_at,
            )
        )
    return items, cursor


async def _runs_of(db: AsyncSession, lines: list[CapitationLine]) -> dict[uuid.UUID, CapitationRun]:
    by_hmo: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for line in lines:
        by_hmo[line.tenant_id].add(line.run_id)
    runs: dict[uuid.UUID, CapitationRun] = {}
    for hmo_id, run_ids in by_hmo.items():
        async with as_tenant(db, hmo_id):
            found = await db.scalars(
                select(CapitationRun).where(
                    CapitationRun.tenant_id == hmo_id, CapitationRun.id.in_(run_ids)
                )
            )
            runs |= {run.id: run for run in found}
    return runs
