"""Logging in and out, changing a password, and integration API keys."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core_api.access.schemas import ApiKeyCreate, PasswordChange, SessionCreate
from core_api.access.service import normalise_email, revoke_sessions
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.config import Settings
from core_api.db import released, set_tenant
from core_api.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from core_api.kit.pagination import By, Keyset, PageParams, newest_first
from core_api.models import ApiKey, ApiKeyScope, AuthSession, Provider, Tenant, TenantKind, User
from core_api.models.base import utcnow
from core_api.network.service import own_provider
from core_api.notifications.service import notify
from core_api.security import hash_password, new_api_key, new_token, token_digest, verify_password

_INTEGRATION_SCOPE_FOR = {
    TenantKind.HMO: ApiKeyScope.TENANT_INTEGRATION,
    TenantKind.PROVIDER: ApiKeyScope.PROVIDER_INTEGRATION,
}


async def login(
    factory: async_sessionmaker[AsyncSession],
    db: AsyncSession,
    settings: Settings,
    actor: Actor,
    data: SessionCreate,
    user_agent: str | None,
) -> tuple[str, AuthSession, User]:
    """No connection is held while the password is verified: the account is read in a
    short transaction of its own, and the session is written in the request's (`db`, not
    yet connected), after reading the account again under a row lock."""
    async with factory() as lookup, lookup.begin():
        stored = await _login_account(lookup, data)
    password_ok = await verify_password(data.password, stored.password_hash if stored else None)
    if stored is None or not password_ok:
        raise _invalid_credentials()
    if not stored.is_active:  # told only to whoever knows the password
        raise Forbidden(
            "This account has been deactivated: ask your organisation's administrator.",
            type="account-deactivated",
        )
    await set_tenant(db, stored.tenant_id)
    # Still the account that was verified: active, and its password unchanged since. The
    # lock orders this login with a concurrent password change or deactivation, whose
    # session revocation then sees the session made here.
    user = await db.scalar(select(User).where(User.id == stored.id).with_for_update(key_share=True))
    if user is None or not user.is_active or user.password_hash != stored.password_hash:
        raise _invalid_credentials()
    now = utcnow()
    token = new_token()
    session = AuthSession(
        tenant_id=user.tenant_id,
        user_id=user.id,
        token_hash=token_digest(token),
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
        ip=actor.ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    db.add(session)
    user.last_login_at = now
    await db.flush()
    user_actor = dataclasses.replace(
        actor, label=user.email, user_id=user.id, tenant_id=user.tenant_id, user_kind=user.kind
    )
    await audit.record(db, user_actor, "auth.login", "session", session.id)
    return token, session, user


@dataclasses.dataclass(frozen=True, slots=True)
class _StoredAccount:
    id: uuid.UUID
    tenant_id: uuid.UUID
    password_hash: str | None
    is_active: bool


async def _login_account(db: AsyncSession, data: SessionCreate) -> _StoredAccount | None:
    tenant_id = await db.scalar(select(Tenant.id).where(Tenant.slug == data.tenant.lower()))
    if tenant_id is None:
        return None
    await set_tenant(db, tenant_id)
    row = (
        await db.execute(
            select(User.id, User.tenant_id, User.password_hash, User.is_active).where(
                User.email == normalise_email(data.email)
            )
        )
    ).first()
    return _StoredAccount(*row) if row else None


def _invalid_credentials() -> Unauthorized:
    return Unauthorized("The tenant, email or password is wrong.", type="invalid-credentials")


async def logout(db: AsyncSession, actor: Actor) -> None:
    session = await db.get(AuthSession, actor.session_id) if actor.session_id else None
    if session is None:
        raise Forbidden("Only a user session can be ended here.")
    session.revoked_at = utcnow()
    await audit.record(db, actor, "auth.logout", "session", session.id)


def _own_session(actor: Actor) -> tuple[uuid.UUID, uuid.UUID]:
    if actor.user_id is None or actor.session_id is None:
        raise Forbidden("Only a signed-in user has sessions.")
    return actor.user_id, actor.session_id


SESSIONS = newest_first(AuthSession.id)


async def list_own_sessions(
    db: AsyncSession, actor: Actor, settings: Settings, page: PageParams
) -> tuple[list[AuthSession], str | None]:
    """The caller's sessions still standing (not revoked, expired or idle), the newest
    sign-in first."""
    user_id, _ = _own_session(actor)
    now = utcnow()
    query = select(AuthSession).where(
        AuthSession.user_id == user_id,
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > now,
        AuthSession.last_seen_at > now - timedelta(minutes=settings.session_idle_minutes),
    )
    rows = (await db.scalars(SESSIONS.apply(query, page))).all()
    return SESSIONS.page(rows, page.limit)


async def end_own_session(db: AsyncSession, actor: Actor, session_id: uuid.UUID) -> None:
    """Signs one of the caller's sessions out (its event streams end at once). Another
    user's session is a 404; one already ended stays ended."""
    user_id, _ = _own_session(actor)
    session = await db.scalar(
        select(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user_id)
    )
    if session is None:
        raise NotFound("No such session.")
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        await audit.record(db, actor, "auth.session_ended", "session", session.id)


async def end_own_sessions(db: AsyncSession, actor: Actor, *, keep_current: bool) -> None:
    """Signs the caller out everywhere: every other session, and this one unless kept."""
    user_id, current = _own_session(actor)
    await revoke_sessions(db, user_id, keep=current if keep_current else None)
    await audit.record(
        db, actor, "auth.sessions_ended", "user", user_id, details={"kept_current": keep_current}
    )


async def change_password(db: AsyncSession, actor: Actor, data: PasswordChange) -> None:
    """The connection is given back while the passwords are verified and hashed; the new
    hash is then written only if the old one is still in place (a concurrent change wins
    once)."""
    user = await db.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise Forbidden("Only a user can change their password.")
    old_hash = user.password_hash
    async with released(db, user.tenant_id):
        if not await verify_password(data.current_password, old_hash):
            raise Invalid("current_password", "The current password is wrong.")
        new_hash = await hash_password(data.new_password)
    changed = await db.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == old_hash, User.is_active)
        .values(password_hash=new_hash, password_changed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], changed).rowcount != 1:
        raise Conflict(
            "The password was changed meanwhile; sign in again.", type="password-changed"
        )
    await revoke_sessions(db, user.id, keep=actor.session_id)
    await audit.record(db, actor, "auth.password_changed", "user", user.id)
    await notify(
        db,
        user.tenant_id,
        user.id,
        "security.password_changed",
        "Your password was changed",
        "Your other sessions were signed out.",
    )


async def create_api_key(db: AsyncSession, actor: Actor, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    tenant = await db.get(Tenant, actor.require_tenant())
    assert tenant is not None
    allowed_scope = _INTEGRATION_SCOPE_FOR[tenant.kind]
    if data.scope is not allowed_scope:
        raise Invalid("scope", f"This tenant can only create {allowed_scope.value} keys.")
    permissions = set(data.permissions) if data.permissions is not None else set(actor.permissions)
    beyond = sorted(permissions - actor.permissions)
    if beyond:
        raise Forbidden(f"A key cannot hold permissions you lack: {', '.join(beyond)}.")
    provider_id = data.provider_id
    if data.scope is ApiKeyScope.PROVIDER_INTEGRATION:  # tied to the caller's own provider
        own = await db.scalar(select(Provider.id).where(Provider.org_tenant_id == tenant.id))
        provider_id = own_provider(own, data.provider_id, "holds keys")
    key, prefix, digest = new_api_key()
    api_key = ApiKey(
        tenant_id=tenant.id,
        name=data.name,
        scope=data.scope,
        prefix=prefix,
        key_hash=digest,
        permissions=sorted(permissions),
        provider_id=provider_id,
        created_by=actor.user_id,
    )
    db.add(api_key)
    await db.flush()
    await audit.record(
        db,
        actor,
        "api_key.created",
        "api_key",
        api_key.id,
        details={"name": data.name, "scope": data.scope.value},
    )
    return api_key, key


API_KEYS = Keyset(By(ApiKey.id, uuid.UUID))


async def list_api_keys(db: AsyncSession, page: PageParams) -> tuple[list[ApiKey], str | None]:
    """Oldest first, a page at a time."""
    rows = (await db.scalars(API_KEYS.apply(select(ApiKey), page))).all()
    return API_KEYS.page(rows, page.limit)


async def revoke_api_key(db: AsyncSession, actor: Actor, key_id: uuid.UUID) -> None:
    api_key = await db.get(ApiKey, key_id)
    if api_key is None:
        raise NotFound("No such API key.")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        await audit.record(db, actor, "api_key.revoked", "api_key", api_key.id)
