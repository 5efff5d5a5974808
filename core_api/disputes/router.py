from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse

from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.disputes import service
from core_api.disputes.schemas import (
    DisputeCreate,
    DisputeDetail,
    DisputeRead,
    Resolution,
    Review,
)
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.models.finance import DisputeStatus

router = APIRouter(prefix="/disputes", tags=["disputes"])
Reader = Annotated[Actor, require("disputes:read")]
Resolver = Annotated[Actor, require("disputes:resolve")]


@router.get("", response_model=Page[DisputeRead])
async def list_disputes(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    status: DisputeStatus | None = None,
    remittance_id: uuid.UUID | None = None,
) -> Page[DisputeRead]:
    """Newest first. HMO staff see their tenant's disputes; a provider sees its own."""
    filters = service.DisputeFilters(status, remittance_id)
    rows, cursor = await service.list_disputes(db, actor, filters, page)
    return Page(items=[DisputeRead.model_validate(d) for d in rows], next_cursor=cursor)


@router.post("", status_code=201, response_model=DisputeDetail)
async def raise_dispute(
    body: DisputeCreate,
    db: DbSession,
    actor: Annotated[Actor, require("disputes:create")],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """A provider (user or integration key) disputes a claim line of its own remittance
    (of a run not cancelled): `remittance_line_id`, or `remittance_id` with `claim_id`.
    One live dispute per line (a second → 409). Staff who resolve disputes are told."""
    status, answer = await service.raise_dispute(db, actor, body, idempotency_key)
    return JSONResponse(answer, status_code=status)


@router.get("/{dispute_id}", response_model=DisputeDetail)
async def get_dispute(dispute_id: uuid.UUID, db: DbSession, actor: Reader) -> DisputeDetail:
    """With the disputed claim, the remittance paying an accepted adjustment, and the
    history of every move (when, by whom)."""
    dispute = await service.load(db, actor, dispute_id)
    return await service.detail(db, actor, dispute)


@router.post("/{dispute_id}/review", response_model=DisputeDetail)
async def review_dispute(
    dispute_id: uuid.UUID, db: DbSession, actor: Resolver, body: Review | None = None
) -> DisputeDetail:
    """OPEN → UNDER_REVIEW (optional `version`: stale → 409); the provider is told."""
    dispute = await service.review(db, actor, dispute_id, body.version if body else None)
    return await service.detail(db, actor, dispute)


@router.post("/{dispute_id}/resolve", response_model=DisputeDetail)
async def resolve_dispute(
    dispute_id: uuid.UUID, body: Resolution, db: DbSession, actor: Resolver
) -> DisputeDetail:
    """From OPEN or UNDER_REVIEW: ACCEPTED with an `adjustment` (0 < adjustment ≤
    amount_claimed), paid as a line of the provider's next settlement run; or REJECTED
    with a `note` giving the reason. The provider is told. A resolved dispute → 409."""
    dispute = await service.resolve(db, actor, dispute_id, body)
    return await service.detail(db, actor, dispute)
