"""Users, roles, sessions, API keys and invites: who may act, and how they prove it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ARRAY, Boolean, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base, TenantScoped, str_enum, tenant_fk, tenant_table_args


class UserKind(enum.StrEnum):
    STAFF = "STAFF"
    PROVIDER = "PROVIDER"
    ENROLLEE = "ENROLLEE"
    CLIENT = "CLIENT"


class ApiKeyScope(enum.StrEnum):
    PLATFORM = "platform"
    BFF = "bff"
    TENANT_INTEGRATION = "tenant_integration"
    PROVIDER_INTEGRATION = "provider_integration"


class Role(TenantScoped, Base):
    __tablename__ = "roles"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "name"))

    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    permissions: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(default=1)


class User(TenantScoped, Base):
    __tablename__ = "users"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "email"),
        tenant_fk("role_id", "roles"),
        tenant_fk("client_id", "clients"),
        tenant_fk("enrollee_id", "enrollees"),
    )

    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[UserKind] = mapped_column(str_enum(UserKind, "user_kind"), default=UserKind.STAFF)
    role_id: Mapped[uuid.UUID | None]
    client_id: Mapped[uuid.UUID | None]
    enrollee_id: Mapped[uuid.UUID | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(default=1)
    notification_seq: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]


class AuthSession(TenantScoped, Base):
    """A login. Only the SHA-256 of the opaque token is stored."""

    __tablename__ = "auth_sessions"
    __table_args__ = tenant_table_args(
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        Index("ix_auth_sessions_user", "tenant_id", "user_id"),
    )
    __rls_lookup_column__ = "token_hash"

    user_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class ApiKey(TenantScoped, Base):
    """An integration key. The secret is shown once; `prefix` finds the row, the hash proves it."""

    __tablename__ = "api_keys"
    __table_args__ = tenant_table_args()
    __rls_lookup_column__ = "prefix"

    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[ApiKeyScope] = mapped_column(str_enum(ApiKeyScope, "api_key_scope"))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    permissions: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    provider_id: Mapped[uuid.UUID | None]
    created_by: Mapped[uuid.UUID | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Invite(TenantScoped, Base):
    __tablename__ = "invites"
    __table_args__ = tenant_table_args(tenant_fk("role_id", "roles"))
    __rls_lookup_column__ = "token_hash"

    email: Mapped[str] = mapped_column(String(254))
    role_id: Mapped[uuid.UUID | None]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[uuid.UUID | None]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]


class PasswordToken(TenantScoped, Base):
    """A one-time link to set a portal user's password. Only the SHA-256 of the token is kept."""

    __tablename__ = "password_tokens"
    __table_args__ = tenant_table_args(tenant_fk("user_id", "users", ondelete="CASCADE"))
    __rls_lookup_column__ = "token_hash"

    user_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
