"""Authorisation: the pre-authorizations filed in the period, as they stand now.

Every figure is over the PAs filed in the period (the period before: those filed then),
each in its state at the time of the request:
- approved: APPROVED, or approved and since USED, EXPIRED or CANCELLED; rejected:
  REJECTED; pending: SUBMITTED, IN_REVIEW or APPEALED;
- decided within SLA: a review is due SLA hours after the filing or the appeal that
  started it (`core_api.authorizations.sla`, which sets `sla_due_at`); a PA is within SLA
  when its decision in force came by that due time, and outside it when that came later
  or it is still undecided past it. The share is over the PAs whose outcome is known
  (decided, or pending past due); one pending and not yet due counts in neither;
- auto-approved: approved at filing by a PA rule; the share is over all PAs filed;
- decision time: from filing to the decision in force, in days (an appealed PA's
  includes its appeal), its median over the decided PAs;
- appeals: PAs appealed at least once, and their outcome now: approved, rejected again
  or pending; "Not me": PAs the member reported as not theirs.

Filters: `urgency`, `status` (the status now), `provider_id`, `client_id` (the member's
client) and `rule` (the id of the PA rule that auto-approved it).

Rows: one per PA. A reviewer drills from a figure to the PAs behind it (which were late,
which a rule approved, which were reported); the per-urgency and per-month figures are
already in the breakdown and the trend.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Numeric,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.authorizations.sla import sla_hours
from core_api.errors import Invalid
from core_api.models import Enrollee, Provider
from core_api.models.authorization import (
    Authorization,
    AuthorizationEvent,
    AuthorizationStatus,
    PaRule,
    Urgency,
)
from core_api.reports.base import Figures, Report, ReportFilters, ReportQuery, monthly_points
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import Window, day_of, days_between, median, month_of, ratio, total
from core_api.tenants.settings import load_settings

S = AuthorizationStatus
APPROVED = (S.APPROVED, S.USED, S.EXPIRED, S.CANCELLED)
PENDING = (S.SUBMITTED, S.IN_REVIEW, S.APPEALED)
# Decision times in days to 4 places (about 9 seconds): an EMERGENCY PA is due in an hour.
PLACES = 4
HOURS_A_DAY = 24

_PAS = Series(key="pas", label="PAs filed", unit=Unit.COUNT)
_APPROVED = Series(key="approved", label="Approved", unit=Unit.COUNT)
_REJECTED = Series(key="rejected", label="Rejected", unit=Unit.COUNT)
_WITHIN_SLA = Series(key="within_sla", label="Decided within SLA", unit=Unit.RATIO)
_AUTO = Series(key="auto_approved", label="Auto-approved", unit=Unit.RATIO)
_DECISION = Series(key="decision_days", label="Median decision time (days)", unit=Unit.DAYS)
_NOT_ME = Series(key="not_me", label='"Not me" reports', unit=Unit.COUNT)


class Authorisation(Report):
    name = "authorisation"
    title = "Pre-authorisations"
    accepts = frozenset({"urgency", "status", "provider_id", "client_id", "rule"})
    kpis = (
        _PAS,
        _APPROVED,
        _REJECTED,
        Series(key="pending", label="Pending", unit=Unit.COUNT),
        _WITHIN_SLA,
        _AUTO,
        _DECISION,
        Series(key="approved_amount", label="Amount approved", unit=Unit.MONEY),
        Series(key="appeals", label="Appealed", unit=Unit.COUNT),
        Series(key="approved_on_appeal", label="Approved on appeal", unit=Unit.COUNT),
        _NOT_ME,
    )
    columns = (
        Column(key="number", label="PA", unit=Unit.TEXT),
        Column(key="filed_on", label="Filed", unit=Unit.DATE),
        Column(key="urgency", label="Urgency", unit=Unit.TEXT),
        Column(key="status", label="Status", unit=Unit.TEXT),
        Column(key="provider", label="Provider", unit=Unit.TEXT),
        Column(key="member_id", label="Member", unit=Unit.TEXT),
        Column(key="procedure_code", label="Procedure", unit=Unit.TEXT),
        Column(key="estimated", label="Estimated", unit=Unit.MONEY),
        Column(key="approved_amount", label="Approved", unit=Unit.MONEY),
        Column(key="decision_days", label="Decision time (days)", unit=Unit.DAYS),
        Column(key="within_sla", label="Within SLA", unit=Unit.TEXT),
        Column(key="rule", label="Auto-approved by", unit=Unit.TEXT),
        Column(key="appeals", label="Appeals", unit=Unit.COUNT),
        Column(key="not_me_on", label='"Not me" reported', unit=Unit.DATE),
    )
    default_sort = "-filed_on"

    def check(self, filters: ReportFilters) -> None:
        super().check(filters)
        for field, allowed in (("urgency", Urgency), ("status", AuthorizationStatus)):
            value = getattr(filters, field)
            if value is not None and value not in tuple(allowed):
                raise Invalid(field, f"`{field}` is one of {', '.join(allowed)}.")
        if filters.rule is not None:
            try:
                uuid.UUID(filters.rule)
            except ValueError as exc:
                raise Invalid("rule", "`rule` is the id of a PA rule.") from exc

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        pas = _pas(query).subquery()
        found = await db.execute(
            select(
                *_figures(pas),
                func.count().filter(pas.c.state == "pending").label("pending"),
                total(pas.c.approved_amount).label("approved_amount"),
                func.count().filter(pas.c.appeals > 0).label("appeals"),
                func.count()
                .filter(pas.c.appeals > 0, pas.c.state == "approved")
                .label("approved_on_appeal"),
            )
        )
        return found.one()._asdict()

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        pas = _pas(query).subquery()
        series = (_PAS, _APPROVED, _REJECTED, _WITHIN_SLA, _AUTO, _NOT_ME)
        by_month: defaultdict[date, dict[str, Any]] = defaultdict(dict)
        for row in await db.execute(select(pas.c.month, *_figures(pas)).group_by(pas.c.month)):
            by_month[row.month] = row._asdict()
        trend = Trend(
            series=list(series), points=monthly_points(query.period.months(), by_month, series)
        )
        return trend, [
            await _by_urgency(db, query, pas),
            await _by_status(db, pas),
            await _by_rule(db, pas),
            await _appeals(db, pas),
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        pas = _pas(query).subquery()
        return select(
            pas.c.number,
            pas.c.filed_on,
            pas.c.urgency,
            pas.c.status,
            pas.c.provider,
            pas.c.member_id,
            pas.c.procedure_code,
            pas.c.estimated,
            pas.c.approved_amount,
            cast(func.round(cast(pas.c.decision_days, Numeric), PLACES), Float).label(
                "decision_days"
            ),
            case((pas.c.within_sla, "yes"), (~pas.c.within_sla, "no")).label("within_sla"),
            pas.c.rule,
            pas.c.appeals,
            pas.c.not_me_on,
            pas.c.row_key,
        )


def _pas(query: ReportQuery) -> Select[Any]:
    """The PAs filed in the period, one row each with what the figures read of it."""
    appealed = (
        select(AuthorizationEvent.authorization_id, func.count().label("appeals"))
        .where(
            AuthorizationEvent.tenant_id == query.tenant_id, AuthorizationEvent.action == "appealed"
        )
        .group_by(AuthorizationEvent.authorization_id)
        .subquery()
    )
    decided = Authorization.decided_at.is_not(None)
    state = case(
        (Authorization.status.in_(APPROVED), "approved"),
        (Authorization.status == S.REJECTED, "rejected"),
        else_="pending",
    )
    within_sla = case(
        (decided, Authorization.decided_at <= Authorization.sla_due_at),
        (Authorization.sla_due_at < func.now(), false()),
    )
    read: list[Any] = [
        Authorization.number,
        day_of(Authorization.created_at).label("filed_on"),
        month_of(Authorization.created_at).label("month"),
        Authorization.urgency,
        Authorization.status,
        state.label("state"),
        Provider.name.label("provider"),
        Authorization.member_id,
        Authorization.procedure_code,
        Authorization.estimated_amount.label("estimated"),
        case((Authorization.status.in_(APPROVED), Authorization.approved_amount)).label(
            "approved_amount"
        ),
        cast(days_between(Authorization.created_at, Authorization.decided_at), Float).label(
            "decision_days"
        ),
        within_sla.label("within_sla"),
        Authorization.matched_rule_id.label("rule_id"),
        func.coalesce(func.nullif(PaRule.description, ""), PaRule.procedure_code).label("rule"),
        cast(func.coalesce(appealed.c.appeals, 0), BigInteger).label("appeals"),
        day_of(Authorization.reported_at).label("not_me_on"),
        cast(Authorization.id, String).label("row_key"),
    ]
    window = Window.of(query)
    pas = (
        select(*read)
        .join(Provider, Provider.id == Authorization.provider_id)
        .outerjoin(PaRule, PaRule.id == Authorization.matched_rule_id)
        .outerjoin(appealed, appealed.c.authorization_id == Authorization.id)
        .where(
            Authorization.tenant_id == query.tenant_id,
            Authorization.currency == query.currency,
            window.holds(Authorization.created_at),
        )
    )
    return _filtered(pas, query.filters)


def _filtered(pas: Select[Any], filters: ReportFilters) -> Select[Any]:
    rule = uuid.UUID(filters.rule) if filters.rule is not None else None
    for column, value in (
        (Authorization.urgency, filters.urgency),
        (Authorization.status, filters.status),
        (Authorization.provider_id, filters.provider_id),
        (Authorization.matched_rule_id, rule),
    ):
        if value is not None:
            pas = pas.where(column == value)
    if filters.client_id is not None:
        pas = pas.join(
            Enrollee,
            and_(
                Enrollee.tenant_id == Authorization.tenant_id,
                Enrollee.id == Authorization.enrollee_id,
            ),
        ).where(Enrollee.client_id == filters.client_id)
    return pas


def _figures(pas: Subquery) -> list[ColumnElement[Any]]:
    """The figures the KPIs, the trend and the urgency breakdown share."""
    c = pas.c
    return [
        func.count().label("pas"),
        func.count().filter(c.state == "approved").label("approved"),
        func.count().filter(c.state == "rejected").label("rejected"),
        ratio(func.count().filter(c.within_sla), func.count(c.within_sla)).label("within_sla"),
        ratio(func.count(c.rule_id), func.count()).label("auto_approved"),
        median(c.decision_days, PLACES).label("decision_days"),
        func.count(c.not_me_on).label("not_me"),
    ]


async def _by_urgency(db: AsyncSession, query: ReportQuery, pas: Subquery) -> Breakdown:
    """Each urgency's volume, timeliness and decision time, beside its SLA target."""
    settings = await load_settings(db, query.tenant_id)
    found = {
        row.urgency: row
        for row in await db.execute(select(pas.c.urgency, *_figures(pas)).group_by(pas.c.urgency))
    }
    target = Series(key="sla_days", label="SLA target (days)", unit=Unit.DAYS)
    items = []
    for urgency in Urgency:
        row = found.get(urgency)
        items.append(
            {
                "key": urgency.value,
                "label": urgency.value.title(),
                "pas": row.pas if row else 0,
                "within_sla": row.within_sla if row else None,
                "decision_days": row.decision_days if row else None,
                "sla_days": round(sla_hours(settings, urgency) / HOURS_A_DAY, PLACES),
            }
        )
    return Breakdown(
        key="urgency",
        label="By urgency",
        series=[_PAS, _WITHIN_SLA, _DECISION, target],
        items=items,
    )


async def _by_status(db: AsyncSession, pas: Subquery) -> Breakdown:
    found: dict[str, int] = dict(
        (await db.execute(select(pas.c.status, func.count()).group_by(pas.c.status))).all()
    )
    return Breakdown(
        key="status",
        label="By status now",
        series=[_PAS],
        items=[
            {"key": s.value, "label": s.value, "pas": found.get(s, 0)} for s in AuthorizationStatus
        ],
    )


async def _by_rule(db: AsyncSession, pas: Subquery) -> Breakdown:
    found = await db.execute(
        select(pas.c.rule_id, pas.c.rule, func.count().label("pas"))
        .where(pas.c.rule_id.is_not(None))
        .group_by(pas.c.rule_id, pas.c.rule)
        .order_by(func.count().desc(), pas.c.rule, pas.c.rule_id)
    )
    return Breakdown(
        key="rule",
        label="Auto-approved, by rule",
        series=[_PAS],
        items=[{"key": str(r.rule_id), "label": r.rule, "pas": r.pas} for r in found],
    )


async def _appeals(db: AsyncSession, pas: Subquery) -> Breakdown:
    """The appealed PAs by where their appeal stands now."""
    found: dict[str, int] = dict(
        (
            await db.execute(
                select(pas.c.state, func.count()).where(pas.c.appeals > 0).group_by(pas.c.state)
            )
        ).all()
    )
    outcomes = (("approved", "Approved"), ("rejected", "Rejected again"), ("pending", "Pending"))
    return Breakdown(
        key="appeals",
        label="Appeals by outcome",
        series=[_PAS],
        items=[{"key": key, "label": label, "pas": found.get(key, 0)} for key, label in outcomes],
    )
