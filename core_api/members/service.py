"""The enrollee portal's own views: coverage, visit history and in-network providers.

Each reads the caller's family as `/v1/me/claims` does (`own_family_ids`): an enrollee and,
for a principal, their dependants. Coverage is the eligibility answer itself, so the
ticker and the front desk always agree on what is used and what is left.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Select,
    String,
    Subquery,
    cast,
    exists,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.eligibility import service as eligibility
from core_api.eligibility.schemas import EligibilityCheck
from core_api.kit.pagination import By, Keyset, PageParams
from core_api.members.schemas import (
    CoverageRead,
    InNetworkProvider,
    MemberCoverage,
    PolicyYear,
    VisitKind,
    VisitRead,
)
from core_api.membership.enrollees import own_family_ids
from core_api.models import BenefitPeriod, Enrollee, Provider
from core_api.models.claim import Claim
from core_api.models.visit import CheckIn
from core_api.network.schemas import ProviderRead
from core_api.network.service import BY_NAME, ProviderFilters, active_link


async def family(db: AsyncSession, actor: Actor, member_id: str | None = None) -> list[Enrollee]:
    """The caller's family (`own_family_ids`): the caller first, then dependants by
    Member ID."""
    ids = await own_family_ids(db, actor, member_id)
    members = (await db.scalars(select(Enrollee).where(Enrollee.id.in_(ids)))).all()
    return sorted(members, key=lambda e: (e.id != actor.enrollee_id, e.member_id))


# --- coverage ------------------------------------------------------------------------------


async def coverage(
    db: AsyncSession, actor: Actor, on: date, member_id: str | None = None
) -> CoverageRead:
    return CoverageRead(
        on=on, members=[await _cover(db, actor, m, on) for m in await family(db, actor, member_id)]
    )


async def _cover(db: AsyncSession, actor: Actor, member: Enrollee, on: date) -> MemberCoverage:
    """The eligibility answer for the member on `on`, as the coverage ticker shows it."""
    answer = await eligibility.check(
        db, actor, EligibilityCheck(member_id=str(member.id), service_date=on)
    )
    start, end = eligibility.period_of(BenefitPeriod.POLICY_YEAR, member.coverage_start, on)
    return MemberCoverage(
        member=answer.member,
        plan=answer.plan,
        policy_year=PolicyYear(start=start, end=end),
        eligible=answer.eligible,
        reasons=answer.reasons,
        benefits=answer.benefits,
    )


# --- visit history -------------------------------------------------------------------------


def _visits(tenant_id: uuid.UUID, family: list[uuid.UUID], kind: VisitKind | None) -> Subquery:
    """Check-ins and claims of the family as rows of one shape (the other kind's columns
    null), so one keyset pages them together by date."""
    no_claim: dict[str, Any] = {
        "claim_number": cast(null(), String),
        "claim_status": cast(null(), String),
        "currency": cast(null(), String),
        "total_billed": cast(null(), BigInteger),
        "total_approved": cast(null(), BigInteger),
    }
    check_ins = _shaped(
        VisitKind.CHECK_IN,
        CheckIn,
        CheckIn.visit_date,
        {
            "eligible": CheckIn.eligible,
            "reasons": CheckIn.reasons,
            "benefit_category": CheckIn.benefit_category,
            **no_claim,
        },
    ).where(CheckIn.tenant_id == tenant_id, CheckIn.enrollee_id.in_(family))
    claims = _shaped(
        VisitKind.CLAIM,
        Claim,
        Claim.service_date,
        {
            "eligible": cast(null(), Boolean),
            "reasons": cast(null(), JSONB),
            "benefit_category": cast(null(), String),
            "claim_number": Claim.number,
            "claim_status": cast(Claim.status, String),
            "currency": Claim.currency,
            "total_billed": Claim.total_billed,
            "total_approved": Claim.total_approved,
        },
    ).where(Claim.tenant_id == tenant_id, Claim.enrollee_id.in_(family))
    if kind is None:
        return union_all(check_ins, claims).subquery("visits")
    return (check_ins if kind is VisitKind.CHECK_IN else claims).subquery("visits")


def _shaped(
    kind: VisitKind,
    record: type[CheckIn] | type[Claim],
    day: Any,
    columns: dict[str, Any],
) -> Select[Any]:
    common = {
        "kind": literal(kind.value, String),
        "id": record.id,
        "visit_date": day,
        "member_id": record.member_id,
        "provider_id": record.provider_id,
    }
    return select(*(column.label(name) for name, column in (common | columns).items()))


async def visits(
    db: AsyncSession,
    actor: Actor,
    member_id: str | None,
    kind: VisitKind | None,
    page: PageParams,
) -> tuple[list[VisitRead], str | None]:
    """The family's visits, newest day first: check-ins at a provider's desk and the
    service dates of claims filed for them, each with its provider's name."""
    ids = await own_family_ids(db, actor, member_id)
    rows = _visits(actor.require_tenant(), ids, kind)
    newest = Keyset(
        By(rows.c.visit_date, date, descending=True), By(rows.c.id, uuid.UUID, descending=True)
    )
    query: Select[Any] = select(rows, Provider.name.label("provider_name")).join(
        Provider, Provider.id == rows.c.provider_id
    )
    found, cursor = newest.page((await db.execute(newest.apply(query, page))).all(), page.limit)
    return [VisitRead.model_validate(row._mapping) for row in found], cursor


# --- providers -----------------------------------------------------------------------------


async def network_providers(
    db: AsyncSession, actor: Actor, filters: ProviderFilters, page: PageParams
) -> tuple[list[InNetworkProvider], str | None]:
    """The providers the member's HMO has an ACTIVE network link with (every plan of an HMO
    covers its whole network), by name; the family's primary providers are marked."""
    primary = {m.primary_provider_id for m in await family(db, actor)}
    linked = exists().where(active_link(actor.require_tenant(), Provider.id))
    query = filters.apply(select(Provider).where(linked))
    rows, cursor = BY_NAME.page((await db.scalars(BY_NAME.apply(query, page))).all(), page.limit)
    return [
        InNetworkProvider(**ProviderRead.model_validate(p).model_dump(), is_primary=p.id in primary)
        for p in rows
    ], cursor
