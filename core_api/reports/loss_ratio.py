"""Loss ratio: what the members cost against the premium they earned.

Over the days of the period, per month, client and plan (a member's client and plan are
its current ones, as the premium counts them):
- `earned_premium` and `members`: the exposure of `core_api.plans.premiums` (covered days
  pro-rated by day, suspended and terminated days earning nothing);
- `incurred_claims`: the approved amounts (the approved line amounts, summed on the
  claim as `total_approved`) of the claims APPROVED or SETTLED, on their service date;
- `capitation`: the totals of the PAID capitation runs of the months the period touches.
  A run pays for its whole month: the part of a month inside the period counts its share
  of the month's days (all of it for a whole month). Capitation is paid per primary
  provider, not per client, so that amount is shared between the clients and plans in
  proportion to their member-days on those days. When no member was covered then, it
  stays unattributed: in the totals and the trend, under no client or plan (and left out
  when the report is filtered by client or plan);
- `loss_ratio` = (incurred claims + capitation) ÷ earned premium; null when nothing was
  earned.
The rows are per client and month, those with premium earned, claims incurred or
capitation. Everything is in the report's currency (plans, claims and runs in another are
left out).
Capitation shares are exact until each figure is rounded half up to whole minor units, so
the items of a breakdown may differ from the total by that rounding.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Numeric,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    cast,
    func,
    literal,
    null,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.models import Client, Enrollee, Plan
from core_api.models.claim import ClaimStatus
from core_api.models.finance import CapitationRun, RunStatus
from core_api.models.summary import IncurredDay
from core_api.plans.premiums import exposure_query, range_months
from core_api.reports.base import Figures, Report, ReportQuery, monthly_points
from core_api.reports.period import Period
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import ratio, total

INCURRED = (ClaimStatus.APPROVED, ClaimStatus.SETTLED)
TOP_CLIENTS = 20
_EARNED = Series(key="earned_premium", label="Earned premium", unit=Unit.MONEY)
_INCURRED = Series(key="incurred_claims", label="Incurred claims", unit=Unit.MONEY)
_CAPITATION = Series(key="capitation", label="Capitation paid", unit=Unit.MONEY)
_LOSS_RATIO = Series(key="loss_ratio", label="Loss ratio", unit=Unit.RATIO)
FIGURES = (_EARNED, _INCURRED, _CAPITATION, _LOSS_RATIO)


class LossRatio(Report):
    name = "loss-ratio"
    title = "Loss ratio"
    accepts = frozenset({"client_id", "plan_id"})
    kpis = FIGURES
    columns = (
        Column(key="month", label="Month", unit=Unit.MONTH),
        Column(key="client", label="Client", unit=Unit.TEXT),
        Column(key="members", label="Members covered", unit=Unit.COUNT),
        *(Column(key=s.key, label=s.label, unit=s.unit) for s in FIGURES),
    )
    default_sort = "-month"

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        return (await _grouped(db, query)).total

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        grouped = await _grouped(db, query)
        months = query.period.months()
        trend = Trend(series=list(FIGURES), points=monthly_points(months, grouped.months, FIGURES))
        return trend, [
            Breakdown(
                key="client",
                label=f"By client (the {TOP_CLIENTS} with the most premium, then the others)",
                series=list(FIGURES),
                items=_top_and_others(grouped.clients, TOP_CLIENTS),
            ),
            Breakdown(key="plan", label="By plan", series=list(FIGURES), items=grouped.plans),
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        cells = _cells(query).subquery()
        client_key = func.coalesce(cast(cells.c.client_id, String), "-")
        money = func.sum(cells.c.earned_premium + cells.c.incurred_claims + cells.c.capitation)
        return (
            select(
                cells.c.month,
                Client.name.label("client"),
                total(cells.c.members).label("members"),
                *_figures(cells),
                (client_key + " " + func.to_char(cells.c.month, "YYYY-MM")).label("row_key"),
            )
            .outerjoin(Client, Client.id == cells.c.client_id)
            .group_by(cells.c.month, cells.c.client_id, Client.name)
            .having(money > 0)
        )


async def totals(db: AsyncSession, query: ReportQuery) -> Figures:
    """The KPIs alone (the dashboard's year), summed from the same cells as the report."""
    cells = _cells(query).subquery()
    return (await db.execute(select(*_figures(cells)))).one()._asdict()


@dataclass(frozen=True, slots=True)
class Grouped:
    """The figures over the period, per month, per client and per plan (the most premium
    first; the unattributed capitation an item with no key and no label)."""

    total: dict[str, Any]
    months: dict[date, dict[str, Any]]
    clients: list[dict[str, Any]]
    plans: list[dict[str, Any]]


async def _grouped(db: AsyncSession, query: ReportQuery) -> Grouped:
    """`Grouped` in one pass over the cells (grouping sets). Read once per request: the
    session keeps it (`info`) for the charts after the KPIs."""
    kept = db.info.get((LossRatio.name, query))
    if isinstance(kept, Grouped):
        return kept
    cells = _cells(query).subquery()
    month, client, plan = cells.c.month, cells.c.client_id, cells.c.plan_id
    found = await db.execute(
        select(
            func.grouping(month).label("no_month"),
            func.grouping(client).label("no_client"),
            func.grouping(plan).label("no_plan"),
            month,
            client,
            Client.name.label("client"),
            plan,
            Plan.name.label("plan"),
            *_figures(cells),
        )
        .select_from(cells.outerjoin(Client, Client.id == client).outerjoin(Plan, Plan.id == plan))
        .group_by(
            func.grouping_sets(
                tuple_(), tuple_(month), tuple_(client, Client.name), tuple_(plan, Plan.name)
            )
        )
    )
    rows = found.all()
    figures = [s.key for s in FIGURES]

    def items(flag: str, key: str, label: str) -> list[dict[str, Any]]:
        chosen = [r for r in rows if getattr(r, flag) == 0]
        chosen.sort(
            key=lambda r: (-r.earned_premium, getattr(r, label) or "", str(getattr(r, key)))
        )
        return [
            {"key": _text(getattr(r, key)), "label": getattr(r, label)}
            | {f: getattr(r, f) for f in figures}
            for r in chosen
        ]

    grouped = Grouped(
        total=next(r for r in rows if r.no_month and r.no_client and r.no_plan)._asdict(),
        months={r.month: r._asdict() for r in rows if r.no_month == 0},
        clients=items("no_client", "client_id", "client"),
        plans=items("no_plan", "plan_id", "plan"),
    )
    db.info[(LossRatio.name, query)] = grouped
    return grouped


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def _figures(cells: Any) -> list[ColumnElement[Any]]:
    """The report's figures over some `cells` (summed)."""
    earned = func.coalesce(func.sum(cells.c.earned_premium), 0)
    incurred = func.coalesce(func.sum(cells.c.incurred_claims), 0)
    capitation = func.coalesce(func.sum(cells.c.capitation), 0)
    return [
        cast(earned, BigInteger).label("earned_premium"),
        cast(incurred, BigInteger).label("incurred_claims"),
        cast(func.round(capitation), BigInteger).label("capitation"),
        ratio(incurred + capitation, earned).label("loss_ratio"),
    ]


def _top_and_others(items: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    """The first `top` items, and the rest summed as one `others` item."""
    if len(items) <= top:
        return items
    rest = items[top:]
    others: dict[str, Any] = {"key": "others", "label": f"{len(rest)} other clients"}
    for series in (_EARNED, _INCURRED, _CAPITATION):
        others[series.key] = sum(item[series.key] for item in rest)
    earned = others[_EARNED.key]
    cost = others[_INCURRED.key] + others[_CAPITATION.key]
    others[_LOSS_RATIO.key] = cost / earned if earned else None
    return [*items[:top], others]


# --- the cells: a month, a client and a plan --------------------------------------------------


def _cells(query: ReportQuery) -> Select[Any]:
    """Per month, client and plan of the period: `members`, `member_days`,
    `earned_premium`, `incurred_claims` and the exact (unrounded) `capitation`, under the
    report's filters; plus a cell with no client and plan for capitation nobody was
    covered for (only when the report is not filtered by client or plan)."""
    exposure = _exposure(query)
    member_days = (
        select(exposure.c.month, func.sum(exposure.c.member_days).label("member_days"))
        .group_by(exposure.c.month)
        .cte("month_member_days")
    )
    paid = _capitation(query)
    incurred = _incurred(query)
    same_cell = and_(
        exposure.c.month == incurred.c.month,
        exposure.c.client_id == incurred.c.client_id,
        exposure.c.plan_id == incurred.c.plan_id,
    )
    month = func.coalesce(exposure.c.month, incurred.c.month).label("month")
    client_id = func.coalesce(exposure.c.client_id, incurred.c.client_id).label("client_id")
    plan_id = func.coalesce(exposure.c.plan_id, incurred.c.plan_id).label("plan_id")
    share = paid.c.amount * exposure.c.member_days / func.nullif(member_days.c.member_days, 0)
    attributed = (
        select(
            month,
            client_id,
            plan_id,
            func.coalesce(exposure.c.members, 0).label("members"),
            func.coalesce(exposure.c.earned_premium, 0).label("earned_premium"),
            func.coalesce(incurred.c.amount, 0).label("incurred_claims"),
            func.coalesce(share, 0).label("capitation"),
        )
        .select_from(exposure.join(incurred, same_cell, full=True))
        .outerjoin(member_days, member_days.c.month == exposure.c.month)
        .outerjoin(paid, paid.c.month == exposure.c.month)
    )
    filters = query.filters
    if filters.client_id is not None:
        attributed = attributed.where(client_id == filters.client_id)
    if filters.plan_id is not None:
        attributed = attributed.where(plan_id == filters.plan_id)
    if filters.client_id is not None or filters.plan_id is not None:
        return attributed
    unattributed = (
        select(
            paid.c.month,
            cast(null(), Enrollee.client_id.type).label("client_id"),
            cast(null(), Enrollee.plan_id.type).label("plan_id"),
            literal(0, BigInteger).label("members"),
            literal(0, BigInteger).label("earned_premium"),
            literal(0, BigInteger).label("incurred_claims"),
            paid.c.amount,
        )
        .outerjoin(member_days, member_days.c.month == paid.c.month)
        .where(func.coalesce(member_days.c.member_days, 0) == 0)
    )
    return select(union_all(attributed, unattributed).subquery("cells"))


def _exposure(query: ReportQuery) -> Any:
    """The premium's exposure over the period, every client and plan (the capitation
    shares need the whole month's member-days), in the report's currency."""
    rows = exposure_query(query.tenant_id, query.period.first, query.period.last).subquery()
    return select(rows).where(rows.c.currency == query.currency).cte("exposure")


def _capitation(query: ReportQuery) -> Any:
    """The PAID capitation of each month the period touches, times the share of the
    month's days inside the period (exact)."""
    period = query.period
    months = months_in(period)
    return (
        select(
            CapitationRun.month,
            (
                cast(func.sum(CapitationRun.total), Numeric)
                * months.c.days_in_period
                / months.c.days_in_month
            ).label("amount"),
        )
        .join(months, months.c.month == CapitationRun.month)
        .where(
            CapitationRun.tenant_id == query.tenant_id,
            CapitationRun.status == RunStatus.PAID,
            CapitationRun.currency == query.currency,
        )
        .group_by(CapitationRun.month, months.c.days_in_period, months.c.days_in_month)
        .cte("capitation")
    )


def months_in(period: Period) -> Subquery:
    """Each month the period touches (`month`), with its days (`days_in_month`) and how
    many of them are inside (`days_in_period`)."""
    months = range_months(period.first, period.last + timedelta(days=1))
    return select(
        months.c.month,
        (months.c.hi - months.c.lo).label("days_in_period"),
        months.c.days.label("days_in_month"),
    ).subquery("period_months")


def _incurred(query: ReportQuery) -> Any:
    """The approved amounts of the claims APPROVED or SETTLED per service month and the
    member's client and plan, from their sums per day (`incurred_days`, kept by the
    database as claims change)."""
    day = IncurredDay
    month = month_of(day.service_date)
    return (
        select(
            month.label("month"),
            day.client_id,
            day.plan_id,
            func.sum(day.amount).label("amount"),
        )
        .where(
            day.tenant_id == query.tenant_id,
            day.currency == query.currency,
            day.service_date.between(query.period.first, query.period.last),
        )
        .group_by(month, day.client_id, day.plan_id)
        .cte("incurred")
    )


def month_of(day: SQLColumnExpression[date]) -> ColumnElement[date]:
    """The first day of `day`'s month (through `timestamp`: no time zone involved)."""
    return cast(func.date_trunc("month", cast(day, DateTime)), Date)
