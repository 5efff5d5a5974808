from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from core_api.claims.queue import QueueEntry


class StatusTotals(BaseModel):
    count: int
    total_billed: int
    total_approved: int


class PileRead(BaseModel):
    id: str = Field(description="`<provider_id>:<YYYY-MM>`: stable, derived, url-safe.")
    provider_id: uuid.UUID
    provider_name: str
    month: str = Field(description="The billing month, `YYYY-MM`.")
    claim_count: int
    total_billed: int
    total_approved: int
    currency: str = Field(description="The claims' currency (a provider bills an HMO in one).")
    to_vet: int = Field(description="RECEIVED or RESUBMITTED claims no one holds right now.")
    decided_by_sampling: int
    by_status: dict[str, StatusTotals]


class HandedClaim(QueueEntry):
    assignment_expires_at: datetime


class SampleRead(BaseModel):
    pile_id: str
    status: str = Field(description="OPEN until applied, then APPLIED.")
    percent: int
    max_risk: int
    population: int = Field(description="Low-risk open claims when the sample was drawn.")
    claims: list[QueueEntry]
    pending: int = Field(description="Sampled claims not yet decided by a person.")
    ratio_bp: int | None = None


class SampleApplied(BaseModel):
    pile_id: str
    ratio_bp: int = Field(description="Approved ÷ billed over the vetted sample, basis points.")
    sample_billed: int
    sample_approved: int
    approved: list[uuid.UUID]
    rejected: list[uuid.UUID] = Field(description="Nothing payable under the plan's rules.")
    skipped: list[dict[str, str]] = Field(
        description="Claims left for a person, with why (approval limit, concurrent change)."
    )
