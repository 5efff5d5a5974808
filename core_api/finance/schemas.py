from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field, model_validator

from core_api.access.schemas import ORMModel
from core_api.kit.fields import Day, Input
from core_api.models.claim import ClaimStatus
from core_api.models.finance import RemittanceStatus, RunStatus, SettlementCadence
from shared.problems import field_error


class RunCreate(Input):
    provider_id: uuid.UUID | None = None
    period_from: Day
    period_to: Day

    @model_validator(mode="after")
    def ordered(self) -> RunCreate:
        if self.period_from > self.period_to:
            raise field_error("period_to", "period_from must not be after period_to")
        return self


class LineRead(ORMModel):
    """A claim's line, or an accepted dispute's adjustment (`dispute_id`; billed is the
    amount claimed, approved and amount the adjustment)."""

    id: uuid.UUID
    claim_id: uuid.UUID | None
    dispute_id: uuid.UUID | None = None
    billed: int
    approved: int
    amount: int
    claim_number: str | None = Field(default=None, description="The line's claim, if any.")
    claim_status: ClaimStatus | None = Field(
        default=None, description="Its claim's status now (SETTLED once the remittance is paid)."
    )


class ProofRead(ORMModel):
    id: uuid.UUID
    reference: str
    amount: int
    paid_on: date
    attachment_id: uuid.UUID | None
    created_at: datetime


class RemittanceSummary(ORMModel):
    id: uuid.UUID
    tenant_id: uuid.UUID = Field(description="The HMO that pays it.")
    hmo_name: str
    run_id: uuid.UUID
    run_number: str
    currency: str = Field(description="The run's currency, which every amount is in.")
    provider_id: uuid.UUID
    total: int
    paid_amount: int
    status: RemittanceStatus
    paid_at: datetime | None
    created_at: datetime


class RemittanceRead(RemittanceSummary):
    lines: list[LineRead] = []
    payment_proofs: list[ProofRead] = []


class RunRead(ORMModel):
    id: uuid.UUID
    number: str
    provider_id: uuid.UUID | None
    period_from: Day
    period_to: Day
    status: RunStatus
    cadence: SettlementCadence | None = Field(
        default=None, description="Set on the runs the settlement cadence job drafts."
    )
    currency: str
    total: int
    version: int
    approved_by: uuid.UUID | None
    approved_at: datetime | None
    paid_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime


class RunDetail(RunRead):
    remittances: list[RemittanceRead] = []
