"""Creating a tenant: the organisation row and its first user (an HMO also gets its roles)."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access import service as access
from core_api.access.permissions import SEEDED_ROLES
from core_api.approvals.service import seed_limits
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.db import set_tenant
from core_api.errors import Conflict
from core_api.models import Role, Tenant, TenantKind, User, UserKind
from core_api.security import hash_password
from core_api.tenants.schemas import TenantCreate


def default_code(slug: str) -> str:
    """The Member ID prefix when none is given: the slug upper-cased, without hyphens."""
    return re.sub(r"[^A-Z0-9]", "", slug.upper())[:16]


async def create_tenant(
    db: AsyncSession, actor: Actor, data: TenantCreate, *, kind: TenantKind = TenantKind.HMO
) -> tuple[Tenant, User]:
    """An HMO starts with the seeded roles and an Admin; a provider organisation with one
    PROVIDER user (its permissions come with the kind, there are no roles).

    The first user's password is hashed before any statement, so an HTTP caller (the
    platform key needs no database) holds no connection meanwhile."""
    password_hash = await hash_password(data.admin_password)
    code = data.code or default_code(data.slug)
    clash = await db.scalar(
        select(Tenant).where(or_(Tenant.slug == data.slug, Tenant.code == code))
    )
    if clash is not None:
        field = "slug" if clash.slug == data.slug else "code"
        raise Conflict(f"A tenant with this {field} already exists.", type="tenant-exists")
    tenant = Tenant(
        slug=data.slug,
        name=data.name,
        code=code,
        kind=kind,
        contact_email=str(data.contact_email) if data.contact_email else str(data.admin_email),
        contact_phone=data.contact_phone,
    )
    db.add(tenant)
    await db.flush()
    await set_tenant(db, tenant.id)
    await audit.record(
        db,
        actor,
        "tenant.created",
        "tenant",
        tenant.id,
        tenant_id=tenant.id,
        details={"slug": tenant.slug, "code": code, "kind": kind.value},
    )
    first_user = _first_hmo_admin if kind is TenantKind.HMO else _first_provider_user
    return tenant, await first_user(db, actor, tenant, data, password_hash)


async def _first_hmo_admin(
    db: AsyncSession, actor: Actor, tenant: Tenant, data: TenantCreate, password_hash: str
) -> User:
    roles = [
        Role(tenant_id=tenant.id, name=name, permissions=sorted(perms), is_system=True)
        for name, perms in SEEDED_ROLES.items()
    ]
    db.add_all(roles)
    await db.flush()
    await seed_limits(db, tenant.id, roles)
    admin_role = next(role for role in roles if role.name == "Admin")
    return await access.add_user(
        db,
        actor,
        tenant.id,
        email=str(data.admin_email),
        password_hash=password_hash,
        role_id=admin_role.id,
    )


async def _first_provider_user(
    db: AsyncSession, actor: Actor, tenant: Tenant, data: TenantCreate, password_hash: str
) -> User:
    return await access.add_user(
        db,
        actor,
        tenant.id,
        email=str(data.admin_email),
        kind=UserKind.PROVIDER,
        password_hash=password_hash,
    )


async def get_by_slug(db: AsyncSession, slug: str) -> Tenant | None:
    return await db.scalar(select(Tenant).where(Tenant.slug == slug))
