"""What each HMO pays the platform: a per-claim fee, charged once when a claim enters RECEIVED.

Pricing rule (marginal volume tiers). Within one tenant and one calendar month (UTC, the
month of the claim's `received_at`), claims are numbered 1, 2, 3… in the order they enter
RECEIVED. Claim N is priced by the tier with the highest `min_monthly_claims` that is
<= N - 1, i.e. not above the number of claims already charged that month. The schedule is
the tenant's override when it has one, else the platform default, else the built-in
`DEFAULT_FEE`. A fee, once charged, never changes: later claims or schedule edits only
price the claims received after them. With tiers `[0: 150.00, 100: 120.00]` claims 1-100
of a month pay 150.00 and claims 101… pay 120.00.

Counting is serialised per tenant-month with a transaction-scoped advisory lock: under
READ COMMITTED the count runs after the previous holder committed, so two claims received
at once never both see the same count.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import Select, and_, delete, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.billing.schemas import (
    FeeRead,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    TierIn,
    TierRead,
    TierSchedule,
)
from core_api.db import set_tenant
from core_api.errors import Invalid, NotFound
from core_api.kit.pagination import By, CursorPart, Keyset, PageParams
from core_api.models.base import utcnow
from core_api.models.billing import FeeTier, PlatformFee
from core_api.models.claim import Claim
from core_api.models.tenant import Tenant, TenantKind

log = logging.getLogger("vetra.billing")
Ts = TypeVarTuple("Ts")

DEFAULT_FEE = 150_00  # NGN 150.00 when no tier is configured at all
DEFAULT_CURRENCY = "NGN"
BUILT_IN = "default"  # the tier name of the built-in fee
PLATFORM_BILLING = "platform:billing"


# --- charging -------------------------------------------------------------------------


def month_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date().replace(day=1)


async def _lock(db: AsyncSession, key: str) -> None:
    await db.execute(text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


async def charge_claim_fee(db: AsyncSession, claim: Claim) -> None:
    """Charges the claim's fee once; a claim already charged is left as it is.

    Called by the claims state machine in the transaction that moves the claim to RECEIVED.
    The unique `claim_id` is the last guard against a second charge.
    """
    charged_at = claim.received_at or utcnow()
    month = month_of(charged_at)
    await _lock(db, f"billing:{claim.tenant_id}:{month.isoformat()}")
    if await db.scalar(select(PlatformFee.id).where(PlatformFee.claim_id == claim.id)):
        return
    before = await db.scalar(
        select(func.count())
        .select_from(PlatformFee)
        .where(PlatformFee.tenant_id == claim.tenant_id, PlatformFee.invoice_month == month)
    )
    name, amount, currency = await _price(db, claim.tenant_id, before or 0)
    await db.execute(
        insert(PlatformFee)
        .values(
            tenant_id=claim.tenant_id,
            claim_id=claim.id,
            amount=amount,
            currency=currency,
            invoice_month=month,
            tier=name,
            created_at=charged_at,
        )
        .on_conflict_do_nothing(index_elements=["claim_id"])
    )


async def _price(db: AsyncSession, tenant_id: uuid.UUID, charged: int) -> tuple[str, int, str]:
    """(tier, amount, currency) for the claim after `charged` claims this month.

    An override always starts at 0, so when the tenant has one its tier sorts first.
    """
    tier = await db.scalar(
        select(FeeTier)
        .where(
            or_(FeeTier.tenant_id == tenant_id, FeeTier.tenant_id.is_(None)),
            FeeTier.min_monthly_claims <= charged,
        )
        .order_by(FeeTier.tenant_id.is_(None), FeeTier.min_monthly_claims.desc())
        .limit(1)
    )
    if tier is None:
        return BUILT_IN, DEFAULT_FEE, DEFAULT_CURRENCY
    return tier.name, tier.fee_amount, tier.currency


# --- tier schedules (platform key) -----------------------------------------------------


async def _tiers(db: AsyncSession, tenant_id: uuid.UUID | None) -> list[FeeTier]:
    owner = FeeTier.tenant_id.is_(None) if tenant_id is None else FeeTier.tenant_id == tenant_id
    query = select(FeeTier).where(owner).order_by(FeeTier.min_monthly_claims)
    return list((await db.scalars(query)).all())


def _built_in() -> list[TierRead]:
    return [
        TierRead(
            name=BUILT_IN,
            min_monthly_claims=0,
            fee_amount=DEFAULT_FEE,
            currency=DEFAULT_CURRENCY,
        )
    ]


async def get_schedule(db: AsyncSession, tenant_id: uuid.UUID | None) -> TierSchedule:
    """The schedule that prices `tenant_id`'s claims (or the default one), and its source."""
    if tenant_id is not None:
        await hmo_tenant(db, tenant_id)
        await set_tenant(db, tenant_id)
        own = await _tiers(db, tenant_id)
        if own:
            return TierSchedule(
                tenant_id=tenant_id,
                source="tenant",
                tiers=[TierRead.model_validate(t) for t in own],
            )
    default = await _tiers(db, None)
    if default:
        tiers = [TierRead.model_validate(t) for t in default]
        return TierSchedule(tenant_id=tenant_id, source="default", tiers=tiers)
    return TierSchedule(tenant_id=tenant_id, source="built_in", tiers=_built_in())


async def replace_schedule(
    db: AsyncSession, actor: Actor, tenant_id: uuid.UUID | None, tiers: list[TierIn]
) -> TierSchedule:
    """Replaces the default schedule or a tenant's override; `[]` removes it.

    Only claims received afterwards are priced by the new schedule. An override change is
    audited in the tenant's chain; a default change is logged.
    """
    if tenant_id is not None:
        await hmo_tenant(db, tenant_id)
        await set_tenant(db, tenant_id)
    await _lock(db, f"fee_tiers:{tenant_id or 'default'}")
    before = [_tier_dict(t) for t in await _tiers(db, tenant_id)]
    owner = FeeTier.tenant_id.is_(None) if tenant_id is None else FeeTier.tenant_id == tenant_id
    await db.execute(delete(FeeTier).where(owner))
    db.add_all(
        FeeTier(
            tenant_id=tenant_id,
            name=t.name,
            min_monthly_claims=t.min_monthly_claims,
            fee_amount=t.fee_amount,
            currency=t.currency,
        )
        for t in tiers
    )
    await db.flush()
    after = [t.model_dump() for t in tiers]
    if tenant_id is not None:
        await audit.record(
            db,
            actor,
            "billing.tiers.replaced" if tiers else "billing.tiers.removed",
            "fee_schedule",
            tenant_id,
            tenant_id=tenant_id,
            details={"before": before, "after": after},
        )
    else:
        log.info(
            "default fee schedule replaced",
            extra={"actor": actor.label, "before": before, "after": after},
        )
    return await get_schedule(db, tenant_id)


def _tier_dict(tier: FeeTier) -> dict[str, Any]:
    return {
        "name": tier.name,
        "min_monthly_claims": tier.min_monthly_claims,
        "fee_amount": tier.fee_amount,
        "currency": tier.currency,
    }


# --- who is billed ---------------------------------------------------------------------


async def hmo_tenant(db: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant = await db.get(Tenant, tenant_id)
    if tenant is None or tenant.kind is not TenantKind.HMO:
        raise NotFound("No such HMO tenant.")
    return tenant


async def billed_tenant(db: AsyncSession, actor: Actor, tenant_id: uuid.UUID | None) -> Tenant:
    """The one tenant a fee query reads, with the transaction scoped to it.

    Tenant staff read their own tenant (naming another is 404); the platform key names one.
    """
    if PLATFORM_BILLING in actor.permissions:
        if tenant_id is None:
            raise Invalid("tenant_id", "The platform key names the tenant to read.")
        tenant = await hmo_tenant(db, tenant_id)
        await set_tenant(db, tenant.id)
        return tenant
    own = actor.require_tenant()
    if tenant_id is not None and tenant_id != own:
        raise NotFound("No such HMO tenant.")
    return await hmo_tenant(db, own)


# --- the fee ledger --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeeFilters:
    month: date | None = None
    from_: date | None = None
    to: date | None = None
    tier: str | None = None

    def apply(self, query: Select[*Ts]) -> Select[*Ts]:
        if self.month:
            query = query.where(PlatformFee.invoice_month == self.month)
        if self.from_:
            start = datetime.combine(self.from_, time.min, UTC)
            query = query.where(PlatformFee.created_at >= start)
        if self.to:
            end = datetime.combine(self.to + timedelta(days=1), time.min, UTC)
            query = query.where(PlatformFee.created_at < end)
        if self.tier:
            query = query.where(PlatformFee.tier == self.tier)
        return query


FEES = Keyset(
    By(PlatformFee.created_at, datetime, descending=True, attr="charged_at"),
    By(PlatformFee.id, uuid.UUID, descending=True),
)


async def list_fees(
    db: AsyncSession, tenant: Tenant, filters: FeeFilters, page: PageParams
) -> tuple[list[FeeRead], str | None]:
    """Newest first (by the moment charged), keyset on (charged_at, id)."""
    query = filters.apply(
        select(PlatformFee, Claim.number)
        .join(
            Claim, and_(Claim.tenant_id == PlatformFee.tenant_id, Claim.id == PlatformFee.claim_id)
        )
        .where(PlatformFee.tenant_id == tenant.id)
    )
    rows = [
        FeeRead(
            id=fee.id,
            tenant_id=fee.tenant_id,
            claim_id=fee.claim_id,
            claim_number=number,
            amount=fee.amount,
            currency=fee.currency,
            tier=fee.tier,
            charged_at=fee.created_at,
            invoice_month=fee.invoice_month,
        )
        for fee, number in (await db.execute(FEES.apply(query, page))).all()
    ]
    return FEES.page(rows, page.limit)


# --- invoices --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceFilters:
    month: date | None = None
    from_: date | None = None
    to: date | None = None
    status: InvoiceStatus | None = None

    def apply(self, query: Select[*Ts], current: date) -> Select[*Ts]:
        if self.month:
            query = query.where(PlatformFee.invoice_month == self.month)
        if self.from_:
            query = query.where(PlatformFee.invoice_month >= self.from_)
        if self.to:
            query = query.where(PlatformFee.invoice_month <= self.to)
        if self.status is InvoiceStatus.OPEN:
            query = query.where(PlatformFee.invoice_month >= current)
        elif self.status is InvoiceStatus.ISSUED:
            query = query.where(PlatformFee.invoice_month < current)
        return query


# One tenant's invoices: newest month first, then by currency.
TENANT_INVOICES = Keyset(
    By(PlatformFee.invoice_month, date, descending=True, attr="month"),
    By(PlatformFee.currency, str),
)
# Across tenants (the platform's view): by tenant, then as above.
INVOICES = Keyset(By(Tenant.id, uuid.UUID, attr="tenant_id"), *TENANT_INVOICES.by)


async def list_invoices(
    db: AsyncSession,
    actor: Actor,
    tenant_id: uuid.UUID | None,
    filters: InvoiceFilters,
    page: PageParams,
) -> tuple[list[Invoice], str | None]:
    """One invoice per tenant, month and currency: ordered by tenant, then newest month.

    Tenant staff see their own; the platform key sees every HMO (or the one it names),
    reading one tenant at a time because Row-Level Security scopes a transaction to one.
    """
    start = INVOICES.decode(page.cursor)
    if PLATFORM_BILLING in actor.permissions and tenant_id is None:
        query = select(Tenant).where(Tenant.kind == TenantKind.HMO).order_by(Tenant.id)
        if start is not None:
            query = query.where(Tenant.id >= start[0])
        tenants = (await db.scalars(query)).all()
    else:
        tenants = [await billed_tenant(db, actor, tenant_id)]
    current = month_of(utcnow())
    found: list[Invoice] = []
    for tenant in tenants:
        await set_tenant(db, tenant.id)
        since = start[1:] if start is not None and start[0] == tenant.id else None
        found += await _tenant_invoices(
            db, tenant, filters, current, since, page.limit + 1 - len(found)
        )
        if len(found) > page.limit:
            break
    return INVOICES.page(found, page.limit)


async def _tenant_invoices(
    db: AsyncSession,
    tenant: Tenant,
    filters: InvoiceFilters,
    current: date,
    since: Sequence[CursorPart] | None,
    limit: int,
) -> list[Invoice]:
    """Up to `limit` invoices of one tenant after the keyset position `since`."""
    keys = select(PlatformFee.invoice_month, PlatformFee.currency).where(
        PlatformFee.tenant_id == tenant.id
    )
    if since is not None:
        keys = keys.where(TENANT_INVOICES.after(since))
    keys = (
        filters.apply(keys, current)
        .group_by(PlatformFee.invoice_month, PlatformFee.currency)
        .order_by(*TENANT_INVOICES.order_by())
        .limit(limit)
    )
    wanted = [(month, currency) for month, currency in (await db.execute(keys)).all()]
    if not wanted:
        return []
    lines_query = (
        select(
            PlatformFee.invoice_month,
            PlatformFee.currency,
            PlatformFee.tier,
            PlatformFee.amount,
            func.count(),
            func.sum(PlatformFee.amount),
        )
        .where(
            PlatformFee.tenant_id == tenant.id,
            PlatformFee.invoice_month.in_({month for month, _ in wanted}),
        )
        .group_by(
            PlatformFee.invoice_month, PlatformFee.currency, PlatformFee.tier, PlatformFee.amount
        )
        .order_by(PlatformFee.tier, PlatformFee.amount)
    )
    lines: dict[tuple[date, str], list[InvoiceLine]] = defaultdict(list)
    for month, currency, tier, unit, count, amount in (await db.execute(lines_query)).all():
        line = InvoiceLine(tier=tier, unit_amount=unit, claim_count=count, amount=int(amount))
        lines[(month, currency)].append(line)
    return [
        Invoice(
            tenant_id=tenant.id,
            tenant_name=tenant.name,
            month=month,
            currency=currency,
            status=InvoiceStatus.OPEN if month >= current else InvoiceStatus.ISSUED,
            claim_count=sum(line.claim_count for line in lines[(month, currency)]),
            total_amount=sum(line.amount for line in lines[(month, currency)]),
            lines=lines[(month, currency)],
        )
        for month, currency in wanted
    ]
