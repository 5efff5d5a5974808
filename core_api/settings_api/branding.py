"""Tenant branding: the logo (its type sniffed from its bytes, stored, served) and the
answer a login page reads without a session.

An SVG logo is stored and served as uploaded, not sanitised. Sanitising SVG means keeping
up with every way markup can run script or fetch (script elements, event attributes,
`javascript:` links, `<foreignObject>`, animations that rewrite `href`, CSS), and one miss
is stored XSS on the portal's own origin. Instead the browser is told not to run or fetch
anything: in an `<img>` an SVG never runs script or loads a resource, and opened directly
the logo comes with its own `Content-Type`, `X-Content-Type-Options: nosniff` and a
`Content-Security-Policy` of `default-src 'none'` (no script, no fetch) with `sandbox` (an
opaque origin: no cookies, no storage, no forms, even if a browser erred). The upload is
still checked to be an SVG document (root `<svg>` in the SVG namespace) with no entity
declarations, so nothing else is served under an image type.
"""

from __future__ import annotations

import hashlib
import uuid
from xml.parsers import expat

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.db import set_tenant
from core_api.errors import Invalid, NotFound
from core_api.models import Tenant
from core_api.models.base import utcnow
from core_api.models.settings import TenantLogo
from core_api.settings_api.schemas import BrandingRead, LogoRead
from core_api.tenants.settings import load_settings
from shared.problems import ProblemError

PNG = "image/png"
JPEG = "image/jpeg"
SVG = "image/svg+xml"
LOGO_TYPES = frozenset({PNG, JPEG, SVG})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_SVG_ROOT = "http://www.w3.org/2000/svg svg"  # namespace, space, local name (expat's form)

# Sent with every logo, whatever its type (see the module's note on SVG).
LOGO_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "x-content-type-options": "nosniff",
    "cache-control": "public, no-cache",  # kept, but revalidated (ETag) on each use
}


class LogoTooLarge(ProblemError):
    status = 413
    type = "logo-too-large"
    title = "Logo too large"


def sniff(data: bytes) -> str | None:
    """The image type the bytes are (PNG, JPEG or SVG), whatever name or type was declared."""
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
        return PNG
    if data.startswith(_JPEG_SIGNATURE):
        return JPEG
    return SVG if _is_svg(data) else None


def _is_svg(data: bytes) -> bool:
    """A well-formed XML document whose root is `<svg>` in the SVG namespace, declaring no
    entities (as defusedxml refuses them: no expansion bombs, no external entities)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    elements: list[str] = []

    def on_element(name: str, attributes: object) -> None:
        elements.append(name)

    def on_entity(*declaration: object) -> None:
        raise _EntityDeclared

    parser.StartElementHandler = on_element
    parser.EntityDeclHandler = on_entity
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _EntityDeclared, ValueError, LookupError):
        return False
    return elements[:1] == [_SVG_ROOT]


class _EntityDeclared(Exception):
    pass


def etag(digest: str) -> str:
    return f'"{digest}"'


def logo_url(tenant_slug: str) -> str:
    return f"branding/logo?tenant={tenant_slug}"


async def logo_of(db: AsyncSession, tenant_id: uuid.UUID) -> LogoRead | None:
    """The tenant's logo as described in its settings (the bytes are not read)."""
    logo = await db.get(TenantLogo, tenant_id)
    if logo is None:
        return None
    tenant = await db.get(Tenant, tenant_id)
    assert tenant is not None
    return LogoRead(
        url=logo_url(tenant.slug),
        media_type=logo.media_type,
        size=logo.size,
        digest=logo.digest,
        updated_at=logo.updated_at,
    )


async def put_logo(db: AsyncSession, actor: Actor, data: bytes, limit: int) -> LogoRead:
    """Stores (or replaces) the caller's tenant logo of at most `limit` bytes; audited."""
    if len(data) > limit:
        raise LogoTooLarge(f"A logo is limited to {limit} bytes.")
    if not data:
        raise Invalid("file", "The file is empty.")
    media_type = sniff(data)
    if media_type is None:
        raise Invalid("file", "The file is not a PNG, JPEG or SVG image (its content is read).")
    tenant_id = actor.require_tenant()
    values = {
        "media_type": media_type,
        "size": len(data),
        "digest": hashlib.sha256(data).hexdigest(),
        "content": data,
        "uploaded_by": actor.user_id,
        "updated_at": utcnow(),
    }
    await db.execute(
        insert(TenantLogo)
        .values(tenant_id=tenant_id, **values)
        .on_conflict_do_update(index_elements=[TenantLogo.tenant_id], set_=values)
    )
    details = {"media_type": media_type, "size": len(data), "digest": values["digest"]}
    await audit.record(db, actor, "branding.logo_update", "tenant_logo", tenant_id, details=details)
    logo = await logo_of(db, tenant_id)
    assert logo is not None
    return logo


async def delete_logo(db: AsyncSession, actor: Actor) -> None:
    """Removes the caller's tenant logo (none: 404); audited."""
    tenant_id = actor.require_tenant()
    removed = await db.execute(
        delete(TenantLogo).where(TenantLogo.tenant_id == tenant_id).returning(TenantLogo.digest)
    )
    if removed.first() is None:
        raise NotFound("This tenant has no logo.")
    await audit.record(db, actor, "branding.logo_delete", "tenant_logo", tenant_id)


async def _tenant_by_slug(db: AsyncSession, slug: str) -> Tenant:
    """The tenant named by `slug`, its rows then in force for the transaction."""
    tenant = await db.scalar(select(Tenant).where(Tenant.slug == slug.lower()))
    if tenant is None:
        raise NotFound("No such tenant.")
    await set_tenant(db, tenant.id)
    return tenant


async def public_branding(db: AsyncSession, slug: str) -> BrandingRead:
    tenant = await _tenant_by_slug(db, slug)
    settings = await load_settings(db, tenant.id)
    logo = await db.get(TenantLogo, tenant.id)
    return BrandingRead(
        tenant=tenant.slug,
        display_name=settings.display_name or tenant.name,
        primary_colour=settings.primary_colour,
        support_email=settings.support_email,
        support_phone=settings.support_phone,
        logo_url=logo_url(tenant.slug) if logo else None,
    )


async def logo_file(db: AsyncSession, slug: str) -> TenantLogo:
    """The tenant's logo, its bytes not yet read (`logo_bytes`); no logo: 404."""
    tenant = await _tenant_by_slug(db, slug)
    logo = await db.get(TenantLogo, tenant.id)
    if logo is None:
        raise NotFound("This tenant has no logo.")
    return logo


async def logo_bytes(db: AsyncSession, logo: TenantLogo) -> bytes:
    content = await db.scalar(
        select(TenantLogo.content).where(TenantLogo.tenant_id == logo.tenant_id)
    )
    assert content is not None
    return content
