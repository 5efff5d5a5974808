"""The permission catalog (`area:action`) and the roles every HMO tenant starts with."""

from __future__ import annotations

from types import MappingProxyType

CATALOG: MappingProxyType[str, str] = MappingProxyType(
    {
        # tenancy and access
        "tenant:read": "View tenant profile and settings",
        "tenant:update": "Change tenant profile, branding and settings",
        "users:read": "List and view staff users",
        "users:create": "Create staff users directly",
        "users:update": "Change a user's role or deactivate them",
        "users:invite": "Invite staff by email",
        "roles:read": "List roles and their permissions",
        "roles:manage": "Create and change custom roles",
        "api_keys:read": "List integration API keys",
        "api_keys:manage": "Create and revoke integration API keys",
        "approval_limits:read": "View approval limits",
        "approval_limits:manage": "Change approval limits",
        "audit:read": "View and export the audit log",
        "audit:verify": "Verify the audit hash chain",
        # plans and membership
        "plans:read": "View plans, benefits and exclusions",
        "plans:manage": "Create and change plans",
        "clients:read": "View corporate clients",
        "clients:manage": "Create and change corporate clients",
        "clients:credentials": "Generate client portal logins",
        "enrollees:read": "View enrollees",
        "enrollees:create": "Register enrollees and dependants",
        "enrollees:update": "Edit enrollee details",
        "enrollees:lifecycle": "Suspend, reactivate or terminate enrollees",
        "enrollees:import": "Bulk-import enrollees from CSV",
        "enrollees:accounts": "Give enrollees a portal login",
        "eligibility:check": "Check a member's eligibility",
        "change_requests:read": "View client change requests",
        "change_requests:create": "Raise a change request (client portal)",
        "change_requests:decide": "Approve or decline client change requests",
        "portal:utilisation": "View the client's aggregated utilisation (client portal)",
        # network
        "providers:read": "Search the provider directory",
        "network:read": "View network links",
        "network:manage": "Request and end network links",
        # pre-authorizations
        "authorizations:read": "View pre-authorizations",
        "authorizations:create": "File pre-authorizations",
        "authorizations:decide": "Approve or reject pre-authorizations",
        "authorizations:appeal": "Appeal a rejected pre-authorization",
        "authorizations:report": "Report a pre-authorization as not mine (enrollee portal)",
        "pa_rules:read": "View auto-approval rules",
        "pa_rules:manage": "Create and change auto-approval rules",
        # claims
        "claims:read": "View claims",
        "claims:create": "Submit claims",
        "claims:adjudicate": "Move claims through review",
        "claims:approve": "Approve claims (within the approval limit)",
        "claims:query": "Query providers about claims",
        "claims:attachments": "Upload and read claim attachments",
        "piles:read": "View piles",
        "piles:vet": "Take the next claim from a pile",
        "risk:read": "View fraud and anomaly flags",
        "risk:manage": "Clear fraud holds and tune thresholds",
        # finance and billing
        "settlements:read": "View settlement runs and remittances",
        "settlements:create": "Create settlement runs",
        "settlements:approve": "Approve settlement runs (within the approval limit)",
        "payments:record": "Upload payment proofs",
        "disputes:read": "View disputes",
        "disputes:create": "Raise disputes against remittances",
        "disputes:resolve": "Resolve disputes",
        "capitation:read": "View capitation runs",
        "capitation:run": "Create and approve capitation runs",
        "billing:read": "View platform fees and invoices",
        # reports and notifications
        "reports:read": "View reports and the dashboard",
        "reports:export": "Export reports as CSV",
        "notifications:read": "Read own notifications",
        "me:export": "Export own data",
        "me:records": "View own and dependants' claims and pre-authorizations (enrollee portal)",
    }
)

PLATFORM_PERMISSIONS = frozenset({"platform:tenants", "platform:providers", "platform:billing"})

_READ_ONLY = frozenset(p for p in CATALOG if p.endswith(":read")) - {"api_keys:read"}
_SELF = frozenset({"notifications:read", "me:export"})

SEEDED_ROLES: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "Admin": frozenset(CATALOG)
        - {
            "claims:create",
            "authorizations:create",
            "authorizations:appeal",
            "disputes:create",
            "change_requests:create",
            "portal:utilisation",  # a client's own view; staff read the reports
            "me:records",  # an enrollee's own records; staff read claims and PAs directly
        },
        "Claims Manager": _READ_ONLY
        | _SELF
        | {
            "claims:adjudicate",
            "claims:approve",
            "claims:query",
            "claims:attachments",
            "piles:vet",
            "risk:manage",
            "authorizations:decide",
            "pa_rules:manage",
            "eligibility:check",
            "reports:export",
        },
        "Adjudicator": _SELF
        | {
            "claims:read",
            "claims:adjudicate",
            "claims:approve",
            "claims:query",
            "claims:attachments",
            "piles:read",
            "piles:vet",
            "risk:read",
            "eligibility:check",
            "enrollees:read",
            "plans:read",
            "providers:read",
            "authorizations:read",
            "authorizations:decide",
        },
        "Finance": _SELF
        | {
            "claims:read",
            "settlements:read",
            "settlements:create",
            "settlements:approve",
            "payments:record",
            "disputes:read",
            "disputes:resolve",
            "capitation:read",
            "capitation:run",
            "billing:read",
            "reports:read",
            "reports:export",
            "approval_limits:read",
            "providers:read",
            "network:read",
        },
        "Provider Relations": _SELF
        | {
            "providers:read",
            "network:read",
            "network:manage",
            "disputes:read",
            "settlements:read",
            "claims:read",
            "reports:read",
            "clients:read",
            "enrollees:read",
        },
        "Read-only": _READ_ONLY | _SELF,
    }
)


def unknown_permissions(permissions: list[str] | set[str] | frozenset[str]) -> list[str]:
    return sorted(p for p in permissions if p not in CATALOG)


# Users outside HMO staff get a fixed set by the kind of account they hold.
PROVIDER_USER_PERMISSIONS = frozenset(
    {
        "eligibility:check",
        "providers:read",
        "network:read",
        "network:manage",
        "authorizations:read",
        "authorizations:create",
        "authorizations:appeal",
        "claims:read",
        "claims:create",
        "claims:attachments",
        "settlements:read",
        "disputes:read",
        "disputes:create",
        "api_keys:read",
        "api_keys:manage",
        # A provider organisation's users are peers: each may invite and deactivate others.
        "users:read",
        "users:invite",
        "users:update",
        "notifications:read",
        "me:export",
    }
)
ENROLLEE_PERMISSIONS = frozenset(
    {"enrollees:read", "authorizations:report", "notifications:read", "me:export", "me:records"}
)
CLIENT_PERMISSIONS = frozenset(
    {
        "enrollees:read",
        "change_requests:read",
        "change_requests:create",
        "portal:utilisation",
        "notifications:read",
        "me:export",
    }
)
