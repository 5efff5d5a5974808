"""Client portal logins, enrollee accounts, password setup, client change requests, and the
client's aggregated utilisation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from core_api.access.schemas import UserRead
from core_api.auth.actor import Actor
from core_api.auth.credentials import Credential, anonymous_actor
from core_api.db import released
from core_api.deps import DbSession, SettingsDep, require, require_key
from core_api.kit.fields import Month
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.models import ApiKeyScope, ChangeRequestKind, ChangeRequestStatus
from core_api.portal import accounts, change_requests, utilisation
from core_api.portal.accounts import IssuedLogin
from core_api.portal.schemas import (
    AccountCreate,
    ChangeRequestCreate,
    ChangeRequestRead,
    CredentialsCreate,
    Decline,
    PasswordSetup,
    PortalLogin,
    UtilisationRead,
)
from core_api.security import hash_password

router = APIRouter(tags=["portal"])
Decider = Annotated[Actor, require("change_requests:decide")]
Reader = Annotated[Actor, require("change_requests:read")]


def _login(issued: IssuedLogin) -> PortalLogin:
    return PortalLogin(
        user=UserRead.model_validate(issued.user),
        tenant=issued.tenant.slug,
        portal_url=issued.portal_url,
        setup_link_sent=issued.token is not None,
        setup_link_expires_at=issued.expires_at,
        emailed_to=issued.emailed_to,
    )


@router.post("/clients/{client_id}/credentials", status_code=201, response_model=PortalLogin)
async def issue_client_credentials(
    client_id: uuid.UUID,
    body: CredentialsCreate,
    db: DbSession,
    settings: SettingsDep,
    actor: Annotated[Actor, require("clients:credentials")],
) -> PortalLogin:
    """Creates the client's portal login (or resets it) and emails it to the client and
    the HMO. The client gets a one-time set-password link; the HMO's copy has no secret."""
    issued = await accounts.issue_client_credentials(db, actor, settings, client_id, body.email)
    return _login(issued)


@router.post("/enrollees/{enrollee_id}/account", status_code=201, response_model=PortalLogin)
async def create_enrollee_account(
    enrollee_id: uuid.UUID,
    body: AccountCreate,
    db: DbSession,
    settings: SettingsDep,
    actor: Annotated[Actor, require("enrollees:accounts")],
) -> PortalLogin:
    """An enrollee portal login; with no password, a set-password link is emailed."""
    password_hash = None
    if body.password:  # hashed with the connection given back (only the caller was read)
        async with released(db, actor.require_tenant()):
            password_hash = await hash_password(body.password)
    issued = await accounts.create_enrollee_account(
        db, actor, settings, enrollee_id, body, password_hash=password_hash
    )
    return _login(issued)


@router.post("/auth/password-setup", response_model=UserRead)
async def password_setup(
    body: PasswordSetup,
    request: Request,
    db: DbSession,
    _key: Annotated[Credential, require_key(ApiKeyScope.BFF)],
) -> UserRead:
    """Spends a one-time set-password link (BFF key only); the user then logs in."""
    actor = anonymous_actor(request, "password-setup")
    return UserRead.model_validate(await accounts.accept_password_setup(db, actor, body))


@router.post("/change-requests", status_code=201, response_model=ChangeRequestRead)
async def create_change_request(
    body: ChangeRequestCreate,
    db: DbSession,
    actor: Annotated[Actor, require("change_requests:create")],
) -> ChangeRequestRead:
    """A client asks to add a dependant, edit an enrollee's personal details or remove a
    dependant; the HMO is notified and decides."""
    return ChangeRequestRead.model_validate(await change_requests.create_request(db, actor, body))


@router.get("/change-requests", response_model=Page[ChangeRequestRead])
async def list_change_requests(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    status: ChangeRequestStatus | None = None,
    kind: ChangeRequestKind | None = None,
    client_id: uuid.UUID | None = None,
    enrollee_id: uuid.UUID | None = None,
) -> Page[ChangeRequestRead]:
    """Newest first. A client's users see only their client's requests."""
    filters = change_requests.RequestFilters(status, kind, client_id, enrollee_id)
    rows, cursor = await change_requests.list_requests(db, actor, filters, page)
    return Page(items=[ChangeRequestRead.model_validate(r) for r in rows], next_cursor=cursor)


@router.get("/change-requests/{request_id}", response_model=ChangeRequestRead)
async def get_change_request(
    request_id: uuid.UUID, db: DbSession, actor: Reader
) -> ChangeRequestRead:
    return ChangeRequestRead.model_validate(
        await change_requests.get_request(db, actor, request_id)
    )


@router.post("/change-requests/{request_id}/approve", response_model=ChangeRequestRead)
async def approve_change_request(
    request_id: uuid.UUID, db: DbSession, actor: Decider
) -> ChangeRequestRead:
    """Applies the change; a request already decided gets 409, and a change the membership
    rules refuse (409/422) leaves the request PENDING."""
    return ChangeRequestRead.model_validate(await change_requests.approve(db, actor, request_id))


@router.post("/change-requests/{request_id}/decline", response_model=ChangeRequestRead)
async def decline_change_request(
    request_id: uuid.UUID, body: Decline, db: DbSession, actor: Decider
) -> ChangeRequestRead:
    """Cancels the request; nothing changes."""
    return ChangeRequestRead.model_validate(
        await change_requests.decline(db, actor, request_id, body.reason)
    )


@router.get("/portal/utilisation", response_model=UtilisationRead)
async def client_utilisation(
    db: DbSession,
    actor: Annotated[Actor, require("portal:utilisation")],
    from_: Annotated[Month | None, Query(alias="from")] = None,
    to: Annotated[Month | None, Query()] = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> UtilisationRead:
    """The caller's client (a client portal user), aggregated only: its roster by status
    and relationship, and by month (`from`/`to`, default the last twelve) and benefit
    category its members served, claims and approved amount. Never a person, a diagnosis
    or a procedure. A cell of fewer than `threshold` distinct members is `suppressed`, with
    no number; every total is the sum of the cells shown (`suppressed_cells` says how many
    it leaves out), so that no total, and no difference of answers, reveals a hidden one."""
    return await utilisation.client_utilisation(db, actor, from_, to, currency, date.today())
