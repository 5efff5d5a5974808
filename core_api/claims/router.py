from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from core_api.auth.actor import Actor
from core_api.claims import queries, queue, service
from core_api.claims.carc import REASONS
from core_api.claims.schemas import (
    AttachmentRead,
    ClaimCreate,
    ClaimDetail,
    ClaimRead,
    MemberClaimRead,
    ProviderClaimDetail,
    ProviderClaimRead,
    QueryCreate,
    QueryRead,
    ReasonCodeRead,
    Transition,
)
from core_api.deps import DbSession, require
from core_api.kit.fields import Day
from core_api.kit.pagination import Page, PageParams, page_params, single_page
from core_api.kit.responses import a_file, serialized
from core_api.models.claim import ClaimStatus

router = APIRouter(prefix="/claims", tags=["claims"])
member_router = APIRouter(prefix="/me/claims", tags=["enrollee portal"])
Reader = Annotated[Actor, require("claims:read")]


@router.post("", status_code=201, response_model=ProviderClaimRead)
async def submit_claim(
    body: ClaimCreate,
    db: DbSession,
    actor: Annotated[Actor, require("claims:create")],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Files a claim (linked providers). Send an `Idempotency-Key` so a retry creates nothing."""
    status, answer = await service.submit(db, actor, body, idempotency_key)
    return JSONResponse(answer, status_code=status)


@router.get("/reason-codes", response_model=Page[ReasonCodeRead])
async def reason_codes(_actor: Annotated[Actor, require("claims:read")]) -> Page[ReasonCodeRead]:
    """The adjustment reason codes a line decision may carry (modelled on X12 CARC), whole:
    one page, `next_cursor` always null."""
    return single_page([ReasonCodeRead(code=c, description=d) for c, d in REASONS.items()])


@router.get("", response_model=Page[ClaimRead] | Page[ProviderClaimRead])
async def list_claims(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    status: ClaimStatus | None = None,
    provider_id: uuid.UUID | None = None,
    member_id: Annotated[str | None, Query(max_length=48)] = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Day | None = None,
    hmo_id: Annotated[
        uuid.UUID | None, Query(description="A provider's claims with one HMO (its tenant id).")
    ] = None,
) -> Response:
    """Newest first; filter by status, provider, member and service-date range. A provider
    (staff or key) gets its own claims without fraud signals (`ProviderClaimRead`), across
    the HMOs it works with or, with `hmo_id`, one of them."""
    filters = service.ClaimFilters(status, provider_id, member_id, from_, to, hmo_id)
    rows, cursor = await service.list_claims(db, actor, filters, page)
    if actor.speaks_for_provider:
        mine = [service.provider_read(c) for c in rows]
        return serialized(Page[ProviderClaimRead](items=mine, next_cursor=cursor))
    return serialized(Page[ClaimRead](items=[service.read(c) for c in rows], next_cursor=cursor))


# Routes with a fixed segment (`/claims/queue`) must stay above `/claims/{claim_id}`.


@router.get("/queue", response_model=Page[queue.QueueEntry])
async def claims_queue(
    db: DbSession,
    actor: Annotated[Actor, require("claims:adjudicate")],
    page: Annotated[PageParams, Depends(page_params)],
) -> Response:
    """Open claims (RECEIVED, IN_REVIEW, RESUBMITTED), the one to review first on top:
    on hold, then flagged (risk ≥ `flag_score`), then by risk, SLA age and value — see
    `core_api/claims/queue.py` for the score. It is the adjudicators' work list, so it
    takes `claims:adjudicate` (providers, who hold `claims:read`, never see it)."""
    items, cursor = await queue.page(db, actor, page)
    return serialized(Page[queue.QueueEntry](items=items, next_cursor=cursor))


@router.get("/{claim_id}", response_model=ClaimDetail | ProviderClaimDetail)
async def get_claim(claim_id: uuid.UUID, db: DbSession, actor: Reader) -> Response:
    """The adjudication view: lines with the automatic checks' proposal, the eligibility
    verdict on the service date, each benefit's limit/used/remaining, risk flags, history.
    A provider's view (`ProviderClaimDetail`) has no risk score, flags or evidence."""
    return serialized(await service.detail(db, actor, claim_id))


@router.post("/{claim_id}/transitions", response_model=ClaimRead | ProviderClaimRead)
async def move_claim(
    claim_id: uuid.UUID, body: Transition, db: DbSession, actor: Reader
) -> Response:
    """The only way a claim's status changes. Each move needs its own permission
    (see the state table); an illegal move or a stale `version` is a 409."""
    return serialized(await service.transition(db, actor, claim_id, body))


@router.post("/{claim_id}/queries", status_code=201, response_model=QueryRead)
async def add_query(
    claim_id: uuid.UUID, body: QueryCreate, db: DbSession, actor: Reader
) -> QueryRead:
    """The HMO's question or the provider's answer (stored encrypted)."""
    claim = await service.load(db, actor, claim_id)
    message = await queries.ask(db, actor, claim, body.message)
    return QueryRead(**asdict(message))


@router.get("/{claim_id}/queries", response_model=Page[QueryRead])
async def list_queries(
    claim_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[QueryRead]:
    """The query thread, oldest first."""
    claim = await service.load(db, actor, claim_id)
    messages, cursor = await queries.thread(db, claim, page)
    return Page(items=[QueryRead(**asdict(m)) for m in messages], next_cursor=cursor)


@router.post("/{claim_id}/attachments", status_code=201, response_model=AttachmentRead)
async def upload_attachment(
    claim_id: uuid.UUID,
    file: UploadFile,
    db: DbSession,
    actor: Annotated[Actor, require("claims:attachments")],
) -> AttachmentRead:
    """PDF, PNG, JPEG, TIFF or text, up to `VETRA_MAX_ATTACHMENT_BYTES`; stored AES-256-GCM."""
    claim = await service.load(db, actor, claim_id)
    data = await queries.read_upload(file, "claim-attachment")
    attachment = await queries.attach(
        db, actor, claim, file.filename or "attachment", file.content_type or "", data
    )
    return queries.attachment_read(attachment, claim)


@router.get("/{claim_id}/attachments", response_model=Page[AttachmentRead])
async def list_attachments(
    claim_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[Actor, require("claims:attachments")],
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[AttachmentRead]:
    """Oldest first."""
    claim = await service.load(db, actor, claim_id)
    found, cursor = await queries.attachments(db, claim, page)
    return Page(items=[queries.attachment_read(a, claim) for a in found], next_cursor=cursor)


@router.get(
    "/{claim_id}/attachments/{attachment_id}",
    response_class=Response,
    responses=a_file(queries.ALLOWED_TYPES),
)
async def download_attachment(
    claim_id: uuid.UUID,
    attachment_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[Actor, require("claims:attachments")],
) -> Response:
    claim = await service.load(db, actor, claim_id)
    return await queries.download(db, claim, attachment_id)


@member_router.get("", response_model=Page[MemberClaimRead])
async def list_my_claims(
    db: DbSession,
    actor: Annotated[Actor, require("me:records")],
    page: Annotated[PageParams, Depends(page_params)],
    status: ClaimStatus | None = None,
    member_id: Annotated[str | None, Query(max_length=48)] = None,
) -> Page[MemberClaimRead]:
    """Enrollee portal: every claim filed for the caller and, for a principal, their
    dependants, newest first, with its lines; `member_id` narrows it to one of them (any
    other is a 404). No risk scores, holds or other adjudication data."""
    items, cursor = await service.list_member_claims(db, actor, member_id, status, page)
    return Page(items=items, next_cursor=cursor)
