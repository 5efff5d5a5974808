"""Check-ins: a visit recorded at a provider's front desk, with the eligibility verdict it got.

The verdict is the eligibility service's own answer on the day of the visit (nothing is
judged twice), stored as it was given.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.eligibility import service as eligibility
from core_api.eligibility.schemas import EligibilityCheck
from core_api.errors import Invalid
from core_api.kit.idempotency import Answer, once, request_hash
from core_api.kit.pagination import PageParams, SelectT, newest_first
from core_api.members.schemas import CheckInCreate, CheckInRead, CheckInRecorded
from core_api.models import Provider
from core_api.models.base import utcnow
from core_api.models.visit import CheckIn
from core_api.network.service import (
    HmoScope,
    act_for_hmo,
    in_network,
    own_provider,
    provider_filter,
)


async def record(
    db: AsyncSession, actor: Actor, data: CheckInCreate, idempotency_key: str | None
) -> Answer:
    """Runs the eligibility check for today at the visit's provider and stores the visit
    with its verdict, eligible or not. A retry with the same `Idempotency-Key` and body
    answers as the first time and stores nothing."""
    scope = await act_for_hmo(db, actor, member_id=data.member_id)
    provider = await _visit_provider(db, scope, data.provider_id)

    async def create() -> Answer:
        recorded = await _create(db, actor, provider, scope.hmo_tenant_id, data)
        return 201, recorded.model_dump(mode="json")

    body_hash = request_hash(data.model_dump(mode="json"))
    return await once(
        db, scope.hmo_tenant_id, f"check-ins:{provider.id}", idempotency_key, body_hash, create
    )


async def _visit_provider(
    db: AsyncSession, scope: HmoScope, requested: uuid.UUID | None
) -> Provider:
    """A provider records its own visits (`act_for_hmo` checked its link); HMO staff name a
    provider their network link is ACTIVE with."""
    provider_id = own_provider(scope.provider_id, requested, "records check-ins")
    if provider_id is None:
        raise Invalid("provider_id", "Name the provider of the visit.")
    if scope.provider_id is None and not await in_network(db, scope.hmo_tenant_id, provider_id):
        raise Invalid("provider_id", "No provider in your network has this id.")
    provider = await db.get(Provider, provider_id)
    assert provider is not None  # linked, so it exists
    return provider


async def _create(
    db: AsyncSession,
    actor: Actor,
    provider: Provider,
    hmo_tenant_id: uuid.UUID,
    data: CheckInCreate,
) -> CheckInRecorded:
    answer = await eligibility.check(
        db,
        actor,
        EligibilityCheck(
            member_id=data.member_id,
            provider_id=provider.id,
            service_date=utcnow().date(),
            benefit_category=data.benefit_category,
        ),
    )
    check_in = CheckIn(
        tenant_id=hmo_tenant_id,
        enrollee_id=answer.member.id,
        member_id=answer.member.member_id,
        provider_id=provider.id,
        provider_tenant_id=provider.org_tenant_id,
        visit_date=answer.service_date,
        benefit_category=data.benefit_category,
        eligible=answer.eligible,
        reasons=[reason.model_dump(mode="json") for reason in answer.reasons],
        recorded_by=actor.id,
    )
    db.add(check_in)
    await db.flush()
    return CheckInRecorded(
        **read(check_in, provider.name).model_dump(),
        member=answer.member,
        plan=answer.plan,
        benefits=answer.benefits,
    )


def read(check_in: CheckIn, provider_name: str) -> CheckInRead:
    columns = CheckInRead.model_fields.keys() - {"provider_name"}
    return CheckInRead(
        **{name: getattr(check_in, name) for name in columns}, provider_name=provider_name
    )


@dataclass(frozen=True, slots=True)
class CheckInFilters:
    provider_id: uuid.UUID | None = None
    member_id: str | None = None
    from_: date | None = None
    to: date | None = None

    def apply(self, query: SelectT) -> SelectT:
        if self.provider_id is not None:
            query = query.where(CheckIn.provider_id == self.provider_id)
        if self.member_id is not None:
            query = query.where(CheckIn.member_id == self.member_id.strip().upper())
        if self.from_ is not None:
            query = query.where(CheckIn.visit_date >= self.from_)
        if self.to is not None:
            query = query.where(CheckIn.visit_date <= self.to)
        return query


NEWEST = newest_first(CheckIn.id)


async def list_check_ins(
    db: AsyncSession, actor: Actor, filters: CheckInFilters, page: PageParams
) -> tuple[list[CheckInRead], str | None]:
    """Newest first. HMO staff see their HMO's; a provider sees its own across the HMOs it
    works with (and may name only itself as `provider_id`)."""
    filters = replace(filters, provider_id=await provider_filter(db, actor, filters.provider_id))
    tenant_id = actor.require_tenant()
    own = or_(CheckIn.tenant_id == tenant_id, CheckIn.provider_tenant_id == tenant_id)
    query = filters.apply(
        select(CheckIn, Provider.name).join(Provider, Provider.id == CheckIn.provider_id)
    ).where(own)
    rows, cursor = NEWEST.page((await db.execute(NEWEST.apply(query, page))).all(), page.limit, _id)
    return [read(check_in, name) for check_in, name in rows], cursor


def _id(row: Any) -> list[object]:
    return [row[0].id]
