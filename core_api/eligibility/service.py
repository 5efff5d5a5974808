"""Eligibility: may this member be served on this date, here, for this, and how much is left?

The hot path of every provider visit: after the credential, one statement reads all of the
member's facts (`MEMBER_FACTS`), the plan version's benefits and exclusions come from a
per-process cache (versions never change), and the rest is arithmetic. A provider caller
adds one query for its network link. `balances` is the one place "used" and "remaining"
are computed; claims adjudication reuses it through `benefit_balances`.
"""

from __future__ import annotations

import calendar
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Select,
    SQLColumnExpression,
    bindparam,
    cast,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.db import Db, DriverStatement, fetch_row
from core_api.eligibility.schemas import (
    BenefitBalanceRead,
    EligibilityCheck,
    EligibilityRead,
    MemberSummary,
    PlanBrief,
    Reason,
)
from core_api.membership.enrollees import status_on_query
from core_api.models import (
    BenefitPeriod,
    BenefitUsage,
    Enrollee,
    EnrolleeStatus,
    Plan,
    PlanVersion,
)
from core_api.network.service import UnknownMember, act_for_hmo, active_link, own_provider
from core_api.plans.service import VersionRules, rules_of_version, version_order

USAGE_WINDOW = timedelta(days=366)
STATUS_REASONS = {
    None: ("NOT_YET_COVERED", "The member's coverage had not begun on the service date."),
    EnrolleeStatus.SUSPENDED: ("MEMBER_SUSPENDED", "The member was suspended on the service date."),
    EnrolleeStatus.TERMINATED: (
        "MEMBER_TERMINATED",
        "The member's coverage was terminated by the service date.",
    ),
}


@dataclass(frozen=True, slots=True)
class BenefitBalance:
    category: str
    period: BenefitPeriod
    period_start: date
    period_end: date
    limit_amount: int
    used_amount: int
    limit_visits: int | None
    used_visits: int
    copay_percent: int
    waiting_period_days: int
    waiting_until: date | None  # the first day covered, while the waiting period runs

    @property
    def remaining_amount(self) -> int:
        return max(self.limit_amount - self.used_amount, 0)

    @property
    def remaining_visits(self) -> int | None:
        if self.limit_visits is None:
            return None
        return max(self.limit_visits - self.used_visits, 0)

    @property
    def exhausted(self) -> bool:
        return self.remaining_amount == 0 or self.remaining_visits == 0


def _anniversary(start: date, year: int) -> date:
    """`start`'s day and month in `year` (29 February falls back to the 28th)."""
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return start.replace(year=year, day=day)


def period_of(period: BenefitPeriod, coverage_start: date, on: date) -> tuple[date, date]:
    """The benefit period containing `on`, first and last day included.

    POLICY_YEAR runs from an anniversary of the coverage start; CALENDAR_MONTH is the month.
    """
    if period is BenefitPeriod.CALENDAR_MONTH:
        last_day = calendar.monthrange(on.year, on.month)[1]
        return on.replace(day=1), on.replace(day=last_day)
    start = _anniversary(coverage_start, on.year)
    if start > on:
        start = _anniversary(coverage_start, on.year - 1)
    return start, _anniversary(coverage_start, start.year + 1) - timedelta(days=1)


class BenefitTerms(Protocol):
    """What balances read of a benefit: a plan's `PlanBenefit` row or a cached `BenefitRule`."""

    @property
    def category(self) -> str: ...
    @property
    def period(self) -> BenefitPeriod: ...
    @property
    def limit_amount(self) -> int: ...
    @property
    def limit_visits(self) -> int | None: ...
    @property
    def copay_percent(self) -> int: ...
    @property
    def waiting_period_days(self) -> int: ...


UsageDay = tuple[str, date, int, int]  # category, service date, amount, visits


def usage_query(
    tenant_id: uuid.UUID | SQLColumnExpression[uuid.UUID],
    enrollee_id: uuid.UUID | SQLColumnExpression[uuid.UUID],
    service_date: date | SQLColumnExpression[date],
) -> Select[str, date, int, int]:
    """Approved use per category and day within a year either side of `service_date`, which
    holds every benefit period containing it. The ledger is written only by approved claim
    items, so this is "used"."""
    return (
        select(
            BenefitUsage.category,
            BenefitUsage.service_date,
            cast(func.sum(BenefitUsage.amount), BigInteger),  # sum(bigint) is numeric
            cast(func.sum(BenefitUsage.visits), BigInteger),
        )
        .where(
            BenefitUsage.tenant_id == tenant_id,
            BenefitUsage.enrollee_id == enrollee_id,
            BenefitUsage.service_date.between(  # dates, not timestamps: the index serves
                cast(service_date - USAGE_WINDOW, Date), cast(service_date + USAGE_WINDOW, Date)
            ),
        )
        .group_by(BenefitUsage.category, BenefitUsage.service_date)
    )


def balances(
    coverage_start: date,
    benefits: Sequence[BenefitTerms],
    usage: Sequence[UsageDay],
    service_date: date,
) -> list[BenefitBalance]:
    """Limit, approved use and what is left of each benefit, in the period of `service_date`.
    The one place "used" and "remaining" are computed."""
    spans = {kind: period_of(kind, coverage_start, service_date) for kind in BenefitPeriod}
    result = []
    for benefit in benefits:
        start, end = spans[benefit.period]
        days = [u for u in usage if u[0] == benefit.category and start <= u[1] <= end]
        waiting_ends = coverage_start + timedelta(days=benefit.waiting_period_days)
        result.append(
            BenefitBalance(
                category=benefit.category,
                period=benefit.period,
                period_start=start,
                period_end=end,
                limit_amount=benefit.limit_amount,
                used_amount=sum(u[2] for u in days),
                limit_visits=benefit.limit_visits,
                used_visits=sum(u[3] for u in days),
                copay_percent=benefit.copay_percent,
                waiting_period_days=benefit.waiting_period_days,
                waiting_until=waiting_ends if service_date < waiting_ends else None,
            )
        )
    return result


async def benefit_balances(
    db: AsyncSession, enrollee: Enrollee, benefits: Sequence[BenefitTerms], service_date: date
) -> list[BenefitBalance]:
    usage = await db.execute(usage_query(enrollee.tenant_id, enrollee.id, service_date))
    return balances(enrollee.coverage_start, benefits, usage.all(), service_date)


# Everything a check needs of the member in one round trip, compiled once for the driver:
# the enrollee, the status and plan version in force, the plan, the approved use around
# the date, and whether a named provider is in the network.
_ON = bindparam("on", type_=Date)
_VERSION = (
    select(PlanVersion.id, PlanVersion.version_no)
    .where(PlanVersion.plan_id == Enrollee.plan_id)
    .order_by(*version_order(_ON))
    .limit(1)
    .lateral("version")
)
_USAGE = usage_query(Enrollee.tenant_id, Enrollee.id, _ON).correlate(Enrollee).subquery("usage")
MEMBER_FACTS = DriverStatement(
    select(
        Enrollee.id,
        Enrollee.member_id,
        Enrollee.first_name,
        Enrollee.last_name,
        Enrollee.relationship,
        Enrollee.date_of_birth,
        Enrollee.coverage_start,
        Enrollee.coverage_end,
        Enrollee.plan_id,
        status_on_query(Enrollee.id, _ON).scalar_subquery().label("status"),
        _VERSION.c.id.label("version_id"),
        _VERSION.c.version_no,
        Plan.code.label("plan_code"),
        Plan.name.label("plan_name"),
        Plan.currency,
        select(func.json_agg(func.json_build_array(*_USAGE.c), type_=JSON))
        .scalar_subquery()
        .label("usage"),
        exists()
        .where(active_link(Enrollee.tenant_id, bindparam("provider_id")))
        .label("in_network"),
    )
    .join(Plan, Plan.id == Enrollee.plan_id)
    .join(_VERSION, true())
    .where(or_(Enrollee.member_id == bindparam("member_id"), Enrollee.id == bindparam("id")))
)


async def _member_facts(
    db: Db, data: EligibilityCheck, provider_id: uuid.UUID | None
) -> Mapping[str, Any]:
    try:
        enrollee_id: uuid.UUID | None = uuid.UUID(data.member_id)
    except ValueError:
        enrollee_id = None
    values = {
        "on": data.service_date,
        "member_id": data.member_id.upper(),
        "id": enrollee_id,
        "provider_id": provider_id,
    }
    row = await fetch_row(db, MEMBER_FACTS.sql, *MEMBER_FACTS.args(values))
    if row is None:
        raise UnknownMember("No such member.")
    return row


async def check(db: Db, actor: Actor, data: EligibilityCheck) -> EligibilityRead:
    """Runs on a driver connection (the route's) or a session alike."""
    scope = await act_for_hmo(db, actor, member_id=data.member_id, tenant=data.tenant)
    provider_id = own_provider(scope.provider_id, data.provider_id, "checks eligibility")
    facts = await _member_facts(db, data, provider_id)
    rules = await rules_of_version(db, facts["version_id"])
    usage = _usage_days(facts["usage"])
    coverage_start = facts["coverage_start"]
    benefit_balances = balances(coverage_start, rules.benefits, usage, data.service_date)
    status = EnrolleeStatus(facts["status"]) if facts["status"] else None
    reasons = _status_reasons(status)
    if provider_id is not None and scope.provider_id is None and not facts["in_network"]:
        reasons.append(
            Reason(
                code="PROVIDER_NOT_IN_NETWORK",
                message="The provider has no active network link with this HMO.",
            )
        )
    reasons += _exclusion_reasons(rules, data)
    reasons += _benefit_reasons(benefit_balances, data)
    return EligibilityRead(
        eligible=not reasons,
        reasons=reasons,
        service_date=data.service_date,
        provider_id=provider_id,
        member=MemberSummary(
            id=facts["id"],
            member_id=facts["member_id"],
            first_name=facts["first_name"],
            last_name=facts["last_name"],
            relationship=facts["relationship"],
            date_of_birth=facts["date_of_birth"],
            status=status,
            coverage_start=coverage_start,
            coverage_end=facts["coverage_end"],
        ),
        plan=PlanBrief(
            id=facts["plan_id"],
            code=facts["plan_code"],
            name=facts["plan_name"],
            currency=facts["currency"],
            version_no=facts["version_no"],
        ),
        benefits=[BenefitBalanceRead.model_validate(b) for b in benefit_balances],
    )


def _usage_days(usage: str | list[list[Any]] | None) -> list[UsageDay]:
    """`MEMBER_FACTS`' usage column: JSON text from a driver connection, already decoded by
    a session's driver (its dialect registers a json codec)."""
    days = json.loads(usage) if isinstance(usage, str) else usage or []
    return [(c, date.fromisoformat(d), a, v) for c, d, a, v in days]


def _status_reasons(status: EnrolleeStatus | None) -> list[Reason]:
    if status is EnrolleeStatus.ACTIVE:
        return []
    code, message = STATUS_REASONS[status]
    return [Reason(code=code, message=message)]


def _exclusion_reasons(rules: VersionRules, data: EligibilityCheck) -> list[Reason]:
    procedure = data.procedure_code.upper() if data.procedure_code else None
    diagnoses = {code.upper() for code in data.diagnosis_codes}
    return [
        Reason(
            code="EXCLUDED_SERVICE",
            message=f"{e.kind.value.title()} {e.code} is excluded by the plan"
            + (f": {e.description}." if e.description else "."),
        )
        for e in rules.excluding(procedure, diagnoses)
    ]


def _benefit_reasons(balances: list[BenefitBalance], data: EligibilityCheck) -> list[Reason]:
    """Only the requested category is judged; the others are reported as balances."""
    category = data.benefit_category
    if not category:
        return []
    balance = next((b for b in balances if b.category == category), None)
    if balance is None:
        return [
            Reason(
                code="UNKNOWN_BENEFIT",
                message=f"The plan has no '{category}' benefit.",
                category=category,
            )
        ]
    reasons = []
    if balance.waiting_until is not None:
        reasons.append(
            Reason(
                code="WAITING_PERIOD",
                message=f"The {category} waiting period lasts until {balance.waiting_until}.",
                category=category,
            )
        )
    if balance.exhausted:
        reasons.append(
            Reason(
                code="BENEFIT_EXHAUSTED",
                message=f"The {category} benefit is used up for the period ending "
                f"{balance.period_end}.",
                category=category,
            )
        )
    return reasons
