from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.kit.fields import Month
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.piles import service
from core_api.piles.schemas import HandedClaim, PileRead, SampleApplied, SampleRead

router = APIRouter(prefix="/piles", tags=["piles"])
Reader = Annotated[Actor, require("piles:read")]
Vetter = Annotated[Actor, require("piles:vet")]


@router.get("", response_model=Page[PileRead])
async def list_piles(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    provider_id: uuid.UUID | None = None,
    month: Annotated[Month | None, Query()] = None,
) -> Page[PileRead]:
    """One pile per provider and billing month, with counts and totals by status."""
    items, cursor = await service.list_piles(db, actor, provider_id, month, page)
    return Page(items=items, next_cursor=cursor)


@router.get("/{pile_id}", response_model=PileRead)
async def get_pile(pile_id: str, db: DbSession, actor: Reader) -> PileRead:
    """`pile_id` is `<provider_id>:<YYYY-MM>`."""
    return await service.get_pile(db, actor, pile_id)


@router.post(
    "/{pile_id}/next",
    response_model=HandedClaim,
    responses={204: {"description": "Nothing left to vet in this pile right now."}},
)
async def vet_next(pile_id: str, db: DbSession, actor: Vetter) -> HandedClaim | Response:
    """Hands the caller the pile's next unvetted claim (RECEIVED or RESUBMITTED, highest
    queue score first) and assigns it to them for 15 minutes. Concurrent callers never get
    the same claim. 204 when nothing is left; 404 for an unknown pile."""
    handed = await service.next_claim(db, actor, pile_id)
    return handed if handed is not None else Response(status_code=204)


@router.post("/{pile_id}/sample", response_model=SampleRead)
async def start_sample(pile_id: str, db: DbSession, actor: Vetter) -> SampleRead:
    """Draws a random `sampling_percent` of the pile's low-risk open claims for a person
    to vet (or returns the pile's open sample). 409 when sampling is off."""
    return await service.start_sample(db, actor, pile_id)


@router.get("/{pile_id}/sample", response_model=SampleRead)
async def get_sample(pile_id: str, db: DbSession, actor: Reader) -> SampleRead:
    """The pile's latest sample and how many of its claims are still undecided."""
    return await service.get_sample(db, actor, pile_id)


@router.post("/{pile_id}/apply-sample", response_model=SampleApplied)
async def apply_sample(pile_id: str, db: DbSession, actor: Vetter) -> SampleApplied:
    """Once every sampled claim is decided: decides the pile's other low-risk open claims
    at the sample's approved ÷ billed ratio (needs `claims:approve` too; each approval
    respects the caller's approval limit, and a claim that cannot be decided is skipped)."""
    return await service.apply_sample(db, actor, pile_id)
