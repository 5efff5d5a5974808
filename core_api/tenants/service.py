"""Creating a tenant: the organisation row, its seeded roles and its first admin."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access import service as access
from core_api.access.permissions import SEEDED_ROLES
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.db import set_tenant
from core_api.errors import Conflict
from core_api.models import Role, Tenant, TenantKind, User
from core_api.tenants.schemas import TenantCreate


def default_code(slug: str) -> str:
    """The Member ID prefix when none is given: the slug upper-cased, without hyphens."""
    return re.sub(r"[^A-Z0-9]", "", slug.upper())[:16]


async def create_tenant(
    db: AsyncSession, actor: Actor, data: TenantCreate, *, kind: TenantKind = TenantKind.HMO
) -> tuple[Tenant, User]:
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
    roles = [
        Role(tenant_id=tenant.id, name=name, permissions=sorted(perms), is_system=True)
        for name, perms in SEEDED_ROLES.items()
    ]
    db.add_all(roles)
    await db.flush()
    await audit.record(
        db,
        actor,
        "tenant.created",
        "tenant",
        tenant.id,
        tenant_id=tenant.id,
        details={"slug": tenant.slug, "code": code},
    )
    admin_role = next(role for role in roles if role.name == "Admin")
    admin = await access.add_staff_user(
        db,
        actor,
        tenant.id,
        email=str(data.admin_email),
        password=data.admin_password,
        role_id=admin_role.id,
    )
    return tenant, admin


async def get_by_slug(db: AsyncSession, slug: str) -> Tenant | None:
    return await db.scalar(select(Tenant).where(Tenant.slug == slug))
