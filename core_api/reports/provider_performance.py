"""Provider performance: each provider's volumes, decisions, turnaround, queries and flags.

A period's claims are those submitted in it (`created_at`, UTC days), each read as it
stands now (its status, decision and flags), so a month's figures settle as its claims
are decided. Over those claims, network-wide for the KPIs and per provider for the rows:
- `claims`, `billed`: how many, and their total billed;
- `approved`: the total approved of those APPROVED or SETTLED; `approval_rate`: those
  claims ÷ the claims decided (APPROVED, SETTLED or REJECTED);
- turnaround: days from submission to decision (`decided_at - created_at`) of the decided
  claims, their median and 90th percentile (interpolated, as `percentile_cont`), to
  two decimals;
- `query_rate`: the claims queried at least once (a move to QUERIED in their history) ÷
  the claims;
- `risk_per_100_claims`: the risk events raised on the claims, cleared ones included (the
  rate is what the rules saw) per 100 claims;
- `avg_approved`: `approved` ÷ the claims approved, in whole minor units. In the rows,
  `network_avg_approved` is the same over every provider of the tenant (under the client
  and plan filters, never the provider filter) and `cost_index` the provider's ÷ it.
The rows are the providers with a claim in the period.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Float,
    Numeric,
    Select,
    String,
    Subquery,
    cast,
    func,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.kit.filters import on_days
from core_api.models import Provider
from core_api.models.claim import Claim, ClaimEvent, ClaimStatus, RiskEvent
from core_api.reports.base import Figures, Report, ReportQuery, monthly_points
from core_api.reports.claims_aging import filtered_claims
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit

APPROVED = (ClaimStatus.APPROVED, ClaimStatus.SETTLED)
TOP = 10
SECONDS_A_DAY = 86_400

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
        claims = _claims(query).subquery()
        providers = func.count(func.distinct(claims.c.provider_id)).label("providers")
        found = await db.execute(select(*_figures(claims), providers))
        return found.one()._asdict()

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        """One pass: the figures of each month and of each provider (grouping sets)."""
        claims = _claims(query).subquery()
        month, provider = claims.c.month, claims.c.provider_id
        found = await db.execute(
            select(month, provider, *_figures(claims)).group_by(
                func.grouping_sets(tuple_(month), tuple_(provider))
            )
        )
        rows = found.all()
        by_month = {row.month: row._asdict() for row in rows if row.month is not None}
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
        """Every provider's figures with the network's average beside them, in one pass
        over all providers' claims (a window over the providers' sums), then narrowed to
        the provider asked for."""
        every_provider = replace(query, filters=replace(query.filters, provider_id=None))
        claims = _claims(every_provider).subquery()
        approved = claims.c.status.in_(APPROVED)
        providers = (
            select(
                Provider.id.label("provider_id"),
                Provider.name.label("provider"),
                *_figures(claims),
                func.count().filter(approved).label("approved_claims"),
            )
            .join(Provider, Provider.id == claims.c.provider_id)
            .group_by(Provider.id)
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


def _claims(query: ReportQuery) -> Select[Any]:
    """The period's claims, one row each with what the figures read of it."""
    queried = select(ClaimEvent.claim_id).where(
        ClaimEvent.tenant_id == query.tenant_id, ClaimEvent.to_status == ClaimStatus.QUERIED
    )
    flags = (
        select(RiskEvent.claim_id, func.count().label("risk_events"))
        .where(RiskEvent.tenant_id == query.tenant_id, RiskEvent.claim_id.is_not(None))
        .group_by(RiskEvent.claim_id)
        .subquery()
    )
    waited = func.extract("epoch", Claim.decided_at - Claim.created_at) / SECONDS_A_DAY
    month = cast(func.date_trunc("month", func.timezone("UTC", Claim.created_at)), Date)
    read: list[ColumnElement[Any]] = [
        Claim.provider_id.label("provider_id"),
        month.label("month"),
        Claim.status.label("status"),
        Claim.total_billed.label("billed"),
        Claim.total_approved.label("approved"),
        waited.label("turnaround_days"),
        Claim.id.in_(queried).label("queried"),
        func.coalesce(flags.c.risk_events, 0).label("risk_events"),
    ]
    claims = (
        select(*read)
        .outerjoin(flags, flags.c.claim_id == Claim.id)
        .where(
            Claim.tenant_id == query.tenant_id,
            Claim.currency == query.currency,
            *on_days(Claim.created_at, query.period.first, query.period.last),
        )
    )
    return filtered_claims(claims, query.filters)


def _figures(claims: Subquery) -> list[ColumnElement[Any]]:
    """Every figure of `FIGURES` over the claims of `claims` (a `_claims` subquery)."""
    c = claims.c
    count = func.count()
    approved = c.status.in_(APPROVED)
    approved_amount = func.coalesce(func.sum(c.approved).filter(approved), 0)
    return [
        count.label("claims"),
        whole(func.coalesce(func.sum(c.billed), 0)).label("billed"),
        whole(approved_amount).label("approved"),
        ratio(func.count().filter(approved), func.count(c.turnaround_days)).label("approval_rate"),
        _days(0.5, c.turnaround_days).label("median_turnaround_days"),
        _days(0.9, c.turnaround_days).label("p90_turnaround_days"),
        ratio(func.count().filter(c.queried), count).label("query_rate"),
        whole(func.coalesce(func.sum(c.risk_events), 0)).label("risk_events"),
        (100 * ratio(func.sum(c.risk_events), count)).label("risk_per_100_claims"),
        _average(approved_amount, func.count().filter(approved)).label("avg_approved"),
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


def _days(fraction: float, days: ColumnElement[Any]) -> ColumnElement[Any]:
    percentile = func.percentile_cont(fraction).within_group(days)
    return cast(func.round(cast(percentile, Numeric), 2), Float)


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
