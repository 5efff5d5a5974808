"""Exact summaries the reports read instead of the raw rows, kept by database triggers in
the transaction of each change (migration f1a2b3c4d5e6 has the triggers and
`claims_summaries_rebuild`). Never written by the application."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Boolean, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base


class IncurredDay(Base):
    """The claims APPROVED or SETTLED of a service day, the member's (current) client and
    plan, and a currency: how many, and their approved amounts."""

    __tablename__ = "incurred_days"
    __table_args__ = (
        Index("ix_incurred_days_emptied", "tenant_id", postgresql_where=text("claims = 0")),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_date: Mapped[date] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    claims: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int]


class MemberSpan(Base):
    """A member's ACTIVE span [lo, hi) (hi `infinity` while open), with the end of its
    previous one (`-infinity`: none) and the member's current client, plan and
    relationship."""

    __tablename__ = "member_spans"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    enrollee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lo: Mapped[date] = mapped_column(primary_key=True)
    hi: Mapped[date]
    prev_hi: Mapped[date]
    client_id: Mapped[uuid.UUID]
    plan_id: Mapped[uuid.UUID]
    relationship: Mapped[str] = mapped_column(String(32))


class CoverageCohort(Base):
    """How many members have the same span, client, plan and relationship: what premium
    exposure prices."""

    __tablename__ = "coverage_cohorts"
    __table_args__ = (
        Index("ix_coverage_cohorts_emptied", "tenant_id", postgresql_where=text("members = 0")),
        # The spans beginning, and ending, in some days (premium exposure's changes).
        Index("ix_coverage_cohorts_lo", "tenant_id", "lo"),
        Index("ix_coverage_cohorts_hi", "tenant_id", "hi"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    relationship: Mapped[str] = mapped_column(String(32), primary_key=True)
    lo: Mapped[date] = mapped_column(primary_key=True)
    hi: Mapped[date] = mapped_column(primary_key=True)
    prev_hi: Mapped[date] = mapped_column(primary_key=True)
    members: Mapped[int] = mapped_column(Integer)


class CoverageMonth(Base):
    """What the spans beginning and ending in a month change for a stream (client, plan,
    relationship): `net`, the members covered (spans begun less spans ended: summed over
    the months before a day, the members covered then); `first_net`, the change on its
    first day; `joined`, the members a span begun after that day brings who were not
    covered earlier in the month; `later_days`, the days the changes after that day add
    to the month (each from its day to the month's end)."""

    __tablename__ = "coverage_months"
    __table_args__ = (
        Index(
            "ix_coverage_months_emptied",
            "tenant_id",
            postgresql_where=text("net = 0 AND first_net = 0 AND joined = 0 AND later_days = 0"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    relationship: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    net: Mapped[int] = mapped_column(Integer)
    first_net: Mapped[int] = mapped_column(Integer)
    joined: Mapped[int] = mapped_column(Integer)
    later_days: Mapped[int]


class OpenFlag(Base):
    """A risk event whose outcome is `open` as fraud-anomaly reads it (not cleared, its
    claim not rejected, no "Not me" report standing on its PA), in its claim's or PA's
    currency; `on_claim` tells which (an event counts once on each it is raised on)."""

    __tablename__ = "open_flags"
    __table_args__ = (Index("ix_open_flags_currency", "tenant_id", "currency"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    on_claim: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
