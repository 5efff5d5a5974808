"""The HMO portal's dashboard: the headline figures of the tenant, in one answer.

Money is in minor units of `currency`; a ratio is a fraction (0.72 is 72 %)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from core_api.models.authorization import Urgency


class ClaimsReceived(BaseModel):
    this_month: int = Field(description="Claims received (moved to RECEIVED) this month, UTC.")
    last_month: int = Field(description="The same, last month.")


class SettlementThisMonth(BaseModel):
    runs: int = Field(description="Settlement runs created this month, cancelled ones left out.")
    amount: int = Field(description="Their total.")
    paid: int = Field(description="The total of those of them already PAID.")


class LossRatioThisYear(BaseModel):
    from_: date = Field(alias="from")
    to: date
    earned_premium: int
    incurred_claims: int
    capitation: int
    loss_ratio: float | None = Field(
        description="(incurred claims + capitation) ÷ earned premium, as the loss-ratio "
        "report computes it; null with no premium earned."
    )

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class FraudFlags(BaseModel):
    open: int = Field(description="Risk events not cleared, on claims and on PAs.")


class ClaimsQueue(BaseModel):
    depth: int = Field(description="Claims in the review queue (RECEIVED, IN_REVIEW, RESUBMITTED).")
    open: int = Field(
        description="Claims received and not yet decided (the queue and those QUERIED), as "
        "the claims-aging report counts them."
    )
    past_sla: int = Field(
        description="Of those, the claims received more than the tenant's claim SLA ago."
    )


class PendingAuthorizations(BaseModel):
    urgency: Urgency
    sla_hours: float = Field(description="The tenant's decision target for this urgency.")
    pending: int = Field(description="PAs awaiting a decision (SUBMITTED, IN_REVIEW, APPEALED).")
    past_sla: int = Field(description="Of those, the PAs past their due time.")
    next_due_at: datetime | None = Field(
        description="The earliest due time still ahead; null when none is."
    )


class DashboardRead(BaseModel):
    as_of: datetime = Field(description="When the figures were read.")
    currency: str
    claims_received: ClaimsReceived
    settlement: SettlementThisMonth
    loss_ratio: LossRatioThisYear
    fraud_flags: FraudFlags
    claims_queue: ClaimsQueue
    authorizations: list[PendingAuthorizations] = Field(description="One per urgency.")
