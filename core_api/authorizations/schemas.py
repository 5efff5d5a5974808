from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from core_api.access.schemas import ORMModel
from core_api.kit.fields import Input, Patch, PositiveAmount, Version, amount_note
from core_api.models.authorization import AuthorizationStatus, Urgency

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=32)
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class AuthorizationCreate(Input):
    member_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=48)]
    provider_id: uuid.UUID | None = Field(
        default=None, description="The filing provider: the caller's own (omit it, or name it)."
    )
    urgency: Urgency
    procedure_code: Code
    diagnosis_codes: list[Code] = Field(default_factory=list, max_length=20)
    estimated_amount: PositiveAmount
    notes: Annotated[str, StringConstraints(max_length=10_000)] | None = Field(
        default=None, description="Clinical notes; stored encrypted."
    )


class DecisionKind(enum.StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"


class Decision(Input):
    decision: DecisionKind
    reason: Reason | None = Field(default=None, description="Required to reject.")
    approved_amount: PositiveAmount | None = Field(
        default=None,
        description=amount_note("At most the estimate; defaults to the estimate.", positive=True),
    )
    valid_days: Annotated[int, Field(ge=1, le=365)] | None = Field(
        default=None, description="How long the auth code is valid after approval (default 30)."
    )
    version: Version | None = Field(default=None, description="The version read; stale → 409.")


class AppealCreate(Input):
    evidence: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)
    ] = Field(description="The new evidence; stored encrypted.")
    version: Version | None = None


class Cancel(Input):
    reason: Reason | None = None
    version: Version | None = None


class NotMe(Input):
    comment: Annotated[str, StringConstraints(max_length=1000)] | None = None


class ClearHold(Input):
    reason: Reason | None = None


class AuthorizationFacts(ORMModel):
    """What every party that may see a PA sees of it."""

    id: uuid.UUID
    number: str
    status: AuthorizationStatus
    member_id: str
    provider_id: uuid.UUID
    urgency: Urgency
    procedure_code: str
    diagnosis_codes: list[str]
    currency: str
    estimated_amount: int
    approved_amount: int | None
    created_at: datetime
    decided_at: datetime | None


class AuthorizationSummary(AuthorizationFacts):
    """A PA as its member sees it: no SLA, rule, hold or other review data, but whether
    they (or their principal) reported it "Not me"."""

    suspicious: bool = Field(description='Reported "Not me" by the enrollee or their principal.')
    reported_at: datetime | None


class ProviderAuthorizationRead(AuthorizationFacts):
    """A PA as the provider that filed it sees it: its status, SLA, decision and auth code,
    but no fraud signals (no "Not me" report, hold or its clearing)."""

    version: int
    enrollee_id: uuid.UUID
    sla_due_at: datetime
    sla_seconds_left: int | None = Field(
        default=None, description="While awaiting a decision; negative once overdue."
    )
    breached_at: datetime | None
    escalated_at: datetime | None
    decision_reason: str | None
    auth_code: str | None
    valid_from: date | None
    valid_to: date | None
    used_at: datetime | None
    used_by_claim_id: uuid.UUID | None
    matched_rule_id: uuid.UUID | None


class AuthorizationRead(ProviderAuthorizationRead):
    """A PA as the HMO's staff see it: with its fraud signals."""

    suspicious: bool = Field(description='Reported "Not me" by the enrollee or their principal.')
    reported_at: datetime | None
    hold_cleared_at: datetime | None


class MemberAuthorizationRead(AuthorizationSummary):
    """Enrollee portal: a PA filed for the caller or a dependant."""

    provider_name: str


class EventRead(BaseModel):
    action: str
    from_status: AuthorizationStatus | None
    to_status: AuthorizationStatus
    actor_label: str
    reason: str | None
    note: str | None
    details: dict[str, Any]
    created_at: datetime


class ProviderAuthorizationDetail(ProviderAuthorizationRead):
    """The PA in full as its provider sees it: notes and history, without the "Not me"
    report, the hold's clearing or any fraud flag."""

    notes: str | None
    history: list[EventRead]


class AuthorizationDetail(AuthorizationRead, ProviderAuthorizationDetail):
    """The PA in full as the HMO's staff see it: with its fraud flags (rule, evidence)."""

    risk_events: list[dict[str, Any]]


class NotMeRead(BaseModel):
    authorization_id: uuid.UUID
    number: str
    suspicious: bool
    reported_at: datetime | None


class RuleCreate(Input):
    plan_id: uuid.UUID
    procedure_code: Code
    max_amount: PositiveAmount = Field(
        description=amount_note("Ceiling on the PA's estimated amount.", positive=True)
    )
    max_urgency: Urgency = Field(
        description="Ceiling on urgency: ROUTINE < URGENT < EMERGENCY; this tier and below."
    )
    valid_days: Annotated[int, Field(ge=1, le=365)] = 30
    is_active: bool = True
    description: Annotated[str, StringConstraints(max_length=300)] = ""


class RuleUpdate(Patch):
    version: Version
    max_amount: PositiveAmount | None = None
    max_urgency: Urgency | None = None
    valid_days: Annotated[int, Field(ge=1, le=365)] | None = None
    is_active: bool | None = None
    description: Annotated[str, StringConstraints(max_length=300)] | None = None


class RuleRead(ORMModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    procedure_code: str
    max_amount: int
    max_urgency: Urgency
    valid_days: int
    is_active: bool
    description: str
    version: int
    created_at: datetime
