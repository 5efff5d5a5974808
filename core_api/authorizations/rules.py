"""Auto-approval rules: per plan and procedure, with ceilings on amount and urgency.

A PA is approved at once when an active rule for its member's plan and its procedure
admits its estimate (`estimated_amount <= max_amount`) and its urgency (at most
`max_urgency`, in the order ROUTINE < URGENT < EMERGENCY), and the member is ACTIVE on
the filing date, and neither the procedure nor a diagnosis is excluded by the plan
version in force. Otherwise it waits for a reviewer; the reasons are kept in its history.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.authorizations.schemas import RuleCreate, RuleUpdate
from core_api.errors import Conflict, Invalid, NotFound
from core_api.kit.pagination import PageParams, newest_first
from core_api.kit.versioning import compare_and_set
from core_api.membership.enrollees import status_on
from core_api.models import EnrolleeStatus, ExclusionKind, Plan, PlanExclusion
from core_api.models.authorization import Authorization, PaRule
from core_api.plans.service import version_of


@dataclass(frozen=True, slots=True)
class Verdict:
    rule: PaRule | None  # the rule that approves the PA, if any
    reasons: list[str] = field(default_factory=list)  # why it is not auto-approved

    def as_details(self) -> dict[str, object]:
        return {
            "matched_rule_id": str(self.rule.id) if self.rule else None,
            "reasons": self.reasons,
        }


async def evaluate(db: AsyncSession, pa: Authorization, on: date) -> Verdict:
    reasons = []
    if await status_on(db, pa.enrollee_id, on) is not EnrolleeStatus.ACTIVE:
        reasons.append("MEMBER_NOT_ELIGIBLE")
    version = await version_of(db, pa.plan_id, on)
    excluded = await db.scalar(
        select(PlanExclusion.code)
        .where(
            PlanExclusion.plan_version_id == version.id,
            or_(
                (PlanExclusion.kind == ExclusionKind.PROCEDURE)
                & (func.upper(PlanExclusion.code) == pa.procedure_code),
                (PlanExclusion.kind == ExclusionKind.DIAGNOSIS)
                & func.upper(PlanExclusion.code).in_(pa.diagnosis_codes),
            ),
        )
        .limit(1)
    )
    if excluded is not None:
        reasons.append("EXCLUDED_SERVICE")
    rule = await db.scalar(
        select(PaRule).where(
            PaRule.plan_id == pa.plan_id,
            PaRule.procedure_code == pa.procedure_code,
            PaRule.is_active.is_(True),
        )
    )
    if rule is None:
        reasons.append("NO_RULE")
    else:
        if pa.estimated_amount > rule.max_amount:
            reasons.append("OVER_AMOUNT_CEILING")
        if pa.urgency.rank > rule.max_urgency.rank:
            reasons.append("OVER_URGENCY_CEILING")
    return Verdict(None if reasons else rule, reasons)


# --- managing rules ------------------------------------------------------------------------


async def create_rule(db: AsyncSession, actor: Actor, data: RuleCreate) -> PaRule:
    if await db.get(Plan, data.plan_id) is None:
        raise Invalid("plan_id", "No such plan in this tenant.")
    existing = await db.scalar(
        select(PaRule.id).where(
            PaRule.plan_id == data.plan_id, PaRule.procedure_code == data.procedure_code
        )
    )
    if existing is not None:
        raise Conflict(
            "This plan already has a rule for this procedure; change that one.",
            type="rule-exists",
            rule_id=str(existing),
        )
    rule = PaRule(tenant_id=actor.require_tenant(), created_by=actor.id, **data.model_dump())
    db.add(rule)
    await db.flush()
    await audit.record(db, actor, "pa_rule.created", "pa_rule", rule.id, details=_about(rule))
    return rule


async def update_rule(
    db: AsyncSession, actor: Actor, rule_id: uuid.UUID, data: RuleUpdate
) -> PaRule:
    await get_rule(db, rule_id)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    changes = {k: v for k, v in changes.items() if v is not None}
    rule = await compare_and_set(db, PaRule, rule_id, data.version, changes)
    await audit.record(db, actor, "pa_rule.updated", "pa_rule", rule.id, details=_about(rule))
    return rule


async def get_rule(db: AsyncSession, rule_id: uuid.UUID) -> PaRule:
    rule = await db.get(PaRule, rule_id)
    if rule is None:
        raise NotFound("No such rule.")
    return rule


async def list_rules(
    db: AsyncSession,
    plan_id: uuid.UUID | None,
    procedure_code: str | None,
    active: bool | None,
    page: PageParams,
) -> tuple[list[PaRule], str | None]:
    query = select(PaRule)
    if plan_id is not None:
        query = query.where(PaRule.plan_id == plan_id)
    if procedure_code:
        query = query.where(PaRule.procedure_code == procedure_code.strip().upper())
    if active is not None:
        query = query.where(PaRule.is_active.is_(active))
    newest = newest_first(PaRule.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    return newest.page(rows, page.limit)


def _about(rule: PaRule) -> dict[str, object]:
    return {
        "plan_id": str(rule.plan_id),
        "procedure_code": rule.procedure_code,
        "max_amount": rule.max_amount,
        "max_urgency": rule.max_urgency.value,
        "valid_days": rule.valid_days,
        "is_active": rule.is_active,
    }
