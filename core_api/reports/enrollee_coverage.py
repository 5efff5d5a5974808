"""Enrollee coverage: who is covered, and how much of their benefits they have used.

A snapshot at the end of the period's last day (today at most); the period before is the
snapshot at the end of its own last day, and the trend the snapshot at each month's end.
Each is read from history as it is recorded now: a member's status on the day (the
lifecycle's status changes, back-dated ones included), the plan version in force that
day, and the benefit usage ledger by service date. A member's client and plan are their
current ones (neither keeps a history). Members are those of plans in the report's
currency.

- Members by status: ACTIVE, SUSPENDED or TERMINATED on the day; one whose coverage had
  not begun is not counted. `joined`: coverage began within the period; the trend's
  `left`: terminations taking effect in the month.
- Benefits (ACTIVE members only): per benefit of the member's plan version, "used" is the
  ledger's approved amount with a service date in the member's benefit period containing
  the day, up to the day, in the eligibility service's periods (`period_of`: the policy
  year from the coverage start's anniversary, or the calendar month). A member is at
  50 %, 80 % or 100 % of a limit when used is at least that share of the limit amount; a
  benefit without an amount limit (0) counts in none. `near_limit` and `exhausted` count
  the members at 80 % and at 100 % of at least one benefit.

Filters: `client_id`, `plan_id` (the member's), `category` (narrows the benefit figures
and the rows to one benefit).

Rows: one per ACTIVE member and benefit with some use in its current benefit period,
closest to exhausting it first (share = used ÷ limit).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.eligibility.service import USAGE_WINDOW, period_of
from core_api.models import (
    BenefitPeriod,
    BenefitUsage,
    Client,
    Enrollee,
    EnrolleeStatus,
    EnrolleeStatusChange,
    Plan,
    PlanBenefit,
    PlanVersion,
    Relationship,
)
from core_api.plans.schemas import BENEFIT_CATEGORIES
from core_api.plans.service import version_order
from core_api.reports.base import Figures, Report, ReportQuery, monthly_points
from core_api.reports.period import month_end
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import first_of_month, grouped_by, ratio, total

THRESHOLDS = (50, 80, 100)  # per cent of a benefit's limit
LARGEST = 20
LEAP_YEAR = 2000  # has every month and day a coverage may start on

_MEMBERS = Series(key="members", label="Active members", unit=Unit.COUNT)
_JOINED = Series(key="joined", label="Joined", unit=Unit.COUNT)
_LEFT = Series(key="left", label="Terminated", unit=Unit.COUNT)
_BY_STATUS = [Series(key=s.lower(), label=s.title(), unit=Unit.COUNT) for s in EnrolleeStatus]


class EnrolleeCoverage(Report):
    name = "enrollee-coverage"
    title = "Enrollee coverage"
    accepts = frozenset({"client_id", "plan_id", "category"})
    kpis = (
        _MEMBERS,
        Series(key="suspended", label="Suspended", unit=Unit.COUNT),
        Series(key="terminated", label="Terminated", unit=Unit.COUNT),
        _JOINED,
        Series(key="near_limit", label="Members at 80 % of a limit", unit=Unit.COUNT),
        Series(key="exhausted", label="Members at a limit", unit=Unit.COUNT),
    )
    columns = (
        Column(key="member_id", label="Member", unit=Unit.TEXT),
        Column(key="relationship", label="Relationship", unit=Unit.TEXT),
        Column(key="client", label="Client", unit=Unit.TEXT),
        Column(key="plan", label="Plan", unit=Unit.TEXT),
        Column(key="category", label="Benefit", unit=Unit.TEXT),
        Column(key="period_end", label="Benefit period ends", unit=Unit.DATE),
        Column(key="used", label="Used", unit=Unit.MONEY),
        Column(key="limit", label="Limit", unit=Unit.MONEY),
        Column(key="remaining", label="Remaining", unit=Unit.MONEY),
        Column(key="share", label="Share used", unit=Unit.RATIO),
    )
    values = {"category": BENEFIT_CATEGORIES}
    default_sort = "-share"

    def as_of(self, query: ReportQuery) -> date:
        return min(query.period.last, query.today)

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        day = self.as_of(query)
        members = _members_on(query, [day]).subquery()
        counts = (await db.execute(select(*_status_counts(members)))).one()
        joined = await db.scalar(
            _members(query)
            .with_only_columns(func.count())
            .where(Enrollee.coverage_start.between(query.period.first, query.period.last))
        )
        benefits = _benefit_use(query, day).subquery()
        members_at = func.count(benefits.c.enrollee_id.distinct())
        limits = (
            await db.execute(
                select(
                    members_at.filter(_at(benefits, 80)).label("near_limit"),
                    members_at.filter(_at(benefits, 100)).label("exhausted"),
                )
            )
        ).one()
        return {
            "members": counts.active,
            "suspended": counts.suspended,
            "terminated": counts.terminated,
            "joined": joined,
            **limits._asdict(),
        }

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        day = self.as_of(query)
        members, active_by_plan = await _member_breakdowns(db, query, day)
        benefits = await _benefits_breakdown(db, query, day, active_by_plan)
        return await self._trend(db, query), [*members, benefits]

    async def _trend(self, db: AsyncSession, query: ReportQuery) -> Trend:
        """Active members at each month's end; those who joined and left in the month."""
        months = query.period.months()
        snapshot_days = {min(month_end(m), self.as_of(query)): m for m in months}
        snapshot_days = {day: m for day, m in snapshot_days.items() if day >= m}
        by_month: defaultdict[date, dict[str, Any]] = defaultdict(dict)
        members = _members_on(query, list(snapshot_days)).subquery()
        for day, count in await db.execute(
            select(members.c.day, func.count())
            .where(members.c.status == EnrolleeStatus.ACTIVE)
            .group_by(members.c.day)
        ):
            by_month[snapshot_days[day]]["members"] = count
        left = (
            _members(query)
            .join(
                EnrolleeStatusChange,
                and_(
                    EnrolleeStatusChange.tenant_id == Enrollee.tenant_id,
                    EnrolleeStatusChange.enrollee_id == Enrollee.id,
                ),
            )
            .where(EnrolleeStatusChange.status == EnrolleeStatus.TERMINATED)
        )
        for key, day_column, statement in (
            ("joined", Enrollee.coverage_start, _members(query)),
            ("left", EnrolleeStatusChange.effective_date, left),
        ):
            month = first_of_month(day_column)
            found = await db.execute(
                statement.with_only_columns(month, func.count())
                .where(day_column.between(query.period.first, query.period.last))
                .group_by(month)
            )
            for first_day, count in found:
                by_month[first_day][key] = count
        series = (_MEMBERS, _JOINED, _LEFT)
        return Trend(series=list(series), points=monthly_points(months, by_month, series))

    def table(self, query: ReportQuery) -> Select[Any]:
        used = _benefit_use(query, self.as_of(query)).subquery()
        return (
            select(
                Enrollee.member_id,
                Enrollee.relationship,
                Client.name.label("client"),
                Plan.name.label("plan"),
                used.c.category,
                used.c.period_end,
                used.c.used,
                used.c.limit,
                cast(func.greatest(used.c.limit - used.c.used, 0), BigInteger).label("remaining"),
                ratio(used.c.used, used.c.limit).label("share"),
                (cast(used.c.enrollee_id, String) + ":" + used.c.category).label("row_key"),
            )
            .join(Enrollee, Enrollee.id == used.c.enrollee_id)
            .join(Client, Client.id == Enrollee.client_id)
            .join(Plan, Plan.id == Enrollee.plan_id)
        )


# --- members -------------------------------------------------------------------------------


def _members(query: ReportQuery) -> Select[Any]:
    """The enrollees of plans in the report's currency, of the client and plan filtered."""
    members = (
        select(Enrollee)
        .join(Plan, and_(Plan.tenant_id == Enrollee.tenant_id, Plan.id == Enrollee.plan_id))
        .where(Enrollee.tenant_id == query.tenant_id, Plan.currency == query.currency)
    )
    if query.filters.client_id is not None:
        members = members.where(Enrollee.client_id == query.filters.client_id)
    if query.filters.plan_id is not None:
        members = members.where(Enrollee.plan_id == query.filters.plan_id)
    return members


def _members_on(query: ReportQuery, days: list[date]) -> Select[Any]:
    """(day, member, status that day) for each of `days` and each member covered by then.

    A status change is in force from its effective date until the next change's (of two
    on one date, the one recorded later wins, as `status_on` has it), so one pass over
    the changes serves every day."""
    change = EnrolleeStatusChange
    until = func.lead(change.effective_date).over(
        partition_by=change.enrollee_id, order_by=(change.effective_date, change.created_at)
    )
    spans = (
        select(change.enrollee_id, change.status, change.effective_date.label("since"))
        .add_columns(until.label("until"))
        .where(change.tenant_id == query.tenant_id)
        .subquery("spans")
    )
    on = func.unnest(literal(days, ARRAY(Date))).table_valued("day").render_derived("snapshot")
    in_force = and_(
        spans.c.since <= on.c.day, or_(spans.c.until.is_(None), spans.c.until > on.c.day)
    )
    return (
        _members(query)
        .with_only_columns(
            on.c.day,
            Enrollee.id,
            Enrollee.member_id,
            Enrollee.client_id,
            Enrollee.plan_id,
            Enrollee.relationship,
            Enrollee.coverage_start,
            spans.c.status,
        )
        .join(spans, spans.c.enrollee_id == Enrollee.id)
        .join(on, in_force)
    )


def _status_counts(members: Subquery) -> list[ColumnElement[int]]:
    return [func.count().filter(members.c.status == s).label(s.lower()) for s in EnrolleeStatus]


def _item(key: str, label: str, row: Any) -> dict[str, Any]:
    counts = {s.key: getattr(row, s.key) if row is not None else 0 for s in _BY_STATUS}
    return {"key": key, "label": label, **counts}


async def _member_breakdowns(
    db: AsyncSession, query: ReportQuery, day: date
) -> tuple[list[Breakdown], dict[Any, int]]:
    """Members on the day by client and plan (the largest), relationship and status, in
    one pass; and the ACTIVE members of each plan."""
    members = _members_on(query, [day]).subquery()
    keys = (members.c.client_id, members.c.plan_id, members.c.relationship)
    found = await db.execute(
        select(
            *keys,
            Client.name.label("client"),
            Plan.name.label("plan"),
            func.grouping(*keys).label("grouping"),
            *_status_counts(members),
        )
        .join(Client, Client.id == members.c.client_id)
        .join(Plan, Plan.id == members.c.plan_id)
        .group_by(
            func.grouping_sets(
                tuple_(members.c.client_id, Client.name),
                tuple_(members.c.plan_id, Plan.name),
                tuple_(members.c.relationship),
                tuple_(),
            )
        )
    )
    by_set: defaultdict[str | None, list[Any]] = defaultdict(list)
    for row in found:
        by_set[grouped_by(row.grouping, ("client", "plan", "relationship"))].append(row)
    clients = [_item(str(r.client_id), r.client, r) for r in _largest(by_set["client"])]
    plans = [_item(str(r.plan_id), r.plan, r) for r in _largest(by_set["plan"])]
    relationships = {r.relationship: r for r in by_set["relationship"]}
    totals = by_set[None][0] if by_set[None] else None
    return [
        Breakdown(
            key="client", label=f"The {LARGEST} largest clients", series=_BY_STATUS, items=clients
        ),
        Breakdown(key="plan", label=f"The {LARGEST} largest plans", series=_BY_STATUS, items=plans),
        Breakdown(
            key="relationship",
            label="By relationship",
            series=_BY_STATUS,
            items=[_item(r, r.title(), relationships.get(r)) for r in Relationship],
        ),
        Breakdown(
            key="status",
            label="By status",
            series=[Series(key="members", label="Members", unit=Unit.COUNT)],
            items=[
                {
                    "key": s.value,
                    "label": s.title(),
                    "members": getattr(totals, s.lower()) if totals else 0,
                }
                for s in EnrolleeStatus
            ],
        ),
    ], {r.plan_id: r.active for r in by_set["plan"]}


def _largest(rows: list[Any]) -> list[Any]:
    """The `LARGEST` groups with the most ACTIVE members (then the most members)."""

    def most(row: Any) -> tuple[int, int]:
        return -row.active, -sum(getattr(row, s.lower()) for s in EnrolleeStatus)

    return sorted(rows, key=most)[:LARGEST]


# --- benefits ------------------------------------------------------------------------------


def _policy_years(day: date) -> Any:
    """(month * 100 + day of a coverage start, first and last day of its policy year
    containing `day`), for every month and day: the eligibility service's own periods."""
    starts = [date(LEAP_YEAR, 1, 1) + timedelta(days=n) for n in range(366)]
    years = [period_of(BenefitPeriod.POLICY_YEAR, start, day) for start in starts]
    return (
        func.unnest(
            literal([s.month * 100 + s.day for s in starts], ARRAY(Integer)),
            literal([first for first, _ in years], ARRAY(Date)),
            literal([last for _, last in years], ARRAY(Date)),
        )
        .table_valued("key", "first_day", "last_day")
        .render_derived("policy_years")
    )


def _plan_benefits(query: ReportQuery, day: date) -> Select[Any]:
    """(plan, category, limit, whether by calendar month) of the plan versions in force
    on `day`, of the category filtered."""
    versions = (
        select(PlanVersion.plan_id, PlanVersion.id)
        .ext(distinct_on(PlanVersion.plan_id))
        .where(PlanVersion.tenant_id == query.tenant_id)
        .order_by(PlanVersion.plan_id, *version_order(day))
        .subquery("versions")
    )
    benefits = select(
        versions.c.plan_id,
        PlanBenefit.category,
        PlanBenefit.limit_amount.label("limit"),
        (PlanBenefit.period == BenefitPeriod.CALENDAR_MONTH).label("monthly"),
    ).join(PlanBenefit, PlanBenefit.plan_version_id == versions.c.id)
    if query.filters.category is not None:
        benefits = benefits.where(PlanBenefit.category == query.filters.category)
    return benefits


def _benefit_use(query: ReportQuery, day: date) -> Select[Any]:
    """Each ACTIVE member's use of each benefit of their plan (in its version in force on
    `day`) in the benefit period containing the day, up to it; only what was used.

    The ledger is read once, in the year before the day (which holds every such period),
    without its visit rows (amount 0)."""
    members = _members_on(query, [day]).subquery("members")
    benefits = _plan_benefits(query, day).subquery("benefits")
    years = _policy_years(day)
    month_first, month_last = period_of(BenefitPeriod.CALENDAR_MONTH, day, day)
    usage = BenefitUsage
    started = members.c.coverage_start
    period_end = case((benefits.c.monthly, month_last), else_=years.c.last_day)
    read: list[SQLColumnExpression[Any]] = [
        usage.enrollee_id,
        usage.category,
        func.max(benefits.c.limit).label("limit"),
        func.max(period_end).label("period_end"),
        cast(func.sum(usage.amount), BigInteger).label("used"),
    ]
    return (
        select(*read)
        .join(
            members,
            and_(members.c.id == usage.enrollee_id, members.c.status == EnrolleeStatus.ACTIVE),
        )
        .join(
            benefits,
            and_(benefits.c.plan_id == members.c.plan_id, benefits.c.category == usage.category),
        )
        .join(
            years,
            years.c.key == cast(extract("month", started) * 100 + extract("day", started), Integer),
        )
        .where(
            usage.tenant_id == query.tenant_id,
            usage.amount > 0,
            usage.service_date.between(day - USAGE_WINDOW, day),
            usage.service_date >= case((benefits.c.monthly, month_first), else_=years.c.first_day),
        )
        .group_by(usage.enrollee_id, usage.category)
    )


def _at(benefits: Subquery, percent: int) -> ColumnElement[bool]:
    """The benefit is at `percent` % of its limit or beyond (in whole minor units)."""
    return and_(benefits.c.limit > 0, benefits.c.used * 100 >= benefits.c.limit * percent)


async def _benefits_breakdown(
    db: AsyncSession, query: ReportQuery, day: date, active_by_plan: dict[Any, int]
) -> Breakdown:
    """Per category: the ACTIVE members whose plan limits it, the shares of them at each
    threshold, and what they used."""
    with_limit: Counter[str] = Counter()
    for plan_id, category, limit, _ in await db.execute(_plan_benefits(query, day)):
        with_limit[category] += active_by_plan.get(plan_id, 0) if limit > 0 else 0
    used = _benefit_use(query, day).subquery()
    found = {
        row.category: row
        for row in await db.execute(
            select(
                used.c.category,
                *(func.count().filter(_at(used, p)).label(f"at_{p}") for p in THRESHOLDS),
                total(used.c.used).label("used"),
            ).group_by(used.c.category)
        )
    }
    shares = [
        Series(key=f"at_{p}", label=f"At {p} % of the limit", unit=Unit.RATIO) for p in THRESHOLDS
    ]
    items = []
    for category in sorted(with_limit):
        row, members = found.get(category), with_limit[category]
        items.append(
            {
                "key": category,
                "label": category.replace("_", " ").title(),
                "members": members,
                **{
                    f"at_{p}": (getattr(row, f"at_{p}") if row else 0) / members
                    if members
                    else None
                    for p in THRESHOLDS
                },
                "used": row.used if row else 0,
            }
        )
    return Breakdown(
        key="benefits",
        label="Benefit use by category (active members)",
        series=[
            Series(key="members", label="Members with a limit", unit=Unit.COUNT),
            *shares,
            Series(key="used", label="Used", unit=Unit.MONEY),
        ],
        items=items,
    )
