from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, EmailStr, Field, StringConstraints

from core_api.kit.fields import Input, Version
from core_api.membership.schemas import Phone
from core_api.models.finance import SettlementCadence

Threshold = Annotated[int, Field(ge=0, le=1_000_000)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Colour = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^#[0-9A-Fa-f]{6}$"),
    AfterValidator(str.upper),
    Field(description="`#RRGGBB` (hex), stored in upper case.", examples=["#0A7C66"]),
]


class LogoRead(BaseModel):
    url: str = Field(
        description="Relative to the API root (`/v1/` on the core, `/api/` through the BFF), "
        "so also relative to the branding answer's own URL: `branding/logo?tenant=<slug>`."
    )
    media_type: str = Field(description="image/png, image/jpeg or image/svg+xml.")
    size: int
    digest: str = Field(description="SHA-256 of the bytes (hex); the logo's ETag.")
    updated_at: datetime


class Branding(BaseModel):
    """What the tenant set; null where it set nothing."""

    display_name: str | None = Field(description="null: the tenant's own name is shown.")
    primary_colour: str | None = Field(description="`#RRGGBB`.")
    support_email: str | None
    support_phone: str | None


class SettingsRead(Branding):
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
    logo: LogoRead | None = Field(description="null: no logo uploaded (`PUT /v1/branding/logo`).")
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
    display_name: DisplayName | None = Field(
        default=None, description="The name portals show; null: the tenant's own name."
    )
    primary_colour: Colour | None = Field(default=None, description="`#RRGGBB`; null: none.")
    support_email: EmailStr | None = Field(default=None, description="null: none.")
    support_phone: Phone | None = Field(default=None, description="null: none.")


class BrandingRead(BaseModel):
    """What the login page shows before anyone signs in."""

    tenant: str = Field(description="The tenant's slug.")
    display_name: str = Field(description="The name set in the branding, else the tenant's.")
    primary_colour: str | None
    support_email: str | None
    support_phone: str | None
    logo_url: str | None = Field(
        description="Relative to this answer's URL (`branding/logo?tenant=<slug>`, resolved "
        "against `/v1/branding` or `/api/branding`); null: no logo."
    )
