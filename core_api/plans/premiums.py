"""Exposure and earned premium per month, client and plan: what the loss ratio, utilisation
and the dashboard divide by.

**Covered.** A member is covered on a day when the lifecycle status in force that day is
ACTIVE: the status of the change (`enrollee_status_changes`) with the latest
`effective_date` on or before the day, the latest recorded winning a tie, exactly as
eligibility reads it. Enrolled on the 10th counts from the 10th; suspended or terminated
on the 21st counts up to the 20th; reactivated on the 16th counts again from the 16th.
The member's client, plan and relationship are its current ones.

**Earned.** A covered day earns the premium of the member's relationship (principal,
spouse, child) in the plan version in force that day (the latest begun by then, else
version 1), divided by the number of days D of its calendar month: a whole month earns
the premium, 21 of 30 days earn 21/30 of it, suspended and terminated days earn nothing,
and a new version mid-month prices the days on each side at its own premium. A month,
client and plan earns `round_half_up(Σ premium_of_day / D)` over all its members' covered
days, in integer minor units of the plan's currency: rounded once per row, so a total
over rows (a client's year, the HMO's month) is the sum of those rows.

**Exposure.** `members` counts the members covered on at least one day of the month,
`member_days` their covered days, `member_months` is `member_days / D`.

A range that starts or ends mid-month counts only its own days of those months (their
premium still divided by the whole month's D).

**How it stays fast.** One statement over `coverage_cohorts`, not the members: the
database keeps each member's ACTIVE spans (`member_spans`, rewritten in the transaction
that changes the member or its lifecycle) and counts the members per identical span,
client, plan and relationship. Members who never left ACTIVE are covered from their
coverage start on (one span each); the others' spans are cut from their lifecycle
history. Cut to the range, most spans become the same. The whole months inside a span
are counted per run of months, and only the partial months at its ends are priced day by
day.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnClause,
    ColumnElement,
    Date,
    DateTime,
    Numeric,
    Select,
    Subquery,
    and_,
    case,
    cast,
    column,
    extract,
    func,
    literal_column,
    null,
    select,
    union_all,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.models import Plan, PlanVersion
from core_api.models import Relationship as Kin
from core_api.models.summary import CoverageCohort
from core_api.plans.service import version_periods

MEMBER_MONTH_PLACES = Decimal("0.000001")
# Written into the statement rather than bound: a GROUP BY then matches the same
# expression in the SELECT list.
MONTH: ColumnClause[str] = literal_column("'month'")


@dataclass(frozen=True, slots=True)
class Exposure:
    """One month, client and plan: its coverage and the premium it earned."""

    month: date  # its first day
    client_id: uuid.UUID
    plan_id: uuid.UUID
    currency: str  # the plan's
    members: int  # covered on at least one day of the month (within the range)
    member_days: int  # covered days, all members together
    days_in_month: int  # of the calendar month, even when the range cuts it
    earned_premium: int  # minor units

    @property
    def member_months(self) -> Decimal:
        """`member_days / days_in_month`, rounded half up to 6 decimal places (for an
        exact sum over rows of one month, add their `member_days` and divide once)."""
        exact = Decimal(self.member_days) / Decimal(self.days_in_month)
        return exact.quantize(MEMBER_MONTH_PLACES, rounding=ROUND_HALF_UP)


async def exposure(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    first_day: date,
    last_day: date,
    *,
    client_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
) -> list[Exposure]:
    """Coverage and earned premium for each month the days `first_day` … `last_day` (both
    included) touch, per client and plan, by the rule of the module docstring; only rows
    with a member covered, in month, client, plan order."""
    if last_day < first_day:
        raise ValueError("last_day is before first_day")
    rows = await db.execute(exposure_query(tenant_id, first_day, last_day, client_id, plan_id))
    return [
        Exposure(month, client, plan, currency, members, days, _days_in(month), earned)
        for month, client, plan, currency, members, days, earned in rows
    ]


def _days_in(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def exposure_query(
    tenant_id: uuid.UUID,
    first_day: date,
    last_day: date,
    client_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
) -> Select[Any]:
    """`exposure`'s statement, for a report to build on: `month`, `client_id`, `plan_id`,
    `currency`, `members`, `member_days` and `earned_premium` per row."""
    after = last_day + timedelta(days=1)
    range_ = Range(first_day, after)
    spans = _cut(_spans(tenant_id, range_, client_id, plan_id), range_)
    versions = _versions(tenant_id, range_, plan_id)
    months = _months(range_)
    parts = union_all(
        _whole_months(spans, months, versions), _partial_months(spans, versions)
    ).subquery("parts")
    month = parts.c.month
    days_in_month = cast(month + literal_column("interval '1 month'"), Date) - month
    return (
        select(
            month,
            parts.c.client_id,
            parts.c.plan_id,
            Plan.currency,
            cast(func.sum(parts.c.members), BigInteger).label("members"),
            cast(func.sum(parts.c.member_days), BigInteger).label("member_days"),
            cast(_round_half_up(func.sum(parts.c.premium_days), days_in_month), BigInteger).label(
                "earned_premium"
            ),
        )
        .join(Plan, and_(Plan.tenant_id == tenant_id, Plan.id == parts.c.plan_id))
        .group_by(month, parts.c.client_id, parts.c.plan_id, Plan.currency)
        .order_by(month, parts.c.client_id, parts.c.plan_id)
    )


@dataclass(frozen=True, slots=True)
class Range:
    """Days [first, after)."""

    first: date
    after: date


def _spans(
    tenant_id: uuid.UUID, range_: Range, client_id: uuid.UUID | None, plan_id: uuid.UUID | None
) -> Select[Any]:
    """Every ACTIVE span [lo, hi) of the range, with its client, plan, relationship, the
    number of members it stands for and the end of the member's previous span in the
    range (`prev_hi`, null when none). Read from `coverage_cohorts`, the members' spans
    counted per identical span (kept by the database as enrollees and their lifecycle
    change): a member who never left ACTIVE is covered from its coverage start on; the
    others' spans come from their history. Cut to the range, the spans of many members
    become one."""
    cohort = CoverageCohort
    lo = func.greatest(cohort.lo, range_.first)
    hi = func.least(cohort.hi, range_.after)
    # The previous span counts only if some of it is inside the range.
    prev_hi = case((cohort.prev_hi > range_.first, cohort.prev_hi))
    spans = select(
        cohort.client_id,
        cohort.plan_id,
        cohort.relationship,
        func.sum(cohort.members).label("members"),
        lo.label("lo"),
        hi.label("hi"),
        prev_hi.label("prev_hi"),
    ).where(cohort.tenant_id == tenant_id, cohort.lo < range_.after, cohort.hi > range_.first)
    if client_id is not None:
        spans = spans.where(cohort.client_id == client_id)
    if plan_id is not None:
        spans = spans.where(cohort.plan_id == plan_id)
    return spans.group_by(cohort.client_id, cohort.plan_id, cohort.relationship, lo, hi, prev_hi)


def _cut(spans: Select[Any], range_: Range) -> CTE:
    """The spans with the run of whole range months each covers, [whole_from,
    whole_until) (empty when none); a range month runs from the first of a month, or the
    range's first day, to the first of the next, or the range's end."""
    spans_ = spans.subquery("spans")
    lo, hi = spans_.c.lo, spans_.c.hi
    whole_from = case(
        (lo == range_.first, lo),
        (extract("day", lo) == 1, lo),
        else_=func.least(_month_after(lo), range_.after),
    )
    whole_until = case(
        (hi == range_.after, hi),
        (extract("day", hi) == 1, hi),
        else_=func.greatest(_month_of(hi), range_.first),
    )
    return select(*spans_.c, whole_from.label("whole_from"), whole_until.label("whole_until")).cte(
        "cut"
    )


def _versions(tenant_id: uuid.UUID, range_: Range, plan_id: uuid.UUID | None) -> CTE:
    """Each plan version's premiums and the days [since, until) of the range it is in force
    (`version_periods`); versions not in force on any day of the range are left out."""
    version = PlanVersion
    query = version_periods(
        tenant_id, version.premium_principal, version.premium_spouse, version.premium_child
    )
    if plan_id is not None:
        query = query.where(version.plan_id == plan_id)
    periods = query.subquery("version_periods")
    since = func.greatest(func.coalesce(periods.c.since, range_.first), range_.first)
    until = func.least(func.coalesce(periods.c.until, range_.after), range_.after)
    return (
        select(
            periods.c.plan_id,
            periods.c.premium_principal,
            periods.c.premium_spouse,
            periods.c.premium_child,
            since.label("since"),
            until.label("until"),
        )
        .where(since < until)
        .cte("versions")
    )


def _months(range_: Range) -> Subquery:
    """Each month the range touches: its first day and its part [lo, hi) of the range."""
    rows, month = [], range_.first.replace(day=1)
    while month < range_.after:
        following = month + timedelta(days=_days_in(month))
        rows.append((month, max(month, range_.first), min(following, range_.after)))
        month = following
    table = values(column("month", Date), column("lo", Date), column("hi", Date), name="month_rows")
    return select(table.data(rows)).subquery("months")


def _priced(
    spans: Subquery | CTE, versions: CTE, lo: ColumnElement[date], hi: ColumnElement[date]
) -> tuple[ColumnElement[bool], list[ColumnElement[Any]]]:
    """The join of days [lo, hi) of `spans` rows to the versions in force on them, and
    what each joined row adds: members (counted once, on the version in force on `lo`),
    member days and premium days."""
    overlaps = and_(
        versions.c.plan_id == spans.c.plan_id, versions.c.since < hi, versions.c.until > lo
    )
    days = spans.c.members * (
        func.least(hi, versions.c.until) - func.greatest(lo, versions.c.since)
    )
    premium = case(
        (spans.c.relationship == Kin.PRINCIPAL, versions.c.premium_principal),
        (spans.c.relationship == Kin.SPOUSE, versions.c.premium_spouse),
        else_=versions.c.premium_child,
    )
    sums = [
        func.sum(spans.c.members).filter(versions.c.since <= lo),
        func.sum(days),
        func.sum(days * premium),
    ]
    return overlaps, sums


def _whole_months(spans: CTE, months: Subquery, versions: CTE) -> Select[Any]:
    """The members covered for a whole range month, counted per client, plan and
    relationship."""
    runs = (
        select(
            spans.c.client_id,
            spans.c.plan_id,
            spans.c.relationship,
            spans.c.whole_from,
            spans.c.whole_until,
            func.sum(spans.c.members).label("members"),
        )
        .where(spans.c.whole_from < spans.c.whole_until)
        .group_by(
            spans.c.client_id,
            spans.c.plan_id,
            spans.c.relationship,
            spans.c.whole_from,
            spans.c.whole_until,
        )
        .subquery("runs")
    )
    covered = (
        select(
            months.c.month,
            months.c.lo,
            months.c.hi,
            runs.c.client_id,
            runs.c.plan_id,
            runs.c.relationship,
            func.sum(runs.c.members).label("members"),
        )
        .join(months, and_(months.c.lo >= runs.c.whole_from, months.c.hi <= runs.c.whole_until))
        .group_by(
            months.c.month,
            months.c.lo,
            months.c.hi,
            runs.c.client_id,
            runs.c.plan_id,
            runs.c.relationship,
        )
        .subquery("covered")
    )
    overlaps, (members, member_days, premium_days) = _priced(
        covered, versions, covered.c.lo, covered.c.hi
    )
    return (
        select(
            covered.c.month,
            covered.c.client_id,
            covered.c.plan_id,
            members.label("members"),
            member_days.label("member_days"),
            premium_days.label("premium_days"),
        )
        .join(versions, overlaps)
        .group_by(covered.c.month, covered.c.client_id, covered.c.plan_id)
    )


def _partial_months(spans: CTE, versions: CTE) -> Select[Any]:
    """The members covered for part of a range month: a span's head before its first whole
    month and its tail after the last (one piece when it has none). A changed member
    whose previous span ended in the month its next one starts is counted once there."""
    fields = (spans.c.client_id, spans.c.plan_id, spans.c.relationship, spans.c.members)
    head_end = func.least(spans.c.whole_from, spans.c.hi)
    tail_start = func.greatest(spans.c.whole_from, spans.c.whole_until)
    pieces = union_all(
        select(*fields, spans.c.lo, head_end.label("hi"), spans.c.prev_hi).where(
            spans.c.lo < head_end
        ),
        select(
            *fields, tail_start.label("lo"), spans.c.hi, cast(null(), Date).label("prev_hi")
        ).where(tail_start < spans.c.hi),
    ).subquery("pieces")
    overlaps, (members, member_days, premium_days) = _priced(
        pieces, versions, pieces.c.lo, pieces.c.hi
    )
    month = _month_of(pieces.c.lo)
    counted_twice = func.count().filter(
        versions.c.since <= pieces.c.lo, _month_of(pieces.c.prev_hi - 1) == month
    )
    return (
        select(
            month.label("month"),
            pieces.c.client_id,
            pieces.c.plan_id,
            (members - counted_twice).label("members"),
            member_days.label("member_days"),
            premium_days.label("premium_days"),
        )
        .join(versions, overlaps)
        .group_by(month, pieces.c.client_id, pieces.c.plan_id)
    )


def _month_of(day: ColumnElement[date]) -> ColumnElement[date]:
    """The first day of `day`'s month (through `timestamp`: no time zone involved)."""
    return cast(func.date_trunc(MONTH, cast(day, DateTime)), Date)


def _month_after(day: ColumnElement[date]) -> ColumnElement[date]:
    """The first day of the month after `day`'s."""
    month = func.date_trunc(MONTH, cast(day, DateTime))
    return cast(month + literal_column("interval '1 month'"), Date)


def _round_half_up(
    premium_days: ColumnElement[Any], days: ColumnElement[Any]
) -> ColumnElement[Any]:
    # round(numeric) rounds half away from zero: half up, the amounts being positive.
    return func.round(cast(premium_days, Numeric) / days)
