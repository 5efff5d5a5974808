"""The settlement-summary summaries the database keeps (see the migration `f2b3c4d5e6f7`):
its triggers on claims write them in the transaction of each change.

- `SettlementClaimDay`: the claims APPROVED or SETTLED per currency, provider, day of
  approval and day of settlement (UTC; `infinity` while not settled), and their total
  approved.
- `SettlementTurnaroundHours`: how many of those settled were settled after each whole
  number of hours from their approval (rounded), per currency and provider (`ANY`: every
  provider together), by the day of settlement and again by its month (`whole_month`,
  `settled_on` then the month's first day).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base


class SettlementClaimDay(Base):
    __tablename__ = "settlement_claim_days"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    approved_on: Mapped[date] = mapped_column(primary_key=True)
    settled_on: Mapped[date] = mapped_column(primary_key=True)
    claims: Mapped[int]
    amount: Mapped[int]


class SettlementTurnaroundHours(Base):
    __tablename__ = "settlement_turnaround_hours"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    whole_month: Mapped[bool] = mapped_column(primary_key=True)
    settled_on: Mapped[date] = mapped_column(primary_key=True)
    hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    claims: Mapped[int]
