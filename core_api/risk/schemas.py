from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from core_api.kit.fields import Input


class RiskEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule: str
    weight: int
    evidence: dict[str, Any]
    claim_id: uuid.UUID | None
    authorization_id: uuid.UUID | None
    created_at: datetime
    cleared_at: datetime | None
    cleared_by: uuid.UUID | None


Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class RiskEventClear(Input):
    note: Note = Field(description="Why the flag is a false positive; kept in the audit log.")


class RiskEventCleared(RiskEventRead):
    claim_risk_score: int = Field(description="The claim's risk score without this flag.")
    claim_queue_score: int = Field(description="The claim's queue score, re-ranked.")
