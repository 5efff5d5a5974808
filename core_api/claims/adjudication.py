"""Deciding a claim line by line.

`assess` runs the automatic checks a human sees before deciding: coverage on the service
date, exclusions, the benefit for the line's category, waiting periods, what remains of
each benefit (lines are trimmed to what remains and refused only when nothing does),
copay, and the frequency limit (flagged, not refused). `approve` applies the human's
decisions on top, never above what the checks allow, and writes the usage ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.approvals import service as approvals
from core_api.auth.actor import Actor
from core_api.claims import carc
from core_api.claims.schemas import LineDecision
from core_api.eligibility.service import BenefitBalance, benefit_balances
from core_api.errors import Conflict, Invalid
from core_api.membership.enrollees import status_on
from core_api.models import BenefitUsage, Enrollee, EnrolleeStatus, ExclusionKind, Plan, PlanVersion
from core_api.models.claim import Claim, ClaimItem, ClaimStatus
from core_api.models.settings import TenantSettings
from core_api.plans.service import view_of_version

FREQUENCY_FLAG = "FREQUENCY"
WAITING_FLAG = "WAITING_PERIOD"
_STATUS_REASON = {
    None: carc.BEFORE_COVERAGE,
    EnrolleeStatus.TERMINATED: carc.AFTER_COVERAGE,
    EnrolleeStatus.SUSPENDED: carc.DENIED,
}


@dataclass
class LineOutcome:
    item: ClaimItem
    approved_amount: int
    approved_quantity: int
    reason_code: str | None
    copay: int
    flags: list[str] = field(default_factory=list)


@dataclass
class Assessment:
    member_status: EnrolleeStatus | None
    balances: list[BenefitBalance]
    lines: list[LineOutcome]

    @property
    def proposal(self) -> Literal["APPROVE", "REJECT"]:
        """Rejection is proposed only when every line fails."""
        return "APPROVE" if any(line.approved_amount > 0 for line in self.lines) else "REJECT"


@dataclass
class _Remaining:
    amount: int
    visits: int | None
    visit_taken: bool = False


async def assess(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings | None
) -> Assessment:
    enrollee = await db.get(Enrollee, claim.enrollee_id)
    version = await db.get(PlanVersion, claim.plan_version_id)
    assert enrollee is not None
    assert version is not None
    plan = await db.get(Plan, version.plan_id)
    assert plan is not None
    view = await view_of_version(db, plan, version)
    status = await status_on(db, enrollee.id, claim.service_date)
    balances = await benefit_balances(db, enrollee, view.benefits, claim.service_date)
    # Codes compare case-insensitively, as in the eligibility check.
    excluded = {(e.kind, e.code.upper()) for e in view.exclusions}
    diagnosis_excluded = any(
        (ExclusionKind.DIAGNOSIS, d.upper()) in excluded for d in claim.diagnosis_codes
    )
    frequent = await _recent_codes(db, claim, settings.frequency_limit_days if settings else 7)
    by_category = {b.category: b for b in balances}
    own = await _own_usage(db, claim, items)
    remaining = {
        b.category: _Remaining(
            b.remaining_amount + own.get(b.category, (0, 0))[0],
            None
            if b.remaining_visits is None
            else b.remaining_visits + own.get(b.category, (0, 0))[1],
        )
        for b in balances
    }
    lines = []
    for item in sorted(items, key=lambda i: i.line_no):
        outcome = _line(
            item,
            status,
            by_category.get(item.category),
            remaining.get(item.category),
            diagnosis_excluded or (ExclusionKind.PROCEDURE, item.code.upper()) in excluded,
        )
        if item.code.upper() in frequent:
            outcome.flags.append(FREQUENCY_FLAG)
        lines.append(outcome)
    return Assessment(status, balances, lines)


def _line(
    item: ClaimItem,
    status: EnrolleeStatus | None,
    balance: BenefitBalance | None,
    remaining: _Remaining | None,
    excluded: bool,
) -> LineOutcome:
    def refused(code: str, *flags: str) -> LineOutcome:
        return LineOutcome(item, 0, 0, code, 0, list(flags))

    if status is not EnrolleeStatus.ACTIVE:
        return refused(_STATUS_REASON[status])
    if excluded:
        return refused(carc.NOT_IN_PLAN)
    if balance is None or remaining is None:
        return refused(carc.NOT_COVERED)
    if balance.waiting_until is not None:
        return refused(carc.NOT_COVERED, WAITING_FLAG)
    if remaining.visits == 0 and not remaining.visit_taken:
        return refused(carc.BENEFIT_EXHAUSTED)
    payable = item.billed_amount * (100 - balance.copay_percent) // 100
    approved = min(payable, remaining.amount)
    remaining.amount -= approved
    if approved and not remaining.visit_taken:
        remaining.visit_taken = True
        remaining.visits = None if remaining.visits is None else remaining.visits - 1
    copay = item.billed_amount - payable
    if approved < payable:
        reason: str | None = carc.BENEFIT_EXHAUSTED
    else:
        reason = carc.COPAY if copay else None
    return LineOutcome(item, approved, item.quantity if approved else 0, reason, copay)


async def _own_usage(
    db: AsyncSession, claim: Claim, items: list[ClaimItem]
) -> dict[str, tuple[int, int]]:
    """What this claim itself already spent (once approved), per category: amount, visits.

    The proposal for a decided claim is judged as if its own spending had not happened,
    so the view of an approved claim shows what was allowed, not "nothing remains".
    """
    rows = await db.execute(
        select(BenefitUsage.category, func.sum(BenefitUsage.amount), func.sum(BenefitUsage.visits))
        .where(
            BenefitUsage.tenant_id == claim.tenant_id,
            BenefitUsage.enrollee_id == claim.enrollee_id,
            BenefitUsage.source_id.in_([claim.id, *(i.id for i in items)]),
        )
        .group_by(BenefitUsage.category)
    )
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in rows}


async def _recent_codes(db: AsyncSession, claim: Claim, days: int) -> set[str]:
    """Item codes billed for the same member in other live claims within `days`."""
    window = timedelta(days=days)
    rows = await db.scalars(
        select(func.upper(ClaimItem.code))
        .join(Claim, (Claim.id == ClaimItem.claim_id) & (Claim.tenant_id == ClaimItem.tenant_id))
        .where(
            Claim.enrollee_id == claim.enrollee_id,
            Claim.id != claim.id,
            Claim.status != ClaimStatus.REJECTED,
            Claim.service_date.between(claim.service_date - window, claim.service_date + window),
        )
    )
    return set(rows)


async def approve(
    db: AsyncSession,
    actor: Actor,
    claim: Claim,
    items: list[ClaimItem],
    decisions: list[LineDecision] | None,
    settings: TenantSettings | None,
) -> dict[str, int]:
    """Final amounts per line; returns the claim's new totals. Writes the usage ledger.

    The enrollee's row is locked first, so two approvals for one member cannot both
    spend the same remaining benefit.
    """
    if claim.on_hold:
        raise Conflict(
            "The claim is held for a fraud review; clear the hold first.", type="claim-on-hold"
        )
    await db.get(Enrollee, claim.enrollee_id, with_for_update=True)
    assessment = await assess(db, claim, items, settings)
    outcomes = {line.item.id: line for line in assessment.lines}
    for decision in decisions or []:
        _apply_decision(outcomes, decision)
    total = sum(line.approved_amount for line in outcomes.values())
    await approvals.check(db, actor, "claim", total)
    for line in outcomes.values():
        line.item.approved_amount = line.approved_amount
        line.item.approved_quantity = line.approved_quantity
        line.item.reason_code = line.reason_code
        line.item.flags = line.flags
        if line.approved_amount:
            db.add(
                BenefitUsage(
                    tenant_id=claim.tenant_id,
                    enrollee_id=claim.enrollee_id,
                    category=line.item.category,
                    service_date=claim.service_date,
                    amount=line.approved_amount,
                    visits=0,
                    source_type="claim_item",
                    source_id=line.item.id,
                )
            )
    _count_visits(db, claim, outcomes.values())
    return {
        "total_approved": total,
        "copay_amount": sum(line.copay for line in outcomes.values() if line.approved_amount),
    }


def _count_visits(db: AsyncSession, claim: Claim, lines: Iterable[LineOutcome]) -> None:
    """One visit per benefit category the claim was paid under."""
    categories = {line.item.category for line in lines if line.approved_amount}
    for category in sorted(categories):
        db.add(
            BenefitUsage(
                tenant_id=claim.tenant_id,
                enrollee_id=claim.enrollee_id,
                category=category,
                service_date=claim.service_date,
                amount=0,
                visits=1,
                source_type="claim",
                source_id=claim.id,
            )
        )


def _apply_decision(outcomes: dict[uuid.UUID, LineOutcome], decision: LineDecision) -> None:
    line = outcomes.get(decision.id)
    if line is None:
        raise Invalid("items", f"Line {decision.id} is not on this claim.")
    ceiling = line.approved_amount
    if decision.approved_amount > ceiling:
        raise Invalid(
            "items",
            f"Line {line.item.line_no} ({line.item.code}) can be approved for at most {ceiling}: "
            f"{carc.REASONS.get(line.reason_code or '', 'the billed amount')}.",
        )
    line.approved_amount = decision.approved_amount
    line.approved_quantity = (
        decision.approved_quantity
        if decision.approved_quantity is not None
        else (line.item.quantity if decision.approved_amount else 0)
    )
    if line.approved_quantity > line.item.quantity:
        raise Invalid("items", f"Line {line.item.line_no}: approved quantity exceeds billed.")
    if decision.reason_code:
        line.reason_code = decision.reason_code
    elif decision.approved_amount < line.item.billed_amount and line.reason_code is None:
        line.reason_code = carc.OVER_MAXIMUM
