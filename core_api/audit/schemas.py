from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from core_api.access.schemas import ORMModel


class AuditEventRead(ORMModel):
    id: uuid.UUID
    seq: int
    occurred_at: datetime
    actor_type: str
    actor_id: uuid.UUID | None
    actor_label: str
    action: str
    object_type: str
    object_id: str | None
    request_id: str | None
    ip: str | None
    details: dict[str, Any]
    hash: str


class ChainVerdictRead(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str | None
