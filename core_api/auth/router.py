from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from core_api.access.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    SessionCreate,
    SessionCreated,
    SessionRead,
    UserRead,
)
from core_api.auth import service
from core_api.auth.actor import Actor
from core_api.auth.credentials import Credential, anonymous_actor
from core_api.deps import DbSession, SettingsDep, authenticated, require, require_key
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.models import ApiKeyScope

router = APIRouter(tags=["access"])


@router.post("/auth/sessions", status_code=201, response_model=SessionCreated)
async def create_session(
    body: SessionCreate,
    request: Request,
    db: DbSession,
    settings: SettingsDep,
    _key: Annotated[Credential, require_key(ApiKeyScope.BFF)],
) -> SessionCreated:
    """Logs a user in (BFF key only). The opaque token is returned once; only its hash is kept.

    503 `hasher-busy` (with Retry-After) when too many passwords are being checked at once."""
    actor = anonymous_actor(request, body.email)
    token, session, user = await service.login(
        request.app.state.session_factory,
        db,
        settings,
        actor,
        body,
        request.headers.get("user-agent"),
    )
    return SessionCreated(
        token=token, expires_at=session.expires_at, user=UserRead.model_validate(user)
    )


@router.delete("/auth/sessions/current", status_code=204)
async def end_session(db: DbSession, actor: Annotated[Actor, authenticated()]) -> Response:
    await service.logout(db, actor)
    return Response(status_code=204)


@router.get("/me/sessions", response_model=Page[SessionRead])
async def list_my_sessions(
    db: DbSession,
    settings: SettingsDep,
    actor: Annotated[Actor, authenticated()],
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[SessionRead]:
    """The caller's signed-in sessions (browsers, devices) that still stand, the newest
    sign-in first; `current` marks the one asking. Never another user's."""
    sessions, cursor = await service.list_own_sessions(db, actor, settings, page)
    items = [
        SessionRead(
            id=s.id,
            ip=s.ip,
            user_agent=s.user_agent,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            expires_at=s.expires_at,
            current=s.id == actor.session_id,
        )
        for s in sessions
    ]
    return Page(items=items, next_cursor=cursor)


@router.delete("/me/sessions/{session_id}", status_code=204)
async def end_my_session(
    session_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, authenticated()]
) -> Response:
    """Signs one of the caller's sessions out; its event streams end at once. Another
    user's session is a 404."""
    await service.end_own_session(db, actor, session_id)
    return Response(status_code=204)


@router.delete("/me/sessions", status_code=204)
async def end_my_sessions(
    db: DbSession,
    actor: Annotated[Actor, authenticated()],
    keep_current: Annotated[
        bool, Query(description="Keep the session asking (sign out everywhere else).")
    ] = True,
) -> Response:
    """Signs the caller out everywhere else, or (`keep_current=false`) everywhere."""
    await service.end_own_sessions(db, actor, keep_current=keep_current)
    return Response(status_code=204)


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated)
async def create_api_key(
    body: ApiKeyCreate, db: DbSession, actor: Annotated[Actor, require("api_keys:manage")]
) -> ApiKeyCreated:
    api_key, key = await service.create_api_key(db, actor, body)
    return ApiKeyCreated(**ApiKeyRead.model_validate(api_key).model_dump(), key=key)


@router.get("/api-keys", response_model=Page[ApiKeyRead])
async def list_api_keys(
    db: DbSession,
    _actor: Annotated[Actor, require("api_keys:read")],
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[ApiKeyRead]:
    """Oldest first, a page at a time (revoked keys included, with `revoked_at`)."""
    keys, cursor = await service.list_api_keys(db, page)
    return Page(items=[ApiKeyRead.model_validate(k) for k in keys], next_cursor=cursor)


@router.delete("/api-keys/{key_id}", status_code=204)
async def revoke_api_key(
    key_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, require("api_keys:manage")]
) -> Response:
    await service.revoke_api_key(db, actor, key_id)
    return Response(status_code=204)
