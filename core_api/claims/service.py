"""Claims: intake by linked providers, the adjudication view, transitions and queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.authorizations import service as authorizations
from core_api.billing.service import charge_claim_fee
from core_api.claims import adjudication, queue, risk, state
from core_api.claims.schemas import (
    ClaimCreate,
    ClaimDetail,
    ClaimRead,
    ClaimSummary,
    ItemRead,
    ItemSummary,
    MemberClaimRead,
    ProviderClaimDetail,
    ProviderClaimRead,
    Transition,
)
from core_api.errors import Forbidden, Invalid, NotFound
from core_api.kit.counters import next_number
from core_api.kit.idempotency import Answer, once, request_hash
from core_api.kit.pagination import PageParams, newest_first
from core_api.membership.enrollees import family_filings, get_enrollee
from core_api.models import Enrollee, Provider, Tenant
from core_api.models.claim import Claim, ClaimEvent, ClaimItem, ClaimStatus, RiskEvent
from core_api.network.service import (
    act_for_hmo,
    notify_provider_users,
    own_provider,
    provider_filter,
)
from core_api.notifications.service import notify_members, notify_permission_holders
from core_api.plans.service import version_of
from core_api.tenants.settings import load_settings

S = ClaimStatus
HMO_NOTICE = {S.SUBMITTED: "submitted", S.RESUBMITTED: "resubmitted"}
# What the adjudication view tells of the PA a claim cites that its provider must not see.
PA_FRAUD_SIGNALS = frozenset({"suspicious", "hold_cleared_at"})
# An approval is what moves the member's coverage ticker ("used" counts approved claims).
MEMBER_NOTICE = {S.APPROVED: "approved"}
PROVIDER_NOTICE = {
    S.QUERIED: "queried",
    S.APPROVED: "approved",
    S.REJECTED: "rejected",
    S.SETTLED: "settled",
}


async def submit(
    db: AsyncSession, actor: Actor, data: ClaimCreate, idempotency_key: str | None
) -> Answer:
    """Files a claim for a member of an HMO the provider is linked to.

    A retry with the same `Idempotency-Key` and body answers as the first time.
    """
    scope = await act_for_hmo(db, actor, member_id=data.member_id)
    if scope.provider_id is None:
        raise Forbidden("Claims are submitted by providers.")
    own_provider(scope.provider_id, data.provider_id, "submits claims")
    provider = await db.get(Provider, scope.provider_id)
    assert provider is not None

    async def create() -> Answer:
        claim = await _create(db, actor, provider, scope.hmo_tenant_id, data)
        return 201, claim.model_dump(mode="json")

    body_hash = request_hash(data.model_dump(mode="json"))
    return await once(
        db, scope.hmo_tenant_id, f"claims:{provider.id}", idempotency_key, body_hash, create
    )


async def _create(
    db: AsyncSession,
    actor: Actor,
    provider: Provider,
    hmo_tenant_id: uuid.UUID,
    data: ClaimCreate,
) -> ProviderClaimRead:
    enrollee = await _member(db, data.member_id)
    version = await version_of(db, enrollee.plan_id, data.service_date)
    claim = Claim(
        tenant_id=hmo_tenant_id,
        number=await next_number(db, hmo_tenant_id, "CLM"),
        enrollee_id=enrollee.id,
        member_id=enrollee.member_id,
        provider_id=provider.id,
        provider_tenant_id=provider.org_tenant_id,
        plan_version_id=version.id,
        service_date=data.service_date,
        admission_date=data.admission_date,
        discharge_date=data.discharge_date,
        billing_month=data.service_date.replace(day=1),
        auth_code=data.auth_code,
        diagnosis_codes=data.diagnosis_codes,
        submitted_by=actor.id,
    )
    db.add(claim)
    await db.flush()
    items = [
        ClaimItem(
            tenant_id=claim.tenant_id,
            claim_id=claim.id,
            line_no=n,
            code=item.code,
            description=item.description,
            quantity=item.quantity,
            unit_price=item.unit_price,
            billed_amount=item.quantity * item.unit_price,
            category=item.category or ("inpatient" if data.admission_date else "outpatient"),
        )
        for n, item in enumerate(data.items, start=1)
    ]
    db.add_all(items)
    claim.total_billed = sum(i.billed_amount for i in items)
    await authorizations.consume_for_claim(db, actor, claim, [i.code for i in items])
    db.add(
        ClaimEvent(
            tenant_id=claim.tenant_id,
            claim_id=claim.id,
            to_status=S.SUBMITTED,
            actor_id=actor.id,
            actor_label=actor.label,
        )
    )
    await db.flush()
    settings = await load_settings(db, claim.tenant_id)
    claim.risk_score = await risk.assess(db, claim, items, settings)
    await queue.rescore(db, claim)
    await _announce(db, claim, S.SUBMITTED)
    return provider_read(claim, items)


async def _member(db: AsyncSession, member_id: str) -> Enrollee:
    try:
        return await get_enrollee(db, member_id)
    except NotFound as exc:
        raise Invalid("member_id", "No such member in this HMO.") from exc


def read(claim: Claim, items: list[ClaimItem] | None = None) -> ClaimRead:
    body = ClaimRead.model_validate(claim)
    if items is not None:
        body.items = [ItemRead.model_validate(i) for i in sorted(items, key=lambda i: i.line_no)]
    return body


def provider_read(claim: Claim, items: list[ClaimItem] | None = None) -> ProviderClaimRead:
    """The provider's view: no risk score, hold or sampling (fraud signals are the HMO's)."""
    return ProviderClaimRead.model_validate(read(claim, items).model_dump())


def read_for(
    actor: Actor, claim: Claim, items: list[ClaimItem] | None = None
) -> ClaimRead | ProviderClaimRead:
    """The claim as the caller may see it: a provider (its staff or its integration key)
    never sees fraud signals about itself."""
    return provider_read(claim, items) if actor.speaks_for_provider else read(claim, items)


@dataclass(frozen=True, slots=True)
class ClaimFilters:
    status: ClaimStatus | None = None
    provider_id: uuid.UUID | None = None
    member_id: str | None = None
    from_: date | None = None
    to: date | None = None
    hmo_id: uuid.UUID | None = None

    def apply(self, query: Select[Claim]) -> Select[Claim]:
        if self.hmo_id is not None:
            query = query.where(Claim.tenant_id == self.hmo_id)
        if self.status is not None:
            query = query.where(Claim.status == self.status)
        if self.provider_id is not None:
            query = query.where(Claim.provider_id == self.provider_id)
        if self.member_id is not None:
            query = query.where(Claim.member_id == self.member_id.upper())
        if self.from_ is not None:
            query = query.where(Claim.service_date >= self.from_)
        if self.to is not None:
            query = query.where(Claim.service_date <= self.to)
        return query


async def list_claims(
    db: AsyncSession, actor: Actor, filters: ClaimFilters, page: PageParams
) -> tuple[list[Claim], str | None]:
    """Newest first. A provider sees its own claims across the HMOs it works with (and
    may name only itself as `provider_id`)."""
    filters = replace(filters, provider_id=await provider_filter(db, actor, filters.provider_id))
    own = or_(Claim.tenant_id == actor.tenant_id, Claim.provider_tenant_id == actor.tenant_id)
    query = filters.apply(select(Claim).where(own))
    newest = newest_first(Claim.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    return newest.page(rows, page.limit)


async def list_member_claims(
    db: AsyncSession,
    actor: Actor,
    member_id: str | None,
    status: ClaimStatus | None,
    page: PageParams,
) -> tuple[list[MemberClaimRead], str | None]:
    """Enrollee portal: the claims filed for the caller and, for a principal, their
    dependants (or for the one `member_id` names), newest first."""
    rows, cursor = await family_filings(db, actor, Claim, member_id, status, page)
    lines = await _lines_by_claim(db, actor.require_tenant(), [claim.id for claim, _ in rows])
    return [
        MemberClaimRead(
            **ClaimSummary.model_validate(claim).model_dump(),
            provider_name=provider_name,
            items=lines.get(claim.id, []),
        )
        for claim, provider_name in rows
    ], cursor


async def _lines_by_claim(
    db: AsyncSession, tenant_id: uuid.UUID, claim_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ItemSummary]]:
    lines: dict[uuid.UUID, list[ItemSummary]] = {}
    for item in await db.scalars(
        select(ClaimItem)
        .where(ClaimItem.tenant_id == tenant_id, ClaimItem.claim_id.in_(claim_ids))
        .order_by(ClaimItem.line_no)
    ):
        lines.setdefault(item.claim_id, []).append(ItemSummary.model_validate(item))
    return lines


async def load(db: AsyncSession, actor: Actor, claim_id: uuid.UUID) -> Claim:
    """The claim, with the transaction scoped to its HMO (a provider's link is checked)."""
    claim = await db.get(Claim, claim_id)
    if claim is None:
        raise NotFound("No such claim.")
    if claim.tenant_id != actor.tenant_id:
        hmo_code = await db.scalar(select(Tenant.code).where(Tenant.id == claim.tenant_id))
        await act_for_hmo(db, actor, tenant=hmo_code)
    return claim


async def items_of(db: AsyncSession, claim: Claim) -> list[ClaimItem]:
    return list(
        (
            await db.scalars(
                select(ClaimItem).where(ClaimItem.claim_id == claim.id).order_by(ClaimItem.line_no)
            )
        ).all()
    )


async def transition(
    db: AsyncSession, actor: Actor, claim_id: uuid.UUID, data: Transition
) -> ClaimRead | ProviderClaimRead:
    claim = await load(db, actor, claim_id)
    by_provider = claim.tenant_id != actor.tenant_id
    state.check_move(actor, claim, data.to, by_provider=by_provider)
    items = await items_of(db, claim)
    values: dict[str, Any] = {}
    if data.to is S.APPROVED:
        settings = await load_settings(db, claim.tenant_id)
        values = await adjudication.approve(db, actor, claim, items, data.items, settings)
    elif data.to is S.REJECTED:
        for item in items:
            item.approved_amount, item.approved_quantity = 0, 0
            item.reason_code = item.reason_code or "A1"
        values = {"total_approved": 0, "copay_amount": 0}
    await state.move(
        db, actor, claim, data.to, version=data.version, reason=data.reason, values=values
    )
    if data.to is S.RECEIVED:
        await charge_claim_fee(db, claim)
        await queue.rescore(db, claim)
    await _announce(db, claim, data.to)
    return read_for(actor, claim, items)


async def _announce(db: AsyncSession, claim: Claim, status: ClaimStatus) -> None:
    data = {"claim_id": str(claim.id), "number": claim.number, "status": status.value}
    if status in HMO_NOTICE:
        await notify_permission_holders(
            db,
            claim.tenant_id,
            "claims:adjudicate",
            f"claim.{HMO_NOTICE[status]}",
            f"Claim {claim.number} {HMO_NOTICE[status]}",
            data=data,
        )
    if status in PROVIDER_NOTICE:
        provider = await db.get(Provider, claim.provider_id)
        assert provider is not None
        await notify_provider_users(
            db,
            provider.org_tenant_id,
            f"claim.{PROVIDER_NOTICE[status]}",
            f"Claim {claim.number} {PROVIDER_NOTICE[status]}",
            data=data,
        )
    if status in MEMBER_NOTICE:
        await _tell_member(db, claim, MEMBER_NOTICE[status], data)


async def _tell_member(db: AsyncSession, claim: Claim, verb: str, data: dict[str, str]) -> None:
    """The member and, for a dependant, their principal (whose portal shows the family)."""
    enrollee = await db.get(Enrollee, claim.enrollee_id)
    assert enrollee is not None
    await notify_members(
        db,
        claim.tenant_id,
        [enrollee.id, enrollee.principal_id],
        f"claim.{verb}",
        f"Claim {claim.number} {verb}",
        "Your coverage shows what it used.",
        data={**data, "member_id": claim.member_id},
    )


async def detail(
    db: AsyncSession, actor: Actor, claim_id: uuid.UUID
) -> ClaimDetail | ProviderClaimDetail:
    """The HMO's adjudication view; a provider's view has no risk score, flags or evidence
    (nor whether the PA it cites was reported "Not me")."""
    claim = await load(db, actor, claim_id)
    items = await items_of(db, claim)
    settings = await load_settings(db, claim.tenant_id)
    assessment = await adjudication.assess(db, claim, items, settings)
    events = (
        await db.scalars(
            select(ClaimEvent)
            .where(ClaimEvent.claim_id == claim.id)
            .order_by(ClaimEvent.created_at)
        )
    ).all()
    flags = (
        await db.scalars(
            select(RiskEvent).where(RiskEvent.claim_id == claim.id).order_by(RiskEvent.created_at)
        )
    ).all()
    common: dict[str, Any] = {
        "eligibility": {
            "member_status": assessment.member_status.value if assessment.member_status else None,
            "covered": assessment.member_status is not None
            and assessment.member_status.value == "ACTIVE",
            "proposal": assessment.proposal,
            "lines": [
                {
                    "id": line.item.id,
                    "line_no": line.item.line_no,
                    "proposed_amount": line.approved_amount,
                    "reason_code": line.reason_code,
                    "copay": line.copay,
                    "flags": line.flags,
                }
                for line in assessment.lines
            ],
        },
        "benefits": [
            {
                "category": b.category,
                "limit_amount": b.limit_amount,
                "used_amount": b.used_amount,
                "remaining_amount": b.remaining_amount,
                "limit_visits": b.limit_visits,
                "used_visits": b.used_visits,
                "copay_percent": b.copay_percent,
            }
            for b in assessment.balances
        ],
        "history": events,
    }
    authorization = await authorizations.for_claim(db, claim)
    if actor.speaks_for_provider:
        if authorization is not None:
            authorization = {k: v for k, v in authorization.items() if k not in PA_FRAUD_SIGNALS}
        return ProviderClaimDetail(
            **provider_read(claim, items).model_dump(),
            **common,
            authorization=authorization,
        )
    return ClaimDetail(
        **read(claim, items).model_dump(),
        **common,
        authorization=authorization,
        risk_events=[
            {
                "id": f.id,
                "rule": f.rule,
                "weight": f.weight,
                "evidence": f.evidence,
                "created_at": f.created_at,
            }
            for f in flags
        ],
    )
