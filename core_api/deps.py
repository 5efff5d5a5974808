"""Request dependencies: the database session, the caller, and route access marks.

Every route declares who may call it with exactly one of:
- `require("area:action")` — a permission the resolved actor must hold
  (`require_on_connection` for the hot read routes that skip the session);
- `authenticated()` — any caller, for what concerns only the caller itself;
- `require_key(ApiKeyScope.X)` — only a key of that scope (e.g. login takes the BFF key);
- `public` — no credentials at all (health checks).
`tests/test_route_access.py` walks every route and fails on one with no mark.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.auth.credentials import Credential, authenticate_key, resolve_actor
from core_api.config import Settings, get_settings
from core_api.db import DriverPool, PgConnection
from core_api.errors import Forbidden
from core_api.models import ApiKeyScope

ACCESS_MARK = "__vetra_access__"


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the route returns, rolled back on error.

    The connection is taken at the first statement. A route may end the transaction early
    to give the connection back while it hashes a password (`core_api.db.released`); its
    next statement begins a new transaction, committed or rolled back the same way."""
    factory = request.app.state.session_factory
    async with factory() as session:  # closing it rolls back whatever is not committed
        yield session
        await session.commit()


DbSession = Annotated[AsyncSession, Depends(get_db, scope="function")]


async def _settings() -> Settings:
    """Async, so FastAPI calls it inline rather than hopping to its thread pool."""
    return get_settings()


SettingsDep = Annotated[Settings, Depends(_settings)]


async def get_credential(request: Request, db: DbSession, settings: SettingsDep) -> Credential:
    return await authenticate_key(db, settings, request.headers.get("x-api-key"))


CredentialDep = Annotated[Credential, Depends(get_credential)]


async def get_actor(request: Request, db: DbSession, credential: CredentialDep) -> Actor:
    return await resolve_actor(db, get_settings(), credential, request)


def _mark(func: Callable[..., Any], mark: str) -> Callable[..., Any]:
    setattr(func, ACCESS_MARK, mark)
    return func


def require(permission: str, *alternatives: str) -> Any:
    """`actor: Annotated[Actor, require("claims:read")]`; any one of several permissions
    may be named (`require("billing:read", "platform:billing")`)."""
    accepted = frozenset((permission, *alternatives))

    async def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        _check_permission(actor, accepted, permission)
        return actor

    return Depends(_mark(check, _permission_mark(accepted)))


@dataclass(frozen=True, slots=True)
class ConnectedActor:
    actor: Actor
    connection: PgConnection  # in the request's transaction


def require_on_connection(permission: str, *alternatives: str) -> Any:
    """`require` for a hot read route that runs on a plain asyncpg connection instead of a
    session (eligibility), where a session costs more CPU than the queries.

    `caller: Annotated[ConnectedActor, require_on_connection("eligibility:check")]`: one
    dependency takes a connection, opens its transaction, resolves the caller on it and
    checks the permission; committed when the route returns, rolled back on error."""
    accepted = frozenset((permission, *alternatives))

    async def connect(request: Request) -> AsyncIterator[ConnectedActor]:
        settings = get_settings()
        pool: DriverPool = request.app.state.driver_pool
        async with pool.connection() as connection, connection.transaction():
            key = request.headers.get("x-api-key")
            credential = await authenticate_key(connection, settings, key)
            actor = await resolve_actor(connection, settings, credential, request)
            _check_permission(actor, accepted, permission)
            yield ConnectedActor(actor, connection)

    return Depends(_mark(connect, _permission_mark(accepted)), scope="function")


def _permission_mark(accepted: frozenset[str]) -> str:
    return "permission:" + "|".join(sorted(accepted))


def _check_permission(actor: Actor, accepted: frozenset[str], named: str) -> None:
    if accepted.isdisjoint(actor.permissions):
        raise Forbidden(f"This action needs the '{named}' permission.", permission=named)


def demand(actor: Actor, permission: str) -> None:
    """A second permission a route needs for one form of its answer (a report as CSV)."""
    _check_permission(actor, frozenset((permission,)), permission)


def authenticated() -> Any:
    """Any resolved actor: for calls about the caller itself (`/me`, logout)."""

    async def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        return actor

    return Depends(_mark(check, "authenticated"))


def require_key(scope: ApiKeyScope) -> Any:
    async def check(credential: CredentialDep) -> Credential:
        if credential.scope is not scope:
            raise Forbidden(f"This endpoint takes a {scope.value} API key.")
        return credential

    return Depends(_mark(check, f"key:{scope.value}"))


async def _public() -> None:
    return None


public: Callable[[], Coroutine[Any, Any, None]] = _mark(_public, "public")
