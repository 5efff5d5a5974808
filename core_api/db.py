"""Engine, sessions and the per-transaction tenant setting that Row-Level Security reads.

The app connects through the `vetra_app` role, which RLS applies to; migrations run as
the database owner. Every transaction sets `app.tenant_id` (and, only while resolving a
credential, `app.auth_lookup`) with `set_config(..., is_local => true)`, so the value
dies with the transaction and can never leak to the next user of a pooled connection.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeAlias, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy import BindParameter, ClauseElement, event, exc, literal_column, text
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler

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


def _server_settings(as_app_role: bool) -> dict[str, str]:
    server_settings = {"application_name": "vetra-core"}
    if as_app_role:
        server_settings["role"] = APP_ROLE
    return server_settings


def create_engine(url: str, *, pool_size: int = 10, as_app_role: bool = True) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"server_settings": _server_settings(as_app_role)},
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """The pool's liveness check without a round trip (unlike `pool_pre_ping`, which costs
    three per request): a server that restarted or dropped the connection closed its
    socket, which asyncpg has seen, so the pool discards it and connects afresh."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this connection")


class DriverPool:
    """Plain asyncpg connections for the hot read paths (eligibility), where SQLAlchemy's
    session and pool would cost more CPU than the query itself, handed out in the order
    they were asked for.

    asyncpg's own pool gives a released connection to whichever request asks next; a
    waiter that was woken but beaten to it queues again at the back, so under load a few
    requests wait turn after turn (with 32 clients on 10 connections, p99 was four times
    p50). A semaphore as large as the pool goes first: it hands each freed place straight
    to the oldest waiter, and asyncpg's pool then never has to make anyone wait.

    Connections are handed back without asyncpg's reset round trip: the transaction is
    always closed by then, and these connections never LISTEN, lock or hold session state.
    """

    def __init__(self, pool: Any, size: int, wait_seconds: float = 30.0) -> None:
        self._pool = pool
        self._turns = asyncio.Semaphore(size)
        self._wait_seconds = wait_seconds  # for a connection, as SQLAlchemy's pool waits

    @classmethod
    async def open(cls, url: str, *, size: int = 10, wait_seconds: float = 30.0) -> DriverPool:
        pool = await asyncpg.create_pool(
            plain_url(url),
            min_size=0,
            max_size=size,
            # The hot statements are few and fixed, and asyncpg prepares each once per
            # connection: a generic plan spares the server planning them anew on every
            # call, which it would otherwise do (a custom plan looks cheaper) at several
            # times the cost of running them.
            server_settings={**_server_settings(True), "plan_cache_mode": "force_generic_plan"},
            reset=_keep_session,
        )
        return cls(pool, size, wait_seconds)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        """An asyncpg.Connection, or TimeoutError when none is free in time."""
        deadline = time.monotonic() + self._wait_seconds
        if self._turns.locked():
            async with asyncio.timeout(self._wait_seconds):
                await self._turns.acquire()
        else:
            await self._turns.acquire()  # at once
        try:
            # Free by now, unless a new connection is still being opened.
            left = max(deadline - time.monotonic(), 0.001)
            async with self._pool.acquire(timeout=left) as connection:
                yield connection
        finally:
            self._turns.release()

    async def close(self) -> None:
        await self._pool.close()


async def _keep_session(connection: Any) -> None:
    return None


class DriverStatement:
    """A Core statement compiled once into asyncpg's SQL (`$n` parameters), so that a
    driver connection runs it without SQLAlchemy; `args` orders a call's values.

    The constants it was built with (`status = 'ACTIVE'`, `LIMIT 1`) are written into the
    text rather than passed as parameters: the generic plan then still sees them, and can
    use a partial index whose predicate they satisfy."""

    def __init__(self, statement: ClauseElement) -> None:
        inlined = cast(
            ClauseElement, visitors.replacement_traverse(statement, {}, _constant_as_literal)
        )
        compiled = cast(SQLCompiler, inlined.compile(dialect=_ASYNCPG))
        self.sql = compiled.string
        self._names = tuple(compiled.positiontup or ())

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] for name in self._names]


def _constant_as_literal(element: Any, **kw: Any) -> Any:
    if isinstance(element, BindParameter) and not element.required:
        literal = element.compile(dialect=_ASYNCPG, compile_kwargs={"literal_binds": True})
        return literal_column(literal.string, element.type)
    return None


_ASYNCPG = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


class PgConnection(Protocol):
    """What is used of an asyncpg connection (asyncpg ships no type hints)."""

    async def fetchrow(self, query: str, *args: Any) -> Any: ...
    async def fetch(self, query: str, *args: Any) -> Any: ...
    async def execute(self, query: str, *args: Any) -> Any: ...


Db: TypeAlias = AsyncSession | PgConnection
"""Where a query runs: the request's session, or a driver connection in a transaction."""


async def fetch_row(db: Db, sql: str, *args: Any) -> Mapping[str, Any] | None:
    """The first row of `sql` (with PostgreSQL's own `$1` parameters), by column name."""
    if isinstance(db, AsyncSession):
        result = await (await db.connection()).exec_driver_sql(sql, args)
        return cast(Mapping[str, Any] | None, result.mappings().first())
    row: Mapping[str, Any] | None = await db.fetchrow(sql, *args)
    return row


async def fetch_rows(db: Db, sql: str, *args: Any) -> Sequence[Mapping[str, Any]]:
    if isinstance(db, AsyncSession):
        result = await (await db.connection()).exec_driver_sql(sql, args)
        return cast(Sequence[Mapping[str, Any]], result.mappings().all())
    rows: Sequence[Mapping[str, Any]] = await db.fetch(sql, *args)
    return rows


async def execute(db: Db, sql: str, *args: Any) -> None:
    if isinstance(db, AsyncSession):
        await (await db.connection()).exec_driver_sql(sql, args)
    else:
        await db.execute(sql, *args)


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
async def released(session: AsyncSession, tenant_id: uuid.UUID | None) -> AsyncIterator[None]:
    """Commits the request's transaction so far, so its connection goes back to the pool
    while the block awaits something slow that needs no database (hashing a password);
    after it, a new transaction begins in `tenant_id`.

    Only for the start of a route's work, when nothing but resolving the caller has run:
    whatever came before is committed on its own. Rows loaded before stay usable
    (`expire_on_commit=False`) but are no longer locked: read them again to rely on them.
    """
    await session.commit()
    yield
    await set_tenant(session, tenant_id)


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
