from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from core_api.access.schemas import ORMModel
from core_api.kit.fields import Input, PositiveAmount, Version, amount_note
from core_api.models.finance import DisputeStatus
from shared.problems import field_error

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DisputeCreate(Input):
    """The disputed line: `remittance_line_id`, or `remittance_id` with the line's `claim_id`."""

    remittance_line_id: uuid.UUID | None = None
    remittance_id: uuid.UUID | None = None
    claim_id: uuid.UUID | None = Field(
        default=None, description="With `remittance_id`: the claim whose line is disputed."
    )
    reason: Text
    amount_claimed: PositiveAmount = Field(
        description=amount_note(
            "The further amount the provider asks for (at most the billed).", positive=True
        )
    )

    @model_validator(mode="after")
    def names_a_line(self) -> DisputeCreate:
        if self.remittance_line_id is None and (
            self.remittance_id is None or self.claim_id is None
        ):
            raise field_error(
                "remittance_line_id", "give remittance_line_id, or remittance_id with claim_id"
            )
        return self


class Review(Input):
    version: Version | None = Field(default=None, description="The version read; stale → 409.")


class Outcome(enum.StrEnum):
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class Resolution(Input):
    outcome: Outcome
    adjustment: PositiveAmount | None = Field(
        default=None,
        description=amount_note(
            "ACCEPTED: what the next settlement run pays (at most amount_claimed).",
            positive=True,
        ),
    )
    note: Text | None = Field(default=None, description="Required to reject: the reason.")
    version: Version | None = Field(default=None, description="The version read; stale → 409.")

    @model_validator(mode="after")
    def fits_the_outcome(self) -> Resolution:
        if self.outcome is Outcome.ACCEPTED and self.adjustment is None:
            raise field_error("adjustment", "accepting a dispute needs an adjustment")
        if self.outcome is Outcome.REJECTED:
            if self.adjustment is not None:
                raise field_error("adjustment", "a rejected dispute has no adjustment")
            if self.note is None:
                raise field_error("note", "rejecting a dispute needs a note giving the reason")
        return self


class DisputeRead(ORMModel):
    id: uuid.UUID
    number: str
    status: DisputeStatus
    remittance_id: uuid.UUID
    remittance_line_id: uuid.UUID
    provider_id: uuid.UUID
    reason: str
    amount_claimed: int
    adjustment: int | None
    resolution_note: str | None
    raised_by: uuid.UUID | None
    reviewed_by: uuid.UUID | None
    resolved_by: uuid.UUID | None
    resolved_at: datetime | None
    created_at: datetime
    version: int


class HistoryEntry(BaseModel):
    at: datetime
    action: str
    from_status: DisputeStatus | None
    to_status: DisputeStatus
    actor_id: uuid.UUID | None
    actor_label: str


class DisputeDetail(DisputeRead):
    claim_id: uuid.UUID | None = Field(description="The claim of the disputed line.")
    claim_number: str | None
    adjustment_remittance_id: uuid.UUID | None = Field(
        default=None,
        description="The remittance (of a live run) that pays the accepted adjustment; null "
        "while it waits for the next settlement run.",
    )
    history: list[HistoryEntry] = []
