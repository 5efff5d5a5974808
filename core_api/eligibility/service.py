"""Eligibility: may this member be served on this date, here, for this, and how much is left?

The hot path of every provider visit, so it is a handful of indexed queries: the link
(for a provider), the enrollee by Member ID, the status in force, the plan version, its
benefits, the matching exclusions (only when codes are given), and one aggregate over
the usage ledger. `benefit_balances` is the one place "used" and "remaining" are
computed; claims adjudication reuses it.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.eligibility.schemas import (
    BenefitBalanceRead,
    EligibilityCheck,
    EligibilityRead,
    MemberSummary,
    PlanBrief,
    Reason,
)
from core_api.errors import Forbidden
from core_api.membership.enrollees import get_enrollee, status_on
from core_api.models import (
    BenefitPeriod,
    BenefitUsage,
    Enrollee,
    EnrolleeStatus,
    ExclusionKind,
    Plan,
    PlanBenefit,
    PlanExclusion,
    PlanVersion,
)
from core_api.network.service import HmoScope, act_for_hmo, in_network
from core_api.plans.service import version_of

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


async def benefit_balances(
    db: AsyncSession, enrollee: Enrollee, benefits: Sequence[PlanBenefit], service_date: date
) -> list[BenefitBalance]:
    """Limit, approved use and what is left of each benefit, in the period of `service_date`.

    One aggregate over the usage ledger (which only approved claim items write), summed
    per category for each kind of period.
    """
    spans = {kind: period_of(kind, enrollee.coverage_start, service_date) for kind in BenefitPeriod}
    sums = []
    for start, end in spans.values():
        in_span = BenefitUsage.service_date.between(start, end)
        sums += [
            func.coalesce(func.sum(BenefitUsage.amount).filter(in_span), 0),
            func.coalesce(func.sum(BenefitUsage.visits).filter(in_span), 0),
        ]
    rows = await db.execute(
        select(BenefitUsage.category, *sums)
        .where(
            BenefitUsage.tenant_id == enrollee.tenant_id,
            BenefitUsage.enrollee_id == enrollee.id,
            BenefitUsage.category.in_([b.category for b in benefits]),
            BenefitUsage.service_date.between(
                min(s for s, _ in spans.values()), max(e for _, e in spans.values())
            ),
        )
        .group_by(BenefitUsage.category)
    )
    kinds = list(spans)
    used = {
        row[0]: {kind: (int(row[1 + 2 * i]), int(row[2 + 2 * i])) for i, kind in enumerate(kinds)}
        for row in rows
    }
    return [
        _balance(b, spans[b.period], used.get(b.category), enrollee, service_date) for b in benefits
    ]


def _balance(
    benefit: PlanBenefit,
    span: tuple[date, date],
    used: dict[BenefitPeriod, tuple[int, int]] | None,
    enrollee: Enrollee,
    service_date: date,
) -> BenefitBalance:
    amount, visits = used[benefit.period] if used else (0, 0)
    waiting_ends = enrollee.coverage_start + timedelta(days=benefit.waiting_period_days)
    return BenefitBalance(
        category=benefit.category,
        period=benefit.period,
        period_start=span[0],
        period_end=span[1],
        limit_amount=benefit.limit_amount,
        used_amount=amount,
        limit_visits=benefit.limit_visits,
        used_visits=visits,
        copay_percent=benefit.copay_percent,
        waiting_period_days=benefit.waiting_period_days,
        waiting_until=waiting_ends if service_date < waiting_ends else None,
    )


async def check(db: AsyncSession, actor: Actor, data: EligibilityCheck) -> EligibilityRead:
    scope = await act_for_hmo(db, actor, member_id=data.member_id, tenant=data.tenant)
    provider_id = _provider_checked(scope, data.provider_id)
    enrollee = await get_enrollee(db, data.member_id)
    status = await status_on(db, enrollee.id, data.service_date)
    version = await version_of(db, enrollee.plan_id, data.service_date)
    plan = await db.get(Plan, enrollee.plan_id)
    assert plan is not None
    benefits = list(
        await db.scalars(
            select(PlanBenefit)
            .where(PlanBenefit.plan_version_id == version.id)
            .order_by(PlanBenefit.category)
        )
    )
    balances = await benefit_balances(db, enrollee, benefits, data.service_date)
    reasons = _status_reasons(status)
    if provider_id is not None and scope.provider_id is None:
        reasons += await _network_reasons(db, scope.hmo_tenant_id, provider_id)
    reasons += await _exclusion_reasons(db, version, data)
    reasons += _benefit_reasons(balances, data)
    return EligibilityRead(
        eligible=not reasons,
        reasons=reasons,
        service_date=data.service_date,
        provider_id=provider_id,
        member=MemberSummary(
            id=enrollee.id,
            member_id=enrollee.member_id,
            first_name=enrollee.first_name,
            last_name=enrollee.last_name,
            relationship=enrollee.relationship,
            date_of_birth=enrollee.date_of_birth,
            status=status,
            coverage_start=enrollee.coverage_start,
            coverage_end=enrollee.coverage_end,
        ),
        plan=PlanBrief(
            id=plan.id,
            code=plan.code,
            name=plan.name,
            currency=plan.currency,
            version_no=version.version_no,
        ),
        benefits=[BenefitBalanceRead.model_validate(b) for b in balances],
    )


def _provider_checked(scope: HmoScope, requested: uuid.UUID | None) -> uuid.UUID | None:
    """A provider checks for itself; an HMO caller may name any provider (or none)."""
    if scope.provider_id is None:
        return requested
    if requested not in (None, scope.provider_id):
        raise Forbidden("A provider checks eligibility for itself only.")
    return scope.provider_id


def _status_reasons(status: EnrolleeStatus | None) -> list[Reason]:
    if status is EnrolleeStatus.ACTIVE:
        return []
    code, message = STATUS_REASONS[status]
    return [Reason(code=code, message=message)]


async def _network_reasons(
    db: AsyncSession, hmo_tenant_id: uuid.UUID, provider_id: uuid.UUID
) -> list[Reason]:
    if await in_network(db, hmo_tenant_id, provider_id):
        return []
    return [
        Reason(
            code="PROVIDER_NOT_IN_NETWORK",
            message="The provider has no active network link with this HMO.",
        )
    ]


async def _exclusion_reasons(
    db: AsyncSession, version: PlanVersion, data: EligibilityCheck
) -> list[Reason]:
    procedure = data.procedure_code.upper() if data.procedure_code else None
    diagnoses = sorted({code.upper() for code in data.diagnosis_codes})
    if procedure is None and not diagnoses:
        return []
    matched = await db.scalars(
        select(PlanExclusion)
        .where(
            PlanExclusion.plan_version_id == version.id,
            or_(
                (PlanExclusion.kind == ExclusionKind.PROCEDURE)
                & (func.upper(PlanExclusion.code) == (procedure or "")),
                (PlanExclusion.kind == ExclusionKind.DIAGNOSIS)
                & func.upper(PlanExclusion.code).in_(diagnoses),
            ),
        )
        .order_by(PlanExclusion.kind, PlanExclusion.code)
    )
    return [
        Reason(
            code="EXCLUDED_SERVICE",
            message=f"{e.kind.value.title()} {e.code} is excluded by the plan"
            + (f": {e.description}." if e.description else "."),
        )
        for e in matched
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
