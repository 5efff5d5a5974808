from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


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
