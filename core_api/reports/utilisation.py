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
from datetime import date, timedelta
from decimal import Decimal
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
    exists,
    func,
    literal,
    null,
    select,
    true,
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
from core_api.reports.period import Period, add_months, month_end, month_start
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import total
from core_api.reports.utilisation_summaries import (
    ANY,
    WHOLE,
    UtilisationCell,
    UtilisationMemberMonth,
)

UNSPECIFIED = "unspecified"
COUNTED = ("members_served", "claims", "visits", "cost")
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
                items=_ranked(
                    await _by_category(db, query, grouped.member_months), [], has_members
                ),
            ),
            Breakdown(
                key="provider_type",
                label="By provider type",
                series=list(FIGURES),
                items=_ranked(grouped.provider_types, kinds, has_members),
            ),
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        population, split = _population(query), _Split.of(query)
        pieces: list[Select[Any]] = []
        if split.whole is not None:
            summed = _cells(query, "category", split.whole).subquery()
            pieces.append(
                select(summed.c.month, summed.c.key.label("category"), *_sums(summed)).group_by(
                    summed.c.month, summed.c.key
                )
            )
        if split.parts:
            events = _part_events(query, split, by_line=True).subquery()
            pieces.append(
                select(events.c.month, events.c.category, *_counts(events)).group_by(
                    events.c.month, events.c.category
                )
            )
        cells = _together(pieces).subquery()
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
    member_months: Decimal | None  # exact


async def _grouped(db: AsyncSession, query: ReportQuery) -> Grouped:
    """`Grouped` in one pass over the claims and visits (grouping sets). Read once per
    request: the session keeps it (`info`) for the charts after the KPIs."""
    kept = db.info.get((Utilisation.name, query))
    if isinstance(kept, Grouped):
        return kept
    population = _population(query)
    counts = _grouped_counts(query).cte("counts")
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
            member_months.label("exact_member_months"),
        )
    )
    by: dict[str, list[dict[str, Any]]] = {"month": [], "provider_type": [], "total": []}
    for row in found:
        by[row.grouping].append(row._asdict())
    grouped = Grouped(
        total=by["total"][0],
        months={row["month"]: row for row in by["month"]},
        provider_types=by["provider_type"],
        member_months=by["total"][0]["exact_member_months"],
    )
    db.info[(Utilisation.name, query)] = grouped
    return grouped


async def _by_category(
    db: AsyncSession, query: ReportQuery, member_months: Decimal | None
) -> list[dict[str, Any]]:
    """The figures per benefit category, over the period's `member_months`."""
    split, pieces = _Split.of(query), []
    if split.whole is not None:
        cells = _cells(query, "category", split.whole).subquery()
        pieces.append(select(cells.c.key, *_sums(cells, split.whole.first)).group_by(cells.c.key))
    if split.parts:
        lines = _part_events(query, split, by_line=True).subquery()
        new = _new(query, split.whole, lines.c.enrollee_id, category=lines.c.category)
        events = select(lines, new.label("new")).subquery()
        pieces.append(
            select(events.c.category.label("key"), *_counts(events, events.c.new)).group_by(
                events.c.category
            )
        )
    parts = _together(pieces).subquery()
    by_category = select(
        parts.c.key, *(total(parts.c[key]).label(key) for key in COUNTED)
    ).group_by(parts.c.key)
    counts = by_category.subquery()
    found = await db.execute(
        select(counts.c.key, *_figures(counts, literal(member_months, Numeric)))
    )
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


@dataclass(frozen=True, slots=True)
class _Split:
    """The period as the summaries serve it: its whole months (`whole`, none without any),
    and the days of the months it covers only in part (`parts`), read from the claims and
    visits themselves. A period ending today or later covers its last month whole (nothing
    is served or visited later)."""

    whole: Period | None
    parts: list[Period]

    @classmethod
    def of(cls, query: ReportQuery) -> _Split:
        period = query.period
        first_whole = month_start(period.first)
        if period.first != first_whole:
            first_whole = add_months(first_whole, 1)
        ends_whole = period.last == month_end(period.last) or period.last >= query.today
        last_whole = add_months(month_start(period.last), 0 if ends_whole else -1)
        if first_whole > last_whole:
            return cls(None, [period])
        parts = []
        if period.first < first_whole:
            parts.append(Period(period.first, first_whole - timedelta(days=1)))
        if not ends_whole:
            parts.append(Period(month_start(period.last), period.last))
        return cls(Period(first_whole, min(period.last, month_end(last_whole))), parts)


def _grouped_counts(query: ReportQuery) -> Select[Any]:
    """`_counts` over the period, per month and per provider type (`no_month`, `no_type`:
    which), from the summaries' whole months and the other days' claims and visits."""
    split, pieces = _Split.of(query), list[Select[Any] | CompoundSelect[Any]]()
    if split.whole is not None:
        pieces.append(_summed_counts(query, split.whole))
    if split.parts:
        pieces.append(_counted(query, split))
    every = _together(pieces).subquery()
    keys = (every.c.no_month, every.c.no_type, every.c.month, every.c.key)
    return select(*keys, *(total(every.c[key]).label(key) for key in COUNTED)).group_by(*keys)


def _counted(query: ReportQuery, split: _Split) -> Select[Any]:
    """`_grouped_counts` of the days of `split.parts`, from the claims and visits (grouping
    sets); members over the period only when they had no use in its whole months."""
    read = _part_events(query, split, by_line=False).subquery()
    new = _new(query, split.whole, read.c.enrollee_id)
    new_of_type = new
    if query.filters.provider_id is None:
        new_of_type = _new(
            query, split.whole, read.c.enrollee_id, provider_type=read.c.provider_type
        )
    events = select(read, new.label("new"), new_of_type.label("new_of_type")).subquery()
    month, kind = events.c.month, events.c.provider_type
    served = func.count(func.distinct(events.c.enrollee_id))
    members = case(
        (func.grouping(month) == 0, served),
        (func.grouping(kind) == 0, served.filter(events.c.new_of_type)),
        else_=served.filter(events.c.new),
    )
    return select(
        func.grouping(month).label("no_month"),
        func.grouping(kind).label("no_type"),
        month,
        cast(kind, String).label("key"),
        members.label("members_served"),
        *_amounts(events),
    ).group_by(func.grouping_sets(tuple_(), tuple_(month), tuple_(kind)))


def _summed_counts(query: ReportQuery, whole: Period) -> CompoundSelect[Any]:
    """`_counted` of the `whole` months, from the summaries."""
    first = whole.first
    every, types = _cells(query, None, whole).subquery(), _cells(query, "provider_type", whole)
    by_type = types.subquery()
    return union_all(
        select(literal(1).label("no_month"), literal(1).label("no_type")).add_columns(
            null().label("month"), null().label("key"), *_sums(every, first)
        ),
        select(literal(0), literal(1), every.c.month, null(), *_sums(every)).group_by(
            every.c.month
        ),
        select(literal(1), literal(0), null(), by_type.c.key, *_sums(by_type, first)).group_by(
            by_type.c.key
        ),
    )


def _together(
    pieces: list[Select[Any]] | list[Select[Any] | CompoundSelect[Any]],
) -> Select[Any] | CompoundSelect[Any]:
    return pieces[0] if len(pieces) == 1 else union_all(*pieces)


def _new(
    query: ReportQuery,
    whole: Period | None,
    enrollee_id: Any,
    *,
    category: Any = None,
    provider_type: Any = None,
) -> ColumnElement[bool]:
    """Whether the member had no use in the `whole` months in the scope (under the
    filters; of the `category` or `provider_type` given): not counted among their members."""
    if whole is None:
        return true()
    use, filters = UtilisationMemberMonth, query.filters
    found = [
        use.tenant_id == query.tenant_id,
        use.enrollee_id == enrollee_id,
        use.currency == query.currency,
        use.month.between(whole.first, whole.last),
        use.category == (filters.category or WHOLE if category is None else category),
    ]
    if filters.provider_id is not None:
        found.append(use.provider_id == filters.provider_id)
    if provider_type is not None:
        found.append(use.provider_type == provider_type)
    return ~exists().where(*found)


def _cells(query: ReportQuery, by: str | None, whole: Period) -> Select[Any]:
    """The summary cells of the `whole` months under the filters, in the scope that
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
        cell.month.between(whole.first, whole.last),
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


def _counts(events: Any, new: Any = None) -> list[ColumnElement[Any]]:
    """What the figures count, over some `events` (members only where `new`, if given)."""
    served: ColumnElement[Any] = func.count(func.distinct(events.c.enrollee_id))
    if new is not None:
        served = served.filter(new)
    return [served.label("members_served"), *_amounts(events)]


def _amounts(events: Any) -> list[ColumnElement[Any]]:
    return [
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


def _part_events(query: ReportQuery, split: _Split, *, by_line: bool) -> Select[Any]:
    """`_events` of the days of `split.parts`."""
    return _together([_events(query.for_period(part), by_line=by_line) for part in split.parts])  # type: ignore[return-value]


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
