"""The provider directory, HMO-provider network links, and acting for an HMO.

Providers are platform-wide; each is also a tenant (kind PROVIDER) that owns its users
and integration keys. A network link belongs to the HMO (`tenant_id`) and is shared with
the provider (`provider_tenant_id`) under Row-Level Security, so both sides read and
move it. A provider acts inside an HMO's data only through `act_for_hmo`, which checks
for an ACTIVE link before scoping the transaction to that HMO.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.db import Db, as_tenant, fetch_row
from core_api.errors import Conflict, Forbidden, Invalid, NotFound
from core_api.kit.pagination import By, Keyset, PageParams, newest_first
from core_api.kit.versioning import compare_and_set
from core_api.models import (
    LinkStatus,
    NetworkLink,
    Provider,
    ProviderType,
    Tenant,
    TenantKind,
    User,
    UserKind,
)
from core_api.models.base import utcnow
from core_api.network.schemas import ProviderCreate
from core_api.notifications.service import notify, notify_permission_holders
from core_api.tenants import service as tenants
from core_api.tenants.schemas import TenantCreate

# --- the directory -------------------------------------------------------------------------


async def create_provider(
    db: AsyncSession, actor: Actor, data: ProviderCreate
) -> tuple[Provider, User]:
    """The provider's organisation tenant, its directory entry and its first user.

    The tenant gets a generated code: Member ID prefixes are for HMOs, and a provider
    must never take one an HMO may want.
    """
    org = TenantCreate(
        slug=data.slug,
        name=data.name,
        code=f"PRV{secrets.token_hex(6).upper()}",
        admin_email=data.admin_email,
        admin_password=data.admin_password,
    )
    tenant, user = await tenants.create_tenant(db, actor, org, kind=TenantKind.PROVIDER)
    provider = Provider(
        org_tenant_id=tenant.id,
        **data.model_dump(include={"slug", "name", "type", "state", "address", "services"}),
    )
    db.add(provider)
    await db.flush()
    await audit.record(
        db,
        actor,
        "provider.created",
        "provider",
        provider.id,
        tenant_id=tenant.id,
        details={"slug": provider.slug, "type": provider.type.value},
    )
    return provider, user


@dataclass(frozen=True, slots=True)
class ProviderFilters:
    q: str | None = None
    type: ProviderType | None = None
    state: str | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.q:
            term = self.q.strip()
            for char in ("\\", "%", "_"):
                term = term.replace(char, f"\\{char}")
            query = query.where(Provider.name.ilike(f"%{term}%", escape="\\"))
        if self.type is not None:
            query = query.where(Provider.type == self.type)
        if self.state:
            query = query.where(func.lower(Provider.state) == self.state.strip().lower())
        return query


BY_NAME = Keyset(By(Provider.name, str), By(Provider.id, uuid.UUID))


async def list_providers(
    db: AsyncSession, filters: ProviderFilters, page: PageParams
) -> tuple[list[Provider], str | None]:
    """Ordered by name (then id, so equal names page correctly)."""
    rows = (await db.scalars(BY_NAME.apply(filters.apply(select(Provider)), page))).all()
    return BY_NAME.page(rows, page.limit)


async def get_provider(db: AsyncSession, provider_id: uuid.UUID) -> Provider:
    provider = await db.get(Provider, provider_id)
    if provider is None:
        raise NotFound("No such provider.")
    return provider


# --- acting for an HMO ---------------------------------------------------------------------


class NotInNetwork(Forbidden):
    type = "not-in-network"
    title = "Not in this HMO's network"


class UnknownMember(NotFound):
    """A Member ID no HMO could have issued (its first part is no HMO's code), or one the
    HMO has not. HMO codes are public (they are printed on every card), so saying a code is
    unknown reveals nothing."""

    type = "unknown-member"
    title = "Unknown member"


class NotOwnProvider(Invalid):
    """A provider (its staff or its integration key) named a provider other than itself.
    The answer is the same whether that provider exists or not."""

    def __init__(self, what: str = "acts") -> None:
        super().__init__(
            "provider_id", f"A provider {what} for itself only: omit provider_id or name your own."
        )


def own_provider(
    caller: uuid.UUID | None, requested: uuid.UUID | None, what: str = "acts"
) -> uuid.UUID | None:
    """The provider a request is for. A provider caller (`caller`, its provider's id) may
    omit `provider_id` or name itself, nothing else; an HMO caller (None) names any."""
    if caller is None:
        return requested
    if requested not in (None, caller):
        raise NotOwnProvider(what)
    return caller


async def caller_provider_id(db: AsyncSession, actor: Actor) -> uuid.UUID | None:
    """The caller's own provider, for a provider's staff or integration key; else None."""
    if not actor.speaks_for_provider:
        return None
    return await db.scalar(select(Provider.id).where(Provider.org_tenant_id == actor.tenant_id))


async def provider_filter(
    db: AsyncSession, actor: Actor, requested: uuid.UUID | None
) -> uuid.UUID | None:
    """A list's `provider_id` filter: a provider caller's lists hold only its own rows
    already, and naming another provider is refused rather than answered with nothing."""
    if not actor.speaks_for_provider:
        return requested
    return own_provider(await caller_provider_id(db, actor), requested, "lists")


@dataclass(frozen=True, slots=True)
class HmoScope:
    """The HMO a request works in, and the provider acting for it (None: the HMO itself)."""

    hmo_tenant_id: uuid.UUID
    provider_id: uuid.UUID | None


# The caller's provider and its ACTIVE link with the HMO named by code or slug; the HMO's
# tenant is then in force (see the migration defining the function).
ACT_FOR_HMO = "select * from vetra_act_for_hmo($1, $2, $3)"
# Only when there is no link: is there such an HMO at all? (`tenants` has no RLS.)
HMO_EXISTS = (
    "select exists(select 1 from tenants where kind = 'HMO' and (code = $1 or slug = $2)) as known"
)


async def act_for_hmo(
    db: Db, actor: Actor, *, member_id: str | None = None, tenant: str | None = None
) -> HmoScope:
    """Scopes the transaction to the HMO the request is for.

    HMO staff and keys work in their own tenant. A provider (user or integration key)
    names the HMO by a Member ID (its first part is the HMO's code) or by `tenant` (the
    HMO's slug or code), and must hold an ACTIVE link with it; otherwise 403
    `not-in-network`. An HMO that does not exist is 404: `unknown-member` for a Member ID,
    `unknown-tenant` for `tenant`. One query finds both the caller's provider (if any) and
    the link; a second one, only when there is no link, whether the HMO exists.
    """
    caller_tenant = actor.require_tenant()
    own = HmoScope(caller_tenant, None)
    if not actor.speaks_for_provider:
        return own
    key = (tenant or (member_id or "").split("-", 1)[0]).strip()
    row = await fetch_row(db, ACT_FOR_HMO, caller_tenant, key.upper(), key.lower())
    if row is None:
        return own
    if row["hmo_tenant_id"] is None:
        known = await fetch_row(db, HMO_EXISTS, key.upper(), key.lower())
        if known is None or not known["known"]:
            if tenant:
                raise NotFound("No HMO has this slug or code.", type="unknown-tenant")
            raise UnknownMember("No HMO issues Member IDs starting with this code.")
        raise NotInNetwork(f"{row['provider_name']} has no active network link with this HMO.")
    return HmoScope(row["hmo_tenant_id"], row["provider_id"])


def active_link(
    hmo_tenant_id: uuid.UUID | SQLColumnExpression[uuid.UUID],
    provider_id: uuid.UUID | SQLColumnExpression[uuid.UUID],
) -> ColumnElement[bool]:
    """The provider is in the HMO's network: their link is ACTIVE."""
    return and_(
        NetworkLink.tenant_id == hmo_tenant_id,
        NetworkLink.provider_id == provider_id,
        NetworkLink.status == LinkStatus.ACTIVE,
    )


async def in_network(db: AsyncSession, hmo_tenant_id: uuid.UUID, provider_id: uuid.UUID) -> bool:
    link = await db.scalar(select(NetworkLink.id).where(active_link(hmo_tenant_id, provider_id)))
    return link is not None


# --- links ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Move:
    """A link transition: from which statuses, to which, and which side may make it."""

    sources: frozenset[LinkStatus]
    to: LinkStatus
    by_hmo: bool
    by_provider: bool


MOVES: dict[str, Move] = {
    "accept": Move(frozenset({LinkStatus.REQUESTED}), LinkStatus.ACTIVE, False, True),
    "decline": Move(frozenset({LinkStatus.REQUESTED}), LinkStatus.DECLINED, False, True),
    # Ending a REQUESTED link withdraws the request.
    "end": Move(frozenset({LinkStatus.REQUESTED, LinkStatus.ACTIVE}), LinkStatus.ENDED, True, True),
}


async def request_link(db: AsyncSession, actor: Actor, provider_id: uuid.UUID) -> NetworkLink:
    hmo = await db.get(Tenant, actor.require_tenant())
    if hmo is None or hmo.kind is not TenantKind.HMO:
        raise Forbidden("Only an HMO requests network links.")
    provider = await get_provider(db, provider_id)
    open_link = await db.scalar(
        select(NetworkLink.id).where(
            NetworkLink.tenant_id == hmo.id,
            NetworkLink.provider_id == provider.id,
            NetworkLink.status.in_([LinkStatus.REQUESTED, LinkStatus.ACTIVE]),
        )
    )
    if open_link is not None:
        raise Conflict(
            "This provider already has an open link with you.",
            type="link-exists",
            link_id=str(open_link),
        )
    link = NetworkLink(
        tenant_id=hmo.id,
        provider_id=provider.id,
        provider_tenant_id=provider.org_tenant_id,
        requested_by=actor.id,
    )
    db.add(link)
    await db.flush()
    await audit.record(
        db, actor, "network_link.requested", "network_link", link.id, details=_about(link)
    )
    other = _other_tenant(actor, link)
    async with as_tenant(db, other):
        await audit.record(
            db,
            actor,
            "network_link.requested",
            "network_link",
            link.id,
            tenant_id=other,
            details=_about(link),
        )
        await notify_provider_users(
            db,
            link.provider_tenant_id,
            "network.link_requested",
            f"{hmo.name} asks to add you to its network",
            data={"link_id": link.id, "hmo_tenant_id": hmo.id},
        )
    return link


async def move_link(
    db: AsyncSession, actor: Actor, link_id: uuid.UUID, action: str, version: int | None
) -> NetworkLink:
    link = await db.get(NetworkLink, link_id)
    if link is None:
        raise NotFound("No such network link.")
    move = MOVES[action]
    by_hmo = link.tenant_id == actor.tenant_id
    if not (move.by_hmo if by_hmo else move.by_provider):
        raise Forbidden(f"The {'HMO' if by_hmo else 'provider'} cannot {action} this link.")
    if link.status not in move.sources:
        raise Conflict(f"A {link.status} link cannot be {action}ed.", type="illegal-transition")
    now = utcnow()
    changes: dict[str, Any] = {"status": move.to}
    if move.to is LinkStatus.ENDED:
        changes |= {"ended_at": now, "ended_by_tenant_id": actor.tenant_id}
    else:
        changes["responded_at"] = now
    expected = link.version if version is None else version
    link = await compare_and_set(db, NetworkLink, link.id, expected, changes)
    event = f"network_link.{move.to.value.lower()}"
    await audit.record(db, actor, event, "network_link", link.id, details=_about(link))
    other = _other_tenant(actor, link)
    async with as_tenant(db, other):
        await audit.record(
            db, actor, event, "network_link", link.id, tenant_id=other, details=_about(link)
        )
    await _notify_other_side(db, link, by_hmo, event)
    return link


async def list_links(
    db: AsyncSession, actor: Actor, status: LinkStatus | None, page: PageParams
) -> tuple[list[NetworkLink], str | None]:
    """The caller's links (as the HMO or as the provider), newest first."""
    tenant_id = actor.require_tenant()
    query = select(NetworkLink).where(
        or_(NetworkLink.tenant_id == tenant_id, NetworkLink.provider_tenant_id == tenant_id)
    )
    if status is not None:
        query = query.where(NetworkLink.status == status)
    newest = newest_first(NetworkLink.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    return newest.page(rows, page.limit)


async def parties(
    db: AsyncSession, links: list[NetworkLink]
) -> tuple[dict[uuid.UUID, Tenant], dict[uuid.UUID, Provider]]:
    """The HMOs and providers the links name (both platform tables), by id."""
    hmo_ids = {link.tenant_id for link in links}
    provider_ids = {link.provider_id for link in links}
    hmos = (await db.scalars(select(Tenant).where(Tenant.id.in_(hmo_ids)))).all()
    providers = (await db.scalars(select(Provider).where(Provider.id.in_(provider_ids)))).all()
    return {t.id: t for t in hmos}, {p.id: p for p in providers}


def _about(link: NetworkLink) -> dict[str, Any]:
    return {
        "hmo_tenant_id": str(link.tenant_id),
        "provider_id": str(link.provider_id),
        "status": link.status.value,
    }


def _other_tenant(actor: Actor, link: NetworkLink) -> uuid.UUID:
    mine = actor.require_tenant()
    return link.provider_tenant_id if mine == link.tenant_id else link.tenant_id


async def _notify_other_side(db: AsyncSession, link: NetworkLink, by_hmo: bool, event: str) -> None:
    status = link.status.value.lower()
    data = {"link_id": link.id, "status": link.status.value}
    if by_hmo:
        hmo_name = await db.scalar(select(Tenant.name).where(Tenant.id == link.tenant_id))
        await notify_provider_users(
            db, link.provider_tenant_id, event, f"{hmo_name}: network link {status}", data=data
        )
        return
    provider_name = await db.scalar(select(Provider.name).where(Provider.id == link.provider_id))
    await notify_permission_holders(
        db,
        link.tenant_id,
        "network:manage",
        event,
        f"{provider_name}: network link {status}",
        data=data,
    )


async def notify_provider_users(
    db: AsyncSession,
    provider_tenant_id: uuid.UUID,
    type_: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    """Every active user of a provider organisation, from whichever tenant is acting."""
    async with as_tenant(db, provider_tenant_id):
        recipients = (
            await db.scalars(
                select(User.id)
                .where(
                    User.tenant_id == provider_tenant_id,
                    User.kind == UserKind.PROVIDER,
                    User.is_active.is_(True),
                )
                .order_by(User.id)
            )
        ).all()
    for user_id in recipients:
        await notify(db, provider_tenant_id, user_id, type_, title, body, data)
    return len(recipients)
