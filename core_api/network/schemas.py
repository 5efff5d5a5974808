from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from core_api.access.schemas import ORMModel, Password, UserRead
from core_api.kit.fields import Input, Version
from core_api.models import LinkStatus, ProviderType
from core_api.tenants.schemas import Slug

ServiceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class ProviderCreate(Input):
    slug: Slug = Field(description="Also the `tenant` its users log in with.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    type: ProviderType
    state: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    services: list[ServiceName] = Field(default_factory=list, max_length=100)
    admin_email: EmailStr
    admin_password: Password


class ProviderRead(ORMModel):
    id: uuid.UUID
    slug: str
    name: str
    type: ProviderType
    state: str
    address: str
    services: list[str]
    created_at: datetime


class ProviderCreated(BaseModel):
    provider: ProviderRead
    admin: UserRead


class LinkCreate(Input):
    provider_id: uuid.UUID


class LinkAction(Input):
    """The version the caller read; without it the version read now is used."""

    version: Version | None = None


class PartyBrief(BaseModel):
    id: uuid.UUID
    name: str


class HmoBrief(PartyBrief):
    code: str = Field(description="The HMO's code: its Member IDs start with it.")
    slug: str


class LinkRead(BaseModel):
    id: uuid.UUID
    status: LinkStatus
    hmo: HmoBrief
    provider: PartyBrief
    provider_type: ProviderType
    provider_state: str
    requested_by: uuid.UUID | None
    responded_at: datetime | None
    ended_at: datetime | None
    ended_by_tenant_id: uuid.UUID | None
    version: int
    created_at: datetime
