"""Security headers on every response, HSTS only in production, and the CORS allow-list."""

from __future__ import annotations

import httpx
import pytest

from bff.security_headers import API_CSP
from tests.bff.conftest import ORIGIN, BffFactory, Browser

STRONG = "s" * 40
EXPECTED = {
    "content-security-policy": API_CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_secured(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


class TestSecurityHeaders:
    async def test_on_own_answers_problems_and_relayed_answers(self, admin: Browser) -> None:
        client = admin.client
        assert_secured(await client.get("/healthz"))
        assert_secured(await client.get("/api/nowhere"))  # outside /api the web app answers
        assert_secured(await client.get("/api/me"))
        assert_secured(await client.get("/api/users/not-a-uuid"))
        assert_secured(await client.patch("/api/users/x", json={}))

    async def test_no_hsts_outside_production(self, bff: httpx.AsyncClient) -> None:
        assert "strict-transport-security" not in (await bff.get("/healthz")).headers

    async def test_hsts_in_production(self, make_bff: BffFactory) -> None:
        production = {"env": "production", "bff_api_key": STRONG, "bff_secret": STRONG + "x"}
        async with make_bff(**production) as client:
            response = await client.get("/healthz")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert_secured(response)

    async def test_docs_page_runs_only_scripts_of_its_own(self, bff: httpx.AsyncClient) -> None:
        response = await bff.get("/docs")
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp  # no inline script (tests/test_openapi.py)
        assert "frame-ancestors 'none'" in csp
        assert (await bff.get("/openapi.json")).json()["info"]["title"] == "Vetra BFF"


class TestCors:
    async def test_allowed_origin_gets_credentialed_cors_headers(
        self, bff: httpx.AsyncClient
    ) -> None:
        response = await bff.get("/healthz", headers={"origin": ORIGIN})
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert response.headers["access-control-allow-credentials"] == "true"

    async def test_other_origins_get_none(self, bff: httpx.AsyncClient) -> None:
        response = await bff.get("/healthz", headers={"origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in response.headers

    async def test_preflight_for_an_allowed_origin(self, bff: httpx.AsyncClient) -> None:
        response = await bff.options(
            "/api/users/1",
            headers={
                "origin": ORIGIN,
                "access-control-request-method": "PATCH",
                "access-control-request-headers": "content-type, x-csrf-token",
            },
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert "PATCH" in response.headers["access-control-allow-methods"]

    @pytest.mark.parametrize("origin", ["https://evil.example.com", ORIGIN + ".evil.com"])
    async def test_preflight_from_other_origins_is_a_problem(
        self, bff: httpx.AsyncClient, origin: str
    ) -> None:
        response = await bff.options(
            "/api/users/1",
            headers={"origin": origin, "access-control-request-method": "PATCH"},
        )
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert "access-control-allow-origin" not in response.headers
        assert_secured(response)
