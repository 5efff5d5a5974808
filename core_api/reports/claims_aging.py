"""Claims aging: the claims still open, by how long since they were received.

A claim is open at a moment when it was received before it and not yet decided
(approved or rejected) by it; its age on a day is that day minus the day it was received
(UTC), and it is past the claim SLA when its age exceeds the tenant's `claim_sla_days`
(as the queue counts it). The report is a snapshot at the end of the period's last day
(today at most); the period before is the snapshot at the end of its own last day, and
the trend the snapshot at each month's end.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.claims.state import OPEN
from core_api.models import Enrollee, Provider
from core_api.models.base import utcnow
from core_api.models.claim import Claim, ClaimEvent, ClaimStatus
from core_api.models.plan import PlanVersion
from core_api.models.settings import TenantSettings
from core_api.reports.base import Figures, Report, ReportFilters, ReportQuery, monthly_points
from core_api.reports.period import add_months, month_end, month_start
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import end_of, grouped_by, start_of
from core_api.tenants.settings import DEFAULT_CLAIM_SLA_DAYS

OPEN_STATUSES = tuple(sorted(OPEN | {ClaimStatus.QUERIED}))
# (label, first day, last day) of each age bucket; the last has no end.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7 days", 0, 7),
    ("8-15 days", 8, 15),
    ("16-30 days", 16, 30),
    ("31-60 days", 31, 60),
    ("> 60 days", 61, None),
)
OLDEST = 10
_COUNT = Series(key="claims", label="Open claims", unit=Unit.COUNT)
_AMOUNT = Series(key="billed", label="Amount billed", unit=Unit.MONEY)


class ClaimsAging(Report):
    name = "claims-aging"
    title = "Claims aging"
    accepts = frozenset({"client_id", "plan_id", "provider_id", "status"})
    kpis = (
        _COUNT,
        _AMOUNT,
        Series(key="past_sla", label="Past the claim SLA", unit=Unit.COUNT),
        Series(key="oldest_days", label="Oldest open claim (days)", unit=Unit.DAYS),
    )
    columns = (
        Column(key="number", label="Claim", unit=Unit.TEXT),
        Column(key="received_on", label="Received", unit=Unit.DATE),
        Column(key="age_days", label="Age (days)", unit=Unit.COUNT),
        Column(key="sla_due", label="SLA due", unit=Unit.DATE),
        Column(key="status", label="Status", unit=Unit.TEXT),
        Column(key="provider", label="Provider", unit=Unit.TEXT),
        Column(key="member_id", label="Member", unit=Unit.TEXT),
        Column(key="billed", label="Billed", unit=Unit.MONEY),
    )
    values = {"status": OPEN_STATUSES}
    default_sort = "-age_days"

    def as_of(self, query: ReportQuery) -> date:
        return min(query.period.last, query.today)

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        day = self.as_of(query)
        claims = _open_on(day, query).subquery()
        found = (
            await db.execute(
                select(
                    func.count().label("claims"),
                    func.coalesce(func.sum(claims.c.billed), 0).label("billed"),
                    func.count().filter(claims.c.past_sla).label("past_sla"),
                    func.max(claims.c.age_days).label("oldest_days"),
                )
            )
        ).one()
        return found._asdict()

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        return await self._trend(db, query), await self._breakdowns(db, query)

    async def _trend(self, db: AsyncSession, query: ReportQuery) -> Trend:
        series = (_COUNT, Series(key="past_sla", label="Past the claim SLA", unit=Unit.COUNT))
        months = query.period.months()
        by_month: dict[date, dict[str, Any]] = {}
        for month in months:  # one snapshot a month: each is an index range of open claims
            day = min(month_end(month), self.as_of(query))
            if day < month:
                continue
            claims = _open_on(day, query).subquery()
            found = await db.execute(
                select(
                    func.count().label("claims"),
                    func.count().filter(claims.c.past_sla).label("past_sla"),
                )
            )
            by_month[month] = found.one()._asdict()
        return Trend(series=list(series), points=monthly_points(months, by_month, series))

    async def _breakdowns(self, db: AsyncSession, query: ReportQuery) -> list[Breakdown]:
        """By age and by status in one pass (grouping sets), and the oldest."""
        claims = _open_on(self.as_of(query), query).subquery()
        bucket = case(
            *((claims.c.age_days <= last, label) for label, _, last in AGE_BUCKETS if last),
            else_=AGE_BUCKETS[-1][0],
        )
        found = await db.execute(
            select(
                func.grouping(bucket, claims.c.status),
                bucket,
                claims.c.status,
                func.count(),
                func.coalesce(func.sum(claims.c.billed), 0),
            ).group_by(func.grouping_sets(tuple_(bucket), tuple_(claims.c.status)))
        )
        totals: dict[str | None, dict[str, tuple[int, int]]] = {"age": {}, "status": {}}
        for grouping, age, status, count, billed in found:
            by = grouped_by(grouping, ("age", "status"))
            totals[by][age if by == "age" else status] = (count, billed)
        by_age, by_status = totals["age"], totals["status"]
        oldest = await db.execute(_oldest(claims))
        series = [_COUNT, _AMOUNT]
        return [
            Breakdown(
                key="age",
                label="By age since received",
                series=series,
                items=[_item(label, by_age) for label, _, _ in AGE_BUCKETS],
            ),
            Breakdown(
                key="status",
                label="By status",
                series=series,
                items=[_item(status, by_status) for status in OPEN_STATUSES],
            ),
            Breakdown(
                key="oldest",
                label=f"The {OLDEST} oldest",
                series=[Series(key="age_days", label="Age (days)", unit=Unit.COUNT), _AMOUNT],
                items=[
                    {"key": c.number, "label": c.number, "age_days": c.age_days, "billed": c.billed}
                    for c in oldest
                ],
            ),
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        claims = _open_on(self.as_of(query), query).subquery()
        return select(
            *(claims.c[c.key] for c in self.columns if c.key != "provider"),
            Provider.name.label("provider"),
            claims.c.row_key,
        ).join(Provider, Provider.id == claims.c.provider_id)


def _item(key: str, totals: dict[str, tuple[int, int]]) -> dict[str, Any]:
    claims, billed = totals.get(key, (0, 0))
    return {"key": key, "label": key, "claims": claims, "billed": billed}


def _oldest(claims: Subquery) -> Select[Any]:
    """The `OLDEST` oldest of `claims` (most days first, then by id), found among those
    received by the end of the day the `OLDEST`-th earliest was received: a few rows read
    in the index's order of receipt, not all of them sorted."""
    earliest = select(claims.c.received_at).order_by(claims.c.received_at).limit(OLDEST)
    utc_day = func.date_trunc("day", func.timezone("UTC", func.max(earliest.subquery().c[0])))
    day_after = func.timezone("UTC", utc_day + timedelta(days=1))
    return (
        select(claims)
        .where(claims.c.received_at < select(day_after).scalar_subquery())
        .order_by(claims.c.age_days.desc(), claims.c.row_key)
        .limit(OLDEST)
    )


def _open_on(day: date, query: ReportQuery) -> Select[Any]:
    """The claims open at the end of `day`, each with its age then and its status then
    (and its provider's id: the rows name the provider, the figures need not)."""
    moment = end_of(day)
    now = utcnow()
    received_on = cast(func.timezone("UTC", Claim.received_at), Date)
    age_days = (literal(day, Date) - received_on).label("age_days")
    sla = select(
        func.coalesce(func.max(TenantSettings.claim_sla_days), DEFAULT_CLAIM_SLA_DAYS)
    ).where(TenantSettings.tenant_id == query.tenant_id)
    sla_days = sla.scalar_subquery()
    # Past the SLA on `day` (age > SLA days): received before the start of the day SLA
    # days back, a moment the database works out once rather than an age for every claim.
    overdue_from = sla.with_only_columns(
        literal(start_of(day)) - func.make_interval(0, 0, 0, sla.selected_columns[0])
    ).scalar_subquery()
    conditions = [Claim.tenant_id == query.tenant_id, Claim.currency == query.currency]
    status_then: SQLColumnExpression[Any]
    if moment > now:  # nothing has happened after it yet: the claims open now, as they are
        conditions += [Claim.received_at.is_not(None), Claim.decided_at.is_(None)]
        status_then = Claim.status
    else:
        conditions += [
            Claim.decided_month.in_(_decided_months(moment, now)),
            Claim.received_at < moment,
        ]
        if moment.day != 1:  # a month's start: its decided_month says decided_at >= moment
            conditions.append(or_(Claim.decided_at.is_(None), Claim.decided_at >= moment))
        status_then = (
            select(ClaimEvent.to_status)
            .where(ClaimEvent.claim_id == Claim.id, ClaimEvent.created_at < moment)
            .order_by(ClaimEvent.created_at.desc())
            .limit(1)
            .scalar_subquery()
        )
    claims = select(
        Claim.number,
        Claim.received_at,
        received_on.label("received_on"),
        age_days,
        (Claim.received_at < overdue_from).label("past_sla"),
        (received_on + sla_days).label("sla_due"),
        sla_days.label("sla_days"),
        status_then.label("status"),
        Claim.provider_id,
        Claim.member_id,
        Claim.total_billed.label("billed"),
        cast(Claim.id, String).label("row_key"),
    )
    claims = filtered_claims(claims.where(*conditions), query.filters)
    if query.filters.status is None:
        return claims
    rows = claims.subquery()
    return select(rows).where(rows.c.status == query.filters.status)


def _decided_months(moment: datetime, now: datetime) -> list[date]:
    """The `decided_month`s of the claims open at a past `moment`: `infinity` (asyncpg
    sends it for `date.max`), and the months from `moment`'s to this one (none is decided
    later than now). `ix_claims_open_months` leads with it and `received_at`, so the
    claims open at `moment` are one short range of the index for each."""
    months, month = [date.max], month_start(moment.date())
    while month <= now.date():
        months.append(month)
        month = add_months(month, 1)
    return months


def filtered_claims(claims: Select[Any], filters: ReportFilters) -> Select[Any]:
    """`claims` narrowed by the provider, client and plan filters given (for every report
    over claims)."""
    if filters.provider_id is not None:
        claims = claims.where(Claim.provider_id == filters.provider_id)
    if filters.client_id is not None:
        claims = claims.join(
            Enrollee, and_(Enrollee.tenant_id == Claim.tenant_id, Enrollee.id == Claim.enrollee_id)
        ).where(Enrollee.client_id == filters.client_id)
    if filters.plan_id is not None:
        claims = claims.join(
            PlanVersion,
            and_(PlanVersion.tenant_id == Claim.tenant_id, PlanVersion.id == Claim.plan_version_id),
        ).where(PlanVersion.plan_id == filters.plan_id)
    return claims
