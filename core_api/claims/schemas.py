from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from core_api.access.schemas import ORMModel
from core_api.claims.carc import REASONS
from core_api.kit.fields import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    MAX_TOTAL,
    Amount,
    Code,
    Input,
    PositiveAmount,
    Quantity,
    ServiceDate,
    Version,
)
from core_api.models.claim import ClaimStatus
from core_api.plans.schemas import BENEFIT_CATEGORIES
from shared.problems import field_error


class ItemCreate(Input):
    code: Code
    description: Annotated[str, StringConstraints(max_length=300)] = ""
    quantity: Quantity
    unit_price: PositiveAmount
    category: str | None = Field(
        default=None,
        description="Benefit category; defaults to inpatient when admitted, else outpatient.",
    )

    @field_validator("category")
    @classmethod
    def known_category(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() not in BENEFIT_CATEGORIES:
            raise ValueError(f"must be one of {', '.join(BENEFIT_CATEGORIES)}")
        return value.strip().lower() if value else None

    @model_validator(mode="after")
    def line_within_bound(self) -> ItemCreate:
        if self.quantity * self.unit_price > MAX_AMOUNT:
            raise field_error("unit_price", "quantity * unit_price is above 10^12 minor units.")
        return self


class ClaimCreate(Input):
    member_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=48)]
    provider_id: uuid.UUID | None = Field(
        default=None, description="The filing provider: the caller's own (omit it, or name it)."
    )
    service_date: ServiceDate
    admission_date: ServiceDate | None = None
    discharge_date: ServiceDate | None = None
    auth_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None
    diagnosis_codes: list[Code] = Field(default_factory=list, max_length=20)
    items: list[ItemCreate] = Field(
        min_length=1,
        max_length=200,
        description="At most 10^12 minor units a line (quantity * unit_price) and 10^13 "
        "(10,000,000,000,000) for the claim.",
    )

    @field_validator("items")
    @classmethod
    def total_within_bound(cls, items: list[ItemCreate]) -> list[ItemCreate]:
        if sum(item.quantity * item.unit_price for item in items) > MAX_TOTAL:
            raise ValueError("The claim's total is above 10^13 minor units.")
        return items

    @field_validator("service_date", "admission_date", "discharge_date")
    @classmethod
    def not_in_future(cls, value: date | None) -> date | None:
        """Future dates are refused here, at intake, rather than flagged by a fraud rule: a
        claim is filed for care already given (and a stay already ended)."""
        if value is not None and value > date.today():
            raise ValueError("is in the future")
        return value

    @model_validator(mode="after")
    def dates_in_order(self) -> ClaimCreate:
        if self.discharge_date and not self.admission_date:
            raise field_error("discharge_date", "discharge_date needs admission_date")
        if (
            self.admission_date
            and self.discharge_date
            and self.discharge_date < self.admission_date
        ):
            raise field_error("discharge_date", "discharge_date is before admission_date")
        return self


class LineDecision(Input):
    id: uuid.UUID
    approved_amount: Amount
    approved_quantity: Annotated[int, Field(ge=0, le=MAX_QUANTITY)] | None = None
    reason_code: str | None = None

    @field_validator("reason_code")
    @classmethod
    def known_code(cls, value: str | None) -> str | None:
        if value is not None and value not in REASONS:
            raise ValueError(f"unknown reason code; see {', '.join(REASONS)}")
        return value


class Transition(Input):
    to: ClaimStatus
    version: Version
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None
    items: list[LineDecision] | None = Field(default=None, max_length=200)


class ItemSummary(ORMModel):
    """A claim line as its member sees it."""

    line_no: int
    code: str
    description: str
    category: str
    quantity: int
    billed_amount: int
    approved_amount: int | None


class ItemRead(ItemSummary):
    id: uuid.UUID
    unit_price: int
    approved_quantity: int | None
    reason_code: str | None
    flags: list[str]


class ClaimSummary(ORMModel):
    """A claim as its member sees it: no risk, hold, sampling or other adjudication data."""

    id: uuid.UUID
    number: str
    status: ClaimStatus
    member_id: str
    provider_id: uuid.UUID
    service_date: date
    admission_date: date | None
    discharge_date: date | None
    diagnosis_codes: list[str]
    currency: str
    total_billed: int
    total_approved: int
    copay_amount: int
    created_at: datetime
    received_at: datetime | None
    decided_at: datetime | None
    settled_at: datetime | None


class ProviderClaimRead(ClaimSummary):
    """A claim as its provider sees it: no fraud signals (risk score, holds, sampling)."""

    version: int
    enrollee_id: uuid.UUID
    billing_month: date
    auth_code: str | None
    items: list[ItemRead] = Field(default_factory=list)


class ClaimRead(ProviderClaimRead):
    """A claim as the HMO's staff see it."""

    risk_score: int
    on_hold: bool
    decided_by_sampling: bool


class MemberClaimRead(ClaimSummary):
    """Enrollee portal: a claim filed for the caller or a dependant."""

    provider_name: str
    items: list[ItemSummary]


class EventRead(ORMModel):
    from_status: ClaimStatus | None
    to_status: ClaimStatus
    actor_label: str
    reason: str | None
    details: dict[str, Any]
    created_at: datetime


class ProviderClaimDetail(ProviderClaimRead):
    """The claim as its provider sees it in full: no risk score, flags or evidence."""

    eligibility: dict[str, Any]
    benefits: list[dict[str, Any]]
    authorization: dict[str, Any] | None
    history: list[EventRead]


class ClaimDetail(ClaimRead, ProviderClaimDetail):
    """The adjudication view: the claim with everything needed to decide it."""

    risk_events: list[dict[str, Any]]


class QueryCreate(Input):
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class ReasonCodeRead(BaseModel):
    code: str
    description: str


class QueryRead(BaseModel):
    id: uuid.UUID
    side: str
    author_id: uuid.UUID | None
    message: str
    created_at: datetime


class AttachmentRead(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    key_id: str
    created_at: datetime
