"""Per-tenant settings over the API: SLA target, fraud thresholds, sampling, branding; and
the branding a login page reads without a session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, UploadFile

from core_api.access.schemas import TenantSlug
from core_api.auth.actor import Actor
from core_api.auth.credentials import Credential
from core_api.deps import DbSession, SettingsDep, require, require_key
from core_api.kit.responses import a_file
from core_api.models import ApiKeyScope
from core_api.settings_api import branding, service
from core_api.settings_api.schemas import BrandingRead, LogoRead, SettingsPatch, SettingsRead

router = APIRouter(prefix="/settings", tags=["tenancy"])
branding_router = APIRouter(prefix="/branding", tags=["tenancy"])
Editor = Annotated[Actor, require("tenant:update")]
Slug = Annotated[TenantSlug, Query(description="The tenant's slug (as at login).")]
# No session: the BFF asks for the login page, before anyone has signed in.
BffKey = Annotated[Credential, require_key(ApiKeyScope.BFF)]


@router.get("", response_model=SettingsRead)
async def get_settings(
    db: DbSession, actor: Annotated[Actor, require("tenant:read")]
) -> SettingsRead:
    """The tenant's claim SLA target, fraud thresholds (with defaults), sampling,
    settlement cadence and branding (display name, colour, support contact, logo)."""
    return await service.get(db, actor)


@router.patch("", response_model=SettingsRead)
async def patch_settings(body: SettingsPatch, db: DbSession, actor: Editor) -> SettingsRead:
    """Changes only the fields sent; `version` must be current (stale: 409). A change to
    `claim_sla_days` or `risk_thresholds.flag_score` re-ranks every open claim in the
    review queue, in the same transaction. Branding fields take null to clear them."""
    return await service.patch(db, actor, body)


@branding_router.get(
    "", response_model=BrandingRead, responses={404: {"description": "No such tenant."}}
)
async def get_branding(db: DbSession, tenant: Slug, _key: BffKey) -> BrandingRead:
    """A tenant's display name, primary colour, support contact and logo URL, for its login
    page: the BFF key, no session (the BFF answers it to anyone). Unknown tenant: 404."""
    return await branding.public_branding(db, tenant)


@branding_router.get(
    "/logo",
    response_class=Response,
    responses={
        **a_file(branding.LOGO_TYPES),
        304: {"description": "The copy held is current."},
        404: {"description": "No such tenant, or it has no logo."},
    },
)
async def get_logo(
    db: DbSession,
    tenant: Slug,
    _key: BffKey,
    if_none_match: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """A tenant's logo, with its own content type, an `ETag` (send it back in
    `If-None-Match`: 304 while unchanged) and headers that keep an SVG inert
    (`Content-Security-Policy: default-src 'none'; sandbox`, `nosniff`). The BFF key, no
    session. Unknown tenant, or no logo: 404."""
    logo = await branding.logo_file(db, tenant)
    headers = {**branding.LOGO_HEADERS, "etag": branding.etag(logo.digest)}
    if if_none_match and _matches(if_none_match, headers["etag"]):
        return Response(status_code=304, headers=headers)
    content = await branding.logo_bytes(db, logo)
    return Response(content, media_type=logo.media_type, headers=headers)


def _matches(if_none_match: str, current: str) -> bool:
    """RFC 9110 13.1.2: `*`, or any listed tag equal to `current` (weak comparison)."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or current in tags


@branding_router.put("/logo", response_model=LogoRead)
async def put_logo(
    file: UploadFile, db: DbSession, settings: SettingsDep, actor: Editor
) -> LogoRead:
    """Uploads (or replaces) the tenant's logo: a PNG, JPEG or SVG image, its type read
    from its content (not its name or declared type), up to `VETRA_MAX_LOGO_BYTES`
    (413 above). Audited."""
    limit = settings.upload_limit("tenant-logo")
    return await branding.put_logo(db, actor, await file.read(limit + 1), limit)


@branding_router.delete(
    "/logo", status_code=204, responses={404: {"description": "The tenant has no logo."}}
)
async def delete_logo(db: DbSession, actor: Editor) -> Response:
    """Removes the tenant's logo (none: 404). Audited."""
    await branding.delete_logo(db, actor)
    return Response(status_code=204)
