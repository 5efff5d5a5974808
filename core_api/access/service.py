"""Users, roles and invites of a tenant."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access.permissions import unknown_permissions
from core_api.access.schemas import InviteAccept, RoleCreate, RoleUpdate, UserCreate, UserUpdate
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.config import Settings
from core_api.db import released, set_auth_lookup, set_tenant
from core_api.errors import Conflict, Forbidden, Invalid, NotFound
from core_api.kit.pagination import By, Keyset, PageParams
from core_api.kit.versioning import compare_and_set
from core_api.models import AuthSession, Invite, Role, Tenant, TenantKind, User, UserKind
from core_api.models.base import utcnow
from core_api.notifications.service import notify, queue_email
from core_api.security import hash_password, new_token, token_digest
from shared.problems import ProblemError

ADMIN_ROLE = "Admin"


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def add_user(
    db: AsyncSession,
    actor: Actor,
    tenant_id: uuid.UUID,
    *,
    email: str,
    kind: UserKind = UserKind.STAFF,
    password: str | None = None,
    password_hash: str | None = None,
    role_id: uuid.UUID | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """An HMO's staff user (with a role) or a provider organisation's user (none: it holds
    the provider's fixed permissions). `password_hash` is the password already hashed, by a
    caller that hashed it before taking a connection; a plain `password` is hashed here (off
    the loop, connection held)."""
    email = normalise_email(email)
    if password_hash is None and password:
        password_hash = await hash_password(password)
    if await db.scalar(select(User.id).where(User.tenant_id == tenant_id, User.email == email)):
        raise Conflict("A user with this email already exists.", type="user-exists")
    if role_id is not None:
        await get_role(db, role_id, field="role_id")
    user = User(
        tenant_id=tenant_id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        kind=kind,
        role_id=role_id,
        password_hash=password_hash,
    )
    db.add(user)
    await db.flush()
    await audit.record(
        db,
        actor,
        "user.created",
        "user",
        user.id,
        tenant_id=tenant_id,
        details={"email": email, "kind": kind.value, "role_id": role_id and str(role_id)},
    )
    return user


async def create_user(db: AsyncSession, actor: Actor, data: UserCreate) -> User:
    """The password is hashed with the connection given back (only the caller was read)."""
    password_hash = None
    if data.password:
        async with released(db, actor.require_tenant()):
            password_hash = await hash_password(data.password)
    return await add_user(
        db,
        actor,
        actor.require_tenant(),
        email=str(data.email),
        password_hash=password_hash,
        role_id=data.role_id,
        first_name=data.first_name,
        last_name=data.last_name,
    )


USERS = Keyset(By(User.id, uuid.UUID))


async def list_users(db: AsyncSession, page: PageParams) -> tuple[list[User], str | None]:
    rows = (await db.scalars(USERS.apply(select(User), page))).all()
    return USERS.page(rows, page.limit)


async def get_user(db: AsyncSession, user_id: uuid.UUID) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def update_user(db: AsyncSession, actor: Actor, user_id: uuid.UUID, data: UserUpdate) -> User:
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("role_id") is not None:
        await get_role(db, changes["role_id"], field="role_id")
    if user_id == actor.user_id and changes.get("is_active") is False:
        raise Forbidden("You cannot deactivate your own account.")
    user = await compare_and_set(db, User, user_id, data.version, changes)
    if changes.get("is_active") is False:
        await revoke_sessions(db, user.id)
    await audit.record(
        db, actor, "user.updated", "user", user.id, details={k: str(v) for k, v in changes.items()}
    )
    await notify(
        db,
        user.tenant_id,
        user.id,
        "account.updated",
        "Your account was updated",
        f"{actor.label} changed: {', '.join(sorted(changes)) or 'nothing'}.",
        {"changed": sorted(changes), "version": user.version},
    )
    return user


async def revoke_sessions(
    db: AsyncSession, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> None:
    query = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    await db.execute(query.values(revoked_at=utcnow()).execution_options(synchronize_session=False))


ROLES = Keyset(By(Role.name, str), By(Role.id, uuid.UUID))


async def list_roles(db: AsyncSession, page: PageParams) -> tuple[list[Role], str | None]:
    """By name, a page at a time."""
    rows = (await db.scalars(ROLES.apply(select(Role), page))).all()
    return ROLES.page(rows, page.limit)


async def get_role(db: AsyncSession, role_id: uuid.UUID, *, field: str | None = None) -> Role:
    role = await db.get(Role, role_id)
    if role is None:
        if field:
            raise Invalid(field, "No such role in this tenant.")
        raise NotFound("No such role.")
    return role


def _check_catalog(permissions: list[str]) -> None:
    unknown = unknown_permissions(permissions)
    if unknown:
        raise Invalid("permissions", f"Unknown permissions: {', '.join(unknown)}.")


async def _check_role_name_free(db: AsyncSession, name: str) -> None:
    if await db.scalar(select(Role.id).where(Role.name == name)):
        raise Conflict("A role with this name already exists.", type="role-exists")


async def create_role(db: AsyncSession, actor: Actor, data: RoleCreate) -> Role:
    _check_catalog(data.permissions)
    await _check_role_name_free(db, data.name)
    role = Role(
        tenant_id=actor.require_tenant(),
        name=data.name,
        description=data.description,
        permissions=sorted(set(data.permissions)),
    )
    db.add(role)
    await db.flush()
    await audit.record(
        db,
        actor,
        "role.created",
        "role",
        role.id,
        details={"name": role.name, "permissions": role.permissions},
    )
    return role


async def update_role(db: AsyncSession, actor: Actor, role_id: uuid.UUID, data: RoleUpdate) -> Role:
    role = await get_role(db, role_id)
    if role.is_system and role.name == ADMIN_ROLE:
        raise Forbidden("The Admin role cannot be changed.")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("permissions") is not None:
        _check_catalog(changes["permissions"])
        changes["permissions"] = sorted(set(changes["permissions"]))
    if changes.get("name") not in (None, role.name):
        if role.is_system:
            raise Forbidden("Seeded roles keep their names.")
        await _check_role_name_free(db, changes["name"])
    role = await compare_and_set(db, Role, role_id, data.version, changes)
    await audit.record(
        db, actor, "role.updated", "role", role.id, details={k: v for k, v in changes.items()}
    )
    return role


async def create_invite(
    db: AsyncSession, actor: Actor, settings: Settings, email: str, role_id: uuid.UUID | None
) -> Invite:
    """An HMO's invitee gets the role named; a provider organisation's has none (its users
    all hold the provider's permissions), so naming one there is refused."""
    tenant_id = actor.require_tenant()
    email = normalise_email(email)
    tenant = await db.get(Tenant, tenant_id)
    assert tenant is not None
    if tenant.kind is TenantKind.PROVIDER:
        if role_id is not None:
            raise Invalid("role_id", "A provider organisation's users have no roles: leave it out.")
    elif role_id is None:
        raise Invalid("role_id", "Choose the invitee's role.")
    else:
        await get_role(db, role_id, field="role_id")
    if await db.scalar(select(User.id).where(User.email == email)):
        raise Conflict("A user with this email already exists.", type="user-exists")
    token = new_token()
    invite = Invite(
        tenant_id=tenant_id,
        email=email,
        role_id=role_id,
        token_hash=token_digest(token),
        invited_by=actor.user_id,
        expires_at=utcnow() + timedelta(hours=settings.invite_valid_hours),
    )
    db.add(invite)
    queue_email(
        db,
        tenant_id,
        email,
        f"You are invited to {tenant.name} on Vetra",
        f"Accept your invitation: {settings.portal_url}/accept-invite"
        f"?tenant={tenant.slug}&token={token}\n"
        f"It expires in {settings.invite_valid_hours} hours.",
    )
    await db.flush()
    await audit.record(
        db,
        actor,
        "invite.created",
        "invite",
        invite.id,
        details={"email": email, "role_id": role_id and str(role_id)},
    )
    return invite


async def accept_invite(db: AsyncSession, actor: Actor, data: InviteAccept) -> User:
    # Hashed first, before the request takes a connection (the BFF key needs none).
    password_hash = await hash_password(data.password)
    digest = token_digest(data.token)
    await set_auth_lookup(db, digest)
    found = (
        await db.execute(
            select(Invite, Tenant.kind)
            .join(Tenant, Tenant.id == Invite.tenant_id)
            .where(Invite.token_hash == digest, Tenant.slug == data.tenant)
            .with_for_update(of=Invite)
        )
    ).first()
    await set_auth_lookup(db, "")
    invite, tenant_kind = found if found else (None, None)
    if invite is None or invite.accepted_at is not None or invite.expires_at <= utcnow():
        raise ProblemError(
            "The invitation is not valid or has expired.",
            status=400,
            type="invite-invalid",
            title="Invalid invitation",
        )
    await set_tenant(db, invite.tenant_id)
    invite.accepted_at = utcnow()
    return await add_user(
        db,
        actor,
        invite.tenant_id,
        email=invite.email,
        kind=UserKind.PROVIDER if tenant_kind is TenantKind.PROVIDER else UserKind.STAFF,
        password_hash=password_hash,
        role_id=invite.role_id,
        first_name=data.first_name,
        last_name=data.last_name,
    )
