from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, StringConstraints

from core_api.access.schemas import ORMModel, Password, UserRead
from core_api.kit.fields import Input
from core_api.models import TenantKind

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,16}$")]


class TenantCreate(Input):
    slug: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    code: Code | None = None
    admin_email: EmailStr
    admin_password: Password
    contact_email: EmailStr | None = None
    contact_phone: Annotated[str, StringConstraints(max_length=32)] | None = None


class TenantRead(ORMModel):
    id: uuid.UUID
    slug: str
    name: str
    code: str
    kind: TenantKind
    contact_email: str | None
    contact_phone: str | None
    created_at: datetime


class TenantCreated(BaseModel):
    tenant: TenantRead
    admin: UserRead
