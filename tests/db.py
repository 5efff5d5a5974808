"""Direct database access for tests that must look under the API (as owner or app role)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from core_api.db import APP_ROLE, async_url


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def admin_sql(url: str, sql: str) -> None:
    """Runs one statement on the server's `postgres` database (CREATE/DROP DATABASE)."""
    conn = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def superuser() -> AsyncIterator[AsyncConnection]:
    """The database owner: not subject to Row-Level Security. Commits on exit."""
    engine = create_async_engine(async_url(os.environ["DATABASE_URL"]))
    try:
        async with engine.begin() as conn:
            yield conn
    finally:
        await engine.dispose()


@asynccontextmanager
async def app_role() -> AsyncIterator[AsyncConnection]:
    """A connection as the app's role, exactly as the core connects."""
    engine = create_async_engine(
        async_url(os.environ["DATABASE_URL"]),
        connect_args={"server_settings": {"role": APP_ROLE}},
    )
    try:
        async with engine.connect() as conn:
            yield conn
    finally:
        await engine.dispose()
