from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from core_api.access.schemas import ORMModel
from core_api.kit.fields import Input, Month, PaymentDate
from core_api.models.finance import RunStatus

Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CapitationRunCreate(Input):
    month: Month = Field(description="`YYYY-MM`, or the first day of the month.")


class CapitationPayment(Input):
    reference: Reference
    paid_on: PaymentDate


class CapitationLineRead(ORMModel):
    id: uuid.UUID
    run_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str
    member_count: int = Field(description="Enrollees with at least one capitated day.")
    member_days: int = Field(description="Their capitated (ACTIVE) days in the month.")
    amount: int


class CapitationRunRead(ORMModel):
    id: uuid.UUID
    number: str
    month: date
    status: RunStatus
    currency: str
    total: int
    member_count: int
    version: int
    created_by: uuid.UUID | None
    created_at: datetime
    approved_by: uuid.UUID | None
    approved_at: datetime | None
    paid_by: uuid.UUID | None
    paid_at: datetime | None = Field(description="The payment date given (00:00 UTC).")
    payment_reference: str | None
    cancelled_at: datetime | None


class CapitationRunDetail(CapitationRunRead):
    lines: list[CapitationLineRead] = []


class ProviderCapitationLine(BaseModel):
    """A line as its provider sees it: what one HMO pays it for one month."""

    id: uuid.UUID
    run_id: uuid.UUID
    run_number: str
    month: date
    run_status: RunStatus
    hmo_tenant_id: uuid.UUID
    hmo_name: str
    provider_id: uuid.UUID
    provider_name: str
    member_count: int
    member_days: int
    amount: int
    currency: str
    paid_at: datetime | None
    payment_reference: str | None
    created_at: datetime
