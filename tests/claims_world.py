"""Shared setup for the claims tests: an HMO, a member, a linked provider, staff, and moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from tests.db import superuser
from tests.factories import (
    ProviderCtx,
    TenantCtx,
    link_provider,
    make_client,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
)

TODAY = date.today()
# A service date well inside the member's policy year and this calendar month.
SERVICE_DATE = TODAY


@dataclass
class World:
    hmo: TenantCtx
    plan: dict[str, Any]
    client: dict[str, Any]
    member: dict[str, Any]
    provider: ProviderCtx
    staff: dict[str, dict[str, str]] = field(default_factory=dict)

    async def as_role(self, core: httpx.AsyncClient, role: str) -> dict[str, str]:
        """Session headers of a staff user with a seeded role (one user per role)."""
        if role not in self.staff:
            _, headers = await make_staff(core, self.hmo, role)
            self.staff[role] = headers
        return self.staff[role]


async def world(
    core: httpx.AsyncClient,
    *,
    coverage_start: date | None = None,
    roles: tuple[str, ...] = (),
    **plan_overrides: Any,
) -> World:
    """An HMO with one principal (covered for 400 days by default) and a linked provider."""
    hmo = await make_tenant(core)
    plan = await make_plan(core, hmo, **plan_overrides)
    client = await make_client(core, hmo)
    start = coverage_start or TODAY - timedelta(days=400)
    member = await make_principal(core, hmo, client, plan, coverage_start=start.isoformat())
    provider = await make_provider(core)
    await link_provider(core, hmo, provider)
    w = World(hmo, plan, client, member, provider)
    for role in roles:
        await w.as_role(core, role)
    return w


def item(code: str, unit_price: int, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    body = {"code": code, "description": code, "quantity": quantity, "unit_price": unit_price}
    return body | extra


def claim_body(w: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "member_id": w.member["member_id"],
        "provider_id": w.provider.id,
        "service_date": SERVICE_DATE.isoformat(),
        "diagnosis_codes": ["J06.9"],
        "items": [
            item("CONS-01", 15_000_00),
            item("DRUG-AMOX", 2_500_00, 2, category="drugs"),
        ],
    }
    body.update(overrides)
    for key, value in body.items():
        if isinstance(value, date):
            body[key] = value.isoformat()
    return body


async def submit(
    core: httpx.AsyncClient,
    w: World,
    headers: dict[str, str] | None = None,
    key: str | None = None,
    **overrides: Any,
) -> httpx.Response:
    extra = {"idempotency-key": key} if key else {}
    return await core.post(
        "/v1/claims",
        json=claim_body(w, **overrides),
        headers={**(headers or w.provider.user), **extra},
    )


async def new_claim(core: httpx.AsyncClient, w: World, **overrides: Any) -> dict[str, Any]:
    response = await submit(core, w, **overrides)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def new_authorization(
    core: httpx.AsyncClient, w: World, estimated_amount: int = 15_000_00
) -> dict[str, Any]:
    """A ROUTINE consultation PA the provider files for the member."""
    response = await core.post(
        "/v1/authorizations",
        json={
            "member_id": w.member["member_id"],
            "provider_id": w.provider.id,
            "urgency": "ROUTINE",
            "procedure_code": "CONS-01",
            "diagnosis_codes": ["J06.9"],
            "estimated_amount": estimated_amount,
        },
        headers=w.provider.user,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def get_claim(core: httpx.AsyncClient, w: World, claim_id: str) -> dict[str, Any]:
    response = await core.get(f"/v1/claims/{claim_id}", headers=w.hmo.admin)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def transition(
    core: httpx.AsyncClient,
    w: World,
    claim_id: str,
    to: str,
    headers: dict[str, str] | None = None,
    version: int | None = None,
    **extra: Any,
) -> httpx.Response:
    if version is None:
        version = (await get_claim(core, w, claim_id))["version"]
    return await core.post(
        f"/v1/claims/{claim_id}/transitions",
        json={"to": to, "version": version, **extra},
        headers=headers or w.hmo.admin,
    )


async def move(
    core: httpx.AsyncClient,
    w: World,
    claim_id: str,
    to: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    if to == "RESUBMITTED" and headers is None:
        headers = w.provider.user
    response = await transition(core, w, claim_id, to, headers, **extra)
    assert response.status_code == 200, response.text
    return dict(response.json())


# The moves that bring a fresh claim to each status (admin, or the provider for RESUBMITTED);
# SETTLED then takes a paid remittance (`settle`), never a transition.
PATHS: dict[str, list[str]] = {
    "SUBMITTED": [],
    "RECEIVED": ["RECEIVED"],
    "IN_REVIEW": ["RECEIVED", "IN_REVIEW"],
    "QUERIED": ["RECEIVED", "IN_REVIEW", "QUERIED"],
    "RESUBMITTED": ["RECEIVED", "IN_REVIEW", "QUERIED", "RESUBMITTED"],
    "APPROVED": ["RECEIVED", "IN_REVIEW", "APPROVED"],
    "REJECTED": ["REJECTED"],
    "SETTLED": ["RECEIVED", "IN_REVIEW", "APPROVED"],
}


async def settle(core: httpx.AsyncClient, w: World, claim: dict[str, Any]) -> dict[str, Any]:
    """Settles an APPROVED claim the only way there is: a settlement run of its provider
    and service day (which takes every such APPROVED claim), approved and paid in full."""
    day = claim["service_date"]
    body = {"provider_id": claim["provider_id"], "period_from": day, "period_to": day}
    run = await core.post("/v1/settlement-runs", json=body, headers=w.hmo.admin)
    assert run.status_code == 201, run.text
    approved = await core.post(
        f"/v1/settlement-runs/{run.json()['id']}/approve", headers=w.hmo.admin
    )
    assert approved.status_code == 200, approved.text
    for remittance in run.json()["remittances"]:
        paid = await core.post(
            f"/v1/remittances/{remittance['id']}/payment-proofs",
            data={"reference": "TRF-SETTLE", "amount": str(remittance["total"]), "paid_on": day},
            files={"file": ("proof.pdf", b"%PDF-1.4 transfer", "application/pdf")},
            headers=w.hmo.admin,
        )
        assert paid.status_code == 201, paid.text
    return await get_claim(core, w, claim["id"])


async def claim_in(
    core: httpx.AsyncClient, w: World, status: str, **overrides: Any
) -> dict[str, Any]:
    claim = await new_claim(core, w, **overrides)
    for to in PATHS[status]:
        claim = await move(core, w, claim["id"], to)
    return await settle(core, w, claim) if status == "SETTLED" else claim


async def in_review(core: httpx.AsyncClient, w: World, **overrides: Any) -> dict[str, Any]:
    return await claim_in(core, w, "IN_REVIEW", **overrides)


async def eligibility(
    core: httpx.AsyncClient, w: World, service_date: date = SERVICE_DATE
) -> dict[str, dict[str, Any]]:
    response = await core.post(
        "/v1/eligibility",
        json={"member_id": w.member["member_id"], "service_date": service_date.isoformat()},
        headers=w.hmo.admin,
    )
    assert response.status_code == 200, response.text
    return {b["category"]: b for b in response.json()["benefits"]}


async def count_rows(sql: str, **params: Any) -> int:
    async with superuser() as conn:
        return int((await conn.execute(text(sql), params)).scalar_one())


async def claim_count(w: World) -> int:
    return await count_rows("select count(*) from claims where tenant_id = :t", t=w.hmo.id)


def line(claim: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in claim["items"] if i["code"] == code)


def proposal_line(detail: dict[str, Any], line_no: int) -> dict[str, Any]:
    return next(x for x in detail["eligibility"]["lines"] if x["line_no"] == line_no)
