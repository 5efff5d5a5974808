"""Remittances as each side lists them, and the payment proofs' files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from fastapi import Response
from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.claims import queries
from core_api.db import as_tenant
from core_api.errors import NotFound
from core_api.finance.service import load_remittance
from core_api.kit.pagination import (
    PageParams,
    newest_first,
)
from core_api.models.finance import PaymentProof, Remittance, RemittanceStatus
from core_api.network.service import provider_filter


@dataclass(frozen=True, slots=True)
class RemittanceFilters:
    run_id: uuid.UUID | None = None
    status: RemittanceStatus | None = None
    provider_id: uuid.UUID | None = None
    hmo_id: uuid.UUID | None = None

    def apply(self, query: Select[Remittance]) -> Select[Remittance]:
        if self.hmo_id is not None:
            query = query.where(Remittance.tenant_id == self.hmo_id)
        if self.run_id is not None:
            query = query.where(Remittance.run_id == self.run_id)
        if self.status is not None:
            query = query.where(Remittance.status == self.status)
        if self.provider_id is not None:
            query = query.where(Remittance.provider_id == self.provider_id)
        return query


async def list_remittances(
    db: AsyncSession, actor: Actor, filters: RemittanceFilters, page: PageParams
) -> tuple[list[Remittance], str | None]:
    """Newest first. HMO staff see their HMO's remittances; a provider's users and keys see
    their organisation's, across every HMO that pays it (RLS shares the rows with both)."""
    tenant_id = actor.require_tenant()
    filters = replace(filters, provider_id=await provider_filter(db, actor, filters.provider_id))
    own = or_(Remittance.tenant_id == tenant_id, Remittance.provider_tenant_id == tenant_id)
    query = filters.apply(select(Remittance).where(own))
    newest = newest_first(Remittance.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    return newest.page(rows, page.limit)


async def proof_file(
    db: AsyncSession, actor: Actor, remittance_id: uuid.UUID, proof_id: uuid.UUID
) -> Response:
    """The decrypted proof, for the HMO's staff and the remittance's provider (others: 404).

    Attachment rows belong to the HMO alone, so once the remittance is known to be the
    caller's, the file is read in the HMO's scope (like a provider reading its claim's)."""
    remittance = await load_remittance(db, actor, remittance_id)
    proof = await db.get(PaymentProof, proof_id)
    if proof is None or proof.remittance_id != remittance.id or proof.attachment_id is None:
        raise NotFound("No such payment proof.")
    async with as_tenant(db, remittance.tenant_id):
        return await queries.download(db, proof, proof.attachment_id)
