"""The provider-performance summaries the database keeps (see the migration
`f2b3c4d5e6f7`): its triggers on claims, claim events and risk events write them in the
transaction of each change; the report only reads them.

- `ProviderClaimMonth`: the claims submitted in a month (UTC) per currency, provider,
  the member's client and the claim's plan, with what the report sums of them.
- `ProviderTurnaroundHours`: how many of those claims were decided after each whole
  number of hours (rounded), per currency, month and hours, for every provider together
  and each one (`provider_id` is `ANY` for all of them), over the tenant, each client
  and each plan (`scope_id`: `ANY`, the client's or the plan's id); and again by whole
  days (`whole_day`, `hours` then the day's first hour), to find which day holds a
  percentile before reading that day's hours.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base

ANY = uuid.UUID(int=0)  # every provider, or no client or plan in particular


class ProviderClaimMonth(Base):
    __tablename__ = "provider_claim_months"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    claims: Mapped[int]
    billed: Mapped[int]
    approved_claims: Mapped[int]  # APPROVED or SETTLED
    approved: Mapped[int]  # their total approved
    decided: Mapped[int]
    queried: Mapped[int]  # moved to QUERIED at least once
    risk_events: Mapped[int]


class ProviderTurnaroundHours(Base):
    __tablename__ = "provider_turnaround_hours"
    # The claims in the key's index too: a day's hours are read from it alone.
    __table_args__ = (
        PrimaryKeyConstraint(
            "tenant_id",
            "currency",
            "scope_id",
            "provider_id",
            "whole_day",
            "hours",
            "month",
            postgresql_include=["claims"],
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    currency: Mapped[str] = mapped_column(String(3))
    scope_id: Mapped[uuid.UUID]
    provider_id: Mapped[uuid.UUID]
    whole_day: Mapped[bool]
    hours: Mapped[int] = mapped_column(Integer)
    month: Mapped[date]
    claims: Mapped[int]
