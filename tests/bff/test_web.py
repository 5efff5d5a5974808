"""The web app's files at `/`: SPA fallback, cache rules, the page's CSP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bff.config import Settings
from bff.main import create_app

INDEX = '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js">'


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-1a2b.js").write_text("console.log('vetra')")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Vetra"}')
    app = create_app(Settings(web_dist=tmp_path))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bff") as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/hmo/claims/123", "/demo", "/set-password?token=x"])
async def test_every_screen_path_is_the_page(web: httpx.AsyncClient, path: str) -> None:
    page = await web.get(path)
    assert page.status_code == 200
    assert page.text == INDEX
    assert page.headers["cache-control"] == "no-cache"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp.split("style-src")[0]
    assert page.headers["x-frame-options"] == "DENY"


async def test_hashed_assets_are_cached_for_a_year(web: httpx.AsyncClient) -> None:
    asset = await web.get("/assets/app-1a2b.js")
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_top_files_are_served_and_unknown_assets_are_404(web: httpx.AsyncClient) -> None:
    manifest = await web.get("/manifest.webmanifest")
    assert manifest.json() == {"name": "Vetra"}
    for path in ("/assets/gone-0000.js", "/api/no/such/thing/../x"):
        missing = await web.get(path)
        assert missing.status_code in (401, 404), path
        assert missing.headers["content-type"].startswith("application/problem+json")


async def test_an_unbuilt_app_is_a_clear_503(tmp_path: Path) -> None:
    app = create_app(Settings(web_dist=tmp_path / "missing"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bff") as client:
        answer = await client.get("/hmo")
    assert answer.status_code == 503
    assert answer.json()["type"].endswith("/web-app-not-built")
