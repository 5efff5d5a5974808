"""Resolving `x-api-key` (and, for the BFF, `x-session-token`) into an Actor.

Finding a credential row scopes the transaction to that credential's tenant, so every
later statement (touching `last_used_at` included) runs under its RLS policy.

Platform and BFF keys come from the environment and are compared in constant time.
Integration keys are `vk_<prefix>.<secret>`: the prefix finds the row, the SHA-256 of
the secret is compared in constant time with the stored digest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request

from core_api.access.permissions import (
    CLIENT_PERMISSIONS,
    ENROLLEE_PERMISSIONS,
    PLATFORM_PERMISSIONS,
    PROVIDER_USER_PERMISSIONS,
)
from core_api.auth.actor import Actor, ActorKind
from core_api.config import Settings
from core_api.db import Db, execute, fetch_row
from core_api.errors import Unauthorized
from core_api.models import ApiKeyScope, UserKind
from core_api.models.base import utcnow
from core_api.security import constant_time_equal, split_api_key, token_digest

TOUCH_INTERVAL = timedelta(seconds=60)
CLIENT_IP_HEADER = "x-client-ip"
SESSION_HEADER = "x-session-token"

# Each sets the found row's tenant for the rest of the transaction (see the migration).
# Plain SQL, so that a session and a driver connection run them alike (`core_api.db`).
FIND_API_KEY = "select * from vetra_find_api_key($1)"
FIND_SESSION = "select * from vetra_find_session($1)"
# Recording the use (at most once a minute) skips a row another request is recording:
# otherwise every request with that key or session would queue behind that one's commit.
TOUCH_API_KEY = (
    "update api_keys set last_used_at = $2"
    " where id = (select id from api_keys where id = $1 for no key update skip locked)"
)
TOUCH_SESSION = (
    "update auth_sessions set last_seen_at = $2"
    " where id = (select id from auth_sessions where id = $1 for no key update skip locked)"
)

_KIND_PERMISSIONS = {
    UserKind.PROVIDER: PROVIDER_USER_PERMISSIONS,
    UserKind.ENROLLEE: ENROLLEE_PERMISSIONS,
    UserKind.CLIENT: CLIENT_PERMISSIONS,
}


@dataclass(frozen=True, slots=True)
class StoredKey:
    """What a request needs of an integration key row."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    scope: ApiKeyScope
    permissions: frozenset[str]


@dataclass(frozen=True, slots=True)
class Credential:
    scope: ApiKeyScope
    api_key: StoredKey | None = None


async def authenticate_key(db: Db, settings: Settings, key: str | None) -> Credential:
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
    return Credential(api_key.scope, api_key)


async def _stored_key(db: Db, key: str) -> StoredKey | None:
    """The live key, its tenant now in force (`vetra_find_api_key`, one round trip)."""
    parts = split_api_key(key)
    if parts is None:
        return None
    prefix, secret = parts
    row = await fetch_row(db, FIND_API_KEY, prefix)
    if row is None or row["revoked_at"] is not None:
        return None
    if not constant_time_equal(token_digest(secret), row["key_hash"]):
        return None
    now = utcnow()
    if row["last_used_at"] is None or now - row["last_used_at"] > TOUCH_INTERVAL:
        await execute(db, TOUCH_API_KEY, row["id"], now)
    return StoredKey(
        row["id"],
        row["tenant_id"],
        row["name"],
        ApiKeyScope(row["scope"]),
        frozenset(row["permissions"]),
    )


async def resolve_actor(
    db: Db, settings: Settings, credential: Credential, request: Request
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
        api_key.permissions,
        tenant_id=api_key.tenant_id,
        api_key_id=api_key.id,
        key_scope=api_key.scope,
        request_id=request_id,
        ip=ip,
    )


async def _session_actor(
    db: Db,
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
    if not session.is_active:
        raise Unauthorized("The account is disabled.", type="session-expired")
    return Actor(
        ActorKind.USER,
        session.email,
        session.permissions,
        tenant_id=session.tenant_id,
        user_id=session.user_id,
        user_kind=session.kind,
        session_id=session.id,
        client_id=session.client_id,
        enrollee_id=session.enrollee_id,
        request_id=request_id,
        ip=ip,
    )


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A session that is neither revoked nor expired, with what its user may do."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    kind: UserKind
    is_active: bool
    client_id: uuid.UUID | None
    enrollee_id: uuid.UUID | None
    permissions: frozenset[str]


async def find_live_session(db: Db, settings: Settings, token: str) -> LiveSession | None:
    """The session of `token`, its tenant now in force (`vetra_find_session`: the session,
    its user and the role's permissions in one round trip)."""
    row = await fetch_row(db, FIND_SESSION, token_digest(token))
    now = utcnow()
    if (
        row is None
        or row["user_id"] is None
        or not session_stands(
            settings, now, row["revoked_at"], row["expires_at"], row["last_seen_at"]
        )
    ):
        return None
    if now - row["last_seen_at"] > TOUCH_INTERVAL:
        await execute(db, TOUCH_SESSION, row["session_id"], now)
    kind = UserKind(row["kind"])
    return LiveSession(
        id=row["session_id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        email=row["email"],
        kind=kind,
        is_active=row["is_active"],
        client_id=row["client_id"],
        enrollee_id=row["enrollee_id"],
        permissions=_permissions(kind, row["role_id"], row["role_permissions"]),
    )


def session_stands(
    settings: Settings,
    now: datetime,
    revoked_at: datetime | None,
    expires_at: datetime,
    last_seen_at: datetime,
) -> bool:
    """Neither revoked, nor past its absolute expiry, nor idle for too long."""
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    return revoked_at is None and expires_at > now and last_seen_at + idle_limit > now


def _permissions(
    kind: UserKind, role_id: uuid.UUID | None, role_permissions: list[str] | None
) -> frozenset[str]:
    if kind is not UserKind.STAFF:
        return _KIND_PERMISSIONS[kind]
    if role_id is None:
        return frozenset({"notifications:read", "me:export"})
    return frozenset(role_permissions or ())


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
