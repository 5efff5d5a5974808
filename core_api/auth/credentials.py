"""Resolving `x-api-key` (and, for the BFF, `x-session-token`) into an Actor.

Finding a credential row scopes the transaction to that credential's tenant, so every
later statement (touching `last_used_at` included) runs under its RLS policy.

Platform and BFF keys come from the environment and are compared in constant time.
Integration keys are `vk_<prefix>.<secret>`: the prefix finds the row, the SHA-256 of
the secret is compared in constant time with the stored digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access.permissions import (
    CLIENT_PERMISSIONS,
    ENROLLEE_PERMISSIONS,
    PLATFORM_PERMISSIONS,
    PROVIDER_USER_PERMISSIONS,
)
from core_api.auth.actor import Actor, ActorKind
from core_api.config import Settings
from core_api.db import set_auth_lookup, set_tenant
from core_api.errors import Unauthorized
from core_api.models import ApiKey, ApiKeyScope, AuthSession, Role, User, UserKind
from core_api.models.base import utcnow
from core_api.security import constant_time_equal, split_api_key, token_digest

TOUCH_INTERVAL = timedelta(seconds=60)
CLIENT_IP_HEADER = "x-client-ip"
SESSION_HEADER = "x-session-token"

_KIND_PERMISSIONS = {
    UserKind.PROVIDER: PROVIDER_USER_PERMISSIONS,
    UserKind.ENROLLEE: ENROLLEE_PERMISSIONS,
    UserKind.CLIENT: CLIENT_PERMISSIONS,
}


@dataclass(frozen=True, slots=True)
class Credential:
    scope: ApiKeyScope
    api_key: ApiKey | None = None


async def authenticate_key(db: AsyncSession, settings: Settings, key: str | None) -> Credential:
    if not key:
        raise Unauthorized("The x-api-key header is required.", type="api-key-missing")
    platform_match = constant_time_equal(key, settings.platform_api_key)
    bff_match = constant_time_equal(key, settings.bff_api_key)
    if platform_match:
        return Credential(ApiKeyScope.PLATFORM)
    if bff_match:
        return Credential(ApiKeyScope.BFF)
    api_key = await _stored_key(db, key)
    if api_key is None:
        raise Unauthorized("The API key is not valid.", type="api-key-invalid")
    now = utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > TOUCH_INTERVAL:
        api_key.last_used_at = now
    return Credential(api_key.scope, api_key)


async def _stored_key(db: AsyncSession, key: str) -> ApiKey | None:
    parts = split_api_key(key)
    if parts is None:
        return None
    prefix, secret = parts
    await set_auth_lookup(db, prefix)
    row = await db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    await set_auth_lookup(db, "")
    if row is None or row.revoked_at is not None:
        return None
    if not constant_time_equal(token_digest(secret), row.key_hash):
        return None
    await set_tenant(db, row.tenant_id)
    return row


async def resolve_actor(
    db: AsyncSession, settings: Settings, credential: Credential, request: Request
) -> Actor:
    request_id = getattr(request.state, "request_id", None)
    ip = request.client.host if request.client else None
    if credential.scope is ApiKeyScope.PLATFORM:
        return Actor(
            ActorKind.PLATFORM, "platform", PLATFORM_PERMISSIONS, request_id=request_id, ip=ip
        )
    if credential.scope is ApiKeyScope.BFF:
        ip = request.headers.get(CLIENT_IP_HEADER) or ip
        return await _session_actor(
            db, settings, request.headers.get(SESSION_HEADER), request_id=request_id, ip=ip
        )
    api_key = credential.api_key
    assert api_key is not None
    return Actor(
        ActorKind.INTEGRATION,
        f"api-key:{api_key.name}",
        frozenset(api_key.permissions),
        tenant_id=api_key.tenant_id,
        api_key_id=api_key.id,
        request_id=request_id,
        ip=ip,
    )


async def _session_actor(
    db: AsyncSession,
    settings: Settings,
    token: str | None,
    *,
    request_id: str | None,
    ip: str | None,
) -> Actor:
    if not token:
        raise Unauthorized("A user session is required.", type="session-missing")
    session = await find_live_session(db, settings, token)
    if session is None:
        raise Unauthorized("The session has expired or was revoked.", type="session-expired")
    user = await db.get(User, session.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The account is disabled.", type="session-expired")
    return Actor(
        ActorKind.USER,
        user.email,
        await user_permissions(db, user),
        tenant_id=user.tenant_id,
        user_id=user.id,
        user_kind=user.kind,
        session_id=session.id,
        client_id=user.client_id,
        enrollee_id=user.enrollee_id,
        request_id=request_id,
        ip=ip,
    )


async def find_live_session(db: AsyncSession, settings: Settings, token: str) -> AuthSession | None:
    digest = token_digest(token)
    await set_auth_lookup(db, digest)
    session = await db.scalar(select(AuthSession).where(AuthSession.token_hash == digest))
    await set_auth_lookup(db, "")
    now = utcnow()
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    if (
        session is None
        or session.revoked_at is not None
        or session.expires_at <= now
        or session.last_seen_at + idle_limit <= now
    ):
        return None
    await set_tenant(db, session.tenant_id)
    if now - session.last_seen_at > TOUCH_INTERVAL:
        session.last_seen_at = now
    return session


async def user_permissions(db: AsyncSession, user: User) -> frozenset[str]:
    if user.kind is not UserKind.STAFF:
        return _KIND_PERMISSIONS[user.kind]
    if user.role_id is None:
        return frozenset({"notifications:read", "me:export"})
    role = await db.get(Role, user.role_id)
    return frozenset(role.permissions) if role else frozenset()


def anonymous_actor(request: Request, label: str) -> Actor:
    """An actor for the pre-login calls the BFF relays (login, accepting an invite)."""
    ip = request.headers.get(CLIENT_IP_HEADER) or (request.client.host if request.client else None)
    return Actor(
        ActorKind.USER,
        label,
        frozenset(),
        request_id=getattr(request.state, "request_id", None),
        ip=ip,
    )
