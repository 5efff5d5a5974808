from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.kit.fields import PositiveInt32
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.plans import service
from core_api.plans.schemas import BenefitRead, ExclusionRead, PlanCreate, PlanRead, PlanUpdate

router = APIRouter(prefix="/plans", tags=["plans"])
Reader = Annotated[Actor, require("plans:read")]
Manager = Annotated[Actor, require("plans:manage")]


def plan_read(view: service.PlanView) -> PlanRead:
    plan, version = view.plan, view.version
    return PlanRead(
        id=plan.id,
        code=plan.code,
        name=plan.name,
        currency=plan.currency,
        is_active=plan.is_active,
        version=plan.version,
        version_no=version.version_no,
        current_version_no=plan.current_version_no,
        effective_from=version.effective_from,
        max_dependants=version.max_dependants,
        max_children=version.max_children,
        capitation_rate=version.capitation_rate,
        premium=service.premium_of(version),
        benefits=[BenefitRead.model_validate(b) for b in view.benefits],
        exclusions=[ExclusionRead.model_validate(e) for e in view.exclusions],
    )


@router.post("", status_code=201, response_model=PlanRead)
async def create_plan(body: PlanCreate, db: DbSession, actor: Manager) -> PlanRead:
    """Amounts are integer minor units (kobo for NGN); the premium is per member per month by
    relationship, 0 when left out."""
    return plan_read(await service.create_plan(db, actor, body))


@router.get("", response_model=Page[PlanRead])
async def list_plans(
    db: DbSession, _actor: Reader, page: Annotated[PageParams, Depends(page_params)]
) -> Page[PlanRead]:
    """By code, a page at a time; each plan in its current version."""
    views, cursor = await service.list_plans(db, page)
    return Page(items=[plan_read(view) for view in views], next_cursor=cursor)


@router.get("/{plan_id}", response_model=PlanRead)
async def get_plan(
    plan_id: uuid.UUID,
    db: DbSession,
    _actor: Reader,
    version_no: Annotated[PositiveInt32 | None, Query()] = None,
) -> PlanRead:
    """The current version, or `?version_no=` for an earlier one."""
    return plan_read(await service.get_plan(db, plan_id, version_no))


@router.patch("/{plan_id}", response_model=PlanRead)
async def update_plan(
    plan_id: uuid.UUID, body: PlanUpdate, db: DbSession, actor: Manager
) -> PlanRead:
    """Changing benefits, exclusions, dependant limits, capitation or the premium starts a new
    version, in force from today; earlier days keep the version they were in."""
    return plan_read(await service.update_plan(db, actor, plan_id, body))


@router.delete("/{plan_id}", status_code=204)
async def delete_plan(plan_id: uuid.UUID, db: DbSession, actor: Manager) -> Response:
    """Only a plan no enrollee has ever used can be deleted (409 otherwise)."""
    await service.delete_plan(db, actor, plan_id)
    return Response(status_code=204)
