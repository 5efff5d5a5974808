from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from core_api.access.schemas import ORMModel


class NotificationRead(ORMModel):
    id: uuid.UUID
    seq: int
    type: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
