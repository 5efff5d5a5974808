from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from core_api.auth.actor import Actor
from core_api.capitation import service
from core_api.capitation.schemas import (
    CapitationPayment,
    CapitationRunCreate,
    CapitationRunDetail,
    CapitationRunRead,
    ProviderCapitationLine,
)
from core_api.deps import DbSession, require
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.models.finance import RunStatus

router = APIRouter(prefix="/capitation-runs", tags=["capitation"])
lines_router = APIRouter(prefix="/capitation-lines", tags=["capitation"])
Reader = Annotated[Actor, require("capitation:read")]
Runner = Annotated[Actor, require("capitation:run")]
Pages = Annotated[PageParams, Depends(page_params)]


@router.post(
    "",
    status_code=201,
    response_model=CapitationRunDetail,
    responses={200: {"model": CapitationRunDetail, "description": "The month's existing run"}},
)
async def create_run(
    body: CapitationRunCreate, response: Response, db: DbSession, actor: Runner
) -> CapitationRunDetail:
    """Computes the month's payouts to each primary provider from the enrollees ACTIVE in
    it, pro-rated by day (see the README). 201 with the new run; when the month already
    has a run that is not CANCELLED, 200 with that run and nothing is created. A month
    not yet begun is 422."""
    run, created = await service.create_run(db, actor, body.month)
    response.status_code = 201 if created else 200
    return run


@router.get("", response_model=Page[CapitationRunRead])
async def list_runs(
    db: DbSession, actor: Reader, page: Pages, status: RunStatus | None = None
) -> Page[CapitationRunRead]:
    """Newest month first; keyset `cursor`."""
    items, cursor = await service.list_runs(db, actor, status, page)
    return Page(items=items, next_cursor=cursor)


@router.get("/{capitation_run_id}", response_model=CapitationRunDetail)
async def get_run(
    capitation_run_id: uuid.UUID, db: DbSession, actor: Reader
) -> CapitationRunDetail:
    """The run with a line per primary provider."""
    return await service.get_run(db, actor, capitation_run_id)


@router.post("/{capitation_run_id}/approve", response_model=CapitationRunDetail)
async def approve_run(
    capitation_run_id: uuid.UUID, db: DbSession, actor: Runner
) -> CapitationRunDetail:
    """DRAFT → APPROVED within the approver's settlement approval limit; above it → 403
    naming the limit."""
    return await service.approve(db, actor, capitation_run_id)


@router.post("/{capitation_run_id}/pay", response_model=CapitationRunDetail)
async def pay_run(
    capitation_run_id: uuid.UUID,
    body: CapitationPayment,
    db: DbSession,
    actor: Annotated[Actor, require("payments:record")],
) -> CapitationRunDetail:
    """APPROVED → PAID with the transfer's `reference` and `paid_on`; every paid provider's
    users are notified (`capitation.paid`)."""
    return await service.pay(db, actor, capitation_run_id, body)


@router.post("/{capitation_run_id}/cancel", response_model=CapitationRunDetail)
async def cancel_run(
    capitation_run_id: uuid.UUID, db: DbSession, actor: Runner
) -> CapitationRunDetail:
    """DRAFT or APPROVED runs only; the month can then be run again."""
    return await service.cancel(db, actor, capitation_run_id)


@lines_router.get("", response_model=Page[ProviderCapitationLine])
async def list_lines(
    db: DbSession,
    actor: Annotated[Actor, require("capitation:read", "settlements:read")],
    page: Pages,
    run_id: uuid.UUID | None = None,
) -> Page[ProviderCapitationLine]:
    """Newest first. A provider's users see their organisation's lines from every HMO
    that pays it capitation (month, run status, amount, payment reference); HMO staff
    with `capitation:read` see their HMO's lines. `run_id` narrows to one run."""
    items, cursor = await service.list_lines(db, actor, run_id, page)
    return Page(items=items, next_cursor=cursor)
