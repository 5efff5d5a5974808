from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    EmailStr,
    Field,
    StringConstraints,
)
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from core_api.access.schemas import ORMModel
from core_api.kit.fields import BirthDate, Day, Input, Patch, Version
from core_api.models import EnrolleeStatus, Relationship, Sex

ClientCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9]{2,12}$")]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{5,32}$")]


class ClientCreate(Input):
    code: ClientCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    contact_email: EmailStr | None = None
    phone: Phone | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    covered_since: Annotated[
        Day | None,
        Field(
            description="The day the client's scheme with the HMO began (default: today); "
            "no enrollee of the client is covered from an earlier day."
        ),
    ] = None


class ClientRead(ORMModel):
    id: uuid.UUID
    code: str
    name: str
    contact_email: str | None
    phone: str | None
    address: str | None
    covered_since: date
    version: int
    created_at: datetime


class Person(Input):
    first_name: PersonName
    last_name: PersonName
    date_of_birth: BirthDate
    sex: Sex
    email: EmailStr | None = None
    phone: Phone | None = None


class PrincipalCreate(Person):
    client_id: uuid.UUID
    plan_id: uuid.UUID
    primary_provider_id: uuid.UUID | None = None
    coverage_start: Day | None = None


class DependantCreate(Person):
    relationship: Literal[Relationship.SPOUSE, Relationship.CHILD]


class EnrolleeUpdate(Patch):
    clearable = frozenset({"email", "phone", "primary_provider_id"})

    version: Version
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    date_of_birth: BirthDate | None = None
    sex: Sex | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    primary_provider_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None


class StatusChange(Input):
    status: EnrolleeStatus
    effective_date: Day | None = None
    reason: Annotated[str, StringConstraints(max_length=300)] = ""


class EnrolleeRead(ORMModel):
    id: uuid.UUID
    member_id: str
    client_id: uuid.UUID
    plan_id: uuid.UUID
    principal_id: uuid.UUID | None
    relationship: Relationship
    first_name: str
    last_name: str
    date_of_birth: date
    sex: Sex
    email: str | None
    phone: str | None
    primary_provider_id: uuid.UUID | None
    status: EnrolleeStatus
    coverage_start: date
    coverage_end: date | None
    version: int
    created_at: datetime


class EnrolleeDetail(EnrolleeRead):
    dependants: list[EnrolleeRead]


class StatusChangeRead(ORMModel):
    """One step of an enrollee's lifecycle: the status in force from `effective_date` on."""

    status: EnrolleeStatus
    effective_date: date
    reason: str
    actor_id: uuid.UUID | None
    created_at: datetime


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    if isinstance(value, str) and not ISO_DATE.match(value):
        raise PydanticCustomError("date_format", "Use the YYYY-MM-DD format.")
    return value


PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _email(value: str) -> str:
    """`EmailStr`'s rule at bulk speed: a plain ASCII address that email-validator would
    surely accept skips it (it costs ~30 µs an address); anything else goes through it."""
    local, _, domain = value.rpartition("@")
    if (
        PLAIN_EMAIL.fullmatch(value)
        and len(local) <= 64
        and len(value) <= 254
        and "--" not in domain
        and domain.rsplit(".", 1)[1].lower() not in SPECIAL_USE_DOMAIN_NAMES
    ):
        return value
    return validate_email(value)[1]


Ref = Annotated[str, StringConstraints(max_length=64)]


class ImportRow(Person):
    """One CSV record of an enrollee import (blank cells left out); the column names."""

    ref: Ref | None = None
    principal_ref: Ref | None = None
    principal_member_id: Annotated[str, StringConstraints(max_length=48)] | None = None
    relationship: Relationship
    client_code: Annotated[str, StringConstraints(max_length=16)] | None = None
    plan_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    date_of_birth: Annotated[BirthDate, BeforeValidator(_iso_date)]
    coverage_start: Annotated[Day, BeforeValidator(_iso_date)] | None = None
    email: Annotated[str, AfterValidator(_email)] | None = None


class RowError(BaseModel):
    row: int
    field: str
    message: str


class ImportResult(BaseModel):
    created: int
    errors: list[RowError]


class CardRead(BaseModel):
    member_id: str
    name: str
    relationship: Relationship
    date_of_birth: date
    status: EnrolleeStatus
    plan: str
    client: str
    primary_provider: str | None
    valid_from: date
    valid_to: date | None
    principal_member_id: str | None
    hmo_name: str
    hmo_email: str | None
    hmo_phone: str | None
