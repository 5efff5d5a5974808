"""With the database unreachable the core answers 503 problem+json, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from core_api.config import Settings
from core_api.main import create_app
from shared.settings import DEV_BFF_API_KEY

NOWHERE = "postgresql://vetra@127.0.0.1:1/vetra"  # nothing listens on port 1


@pytest.fixture
async def cut_off() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=NOWHERE))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://core") as client:
            yield client


@pytest.mark.parametrize(
    ("method", "path", "headers", "body"),
    [
        # The session path (SQLAlchemy's pool) and the driver pool (eligibility).
        ("GET", "/v1/me", {"x-api-key": DEV_BFF_API_KEY, "x-session-token": "t"}, None),
        (
            "POST",
            "/v1/eligibility",
            {"x-api-key": "vk_0123456789abcdef.secret"},
            {"member_id": "DEMO-ACME-00001-P", "service_date": "2026-01-05"},
        ),
    ],
)
async def test_unreachable_database_is_503_with_retry_after(
    cut_off: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, str] | None,
) -> None:
    response = await cut_off.request(method, path, headers=headers, json=body)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"
    assert response.json()["type"].endswith("/database-unavailable")
