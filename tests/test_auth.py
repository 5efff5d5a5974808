"""Sessions: login, logout, idle and absolute expiry, revocation on password change."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from tests.db import superuser
from tests.factories import BFF, PASSWORD, login, make_staff, make_tenant, session_headers
from tests.test_api_keys import create_key


class TestLogin:
    async def test_wrong_password_is_401_problem(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/auth/sessions",
            json={"tenant": tenant.slug, "email": tenant.admin_email, "password": "nope"},
            headers=BFF,
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("invalid-credentials")

    @pytest.mark.parametrize("field", ["tenant", "email"])
    async def test_unknown_tenant_or_email_answers_the_same(
        self, core: httpx.AsyncClient, field: str
    ) -> None:
        tenant = await make_tenant(core)
        body = {"tenant": tenant.slug, "email": tenant.admin_email, "password": PASSWORD}
        body[field] = "nobody@example.com" if field == "email" else "no-such-tenant"
        response = await core.post("/v1/auth/sessions", json=body, headers=BFF)
        assert response.status_code == 401
        assert response.json()["type"].endswith("invalid-credentials")

    async def test_email_is_case_insensitive(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        await login(core, tenant.slug, tenant.admin_email.upper())

    async def test_only_the_bff_key_may_log_in(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        key = (
            await core.post(
                "/v1/api-keys",
                json={"name": "erp", "scope": "tenant_integration"},
                headers=tenant.admin,
            )
        ).json()["key"]
        body = {"tenant": tenant.slug, "email": tenant.admin_email, "password": PASSWORD}
        response = await core.post("/v1/auth/sessions", json=body, headers={"x-api-key": key})
        assert response.status_code == 403

    async def test_token_is_stored_only_as_a_hash(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        token = await login(core, tenant.slug, tenant.admin_email)
        async with superuser() as conn:
            rows = await conn.execute(text("select token_hash from auth_sessions"))
            hashes = {row.token_hash for row in rows}
        assert token not in hashes
        assert all(len(h) == 64 for h in hashes)


class TestSessionLifetime:
    async def test_logout_revokes_the_session(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        assert (
            await core.delete("/v1/auth/sessions/current", headers=tenant.admin)
        ).status_code == 204
        response = await core.get("/v1/me", headers=tenant.admin)
        assert response.status_code == 401
        assert response.json()["type"].endswith("session-expired")

    @pytest.mark.parametrize("column", ["expires_at", "last_seen_at"], ids=["absolute", "idle"])
    async def test_expired_session_is_refused(self, core: httpx.AsyncClient, column: str) -> None:
        tenant = await make_tenant(core)
        token = await login(core, tenant.slug, tenant.admin_email)
        async with superuser() as conn:
            await conn.execute(
                text(
                    f"update auth_sessions set {column} = now() - interval '1 day' "  # noqa: S608
                    "where tenant_id = :t"
                ),
                {"t": tenant.id},
            )
        response = await core.get("/v1/me", headers=session_headers(token))
        assert response.status_code == 401

    async def test_password_change_revokes_other_sessions(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        other = session_headers(await login(core, tenant.slug, tenant.admin_email))
        response = await core.post(
            "/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "a new long password"},
            headers=tenant.admin,
        )
        assert response.status_code == 204
        assert (await core.get("/v1/me", headers=tenant.admin)).status_code == 200
        assert (await core.get("/v1/me", headers=other)).status_code == 401
        await login(core, tenant.slug, tenant.admin_email, "a new long password")

    async def test_wrong_current_password_changes_nothing(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/me/password",
            json={"current_password": "wrong", "new_password": "a new long password"},
            headers=tenant.admin,
        )
        assert response.status_code == 422
        await login(core, tenant.slug, tenant.admin_email)

    async def test_deactivated_user_loses_sessions(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        user, headers = await make_staff(core, tenant, "Adjudicator")
        response = await core.patch(
            f"/v1/users/{user['id']}",
            json={"version": user["version"], "is_active": False},
            headers=tenant.admin,
        )
        assert response.status_code == 200, response.text
        assert (await core.get("/v1/me", headers=headers)).status_code == 401
        body = {"tenant": tenant.slug, "email": user["email"], "password": PASSWORD}
        refused = await core.post("/v1/auth/sessions", json=body, headers=BFF)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/account-deactivated")
        body["password"] = "not-the-password-at-all"
        wrong = await core.post("/v1/auth/sessions", json=body, headers=BFF)
        assert wrong.status_code == 401  # nothing said of the account without its password

    async def test_bff_key_without_session_is_401(self, core: httpx.AsyncClient) -> None:
        response = await core.get("/v1/me", headers=BFF)
        assert response.status_code == 401
        assert response.json()["type"].endswith("session-missing")

    async def test_activity_extends_an_idle_session(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        token = await login(core, tenant.slug, tenant.admin_email)
        async with superuser() as conn:
            await conn.execute(
                text(
                    "update auth_sessions set last_seen_at = now() - interval '5 minutes' "
                    "where tenant_id = :t"
                ),
                {"t": tenant.id},
            )
        assert (await core.get("/v1/me", headers=session_headers(token))).status_code == 200
        async with superuser() as conn:
            stale = (
                await conn.execute(
                    text(
                        "select count(*) from auth_sessions where tenant_id = :t "
                        "and last_seen_at < now() - interval '1 minute'"
                    ),
                    {"t": tenant.id},
                )
            ).scalar()
        assert stale == 1  # the admin fixture's own session, untouched


# Per credential: make its last use ten minutes old, then hold its row.
STALE_THEN_HELD = {
    "api key": (
        "update api_keys set last_used_at = now() - interval '10 minutes' where id = :id",
        "select 1 from api_keys where id = :id for update",
    ),
    "session": (
        "update auth_sessions set last_seen_at = now() - interval '10 minutes' where user_id = :id",
        "select 1 from auth_sessions where user_id = :id for update",
    ),
}


@pytest.mark.parametrize("kind", sorted(STALE_THEN_HELD))
async def test_recording_a_use_never_waits_for_another_request(
    core: httpx.AsyncClient, kind: str
) -> None:
    """Once a minute a request records its credential's use; while one request holds the
    row for that, the others skip it rather than queue behind its commit."""
    tenant = await make_tenant(core)
    if kind == "api key":
        created = await create_key(core, tenant)
        headers, row = {"x-api-key": created["key"]}, {"id": created["id"]}
    else:
        headers, row = tenant.admin, {"id": tenant.admin_id}
    stale, hold = STALE_THEN_HELD[kind]
    async with superuser() as conn:
        await conn.execute(text(stale), row)
    async with superuser() as holder:
        await holder.execute(text(hold), row)
        answer = await asyncio.wait_for(core.get("/v1/me", headers=headers), timeout=5)
        assert answer.status_code == 200
        await holder.rollback()
