"""Plans. Rule changes create a new version; enrollees and claims keep pointing at the
version they were judged under, so history never shifts under them."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    bindparam,
    case,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.db import Db, DriverStatement, fetch_rows
from core_api.errors import Conflict, NotFound
from core_api.kit.pagination import By, Keyset, PageParams
from core_api.kit.versioning import compare_and_set
from core_api.models import (
    BenefitPeriod,
    Enrollee,
    ExclusionKind,
    Plan,
    PlanBenefit,
    PlanExclusion,
    PlanVersion,
)
from core_api.models.base import utcnow
from core_api.plans.schemas import PlanCreate, PlanRules, PlanUpdate, Premium

RULE_FIELDS = (
    "benefits",
    "exclusions",
    "max_dependants",
    "max_children",
    "capitation_rate",
    "premium",
)


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: Plan
    version: PlanVersion
    benefits: list[PlanBenefit]
    exclusions: list[PlanExclusion]


async def create_plan(db: AsyncSession, actor: Actor, data: PlanCreate) -> PlanView:
    tenant_id = actor.require_tenant()
    if await db.scalar(select(Plan.id).where(Plan.code == data.code)):
        raise Conflict("A plan with this code already exists.", type="plan-exists")
    plan = Plan(tenant_id=tenant_id, code=data.code, name=data.name, currency=data.currency)
    db.add(plan)
    await db.flush()
    view = await _add_version(db, plan, 1, data)
    await audit.record(
        db, actor, "plan.created", "plan", plan.id, details={"code": plan.code, "name": plan.name}
    )
    return view


async def _add_version(db: AsyncSession, plan: Plan, version_no: int, rules: PlanRules) -> PlanView:
    version = PlanVersion(
        tenant_id=plan.tenant_id,
        plan_id=plan.id,
        version_no=version_no,
        effective_from=utcnow().date(),
        max_dependants=rules.max_dependants,
        max_children=rules.max_children,
        capitation_rate=rules.capitation_rate,
        premium_principal=rules.premium.principal,
        premium_spouse=rules.premium.spouse,
        premium_child=rules.premium.child,
    )
    db.add(version)
    await db.flush()
    benefits = [
        PlanBenefit(tenant_id=plan.tenant_id, plan_version_id=version.id, **b.model_dump())
        for b in sorted(rules.benefits, key=lambda b: b.category)
    ]
    exclusions = [
        PlanExclusion(tenant_id=plan.tenant_id, plan_version_id=version.id, **e.model_dump())
        for e in sorted(rules.exclusions, key=lambda e: (e.kind, e.code))
    ]
    db.add_all([*benefits, *exclusions])
    await db.flush()
    return PlanView(plan, version, benefits, exclusions)


BY_CODE = Keyset(By(Plan.code, str), By(Plan.id, uuid.UUID))


async def list_plans(db: AsyncSession, page: PageParams) -> tuple[list[PlanView], str | None]:
    """By code, a page at a time."""
    rows = (await db.scalars(BY_CODE.apply(select(Plan), page))).all()
    plans, cursor = BY_CODE.page(rows, page.limit)
    return [await load_view(db, plan) for plan in plans], cursor


async def get_plan(db: AsyncSession, plan_id: uuid.UUID, version_no: int | None = None) -> PlanView:
    plan = await db.get(Plan, plan_id)
    if plan is None:
        raise NotFound("No such plan.")
    return await load_view(db, plan, version_no)


async def load_view(db: AsyncSession, plan: Plan, version_no: int | None = None) -> PlanView:
    version = await db.scalar(
        select(PlanVersion).where(
            PlanVersion.plan_id == plan.id,
            PlanVersion.version_no == (version_no or plan.current_version_no),
        )
    )
    if version is None:
        raise NotFound("No such plan version.")
    return await view_of_version(db, plan, version)


async def view_of_version(db: AsyncSession, plan: Plan, version: PlanVersion) -> PlanView:
    benefits = (
        await db.scalars(
            select(PlanBenefit)
            .where(PlanBenefit.plan_version_id == version.id)
            .order_by(PlanBenefit.category)
        )
    ).all()
    exclusions = (
        await db.scalars(
            select(PlanExclusion)
            .where(PlanExclusion.plan_version_id == version.id)
            .order_by(PlanExclusion.kind, PlanExclusion.code)
        )
    ).all()
    return PlanView(plan, version, list(benefits), list(exclusions))


async def update_plan(
    db: AsyncSession, actor: Actor, plan_id: uuid.UUID, data: PlanUpdate
) -> PlanView:
    current = await get_plan(db, plan_id)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    rule_changes = {k: v for k, v in changes.items() if k in RULE_FIELDS and v is not None}
    identity = {k: v for k, v in changes.items() if k not in RULE_FIELDS and v is not None}
    version_no = current.plan.current_version_no + (1 if rule_changes else 0)
    plan = await compare_and_set(
        db, Plan, plan_id, data.version, {**identity, "current_version_no": version_no}
    )
    if rule_changes:
        rules = PlanRules.model_validate({**_rules_of(current), **rule_changes})
        view = await _add_version(db, plan, version_no, rules)
    else:
        view = await load_view(db, plan)
    await audit.record(
        db,
        actor,
        "plan.updated",
        "plan",
        plan.id,
        details={"fields": sorted(changes), "version_no": version_no},
    )
    return view


def _rules_of(view: PlanView) -> dict[str, object]:
    return {
        "benefits": [
            {
                f: getattr(b, f)
                for f in (
                    "category",
                    "limit_amount",
                    "limit_visits",
                    "period",
                    "copay_percent",
                    "waiting_period_days",
                )
            }
            for b in view.benefits
        ],
        "exclusions": [
            {"code": e.code, "description": e.description, "kind": e.kind} for e in view.exclusions
        ],
        "max_dependants": view.version.max_dependants,
        "max_children": view.version.max_children,
        "capitation_rate": view.version.capitation_rate,
        "premium": premium_of(view.version),
    }


def premium_of(version: PlanVersion) -> Premium:
    return Premium(
        principal=version.premium_principal,
        spouse=version.premium_spouse,
        child=version.premium_child,
    )


async def delete_plan(db: AsyncSession, actor: Actor, plan_id: uuid.UUID) -> None:
    plan = await db.get(Plan, plan_id, with_for_update=True)
    if plan is None:
        raise NotFound("No such plan.")
    if await db.scalar(select(Enrollee.id).where(Enrollee.plan_id == plan_id).limit(1)):
        raise Conflict("The plan has enrollees; deactivate it instead.", type="plan-in-use")
    await db.execute(delete(Plan).where(Plan.id == plan_id))
    await audit.record(db, actor, "plan.deleted", "plan", plan_id, details={"code": plan.code})


def version_order(on: date | SQLColumnExpression[date]) -> tuple[ColumnElement[Any], ...]:
    """Ordering a plan's versions so the one in force on `on` comes first: the latest begun
    by then, else (a date before the plan began) the first version."""
    begun = PlanVersion.effective_from <= on
    return begun.desc(), case((begun, PlanVersion.version_no), else_=-PlanVersion.version_no).desc()


def version_periods(tenant_id: uuid.UUID, *columns: SQLColumnExpression[Any]) -> Select[Any]:
    """Each plan version's `plan_id` and `columns`, and the days [since, until) it is in
    force, as `version_of` picks it: from its `effective_from` (version 1: `since` null,
    from always) until the earliest `effective_from` of a higher version (`until` null:
    still in force)."""
    version = PlanVersion
    return select(
        version.plan_id,
        *columns,
        case((version.version_no == 1, None), else_=version.effective_from).label("since"),
        func.min(version.effective_from)
        .over(partition_by=version.plan_id, order_by=version.version_no.desc(), rows=(None, -1))
        .label("until"),
    ).where(version.tenant_id == tenant_id)


async def version_of(db: AsyncSession, plan_id: uuid.UUID, on: date) -> PlanVersion:
    """The plan version in force on a date: the latest begun by then, else the first."""
    version = await db.scalar(
        select(PlanVersion)
        .where(PlanVersion.plan_id == plan_id)
        .order_by(*version_order(on))
        .limit(1)
    )
    if version is None:
        raise NotFound("No such plan.")
    return version


@dataclass(frozen=True, slots=True)
class BenefitRule:
    category: str
    period: BenefitPeriod
    limit_amount: int
    limit_visits: int | None
    copay_percent: int
    waiting_period_days: int


@dataclass(frozen=True, slots=True)
class ExclusionRule:
    kind: ExclusionKind
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class VersionRules:
    benefits: tuple[BenefitRule, ...]  # by category
    exclusions: tuple[ExclusionRule, ...]  # by kind, code
    _by_code: dict[tuple[ExclusionKind, str], ExclusionRule] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_code = {(e.kind, e.code.upper()): e for e in self.exclusions}
        object.__setattr__(self, "_by_code", by_code)

    def excluding(self, procedure: str | None, diagnoses: set[str]) -> list[ExclusionRule]:
        """The exclusions that strike a procedure code or any diagnosis code (upper case),
        in the plan's order; a lookup per code, however long the plan's list."""
        wanted = {(ExclusionKind.DIAGNOSIS, code) for code in diagnoses}
        if procedure:
            wanted.add((ExclusionKind.PROCEDURE, procedure))
        found = [self._by_code[key] for key in wanted if key in self._by_code]
        return sorted(found, key=self.exclusions.index) if len(found) > 1 else found


# A version's benefits and exclusions never change once written (a rule change makes a new
# version), so each process keeps the most recently used ones: the eligibility hot path
# then reads only the member's own rows.
_RULES_CACHE_SIZE = 512
_rules_cache: OrderedDict[uuid.UUID, VersionRules] = OrderedDict()


_BENEFIT_RULES = DriverStatement(
    select(
        PlanBenefit.category,
        PlanBenefit.period,
        PlanBenefit.limit_amount,
        PlanBenefit.limit_visits,
        PlanBenefit.copay_percent,
        PlanBenefit.waiting_period_days,
    )
    .where(PlanBenefit.plan_version_id == bindparam("version_id"))
    .order_by(PlanBenefit.category)
)
_EXCLUSION_RULES = DriverStatement(
    select(PlanExclusion.kind, PlanExclusion.code, PlanExclusion.description)
    .where(PlanExclusion.plan_version_id == bindparam("version_id"))
    .order_by(PlanExclusion.kind, PlanExclusion.code)
)


async def rules_of_version(db: Db, version_id: uuid.UUID) -> VersionRules:
    rules = _rules_cache.get(version_id)
    if rules is not None:
        _rules_cache.move_to_end(version_id)
        return rules
    version = {"version_id": version_id}
    benefits = await fetch_rows(db, _BENEFIT_RULES.sql, *_BENEFIT_RULES.args(version))
    exclusions = await fetch_rows(db, _EXCLUSION_RULES.sql, *_EXCLUSION_RULES.args(version))
    rules = VersionRules(
        tuple(
            BenefitRule(
                b["category"],
                BenefitPeriod(b["period"]),
                b["limit_amount"],
                b["limit_visits"],
                b["copay_percent"],
                b["waiting_period_days"],
            )
            for b in benefits
        ),
        tuple(
            ExclusionRule(ExclusionKind(e["kind"]), e["code"], e["description"]) for e in exclusions
        ),
    )
    _rules_cache[version_id] = rules
    if len(_rules_cache) > _RULES_CACHE_SIZE:
        _rules_cache.popitem(last=False)
    return rules
