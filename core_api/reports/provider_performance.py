"""Provider performance: each provider's volumes, decisions, turnaround, queries and flags.

A period's claims are those submitted in it (`created_at`, UTC days), each read as it
stands now (its status, decision and flags), so a month's figures settle as its claims
are decided. Over those claims, network-wide for the KPIs and per provider for the rows:
- `claims`, `billed`: how many, and their total billed;
- `approved`: the total approved of those APPROVED or SETTLED; `approval_rate`: those
  claims ÷ the claims decided (APPROVED, SETTLED or REJECTED);
- turnaround: days from submission to decision (`decided_at - created_at`) of the decided
  claims, each counted in whole hours (to the nearest), their median and 90th
  percentile (interpolated, as `percentile_cont`), to two decimals;
- `query_rate`: the claims queried at least once (a move to QUERIED in their history) ÷
  the claims;
- `risk_per_100_claims`: the risk events raised on the claims, cleared ones included (the
  rate is what the rules saw) per 100 claims;
- `avg_approved`: `approved` ÷ the claims approved, in whole minor units. In the rows,
  `network_avg_approved` is the same over every provider of the tenant (under the client
  and plan filters, never the provider filter) and `cost_index` the provider's ÷ it.
The rows are the providers with a claim in the period.

The figures are read from summaries the database keeps in the transaction of each
change to a claim, its events and its flags (`provider_summaries.py`): whole months from
them, the days of a month the period covers only in part from the claims themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Date,
    Float,
    Integer,
    Numeric,
    Select,
    String,
    Subquery,
    Uuid,
    and_,
    cast,
    column,
    func,
    literal,
    select,
    true,
    tuple_,
    union_all,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.models import Provider
from core_api.reports.base import Figures, Report, ReportFilters, ReportQuery, monthly_points
from core_api.reports.provider_summaries import (
    ANY,
    ProviderClaimMonth,
    ProviderTurnaroundHours,
)
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import end_of, start_of
from core_api.reports.turnaround_hours import (
    HOURS_A_DAY,
    MEDIAN,
    P90,
    in_days,
    in_months,
    median_days,
    split_months,
    turnarounds,
)

TOP = 10
# What the summaries add up of each claim, in `ProviderClaimMonth`'s columns.
SUMMED = ("claims", "billed", "approved_claims", "approved", "decided", "queried", "risk_events")

_CLAIMS = Series(key="claims", label="Claims", unit=Unit.COUNT)
_BILLED = Series(key="billed", label="Billed", unit=Unit.MONEY)
_APPROVAL_RATE = Series(key="approval_rate", label="Approval rate", unit=Unit.RATIO)
_MEDIAN_DAYS = Series(key="median_turnaround_days", label="Median turnaround", unit=Unit.DAYS)
_RISK_EVENTS = Series(key="risk_events", label="Risk events", unit=Unit.COUNT)
_RISK_RATE = Series(key="risk_per_100_claims", label="Risk events per 100 claims", unit=Unit.RATE)
FIGURES = (
    _CLAIMS,
    _BILLED,
    Series(key="approved", label="Approved", unit=Unit.MONEY),
    _APPROVAL_RATE,
    _MEDIAN_DAYS,
    Series(key="p90_turnaround_days", label="90th percentile turnaround", unit=Unit.DAYS),
    Series(key="query_rate", label="Query rate", unit=Unit.RATIO),
    _RISK_EVENTS,
    _RISK_RATE,
    Series(key="avg_approved", label="Average approved per claim", unit=Unit.MONEY),
)


class ProviderPerformance(Report):
    name = "provider-performance"
    title = "Provider performance"
    accepts = frozenset({"provider_id", "client_id", "plan_id"})
    kpis = (*FIGURES, Series(key="providers", label="Providers with claims", unit=Unit.COUNT))
    columns = (
        Column(key="provider", label="Provider", unit=Unit.TEXT),
        *(Column(key=s.key, label=s.label, unit=s.unit) for s in FIGURES),
        Column(key="network_avg_approved", label="Network average approved", unit=Unit.MONEY),
        Column(key="cost_index", label="Average approved ÷ network average", unit=Unit.RATIO),
    )
    default_sort = "-billed"

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        cells = _cells(query).subquery()
        providers = func.count(func.distinct(cells.c.provider_id)).filter(cells.c.claims > 0)
        totals = select(*_sums(cells), providers.label("providers")).subquery()
        turnaround = turnarounds(_hours(query, per_provider=False))
        found = await db.execute(
            select(totals, *days_of(turnaround)).select_from(totals.outerjoin(turnaround, true()))
        )
        return found.one()._asdict()

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        """The figures of each month and of each provider (grouping sets over the
        summaries), and each month's median turnaround."""
        cells = _cells(query).subquery()
        month, provider = cells.c.month, cells.c.provider_id
        found = await db.execute(
            select(month, provider, *_sums(cells))
            .group_by(func.grouping_sets(tuple_(month), tuple_(provider)))
            .having(func.sum(cells.c.claims) > 0)
        )
        rows = found.all()
        by_month = {row.month: row._asdict() for row in rows if row.month is not None}
        monthly = turnarounds(_hours(query, per_provider=False), "month")
        for row in await db.execute(select(monthly)):
            by_month.setdefault(row.month, {})["median_turnaround_days"] = median_days(row)
        series = (_CLAIMS, _APPROVAL_RATE, _MEDIAN_DAYS)
        trend = Trend(
            series=list(series), points=monthly_points(query.period.months(), by_month, series)
        )
        providers = [row for row in rows if row.provider_id is not None]
        named = select(Provider.id, Provider.name).where(
            Provider.id.in_([p.provider_id for p in providers])
        )
        names: dict[Any, str] = {key: name for key, name in await db.execute(named)}
        flagged = [p for p in providers if p.risk_events]
        return trend, [
            _top("billed", "amount billed", providers, names, _BILLED, _CLAIMS),
            _top("risk_events", "risk events", flagged, names, _RISK_EVENTS, _RISK_RATE),
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        """Every provider's figures with the network's average beside them (a window over
        the providers' sums), then narrowed to the provider asked for."""
        every_provider = replace(query, filters=replace(query.filters, provider_id=None))
        cells = _cells(every_provider).subquery()
        turnaround = _each_providers_turnarounds(every_provider)
        sums = (
            select(cells.c.provider_id, *_sums(cells))
            .group_by(cells.c.provider_id)
            .having(func.sum(cells.c.claims) > 0)
            .subquery()
        )
        providers = (
            select(sums, Provider.name.label("provider"), *days_of(turnaround))
            .join(Provider, Provider.id == sums.c.provider_id)
            .outerjoin(turnaround, turnaround.c.provider_id == sums.c.provider_id)
            .subquery()
        )
        network = _average(
            func.sum(providers.c.approved).over(), func.sum(providers.c.approved_claims).over()
        )
        rows = select(providers, network.label("network_avg_approved")).subquery()
        table = select(
            *(rows.c[c.key] for c in self.columns if c.key != "cost_index"),
            ratio(rows.c.avg_approved, rows.c.network_avg_approved).label("cost_index"),
            cast(rows.c.provider_id, String).label("row_key"),
        )
        if query.filters.provider_id is not None:
            table = table.where(rows.c.provider_id == query.filters.provider_id)
        return table


# --- what the summaries hold for the period --------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Span:
    """The period as the summaries serve it: its whole months, and the days of the months
    it covers only in part (as moments), which are read from the claims themselves."""

    months: list[date]
    parts: list[tuple[datetime, datetime]]

    @classmethod
    def of(cls, query: ReportQuery) -> _Span:
        period = query.period
        if query.filters.client_id is not None and query.filters.plan_id is not None:
            # No summary is by client and plan at once: every day from the claims.
            return cls([], [(start_of(period.first), end_of(period.last))])
        months, parts = split_months(period)
        return cls(months, [(start_of(first), end_of(last)) for first, last in parts])


def _facts(query: ReportQuery, start: datetime, end: datetime) -> Any:
    """The claims submitted from `start` until `end` as the summaries count each."""
    columns = (  # as the function returns them
        "sign",
        "tenant_id",
        "currency",
        "provider_id",
        "client_id",
        "plan_id",
        "month",
        "billed",
        "approved_claim",
        "approved",
        "decided",
        "queried",
        "risk_events",
        "hours",
    )
    return (
        func.provider_claim_facts(query.tenant_id, start, end)
        .table_valued(*columns)
        .render_derived("facts")
    )


def _narrowed(where: Any, filters: ReportFilters) -> list[ColumnElement[bool]]:
    """The provider, client and plan filters on a summary or facts row (`where.c`)."""
    given = (
        ("provider_id", filters.provider_id),
        ("client_id", filters.client_id),
        ("plan_id", filters.plan_id),
    )
    return [where.c[key] == value for key, value in given if value is not None and key in where.c]


def _cells(query: ReportQuery) -> CompoundSelect[Any] | Select[Any]:
    """(provider, month, figures summed) over the period's claims under the filters: the
    summary rows of its whole months and the claims of its other days."""
    span, months = _Span.of(query), ProviderClaimMonth.__table__
    summed = [func.sum(months.c[key]).label(key) for key in SUMMED]
    parts: list[Select[Any]] = [
        select(months.c.provider_id, months.c.month, *summed)
        .where(
            months.c.tenant_id == query.tenant_id,
            months.c.currency == query.currency,
            in_months(months.c.month, span.months),
            *_narrowed(months, query.filters),
        )
        .group_by(months.c.provider_id, months.c.month)
    ]
    for start, end in span.parts:
        f = _facts(query, start, end)
        counted = [
            func.count(),
            func.sum(f.c.billed),
            func.count().filter(f.c.approved_claim),
            func.sum(f.c.approved),
            func.count().filter(f.c.decided),
            func.count().filter(f.c.queried),
            func.sum(f.c.risk_events),
        ]
        parts.append(
            select(
                f.c.provider_id,
                cast(f.c.month, Date).label("month"),
                *(c.label(key) for c, key in zip(counted, SUMMED, strict=True)),
            )
            .where(f.c.currency == query.currency, *_narrowed(f, query.filters))
            .group_by(f.c.provider_id, f.c.month)
        )
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _hours(query: ReportQuery, *, per_provider: bool) -> Subquery:
    """(provider, month, hours, claims decided after them) over the period's claims under
    the filters; `provider_id` is `ANY` unless `per_provider` (or a provider is asked)."""
    span, hist = _Span.of(query), ProviderTurnaroundHours.__table__
    filters = query.filters
    scope = filters.client_id or filters.plan_id or ANY
    if filters.provider_id is not None:
        which = hist.c.provider_id == filters.provider_id
    else:
        which = hist.c.provider_id != ANY if per_provider else hist.c.provider_id == ANY
    parts: list[Select[Any]] = [
        select(hist.c.provider_id, hist.c.month, hist.c.hours, hist.c.claims).where(
            hist.c.tenant_id == query.tenant_id,
            hist.c.currency == query.currency,
            hist.c.scope_id == scope,
            in_months(hist.c.month, span.months),
            which,
            hist.c.whole_day.is_(False),
        )
    ]
    by_provider = per_provider or filters.provider_id is not None
    for start, end in span.parts:
        f = _facts(query, start, end)
        provider = cast(f.c.provider_id, Uuid) if by_provider else literal(ANY, Uuid)
        parts.append(
            select(
                provider.label("provider_id"),
                cast(f.c.month, Date).label("month"),
                cast(f.c.hours, Integer).label("hours"),
                func.count().label("claims"),
            )
            .where(
                f.c.currency == query.currency,
                f.c.hours.is_not(None),
                *_narrowed(f, filters),
            )
            .group_by(f.c.provider_id, f.c.month, f.c.hours)
        )
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("hours")


def _each_providers_turnarounds(query: ReportQuery) -> Subquery:
    """(provider, median and 90th percentile hours) of every provider: from the claims'
    hours when the period has a month in part, else in two steps that read far fewer
    rows than every provider's hours of every month: the whole days that hold each
    percentile's ranks, then the hours of those days only."""
    span = _Span.of(query)
    if span.parts:
        return turnarounds(_hours(query, per_provider=True), "provider_id")
    hist = ProviderTurnaroundHours.__table__
    mine = [
        hist.c.tenant_id == query.tenant_id,
        hist.c.currency == query.currency,
        hist.c.scope_id == (query.filters.client_id or query.filters.plan_id or ANY),
        in_months(hist.c.month, span.months),
    ]
    ranks = _ranks_by_day(hist, mine)
    days = select(ranks.c.provider_id, ranks.c.day).distinct().subquery("days")
    in_day = (
        select(hist.c.hours, func.sum(hist.c.claims).label("n"))
        .where(
            *mine,
            hist.c.provider_id == days.c.provider_id,
            hist.c.whole_day.is_(False),
            hist.c.hours.between(days.c.day, days.c.day + HOURS_A_DAY - 1),
        )
        .group_by(hist.c.hours)
        .lateral("in_day")
    )
    hours_of_days = (
        select(days, in_day.c.hours, in_day.c.n)
        .select_from(days.join(in_day, true()))
        .cte("hours_of_days")
        .prefix_with("MATERIALIZED")  # each day read once, however many ranks it holds
    )
    target = (ranks.c.provider_id, ranks.c.part, ranks.c.step)
    upto = func.sum(hours_of_days.c.n).over(partition_by=target, order_by=hours_of_days.c.hours)
    walked = (
        select(ranks, hours_of_days.c.hours, upto.label("upto"))
        .join(
            hours_of_days,
            and_(
                hours_of_days.c.provider_id == ranks.c.provider_id,
                hours_of_days.c.day == ranks.c.day,
            ),
        )
        .subquery()
    )
    at_rank = (
        select(
            walked.c.provider_id,
            walked.c.part,
            walked.c.step,
            walked.c.total,
            func.min(walked.c.hours)
            .filter(walked.c.upto > walked.c.rank - walked.c.before)
            .label("hours"),
        )
        .group_by(walked.c.provider_id, walked.c.part, walked.c.step, walked.c.total)
        .subquery()
    )
    hours = at_rank.c.hours

    def percentile(part: int, whole: int) -> ColumnElement[Any]:
        low = func.max(hours).filter(at_rank.c.part == part, at_rank.c.step == 0)
        high = func.max(hours).filter(at_rank.c.part == part, at_rank.c.step == 1)
        fraction = cast(func.mod(part * (func.max(at_rank.c.total) - 1), whole), Numeric) / whole
        return low + (func.coalesce(high, low) - low) * fraction

    return (
        select(
            at_rank.c.provider_id,
            percentile(*MEDIAN).label("median_hours"),
            percentile(*P90).label("p90_hours"),
        )
        .group_by(at_rank.c.provider_id)
        .subquery()
    )


def _ranks_by_day(hist: Any, mine: list[ColumnElement[bool]]) -> CTE:
    """For each provider and percentile (`part` of `whole`), the ranks either side of it
    (`step` 0 and 1: rank, rank + 1) among the provider's claims by turnaround, the whole
    day holding each (`day`, in hours) and how many claims came before that day."""
    days = (
        select(hist.c.provider_id, hist.c.hours.label("day"), func.sum(hist.c.claims).label("n"))
        .where(*mine, hist.c.provider_id != ANY, hist.c.whole_day.is_(True))
        .group_by(hist.c.provider_id, hist.c.hours)
        .having(func.sum(hist.c.claims) > 0)
        .subquery()
    )
    provider = days.c.provider_id
    upto = func.sum(days.c.n).over(partition_by=provider, order_by=days.c.day)
    total = func.sum(days.c.n).over(partition_by=provider)
    ranked = select(
        provider,
        days.c.day,
        cast(days.c.n, BigInteger).label("n"),
        cast(upto, BigInteger).label("upto"),
        cast(total, BigInteger).label("total"),
    ).subquery()
    wanted = (
        values(column("part", Integer), column("whole", Integer), column("step", Integer))
        .data([(part, whole, step) for part, whole in (MEDIAN, P90) for step in (0, 1)])
        .alias("wanted")
    )
    rank = (wanted.c.part * (ranked.c.total - 1)) / wanted.c.whole + wanted.c.step
    holds = ranked.c.upto > rank
    return (
        select(
            ranked.c.provider_id,
            wanted.c.part,
            wanted.c.step,
            ranked.c.total,
            rank.label("rank"),
            func.min(ranked.c.day).filter(holds).label("day"),
            func.min(ranked.c.upto - ranked.c.n).filter(holds).label("before"),
        )
        .select_from(ranked.join(wanted, true()))
        .group_by(
            ranked.c.provider_id, wanted.c.part, wanted.c.whole, wanted.c.step, ranked.c.total
        )
        .cte("ranks")
    )


# --- figures ---------------------------------------------------------------------------------


def _sums(cells: Subquery) -> list[ColumnElement[Any]]:
    """Every figure of `FIGURES` but the turnaround over the rows of `cells`."""
    c = cells.c
    claims, approved_claims = func.sum(c.claims), func.sum(c.approved_claims)
    approved = func.coalesce(func.sum(c.approved), 0)
    return [
        whole(func.coalesce(claims, 0)).label("claims"),
        whole(func.coalesce(func.sum(c.billed), 0)).label("billed"),
        whole(approved).label("approved"),
        whole(func.coalesce(approved_claims, 0)).label("approved_claims"),
        ratio(approved_claims, func.sum(c.decided)).label("approval_rate"),
        ratio(func.sum(c.queried), claims).label("query_rate"),
        whole(func.coalesce(func.sum(c.risk_events), 0)).label("risk_events"),
        (100 * ratio(func.sum(c.risk_events), claims)).label("risk_per_100_claims"),
        _average(approved, approved_claims).label("avg_approved"),
    ]


def days_of(turnaround: Subquery) -> list[ColumnElement[Any]]:
    return [
        in_days(turnaround.c.median_hours).label("median_turnaround_days"),
        in_days(turnaround.c.p90_hours).label("p90_turnaround_days"),
    ]


def whole(number: ColumnElement[Any]) -> ColumnElement[Any]:
    """A sum as an integer (a `numeric` would not page: its cursor takes ints)."""
    return cast(number, BigInteger)


def ratio(part: ColumnElement[Any], total: ColumnElement[Any]) -> ColumnElement[Any]:
    """`part` ÷ `total` as a fraction; null when `total` is 0."""
    return cast(part, Float) / func.nullif(total, 0)


def _average(total: ColumnElement[Any], count: ColumnElement[Any]) -> ColumnElement[Any]:
    """Whole minor units (half away from zero); null over no claims."""
    return whole(func.round(cast(total, Numeric) / func.nullif(count, 0)))


def _top(
    key: str, what: str, providers: list[Any], names: dict[Any, str], *series: Series
) -> Breakdown:
    """The providers with the most of the first series (then by name)."""
    ranked = sorted(providers, key=lambda p: (-getattr(p, series[0].key), names[p.provider_id]))
    return Breakdown(
        key=key,
        label=f"Top {TOP} providers by {what}",
        series=list(series),
        items=[
            {"key": str(p.provider_id), "label": names[p.provider_id]}
            | {s.key: getattr(p, s.key) for s in series}
            for p in ranked[:TOP]
        ],
    )
