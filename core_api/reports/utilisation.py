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
  the days of their month, summed), over the plans in the report's currency (and the
  visits are those of these members);
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
    CompoundSelect,
    Float,
    Numeric,
    Select,
    String,
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

from core_api.models import Enrollee, Plan, Provider, ProviderType
from core_api.models.claim import Claim, ClaimItem, ClaimStatus
from core_api.models.visit import CheckIn
from core_api.plans.premiums import exposure_query
from core_api.plans.schemas import BENEFIT_CATEGORIES
from core_api.reports.base import Figures, Report, ReportQuery, monthly_points
from core_api.reports.loss_ratio import INCURRED, month_of, months_in
from core_api.reports.period import month_end
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import total
from core_api.reports.utilisation_summaries import ANY, WHOLE, UtilisationCell

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
    values = {"category": (*BENEFIT_CATEGORIES, UNSPECIFIED)}
    default_sort = "-month"

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        return (await _grouped(db, query)).total

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        grouped = await _grouped(db, query)
        points = monthly_points(query.period.months(), grouped.months, TREND)
        has_members = grouped.total[_CLAIMS_RATE.key] is not None
        kinds = [kind.value for kind in ProviderType]
        return Trend(series=list(TREND), points=points), [
            Breakdown(
                key="category",
                label="By benefit category",
                series=list(FIGURES),
                items=_ranked(await _by_category(db, query), [], has_members),
            ),
            Breakdown(
                key="provider_type",
                label="By provider type",
                series=list(FIGURES),
                items=_ranked(grouped.provider_types, kinds, has_members),
            ),
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        population = _population(query)
        if _summarised(query):
            summed = _cells(query, "category").subquery()
            month, category = summed.c.month, summed.c.key
            counts = _sums(summed)
        else:
            events = _events(query, by_line=True).subquery()
            month, category = events.c.month, events.c.category
            counts = _counts(events)
        cells = (
            select(month, category.label("category"), *counts).group_by(month, category).subquery()
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
    """The figures over the period (with `member_months`), per month (each over its own
    member-months) and per provider type (over the period's)."""

    total: dict[str, Any]
    months: dict[date, dict[str, Any]]
    provider_types: list[dict[str, Any]]


async def _grouped(db: AsyncSession, query: ReportQuery) -> Grouped:
    """`Grouped` in one pass over the claims and visits (grouping sets). Read once per
    request: the session keeps it (`info`) for the charts after the KPIs."""
    kept = db.info.get((Utilisation.name, query))
    if isinstance(kept, Grouped):
        return kept
    population = _population(query)
    counts = (_summed_counts(query) if _summarised(query) else _counted(query)).cte("counts")
    member_months = select(func.sum(population.c.member_months)).scalar_subquery()
    months = months_in(query.period)
    each_month = (
        select(literal("month").label("grouping"), months.c.month, counts.c.key)
        .add_columns(*_figures(counts, population.c.member_months))
        .outerjoin(counts, and_(counts.c.month == months.c.month, counts.c.no_month == 0))
        .outerjoin(population, population.c.month == months.c.month)
    )
    grouping = case((counts.c.no_type == 0, "provider_type"), else_="total")
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
    by: dict[str, list[dict[str, Any]]] = {"month": [], "provider_type": [], "total": []}
    for row in found:
        by[row.grouping].append(row._asdict())
    grouped = Grouped(
        total=by["total"][0],
        months={row["month"]: row for row in by["month"]},
        provider_types=by["provider_type"],
    )
    db.info[(Utilisation.name, query)] = grouped
    return grouped


async def _by_category(db: AsyncSession, query: ReportQuery) -> list[dict[str, Any]]:
    """The figures per benefit category, over the period's member-months."""
    population = _population(query)
    member_months = select(func.sum(population.c.member_months)).scalar_subquery()
    if _summarised(query):
        cells = _cells(query, "category").subquery()
        by_category = select(cells.c.key, *_sums(cells, query.period.first)).group_by(cells.c.key)
    else:
        events = _events(query, by_line=True).subquery()
        by_category = select(events.c.category.label("key"), *_counts(events)).group_by(
            events.c.category
        )
    counts = by_category.subquery()
    found = await db.execute(select(counts.c.key, *_figures(counts, member_months)))
    return [row._asdict() for row in found]


def _ranked(
    items: list[dict[str, Any]], every: list[str], has_members: bool
) -> list[dict[str, Any]]:
    """A breakdown's items, the most cost first, labelled by their key; each of `every`
    even with nothing (rates of 0, or none without member-months)."""
    found = {item["key"]: item for item in items}
    zero = 0 if has_members else None
    nothing = {s.key: zero if s.unit is Unit.RATE else 0 for s in FIGURES}
    for key in every:
        found.setdefault(key, {"key": key} | nothing | {_COST_PMPM.key: zero})
    ranked = sorted(found.values(), key=lambda item: (-item["cost"], item["key"]))
    return [
        {"key": item["key"], "label": item["key"]} | {s.key: item[s.key] for s in FIGURES}
        for item in ranked
    ]


def _counted(query: ReportQuery) -> Select[Any]:
    """`_counts` of the whole period, per month and per provider type from the claims and
    visits themselves (grouping sets)."""
    events = _events(query, by_line=False).subquery()
    month, kind = events.c.month, events.c.provider_type
    return select(
        func.grouping(month).label("no_month"),
        func.grouping(kind).label("no_type"),
        month,
        kind.label("key"),
        *_counts(events),
    ).group_by(func.grouping_sets(tuple_(), tuple_(month), tuple_(kind)))


def _summed_counts(query: ReportQuery) -> CompoundSelect[Any]:
    """`_counted`, from the summaries."""
    first = query.period.first
    whole, types = _cells(query, None).subquery(), _cells(query, "provider_type").subquery()
    return union_all(
        select(literal(1).label("no_month"), literal(1).label("no_type")).add_columns(
            null().label("month"), null().label("key"), *_sums(whole, first)
        ),
        select(literal(0), literal(1), whole.c.month, null(), *_sums(whole)).group_by(
            whole.c.month
        ),
        select(literal(1), literal(0), null(), types.c.key, *_sums(types, first)).group_by(
            types.c.key
        ),
    )


def _summarised(query: ReportQuery) -> bool:
    """Whether the summaries serve the period: whole months (a period ending today or
    later covers its last month whole: nothing is served or visited later)."""
    period = query.period
    return period.first.day == 1 and (
        period.last == month_end(period.last) or period.last >= query.today
    )


def _cells(query: ReportQuery, by: str | None) -> Select[Any]:
    """The summary cells of the period's months under the filters, in the scope that
    counts the figures as a whole (`by` None), per benefit category or per provider type
    (`by`, then the `key` column)."""
    filters, cell = query.filters, UtilisationCell
    provider, category = filters.provider_id or ANY, filters.category or WHOLE
    key: Any = null()
    if by == "category":
        key = cell.category
        scope = [cell.provider_id == provider, cell.provider_type == WHOLE]
        scope.append(
            cell.category != WHOLE if filters.category is None else cell.category == category
        )
    elif by == "provider_type" and filters.provider_id is None:
        key = cell.provider_type
        scope = [cell.provider_id == ANY, cell.provider_type != WHOLE, cell.category == category]
    else:
        scope = [
            cell.provider_id == provider,
            cell.provider_type == WHOLE,
            cell.category == category,
        ]
        if by == "provider_type":  # one provider's: its type
            key = (
                select(cast(Provider.type, String)).where(Provider.id == provider).scalar_subquery()
            )
    if filters.client_id is not None:
        scope.append(cell.client_id == filters.client_id)
    if filters.plan_id is not None:
        scope.append(cell.plan_id == filters.plan_id)
    return select(
        key.label("key"),
        cell.month,
        cell.prev_month,
        cell.members,
        cell.claims,
        cell.visits,
        cell.cost,
    ).where(
        cell.tenant_id == query.tenant_id,
        cell.currency == query.currency,
        cell.month.between(query.period.first, query.period.last),
        *scope,
    )


def _sums(cells: Any, first: date | None = None) -> list[ColumnElement[Any]]:
    """What `_counts` counts, summed over some `_cells`: the members of each month, or
    with `first`, those with no use since before `first` (each once over the months)."""
    members: ColumnElement[Any] = func.sum(cells.c.members)
    if first is not None:
        members = members.filter(cells.c.prev_month < first)
    return [
        cast(func.coalesce(members, 0), BigInteger).label("members_served"),
        *(total(cells.c[key]).label(key) for key in ("claims", "visits", "cost")),
    ]


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


def _events(query: ReportQuery, *, by_line: bool) -> Select[Any]:
    """Every claim and every visit of the period under the filters, one row each: its
    month, member, claim (null for a visit), category, provider type, cost and visit (1
    for a visit). `by_line`: a claim is a row per line, with the line's category and cost
    (what the figures by category need, and all of them under a category filter); else
    one row with its total (and no category), a third of the rows to read."""
    by_line = by_line or query.filters.category is not None
    claims = _claim_lines(query) if by_line else _claims(query)
    return union_all(claims, _visits(query))  # type: ignore[return-value]


def _claims(query: ReportQuery) -> Select[Any]:
    cost = case((Claim.status.in_(INCURRED), Claim.total_approved), else_=0)
    return _claims_read(query, cast(null(), ClaimItem.category.type), cost)


def _claim_lines(query: ReportQuery) -> Select[Any]:
    cost = case((Claim.status.in_(INCURRED), func.coalesce(ClaimItem.approved_amount, 0)), else_=0)
    lines = _claims_read(query, ClaimItem.category, cost).join(
        ClaimItem, and_(ClaimItem.tenant_id == Claim.tenant_id, ClaimItem.claim_id == Claim.id)
    )
    if query.filters.category is not None:
        lines = lines.where(ClaimItem.category == query.filters.category)
    return lines


def _claims_read(query: ReportQuery, category: Any, cost: Any) -> Select[Any]:
    """The period's claims that were not rejected, under the filters, as events."""
    claims: Select[Any] = (
        select(
            month_of(Claim.service_date).label("month"),
            Claim.enrollee_id,
            Claim.id.label("claim_id"),
            category.label("category"),
            Provider.type.label("provider_type"),
            cost.label("cost"),
            literal(0, BigInteger).label("visit"),
        )
        .join(Provider, Provider.id == Claim.provider_id)
        .where(
            Claim.tenant_id == query.tenant_id,
            Claim.status != ClaimStatus.REJECTED,
            Claim.currency == query.currency,
            Claim.service_date.between(query.period.first, query.period.last),
        )
    )
    if query.filters.provider_id is not None:
        claims = claims.where(Claim.provider_id == query.filters.provider_id)
    return _of_members(claims, Claim.enrollee_id, query)


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
    return _of_members(visits, CheckIn.enrollee_id, query, plan_currency=True)


def _of_members(
    rows: Select[Any], enrollee_id: Any, query: ReportQuery, *, plan_currency: bool = False
) -> Select[Any]:
    """`rows` of the members under the client and plan filters (and with `plan_currency`,
    whose plan is in the report's currency). Joins the members only when it must."""
    filters = query.filters
    if not plan_currency and filters.client_id is None and filters.plan_id is None:
        return rows
    rows = rows.join(
        Enrollee, and_(Enrollee.tenant_id == query.tenant_id, Enrollee.id == enrollee_id)
    )
    if plan_currency:
        rows = rows.join(Plan, Plan.id == Enrollee.plan_id).where(Plan.currency == query.currency)
    if filters.client_id is not None:
        rows = rows.where(Enrollee.client_id == filters.client_id)
    if filters.plan_id is not None:
        rows = rows.where(Enrollee.plan_id == filters.plan_id)
    return rows
