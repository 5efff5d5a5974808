"""Portal logins (client credentials, enrollee accounts, password setup), change requests, and
the client's aggregated utilisation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from core_api.access.schemas import ORMModel, Password, TenantSlug, UserRead
from core_api.kit.fields import BirthDate, Input
from core_api.membership.schemas import DependantCreate, PersonName, Phone
from core_api.models import (
    ChangeRequestKind,
    ChangeRequestStatus,
    EnrolleeStatus,
    Relationship,
    Sex,
)
from core_api.reports.schemas import PeriodRead

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


class CredentialsCreate(Input):
    email: EmailStr


class AccountCreate(Input):
    email: EmailStr
    password: Password | None = Field(
        default=None, description="Omit to email the enrollee a link to set their own."
    )


class PortalLogin(BaseModel):
    """The login that was created or reset; the secret itself only ever goes by email."""

    user: UserRead
    tenant: str
    portal_url: str
    setup_link_sent: bool
    setup_link_expires_at: datetime | None
    emailed_to: list[str]


class PasswordSetup(Input):
    tenant: TenantSlug
    token: Annotated[str, Field(min_length=10, max_length=200)]
    password: Password


class EnrolleeDetails(Input):
    """What a client may ask to change: personal details only (not plan or status)."""

    model_config = ConfigDict(extra="forbid")

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    date_of_birth: BirthDate | None = None
    sex: Sex | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    primary_provider_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> EnrolleeDetails:
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", "Name at least one detail to change.")
        return self


class DependantRemoval(Input):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = ""


class AddDependantRequest(Input):
    kind: Literal[ChangeRequestKind.ADD_DEPENDANT]
    enrollee_id: uuid.UUID = Field(description="The principal the dependant is added under.")
    payload: DependantCreate


class EditEnrolleeRequest(Input):
    kind: Literal[ChangeRequestKind.EDIT_ENROLLEE]
    enrollee_id: uuid.UUID
    payload: EnrolleeDetails


class DeleteDependantRequest(Input):
    kind: Literal[ChangeRequestKind.DELETE_DEPENDANT]
    enrollee_id: uuid.UUID = Field(description="The dependant to remove (terminated today).")
    payload: DependantRemoval = Field(default_factory=DependantRemoval)


ChangeRequestCreate = Annotated[
    AddDependantRequest | EditEnrolleeRequest | DeleteDependantRequest,
    Field(discriminator="kind"),
]


class Decline(Input):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ChangeRequestRead(ORMModel):
    id: uuid.UUID
    client_id: uuid.UUID
    kind: ChangeRequestKind
    enrollee_id: uuid.UUID | None
    payload: dict[str, Any]
    status: ChangeRequestStatus
    requested_by: uuid.UUID | None
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    decision_reason: str | None
    result_enrollee_id: uuid.UUID | None
    version: int
    created_at: datetime


# --- the client's utilisation (aggregated only) ---------------------------------------------


class Cell(BaseModel):
    """One group's figures, or `suppressed`: fewer than 5 distinct members in it (none
    included), answered with no number."""

    suppressed: bool
    members: int | None = Field(description="Distinct enrollees counted in the cell.")
    claims: int | None
    amount: int | None = Field(description="Approved amount, minor units.")


class CategoryCell(Cell):
    category: str


class MonthRow(BaseModel):
    """A month's figures: sums of its category cells that are shown, never of suppressed
    ones (`suppressed_cells` says how many it leaves out)."""

    month: str = Field(description="YYYY-MM (by service date).")
    members_served: int = Field(description="Distinct enrollees across the cells shown.")
    claims: int = Field(description="Claims with a line in a cell shown.")
    amount: int
    suppressed_cells: int
    categories: list[CategoryCell]


class CategoryTotal(BaseModel):
    """A benefit category over the period: the sum of its monthly cells that are shown."""

    category: str
    claims: int
    amount: int
    suppressed_cells: int


class UtilisationTotals(BaseModel):
    """The period: the sum of the cells shown."""

    claims: int
    amount: int
    suppressed_cells: int


class Count(BaseModel):
    """A number of members, or `suppressed` with no number."""

    suppressed: bool
    members: int | None


class StatusCount(Count):
    status: EnrolleeStatus


class RelationshipCount(Count):
    relationship: Relationship


class Roster(BaseModel):
    """The client's enrollees today. Fewer than 5 in a group: suppressed; a breakdown with a
    single suppressed group has its smallest other group suppressed too, so that no group
    is the total less the others."""

    members: Count
    by_status: list[StatusCount]
    by_relationship: list[RelationshipCount]


class UtilisationRead(BaseModel):
    client_id: uuid.UUID
    client_name: str
    period: PeriodRead = Field(description="Whole months, `from` the first day `to` the last.")
    currency: str
    threshold: int = Field(description="The fewest distinct members a figure may count.")
    as_of: datetime = Field(description="When the figures were read.")
    roster: Roster
    months: list[MonthRow] = Field(description="Every month of the period, oldest first.")
    categories: list[CategoryTotal] = Field(description="Every benefit category.")
    totals: UtilisationTotals
