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
from collections.abc import Sequence
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
    tuple_,
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
from core_api.models.settings import TenantSettings
from core_api.reports.base import Figures, Report, ReportFilters, ReportQuery, monthly_points
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit
from core_api.reports.sql import (
    Window,
    day_of,
    days_between,
    grouped_by,
    median,
    month_of,
    ratio,
    total,
)
from core_api.tenants.settings import load_settings

S = AuthorizationStatus
APPROVED = (S.APPROVED, S.USED, S.EXPIRED, S.CANCELLED)
APPEAL_OUTCOMES = (("approved", "Approved"), ("rejected", "Rejected again"), ("pending", "Pending"))
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
    values = {"urgency": tuple(Urgency), "status": tuple(AuthorizationStatus)}
    default_sort = "-filed_on"

    def check(self, filters: ReportFilters) -> None:
        super().check(filters)
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
        """Every chart from one pass over the period's PAs, grouped five ways."""
        pas = _pas(query).subquery()
        keys = (pas.c.month, pas.c.urgency, pas.c.status, pas.c.rule_id, pas.c.state)
        found = await db.execute(
            select(
                *keys,
                pas.c.rule,
                func.grouping(*keys).label("grouping"),
                *_figures(pas),
                func.count().filter(pas.c.appeals > 0).label("appealed"),
            ).group_by(
                func.grouping_sets(
                    tuple_(pas.c.month),
                    tuple_(pas.c.urgency),
                    tuple_(pas.c.status),
                    tuple_(pas.c.rule_id, pas.c.rule),
                    tuple_(pas.c.state),
                )
            )
        )
        by: defaultdict[str, dict[Any, Any]] = defaultdict(dict)
        for row in found:
            key = grouped_by(row.grouping, ("month", "urgency", "status", "rule_id", "state"))
            assert key is not None  # each set groups by one of them
            by[key][getattr(row, key)] = row
        series = (_PAS, _APPROVED, _REJECTED, _WITHIN_SLA, _AUTO, _NOT_ME)
        by_month = {month: row._asdict() for month, row in by["month"].items()}
        trend = Trend(
            series=list(series), points=monthly_points(query.period.months(), by_month, series)
        )
        settings = await load_settings(db, query.tenant_id)
        return trend, [
            _by_urgency(by["urgency"], settings),
            _counts("status", "By status now", by["status"], [(s, s.value) for s in S]),
            _by_rule(by["rule_id"]),
            _counts("appeals", "Appeals by outcome", by["state"], APPEAL_OUTCOMES, "appealed"),
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


def _by_urgency(found: dict[Any, Any], settings: TenantSettings) -> Breakdown:
    """Each urgency's volume, timeliness and decision time, beside its SLA target."""
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


def _counts(
    key: str,
    label: str,
    found: dict[Any, Any],
    items: Sequence[tuple[Any, str]],
    count: str = "pas",
) -> Breakdown:
    """A breakdown of PA counts (the rows' `count` figure), an item per (value, label)."""
    return Breakdown(
        key=key,
        label=label,
        series=[_PAS],
        items=[
            {
                "key": str(value),
                "label": text,
                "pas": getattr(found[value], count) if value in found else 0,
            }
            for value, text in items
        ],
    )


def _by_rule(found: dict[Any, Any]) -> Breakdown:
    """The auto-approved PAs by the rule that approved them, most first."""
    rules = sorted(
        (row for rule_id, row in found.items() if rule_id is not None),
        key=lambda row: (-row.pas, row.rule, row.rule_id),
    )
    return _counts(
        "rule",
        "Auto-approved, by rule",
        {r.rule_id: r for r in rules},
        [(r.rule_id, r.rule) for r in rules],
    )
