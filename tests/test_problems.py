"""Bad input always gets a 4xx problem+json, never a 500."""

from __future__ import annotations

import uuid

import httpx
import pytest

from core_api.kit.pagination import encode_cursor
from tests.factories import PLATFORM, make_tenant

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = dict(response.json())
    assert body["status"] == status
    assert str(body["type"]).startswith("https://")
    return body


async def test_malformed_json_is_400(core: httpx.AsyncClient) -> None:
    response = await core.post(
        "/v1/tenants",
        content=b'{"slug": ',
        headers={**PLATFORM, "content-type": "application/json"},
    )
    assert_problem(response, 400)


async def test_wrong_types_give_field_errors(core: httpx.AsyncClient) -> None:
    response = await core.post(
        "/v1/tenants",
        json={"slug": 5, "name": ["x"], "admin_email": "not-an-email"},
        headers=PLATFORM,
    )
    body = assert_problem(response, 422)
    fields = {e["field"] for e in body["errors"]}  # type: ignore[attr-defined]
    assert {"slug", "name", "admin_email", "admin_password"} <= fields


async def test_oversized_body_is_413(core: httpx.AsyncClient) -> None:
    response = await core.post(
        "/v1/tenants",
        content=b"x" * 2_000_000,
        headers={**PLATFORM, "content-type": "application/json"},
    )
    assert_problem(response, 413)


async def test_unknown_route_is_404(core: httpx.AsyncClient) -> None:
    assert_problem(await core.get("/v1/nowhere", headers=PLATFORM), 404)


async def test_wrong_method_is_405(core: httpx.AsyncClient) -> None:
    assert_problem(await core.put("/v1/tenants", headers=PLATFORM), 405)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1", "' or 1=1 --"])
async def test_malformed_path_id_is_422(core: httpx.AsyncClient, bad_id: str) -> None:
    tenant = await make_tenant(core)
    assert_problem(await core.get(f"/v1/users/{bad_id}", headers=tenant.admin), 422)


@pytest.mark.parametrize("limit", ["0", "201", "abc"])
async def test_bad_page_size_is_422(core: httpx.AsyncClient, limit: str) -> None:
    tenant = await make_tenant(core)
    assert_problem(await core.get(f"/v1/users?limit={limit}", headers=tenant.admin), 422)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/claims",
        "/v1/settlement-runs",
        "/v1/remittances",
        "/v1/disputes",
        "/v1/network/links",
        "/v1/change-requests",
        "/v1/authorizations",
        "/v1/pa-rules",
        "/v1/risk-events",
    ],
)
async def test_newest_first_lists_refuse_a_cursor_of_another_shape(
    core: httpx.AsyncClient, path: str
) -> None:
    tenant = await make_tenant(core)
    two_keys = encode_cursor([str(uuid.uuid4()), "extra"])  # an id, and more
    response = await core.get(path, params={"cursor": two_keys}, headers=tenant.admin)
    assert_problem(response, 422)


async def test_request_id_is_echoed(core: httpx.AsyncClient) -> None:
    response = await core.get("/healthz", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    generated = await core.get("/healthz", headers={"x-request-id": "bad id with spaces"})
    assert generated.headers["x-request-id"] != "bad id with spaces"


class TestTenantCreation:
    async def test_duplicate_slug_is_409(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        body = {
            "slug": tenant.slug,
            "name": "Again",
            "admin_email": "x@example.com",
            "admin_password": "long enough password",
        }
        assert_problem(await core.post("/v1/tenants", json=body, headers=PLATFORM), 409)

    @pytest.mark.parametrize("slug", ["UPPER", "-leading", "a", "has space", "x" * 64])
    async def test_bad_slug_is_422(self, core: httpx.AsyncClient, slug: str) -> None:
        body = {
            "slug": slug,
            "name": "X",
            "admin_email": "x@example.com",
            "admin_password": "long enough password",
        }
        assert_problem(await core.post("/v1/tenants", json=body, headers=PLATFORM), 422)

    async def test_short_password_is_422(self, core: httpx.AsyncClient) -> None:
        body = {
            "slug": "short-pw",
            "name": "X",
            "admin_email": "x@example.com",
            "admin_password": "short",
        }
        assert_problem(await core.post("/v1/tenants", json=body, headers=PLATFORM), 422)

    async def test_code_defaults_to_slug_without_hyphens(self, core: httpx.AsyncClient) -> None:
        body = {
            "slug": "lagos-care-7",
            "name": "Lagos Care",
            "admin_email": "x@example.com",
            "admin_password": "long enough password",
        }
        response = await core.post("/v1/tenants", json=body, headers=PLATFORM)
        assert response.status_code == 201, response.text
        assert response.json()["tenant"]["code"] == "LAGOSCARE7"


class TestTextAndDatesTheDatabaseCannotTake:
    """Values that pass the schema but not PostgreSQL (a NUL character) or the benefit
    arithmetic (the year 1) are 422 problems on both the session and the driver path."""

    async def test_nul_character_is_422(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        listed = await core.get("/v1/enrollees", params={"q": "Ada\x00"}, headers=tenant.admin)
        problem = assert_problem(listed, 422)  # refused before any route, by parameter
        assert [e["field"] for e in problem["errors"]] == ["q"]  # type: ignore[attr-defined]
        checked = await core.post(
            "/v1/eligibility",
            json={"member_id": "DEMO\x00-ACME-00001-P", "service_date": "2026-01-05"},
            headers=tenant.admin,
        )
        problem = assert_problem(checked, 422)  # refused by the body's schema, by field
        assert [e["field"] for e in problem["errors"]] == ["member_id"]  # type: ignore[attr-defined]

    @pytest.mark.parametrize("day", ["0001-01-02", "9999-12-31"])
    async def test_service_date_out_of_range_is_422(
        self, core: httpx.AsyncClient, day: str
    ) -> None:
        tenant = await make_tenant(core)
        body = {"member_id": f"{tenant.code}-ACME-00001-P", "service_date": day}
        checked = await core.post("/v1/eligibility", json=body, headers=tenant.admin)
        assert_problem(checked, 422)
