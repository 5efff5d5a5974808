"""Tenant branding: set through the settings (tenant:update, audited), the logo uploaded
(its type read from its content, size-limited) and both answered without a session."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from core_api.config import get_settings
from tests.factories import BFF, TenantCtx, make_staff, make_tenant

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    b'<script>alert(document.cookie)</script><rect width="8" height="8" fill="#0A7C66"/></svg>'
)
SAFE_SVG_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "x-content-type-options": "nosniff",
}


async def upload(
    core: httpx.AsyncClient,
    headers: dict[str, str],
    data: bytes,
    name: str = "logo.png",
    declared: str = "image/png",
) -> httpx.Response:
    files = {"file": (name, data, declared)}
    return await core.put("/v1/branding/logo", files=files, headers=headers)


async def patch_settings(
    core: httpx.AsyncClient,
    tenant: TenantCtx,
    headers: dict[str, str] | None = None,
    **changes: Any,
) -> httpx.Response:
    version = (await core.get("/v1/settings", headers=tenant.admin)).json()["version"]
    return await core.patch(
        "/v1/settings", json={"version": version, **changes}, headers=headers or tenant.admin
    )


async def public_branding(core: httpx.AsyncClient, slug: str) -> dict[str, Any]:
    """What the login page reads (the BFF's key, no session)."""
    answer = await core.get("/v1/branding", headers=BFF, params={"tenant": slug})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def errors_on(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


class TestBrandingSettings:
    async def test_set_read_publicly_cleared_and_audited(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core, name="Acme Health")
        changed = await patch_settings(
            core,
            tenant,
            display_name="  Acme Care ",
            primary_colour="#0a7c66",
            support_email="help@acme.example.com",
            support_phone="+234 801 234 5678",
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["logo"] is None
        assert await public_branding(core, tenant.slug.upper()) == {
            "tenant": tenant.slug,
            "display_name": "Acme Care",
            "primary_colour": "#0A7C66",
            "support_email": "help@acme.example.com",
            "support_phone": "+234 801 234 5678",
            "logo_url": None,
        }
        cleared = await patch_settings(core, tenant, display_name=None, support_phone=None)
        assert cleared.status_code == 200, cleared.text
        public = await public_branding(core, tenant.slug)
        assert (public["display_name"], public["support_phone"]) == ("Acme Health", None)
        assert public["primary_colour"] == "#0A7C66"  # what was not sent is kept
        events = (await core.get("/v1/audit-events", headers=tenant.admin)).json()["items"]
        updates = [e["details"] for e in events if e["action"] == "settings.update"]
        assert {"display_name": None, "support_phone": None} in updates
        assert updates[-1]["primary_colour"] == "#0A7C66"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("primary_colour", "#12345"),
            ("primary_colour", "0A7C66"),
            ("primary_colour", "#0A7C6G"),
            ("primary_colour", "teal"),
            ("support_email", "not-an-email"),
            ("support_email", "a@"),
            ("support_phone", "call me"),
            ("display_name", ""),
            ("display_name", "x" * 101),
        ],
    )
    async def test_bad_values_are_refused_naming_the_field(
        self, core: httpx.AsyncClient, field: str, value: str
    ) -> None:
        tenant = await make_tenant(core)
        assert errors_on(await patch_settings(core, tenant, **{field: value})) == [field]

    async def test_changing_needs_tenant_update(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        _, read_only = await make_staff(core, tenant, "Read-only")
        refused = await patch_settings(core, tenant, read_only, display_name="Mine now")
        assert refused.status_code == 403
        assert (await upload(core, read_only, PNG)).status_code == 403
        assert (await core.delete("/v1/branding/logo", headers=read_only)).status_code == 403

    async def test_a_tenant_changes_only_its_own_branding(self, core: httpx.AsyncClient) -> None:
        ours, theirs = await make_tenant(core, name="Ours"), await make_tenant(core, name="Theirs")
        assert (await upload(core, ours.admin, PNG)).status_code == 200
        assert (await patch_settings(core, theirs, display_name="Taken over")).status_code == 200
        assert (await upload(core, theirs.admin, JPEG, "x.jpg", "image/jpeg")).status_code == 200
        assert (await core.delete("/v1/branding/logo", headers=theirs.admin)).status_code == 204
        public = await public_branding(core, ours.slug)
        assert public["display_name"] == "Ours"
        logo = await core.get("/v1/branding/logo", headers=BFF, params={"tenant": ours.slug})
        assert (logo.status_code, logo.content) == (200, PNG)


class TestLogo:
    @pytest.mark.parametrize(
        ("data", "name", "declared", "media_type"),
        [
            (PNG, "logo.png", "image/png", "image/png"),
            (JPEG, "logo.jpg", "image/jpeg", "image/jpeg"),
            (SVG, "logo.svg", "image/svg+xml", "image/svg+xml"),
            # the content decides, not the name or the declared type
            (PNG, "logo.svg", "image/svg+xml", "image/png"),
            (SVG, "logo", "application/octet-stream", "image/svg+xml"),
        ],
    )
    async def test_each_type_is_stored_and_served_as_itself(
        self, core: httpx.AsyncClient, data: bytes, name: str, declared: str, media_type: str
    ) -> None:
        tenant = await make_tenant(core)
        stored = await upload(core, tenant.admin, data, name, declared)
        assert stored.status_code == 200, stored.text
        logo = stored.json()
        assert (logo["media_type"], logo["size"]) == (media_type, len(data))
        assert logo["url"] == f"branding/logo?tenant={tenant.slug}"
        settings = (await core.get("/v1/settings", headers=tenant.admin)).json()
        assert settings["logo"] == logo
        public = await public_branding(core, tenant.slug)
        assert public["logo_url"] == logo["url"]
        served = await core.get("/v1/" + logo["url"], headers=BFF)
        assert served.status_code == 200
        assert served.content == data
        assert served.headers["content-type"] == media_type
        assert served.headers["etag"] == f'"{logo["digest"]}"'
        assert SAFE_SVG_HEADERS.items() <= served.headers.items()

    async def test_the_etag_revalidates(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        await upload(core, tenant.admin, SVG, "logo.svg", "image/svg+xml")
        url, params = "/v1/branding/logo", {"tenant": tenant.slug}
        tag = (await core.get(url, headers=BFF, params=params)).headers["etag"]
        for held in (tag, f'"other", W/{tag}', "*"):
            same = await core.get(url, params=params, headers={**BFF, "if-none-match": held})
            assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", tag)
        await upload(core, tenant.admin, PNG)
        changed = await core.get(url, params=params, headers={**BFF, "if-none-match": tag})
        assert (changed.status_code, changed.content) == (200, PNG)
        assert changed.headers["etag"] != tag

    async def test_too_large_is_refused(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        limit = get_settings().upload_limit("tenant-logo")
        refused = await upload(core, tenant.admin, PNG + b"\x00" * (limit + 1 - len(PNG)))
        assert refused.status_code == 413, refused.text
        assert refused.json()["type"].endswith("/logo-too-large")
        fits = await upload(core, tenant.admin, PNG + b"\x00" * (limit - len(PNG)))
        assert fits.status_code == 200, fits.text

    @pytest.mark.parametrize(
        ("data", "name", "declared"),
        [
            (b"%PDF-1.4 not a logo", "logo.png", "image/png"),
            (b"<html><script>alert(1)</script></html>", "logo.svg", "image/svg+xml"),
            (b'<svg width="8"/>', "logo.svg", "image/svg+xml"),  # not in the SVG namespace
            (  # an entity declaration (expansion bombs, external entities)
                b'<!DOCTYPE svg [<!ENTITY a "aaaa">]>'
                b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
                "logo.svg",
                "image/svg+xml",
            ),
            (b"", "logo.png", "image/png"),
        ],
    )
    async def test_what_is_not_an_image_is_refused(
        self, core: httpx.AsyncClient, data: bytes, name: str, declared: str
    ) -> None:
        tenant = await make_tenant(core)
        assert errors_on(await upload(core, tenant.admin, data, name, declared)) == ["file"]
        assert (await core.get("/v1/settings", headers=tenant.admin)).json()["logo"] is None

    async def test_delete_and_audit(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        logo = (await upload(core, tenant.admin, PNG)).json()
        assert (await core.delete("/v1/branding/logo", headers=tenant.admin)).status_code == 204
        assert (await core.delete("/v1/branding/logo", headers=tenant.admin)).status_code == 404
        gone = await core.get("/v1/branding/logo", headers=BFF, params={"tenant": tenant.slug})
        assert gone.status_code == 404
        public = await public_branding(core, tenant.slug)
        assert public["logo_url"] is None
        events = (await core.get("/v1/audit-events", headers=tenant.admin)).json()["items"]
        actions = {e["action"]: e["details"] for e in events}
        assert actions["branding.logo_update"]["digest"] == logo["digest"]
        assert "branding.logo_delete" in actions


class TestPublicAnswers:
    @pytest.mark.parametrize("path", ["/v1/branding", "/v1/branding/logo"])
    async def test_is_a_404_problem(self, core: httpx.AsyncClient, path: str) -> None:
        answer = await core.get(path, headers=BFF, params={"tenant": "no-such-tenant"})
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")

    async def test_a_missing_slug_names_the_field(self, core: httpx.AsyncClient) -> None:
        assert errors_on(await core.get("/v1/branding", headers=BFF)) == ["tenant"]

    async def test_the_core_answers_the_bffs_key_only(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        params = {"tenant": tenant.slug}
        assert (await core.get("/v1/branding", params=params)).status_code == 401
        staff_key = await core.get("/v1/branding", params=params, headers=tenant.admin)
        assert staff_key.status_code == 200  # the BFF's key, whatever session rides along
