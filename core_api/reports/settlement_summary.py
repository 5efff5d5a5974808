"""Settlement summary: what the HMO approved for payment, paid and still owes, how fast it
pays, its settlement runs and remittances, and the disputes raised against them.

Claims (money is a claim's approved amount, `total_approved`):
- approved: claims approved in the period (their decision time);
- paid: claims settled in the period (their remittance paid in full);
- outstanding: claims approved and not yet settled at the end of the period's last day
  (today at most). So outstanding = outstanding before the period + approved - paid, and
  the trend's outstanding is that running balance at each month's end;
- days to settle: the median days from approval to settlement of the claims settled in
  the period, each counted in whole hours (to the nearest), to two decimals.
The claims' figures are read from summaries the database keeps in the transaction of
each claim's change (`settlement_summaries.py`).
Dispute adjustments are paid as lines of later runs: they count in remittance totals and
in the dispute figures, not in the claims' approved, paid and outstanding.

Runs and remittances are those created in the period, each in its status at the end of
the period (now, for a period not yet over), read from the run's approval, payment and
cancellation times and the remittance's own payment time: DRAFT, APPROVED (awaiting
payment), PAID or CANCELLED; a remittance of a cancelled run is CANCELLED. The `status`
filter narrows runs, remittances and rows to one of these; `provider_id` narrows
everything to one provider (the runs that hold a remittance of theirs).

Disputes: raised in the period (with the amount claimed), open at the period's end, and
resolved in the period (with the adjustments granted).

Rows: one per remittance of the period's runs. A remittance is what finance approves,
pays against a proof, chases and sees disputed, so it is the line a finance officer
reconciles; the per-provider and per-month totals are in the breakdown and the trend.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.models import Provider
from core_api.models.finance import (
    Dispute,
    DisputeStatus,
    PaymentProof,
    Remittance,
    RemittanceLine,
    RunStatus,
    SettlementRun,
)
from core_api.reports.base import Figures, Report, ReportQuery, monthly_points
from core_api.reports.provider_summaries import ANY
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.settlement_summaries import SettlementClaimDay, SettlementTurnaroundHours
from core_api.reports.sql import Window, day_of, first_of_month, grouped_by, month_of, total
from core_api.reports.turnaround_hours import in_days, in_months, split_months, turnarounds

STATUSES = tuple(RunStatus)
TOP_PROVIDERS = 10

_APPROVED = Series(key="approved", label="Approved", unit=Unit.MONEY)
_PAID = Series(key="paid", label="Paid", unit=Unit.MONEY)
_OUTSTANDING = Series(key="outstanding", label="Outstanding", unit=Unit.MONEY)
_REMITTANCES = Series(key="remittances", label="Remittances", unit=Unit.COUNT)
_REMITTED = Series(key="remitted", label="Remitted", unit=Unit.MONEY)
_RAISED = Series(key="disputes_raised", label="Disputes raised", unit=Unit.COUNT)
_DISPUTES = Series(key="disputes", label="Disputes", unit=Unit.COUNT)
_DISPUTED = Series(key="disputed", label="Amount disputed", unit=Unit.MONEY)
_ADJUSTMENTS = Series(key="adjustments", label="Adjustments granted", unit=Unit.MONEY)


class SettlementSummary(Report):
    name = "settlement-summary"
    title = "Settlement summary"
    accepts = frozenset({"provider_id", "status"})
    kpis = (
        Series(key="runs", label="Settlement runs", unit=Unit.COUNT),
        _REMITTANCES,
        _REMITTED,
        _APPROVED,
        _PAID,
        _OUTSTANDING,
        Series(
            key="days_to_settle", label="Median days from approval to settlement", unit=Unit.DAYS
        ),
        _RAISED,
        _DISPUTED,
        Series(key="disputes_open", label="Disputes open", unit=Unit.COUNT),
        Series(key="open_disputed", label="Amount in open disputes", unit=Unit.MONEY),
        Series(key="disputes_resolved", label="Disputes resolved", unit=Unit.COUNT),
        _ADJUSTMENTS,
    )
    columns = (
        Column(key="run", label="Settlement run", unit=Unit.TEXT),
        Column(key="provider", label="Provider", unit=Unit.TEXT),
        Column(key="status", label="Status", unit=Unit.TEXT),
        Column(key="created_on", label="Created", unit=Unit.DATE),
        Column(key="approved_on", label="Approved", unit=Unit.DATE),
        Column(key="paid_on", label="Paid", unit=Unit.DATE),
        Column(key="claims", label="Claims", unit=Unit.COUNT),
        Column(key="total", label="Total", unit=Unit.MONEY),
        Column(key="paid", label="Paid so far", unit=Unit.MONEY),
        Column(key="outstanding", label="Outstanding", unit=Unit.MONEY),
        Column(key="disputes", label="Disputes", unit=Unit.COUNT),
    )
    values = {"status": STATUSES}
    default_sort = "-outstanding"

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        window = Window.of(query)
        claims = _settled_claims(query)
        figures = select(*_claim_figures(claims, query)).subquery()
        settling = turnarounds(_settle_hours(query))
        money = (
            await db.execute(
                select(
                    figures, in_days(settling.c.median_hours).label("days_to_settle")
                ).select_from(figures.outerjoin(settling, true()))
            )
        ).one()
        remittances = _remittances(query, window).subquery()
        run_kept, kept = _status_kept(query, remittances)
        runs = (
            await db.execute(
                select(
                    func.count(remittances.c.run_id.distinct()).filter(run_kept).label("runs"),
                    func.count().filter(kept).label("remittances"),
                    total(remittances.c.total, kept).label("remitted"),
                )
            )
        ).one()
        return {**money._asdict(), **runs._asdict(), **await _dispute_figures(db, query, window)}

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        window = Window.of(query)
        remittances = _remittances(query, window).subquery()
        by_month, providers = await _claim_charts(db, query)
        _, kept = _status_kept(query, remittances)
        created = month_of(remittances.c.created_at)
        remitted = select(created, func.sum(remittances.c.total)).where(kept).group_by(created)
        for month, amount in await db.execute(remitted):
            by_month[month]["remitted"] = amount
        raised = (
            _disputes(query)
            .where(window.holds(Dispute.created_at))
            .with_only_columns(month_of(Dispute.created_at), func.count())
            .group_by(month_of(Dispute.created_at))
        )
        for month, count in await db.execute(raised):
            by_month[month]["disputes_raised"] = count
        series = (_APPROVED, _PAID, _OUTSTANDING, _REMITTED, _RAISED)
        trend = Trend(
            series=list(series), points=monthly_points(query.period.months(), by_month, series)
        )
        return trend, [
            *await _status_breakdowns(db, query, remittances),
            await _disputes_breakdown(db, query, window),
            providers,
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        window = Window.of(query)
        rows = _remittances(query, window).subquery()
        _, kept = _status_kept(query, rows)
        return select(
            rows.c.run,
            rows.c.provider,
            rows.c.status,
            rows.c.created_on,
            rows.c.approved_on,
            rows.c.paid_on,
            rows.c.claims,
            rows.c.total,
            rows.c.paid,
            case((rows.c.status == RunStatus.CANCELLED, 0), else_=rows.c.total - rows.c.paid).label(
                "outstanding"
            ),
            rows.c.disputes,
            rows.c.row_key,
        ).where(kept)


# --- claims -----------------------------------------------------------------------------


def _settled_claims(query: ReportQuery) -> Subquery:
    """The approved claims any figure of the period counts (approved by its end, not
    settled before its start), summed by provider and the days they were approved and
    settled (`infinity` while not) as the summary keeps them."""
    days = SettlementClaimDay.__table__
    claims = select(days.c.provider_id, days.c.amount, days.c.approved_on, days.c.settled_on).where(
        days.c.tenant_id == query.tenant_id,
        days.c.currency == query.currency,
        days.c.approved_on <= query.period.last,
        days.c.settled_on >= query.period.first,
    )
    if query.filters.provider_id is not None:
        claims = claims.where(days.c.provider_id == query.filters.provider_id)
    return claims.subquery("settled_claims")


def _owed_on(claims: Subquery, day: date) -> ColumnElement[bool]:
    """Approved before `day` began and not settled by then."""
    return and_(claims.c.approved_on < day, claims.c.settled_on >= day)


def _claim_figures(claims: Subquery, query: ReportQuery) -> list[ColumnElement[Any]]:
    amount, period = claims.c.amount, query.period
    after = min(period.last, query.today) + timedelta(days=1)
    return [
        total(amount, claims.c.approved_on >= period.first).label("approved"),
        total(amount, claims.c.settled_on.between(period.first, period.last)).label("paid"),
        total(amount, _owed_on(claims, after)).label("outstanding"),
    ]


def _settle_hours(query: ReportQuery) -> Subquery:
    """(hours, claims settled after them) of the claims settled in the period: the
    summary's whole months, and its days for the months the period covers in part."""
    hours = SettlementTurnaroundHours.__table__
    months, parts = split_months(query.period)
    on = hours.c.settled_on
    return (
        select(hours.c.hours, hours.c.claims)
        .where(
            hours.c.tenant_id == query.tenant_id,
            hours.c.currency == query.currency,
            hours.c.provider_id == (query.filters.provider_id or ANY),
            or_(
                and_(hours.c.whole_month, in_months(on, months)),
                and_(~hours.c.whole_month, or_(false(), *(on.between(*p) for p in parts))),
            ),
        )
        .subquery("settle_hours")
    )


async def _claim_charts(
    db: AsyncSession, query: ReportQuery
) -> tuple[defaultdict[date, dict[str, Any]], Breakdown]:
    """The claims' part of the charts in one pass: approved by the month of approval, paid
    by the month of settlement, the outstanding balance at each month's end (the balance
    before the period, plus approved, less paid), and the providers owed most."""
    claims = _settled_claims(query)
    approved_in = first_of_month(claims.c.approved_on)
    settled_in = first_of_month(claims.c.settled_on)
    keys = (approved_in, settled_in, claims.c.provider_id)
    found = await db.execute(
        select(
            approved_in.label("approved_month"),
            settled_in.label("settled_month"),
            claims.c.provider_id,
            Provider.name,
            func.grouping(*keys).label("grouping"),
            *_claim_figures(claims, query),
            total(claims.c.amount, _owed_on(claims, query.period.first)).label("before"),
        )
        .join(Provider, Provider.id == claims.c.provider_id)
        .group_by(
            func.grouping_sets(
                tuple_(approved_in),
                tuple_(settled_in),
                tuple_(claims.c.provider_id, Provider.name),
                tuple_(),
            )
        )
    )
    by_month: defaultdict[date, dict[str, Any]] = defaultdict(dict)
    providers, balance = [], 0
    for row in found:
        key = grouped_by(row.grouping, ("approved_in", "settled_in", "provider"))
        if key == "approved_in":
            by_month[row.approved_month]["approved"] = row.approved
        elif key == "settled_in":
            by_month[row.settled_month]["paid"] = row.paid
        elif key == "provider":
            providers.append(row)
        else:
            balance = row.before
    for month in query.period.months():
        if month > min(query.period.last, query.today):
            break
        found_in = by_month[month]
        balance += found_in.get("approved", 0) - found_in.get("paid", 0)
        found_in["outstanding"] = balance
    providers.sort(key=lambda p: (-p.outstanding, -p.approved, p.name, p.provider_id))
    return by_month, Breakdown(
        key="providers",
        label=f"The {TOP_PROVIDERS} providers owed most",
        series=[_OUTSTANDING, _APPROVED, _PAID],
        items=[
            {
                "key": str(p.provider_id),
                "label": p.name,
                "outstanding": p.outstanding,
                "approved": p.approved,
                "paid": p.paid,
            }
            for p in providers[:TOP_PROVIDERS]
        ],
    )


# --- runs and remittances ------------------------------------------------------------------


def _status_at(moment: datetime, paid_at: SQLColumnExpression[Any]) -> ColumnElement[str]:
    """A run's status at `moment` (`paid_at`: the run's), or its remittance's (the
    remittance's): cancelled, paid, approved, else still a draft."""
    return case(
        (SettlementRun.cancelled_at < moment, RunStatus.CANCELLED.value),
        (paid_at < moment, RunStatus.PAID.value),
        (SettlementRun.approved_at < moment, RunStatus.APPROVED.value),
        else_=RunStatus.DRAFT.value,
    )


def _on_day(moment: SQLColumnExpression[Any], before: datetime) -> ColumnElement[date]:
    """The UTC day of `moment` when it came before `before`, else null."""
    return case((moment < before, day_of(moment)))


def _remittances(query: ReportQuery, window: Window) -> Select[Any]:
    """The remittances of the runs created in the period, as they stood at `window.at`."""
    at = window.at
    claims = (
        select(func.count())
        .where(
            RemittanceLine.tenant_id == Remittance.tenant_id,
            RemittanceLine.remittance_id == Remittance.id,
            RemittanceLine.claim_id.is_not(None),
        )
        .scalar_subquery()
    )
    paid = (
        select(func.coalesce(func.sum(PaymentProof.amount), 0))
        .where(
            PaymentProof.tenant_id == Remittance.tenant_id,
            PaymentProof.remittance_id == Remittance.id,
            PaymentProof.created_at < at,
        )
        .scalar_subquery()
    )
    disputes = (
        select(func.count())
        .where(
            Dispute.tenant_id == Remittance.tenant_id,
            Dispute.remittance_id == Remittance.id,
            Dispute.created_at < at,
        )
        .scalar_subquery()
    )
    columns: list[SQLColumnExpression[Any]] = [
        Remittance.run_id,
        SettlementRun.number.label("run"),
        Provider.name.label("provider"),
        _status_at(at, Remittance.paid_at).label("status"),
        _status_at(at, SettlementRun.paid_at).label("run_status"),
        SettlementRun.created_at,
        day_of(SettlementRun.created_at).label("created_on"),
        _on_day(SettlementRun.approved_at, at).label("approved_on"),
        _on_day(Remittance.paid_at, at).label("paid_on"),
        cast(claims, BigInteger).label("claims"),
        Remittance.total,
        cast(paid, BigInteger).label("paid"),
        cast(disputes, BigInteger).label("disputes"),
        cast(Remittance.id, String).label("row_key"),
    ]
    remittances = (
        select(*columns)
        .join(SettlementRun, SettlementRun.id == Remittance.run_id)
        .join(Provider, Provider.id == Remittance.provider_id)
        .where(
            Remittance.tenant_id == query.tenant_id,
            window.holds(SettlementRun.created_at),
            SettlementRun.currency == query.currency,
        )
    )
    if query.filters.provider_id is not None:
        remittances = remittances.where(Remittance.provider_id == query.filters.provider_id)
    return remittances


def _status_kept(query: ReportQuery, remittances: Subquery) -> tuple[ColumnElement[bool], ...]:
    """(the run counts, the remittance counts): each in the status filtered for, if any."""
    status = query.filters.status
    if status is None:
        return literal(True), literal(True)
    return remittances.c.run_status == status, remittances.c.status == status


async def _status_breakdowns(
    db: AsyncSession, query: ReportQuery, remittances: Subquery
) -> list[Breakdown]:
    run_kept, kept = _status_kept(query, remittances)
    by_remittance = {
        status: (count, amount)
        for status, count, amount in await db.execute(
            select(remittances.c.status, func.count(), total(remittances.c.total))
            .where(kept)
            .group_by(remittances.c.status)
        )
    }
    by_run = {
        status: count
        for status, count in await db.execute(
            select(remittances.c.run_status, func.count(remittances.c.run_id.distinct()))
            .where(run_kept)
            .group_by(remittances.c.run_status)
        )
    }
    return [
        Breakdown(
            key="remittances",
            label="Remittances by status",
            series=[_REMITTANCES, _REMITTED],
            items=[
                {
                    "key": status,
                    "label": status,
                    "remittances": by_remittance.get(status, (0, 0))[0],
                    "remitted": by_remittance.get(status, (0, 0))[1],
                }
                for status in STATUSES
            ],
        ),
        Breakdown(
            key="runs",
            label="Settlement runs by status",
            series=[Series(key="runs", label="Settlement runs", unit=Unit.COUNT)],
            items=[
                {"key": status, "label": status, "runs": by_run.get(status, 0)}
                for status in STATUSES
            ],
        ),
    ]


# --- disputes ------------------------------------------------------------------------------


def _disputes(query: ReportQuery) -> Select[Any]:
    """The disputes of remittances in the report's currency (and provider)."""
    disputes = (
        select(Dispute)
        .join(Remittance, Remittance.id == Dispute.remittance_id)
        .join(SettlementRun, SettlementRun.id == Remittance.run_id)
        .where(Dispute.tenant_id == query.tenant_id, SettlementRun.currency == query.currency)
    )
    if query.filters.provider_id is not None:
        disputes = disputes.where(Dispute.provider_id == query.filters.provider_id)
    return disputes


def _open_at(moment: datetime) -> ColumnElement[bool]:
    return and_(
        Dispute.created_at < moment,
        or_(Dispute.resolved_at.is_(None), Dispute.resolved_at >= moment),
    )


async def _dispute_figures(db: AsyncSession, query: ReportQuery, window: Window) -> dict[str, Any]:
    raised, resolved, still_open = (
        window.holds(Dispute.created_at),
        window.holds(Dispute.resolved_at),
        _open_at(window.at),
    )
    found = await db.execute(
        _disputes(query).with_only_columns(
            func.count().filter(raised).label("disputes_raised"),
            total(Dispute.amount_claimed, raised).label("disputed"),
            func.count().filter(still_open).label("disputes_open"),
            total(Dispute.amount_claimed, still_open).label("open_disputed"),
            func.count().filter(resolved).label("disputes_resolved"),
            total(Dispute.adjustment, resolved).label("adjustments"),
        )
    )
    return found.one()._asdict()


async def _disputes_breakdown(db: AsyncSession, query: ReportQuery, window: Window) -> Breakdown:
    """Open at the period's end, and accepted or rejected in the period."""
    state = case(
        (_open_at(window.at), "OPEN"),
        (window.holds(Dispute.resolved_at), Dispute.status),
    )
    found = {
        key: (count, claimed, granted)
        for key, count, claimed, granted in await db.execute(
            _disputes(query)
            .with_only_columns(
                state,
                func.count(),
                total(Dispute.amount_claimed),
                total(Dispute.adjustment),
            )
            .where(state.is_not(None))
            .group_by(state)
        )
    }
    items = []
    for key, label in (
        ("OPEN", "Open"),
        (DisputeStatus.RESOLVED_ACCEPTED.value, "Accepted"),
        (DisputeStatus.RESOLVED_REJECTED.value, "Rejected"),
    ):
        count, claimed, granted = found.get(key, (0, 0, 0))
        items.append(
            {
                "key": key,
                "label": label,
                "disputes": count,
                "disputed": claimed,
                "adjustments": granted,
            }
        )
    return Breakdown(
        key="disputes",
        label="Disputes open at the end, and resolved in the period",
        series=[_DISPUTES, _DISPUTED, _ADJUSTMENTS],
        items=items,
    )
