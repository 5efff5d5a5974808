"""Request and response bodies for users, roles, invites, sessions and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from core_api.kit.fields import Input, Patch, Version
from core_api.models import ApiKeyScope, TenantKind, UserKind
from core_api.security import MIN_PASSWORD_LENGTH
from shared.problems import field_error

Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=256)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
TenantSlug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=63)]


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserRead(ORMModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    kind: UserKind
    role_id: uuid.UUID | None
    is_active: bool
    version: int
    created_at: datetime
    last_login_at: datetime | None


class UserCreate(Input):
    email: EmailStr
    password: Password
    first_name: Name = ""
    last_name: Name = ""
    role_id: uuid.UUID


class UserUpdate(Patch):
    version: Version
    first_name: Name | None = None
    last_name: Name | None = None
    role_id: uuid.UUID | None = None
    is_active: bool | None = None


class RoleRead(ORMModel):
    id: uuid.UUID
    name: str
    description: str
    permissions: list[str]
    is_system: bool
    version: int


class RoleCreate(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    description: Annotated[str, StringConstraints(max_length=300)] = ""
    permissions: list[str] = Field(default_factory=list, max_length=200)


class RoleUpdate(Patch):
    version: Version
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] | None
    ) = None
    description: Annotated[str, StringConstraints(max_length=300)] | None = None
    permissions: list[str] | None = Field(default=None, max_length=200)


class PermissionRead(BaseModel):
    name: str
    description: str


class InviteCreate(Input):
    email: EmailStr
    role_id: uuid.UUID | None = Field(
        default=None,
        description="Required by an HMO; a provider organisation's users have no role (omit it).",
    )


class InviteRead(ORMModel):
    id: uuid.UUID
    email: str
    role_id: uuid.UUID | None
    expires_at: datetime
    accepted_at: datetime | None


class InviteAccept(Input):
    tenant: TenantSlug
    token: Annotated[str, Field(min_length=10, max_length=200)]
    password: Password
    first_name: Name = ""
    last_name: Name = ""


class SessionCreate(Input):
    tenant: TenantSlug
    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class SessionCreated(BaseModel):
    token: str
    expires_at: datetime
    user: UserRead


class SessionRead(ORMModel):
    """One of the caller's signed-in sessions (a browser or device)."""

    id: uuid.UUID
    ip: str | None
    user_agent: str | None
    created_at: datetime = Field(description="When it signed in.")
    last_seen_at: datetime
    expires_at: datetime
    current: bool = Field(description="The session making this request.")


class PasswordChange(Input):
    current_password: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password


class TenantBrief(ORMModel):
    id: uuid.UUID
    slug: str
    name: str
    code: str
    kind: TenantKind


class MeRead(BaseModel):
    kind: str
    label: str
    user: UserRead | None
    role: str | None = Field(description="The name of the user's role (none for an API key)")
    tenant: TenantBrief | None
    permissions: list[str]


class ApiKeyCreate(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    scope: ApiKeyScope
    provider_id: uuid.UUID | None = Field(
        default=None,
        description="provider_integration keys only: the caller's own provider (omit it, or "
        "name it). Refused with any other scope.",
    )
    permissions: list[str] | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def provider_only_for_provider_keys(self) -> ApiKeyCreate:
        if self.provider_id is not None and self.scope is not ApiKeyScope.PROVIDER_INTEGRATION:
            raise field_error("provider_id", "Only a provider_integration key names a provider.")
        return self


class ApiKeyRead(ORMModel):
    id: uuid.UUID
    name: str
    scope: ApiKeyScope
    prefix: str
    permissions: list[str]
    provider_id: uuid.UUID | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The full key. Shown once; store it now.")
