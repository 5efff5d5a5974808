"""Signing in and out through the BFF: the cookie, server-side revocation, expiry."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from starlette.responses import Response

from bff.config import Settings
from bff.sessions import set_session_cookie
from tests.bff.conftest import COOKIE, Browser, browser, sign_in
from tests.factories import BFF, PASSWORD, TenantCtx

STRONG = "s" * 40


def cleared(response: httpx.Response) -> bool:
    header = response.headers.get("set-cookie", "")
    return header.startswith(f'{COOKIE}=""') and "Max-Age=0" in header


class TestLogin:
    async def test_sets_an_httponly_samesite_cookie_and_answers_user_and_csrf(
        self, bff: httpx.AsyncClient, tenant: TenantCtx
    ) -> None:
        response = await bff.post(
            "/api/auth/login",
            json={"tenant": tenant.slug, "email": tenant.admin_email, "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["user"]["email"] == tenant.admin_email
        assert body["csrf_token"]
        assert "token" not in body
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Path=/" in cookie
        assert "expires=" in cookie
        assert "Secure" not in cookie

    def test_cookie_is_secure_in_production(self) -> None:
        settings = Settings(env="production", bff_api_key=STRONG, bff_secret=STRONG + "x")
        response = Response()
        set_session_cookie(response, settings, "token", datetime(2030, 1, 1, tzinfo=UTC))
        assert "Secure" in response.headers["set-cookie"]

    async def test_wrong_password_passes_the_core_problem_through_without_a_cookie(
        self, bff: httpx.AsyncClient, tenant: TenantCtx
    ) -> None:
        response = await bff.post(
            "/api/auth/login",
            json={"tenant": tenant.slug, "email": tenant.admin_email, "password": "wrong"},
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("invalid-credentials")
        assert "set-cookie" not in response.headers

    async def test_bad_body_is_a_validation_problem(self, bff: httpx.AsyncClient) -> None:
        response = await bff.post("/api/auth/login", json={"tenant": "x"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


class TestMe:
    async def test_me_works_with_the_cookie(self, admin: Browser, tenant: TenantCtx) -> None:
        response = await admin.client.get("/api/me")
        assert response.status_code == 200, response.text
        assert response.json()["user"]["email"] == tenant.admin_email
        assert response.json()["tenant"]["slug"] == tenant.slug

    async def test_without_a_cookie_is_401(self, bff: httpx.AsyncClient) -> None:
        response = await bff.get("/api/me")
        assert response.status_code == 401
        assert response.json()["type"].endswith("session-missing")

    async def test_a_forged_cookie_is_refused_by_the_core_and_cleared(
        self, bff: httpx.AsyncClient
    ) -> None:
        bff.cookies.set(COOKIE, "not-a-real-token")
        response = await bff.get("/api/me")
        assert response.status_code == 401
        assert response.json()["type"].endswith("session-expired")
        assert cleared(response)


class TestCsrfEndpoint:
    async def test_gives_the_same_token_as_login(self, admin: Browser) -> None:
        response = await admin.client.get("/api/auth/csrf")
        assert response.status_code == 200
        assert response.json() == {"csrf_token": admin.csrf}

    async def test_needs_a_session(self, bff: httpx.AsyncClient) -> None:
        assert (await bff.get("/api/auth/csrf")).status_code == 401


class TestLogout:
    async def test_revokes_the_session_at_the_core_and_clears_the_cookie(
        self, admin: Browser, bff_app: FastAPI, core_http: httpx.AsyncClient
    ) -> None:
        stolen = admin.cookie
        response = await admin.client.post("/api/auth/logout", headers=admin.unsafe())
        assert response.status_code == 204
        assert cleared(response)
        assert COOKIE not in admin.client.cookies

        async with browser(bff_app) as attacker:
            attacker.cookies.set(COOKIE, stolen)
            replayed = await attacker.get("/api/me")
        assert replayed.status_code == 401
        assert replayed.json()["type"].endswith("session-expired")
        at_core = await core_http.get("/v1/me", headers={**BFF, "x-session-token": stolen})
        assert at_core.status_code == 401

    async def test_needs_the_csrf_token(self, admin: Browser) -> None:
        response = await admin.client.post("/api/auth/logout")
        assert response.status_code == 403
        assert (await admin.client.get("/api/me")).status_code == 200


class TestRevocationElsewhere:
    async def test_password_change_in_another_session_ends_this_one(
        self, admin: Browser, bff_app: FastAPI, tenant: TenantCtx
    ) -> None:
        async with browser(bff_app) as laptop:
            other = await sign_in(laptop, tenant)
            changed = await laptop.post(
                "/api/me/password",
                json={"current_password": PASSWORD, "new_password": PASSWORD + " 2"},
                headers=other.unsafe(),
            )
            assert changed.status_code == 204, changed.text
            assert (await laptop.get("/api/me")).status_code == 200

        response = await admin.client.get("/api/me")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("session-expired")
        assert cleared(response)
        assert COOKIE not in admin.client.cookies
