"""State-changing requests need the session's CSRF token; reads and login do not."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from bff.csrf import csrf_token
from tests.bff.conftest import Browser, browser, sign_in
from tests.factories import TenantCtx


class TestCsrf:
    @pytest.mark.parametrize("headers", [{}, {"x-csrf-token": "forged"}, {"x-csrf-token": ""}])
    async def test_missing_or_wrong_token_is_403(
        self, admin: Browser, headers: dict[str, str]
    ) -> None:
        response = await admin.client.patch(
            f"/api/users/{admin.user['id']}",
            json={"version": admin.user["version"], "first_name": "Mallory"},
            headers=headers,
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("csrf-rejected")
        unchanged = (await admin.client.get(f"/api/users/{admin.user['id']}")).json()
        assert unchanged["version"] == admin.user["version"]

    async def test_another_sessions_token_is_403(
        self, admin: Browser, bff_app: FastAPI, tenant: TenantCtx
    ) -> None:
        async with browser(bff_app) as other_client:
            other = await sign_in(other_client, tenant)
        assert other.csrf != admin.csrf
        response = await admin.client.post(
            "/api/roles", json={"name": "x", "permissions": []}, headers=other.unsafe()
        )
        assert response.status_code == 403

    async def test_the_right_token_passes(self, admin: Browser) -> None:
        response = await admin.client.patch(
            f"/api/users/{admin.user['id']}",
            json={"version": admin.user["version"], "first_name": "Ada"},
            headers=admin.unsafe(),
        )
        assert response.status_code == 200, response.text
        assert response.json()["first_name"] == "Ada"

    async def test_reads_need_no_token(self, admin: Browser) -> None:
        assert (await admin.client.get("/api/me")).status_code == 200

    def test_token_is_url_safe_and_bound_to_secret_and_session(self) -> None:
        token = csrf_token("secret", "session")
        assert token == csrf_token("secret", "session")
        assert token.replace("-", "").replace("_", "").isalnum()
        assert token != csrf_token("secret", "other session")
        assert token != csrf_token("other secret", "session")
