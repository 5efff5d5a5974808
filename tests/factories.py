"""Builders for test data, all through the API."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text

from shared.settings import DEV_BFF_API_KEY, DEV_PLATFORM_API_KEY
from tests.db import superuser

PLATFORM = {"x-api-key": DEV_PLATFORM_API_KEY}
BFF = {"x-api-key": DEV_BFF_API_KEY}
PASSWORD = "correct horse battery"


def session_headers(token: str) -> dict[str, str]:
    return {**BFF, "x-session-token": token}


@dataclass
class TenantCtx:
    id: str
    slug: str
    code: str
    admin_email: str
    admin_id: str
    admin: dict[str, str]

    def role_id(self, roles: list[dict[str, Any]], name: str) -> str:
        return next(r["id"] for r in roles if r["name"] == name)


async def login(core: httpx.AsyncClient, tenant: str, email: str, password: str = PASSWORD) -> str:
    response = await core.post(
        "/v1/auth/sessions",
        json={"tenant": tenant, "email": email, "password": password},
        headers=BFF,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


async def make_tenant(core: httpx.AsyncClient, name: str = "Acme Health") -> TenantCtx:
    slug = f"t-{secrets.token_hex(5)}"
    email = f"admin@{slug}.example.com"
    response = await core.post(
        "/v1/tenants",
        json={"slug": slug, "name": name, "admin_email": email, "admin_password": PASSWORD},
        headers=PLATFORM,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    token = await login(core, slug, email)
    return TenantCtx(
        id=body["tenant"]["id"],
        slug=slug,
        code=body["tenant"]["code"],
        admin_email=email,
        admin_id=body["admin"]["id"],
        admin=session_headers(token),
    )


async def make_staff(
    core: httpx.AsyncClient, tenant: TenantCtx, role: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Creates a staff user with a seeded role; returns (user, session headers)."""
    roles = (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
    email = f"{role.lower().replace(' ', '-')}-{secrets.token_hex(3)}@{tenant.slug}.example.com"
    response = await core.post(
        "/v1/users",
        json={"email": email, "password": PASSWORD, "role_id": tenant.role_id(roles, role)},
        headers=tenant.admin,
    )
    assert response.status_code == 201, response.text
    return response.json(), session_headers(await login(core, tenant.slug, email))


STANDARD_BENEFITS = [
    {
        "category": "outpatient",
        "limit_amount": 50_000_00,
        "limit_visits": 12,
        "period": "POLICY_YEAR",
        "copay_percent": 10,
    },
    {"category": "inpatient", "limit_amount": 500_000_00, "period": "POLICY_YEAR"},
    {
        "category": "maternity",
        "limit_amount": 300_000_00,
        "period": "POLICY_YEAR",
        "waiting_period_days": 270,
    },
    {"category": "drugs", "limit_amount": 5_000_00, "period": "CALENDAR_MONTH"},
]


async def make_plan(core: httpx.AsyncClient, tenant: TenantCtx, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": f"GOLD{secrets.token_hex(2).upper()}",
        "name": "Gold",
        "benefits": STANDARD_BENEFITS,
        "exclusions": [{"code": "COS-001", "description": "Cosmetic surgery"}],
        **overrides,
    }
    response = await core.post("/v1/plans", json=body, headers=tenant.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


# Early enough for any back-dated coverage the tests give enrollees (none may start before
# their client's covered_since).
CLIENT_COVERED_SINCE = "2000-01-01"


async def make_client(
    core: httpx.AsyncClient,
    tenant: TenantCtx,
    code: str = "ACME",
    covered_since: str = CLIENT_COVERED_SINCE,
) -> dict[str, Any]:
    response = await core.post(
        "/v1/clients",
        json={
            "code": code,
            "name": f"{code.title()} Ltd",
            "contact_email": f"hr@{code.lower()}.example.com",
            "covered_since": covered_since,
        },
        headers=tenant.admin,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def make_principal(
    core: httpx.AsyncClient,
    tenant: TenantCtx,
    client: dict[str, Any],
    plan: dict[str, Any],
    **overrides: Any,
) -> dict[str, Any]:
    body = {
        "client_id": client["id"],
        "plan_id": plan["id"],
        "first_name": "Ngozi",
        "last_name": "Okafor",
        "date_of_birth": "1985-04-12",
        "sex": "F",
        **overrides,
    }
    response = await core.post("/v1/enrollees", json=body, headers=tenant.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def make_dependant(
    core: httpx.AsyncClient, tenant: TenantCtx, principal: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    """A child of `principal`, added by the HMO's admin."""
    body = {
        "relationship": "CHILD",
        "first_name": "Ada",
        "last_name": "Okafor",
        "date_of_birth": "2015-06-01",
        "sex": "F",
        **overrides,
    }
    response = await core.post(
        f"/v1/enrollees/{principal['id']}/dependants", json=body, headers=tenant.admin
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@dataclass
class ProviderCtx:
    id: str
    slug: str
    name: str
    tenant_id: str
    email: str
    user: dict[str, str]  # session headers of its first user


async def make_provider(
    core: httpx.AsyncClient,
    name: str = "Lagoon Hospital",
    type_: str = "HOSPITAL",
    state: str = "Lagos",
) -> ProviderCtx:
    slug = f"p-{secrets.token_hex(5)}"
    email = f"desk@{slug}.example.com"
    response = await core.post(
        "/v1/providers",
        json={
            "slug": slug,
            "name": name,
            "type": type_,
            "state": state,
            "admin_email": email,
            "admin_password": PASSWORD,
        },
        headers=PLATFORM,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return ProviderCtx(
        id=body["provider"]["id"],
        slug=slug,
        name=name,
        tenant_id=body["admin"]["tenant_id"],
        email=email,
        user=session_headers(await login(core, slug, email)),
    )


async def link_provider(
    core: httpx.AsyncClient, tenant: TenantCtx, provider: ProviderCtx
) -> dict[str, Any]:
    """An ACTIVE network link: the HMO requests, the provider accepts."""
    requested = await core.post(
        "/v1/network/links", json={"provider_id": provider.id}, headers=tenant.admin
    )
    assert requested.status_code == 201, requested.text
    accepted = await core.post(
        f"/v1/network/links/{requested.json()['id']}/accept", headers=provider.user
    )
    assert accepted.status_code == 200, accepted.text
    return dict(accepted.json())


async def emailed_setup_token(to_address: str) -> str:
    """The token of the newest set-password link emailed to `to_address` (read as owner)."""
    async with superuser() as conn:
        body = (
            await conn.execute(
                text(
                    "select body from email_outbox where to_address = :to"
                    " and body like '%set-password?%' order by created_at desc, id desc limit 1"
                ),
                {"to": to_address},
            )
        ).scalar_one()
    found = re.search(r"[?&]token=([\w-]+)", body)
    assert found, body
    return found.group(1)


async def set_password_by_link(
    core: httpx.AsyncClient, tenant: TenantCtx, email: str, password: str = PASSWORD
) -> httpx.Response:
    token = await emailed_setup_token(email)
    return await core.post(
        "/v1/auth/password-setup",
        json={"tenant": tenant.slug, "token": token, "password": password},
        headers=BFF,
    )


async def make_client_user(
    core: httpx.AsyncClient, tenant: TenantCtx, client: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A client portal login (credentials issued, password set by link); (login, headers)."""
    email = f"portal-{secrets.token_hex(3)}@{client['code'].lower()}.example.com"
    issued = await core.post(
        f"/v1/clients/{client['id']}/credentials", json={"email": email}, headers=tenant.admin
    )
    assert issued.status_code == 201, issued.text
    response = await set_password_by_link(core, tenant, email)
    assert response.status_code == 200, response.text
    return issued.json(), session_headers(await login(core, tenant.slug, email))


async def make_claim(
    core: httpx.AsyncClient,
    provider: ProviderCtx,
    member: dict[str, Any],
    idempotency_key: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A claim filed by `provider` (already linked) for `member`: a consult and drugs."""
    body: dict[str, Any] = {
        "member_id": member["member_id"],
        "provider_id": provider.id,
        "service_date": "2026-11-02",
        "diagnosis_codes": ["J06.9"],
        "items": [
            {
                "code": "CONS-01",
                "description": "GP consultation",
                "quantity": 1,
                "unit_price": 15_000_00,
            },
            {
                "code": "DRUG-AMOX",
                "description": "Amoxicillin 500mg",
                "quantity": 2,
                "unit_price": 2_500_00,
                "category": "drugs",
            },
        ],
        **overrides,
    }
    headers = {**provider.user, **({"idempotency-key": idempotency_key} if idempotency_key else {})}
    response = await core.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())
