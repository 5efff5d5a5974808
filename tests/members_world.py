"""Shared setup for the enrollee portal's views and check-ins: portal logins and check-ins."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from tests.factories import PASSWORD, ProviderCtx, TenantCtx, login, session_headers

PROBLEM = "application/problem+json"


async def portal_login(
    core: httpx.AsyncClient, tenant: TenantCtx, person: dict[str, Any]
) -> dict[str, str]:
    """Session headers of an enrollee portal login given to `person` by the HMO."""
    email = f"{person['first_name'].lower()}-{secrets.token_hex(3)}@example.com"
    response = await core.post(
        f"/v1/enrollees/{person['id']}/account",
        json={"email": email, "password": PASSWORD},
        headers=tenant.admin,
    )
    assert response.status_code == 201, response.text
    return session_headers(await login(core, tenant.slug, email))


async def post_check_in(
    core: httpx.AsyncClient,
    headers: dict[str, str],
    member: dict[str, Any],
    key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    body = {"member_id": member["member_id"], **extra}
    extra_headers = {"idempotency-key": key} if key else {}
    return await core.post("/v1/check-ins", json=body, headers={**headers, **extra_headers})


async def check_in(
    core: httpx.AsyncClient, provider: ProviderCtx, member: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """A visit `provider` (linked) records at its desk for `member`."""
    response = await post_check_in(core, provider.user, member, **extra)
    assert response.status_code == 201, response.text
    return dict(response.json())


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body of an error answer, checked to have `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    return dict(response.json())


def error_fields(response: httpx.Response) -> list[str]:
    return [error["field"] for error in problem(response, 422).get("errors", [])]
