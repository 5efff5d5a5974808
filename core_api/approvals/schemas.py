from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field

from core_api.kit.fields import Input

Ceiling = Annotated[int, Field(ge=0, le=10**14, description="Minor units (kobo for NGN)")]


class LimitWrite(Input):
    role_id: uuid.UUID
    claim_limit: Ceiling
    settlement_limit: Ceiling


class LimitsUpdate(Input):
    limits: list[LimitWrite] = Field(min_length=1, max_length=100)


class LimitRead(BaseModel):
    role_id: uuid.UUID
    role_name: str
    claim_limit: int
    settlement_limit: int


class LimitsRead(BaseModel):
    """Every role with its ceilings: what GET answers and PUT answers, by role name."""

    limits: list[LimitRead]


class MyLimitsRead(BaseModel):
    """The caller's own ceilings (0: cannot approve), for showing them before they bite."""

    claim_limit: int
    settlement_limit: int
