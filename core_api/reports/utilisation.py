"""Utilisation: how much care the members used, per member covered.

Over the days of the period, under the filters (a member's client and plan are its
current ones, as the premium counts them; provider and benefit category those of the
claim line or the visit):
- a **claim** is one with its service date in the period that was not REJECTED; it
  counts under each benefit category of its lines;
- a **visit** is a check-in at a provider's desk (`POST /v1/check-ins`) that found the
  member eligible, on its visit date. Check-ins are the visits rather than claims (one
  claim is not one visit: a claim bills a visit's care, may come weeks later or never,
  and is counted already); a visit whose benefit category was not named counts under
  `unspecified`;
- `cost`: the approved line amounts of the claims APPROVED or SETTLED (the loss ratio's
  incurred claims);
- `members_served`: the members with a claim or a visit;
- `member_months`: the members covered, from the premium's exposure (covered days ÷
  the days of their month, summed), over the plans in the report's currency;
- `claims_per_1000` and `visits_per_1000`: claims (visits) times 1,000 ÷ member-months, to
  two decimals: per 1,000 members per month; `cost_pmpm`: cost ÷ member-months, in whole
  minor units (half up). In a breakdown by category or provider type they divide by all
  the members covered: an item's rate is its part of the whole (a claim with lines in two
  categories counts in both).
Claims in another currency than the report's are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Numeric,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.errors import Invalid
from core_api.models import Enrollee, Plan, Provider, ProviderType
from core_api.models.claim import Claim, ClaimItem, ClaimStatus
from core_api.models.visit import CheckIn
from core_api.plans.premiums import exposure_query
from core_api.plans.schemas import BENEFIT_CATEGORIES
from core_api.reports.base import Figures, Report, ReportFilters, ReportQuery, monthly_points
from core_api.reports.loss_ratio import INCURRED, month_of, months_in
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import total

UNSPECIFIED = "unspecified"
_MEMBER_MONTHS = Series(key="member_months", label="Member-months", unit=Unit.RATE)
_SERVED = Series(key="members_served", label="Members served", unit=Unit.COUNT)
_CLAIMS = Series(key="claims", label="Claims", unit=Unit.COUNT)
_CLAIMS_RATE = Series(
    key="claims_per_1000", label="Claims per 1,000 members per month", unit=Unit.RATE
)
_VISITS = Series(key="visits", label="Visits", unit=Unit.COUNT)
_VISITS_RATE = Series(
    key="visits_per_1000", label="Visits per 1,000 members per month", unit=Unit.RATE
)
_COST = Series(key="cost", label="Cost (approved)", unit=Unit.MONEY)
_COST_PMPM = Series(key="cost_pmpm", label="Cost per member per month", unit=Unit.MONEY)
FIGURES = (_SERVED, _CLAIMS, _CLAIMS_RATE, _VISITS, _VISITS_RATE, _COST, _COST_PMPM)
TREND = (_SERVED, _CLAIMS_RATE, _VISITS_RATE, _COST_PMPM)


class Utilisation(Report):
    name = "utilisation"
    title = "Utilisation"
    accepts = frozenset({"client_id", "plan_id", "provider_id", "category"})
    kpis = (_MEMBER_MONTHS, _SERVED, _CLAIMS_RATE, _VISITS_RATE, _COST_PMPM)
    columns = (
        Column(key="month", label="Month", unit=Unit.MONTH),
        Column(key="category", label="Benefit category", unit=Unit.TEXT),
        *(Column(key=s.key, label=s.label, unit=s.unit) for s in FIGURES),
    )
    default_sort = "-month"

    def check(self, filters: ReportFilters) -> None:
        super().check(filters)
        if filters.category is not None and filters.category not in (
            *BENEFIT_CATEGORIES,
            UNSPECIFIED,
        ):
            raise Invalid(
                "category",
                f"A benefit category is one of {', '.join(BENEFIT_CATEGORIES)} "
                f"(or {UNSPECIFIED}: visits that named none).",
            )

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        return (await _grouped(db, query)).total

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        grouped = await _grouped(db, query)
        points = monthly_points(query.period.months(), grouped.months, TREND)
        return Trend(series=list(TREND), points=points), [
            Breakdown(
                key="category",
                label="By benefit category",
                series=list(FIGURES),
                items=grouped.items("category"),
            ),
            Breakdown(
                key="provider_type",
                label="By provider type",
                series=list(FIGURES),
                items=grouped.items("provider_type", every=[kind.value for kind in ProviderType]),
            ),
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        population = _population(query)
        events = _events(query).subquery()
        cells = (
            select(events.c.month, events.c.category, *_counts(events))
            .group_by(events.c.month, events.c.category)
            .subquery()
        )
        row_key = func.to_char(cells.c.month, "YYYY-MM") + " " + cells.c.category
        return select(
            cells.c.month,
            cells.c.category,
            *_figures(cells, population.c.member_months),
            row_key.label("row_key"),
        ).outerjoin(population, population.c.month == cells.c.month)


@dataclass(frozen=True, slots=True)
class Grouped:
    """The figures over the period (`total`, with `member_months`), per month, and per
    benefit category and provider type (`by`)."""

    total: dict[str, Any]
    months: dict[date, dict[str, Any]]
    by: dict[str, list[dict[str, Any]]]

    def items(self, grouping: str, every: list[str] | None = None) -> list[dict[str, Any]]:
        """A breakdown's items, the most cost first; each of `every` even with nothing."""
        found = {item["key"]: item for item in self.by.get(grouping, [])}
        has_members = self.total["claims_per_1000"] is not None
        for key in every or []:
            found.setdefault(key, {"key": key} | _nothing(has_members))
        ranked = sorted(found.values(), key=lambda item: (-item["cost"], item["key"]))
        return [item | {"label": item["key"]} for item in ranked]


def _nothing(has_members: bool) -> dict[str, Any]:
    """The figures of no claim and no visit: rates of 0, or none without member-months."""
    zero = 0 if has_members else None
    figures: dict[str, Any] = {s.key: 0 for s in FIGURES}
    return figures | {_CLAIMS_RATE.key: zero, _VISITS_RATE.key: zero, _COST_PMPM.key: zero}


async def _grouped(db: AsyncSession, query: ReportQuery) -> Grouped:
    """`Grouped` in one pass over the events (grouping sets), each month's rates over its
    own member-months and every other over the period's. Read once per request: the
    session keeps it (`info`) for the charts after the KPIs."""
    kept = db.info.get((Utilisation.name, query))
    if isinstance(kept, Grouped):
        return kept
    population = _population(query)
    events = _events(query).subquery()
    month, category, kind = events.c.month, events.c.category, events.c.provider_type
    counts = (
        select(
            func.grouping(month).label("no_month"),
            func.grouping(category).label("no_category"),
            func.grouping(kind).label("no_type"),
            month,
            func.coalesce(category, kind).label("key"),
            *_counts(events),
        )
        .group_by(func.grouping_sets(tuple_(), tuple_(month), tuple_(category), tuple_(kind)))
        .cte("counts")
    )
    grouping = case(
        (counts.c.no_month == 0, "month"),
        (counts.c.no_category == 0, "category"),
        (counts.c.no_type == 0, "provider_type"),
        else_="total",
    )
    member_months = select(func.sum(population.c.member_months)).scalar_subquery()
    months = months_in(query.period)
    each_month = (
        select(literal("month").label("grouping"), months.c.month, counts.c.key)
        .add_columns(*_figures(counts, population.c.member_months))
        .outerjoin(counts, and_(counts.c.month == months.c.month, counts.c.no_month == 0))
        .outerjoin(population, population.c.month == months.c.month)
    )
    others = (
        select(grouping.label("grouping"), counts.c.month, counts.c.key)
        .add_columns(*_figures(counts, member_months))
        .where(counts.c.no_month == 1)
    )
    found = await db.execute(
        select(
            union_all(each_month, others).subquery("grouped"),
            _two_places(member_months).label("member_months"),
        )
    )
    rows = [row._asdict() for row in found]
    by: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by.setdefault(row["grouping"], []).append(row)
    grouped = Grouped(
        total=by["total"][0], months={row["month"]: row for row in by["month"]}, by=by
    )
    db.info[(Utilisation.name, query)] = grouped
    return grouped


def _counts(events: Any) -> list[ColumnElement[Any]]:
    """What the figures count, over some `events`."""
    return [
        func.count(func.distinct(events.c.enrollee_id)).label("members_served"),
        func.count(func.distinct(events.c.claim_id)).label("claims"),
        total(events.c.visit).label("visits"),
        total(events.c.cost).label("cost"),
    ]


def _figures(counts: Any, member_months: Any) -> list[ColumnElement[Any]]:
    """Every figure of `FIGURES` from some `_counts` (none, when outer-joined: zeros), the
    rates over `member_months` (a column or a scalar subquery)."""
    found = {
        key: func.coalesce(counts.c[key], 0)
        for key in ("members_served", "claims", "visits", "cost")
    }
    pmpm = func.round(cast(found["cost"], Numeric) / func.nullif(member_months, 0))
    return [
        found["members_served"].label("members_served"),
        found["claims"].label("claims"),
        _per(found["claims"] * 1000, member_months).label("claims_per_1000"),
        found["visits"].label("visits"),
        _per(found["visits"] * 1000, member_months).label("visits_per_1000"),
        found["cost"].label("cost"),
        cast(pmpm, BigInteger).label("cost_pmpm"),
    ]


def _per(count: ColumnElement[Any], member_months: Any) -> ColumnElement[Any]:
    """`count` ÷ `member_months` to two decimals; null with no member-months."""
    return _two_places(cast(count, Numeric) / func.nullif(member_months, 0))


def _two_places(number: Any) -> ColumnElement[Any]:
    """Rounded half up (away from zero) to two decimals."""
    return cast(func.round(number, 2), Float)


def _population(query: ReportQuery) -> Any:
    """The member-months of each month of the period (exact), under the client and plan
    filters, over the plans in the report's currency."""
    filters = query.filters
    rows = exposure_query(
        query.tenant_id, query.period.first, query.period.last, filters.client_id, filters.plan_id
    ).subquery()
    months = months_in(query.period)
    return (
        select(
            rows.c.month,
            (cast(func.sum(rows.c.member_days), Numeric) / months.c.days_in_month).label(
                "member_months"
            ),
        )
        .join(months, months.c.month == rows.c.month)
        .where(rows.c.currency == query.currency)
        .group_by(rows.c.month, months.c.days_in_month)
        .cte("population")
    )


def _events(query: ReportQuery) -> Select[Any]:
    """Every claim line and every visit of the period under the filters, one row each:
    its month, member, claim (null for a visit), category, provider type, cost and visit
    (1 for a visit)."""
    return union_all(_claim_lines(query), _visits(query))  # type: ignore[return-value]


def _claim_lines(query: ReportQuery) -> Select[Any]:
    filters = query.filters
    cost = func.coalesce(ClaimItem.approved_amount, 0)
    lines: Select[Any] = (
        select(
            month_of(Claim.service_date).label("month"),
            Claim.enrollee_id,
            Claim.id.label("claim_id"),
            ClaimItem.category.label("category"),
            Provider.type.label("provider_type"),
            case((Claim.status.in_(INCURRED), cost), else_=0).label("cost"),
            literal(0, BigInteger).label("visit"),
        )
        .join(
            ClaimItem, and_(ClaimItem.tenant_id == Claim.tenant_id, ClaimItem.claim_id == Claim.id)
        )
        .join(Provider, Provider.id == Claim.provider_id)
        .where(
            Claim.tenant_id == query.tenant_id,
            Claim.status != ClaimStatus.REJECTED,
            Claim.currency == query.currency,
            Claim.service_date.between(query.period.first, query.period.last),
        )
    )
    if filters.provider_id is not None:
        lines = lines.where(Claim.provider_id == filters.provider_id)
    if filters.category is not None:
        lines = lines.where(ClaimItem.category == filters.category)
    return _of_members(lines, Claim.enrollee_id, query)


def _visits(query: ReportQuery) -> Select[Any]:
    filters = query.filters
    category = func.coalesce(CheckIn.benefit_category, UNSPECIFIED)
    visits: Select[Any] = (
        select(
            month_of(CheckIn.visit_date).label("month"),
            CheckIn.enrollee_id,
            cast(null(), Claim.id.type).label("claim_id"),
            category.label("category"),
            Provider.type.label("provider_type"),
            literal(0, BigInteger).label("cost"),
            literal(1, BigInteger).label("visit"),
        )
        .join(Provider, Provider.id == CheckIn.provider_id)
        .where(
            CheckIn.tenant_id == query.tenant_id,
            CheckIn.eligible.is_(True),
            CheckIn.visit_date.between(query.period.first, query.period.last),
        )
    )
    if filters.provider_id is not None:
        visits = visits.where(CheckIn.provider_id == filters.provider_id)
    if filters.category is not None:
        visits = visits.where(category == filters.category)
    return _of_members(visits, CheckIn.enrollee_id, query)


def _of_members(rows: Select[Any], enrollee_id: Any, query: ReportQuery) -> Select[Any]:
    """`rows` of the members under the client and plan filters whose plan is in the
    report's currency."""
    rows = rows.join(
        Enrollee, and_(Enrollee.tenant_id == query.tenant_id, Enrollee.id == enrollee_id)
    ).join(Plan, Plan.id == Enrollee.plan_id)
    rows = rows.where(Plan.currency == query.currency)
    if query.filters.client_id is not None:
        rows = rows.where(Enrollee.client_id == query.filters.client_id)
    if query.filters.plan_id is not None:
        rows = rows.where(Enrollee.plan_id == query.filters.plan_id)
    return rows
