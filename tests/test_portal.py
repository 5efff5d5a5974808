"""Client portal logins, enrollee accounts, and what portal users can and cannot see."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import text

from core_api.main import create_app
from tests.db import superuser
from tests.factories import (
    BFF,
    PASSWORD,
    PLATFORM,
    TenantCtx,
    emailed_setup_token,
    login,
    make_client,
    make_client_user,
    make_dependant,
    make_plan,
    make_principal,
    make_staff,
    make_tenant,
    session_headers,
    set_password_by_link,
)
from tests.routes import api_routes


async def outbox(tenant: TenantCtx) -> list[dict[str, Any]]:
    async with superuser() as conn:
        rows = await conn.execute(
            text(
                "select to_address, subject, body from email_outbox"
                " where tenant_id = :t order by created_at, id"
            ),
            {"t": tenant.id},
        )
        return [dict(row._mapping) for row in rows]


async def notifications(core: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await core.get("/v1/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def issue(
    core: httpx.AsyncClient, tenant: TenantCtx, client: dict[str, Any], email: str
) -> httpx.Response:
    return await core.post(
        f"/v1/clients/{client['id']}/credentials", json={"email": email}, headers=tenant.admin
    )


class TestClientCredentials:
    async def test_login_is_sent_to_client_and_hmo_and_staff_are_notified(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        client = await make_client(core, tenant)
        response = await issue(core, tenant, client, "HR@Acme.example.com")
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["user"]["kind"] == "CLIENT"
        assert body["user"]["email"] == "hr@acme.example.com"
        assert body["setup_link_sent"] is True
        assert body["emailed_to"] == ["hr@acme.example.com", tenant.admin_email]
        assert "token" not in response.text

        mails = await outbox(tenant)
        to_client = next(m for m in mails if m["to_address"] == "hr@acme.example.com")
        to_hmo = next(m for m in mails if m["to_address"] == tenant.admin_email)
        assert "/set-password?" in to_client["body"]
        assert tenant.slug in to_client["body"]
        assert "hr@acme.example.com" in to_hmo["body"]
        assert "token=" not in to_hmo["body"]
        assert [n["type"] for n in await notifications(core, tenant.admin)] == [
            "client.credentials_issued"
        ]

    async def test_client_sets_password_by_link_and_logs_in(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        client = await make_client(core, tenant)
        await issue(core, tenant, client, "hr@acme.example.com")
        done = await set_password_by_link(core, tenant, "hr@acme.example.com")
        assert done.status_code == 200, done.text
        token = await login(core, tenant.slug, "hr@acme.example.com")
        me = (await core.get("/v1/me", headers=session_headers(token))).json()
        assert "change_requests:create" in me["permissions"]
        assert "claims:read" not in me["permissions"]

    async def test_a_link_works_once(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        client = await make_client(core, tenant)
        await issue(core, tenant, client, "hr@acme.example.com")
        token = await emailed_setup_token("hr@acme.example.com")
        body = {"tenant": tenant.slug, "token": token, "password": PASSWORD}
        assert (await core.post("/v1/auth/password-setup", json=body, headers=BFF)).is_success
        again = await core.post("/v1/auth/password-setup", json=body, headers=BFF)
        assert again.status_code == 400
        assert again.json()["type"].endswith("/password-link-invalid")

    async def test_link_needs_its_own_tenant_and_the_bff_key(self, core: httpx.AsyncClient) -> None:
        tenant, other = await make_tenant(core), await make_tenant(core)
        client = await make_client(core, tenant)
        await issue(core, tenant, client, "hr@acme.example.com")
        token = await emailed_setup_token("hr@acme.example.com")
        body = {"tenant": other.slug, "token": token, "password": PASSWORD}
        wrong_tenant = await core.post("/v1/auth/password-setup", json=body, headers=BFF)
        assert wrong_tenant.status_code == 400
        no_key = await core.post(
            "/v1/auth/password-setup", json={**body, "tenant": tenant.slug}, headers=PLATFORM
        )
        assert no_key.status_code == 403

    async def test_generating_again_resets_and_resends(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        client = await make_client(core, tenant)
        first = (await issue(core, tenant, client, "hr@acme.example.com")).json()
        old_link = await emailed_setup_token("hr@acme.example.com")
        await set_password_by_link(core, tenant, "hr@acme.example.com")
        session = session_headers(await login(core, tenant.slug, "hr@acme.example.com"))

        second = await issue(core, tenant, client, "hr@acme.example.com")
        assert second.status_code == 201
        assert second.json()["user"]["id"] == first["user"]["id"]
        assert (await core.get("/v1/me", headers=session)).status_code == 401
        stale = await core.post(
            "/v1/auth/password-setup",
            json={"tenant": tenant.slug, "token": old_link, "password": PASSWORD},
            headers=BFF,
        )
        assert stale.status_code == 400
        mails = [m for m in await outbox(tenant) if m["to_address"] == "hr@acme.example.com"]
        assert len(mails) == 2
        assert (await set_password_by_link(core, tenant, "hr@acme.example.com")).is_success

    async def test_email_of_another_login_or_client_is_refused(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        acme, globex = await make_client(core, tenant), await make_client(core, tenant, "GLOBEX")
        assert (await issue(core, tenant, acme, "hr@acme.example.com")).status_code == 201
        taken = await issue(core, tenant, globex, "hr@acme.example.com")
        assert taken.status_code == 409
        staff = await issue(core, tenant, globex, tenant.admin_email)
        assert staff.status_code == 409

    async def test_is_audited_and_needs_the_permission(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        client = await make_client(core, tenant)
        _, finance = await make_staff(core, tenant, "Finance")
        refused = await core.post(
            f"/v1/clients/{client['id']}/credentials",
            json={"email": "hr@acme.example.com"},
            headers=finance,
        )
        assert refused.status_code == 403
        await issue(core, tenant, client, "hr@acme.example.com")
        events = (await core.get("/v1/audit-events", headers=tenant.admin)).json()["items"]
        assert "client.credentials_issued" in [e["action"] for e in events]


class TestClientRoster:
    async def test_client_sees_only_its_own_roster(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        acme, globex = await make_client(core, tenant), await make_client(core, tenant, "GLOBEX")
        mine = await make_principal(core, tenant, acme, plan)
        theirs = await make_principal(core, tenant, globex, plan, first_name="Tunde")
        _, headers = await make_client_user(core, tenant, acme)

        listed = (await core.get("/v1/enrollees", headers=headers)).json()["items"]
        assert [e["id"] for e in listed] == [mine["id"]]
        assert (await core.get(f"/v1/enrollees/{mine['id']}", headers=headers)).is_success
        assert (await core.get(f"/v1/enrollees/{theirs['id']}", headers=headers)).status_code == 404
        card = await core.get(f"/v1/enrollees/{theirs['member_id']}/card", headers=headers)
        assert card.status_code == 404
        filtered = await core.get(f"/v1/enrollees?client_id={globex['id']}", headers=headers)
        assert filtered.json()["items"] == []


async def family(
    core: httpx.AsyncClient,
) -> tuple[TenantCtx, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A tenant, a principal with one child, and another family of the same client."""
    tenant = await make_tenant(core)
    plan, client = await make_plan(core, tenant), await make_client(core, tenant)
    principal = await make_principal(core, tenant, client, plan, email="ngozi@example.com")
    child = await make_dependant(core, tenant, principal)
    other = await make_principal(core, tenant, client, plan, first_name="Tunde")
    return tenant, principal, child, other


async def account(
    core: httpx.AsyncClient, tenant: TenantCtx, enrollee: dict[str, Any], **body: Any
) -> httpx.Response:
    return await core.post(
        f"/v1/enrollees/{enrollee['id']}/account",
        json={"email": f"{enrollee['first_name'].lower()}@example.com", **body},
        headers=tenant.admin,
    )


class TestEnrolleeAccounts:
    async def test_with_a_password_the_account_is_ready(self, core: httpx.AsyncClient) -> None:
        tenant, principal, _, _ = await family(core)
        response = await account(core, tenant, principal, password=PASSWORD)
        assert response.status_code == 201, response.text
        assert response.json()["user"]["kind"] == "ENROLLEE"
        assert response.json()["setup_link_sent"] is False
        token = await login(core, tenant.slug, "ngozi@example.com")
        me = (await core.get("/v1/me", headers=session_headers(token))).json()
        assert me["user"]["first_name"] == "Ngozi"
        mail = next(m for m in await outbox(tenant) if m["to_address"] == "ngozi@example.com")
        assert PASSWORD not in mail["body"]

    async def test_without_a_password_an_invitation_is_emailed(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant, principal, _, _ = await family(core)
        response = await account(core, tenant, principal)
        assert response.status_code == 201, response.text
        assert response.json()["setup_link_sent"] is True
        assert response.json()["setup_link_expires_at"]
        assert (await set_password_by_link(core, tenant, "ngozi@example.com")).status_code == 200
        await login(core, tenant.slug, "ngozi@example.com")

    async def test_the_token_is_stored_hashed(self, core: httpx.AsyncClient) -> None:
        tenant, principal, _, _ = await family(core)
        await account(core, tenant, principal)
        token = await emailed_setup_token("ngozi@example.com")
        async with superuser() as conn:
            stored = (
                await conn.execute(
                    text("select token_hash from password_tokens where tenant_id = :t"),
                    {"t": tenant.id},
                )
            ).scalar_one()
        assert token not in stored
        assert re.fullmatch(r"[0-9a-f]{64}", stored)

    async def test_expired_link_is_refused(self, core: httpx.AsyncClient) -> None:
        tenant, principal, _, _ = await family(core)
        await account(core, tenant, principal)
        async with superuser() as conn:
            await conn.execute(
                text(
                    "update password_tokens set expires_at = now() - interval '1 minute'"
                    " where tenant_id = :t"
                ),
                {"t": tenant.id},
            )
        assert (await set_password_by_link(core, tenant, "ngozi@example.com")).status_code == 400

    async def test_one_login_per_enrollee(self, core: httpx.AsyncClient) -> None:
        tenant, principal, _, _ = await family(core)
        assert (await account(core, tenant, principal)).status_code == 201
        again = await account(core, tenant, principal, email="other@example.com")
        assert again.status_code == 409

    async def test_principal_sees_self_and_dependants_only(self, core: httpx.AsyncClient) -> None:
        tenant, principal, child, other = await family(core)
        await account(core, tenant, principal, password=PASSWORD)
        headers = session_headers(await login(core, tenant.slug, "ngozi@example.com"))
        listed = (await core.get("/v1/enrollees", headers=headers)).json()["items"]
        assert {e["id"] for e in listed} == {principal["id"], child["id"]}
        for person in (principal, child):
            card = await core.get(f"/v1/enrollees/{person['member_id']}/card", headers=headers)
            assert card.status_code == 200
        assert (await core.get(f"/v1/enrollees/{other['id']}", headers=headers)).status_code == 404
        card = await core.get(f"/v1/enrollees/{other['member_id']}/card", headers=headers)
        assert card.status_code == 404

    async def test_dependant_sees_only_self(self, core: httpx.AsyncClient) -> None:
        tenant, principal, child, _ = await family(core)
        await account(core, tenant, child, password=PASSWORD)
        headers = session_headers(await login(core, tenant.slug, "ada@example.com"))
        listed = (await core.get("/v1/enrollees", headers=headers)).json()["items"]
        assert [e["id"] for e in listed] == [child["id"]]
        assert (
            await core.get(f"/v1/enrollees/{principal['id']}", headers=headers)
        ).status_code == 404

    async def test_needs_the_permission(self, core: httpx.AsyncClient) -> None:
        tenant, principal, _, _ = await family(core)
        _, finance = await make_staff(core, tenant, "Finance")
        refused = await core.post(
            f"/v1/enrollees/{principal['id']}/account",
            json={"email": "ngozi@example.com"},
            headers=finance,
        )
        assert refused.status_code == 403


# --- No clinical detail for portal users --------------------------------------------------

CLINICAL_KEYS = {"diagnosis", "procedure", "items", "claims", "authorizations"}
# Answer for anyone (no tenant data): health checks and the API documentation.
OPEN_ROUTES = {"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
# Only the caller's own notifications; it streams until closed (tests/test_notifications.py).
STREAMS = {("GET", "/v1/notifications/stream")}
LOGOUT = ("DELETE", "/v1/auth/sessions/current")
# Signing the caller's own sessions out (tests/test_my_sessions.py): not walked, it would
# end the walk's own session.
SIGN_OUTS = {("DELETE", "/v1/me/sessions"), ("DELETE", "/v1/me/sessions/{session_id}")}
SELF_ROUTES = {
    ("GET", "/v1/me"),
    ("GET", "/v1/me/export"),
    ("GET", "/v1/me/sessions"),
    ("GET", "/v1/permissions"),
    ("GET", "/v1/notifications"),
    ("POST", "/v1/notifications/{notification_id}/read"),
    ("GET", "/v1/enrollees"),
    ("GET", "/v1/enrollees/{key}"),
    ("GET", "/v1/enrollees/{key}/history"),  # statuses and their days: no clinical detail
    ("GET", "/v1/enrollees/{member_id}/card"),
}
# The enrollee's own claims and PAs (tests/test_member_records.py checks what they hold;
# this family has none, so here they answer empty pages).
MEMBER_RECORDS = {
    ("GET", "/v1/me/claims"),
    ("GET", "/v1/me/authorizations"),
    ("GET", "/v1/me/coverage"),
    ("GET", "/v1/me/visits"),
    ("GET", "/v1/me/providers"),
}
# The caller's own data (tests/test_members.py checks an enrollee's): anyone may export
# theirs; a login that is no member's gets its account and notifications, the member
# sections empty.
OWN_DATA = {("GET", "/v1/me/export")}
# Counts of claims, never a claim (tests/test_portal_utilisation.py checks what they hold).
AGGREGATES = {("GET", "/v1/portal/utilisation")}
CLIENT_ALLOWED = (
    SELF_ROUTES
    | AGGREGATES
    | {
        ("GET", "/v1/change-requests"),
        ("GET", "/v1/change-requests/{request_id}"),
        ("POST", "/v1/change-requests"),
    }
)
REFUSALS = {403, 404, 405, 422}


def clinical_keys(value: object, *, top: bool = True) -> set[str]:
    """Keys that name clinical detail, anywhere in a JSON answer (a page's `items` list
    is the envelope, so it is looked into rather than flagged)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            envelope = top and key == "items" and "next_cursor" in value
            if not envelope and any(word in key.lower() for word in CLINICAL_KEYS):
                found.add(key)
            found |= clinical_keys(inner, top=False)
    elif isinstance(value, list):
        for inner in value:
            found |= clinical_keys(inner, top=False)
    return found


def walked_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in api_routes(create_app())
        for method in route.methods
        if route.path not in OPEN_ROUTES
        and (method, route.path) not in STREAMS | SIGN_OUTS | {LOGOUT}
    )


async def walk(
    core: httpx.AsyncClient,
    headers: dict[str, str],
    objects: dict[str, str],
    allowed: set[tuple[str, str]],
) -> dict[tuple[str, str], int]:
    """Calls every route as the portal user; returns the status of each."""
    seen = {}
    for method, path in walked_routes():
        params = {
            name: objects.get(name, "0192f1c4-0000-7000-8000-000000000000")
            for name in re.findall(r"{(\w+)}", path)
        }
        body = {} if method in ("POST", "PUT", "PATCH") else None
        response = await core.request(method, path.format(**params), json=body, headers=headers)
        seen[(method, path)] = response.status_code
        if (method, path) in allowed:
            assert response.status_code < 500, (method, path, response.text)
            if response.is_success and response.content and (method, path) not in AGGREGATES:
                answer = response.json()
                if (method, path) in OWN_DATA:
                    answer = {k: v for k, v in answer.items() if v}  # empty sections
                assert not clinical_keys(answer), (method, path, response.text)
        else:
            assert response.status_code in REFUSALS, (method, path, response.text)
    assert (await core.request(*LOGOUT, headers=headers)).status_code == 204
    return seen


async def portal_objects(
    core: httpx.AsyncClient,
) -> tuple[TenantCtx, dict[str, Any], dict[str, str]]:
    """A family, and for each path parameter an object of the same tenant, so a refusal
    comes from the caller's permissions and not from a missing object."""
    tenant, principal, _, _ = await family(core)
    roles = (await core.get("/v1/roles", headers=tenant.admin)).json()["items"]
    objects = {
        "enrollee_id": principal["id"],
        "key": principal["member_id"],
        "member_id": principal["member_id"],
        "client_id": principal["client_id"],
        "plan_id": principal["plan_id"],
        "role_id": roles[0]["id"],
        "user_id": tenant.admin_id,
    }
    return tenant, principal, objects


class TestNoClinicalDetail:
    async def test_client_user_reaches_only_roster_and_requests(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant, principal, objects = await portal_objects(core)
        client = {"id": principal["client_id"], "code": "ACME"}
        _, headers = await make_client_user(core, tenant, client)
        raised = await core.post(
            "/v1/change-requests",
            json={
                "kind": "EDIT_ENROLLEE",
                "enrollee_id": principal["id"],
                "payload": {"phone": "+2348000000000"},
            },
            headers=headers,
        )
        assert raised.status_code == 201, raised.text
        objects["request_id"] = raised.json()["id"]

        seen = await walk(core, headers, objects, CLIENT_ALLOWED)
        answered = {route for route, status in seen.items() if 200 <= status < 300}
        assert answered == CLIENT_ALLOWED - {
            ("POST", "/v1/change-requests"),
            ("POST", "/v1/notifications/{notification_id}/read"),
        }
        assert {seen[route] for route in MEMBER_RECORDS} == {403}

    async def test_enrollee_user_reaches_only_own_records(self, core: httpx.AsyncClient) -> None:
        tenant, principal, objects = await portal_objects(core)
        await account(core, tenant, principal, password=PASSWORD)
        headers = session_headers(await login(core, tenant.slug, "ngozi@example.com"))
        allowed = SELF_ROUTES | MEMBER_RECORDS
        seen = await walk(core, headers, objects, allowed)
        answered = {route for route, status in seen.items() if 200 <= status < 300}
        assert answered == allowed - {("POST", "/v1/notifications/{notification_id}/read")}

    def test_the_key_check_finds_nested_clinical_keys(self) -> None:
        page = {"items": [{"id": 1, "claims": []}], "next_cursor": None}
        assert clinical_keys(page) == {"claims"}
        assert clinical_keys({"items": [], "next_cursor": None}) == set()
        assert clinical_keys({"x": {"diagnosis_codes": ["A00"]}}) == {"diagnosis_codes"}
