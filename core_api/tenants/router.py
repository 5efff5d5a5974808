from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from core_api.access.schemas import UserRead
from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.tenants import service
from core_api.tenants.schemas import TenantCreate, TenantCreated, TenantRead

router = APIRouter(prefix="/tenants", tags=["tenancy"])


@router.post("", status_code=201, response_model=TenantCreated)
async def create_tenant(
    body: TenantCreate, db: DbSession, actor: Annotated[Actor, require("platform:tenants")]
) -> TenantCreated:
    """Creates an HMO tenant, its seeded roles and its first admin (platform key only)."""
    tenant, admin = await service.create_tenant(db, actor, body)
    return TenantCreated(
        tenant=TenantRead.model_validate(tenant), admin=UserRead.model_validate(admin)
    )
