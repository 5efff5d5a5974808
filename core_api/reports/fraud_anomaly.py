"""Fraud and anomaly: the risk events raised in the period, what they flag and how they
turned out, by rule, provider, procedure and member.

The events are those raised in the period (`created_at`, UTC days) on a claim, or on a
pre-authorization (a "Not me" report, rule `ghost_patient`), whose claim or PA is in the
report's currency. A PA's event counts for the PA's provider and member; the claim it
flags is the one that used the PA's auth code (the claim its report holds), if any.
- `amount_flagged`: the billed total of the flagged claims, each claim once however many
  of the events flag it (in a breakdown: once in each item it falls in). A PA's event
  flags no amount until a claim uses its code.
- outcome, as it stands now: `cleared` when the flag was cleared (a claim's as a false
  positive, a PA's with its hold); else `confirmed` when its claim was rejected, or when
  a "Not me" report stands on the PA (the event's own, or the one whose code its claim
  cites) with its hold not cleared; else `open`. `confirmed_rate` is confirmed ÷
  (confirmed + cleared).
- by procedure: a claim's event counts once under each item code of its claim, with the
  billed amount of those lines; a PA's event under the PA's procedure code.
The rows are the events, one each.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    func,
    null,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import LateralFromClause

from core_api.kit.filters import on_days
from core_api.models import Enrollee, Provider
from core_api.models.authorization import Authorization
from core_api.models.claim import Claim, ClaimItem, ClaimStatus, RiskEvent
from core_api.reports.base import Figures, Report, ReportQuery, monthly_points
from core_api.reports.provider_performance import whole
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit

OUTCOMES = ("confirmed", "cleared", "open")
TOP = 10

_EVENTS = Series(key="events", label="Risk events", unit=Unit.COUNT)
_AMOUNT = Series(key="amount_flagged", label="Amount flagged", unit=Unit.MONEY)
_CONFIRMED = Series(key="confirmed", label="Confirmed", unit=Unit.COUNT)
_CLEARED = Series(key="cleared", label="Cleared", unit=Unit.COUNT)
SERIES = (_EVENTS, _AMOUNT, _CONFIRMED, _CLEARED)
# What the charts group the events by, in one pass: each a tuple of columns.
GROUPINGS = (("month",), ("rule",), ("outcome",), ("provider_id",), ("member_id",))


class FraudAnomaly(Report):
    name = "fraud-anomaly"
    title = "Fraud and anomaly"
    accepts = frozenset({"rule", "provider_id", "client_id"})
    kpis = (
        _EVENTS,
        Series(key="flagged_claims", label="Claims flagged", unit=Unit.COUNT),
        _AMOUNT,
        _CONFIRMED,
        _CLEARED,
        Series(key="open", label="Open", unit=Unit.COUNT),
        Series(key="confirmed_rate", label="Confirmed of those resolved", unit=Unit.RATIO),
    )
    columns = (
        Column(key="raised_on", label="Raised", unit=Unit.DATE),
        Column(key="rule", label="Rule", unit=Unit.TEXT),
        Column(key="weight", label="Weight", unit=Unit.COUNT),
        Column(key="subject", label="Claim or PA", unit=Unit.TEXT),
        Column(key="provider", label="Provider", unit=Unit.TEXT),
        Column(key="member_id", label="Member", unit=Unit.TEXT),
        Column(key="billed", label="Claim billed", unit=Unit.MONEY),
        Column(key="outcome", label="Outcome", unit=Unit.TEXT),
        Column(key="cleared_on", label="Cleared", unit=Unit.DATE),
    )
    default_sort = "-raised_on"

    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        totals = _totals(_events(query).subquery())
        found: dict[str, Any] = (await db.execute(totals)).one()._asdict()
        resolved = found["confirmed"] + found["cleared"]
        return found | {"confirmed_rate": found["confirmed"] / resolved if resolved else None}

    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        """Two passes: the events by month, rule, outcome, provider and member (grouping
        sets), and the events by procedure code."""
        events = _events(query).subquery()
        found = (await db.execute(_totals(events, *GROUPINGS))).all()
        by_month: dict[date, dict[str, Any]] = {
            row.month: row._asdict() for row in _of(found, "month")
        }
        months = query.period.months()
        trend = Trend(series=list(SERIES), points=monthly_points(months, by_month, SERIES))
        by_outcome = {row.outcome: row for row in _of(found, "outcome")}
        outcomes = Breakdown(
            key="outcome",
            label="Confirmed, cleared and open",
            series=[_EVENTS, _AMOUNT],
            items=[_item(o, o, by_outcome.get(o), (_EVENTS, _AMOUNT)) for o in OUTCOMES],
        )
        by_code = (await db.execute(_totals(_by_code(events, query), ("code",)))).all()
        providers = _of(found, "provider_id")
        named = select(Provider.id, Provider.name).where(
            Provider.id.in_([row.provider_id for row in providers])
        )
        names: dict[Any, str] = {key: name for key, name in await db.execute(named)}
        return trend, [
            _ranked("rule", "By rule", _of(found, "rule"), "rule", top=None),
            outcomes,
            _ranked(
                "provider",
                f"Top {TOP} providers",
                [
                    SimpleNamespace(**row._asdict(), provider=names[row.provider_id])
                    for row in providers
                ],
                "provider_id",
                "provider",
            ),
            _ranked("procedure", f"Top {TOP} procedure codes", by_code, "code"),
            _ranked("member", f"Top {TOP} members", _of(found, "member_id"), "member_id"),
        ]

    def table(self, query: ReportQuery) -> Select[Any]:
        events = _events(query).subquery()
        read = [Provider.name if c.key == "provider" else events.c[c.key] for c in self.columns]
        return select(
            *(column.label(c.key) for column, c in zip(read, self.columns, strict=True)),
            cast(events.c.event_id, String).label("row_key"),
        ).join(Provider, Provider.id == events.c.provider_id)


def _events(query: ReportQuery) -> CompoundSelect[Any]:
    """The period's events, on claims and on PAs, one row each (a UNION ALL)."""
    return union_all(_on(query, on_claim=True), _on(query, on_claim=False))


def _on(query: ReportQuery, *, on_claim: bool) -> Select[Any]:
    """The events raised on claims (or on PAs), each with the claim it flags and the PA
    whose "Not me" report may confirm it."""
    if on_claim:
        claim = _one_claim(Claim.id == RiskEvent.claim_id)
        pa = _one_pa(Authorization.auth_code == claim.c.auth_code)
        owner, other = claim, pa
    else:
        pa = _one_pa(Authorization.id == RiskEvent.authorization_id)
        claim = _one_claim(Claim.id == pa.c.used_by_claim_id)
        owner, other = pa, claim
    confirmed = or_(
        claim.c.status == ClaimStatus.REJECTED,
        and_(pa.c.suspicious, pa.c.hold_cleared_at.is_(None)),
    )
    outcome = case(
        (RiskEvent.cleared_at.is_not(None), "cleared"), (confirmed, "confirmed"), else_="open"
    )
    raised = func.timezone("UTC", RiskEvent.created_at)
    read: list[ColumnElement[Any]] = [
        RiskEvent.id.label("event_id"),
        cast(raised, Date).label("raised_on"),
        cast(func.date_trunc("month", raised), Date).label("month"),
        RiskEvent.rule.label("rule"),
        RiskEvent.weight.label("weight"),
        owner.c.number.label("subject"),
        owner.c.provider_id.label("provider_id"),
        owner.c.member_id.label("member_id"),
        claim.c.id.label("claim_id"),
        claim.c.total_billed.label("billed"),
        (cast(null(), String) if on_claim else pa.c.procedure_code).label("pa_code"),
        outcome.label("outcome"),
        cast(func.timezone("UTC", RiskEvent.cleared_at), Date).label("cleared_on"),
    ]
    events = (
        select(*read)
        .select_from(RiskEvent)
        .join(owner, true())
        .outerjoin(other, true())
        .where(
            RiskEvent.tenant_id == query.tenant_id,
            owner.c.currency == query.currency,
            *on_days(RiskEvent.created_at, query.period.first, query.period.last),
        )
    )
    filters = query.filters
    if filters.rule is not None:
        events = events.where(RiskEvent.rule == filters.rule)
    if filters.provider_id is not None:
        events = events.where(owner.c.provider_id == filters.provider_id)
    if filters.client_id is not None:
        events = events.join(
            Enrollee,
            and_(Enrollee.tenant_id == RiskEvent.tenant_id, Enrollee.id == owner.c.enrollee_id),
        ).where(Enrollee.client_id == filters.client_id)
    return events


# An event's claim and PA are each looked up by one index probe (a LATERAL subquery with
# LIMIT 1): the events are few beside the claims, which a plain join would hash whole.
def _one_claim(condition: ColumnElement[bool]) -> LateralFromClause:
    return (
        select(
            Claim.id,
            Claim.number,
            Claim.provider_id,
            Claim.enrollee_id,
            Claim.member_id,
            Claim.currency,
            Claim.status,
            Claim.total_billed,
            Claim.auth_code,
        )
        .where(Claim.tenant_id == RiskEvent.tenant_id, condition)
        .limit(1)
        .lateral("claim")
    )


def _one_pa(condition: ColumnElement[bool]) -> LateralFromClause:
    return (
        select(
            Authorization.number,
            Authorization.provider_id,
            Authorization.enrollee_id,
            Authorization.member_id,
            Authorization.currency,
            Authorization.procedure_code,
            Authorization.used_by_claim_id,
            Authorization.suspicious,
            Authorization.hold_cleared_at,
        )
        .where(Authorization.tenant_id == RiskEvent.tenant_id, condition)
        .limit(1)
        .lateral("pa")
    )


def _by_code(events: Subquery, query: ReportQuery) -> Subquery:
    """Each event once per procedure code it falls under, with the billed amount of its
    claim's lines of that code (the lines of each event's claim read by index)."""
    lines = (
        select(ClaimItem.code, func.sum(ClaimItem.billed_amount).label("billed"))
        .where(
            ClaimItem.tenant_id == query.tenant_id,
            ClaimItem.claim_id == events.c.claim_id,
            or_(events.c.pa_code.is_(None), ClaimItem.code == events.c.pa_code),
        )
        .group_by(ClaimItem.code)
        .lateral("lines")
    )
    return (
        select(
            func.coalesce(lines.c.code, events.c.pa_code).label("code"),
            events.c.claim_id,
            events.c.outcome,
            lines.c.billed,
        )
        .select_from(events.outerjoin(lines, true()))
        .subquery()
    )


def _totals(events: Subquery, *groupings: tuple[str, ...]) -> Select[Any]:
    """Events, flagged claims, amount flagged and outcomes for each value of each grouping
    (a tuple of columns; one row over all events without any), in one pass. Summed per
    flagged claim first, so each claim's amount counts once in each row. A row carries
    the columns of its grouping and nulls in the others' (no key column is ever null)."""
    keys = list(dict.fromkeys(key for grouping in groupings for key in grouping))
    claim = events.c.claim_id
    by_claim = [tuple_(*(events.c[k] for k in grouping), claim) for grouping in groupings]
    outcomes = [
        func.count().filter(events.c.outcome == outcome).label(outcome) for outcome in OUTCOMES
    ]
    per_claim = (
        select(
            *(events.c[k] for k in keys),
            claim,
            func.count().label("events"),
            func.max(events.c.billed).label("billed"),
            *outcomes,
        )
        .group_by(func.grouping_sets(*by_claim) if by_claim else claim)
        .subquery()
    )
    claims = per_claim.c
    return select(
        *(claims[k] for k in keys),
        _sum(claims.events).label("events"),
        func.count(claims.claim_id).label("flagged_claims"),
        _sum(claims.billed).label("amount_flagged"),
        *(_sum(claims[outcome]).label(outcome) for outcome in OUTCOMES),
    ).group_by(*(claims[k] for k in keys))


def _sum(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return whole(func.coalesce(func.sum(column), 0))


def _of(rows: list[Any], key: str) -> list[Any]:
    """The rows of the grouping `key` belongs to (see `_totals`)."""
    return [row for row in rows if getattr(row, key) is not None]


def _ranked(
    key: str, label: str, rows: list[Any], *columns: str, top: int | None = TOP
) -> Breakdown:
    """Most events first, then the largest amount, then by key; the first `top`. `columns`
    name the item's key, then its label if another."""
    key_of, label_of = columns[0], columns[-1]
    ranked = sorted(rows, key=lambda r: (-r.events, -r.amount_flagged, str(getattr(r, key_of))))
    return Breakdown(
        key=key,
        label=label,
        series=list(SERIES),
        items=[
            _item(getattr(row, key_of), getattr(row, label_of), row, SERIES) for row in ranked[:top]
        ],
    )


def _item(key: Any, label: Any, totals: Any, series: tuple[Series, ...]) -> dict[str, Any]:
    """A breakdown item; no totals are zeros."""
    return {"key": str(key), "label": label} | {
        s.key: 0 if totals is None else getattr(totals, s.key) for s in series
    }
