"""Alembic environment: runs as the database owner, then re-grants the app role."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from core_api.db import APP_ROLE, async_url
from core_api.models import Base

config = context.config
target_metadata = Base.metadata

ENSURE_APP_ROLE = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  IF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN
    EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
  END IF;
END $$"""

# Re-applied after every upgrade so tables added later are reachable by the app role.
GRANTS = f"""
DO $$ BEGIN
  GRANT USAGE ON SCHEMA public TO {APP_ROLE};
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE};
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE};
  REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE};
  IF to_regclass('audit_events') IS NOT NULL THEN
    REVOKE UPDATE, DELETE ON audit_events FROM {APP_ROLE};
  END IF;
END $$"""


def database_url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("DATABASE_URL is not set (scripts/db.py starts the embedded server)")
    return str(url)


def run_sync(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        connection.execute(text(ENSURE_APP_ROLE))
        context.run_migrations()
        connection.execute(text(GRANTS))


async def run_async() -> None:
    engine = create_async_engine(async_url(database_url()), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_sync)
    await engine.dispose()


def run_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        run_sync(existing)
    else:
        asyncio.run(run_async())
