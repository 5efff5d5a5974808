"""Demo data for local runs: one HMO tenant with a login per seeded role.

Everything goes through the services, exactly as the API would do it, so the rows,
audit entries and Row-Level Security are the real thing. Seeding is idempotent: when a
tenant with slug `demo` exists nothing is written and the logins are only reported.
Each area has its own function taking a `DemoContext`; later areas (plans, enrollees,
claims) add a function and a line in `seed_demo`.

    python -m core_api.seed      # seeds the database of DATABASE_URL and prints the logins
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access import service as access
from core_api.access.permissions import PLATFORM_PERMISSIONS
from core_api.access.schemas import ApiKeyCreate
from core_api.auth import service as auth
from core_api.auth.actor import Actor, ActorKind
from core_api.db import create_engine, session_factory, set_tenant
from core_api.models import ApiKeyScope, Role
from core_api.tenants import service as tenants
from core_api.tenants.schemas import TenantCreate

DEMO_SLUG = "demo"
DEMO_NAME = "Demo HMO"
DEMO_CODE = "DEMO"
DEMO_PASSWORD = "vetra-demo-2026"  # noqa: S105 -- a public demo login, printed at start
DEMO_EMAIL_DOMAIN = "demo.example.com"

# (role, email local part); the first is the tenant's first admin.
DEMO_STAFF: tuple[tuple[str, str], ...] = (
    ("Admin", "admin"),
    ("Claims Manager", "claims.manager"),
    ("Adjudicator", "adjudicator"),
    ("Finance", "finance"),
    ("Provider Relations", "provider.relations"),
    ("Read-only", "readonly"),
)
INTEGRATION_KEY_PERMISSIONS = ("eligibility:check", "enrollees:read", "plans:read", "claims:read")


@dataclass(frozen=True, slots=True)
class Login:
    tenant: str
    email: str
    role: str


@dataclass
class DemoResult:
    created: bool
    password: str
    logins: list[Login] = field(default_factory=list)
    integration_key: str | None = None  # only when created now: the key is shown once

    def table(self) -> str:
        rows = [("tenant", "email", "role")]
        rows += [(login.tenant, login.email, login.role) for login in self.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append(f"password for every demo login: {self.password}")
        if self.integration_key:
            lines.append(f"integration API key (shown once, x-api-key): {self.integration_key}")
        return "\n".join(lines)


@dataclass
class DemoContext:
    """What one area's seeding hands to the next."""

    db: AsyncSession
    actor: Actor
    tenant_id: uuid.UUID
    password: str
    roles: dict[str, uuid.UUID]
    result: DemoResult


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_EMAIL_DOMAIN}"


def demo_logins() -> list[Login]:
    return [Login(DEMO_SLUG, demo_email(local), role) for role, local in DEMO_STAFF]


def seed_actor(tenant_id: uuid.UUID | None = None) -> Actor:
    return Actor(ActorKind.PLATFORM, "demo-seed", PLATFORM_PERMISSIONS, tenant_id=tenant_id)


async def seed_tenant(db: AsyncSession, password: str, result: DemoResult) -> DemoContext:
    """The tenant, its seeded roles and its first admin (`create_tenant` sets `app.tenant_id`)."""
    actor = seed_actor()
    admin_local = DEMO_STAFF[0][1]
    tenant, _admin = await tenants.create_tenant(
        db,
        actor,
        TenantCreate(
            slug=DEMO_SLUG,
            name=DEMO_NAME,
            code=DEMO_CODE,
            admin_email=demo_email(admin_local),
            admin_password=password,
        ),
    )
    roles = {role.name: role.id for role in await db.scalars(select(Role))}
    return DemoContext(db, seed_actor(tenant.id), tenant.id, password, roles, result)


async def seed_staff(ctx: DemoContext) -> None:
    """One staff user per seeded role besides Admin (created with the tenant)."""
    for role, local in DEMO_STAFF[1:]:
        await access.add_staff_user(
            ctx.db,
            ctx.actor,
            ctx.tenant_id,
            email=demo_email(local),
            password=ctx.password,
            role_id=ctx.roles[role],
            first_name=role,
            last_name="Demo",
        )


async def seed_integration_key(ctx: DemoContext) -> None:
    """A tenant integration key for trying the partner API (read and eligibility only)."""
    key_actor = Actor(
        ActorKind.PLATFORM,
        "demo-seed",
        frozenset(INTEGRATION_KEY_PERMISSIONS),
        tenant_id=ctx.tenant_id,
    )
    _api_key, key = await auth.create_api_key(
        ctx.db,
        key_actor,
        ApiKeyCreate(
            name="Demo partner",
            scope=ApiKeyScope.TENANT_INTEGRATION,
            permissions=list(INTEGRATION_KEY_PERMISSIONS),
        ),
    )
    ctx.result.integration_key = key


async def seed_demo(url: str, *, password: str = DEMO_PASSWORD) -> DemoResult:
    """Seeds the demo tenant into the database at `url` (the owner's URL), once."""
    result = DemoResult(created=False, password=password, logins=demo_logins())
    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as db, db.begin():
            await set_tenant(db, None)
            if await tenants.get_by_slug(db, DEMO_SLUG) is not None:
                return result
            ctx = await seed_tenant(db, password, result)
            await seed_staff(ctx)
            await seed_integration_key(ctx)
            result.created = True
    finally:
        await engine.dispose()
    return result


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set (make run seeds the embedded server itself)")
    result = asyncio.run(seed_demo(url))
    print("seeded the demo tenant" if result.created else "the demo tenant already exists")
    print(result.table())


if __name__ == "__main__":
    main()
