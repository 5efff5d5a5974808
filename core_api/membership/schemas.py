from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, StringConstraints

from core_api.access.schemas import ORMModel
from core_api.models import EnrolleeStatus, Relationship, Sex

ClientCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9]{2,12}$")]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{5,32}$")]


class ClientCreate(BaseModel):
    code: ClientCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    contact_email: EmailStr | None = None
    phone: Phone | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None


class ClientRead(ORMModel):
    id: uuid.UUID
    code: str
    name: str
    contact_email: str | None
    phone: str | None
    address: str | None
    version: int
    created_at: datetime


class Person(BaseModel):
    first_name: PersonName
    last_name: PersonName
    date_of_birth: date
    sex: Sex
    email: EmailStr | None = None
    phone: Phone | None = None


class PrincipalCreate(Person):
    client_id: uuid.UUID
    plan_id: uuid.UUID
    primary_provider_id: uuid.UUID | None = None
    coverage_start: date | None = None


class DependantCreate(Person):
    relationship: Literal[Relationship.SPOUSE, Relationship.CHILD]


class EnrolleeUpdate(BaseModel):
    version: int
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    primary_provider_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None


class StatusChange(BaseModel):
    status: EnrolleeStatus
    effective_date: date | None = None
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
