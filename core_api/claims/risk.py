"""Fraud and anomaly scoring at submission, and the claim's place in the review queue.

Each rule is a small function returning evidence when it fires; every firing is a
RiskEvent with its rule, weight and evidence. The claim's risk score is the sum of the
weights, capped at 100.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.models.claim import Claim, ClaimItem, ClaimStatus, RiskEvent
from core_api.models.settings import TenantSettings

MAX_SCORE = 100
Evidence = dict[str, Any] | None
Rule = Callable[[AsyncSession, Claim, list[ClaimItem], TenantSettings], Awaitable[Evidence]]


async def duplicate_billing(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> Evidence:
    """Same member, provider, item code and service date in another live claim."""
    codes = [i.code for i in items]
    rows = (
        await db.execute(
            select(Claim.number, ClaimItem.code)
            .join(
                ClaimItem,
                (ClaimItem.claim_id == Claim.id) & (ClaimItem.tenant_id == Claim.tenant_id),
            )
            .where(
                Claim.enrollee_id == claim.enrollee_id,
                Claim.provider_id == claim.provider_id,
                Claim.service_date == claim.service_date,
                Claim.id != claim.id,
                Claim.status != ClaimStatus.REJECTED,
                ClaimItem.code.in_(codes),
            )
        )
    ).all()
    if not rows:
        return None
    return {"claims": sorted({r.number for r in rows}), "codes": sorted({r.code for r in rows})}


async def future_service_date(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> Evidence:
    if claim.service_date > date.today():
        return {"service_date": claim.service_date.isoformat()}
    return None


RULES: dict[str, tuple[int, Rule]] = {
    "duplicate_billing": (40, duplicate_billing),
    "future_service_date": (50, future_service_date),
}


async def assess(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> int:
    score = 0
    for name, (default_weight, rule) in RULES.items():
        evidence = await rule(db, claim, items, settings)
        if evidence is None:
            continue
        weight = int(settings.risk_thresholds.get(f"{name}_weight", default_weight))
        db.add(
            RiskEvent(
                tenant_id=claim.tenant_id,
                claim_id=claim.id,
                rule=name,
                weight=weight,
                evidence=evidence,
            )
        )
        score += weight
    return min(score, MAX_SCORE)


def queue_score(claim: Claim, settings: TenantSettings) -> int:
    """Higher is reviewed sooner: risk first, then value. SLA age is added at read time."""
    return claim.risk_score * 1_000_000 + min(claim.total_billed // 100, 999_999)
