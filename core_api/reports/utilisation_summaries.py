"""The utilisation summaries the database keeps (migration `f3c4d5e6f7a8`): its triggers on
claims, claim lines, check-ins and enrollees write them in the transaction of each change;
the report only reads them.

- `UtilisationMemberMonth`: what a member used in a month, per currency, provider and
  benefit category (`WHOLE`: every claim and visit once, whatever its categories): claims,
  visits and approved cost, under the member's current client and plan.
- `UtilisationCell`: those summed over the members per scope, client, plan and month:
  every provider (`provider_id` `ANY`) or one, every provider type (`provider_type`
  `WHOLE`) or one, every category (`WHOLE`) or one; and per `prev_month`, the member's
  previous month with use in that scope (`-infinity`: none). The distinct members with
  use in the whole months a..b are the members of the cells of those months whose
  `prev_month` is before a.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Index, Integer, PrimaryKeyConstraint, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core_api.models.base import Base
from core_api.reports.provider_summaries import ANY

WHOLE = ""  # every category, or every provider type
__all__ = ["ANY", "WHOLE", "UtilisationCell", "UtilisationMemberMonth"]


class UtilisationMemberMonth(Base):
    __tablename__ = "utilisation_member_months"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    enrollee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[uuid.UUID]
    plan_id: Mapped[uuid.UUID]
    provider_type: Mapped[str] = mapped_column(String(32))
    claims: Mapped[int]
    visits: Mapped[int]
    cost: Mapped[int]


class UtilisationCell(Base):
    __tablename__ = "utilisation_cells"
    __table_args__ = (
        # The sums in the key's index too: a scope's cells are read from it alone.
        PrimaryKeyConstraint(
            "tenant_id",
            "currency",
            "provider_id",
            "provider_type",
            "category",
            "client_id",
            "plan_id",
            "month",
            "prev_month",
            postgresql_include=["members", "claims", "visits", "cost"],
        ),
        Index("ix_utilisation_cells_emptied", "tenant_id", postgresql_where=text("members = 0")),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    currency: Mapped[str] = mapped_column(String(3))
    provider_id: Mapped[uuid.UUID]
    provider_type: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[uuid.UUID]
    plan_id: Mapped[uuid.UUID]
    month: Mapped[date]
    prev_month: Mapped[date]
    members: Mapped[int] = mapped_column(Integer)
    claims: Mapped[int]
    visits: Mapped[int]
    cost: Mapped[int]
