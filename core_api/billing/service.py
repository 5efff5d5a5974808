"""The platform's per-claim fee, charged once when a claim enters RECEIVED."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.models.billing import FeeTier, PlatformFee
from core_api.models.claim import Claim

DEFAULT_FEE = 150_00  # NGN 150.00 when no tier is configured at all


async def charge_claim_fee(db: AsyncSession, claim: Claim) -> None:
    """Inserts the fee row; the unique claim_id makes a second charge a no-op."""
    month = claim.received_at.date().replace(day=1) if claim.received_at else claim.billing_month
    tier_name, amount = await _price(db, claim, month)
    await db.execute(
        insert(PlatformFee)
        .values(
            tenant_id=claim.tenant_id,
            claim_id=claim.id,
            amount=amount,
            currency=claim.currency,
            invoice_month=month,
            tier=tier_name,
        )
        .on_conflict_do_nothing(index_elements=["claim_id"])
    )


async def _price(db: AsyncSession, claim: Claim, month: object) -> tuple[str, int]:
    """The tenant's override schedule if it has one, else the default schedule."""
    charged = (
        await db.scalar(
            select(func.count())
            .select_from(PlatformFee)
            .where(PlatformFee.tenant_id == claim.tenant_id, PlatformFee.invoice_month == month)
        )
        or 0
    )
    for owner in (claim.tenant_id, None):
        tier = await db.scalar(
            select(FeeTier)
            .where(
                FeeTier.tenant_id.is_(None) if owner is None else FeeTier.tenant_id == owner,
                FeeTier.min_monthly_claims <= charged + 1,
            )
            .order_by(FeeTier.min_monthly_claims.desc())
            .limit(1)
        )
        if tier is not None:
            return tier.name, tier.fee_amount
    return "default", DEFAULT_FEE
