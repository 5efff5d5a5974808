"""Platform billing: fee tier schedules, the fee ledger and monthly invoices."""

from __future__ import annotations

import enum
import itertools
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from core_api.access.schemas import ORMModel
from core_api.kit.fields import Input, PositiveAmount, amount_note
from shared.problems import field_error

MAX_TIERS = 20
TierName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class TierIn(Input):
    name: TierName
    min_monthly_claims: Annotated[int, Field(ge=0, le=1_000_000_000)] = Field(
        description="The tier applies to a month's claim N when N - 1 >= this (claims already "
        "charged that month)."
    )
    fee_amount: PositiveAmount = Field(description=amount_note("Per-claim fee.", positive=True))
    currency: Currency = "NGN"


class TierScheduleIn(Input):
    """A whole schedule. `[]` removes a tenant's override (or resets the default)."""

    tiers: list[TierIn] = Field(max_length=MAX_TIERS)

    @model_validator(mode="after")
    def well_formed(self) -> TierScheduleIn:
        if not self.tiers:
            return self
        if self.tiers[0].min_monthly_claims != 0:
            raise field_error("tiers", "the first tier must start at min_monthly_claims 0")
        mins = [t.min_monthly_claims for t in self.tiers]
        if any(b <= a for a, b in itertools.pairwise(mins)):
            raise field_error("tiers", "min_monthly_claims must be strictly ascending")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise field_error("tiers", "tier names must be unique within a schedule")
        if len({t.currency for t in self.tiers}) != 1:
            raise field_error("tiers", "all tiers of a schedule share one currency")
        return self


class TierRead(ORMModel):
    name: str
    min_monthly_claims: int
    fee_amount: int
    currency: str


class TierSchedule(BaseModel):
    tenant_id: uuid.UUID | None = Field(description="null: the platform default schedule.")
    source: Literal["tenant", "default", "built_in"] = Field(
        description="Where the tiers come from: the tenant's override, the platform default, "
        "or the built-in fee used while no default is configured."
    )
    tiers: list[TierRead]


class FeeRead(BaseModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    claim_id: uuid.UUID
    claim_number: str
    amount: int
    currency: str
    tier: str
    charged_at: datetime
    invoice_month: date


class InvoiceStatus(enum.StrEnum):
    OPEN = "OPEN"  # the current month: still accruing
    ISSUED = "ISSUED"  # a past month: final


class InvoiceLine(BaseModel):
    tier: str
    unit_amount: int
    claim_count: int
    amount: int = Field(description="unit_amount * claim_count")


class Invoice(BaseModel):
    tenant_id: uuid.UUID
    tenant_name: str
    month: date = Field(description="The first day of the invoiced month.")
    currency: str
    status: InvoiceStatus
    claim_count: int
    total_amount: int = Field(description="The sum of the lines (= the sum of the month's fees).")
    lines: list[InvoiceLine]
