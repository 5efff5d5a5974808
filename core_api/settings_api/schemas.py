from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from core_api.kit.fields import Input, Version
from core_api.models.finance import SettlementCadence

Threshold = Annotated[int, Field(ge=0, le=1_000_000)]


class SettingsRead(BaseModel):
    claim_sla_days: int
    frequency_limit_days: int
    sampling_percent: int | None
    sampling_max_risk: int
    risk_thresholds: dict[str, int] = Field(
        description="Every fraud threshold and weight in force (the tenant's value or the "
        "documented default)."
    )
    risk_overrides: dict[str, int] = Field(description="Only the values this tenant changed.")
    settlement_cadence: SettlementCadence | None = Field(
        description="WEEKLY, FORTNIGHTLY or MONTHLY: a job drafts a settlement run for each "
        "elapsed period; null: no scheduled runs."
    )
    version: int


class SettingsPatch(Input):
    version: Version
    claim_sla_days: Annotated[int, Field(ge=1, le=365)] | None = None
    frequency_limit_days: Annotated[int, Field(ge=0, le=365)] | None = None
    sampling_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    sampling_max_risk: Annotated[int, Field(ge=0, le=100)] | None = None
    risk_thresholds: dict[str, Threshold | None] | None = Field(
        default=None,
        description="Keys to override; null resets a key to its default. Unknown keys: 422.",
    )
    settlement_cadence: SettlementCadence | None = Field(
        default=None, description="null turns scheduled settlement runs off."
    )
