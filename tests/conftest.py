"""Test fixtures: one fresh PostgreSQL database per run, migrated with alembic.

The server is the one `DATABASE_URL` points at, or else an embedded one under
`.data/test-pg`. Each test works in tenants it creates itself (unique slugs), so tests
never see each other's rows and may commit for real, which concurrency tests need.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from shared.embedded_pg import DEFAULT_DATA_DIR, embedded_url, start_embedded
from tests.db import admin_sql, with_database

os.environ.setdefault("VETRA_ENV", "test")
os.environ.setdefault("VETRA_LOG_LEVEL", "WARNING")
os.environ.setdefault("VETRA_SSE_PING_SECONDS", "1")
# No background mailer: tests/test_mailer.py runs delivery passes itself.
os.environ.setdefault("VETRA_MAIL_INTERVAL_SECONDS", "0")
# No settlement cadence job: tests/test_settlement_cadence.py runs passes itself.
os.environ.setdefault("VETRA_SETTLEMENT_CADENCE_INTERVAL_SECONDS", "0")


@pytest.fixture(scope="session", autouse=True)
def database_url() -> Iterator[str]:
    server_url = os.environ.get("DATABASE_URL") or embedded_url(
        start_embedded(DEFAULT_DATA_DIR / "test-pg")
    )
    name = f"vetra_test_{secrets.token_hex(4)}"
    asyncio.run(admin_sql(server_url, f'CREATE DATABASE "{name}"'))
    url = with_database(server_url, name)
    from scripts.db import migrate

    migrate(url)
    os.environ["DATABASE_URL"] = url
    yield url
    asyncio.run(admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def core_app(database_url: str) -> AsyncIterator[object]:
    from core_api.config import get_settings
    from core_api.main import create_app

    get_settings.cache_clear()
    app = create_app()
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def core(core_app: object) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client for the core API (no key set: tests choose their credential)."""
    transport = httpx.ASGITransport(app=core_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://core") as client:
        yield client


@pytest.fixture(scope="session")
def live_core(database_url: str) -> Iterator[str]:
    """The core API served over real HTTP (its own app instance, engine and listener)."""
    from core_api.config import get_settings
    from core_api.main import create_app
    from tests.live import serve

    get_settings.cache_clear()
    with serve(create_app()) as base_url:
        yield base_url
