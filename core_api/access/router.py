from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from core_api.access import service
from core_api.access.permissions import CATALOG
from core_api.access.schemas import (
    InviteAccept,
    InviteCreate,
    InviteRead,
    MeRead,
    PasswordChange,
    PermissionRead,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    TenantBrief,
    UserCreate,
    UserRead,
    UserUpdate,
)
from core_api.auth import service as auth_service
from core_api.auth.actor import Actor
from core_api.auth.credentials import Credential, anonymous_actor
from core_api.deps import DbSession, SettingsDep, authenticated, require, require_key
from core_api.kit.pagination import Page, PageParams, page_params, single_page
from core_api.models import ApiKeyScope, Role, Tenant

router = APIRouter(tags=["access"])
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("/me", response_model=MeRead)
async def me(db: DbSession, actor: Annotated[Actor, authenticated()]) -> MeRead:
    user = await service.get_user(db, actor.user_id) if actor.user_id else None
    tenant = await db.get(Tenant, actor.tenant_id) if actor.tenant_id else None
    role = await db.get(Role, user.role_id) if user and user.role_id else None
    return MeRead(
        kind=actor.kind.value,
        label=actor.label,
        user=UserRead.model_validate(user) if user else None,
        role=role.name if role else None,
        tenant=TenantBrief.model_validate(tenant) if tenant else None,
        permissions=sorted(actor.permissions),
    )


@router.post("/me/password", status_code=204)
async def change_password(
    body: PasswordChange, db: DbSession, actor: Annotated[Actor, authenticated()]
) -> Response:
    """Changes the caller's password and revokes their other sessions."""
    await auth_service.change_password(db, actor, body)
    return Response(status_code=204)


@router.get("/permissions", response_model=Page[PermissionRead])
async def permissions(_actor: Annotated[Actor, authenticated()]) -> Page[PermissionRead]:
    """The fixed catalog, whole: one page, `next_cursor` always null."""
    return single_page(
        [PermissionRead(name=name, description=text) for name, text in CATALOG.items()]
    )


@router.get("/roles", response_model=Page[RoleRead])
async def list_roles(
    db: DbSession, page: Paging, _actor: Annotated[Actor, require("roles:read")]
) -> Page[RoleRead]:
    """By name, a page at a time."""
    roles, cursor = await service.list_roles(db, page)
    return Page(items=[RoleRead.model_validate(r) for r in roles], next_cursor=cursor)


@router.post("/roles", status_code=201, response_model=RoleRead)
async def create_role(
    body: RoleCreate, db: DbSession, actor: Annotated[Actor, require("roles:manage")]
) -> RoleRead:
    return RoleRead.model_validate(await service.create_role(db, actor, body))


@router.get("/roles/{role_id}", response_model=RoleRead)
async def get_role(
    role_id: uuid.UUID, db: DbSession, _actor: Annotated[Actor, require("roles:read")]
) -> RoleRead:
    return RoleRead.model_validate(await service.get_role(db, role_id))


@router.patch("/roles/{role_id}", response_model=RoleRead)
async def update_role(
    role_id: uuid.UUID,
    body: RoleUpdate,
    db: DbSession,
    actor: Annotated[Actor, require("roles:manage")],
) -> RoleRead:
    return RoleRead.model_validate(await service.update_role(db, actor, role_id, body))


@router.get("/users", response_model=Page[UserRead])
async def list_users(
    db: DbSession, page: Paging, _actor: Annotated[Actor, require("users:read")]
) -> Page[UserRead]:
    users, cursor = await service.list_users(db, page)
    return Page(items=[UserRead.model_validate(u) for u in users], next_cursor=cursor)


@router.post("/users", status_code=201, response_model=UserRead)
async def create_user(
    body: UserCreate, db: DbSession, actor: Annotated[Actor, require("users:create")]
) -> UserRead:
    return UserRead.model_validate(await service.create_user(db, actor, body))


@router.get("/users/{user_id}", response_model=UserRead)
async def get_user(
    user_id: uuid.UUID, db: DbSession, _actor: Annotated[Actor, require("users:read")]
) -> UserRead:
    return UserRead.model_validate(await service.get_user(db, user_id))


@router.patch("/users/{user_id}", response_model=UserRead)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    db: DbSession,
    actor: Annotated[Actor, require("users:update")],
) -> UserRead:
    """Changes a user; `version` must be the one read (a stale version gets 409)."""
    return UserRead.model_validate(await service.update_user(db, actor, user_id, body))


@router.post("/invites", status_code=201, response_model=InviteRead)
async def create_invite(
    body: InviteCreate,
    db: DbSession,
    settings: SettingsDep,
    actor: Annotated[Actor, require("users:invite")],
) -> InviteRead:
    """Emails a one-time link; the invitee sets their password when accepting."""
    invite = await service.create_invite(db, actor, settings, str(body.email), body.role_id)
    return InviteRead.model_validate(invite)


@router.post("/invites/accept", status_code=201, response_model=UserRead)
async def accept_invite(
    body: InviteAccept,
    request: Request,
    db: DbSession,
    _key: Annotated[Credential, require_key(ApiKeyScope.BFF)],
) -> UserRead:
    actor = anonymous_actor(request, "invitee")
    return UserRead.model_validate(await service.accept_invite(db, actor, body))
