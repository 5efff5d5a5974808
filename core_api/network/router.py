from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access.schemas import UserRead
from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.models import LinkStatus, NetworkLink, ProviderType, Tenant
from core_api.network import service
from core_api.network.schemas import (
    HmoBrief,
    LinkAction,
    LinkCreate,
    LinkRead,
    PartyBrief,
    ProviderCreate,
    ProviderCreated,
    ProviderRead,
)

router = APIRouter(tags=["network"])
Paging = Annotated[PageParams, Depends(page_params)]
LinkManager = Annotated[Actor, require("network:manage")]


@router.post("/providers", status_code=201, response_model=ProviderCreated)
async def create_provider(
    body: ProviderCreate, db: DbSession, actor: Annotated[Actor, require("platform:providers")]
) -> ProviderCreated:
    """Adds a provider to the directory with its organisation and first user (platform key).

    Its users log in with the provider's `slug` as `tenant`."""
    provider, user = await service.create_provider(db, actor, body)
    return ProviderCreated(
        provider=ProviderRead.model_validate(provider), admin=UserRead.model_validate(user)
    )


@router.get("/providers", response_model=Page[ProviderRead])
async def list_providers(
    db: DbSession,
    _actor: Annotated[Actor, require("providers:read")],
    page: Paging,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Part of the name")
    ] = None,
    type: ProviderType | None = None,
    state: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
) -> Page[ProviderRead]:
    """The platform-wide directory, ordered by name."""
    filters = service.ProviderFilters(q, type, state)
    rows, cursor = await service.list_providers(db, filters, page)
    return Page(items=[ProviderRead.model_validate(p) for p in rows], next_cursor=cursor)


@router.get("/providers/{provider_id}", response_model=ProviderRead)
async def get_provider(
    provider_id: uuid.UUID, db: DbSession, _actor: Annotated[Actor, require("providers:read")]
) -> ProviderRead:
    return ProviderRead.model_validate(await service.get_provider(db, provider_id))


@router.post("/network/links", status_code=201, response_model=LinkRead)
async def request_link(body: LinkCreate, db: DbSession, actor: LinkManager) -> LinkRead:
    """An HMO asks a provider to join its network (REQUESTED); the provider's users are told."""
    link = await service.request_link(db, actor, body.provider_id)
    return (await link_reads(db, [link]))[0]


@router.get("/network/links", response_model=Page[LinkRead])
async def list_links(
    db: DbSession,
    actor: Annotated[Actor, require("network:read")],
    page: Paging,
    status: LinkStatus | None = None,
) -> Page[LinkRead]:
    """The caller's own links, as the HMO or as the provider, newest first."""
    rows, cursor = await service.list_links(db, actor, status, page)
    return Page(items=await link_reads(db, rows), next_cursor=cursor)


@router.post("/network/links/{link_id}/accept", response_model=LinkRead)
async def accept_link(
    link_id: uuid.UUID, db: DbSession, actor: LinkManager, body: LinkAction | None = None
) -> LinkRead:
    """The provider accepts: the link becomes ACTIVE."""
    return await _move(db, actor, link_id, "accept", body)


@router.post("/network/links/{link_id}/decline", response_model=LinkRead)
async def decline_link(
    link_id: uuid.UUID, db: DbSession, actor: LinkManager, body: LinkAction | None = None
) -> LinkRead:
    """The provider declines a request."""
    return await _move(db, actor, link_id, "decline", body)


@router.post("/network/links/{link_id}/end", response_model=LinkRead)
async def end_link(
    link_id: uuid.UUID, db: DbSession, actor: LinkManager, body: LinkAction | None = None
) -> LinkRead:
    """Either side ends an ACTIVE link (or withdraws a request)."""
    return await _move(db, actor, link_id, "end", body)


async def _move(
    db: AsyncSession, actor: Actor, link_id: uuid.UUID, action: str, body: LinkAction | None
) -> LinkRead:
    version = body.version if body else None
    link = await service.move_link(db, actor, link_id, action, version)
    return (await link_reads(db, [link]))[0]


async def link_reads(db: AsyncSession, links: list[NetworkLink]) -> list[LinkRead]:
    hmos, providers = await service.parties(db, links)
    return [
        LinkRead(
            id=link.id,
            status=link.status,
            hmo=_hmo_brief(hmos[link.tenant_id]),
            provider=PartyBrief(id=link.provider_id, name=providers[link.provider_id].name),
            provider_type=providers[link.provider_id].type,
            provider_state=providers[link.provider_id].state,
            requested_by=link.requested_by,
            responded_at=link.responded_at,
            ended_at=link.ended_at,
            ended_by_tenant_id=link.ended_by_tenant_id,
            version=link.version,
            created_at=link.created_at,
        )
        for link in links
    ]


def _hmo_brief(hmo: Tenant) -> HmoBrief:
    return HmoBrief(id=hmo.id, name=hmo.name, code=hmo.code, slug=hmo.slug)
