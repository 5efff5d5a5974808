from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from core_api.access.schemas import ORMModel
from core_api.kit.fields import Code, Input, ServiceDate
from core_api.models import BenefitPeriod, EnrolleeStatus, Relationship


class EligibilityCheck(Input):
    member_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=48)]
    provider_id: uuid.UUID | None = Field(
        default=None,
        description="HMO callers: the provider to check the network for. "
        "A provider calling checks itself.",
    )
    service_date: ServiceDate
    benefit_category: (
        Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=40)]
        | None
    ) = None
    procedure_code: Code | None = None
    diagnosis_codes: list[Code] = Field(default_factory=list, max_length=50)
    tenant: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=63)] | None
    ) = Field(
        default=None,
        description="For a provider: the HMO's slug or code, when the Member ID's prefix is "
        "not enough.",
    )


class Reason(BaseModel):
    code: str = Field(description="Stable: MEMBER_SUSPENDED, WAITING_PERIOD, …")
    message: str
    category: str | None = None


class BenefitBalanceRead(ORMModel):
    category: str
    period: BenefitPeriod
    period_start: date
    period_end: date
    limit_amount: int
    used_amount: int
    remaining_amount: int
    limit_visits: int | None
    used_visits: int
    remaining_visits: int | None
    copay_percent: int
    waiting_period_days: int
    waiting_until: date | None = Field(description="Set while the waiting period runs.")


class PlanBrief(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    currency: str
    version_no: int


class MemberSummary(BaseModel):
    id: uuid.UUID
    member_id: str
    first_name: str
    last_name: str
    relationship: Relationship
    date_of_birth: date
    status: EnrolleeStatus | None = Field(description="In force on the service date.")
    coverage_start: date
    coverage_end: date | None


class EligibilityRead(BaseModel):
    eligible: bool
    reasons: list[Reason]
    service_date: date
    provider_id: uuid.UUID | None
    member: MemberSummary
    plan: PlanBrief
    benefits: list[BenefitBalanceRead]
