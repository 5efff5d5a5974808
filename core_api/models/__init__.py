"""All ORM models, one module per aggregate, imported here so metadata is complete."""

from core_api.models.access import ApiKey, ApiKeyScope, AuthSession, Invite, Role, User, UserKind
from core_api.models.audit import AuditEvent
from core_api.models.base import Base, TenantScoped
from core_api.models.notification import EmailMessage, Notification
from core_api.models.tenant import Tenant, TenantKind

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "AuditEvent",
    "AuthSession",
    "Base",
    "EmailMessage",
    "Invite",
    "Notification",
    "Role",
    "Tenant",
    "TenantKind",
    "TenantScoped",
    "User",
    "UserKind",
]
