from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from core_api.access.schemas import ORMModel
from core_api.kit.fields import Amount, Input, Patch, Version
from core_api.models import BenefitPeriod, ExclusionKind

BENEFIT_CATEGORIES = (
    "outpatient",
    "inpatient",
    "maternity",
    "dental",
    "optical",
    "drugs",
    "lab",
    "surgery",
    "emergency",
    "physiotherapy",
    "mental_health",
    "specialist",
)

PlanCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9_-]{1,32}$")]


class Benefit(Input):
    category: str
    limit_amount: Amount
    limit_visits: Annotated[int, Field(ge=1, le=10_000)] | None = None
    period: BenefitPeriod = BenefitPeriod.POLICY_YEAR
    copay_percent: Annotated[int, Field(ge=0, le=100)] = 0
    waiting_period_days: Annotated[int, Field(ge=0, le=3650)] = 0

    @field_validator("category")
    @classmethod
    def known_category(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in BENEFIT_CATEGORIES:
            raise ValueError(f"must be one of {', '.join(BENEFIT_CATEGORIES)}")
        return value


class Exclusion(Input):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    description: Annotated[str, StringConstraints(max_length=300)] = ""
    kind: ExclusionKind = ExclusionKind.PROCEDURE


class Premium(Input):
    """What the plan earns per member per month, in minor units of the plan's currency, by
    the member's relationship to the principal (a flat premium names one amount thrice)."""

    principal: Amount
    spouse: Amount
    child: Amount


NO_PREMIUM = Premium(principal=0, spouse=0, child=0)


class PlanRules(Input):
    """The versioned part of a plan."""

    benefits: list[Benefit] = Field(default_factory=list, max_length=50)
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=2000)
    max_dependants: Annotated[int, Field(ge=0, le=20)] = 5
    max_children: Annotated[int, Field(ge=0, le=20)] = 4
    capitation_rate: Amount = 0
    premium: Premium = Field(
        default=NO_PREMIUM,
        description="Per member per month; a plan created without one earns nothing (0).",
    )

    @field_validator("benefits")
    @classmethod
    def one_benefit_per_category(cls, benefits: list[Benefit]) -> list[Benefit]:
        categories = [b.category for b in benefits]
        if len(categories) != len(set(categories)):
            raise ValueError("each category may appear once")
        return benefits


class PlanCreate(PlanRules):
    code: PlanCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "NGN"


class PlanUpdate(Patch):
    version: Version
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
        | None
    ) = None
    is_active: bool | None = None
    benefits: list[Benefit] | None = Field(default=None, max_length=50)
    exclusions: list[Exclusion] | None = Field(default=None, max_length=2000)
    max_dependants: Annotated[int, Field(ge=0, le=20)] | None = None
    max_children: Annotated[int, Field(ge=0, le=20)] | None = None
    capitation_rate: Amount | None = None
    premium: Premium | None = Field(
        default=None, description="The whole premium, all three amounts; starts a new version."
    )

    @field_validator("benefits")
    @classmethod
    def one_benefit_per_category(cls, benefits: list[Benefit] | None) -> list[Benefit] | None:
        return PlanRules.one_benefit_per_category(benefits) if benefits is not None else None


class BenefitRead(Benefit, ORMModel):
    pass


class ExclusionRead(Exclusion, ORMModel):
    pass


class PlanRead(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    currency: str
    is_active: bool
    version: int
    version_no: int
    current_version_no: int
    effective_from: date
    max_dependants: int
    max_children: int
    capitation_rate: int
    premium: Premium
    benefits: list[BenefitRead]
    exclusions: list[ExclusionRead]
