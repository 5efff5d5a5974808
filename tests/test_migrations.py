"""Migrations build the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date

import asyncpg
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


# A tenant with two clients just before `covered_since` came: ACME has enrollees covered
# from before its row was created, NEW has none.
BEFORE_COVERED_SINCE = """
INSERT INTO tenants (id, slug, name, code, kind, created_at)
  VALUES ('00000000-0000-7000-8000-000000000001', 'mig', 'Mig', 'MIG', 'HMO', now());
INSERT INTO plans (id, tenant_id, created_at, code, name, currency, is_active,
                   current_version_no, version)
  VALUES ('00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000001',
          now(), 'GOLD', 'Gold', 'NGN', true, 1, 1);
INSERT INTO clients (id, tenant_id, created_at, code, name, member_seq, version) VALUES
  ('00000000-0000-7000-8000-000000000003', '00000000-0000-7000-8000-000000000001',
   '2026-03-10 23:30+00', 'ACME', 'Acme', 2, 1),
  ('00000000-0000-7000-8000-000000000004', '00000000-0000-7000-8000-000000000001',
   '2026-03-10 23:30+00', 'NEW', 'New', 0, 1);
INSERT INTO enrollees (id, tenant_id, created_at, member_id, client_id, plan_id,
                       relationship, member_no, first_name, last_name, date_of_birth, sex,
                       status, coverage_start, version)
SELECT gen_random_uuid(), '00000000-0000-7000-8000-000000000001', now(),
       'MIG-ACME-0000' || n || '-P', '00000000-0000-7000-8000-000000000003',
       '00000000-0000-7000-8000-000000000002', 'PRINCIPAL', n, 'A', 'B', '1980-01-01', 'F',
       'ACTIVE', start, 1
  FROM (VALUES (1, date '2025-02-01'), (2, date '2025-06-01')) AS v(n, start)
"""


async def test_existing_clients_are_covered_since_their_first_coverage(database_url: str) -> None:
    """The migration that adds `covered_since` dates each existing client from its
    enrollees' earliest coverage start, or its own creation day (UTC) when earlier."""
    name = f"vetra_mig_{secrets.token_hex(4)}"
    await admin_sql(database_url, f'CREATE DATABASE "{name}"')
    url = with_database(database_url, name)
    try:
        config = Config("alembic.ini")
        config.attributes["database_url"] = url
        await asyncio.to_thread(command.upgrade, config, "f99475e13214")
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(BEFORE_COVERED_SINCE)
            await asyncio.to_thread(command.upgrade, config, "head")
            found = dict(await conn.fetch("SELECT code, covered_since FROM clients"))
        finally:
            await conn.close()
        assert found == {"ACME": date(2025, 2, 1), "NEW": date(2026, 3, 10)}
    finally:
        await admin_sql(database_url, f'DROP DATABASE "{name}" WITH (FORCE)')
