"""All ORM models, one module per aggregate, imported here so metadata is complete."""

# Modules whose classes are imported from the module itself; loaded here for the metadata.
from core_api.models import authorization, billing, claim, finance, settings, summary, visit
from core_api.models.access import (
    ApiKey,
    ApiKeyScope,
    AuthSession,
    Invite,
    PasswordToken,
    Role,
    User,
    UserKind,
)
from core_api.models.audit import AuditEvent
from core_api.models.base import Base, TenantScoped
from core_api.models.membership import (
    BenefitUsage,
    ChangeRequest,
    ChangeRequestKind,
    ChangeRequestStatus,
    Client,
    Enrollee,
    EnrolleeStatus,
    EnrolleeStatusChange,
    Relationship,
    Sex,
)
from core_api.models.network import LinkStatus, NetworkLink, Provider, ProviderType
from core_api.models.notification import EmailMessage, Notification
from core_api.models.plan import (
    BenefitPeriod,
    ExclusionKind,
    Plan,
    PlanBenefit,
    PlanExclusion,
    PlanVersion,
)
from core_api.models.tenant import Tenant, TenantKind

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "AuditEvent",
    "AuthSession",
    "Base",
    "BenefitPeriod",
    "BenefitUsage",
    "ChangeRequest",
    "ChangeRequestKind",
    "ChangeRequestStatus",
    "Client",
    "EmailMessage",
    "Enrollee",
    "EnrolleeStatus",
    "EnrolleeStatusChange",
    "ExclusionKind",
    "Invite",
    "LinkStatus",
    "NetworkLink",
    "Notification",
    "PasswordToken",
    "Plan",
    "PlanBenefit",
    "PlanExclusion",
    "PlanVersion",
    "Provider",
    "ProviderType",
    "Relationship",
    "Role",
    "Sex",
    "Tenant",
    "TenantKind",
    "TenantScoped",
    "User",
    "UserKind",
    "authorization",
    "billing",
    "claim",
    "finance",
    "settings",
    "summary",
    "visit",
]
