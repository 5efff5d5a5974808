"""Migrations build the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import asyncio
import secrets

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from core_api.models import Base
from tests.db import admin_sql, superuser, with_database


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree() -> None:
    async with superuser() as conn:
        assert await conn.run_sync(_diff) == []


async def test_downgrade_to_base_and_back(database_url: str) -> None:
    name = f"vetra_mig_{secrets.token_hex(4)}"
    await admin_sql(database_url, f'CREATE DATABASE "{name}"')
    try:
        config = Config("alembic.ini")
        config.attributes["database_url"] = with_database(database_url, name)
        await asyncio.to_thread(command.upgrade, config, "head")
        await asyncio.to_thread(command.downgrade, config, "base")
        await asyncio.to_thread(command.upgrade, config, "head")
    finally:
        await admin_sql(database_url, f'DROP DATABASE "{name}" WITH (FORCE)')
