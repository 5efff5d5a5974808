"""Tenant isolation: another tenant's ids are 404 everywhere; RLS is the backstop."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.main import create_app
from core_api.models import Base
from tests.db import app_role, superuser
from tests.factories import (
    PLATFORM,
    ProviderCtx,
    TenantCtx,
    link_provider,
    make_claim,
    make_client,
    make_client_user,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
)
from tests.routes import api_routes

# Bodies that pass validation, so the route reaches the lookup that must say 404.
VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/v1/users/{user_id}"): {"version": 1, "first_name": "X"},
    ("PATCH", "/v1/roles/{role_id}"): {"version": 1, "description": "x"},
    ("PATCH", "/v1/plans/{plan_id}"): {"version": 1, "name": "x"},
    ("PATCH", "/v1/enrollees/{enrollee_id}"): {"version": 1, "first_name": "X"},
    ("POST", "/v1/enrollees/{enrollee_id}/status"): {"status": "SUSPENDED"},
    ("POST", "/v1/enrollees/{enrollee_id}/dependants"): {
        "relationship": "CHILD",
        "first_name": "A",
        "last_name": "B",
        "date_of_birth": "2015-01-01",
        "sex": "M",
    },
    ("POST", "/v1/clients/{client_id}/credentials"): {"email": "hr@example.com"},
    ("POST", "/v1/enrollees/{enrollee_id}/account"): {"email": "someone@example.com"},
    ("POST", "/v1/change-requests/{request_id}/decline"): {"reason": "x"},
    ("POST", "/v1/claims/{claim_id}/transitions"): {"to": "RECEIVED", "version": 1},
    ("POST", "/v1/claims/{claim_id}/queries"): {"message": "x"},
    ("POST", "/v1/authorizations/{authorization_id}/decision"): {"decision": "APPROVE"},
    ("POST", "/v1/authorizations/{authorization_id}/appeals"): {"evidence": "x"},
    ("PATCH", "/v1/pa-rules/{rule_id}"): {"version": 1, "is_active": False},
    ("POST", "/v1/capitation-runs/{capitation_run_id}/pay"): {
        "reference": "x",
        "paid_on": "2025-10-01",
    },
    ("POST", "/v1/disputes/{dispute_id}/resolve"): {"outcome": "REJECTED", "note": "x"},
    ("POST", "/v1/risk-events/{risk_event_id}/clear"): {"note": "false positive"},
}

VALID_FILES = {
    ("POST", "/v1/claims/{claim_id}/attachments"): {"file": ("a.txt", b"x", "text/plain")},
    ("POST", "/v1/authorizations/{authorization_id}/attachments"): {
        "file": ("a.txt", b"x", "text/plain")
    },
    ("POST", "/v1/remittances/{remittance_id}/payment-proofs"): {
        "file": ("a.txt", b"x", "text/plain")
    },
}

# The provider directory is platform-wide (no tenant owns a provider), so any tenant's
# staff may read any entry; network links, which HMOs own, are checked like the rest. A
# report's name names no object (tests/test_reports.py checks each counts its tenant only).
PLATFORM_WIDE = {("GET", "/v1/providers/{provider_id}"), ("GET", "/v1/reports/{name}")}


def routes_with_ids() -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for route in api_routes(create_app())
        if "{" in route.path
        for method in sorted(route.methods)
        if (method, route.path) not in PLATFORM_WIDE
    ]


async def tenant_only_rows(
    core: httpx.AsyncClient,
    tenant: TenantCtx,
    provider: ProviderCtx,
    enrollee: dict[str, Any],
    roles: list[dict[str, Any]],
) -> None:
    """Rows no path names, so that every tenant table holds some (the RLS backstop below)."""
    email = f"invited@{tenant.slug}.example.com"
    invite = {"email": email, "role_id": roles[0]["id"]}
    await core.post("/v1/invites", json=invite, headers=tenant.admin)
    settings = (await core.get("/v1/settings", headers=tenant.admin)).json()
    patch = {"version": settings["version"], "claim_sla_days": 20}
    await core.patch("/v1/settings", json=patch, headers=tenant.admin)
    tiers = [{"name": "Base", "min_monthly_claims": 0, "fee_amount": 90_00, "currency": "NGN"}]
    override = {"tenant_id": tenant.id}
    await core.put("/v1/billing/tiers", json={"tiers": tiers}, params=override, headers=PLATFORM)
    await make_claim(core, provider, enrollee, service_date="2026-11-03", idempotency_key="t-1")
    visit = {"member_id": enrollee["member_id"]}
    await core.post("/v1/check-ins", json=visit, headers=provider.user)
    logo = {"file": ("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(13), "image/png")}
    await core.put("/v1/branding/logo", files=logo, headers=tenant.admin)


async def objects_of(core: httpx.AsyncClient, tenant: TenantCtx) -> dict[str, str]:
    """One object of each kind a path can name, owned by `tenant`."""
    user, _ = await make_staff(core, tenant, "Finance")
    roles = (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
    key = (
        await core.post(
            "/v1/api-keys", json={"name": "k", "scope": "tenant_integration"}, headers=tenant.admin
        )
    ).json()
    await core.patch(
        f"/v1/users/{tenant.admin_id}",
        json={"version": 1, "first_name": "Ada"},
        headers=tenant.admin,
    )
    notification = (await core.get("/v1/notifications", headers=tenant.admin)).json()["items"][0]
    plan, client = await make_plan(core, tenant), await make_client(core, tenant)
    enrollee = await make_principal(core, tenant, client, plan, coverage_start="2025-01-01")
    provider = await make_provider(core)
    link = await link_provider(core, tenant, provider)
    claim = await make_claim(core, provider, enrollee)
    duplicate = await make_claim(core, provider, enrollee)  # flagged: duplicate billing
    risk_event = (
        await core.get(
            "/v1/risk-events", params={"claim_id": duplicate["id"]}, headers=tenant.admin
        )
    ).json()["items"][0]
    attachment = (
        await core.post(
            f"/v1/claims/{claim['id']}/attachments",
            files={"file": ("note.txt", b"lab report", "text/plain")},
            headers=provider.user,
        )
    ).json()
    pa_body = {
        "member_id": enrollee["member_id"],
        "provider_id": provider.id,
        "urgency": "ROUTINE",
        "procedure_code": "CONS-01",
        "estimated_amount": 1000,
    }
    authorization = (
        await core.post("/v1/authorizations", json=pa_body, headers=provider.user)
    ).json()
    pa_rule = (
        await core.post(
            "/v1/pa-rules",
            json={
                "plan_id": plan["id"],
                "procedure_code": "MRI-01",
                "max_amount": 1000,
                "max_urgency": "ROUTINE",
            },
            headers=tenant.admin,
        )
    ).json()
    for to in ("RECEIVED", "IN_REVIEW", "APPROVED"):
        if to == "APPROVED":  # a query thread, while the claim is in review
            query = {"message": "Please send the lab report."}
            await core.post(f"/v1/claims/{claim['id']}/queries", json=query, headers=tenant.admin)
        version = (await core.get(f"/v1/claims/{claim['id']}", headers=tenant.admin)).json()
        await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": to, "version": version["version"]},
            headers=tenant.admin,
        )
    period = {"period_from": "2026-11-01", "period_to": "2026-11-30"}
    run = (await core.post("/v1/settlement-runs", json=period, headers=tenant.admin)).json()
    disputed = {
        "remittance_line_id": run["remittances"][0]["lines"][0]["id"],
        "reason": "underpaid",
        "amount_claimed": 100,
    }
    dispute = (await core.post("/v1/disputes", json=disputed, headers=provider.user)).json()
    capitated = await make_plan(core, tenant, capitation_rate=1_000_00)
    capitated_since = {"coverage_start": "2025-01-01", "primary_provider_id": provider.id}
    await make_principal(core, tenant, client, capitated, **capitated_since)
    capitation = {"month": "2025-09"}
    capitation_run = (
        await core.post("/v1/capitation-runs", json=capitation, headers=tenant.admin)
    ).json()
    await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=tenant.admin)
    remittance = run["remittances"][0]
    proof = (
        await core.post(
            f"/v1/remittances/{remittance['id']}/payment-proofs",
            # paid in full: its claims settle, which the settlement summaries count
            data={
                "reference": "TRF-1",
                "amount": str(remittance["total"]),
                "paid_on": "2026-11-30",
            },
            files={"file": ("proof.pdf", b"%PDF-1.4", "application/pdf")},
            headers=tenant.admin,
        )
    ).json()["payment_proofs"][0]
    await tenant_only_rows(core, tenant, provider, enrollee, roles)
    _, client_user = await make_client_user(core, tenant, client)
    change = {"kind": "EDIT_ENROLLEE", "enrollee_id": enrollee["id"], "payload": {"sex": "M"}}
    request = (await core.post("/v1/change-requests", json=change, headers=client_user)).json()
    return {
        "plan_id": plan["id"],
        "client_id": client["id"],
        "enrollee_id": enrollee["id"],
        "key": enrollee["member_id"],
        "member_id": enrollee["member_id"],
        "user_id": user["id"],
        "role_id": roles[0]["id"],
        "key_id": key["id"],
        "notification_id": notification["id"],
        "link_id": link["id"],
        "request_id": request["id"],
        "claim_id": claim["id"],
        "pile_id": f"{claim['provider_id']}:{claim['billing_month'][:7]}",
        "attachment_id": attachment["id"],
        "authorization_id": authorization["id"],
        "rule_id": pa_rule["id"],
        "run_id": run["id"],
        "remittance_id": run["remittances"][0]["id"],
        "proof_id": proof["id"],
        "capitation_run_id": capitation_run["id"],
        "dispute_id": dispute["id"],
        "risk_event_id": risk_event["id"],
        "session_id": (await core.get("/v1/me/sessions", headers=tenant.admin)).json()["items"][0][
            "id"
        ],
    }


@pytest.fixture(scope="module")
async def isolation_case(core_app: object) -> AsyncIterator[tuple[TenantCtx, dict[str, str]]]:
    """My tenant, and one object of every kind owned by another tenant (built once: every
    request below is refused, so nothing changes them)."""
    transport = httpx.ASGITransport(app=core_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://core") as core:
        mine, theirs = await make_tenant(core), await make_tenant(core)
        yield mine, await objects_of(core, theirs)


@pytest.mark.parametrize(("method", "path"), routes_with_ids())
async def test_other_tenants_ids_are_404(
    core: httpx.AsyncClient,
    isolation_case: tuple[TenantCtx, dict[str, str]],
    method: str,
    path: str,
) -> None:
    mine, objects = isolation_case
    params = re.findall(r"{(\w+)}", path)
    unknown = [p for p in params if p not in objects]
    assert not unknown, f"add an object for {unknown} to objects_of()"
    url = path.format(**objects)
    body = VALID_BODIES.get((method, path))
    files = VALID_FILES.get((method, path))
    response = await core.request(method, url, json=body, files=files, headers=mine.admin)
    assert response.status_code == 404, (method, path, response.text)
    assert response.headers["content-type"] == "application/problem+json"


def tenant_tables() -> list[str]:
    return sorted(t.name for t in Base.metadata.sorted_tables if "tenant_id" in t.columns)


async def test_every_tenant_table_forces_row_level_security() -> None:
    async with superuser() as conn:
        rows = (
            (
                await conn.execute(
                    text(
                        "select relname from pg_class where relrowsecurity and relforcerowsecurity"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert set(tenant_tables()) <= set(rows)


async def test_app_role_is_subject_to_rls() -> None:
    async with app_role() as conn:
        row = (
            await conn.execute(
                text(
                    "select current_user, rolsuper, rolbypassrls from pg_roles"
                    " where rolname = current_user"
                )
            )
        ).one()
    assert row == ("vetra_app", False, False)


class TestRlsBackstop:
    """A query that forgets its tenant filter still sees only its own tenant's rows."""

    async def test_unfiltered_query_sees_only_current_tenant(self, core: httpx.AsyncClient) -> None:
        a, b = await make_tenant(core), await make_tenant(core)
        async with app_role() as conn, conn.begin():
            await conn.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": a.id})
            tenants = set((await conn.execute(text("select tenant_id::text from users"))).scalars())
        assert tenants == {a.id}
        assert b.id not in tenants

    @pytest.mark.parametrize("table", tenant_tables())
    async def test_no_tenant_set_sees_nothing(
        self,
        isolation_case: tuple[TenantCtx, dict[str, str]],
        table: str,
    ) -> None:
        """Run on a database holding every kind of object (`isolation_case` builds them), so
        an empty answer means RLS hid the rows, not that there were none."""
        async with superuser() as conn:
            stored = (await conn.execute(text(f"select count(*) from {table}"))).scalar()  # noqa: S608
        async with app_role() as conn, conn.begin():
            count = (await conn.execute(text(f"select count(*) from {table}"))).scalar()  # noqa: S608
        assert stored, f"nothing in {table} to hide: make one in objects_of()"
        assert count == 0

    async def test_cannot_write_into_another_tenant(self, core: httpx.AsyncClient) -> None:
        a, b = await make_tenant(core), await make_tenant(core)
        async with app_role() as conn, conn.begin():
            await conn.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": a.id})
            updated = (
                await conn.execute(
                    text("update users set first_name = 'pwned' where tenant_id = :b"), {"b": b.id}
                )
            ).rowcount
            assert updated == 0
            with pytest.raises(Exception, match="row-level security"):
                await conn.execute(
                    text(
                        "insert into roles (id, tenant_id, name, description, permissions,"
                        " is_system, version, created_at) values (gen_random_uuid(), :b, 'x',"
                        " '', '{}', false, 1, now())"
                    ),
                    {"b": b.id},
                )
