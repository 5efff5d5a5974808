"""Engine, sessions and the per-transaction tenant setting that Row-Level Security reads.

The app connects through the `vetra_app` role, which RLS applies to; migrations run as
the database owner. Every transaction sets `app.tenant_id` (and, only while resolving a
credential, `app.auth_lookup`) with `set_config(..., is_local => true)`, so the value
dies with the transaction and can never leak to the next user of a pooled connection.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

APP_ROLE = "vetra_app"


def async_url(url: str) -> str:
    """`postgresql://…` (any driver suffix) → `postgresql+asyncpg://…`."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise ValueError(f"DATABASE_URL must be a postgresql:// URL, got {scheme}://")
    return urlunsplit(("postgresql+asyncpg", *parts[1:]))


def plain_url(url: str) -> str:
    """The URL as libpq/asyncpg understand it (no SQLAlchemy driver suffix)."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def create_engine(url: str, *, pool_size: int = 10, as_app_role: bool = True) -> AsyncEngine:
    server_settings = {"application_name": "vetra-core"}
    if as_app_role:
        server_settings["role"] = APP_ROLE
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"server_settings": server_settings},
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """The pool's liveness check without a round trip (unlike `pool_pre_ping`, which costs
    three per request): a server that restarted or dropped the connection closed its
    socket, which asyncpg has seen, so the pool discards it and connects afresh."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this connection")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def set_tenant(session: AsyncSession, tenant_id: uuid.UUID | None) -> None:
    await session.execute(
        text("select set_config('app.tenant_id', :value, true)"),
        {"value": str(tenant_id) if tenant_id else ""},
    )


async def set_auth_lookup(session: AsyncSession, value: str) -> None:
    """Lets this transaction see the one credential row whose secret-derived key it knows."""
    await session.execute(
        text("select set_config('app.auth_lookup', :value, true)"), {"value": value}
    )


@asynccontextmanager
async def tenant_transaction(
    factory: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> AsyncIterator[AsyncSession]:
    """A fresh transaction scoped to one tenant, for work outside a request (jobs, streams)."""
    async with factory() as session, session.begin():
        await set_tenant(session, tenant_id)
        yield session


@asynccontextmanager
async def as_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> AsyncIterator[None]:
    """Works in another tenant for a moment (e.g. to find a provider's users), then back.

    Pending changes are flushed first, so nothing of the caller's tenant is written
    while the other tenant is in force.
    """
    await session.flush()
    previous = await session.scalar(text("select current_setting('app.tenant_id', true)"))
    await set_tenant(session, tenant_id)
    try:
        yield
    finally:
        await session.flush()
        await session.execute(
            text("select set_config('app.tenant_id', :value, true)"), {"value": previous or ""}
        )
