"""A client's utilisation for its portal users: aggregated only, so that no answer, and no
comparison of answers, tells anything about one person.

Cells. Utilisation is counted on one fixed grid, calendar month (by service date) by
benefit category, over the incurred lines of the client's enrollees' claims (claims
APPROVED or SETTLED, lines with an approved amount). A cell counts its distinct enrollees
(`members`), its claims and its approved amount. A cell counting fewer than `THRESHOLD`
members is suppressed, an empty one included, so that a small group and no one look alike
(a suppressed cell does not say that someone had, say, maternity care that month).

Totals. A month, a category over the period and the period itself are sums of the cells
shown, never of a suppressed one, and each says how many cells it leaves out. A total that
counted a suppressed cell could be subtracted from: by the cells shown beside it, or, as
the client chooses the period, by the same total over one month less. Hiding one more
cell beside each hidden one (textbook secondary suppression) protects a cell but not a
person, who may sit in two hidden cells of a month (a consultation and its drugs), nor
does it hold across periods. The grid does not depend on the period asked, so every answer
is a selection of the same shown cells and sums of them, and no difference between answers
reaches a suppressed cell. There are no other filters, each of which would be another way
to cut a cell in two and subtract.

Roster. The client's enrollees today, by status and by relationship, with their total: a
group under `THRESHOLD` is suppressed, and where that leaves a breakdown with one group
suppressed beside its total, its smallest other group is suppressed too, so no group is
the total less the others. (These are counts the client also holds in its enrollee list.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Date, Select, and_, cast, distinct, func, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.errors import Forbidden, Invalid
from core_api.models import (
    Client,
    Enrollee,
    EnrolleeStatus,
    Relationship,
    UserKind,
)
from core_api.models.base import utcnow
from core_api.models.claim import Claim, ClaimItem, ClaimStatus
from core_api.plans.schemas import BENEFIT_CATEGORIES
from core_api.portal.schemas import (
    CategoryCell,
    CategoryTotal,
    Count,
    MonthRow,
    RelationshipCount,
    Roster,
    StatusCount,
    UtilisationRead,
    UtilisationTotals,
)
from core_api.reports.period import DEFAULT_MONTHS, MAX_MONTHS, add_months, month_end
from core_api.reports.schemas import PeriodRead
from core_api.reports.service import tenant_currency

THRESHOLD = 5
Group = TypeVar("Group", bound=StrEnum)
INCURRED = (ClaimStatus.APPROVED, ClaimStatus.SETTLED)


@dataclass(frozen=True, slots=True)
class Counted:
    members: int
    claims: int
    amount: int

    @property
    def shown(self) -> bool:
        return self.members >= THRESHOLD


@dataclass(frozen=True, slots=True)
class Grid:
    """The counted cells of the period (absent: nobody) and, per month, the distinct
    members and claims across the month's shown cells."""

    months: list[date]
    cells: Mapping[tuple[date, str], Counted]
    served: Mapping[date, tuple[int, int]]

    def shown(self, month: date, category: str) -> Counted | None:
        counted = self.cells.get((month, category))
        return counted if counted is not None and counted.shown else None


async def client_utilisation(
    db: AsyncSession,
    actor: Actor,
    first: date | None,
    last: date | None,
    currency: str | None,
    today: date,
) -> UtilisationRead:
    client = await _callers_client(db, actor)
    months = period_months(first, last, today)
    currency = currency or await tenant_currency(db)
    grid = await _grid(db, client, months, currency)
    rows = [_month_row(grid, month) for month in months]
    return UtilisationRead(
        client_id=client.id,
        client_name=client.name,
        period=PeriodRead(from_=months[0], to=month_end(months[-1])),
        currency=currency,
        threshold=THRESHOLD,
        as_of=utcnow(),
        roster=await _roster(db, client),
        months=rows,
        categories=[_category_total(grid, category) for category in BENEFIT_CATEGORIES],
        totals=_totals(rows),
    )


async def _callers_client(db: AsyncSession, actor: Actor) -> Client:
    if actor.user_kind is not UserKind.CLIENT or actor.client_id is None:
        raise Forbidden("Utilisation here is a client's portal view; staff read the reports.")
    client = await db.get(Client, actor.client_id)
    assert client is not None  # a client user's client is never deleted
    return client


def period_months(first: date | None, last: date | None, today: date) -> list[date]:
    """The months from `first` to `last` (first days), by default the last twelve."""
    end = last or today.replace(day=1)
    start = first or add_months(end, 1 - DEFAULT_MONTHS)
    if start > end:
        raise Invalid("to" if last else "from", "`to` comes before `from`.")
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    if count > MAX_MONTHS:
        raise Invalid("from", f"A period covers at most {MAX_MONTHS} months.")
    return [add_months(start, i) for i in range(count)]


# --- the grid --------------------------------------------------------------------------------


async def _grid(db: AsyncSession, client: Client, months: list[date], currency: str) -> Grid:
    rows = (await db.execute(_grid_statement(client, months, currency))).all()
    cells = {
        (row.month, row.category): Counted(row.members, row.claims, row.amount)
        for row in rows
        if row.category is not None
    }
    served = {row.month: (row.members, row.claims) for row in rows if row.category is None}
    return Grid(months, cells, served)


def _grid_statement(client: Client, months: list[date], currency: str) -> Select[tuple[object]]:
    """One row per counted cell, and one per month (category null) with the distinct
    members and claims across that month's shown cells."""
    month = cast(func.date_trunc("month", Claim.service_date), Date)
    lines = (
        select(
            month.label("month"),
            ClaimItem.category,
            Claim.enrollee_id,
            Claim.id.label("claim_id"),
            ClaimItem.approved_amount.label("amount"),
        )
        .join(
            Enrollee, and_(Enrollee.tenant_id == Claim.tenant_id, Enrollee.id == Claim.enrollee_id)
        )
        .join(
            ClaimItem, and_(ClaimItem.tenant_id == Claim.tenant_id, ClaimItem.claim_id == Claim.id)
        )
        .where(
            Claim.tenant_id == client.tenant_id,
            Enrollee.client_id == client.id,
            Claim.status.in_(INCURRED),
            Claim.currency == currency,
            Claim.service_date.between(months[0], month_end(months[-1])),
            ClaimItem.approved_amount > 0,
        )
        .cte("lines")
    )
    cells = (
        select(
            lines.c.month,
            lines.c.category,
            func.count(distinct(lines.c.enrollee_id)).label("members"),
            func.count(distinct(lines.c.claim_id)).label("claims"),
            cast(func.sum(lines.c.amount), BigInteger).label("amount"),
        )
        .group_by(lines.c.month, lines.c.category)
        .cte("cells")
    )
    served = (
        select(
            lines.c.month,
            null().label("category"),
            func.count(distinct(lines.c.enrollee_id)),
            func.count(distinct(lines.c.claim_id)),
            null(),
        )
        .join(cells, and_(cells.c.month == lines.c.month, cells.c.category == lines.c.category))
        .where(cells.c.members >= THRESHOLD)
        .group_by(lines.c.month)
    )
    return select(union_all(select(cells), served).subquery())


def _cell(category: str, shown: Counted | None) -> CategoryCell:
    if shown is None:
        return CategoryCell(
            category=category, suppressed=True, members=None, claims=None, amount=None
        )
    return CategoryCell(
        category=category,
        suppressed=False,
        members=shown.members,
        claims=shown.claims,
        amount=shown.amount,
    )


def _month_row(grid: Grid, month: date) -> MonthRow:
    shown = {c: counted for c in BENEFIT_CATEGORIES if (counted := grid.shown(month, c))}
    members_served, claims = grid.served.get(month, (0, 0))
    return MonthRow(
        month=month.strftime("%Y-%m"),
        members_served=members_served,
        claims=claims,
        amount=sum(counted.amount for counted in shown.values()),
        suppressed_cells=len(BENEFIT_CATEGORIES) - len(shown),
        categories=[_cell(c, shown.get(c)) for c in BENEFIT_CATEGORIES],
    )


def _category_total(grid: Grid, category: str) -> CategoryTotal:
    shown = [counted for m in grid.months if (counted := grid.shown(m, category))]
    return CategoryTotal(
        category=category,
        claims=sum(c.claims for c in shown),
        amount=sum(c.amount for c in shown),
        suppressed_cells=len(grid.months) - len(shown),
    )


def _totals(rows: list[MonthRow]) -> UtilisationTotals:
    return UtilisationTotals(
        claims=sum(r.claims for r in rows),  # a claim is in one month (its service date)
        amount=sum(r.amount for r in rows),
        suppressed_cells=sum(r.suppressed_cells for r in rows),
    )


# --- the roster ------------------------------------------------------------------------------


async def _roster(db: AsyncSession, client: Client) -> Roster:
    groups = (
        await db.execute(
            select(Enrollee.status, Enrollee.relationship, func.count())
            .where(Enrollee.tenant_id == client.tenant_id, Enrollee.client_id == client.id)
            .group_by(Enrollee.status, Enrollee.relationship)
        )
    ).all()
    by_status: Counter[EnrolleeStatus] = Counter()
    by_relationship: Counter[Relationship] = Counter()
    for status, relationship, members in groups:
        by_status[status] += members
        by_relationship[relationship] += members
    total = sum(by_status.values())
    statuses = _margin(by_status, EnrolleeStatus)
    relationships = _margin(by_relationship, Relationship)
    return Roster(
        members=Count(**_figure(total if total >= THRESHOLD else None)),
        by_status=[StatusCount(status=s, **_figure(n)) for s, n in statuses.items()],
        by_relationship=[
            RelationshipCount(relationship=r, **_figure(n)) for r, n in relationships.items()
        ],
    )


def _margin(counts: Counter[Group], groups: type[Group]) -> dict[Group, int | None]:
    """Each group's count, or None (suppressed) under THRESHOLD; when that leaves exactly
    one group suppressed beside a total that is shown, the smallest other goes too."""
    shown: dict[Group, int | None] = {
        group: counts[group] if counts[group] >= THRESHOLD else None for group in groups
    }
    hidden = [group for group, members in shown.items() if members is None]
    if len(hidden) == 1 and sum(counts.values()) >= THRESHOLD:
        smallest = min((g for g in groups if shown[g] is not None), key=lambda g: counts[g])
        shown[smallest] = None
    return shown


def _figure(members: int | None) -> dict[str, Any]:
    return {"suppressed": members is None, "members": members}
