from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from core_api.access.schemas import ORMModel, UserRead
from core_api.authorizations.schemas import MemberAuthorizationRead
from core_api.claims.schemas import MemberClaimRead
from core_api.eligibility.schemas import BenefitBalanceRead, MemberSummary, PlanBrief, Reason
from core_api.kit.fields import Input
from core_api.membership.schemas import CardRead
from core_api.models.claim import ClaimStatus
from core_api.network.schemas import ProviderRead
from core_api.notifications.schemas import NotificationRead
from core_api.plans.schemas import BENEFIT_CATEGORIES

# --- check-ins ---------------------------------------------------------------------------


class CheckInCreate(Input):
    member_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=48)]
    provider_id: uuid.UUID | None = Field(
        default=None,
        description="The provider of the visit: a provider caller's own (omit it, or name it); "
        "HMO staff name a provider in their network.",
    )
    benefit_category: str | None = Field(
        default=None, description=f"One of {', '.join(BENEFIT_CATEGORIES)}: the benefit judged."
    )

    @field_validator("benefit_category")
    @classmethod
    def known_category(cls, value: str | None) -> str | None:
        if value is None:
            return None
        category = value.strip().lower()
        if category not in BENEFIT_CATEGORIES:
            raise ValueError(f"must be one of {', '.join(BENEFIT_CATEGORIES)}")
        return category


class CheckInRead(ORMModel):
    """A visit recorded at the front desk, with the eligibility verdict it got there."""

    id: uuid.UUID
    member_id: str
    enrollee_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str
    visit_date: date
    benefit_category: str | None
    eligible: bool
    reasons: list[Reason] = Field(description="Why not eligible; empty when eligible.")
    created_at: datetime


class CheckInRecorded(CheckInRead):
    """The stored visit with the rest of the eligibility answer, for the desk to act on."""

    member: MemberSummary
    plan: PlanBrief
    benefits: list[BenefitBalanceRead]


# --- the enrollee portal -----------------------------------------------------------------


class PolicyYear(BaseModel):
    start: date
    end: date


class MemberCoverage(BaseModel):
    """One member's cover on the day asked: the eligibility answer's balances, so the
    ticker and the desk never disagree. "Used" counts APPROVED and SETTLED claim items."""

    member: MemberSummary
    plan: PlanBrief
    policy_year: PolicyYear = Field(description="The policy year containing the day.")
    eligible: bool = Field(description="Whether the member may be served on the day.")
    reasons: list[Reason]
    benefits: list[BenefitBalanceRead]


class CoverageRead(BaseModel):
    on: date
    members: list[MemberCoverage] = Field(
        description="The caller first, then (for a principal) each dependant by Member ID."
    )


class VisitKind(enum.StrEnum):
    CHECK_IN = "check_in"
    CLAIM = "claim"


class VisitRead(BaseModel):
    """A check-in at a provider's desk, or a claim's service date, in one history. Fields
    of the other kind are null."""

    kind: VisitKind
    id: uuid.UUID = Field(description="The check-in's id, or the claim's.")
    visit_date: date = Field(description="The day of the check-in, or the claim's service date.")
    member_id: str
    provider_id: uuid.UUID
    provider_name: str
    eligible: bool | None = Field(description="Check-ins: the verdict at the desk.")
    reasons: list[Reason] | None = Field(description="Check-ins: why not eligible.")
    benefit_category: str | None = Field(description="Check-ins: the benefit judged, if named.")
    claim_number: str | None = Field(description="Claims: `CLM-…`.")
    claim_status: ClaimStatus | None
    currency: str | None
    total_billed: int | None
    total_approved: int | None


class MemberProfile(ORMModel):
    """A member's personal details as the HMO holds them."""

    member_id: str
    relationship: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str
    email: str | None
    phone: str | None
    status: str
    coverage_start: date
    coverage_end: date | None


class ClaimLineRow(BaseModel):
    """A claim's line, in the export's claim-lines table."""

    claim_number: str
    line_no: int
    code: str
    description: str
    category: str
    quantity: int
    billed_amount: int
    approved_amount: int | None


class BalanceRow(BenefitBalanceRead):
    """A benefit balance, in the export's coverage table."""

    member_id: str
    plan_code: str
    on: date


class MemberExport(BaseModel):
    """Everything Vetra holds about the caller (and a principal's dependants). No risk
    scores, holds or other fraud-review data: those are the HMO's, not personal data."""

    exported_at: datetime
    account: UserRead | None = Field(description="The login; null for an integration key.")
    profile: list[MemberProfile]
    cards: list[CardRead]
    coverage: CoverageRead | None = Field(description="Null for a caller with no membership.")
    claims: list[MemberClaimRead]
    authorizations: list[MemberAuthorizationRead]
    visits: list[VisitRead] = Field(description="Check-ins (claims are under `claims`).")
    notifications: list[NotificationRead]


class InNetworkProvider(ProviderRead):
    """A provider in the member's HMO's network."""

    is_primary: bool = Field(description="The primary provider of the caller or a dependant.")
