"""Fraud and anomaly scoring at submission.

Each rule is a small function returning evidence (a JSON object) when it fires and None
when it does not; every firing is a `RiskEvent` with its rule, weight and evidence. The
claim's risk score is the sum of the weights of the rules that fired, capped at 100.

Every threshold and weight is per tenant: `TenantSettings.risk_thresholds` overrides any
key of `DEFAULT_THRESHOLDS` (weights are `<rule>_weight`; a weight of 0 turns a rule off).
The rules and their defaults are documented in README.md ("Fraud and anomaly rules").

There is no rule for dates in the future: intake refuses a claim whose service, admission
or discharge date is after today (422 on the field), which is the clearer answer for the
provider. Risk events recorded by the former `future_service_date` rule stay readable (a
rule name is plain text on the event).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.membership.enrollees import status_on
from core_api.models import Enrollee, EnrolleeStatus, ExclusionKind
from core_api.models.base import utcnow
from core_api.models.claim import Claim, ClaimItem, ClaimStatus, RiskEvent
from core_api.models.plan import PlanExclusion
from core_api.models.settings import TenantSettings

MAX_SCORE = 100
Evidence = dict[str, Any] | None
Rule = Callable[[AsyncSession, Claim, list[ClaimItem], TenantSettings], Awaitable[Evidence]]

DEFAULT_THRESHOLDS: MappingProxyType[str, int] = MappingProxyType(
    {
        # weights (points added to the risk score when the rule fires; 0 = rule off)
        "duplicate_billing_weight": 40,
        "near_duplicate_weight": 25,
        "outside_coverage_weight": 40,
        "overlapping_stay_weight": 35,
        "upcoding_weight": 20,
        "rapid_fire_weight": 15,
        "excluded_service_weight": 20,
        # near-identical claims: same member + provider within N days of each other,
        # item codes overlapping at least P% (Jaccard) and totals within T% of each other
        "near_duplicate_days": 3,
        "near_duplicate_overlap_pct": 80,
        "near_duplicate_total_pct": 10,
        # upcoding: over the last N days, a code is high-cost when its median unit price
        # is at or above the P-th percentile of all codes' median prices in the tenant
        "upcoding_window_days": 90,
        "upcoding_price_percentile": 75,
        "upcoding_min_codes": 4,
        # the provider's share of high-cost lines must be at least F% of its peers' share
        # and at least G percentage points above it, with enough lines on both sides
        "upcoding_share_factor_pct": 200,
        "upcoding_min_gap_pct": 20,
        "upcoding_min_lines": 20,
        "upcoding_min_peer_lines": 20,
        # rapid-fire: this many claims (this one included) within the window
        "rapid_fire_window_minutes": 60,
        "rapid_fire_member_claims": 5,
        "rapid_fire_provider_claims": 100,
    }
)


def threshold(settings: TenantSettings, key: str) -> int:
    """The tenant's value for `key`, else the documented default."""
    stored = (settings.risk_thresholds or {}).get(key)
    return int(stored) if isinstance(stored, int | float) else DEFAULT_THRESHOLDS[key]


def _live_other(claim: Claim) -> list[Any]:
    """Other claims of the same tenant that still count (rejected ones do not)."""
    return [
        Claim.tenant_id == claim.tenant_id,
        Claim.id != claim.id,
        Claim.status != ClaimStatus.REJECTED,
    ]


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
                *_live_other(claim),
                Claim.enrollee_id == claim.enrollee_id,
                Claim.provider_id == claim.provider_id,
                Claim.service_date == claim.service_date,
                ClaimItem.code.in_(codes),
            )
        )
    ).all()
    if not rows:
        return None
    return {"claims": sorted({r.number for r in rows}), "codes": sorted({r.code for r in rows})}


async def near_duplicate(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> Evidence:
    """Same member and provider within a few days, with nearly the same items and total.

    Exact duplicates (same date and a shared code) are left to `duplicate_billing`.
    """
    days = timedelta(days=threshold(settings, "near_duplicate_days"))
    others = (
        await db.execute(
            select(Claim.id, Claim.number, Claim.service_date, Claim.total_billed).where(
                *_live_other(claim),
                Claim.enrollee_id == claim.enrollee_id,
                Claim.provider_id == claim.provider_id,
                Claim.service_date.between(claim.service_date - days, claim.service_date + days),
            )
        )
    ).all()
    if not others:
        return None
    codes_of: dict[Any, set[str]] = {o.id: set() for o in others}
    for claim_id, code in (
        await db.execute(
            select(ClaimItem.claim_id, ClaimItem.code).where(
                ClaimItem.tenant_id == claim.tenant_id, ClaimItem.claim_id.in_(list(codes_of))
            )
        )
    ).all():
        codes_of[claim_id].add(code)
    mine = {i.code for i in items}
    min_overlap = threshold(settings, "near_duplicate_overlap_pct")
    max_total_gap = threshold(settings, "near_duplicate_total_pct")
    matches = []
    for other in others:
        theirs = codes_of[other.id]
        if other.service_date == claim.service_date and mine & theirs:
            continue
        overlap = 100 * len(mine & theirs) // max(len(mine | theirs), 1)
        biggest = max(claim.total_billed, other.total_billed, 1)
        total_gap = 100 * abs(claim.total_billed - other.total_billed) / biggest
        if overlap >= min_overlap and total_gap <= max_total_gap:
            matches.append(
                {
                    "claim": other.number,
                    "service_date": other.service_date.isoformat(),
                    "code_overlap_pct": overlap,
                    "total_gap_pct": round(total_gap, 1),
                }
            )
    return {"matches": matches} if matches else None


def _dates(claim: Claim) -> list[date]:
    return [d for d in (claim.service_date, claim.admission_date, claim.discharge_date) if d]


async def outside_coverage(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> Evidence:
    """A service, admission or discharge date before coverage began or after it ended."""
    enrollee = await db.get(Enrollee, claim.enrollee_id)
    assert enrollee is not None
    before = [d for d in _dates(claim) if d < enrollee.coverage_start]
    end = enrollee.coverage_end
    if end is None and await status_on(db, enrollee.id, claim.service_date) is (
        EnrolleeStatus.TERMINATED
    ):
        end = claim.service_date
    after = [d for d in _dates(claim) if end is not None and d > end]
    if not before and not after:
        return None
    return {
        "coverage_start": enrollee.coverage_start.isoformat(),
        "coverage_end": end.isoformat() if end else None,
        "before_coverage": [d.isoformat() for d in before],
        "after_termination": [d.isoformat() for d in after],
    }


async def overlapping_stay(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> Evidence:
    """An inpatient stay overlapping another live stay of the same member (any provider).

    A stay is [admission, discharge); a same-day transfer (one's discharge is the other's
    admission) is not an overlap.
    """
    if claim.admission_date is None:
        return None
    start, end = claim.admission_date, claim.discharge_date or claim.admission_date
    other_end = func.coalesce(Claim.discharge_date, Claim.admission_date)
    rows = (
        await db.execute(
            select(Claim.number, Claim.admission_date, other_end.label("end")).where(
                *_live_other(claim),
                Claim.enrollee_id == claim.enrollee_id,
                Claim.admission_date.is_not(None),
                or_(
                    and_(Claim.admission_date < end, other_end > start),
                    and_(Claim.admission_date == start, other_end == end),
                ),
            )
        )
    ).all()
    if not rows:
        return None
    return {
        "stay": [start.isoformat(), end.isoformat()],
        "overlaps": [
            {"claim": r.number, "stay": [r.admission_date.isoformat(), r.end.isoformat()]}
            for r in rows
        ],
    }


_UPCODING_SQL = text(
    """
    with lines as (
        select c.provider_id, i.code, i.unit_price
        from claims c
        join claim_items i on i.tenant_id = c.tenant_id and i.claim_id = c.id
        where c.tenant_id = :tenant and c.service_date >= :since and c.status <> 'REJECTED'
    ),
    codes as (
        select code, percentile_cont(0.5) within group (order by unit_price) as median
        from lines group by code
    ),
    cut as (
        select percentile_cont(:pct) within group (order by median) as price,
               count(*) as n
        from codes
    )
    select
        max(cut.n) as codes,
        max(cut.price) as cutoff,
        count(*) filter (where l.provider_id = :provider) as mine,
        count(*) filter (where l.provider_id = :provider and k.median >= cut.price)
            as mine_high,
        count(*) filter (where l.provider_id <> :provider) as peers,
        count(*) filter (where l.provider_id <> :provider and k.median >= cut.price)
            as peers_high,
        array_agg(distinct l.code) filter (
            where k.median >= cut.price and l.code = any(:claim_codes)
        ) as claim_high
    from lines l join codes k on k.code = l.code cross join cut
    """
)


async def upcoding(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> Evidence:
    """The provider bills high-cost codes far more often than its peers in the tenant.

    High-cost codes: those whose median unit price (over the window) is at or above the
    `upcoding_price_percentile` of all codes' medians. Fires only when this claim carries
    one, the provider's share of high-cost lines is at least `upcoding_share_factor_pct`
    of its peers' share and `upcoding_min_gap_pct` points above it, and both sides have
    enough lines to compare.
    """
    window = threshold(settings, "upcoding_window_days")
    row = (
        await db.execute(
            _UPCODING_SQL,
            {
                "tenant": claim.tenant_id,
                "since": claim.service_date - timedelta(days=window),
                "pct": threshold(settings, "upcoding_price_percentile") / 100,
                "provider": claim.provider_id,
                "claim_codes": sorted({i.code for i in items}),
            },
        )
    ).one()
    if (
        not row.claim_high
        or (row.codes or 0) < threshold(settings, "upcoding_min_codes")
        or row.mine < threshold(settings, "upcoding_min_lines")
        or row.peers < threshold(settings, "upcoding_min_peer_lines")
    ):
        return None
    share, peer_share = row.mine_high / row.mine, row.peers_high / row.peers
    factor = threshold(settings, "upcoding_share_factor_pct") / 100
    gap = threshold(settings, "upcoding_min_gap_pct") / 100
    if share < peer_share * factor or share - peer_share < gap:
        return None
    return {
        "high_cost_codes": sorted(row.claim_high),
        "price_cutoff": int(row.cutoff),
        "provider_high_share": round(share, 3),
        "peer_high_share": round(peer_share, 3),
        "provider_lines": row.mine,
        "peer_lines": row.peers,
        "window_days": window,
    }


async def rapid_fire(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> Evidence:
    """Many claims for one member, or from one provider, submitted in a short window."""
    minutes = threshold(settings, "rapid_fire_window_minutes")
    since = utcnow() - timedelta(minutes=minutes)
    recent = [Claim.tenant_id == claim.tenant_id, Claim.created_at >= since]
    member = await db.scalar(
        select(func.count()).where(*recent, Claim.enrollee_id == claim.enrollee_id)
    )
    provider = await db.scalar(
        select(func.count()).where(
            *recent,
            Claim.provider_tenant_id == claim.provider_tenant_id,
            Claim.provider_id == claim.provider_id,
        )
    )
    member_limit = threshold(settings, "rapid_fire_member_claims")
    provider_limit = threshold(settings, "rapid_fire_provider_claims")
    if (member or 0) < member_limit and (provider or 0) < provider_limit:
        return None
    return {
        "window_minutes": minutes,
        "member_claims": member,
        "member_limit": member_limit,
        "provider_claims": provider,
        "provider_limit": provider_limit,
    }


async def excluded_service(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> Evidence:
    """A billed procedure or a diagnosis that the member's plan version excludes."""
    rows = (
        await db.execute(
            select(PlanExclusion.kind, PlanExclusion.code).where(
                PlanExclusion.tenant_id == claim.tenant_id,
                PlanExclusion.plan_version_id == claim.plan_version_id,
            )
        )
    ).all()
    procedures = {r.code for r in rows if r.kind is ExclusionKind.PROCEDURE}
    diagnoses = {r.code for r in rows if r.kind is ExclusionKind.DIAGNOSIS}
    codes = sorted(procedures & {i.code for i in items})
    dx = sorted(diagnoses & set(claim.diagnosis_codes or []))
    return {"procedure_codes": codes, "diagnosis_codes": dx} if codes or dx else None


RULES: dict[str, Rule] = {
    "duplicate_billing": duplicate_billing,
    "near_duplicate": near_duplicate,
    "outside_coverage": outside_coverage,
    "overlapping_stay": overlapping_stay,
    "upcoding": upcoding,
    "rapid_fire": rapid_fire,
    "excluded_service": excluded_service,
}


async def assess(
    db: AsyncSession, claim: Claim, items: list[ClaimItem], settings: TenantSettings
) -> int:
    """Runs every rule; records a RiskEvent per firing; returns the capped score."""
    score = 0
    for name, rule in RULES.items():
        weight = threshold(settings, f"{name}_weight")
        if weight <= 0:
            continue
        evidence = await rule(db, claim, items, settings)
        if evidence is None:
            continue
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
    return capped(score)


def capped(total_weight: int) -> int:
    """The risk score of a claim whose flags weigh `total_weight` in all."""
    return min(total_weight, MAX_SCORE)


async def current_score(db: AsyncSession, claim: Claim) -> int:
    """The claim's risk score from its flags not cleared yet (as `assess` scored them)."""
    total = await db.scalar(
        select(func.coalesce(func.sum(RiskEvent.weight), 0)).where(
            RiskEvent.tenant_id == claim.tenant_id,
            RiskEvent.claim_id == claim.id,
            RiskEvent.cleared_at.is_(None),
        )
    )
    return capped(int(total or 0))
