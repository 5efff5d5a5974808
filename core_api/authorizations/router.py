from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from core_api.auth.actor import Actor
from core_api.authorizations import rules, service
from core_api.authorizations.schemas import (
    AppealCreate,
    AuthorizationCreate,
    AuthorizationDetail,
    AuthorizationRead,
    Cancel,
    ClearHold,
    Decision,
    MemberAuthorizationRead,
    NotMe,
    NotMeRead,
    ProviderAuthorizationDetail,
    ProviderAuthorizationRead,
    RuleCreate,
    RuleRead,
    RuleUpdate,
)
from core_api.claims import queries
from core_api.claims.schemas import AttachmentRead
from core_api.deps import DbSession, require
from core_api.errors import Forbidden
from core_api.kit.fields import Day
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.kit.responses import a_file, serialized
from core_api.models.authorization import AuthorizationStatus, Urgency

router = APIRouter(prefix="/authorizations", tags=["pre-authorizations"])
rules_router = APIRouter(prefix="/pa-rules", tags=["pre-authorizations"])
member_router = APIRouter(prefix="/me/authorizations", tags=["enrollee portal"])
Reader = Annotated[Actor, require("authorizations:read")]
Pages = Annotated[PageParams, Depends(page_params)]


@router.post("", status_code=201, response_model=ProviderAuthorizationRead)
async def file_authorization(
    body: AuthorizationCreate,
    db: DbSession,
    actor: Annotated[Actor, require("authorizations:create")],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Files a PA (linked providers). Its `sla_due_at` follows its urgency; a matching
    auto-approval rule approves it at once (`status` APPROVED with an `auth_code`). An
    EMERGENCY PA alerts the enrollee. Send an `Idempotency-Key` so a retry creates nothing.
    The provider's view (`ProviderAuthorizationRead`) carries no fraud signals."""
    status, answer = await service.submit(db, actor, body, idempotency_key)
    return JSONResponse(answer, status_code=status)


@router.get("", response_model=Page[AuthorizationRead] | Page[ProviderAuthorizationRead])
async def list_authorizations(
    db: DbSession,
    actor: Reader,
    page: Pages,
    status: AuthorizationStatus | None = None,
    urgency: Urgency | None = None,
    provider_id: uuid.UUID | None = None,
    member_id: Annotated[str | None, Query(max_length=48)] = None,
    breached: bool | None = None,
    suspicious: bool | None = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Day | None = None,
) -> Response:
    """Newest first. `breached=true`: past their SLA (marked by the SLA job);
    `suspicious=true`: reported "Not me" by the enrollee (the HMO's filter: a provider
    using it gets a 422); `from`/`to`: filing dates. A provider (staff or key) gets the PAs
    it filed without fraud signals (`ProviderAuthorizationRead`)."""
    filters = service.Filters(
        status, urgency, provider_id, member_id, breached, suspicious, from_, to
    )
    rows, cursor = await service.list_authorizations(db, actor, filters, page)
    if actor.speaks_for_provider:
        mine = [service.provider_read(pa) for pa in rows]
        return serialized(Page[ProviderAuthorizationRead](items=mine, next_cursor=cursor))
    items = [service.read(pa) for pa in rows]
    return serialized(Page[AuthorizationRead](items=items, next_cursor=cursor))


# Routes with a fixed segment must stay above `/authorizations/{authorization_id}`.


@router.get("/queue", response_model=Page[AuthorizationRead])
async def review_queue(
    db: DbSession,
    actor: Annotated[Actor, require("authorizations:decide")],
    page: Pages,
    urgency: Urgency | None = None,
) -> Page[AuthorizationRead]:
    """PAs awaiting a decision, least SLA time left first (`sla_seconds_left`)."""
    rows, cursor = await service.queue(db, actor, urgency, page)
    return Page(items=[service.read(pa) for pa in rows], next_cursor=cursor)


@router.get("/{authorization_id}", response_model=AuthorizationDetail | ProviderAuthorizationDetail)
async def get_authorization(authorization_id: uuid.UUID, db: DbSession, actor: Reader) -> Response:
    """The PA with its notes, full history (appeal evidence included) and, for the HMO,
    its fraud flags. The provider's view (`ProviderAuthorizationDetail`) has no flags, no
    "Not me" report or hold, and no history entries about them."""
    return serialized(await service.detail(db, actor, authorization_id))


@router.post("/{authorization_id}/decision", response_model=AuthorizationRead)
async def decide(
    authorization_id: uuid.UUID,
    body: Decision,
    db: DbSession,
    actor: Annotated[Actor, require("authorizations:decide")],
) -> AuthorizationRead:
    """APPROVE (issues an auth code valid `valid_days`, for `approved_amount` ≤ the
    estimate) or REJECT (with a `reason`). Illegal or stale (`version`) → 409."""
    return await service.decide(db, actor, authorization_id, body)


@router.post("/{authorization_id}/appeals", response_model=ProviderAuthorizationRead)
async def appeal(
    authorization_id: uuid.UUID, body: AppealCreate, db: DbSession, actor: Reader
) -> ProviderAuthorizationRead:
    """The filing provider appeals a rejection with new evidence (needs
    `authorizations:appeal`); the PA returns to review with a fresh SLA."""
    return await service.appeal(db, actor, authorization_id, body)


@router.post(
    "/{authorization_id}/cancel", response_model=AuthorizationRead | ProviderAuthorizationRead
)
async def cancel(
    authorization_id: uuid.UUID, db: DbSession, actor: Reader, body: Cancel | None = None
) -> Response:
    """Withdraws an unused approval: the provider (`authorizations:create`, answered
    `ProviderAuthorizationRead`) or the HMO (`authorizations:decide`)."""
    return serialized(await service.cancel(db, actor, authorization_id, body or Cancel()))


@router.post("/{authorization_id}/not-me", response_model=NotMeRead)
async def not_me(
    authorization_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[Actor, require("authorizations:report")],
    body: NotMe | None = None,
) -> NotMeRead:
    """The enrollee (or their principal) reports the visit was not theirs: the PA is
    flagged, claims citing its code are held, and the HMO's fraud staff are told."""
    return await service.report_not_me(db, actor, authorization_id, body or NotMe())


@router.post("/{authorization_id}/clear", response_model=AuthorizationRead)
async def clear_hold(
    authorization_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[Actor, require("risk:manage")],
    body: ClearHold | None = None,
) -> AuthorizationRead:
    """Clears a "Not me" hold: the claims citing the code may be approved again."""
    return await service.clear_hold(db, actor, authorization_id, body or ClearHold())


@router.post("/{authorization_id}/attachments", status_code=201, response_model=AttachmentRead)
async def upload_attachment(
    authorization_id: uuid.UUID, file: UploadFile, db: DbSession, actor: Reader
) -> AttachmentRead:
    """The filing provider's supporting documents (`authorizations:create`): PDF, PNG,
    JPEG, TIFF or text, up to `VETRA_MAX_ATTACHMENT_BYTES`; stored AES-256-GCM."""
    pa = await service.load(db, actor, authorization_id)
    if not service.by_provider(actor, pa) or "authorizations:create" not in actor.permissions:
        raise Forbidden("The filing provider attaches documents.")
    data = await queries.read_upload(file, "authorization-attachment")
    attachment = await queries.attach(
        db, actor, pa, file.filename or "attachment", file.content_type or "", data
    )
    await service.audit_attachment(db, actor, pa, attachment.id)
    return queries.attachment_read(attachment, pa)


@router.get("/{authorization_id}/attachments", response_model=Page[AttachmentRead])
async def list_attachments(
    authorization_id: uuid.UUID, db: DbSession, actor: Reader, page: Pages
) -> Page[AttachmentRead]:
    """Oldest first."""
    pa = await service.load(db, actor, authorization_id)
    found, cursor = await queries.attachments(db, pa, page)
    return Page(items=[queries.attachment_read(a, pa) for a in found], next_cursor=cursor)


@router.get(
    "/{authorization_id}/attachments/{attachment_id}",
    response_class=Response,
    responses=a_file(queries.ALLOWED_TYPES),
)
async def download_attachment(
    authorization_id: uuid.UUID, attachment_id: uuid.UUID, db: DbSession, actor: Reader
) -> Response:
    pa = await service.load(db, actor, authorization_id)
    return await queries.download(db, pa, attachment_id)


# --- the enrollee portal's list ------------------------------------------------------------


@member_router.get("", response_model=Page[MemberAuthorizationRead])
async def list_my_authorizations(
    db: DbSession,
    actor: Annotated[Actor, require("me:records")],
    page: Pages,
    status: AuthorizationStatus | None = None,
    member_id: Annotated[str | None, Query(max_length=48)] = None,
) -> Page[MemberAuthorizationRead]:
    """Enrollee portal: the PAs filed for the caller and, for a principal, their
    dependants, newest first, with whether one was reported "Not me"; `member_id` narrows
    it to one of them (any other is a 404). No SLA, rule or fraud-review data."""
    items, cursor = await service.list_member_authorizations(db, actor, member_id, status, page)
    return Page(items=items, next_cursor=cursor)


# --- auto-approval rules -------------------------------------------------------------------


@rules_router.get("", response_model=Page[RuleRead])
async def list_rules(
    db: DbSession,
    actor: Annotated[Actor, require("pa_rules:read")],
    page: Pages,
    plan_id: uuid.UUID | None = None,
    procedure_code: Annotated[str | None, Query(max_length=32)] = None,
    active: bool | None = None,
) -> Page[RuleRead]:
    rows, cursor = await rules.list_rules(db, plan_id, procedure_code, active, page)
    return Page(items=[RuleRead.model_validate(r) for r in rows], next_cursor=cursor)


@rules_router.post("", status_code=201, response_model=RuleRead)
async def create_rule(
    body: RuleCreate, db: DbSession, actor: Annotated[Actor, require("pa_rules:manage")]
) -> RuleRead:
    """One rule per plan and procedure: a PA within `max_amount` and at most `max_urgency`
    (ROUTINE < URGENT < EMERGENCY), for an eligible member and a service the plan does not
    exclude, is approved at once with a code valid `valid_days`."""
    return RuleRead.model_validate(await rules.create_rule(db, actor, body))


@rules_router.get("/{rule_id}", response_model=RuleRead)
async def get_rule(
    rule_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, require("pa_rules:read")]
) -> RuleRead:
    return RuleRead.model_validate(await rules.get_rule(db, rule_id))


@rules_router.patch("/{rule_id}", response_model=RuleRead)
async def update_rule(
    rule_id: uuid.UUID,
    body: RuleUpdate,
    db: DbSession,
    actor: Annotated[Actor, require("pa_rules:manage")],
) -> RuleRead:
    """Changes ceilings or turns the rule off (`is_active`); a stale `version` → 409."""
    return RuleRead.model_validate(await rules.update_rule(db, actor, rule_id, body))
