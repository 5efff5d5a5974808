"""Branding through the BFF: a signed-out browser reads it (the login page), an admin
changes it with the session and CSRF like any other write."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.bff.conftest import COOKIE, Browser, browser
from tests.factories import TenantCtx
from tests.test_branding import PNG, SAFE_SVG_HEADERS, SVG


async def test_a_signed_out_browser_reads_branding_and_logo(
    bff_app: FastAPI, admin: Browser, tenant: TenantCtx
) -> None:
    named = await admin.client.patch(
        "/api/settings",
        json={"version": 1, "display_name": "Acme Care", "primary_colour": "#0a7c66"},
        headers=admin.unsafe(),
    )
    assert named.status_code == 200, named.text
    files = {"file": ("logo.svg", SVG, "image/svg+xml")}
    uploaded = await admin.client.put("/api/branding/logo", files=files, headers=admin.unsafe())
    assert uploaded.status_code == 200, uploaded.text
    async with browser(bff_app) as visitor:
        page = await visitor.get("/api/branding", params={"tenant": tenant.slug})
        assert page.status_code == 200, page.text
        assert (page.json()["display_name"], page.json()["primary_colour"]) == (
            "Acme Care",
            "#0A7C66",
        )
        logo_url = str(page.request.url.join(page.json()["logo_url"]))
        assert logo_url == f"http://bff/api/branding/logo?tenant={tenant.slug}"
        logo = await visitor.get(logo_url)
        assert logo.status_code == 200
        assert (logo.content, logo.headers["content-type"]) == (SVG, "image/svg+xml")
        assert SAFE_SVG_HEADERS.items() <= logo.headers.items()  # the core's, not the BFF's
        again = await visitor.get(logo_url, headers={"if-none-match": logo.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")
        assert COOKIE not in visitor.cookies


async def test_unknown_tenant_and_writes_without_a_session(bff: httpx.AsyncClient) -> None:
    unknown = await bff.get("/api/branding", params={"tenant": "no-such-tenant"})
    assert unknown.status_code == 404
    assert unknown.json()["instance"] == "/api/branding"
    files = {"file": ("logo.png", PNG, "image/png")}
    assert (await bff.put("/api/branding/logo", files=files)).status_code == 401
    assert (await bff.delete("/api/branding/logo")).status_code == 401
