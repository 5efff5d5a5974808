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

**How it stays fast.** One statement over summaries the database keeps as members and
their lifecycle change (`core_api.models.summary`), never over the members: per stream
(client, plan, relationship), `coverage_cohorts` counts the members per identical ACTIVE
span and `coverage_months` the net change in members covered per month (spans begun less
spans ended). The members covered on the range's first day are the net of the months
before it and of its month's days up to it; after that, only the spans beginning or
ending inside the range are read, each a change of the count from its day on. A range
month's member days are the members covered on its first day times its days, plus each
later change times the days from it to the month's end, cut where a plan version begins;
its members are those covered on its first day and those a span brings in later who
were not covered earlier in it.
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
    Boolean,
    ColumnClause,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Numeric,
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core_api.models import Plan, PlanVersion
from core_api.models import Relationship as Kin
from core_api.models.summary import CoverageCohort, CoverageMonth
from core_api.plans.service import version_periods

MEMBER_MONTH_PLACES = Decimal("0.000001")
# Written into the statement rather than bound: a GROUP BY then matches the same
# expression in the SELECT list.
MONTH: ColumnClause[str] = literal_column("'month'")
ONE_MONTH: ColumnClause[Any] = literal_column("interval '1 month'")


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
    range_ = Range(first_day, last_day + timedelta(days=1))
    scope = Scope(tenant_id, client_id, plan_id)
    months = range_months(range_.first, range_.after)
    versions = _versions(tenant_id, range_, plan_id)
    by_day, by_month = _read_by_day(months, versions), _read_by_month(months, versions)
    events = _events(scope, range_, by_day)
    summed = _summed(scope, by_month)
    grid = _grid(_opening(scope, range_), _changes(events, summed, range_), months)
    segments = _segments(months, versions)
    parts = union_all(
        _covered(grid, segments),
        _changed(events, segments),
        _changed_in_month(summed, segments),
    ).subquery("parts")
    month = parts.c.month
    days_in_month = cast(month + ONE_MONTH, Date) - month
    members = func.sum(parts.c.members)
    return (
        select(
            month,
            parts.c.client_id,
            parts.c.plan_id,
            Plan.currency,
            cast(members, BigInteger).label("members"),
            cast(func.sum(parts.c.member_days), BigInteger).label("member_days"),
            cast(_round_half_up(func.sum(parts.c.premium_days), days_in_month), BigInteger).label(
                "earned_premium"
            ),
        )
        .join(Plan, and_(Plan.tenant_id == tenant_id, Plan.id == parts.c.plan_id))
        .group_by(month, parts.c.client_id, parts.c.plan_id, Plan.currency)
        .having(members > 0)
        .order_by(month, parts.c.client_id, parts.c.plan_id)
    )


def _premium(relationship: Any, segments: CTE) -> ColumnElement[int]:
    """A day's premium in the segment for the relationship."""
    return case(
        (relationship == Kin.PRINCIPAL, segments.c.premium_principal),
        (relationship == Kin.SPOUSE, segments.c.premium_spouse),
        else_=segments.c.premium_child,
    )


def _covered(grid: CTE, segments: CTE) -> Select[Any]:
    """Per stream, range month and segment: the members covered on the range month's
    first day, covered all of the segment; the members (with those who joined after that
    day) counted once, on the segment the range month begins with."""
    days = grid.c.active * (segments.c.b - segments.c.a)
    first_segment = segments.c.a == grid.c.lo
    return select(
        grid.c.month,
        grid.c.client_id,
        grid.c.plan_id,
        case((first_segment, grid.c.active + grid.c.joined), else_=0).label("members"),
        days.label("member_days"),
        (days * _premium(grid.c.relationship, segments)).label("premium_days"),
    ).join(segments, and_(segments.c.month == grid.c.month, segments.c.plan_id == grid.c.plan_id))


def _changed_in_month(summed: CTE, segments: CTE) -> Select[Any]:
    """The same for a range month read as sums: one segment, its first day to its end."""
    return select(
        summed.c.month,
        summed.c.client_id,
        summed.c.plan_id,
        literal(0).label("members"),
        summed.c.later_days.label("member_days"),
        (summed.c.later_days * _premium(summed.c.relationship, segments)).label("premium_days"),
    ).join(
        segments, and_(segments.c.month == summed.c.month, segments.c.plan_id == summed.c.plan_id)
    )


def _changed(events: CTE, segments: CTE) -> Select[Any]:
    """Per change after its range month's first day and segment of that month: the days
    it adds (or takes away), from its day to the segment's end."""
    days = events.c.net * (segments.c.b - func.greatest(events.c.day, segments.c.a))
    return (
        select(
            events.c.month,
            events.c.client_id,
            events.c.plan_id,
            literal(0).label("members"),
            days.label("member_days"),
            (days * _premium(events.c.relationship, segments)).label("premium_days"),
        )
        .join(
            segments,
            and_(
                segments.c.month == events.c.month,
                segments.c.plan_id == events.c.plan_id,
                events.c.day < segments.c.b,
            ),
        )
        .where(events.c.day > events.c.month)
    )


@dataclass(frozen=True, slots=True)
class Range:
    """Days [first, after)."""

    first: date
    after: date


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose coverage: the tenant's, perhaps only a client's or a plan's."""

    tenant_id: uuid.UUID
    client_id: uuid.UUID | None
    plan_id: uuid.UUID | None

    def rows(self, table: type[CoverageCohort] | type[CoverageMonth]) -> Select[Any]:
        """A select of `table`'s stream columns, under the scope."""
        stream: list[Any] = [table.client_id, table.plan_id, table.relationship]
        rows = select(*stream).where(table.tenant_id == self.tenant_id)
        if self.client_id is not None:
            rows = rows.where(table.client_id == self.client_id)
        if self.plan_id is not None:
            rows = rows.where(table.plan_id == self.plan_id)
        return rows


def _read_by_day(months: Subquery, versions: CTE) -> CTE:
    """The range months whose changes are read day by day: those the range cuts, and
    those a plan version begins inside (a change's days are priced on each side)."""
    return (
        select(months.c.month, months.c.lo, months.c.hi)
        .where(~_whole_and_one_price(months, versions))
        .cte("by_day")
    )


def _read_by_month(months: Subquery, versions: CTE) -> CTE:
    """The other range months: their changes are read as the month's sums."""
    return select(months.c.month).where(_whole_and_one_price(months, versions)).cte("by_month")


def _whole_and_one_price(months: Subquery, versions: CTE) -> ColumnElement[bool]:
    begins_inside = exists().where(versions.c.since > months.c.lo, versions.c.since < months.c.hi)
    return and_(months.c.whole, ~begins_inside)


def _events(scope: Scope, range_: Range, by_day: CTE) -> CTE:
    """The changes in coverage after the range's first day, in the range months read by
    day, per stream (client, plan, relationship) and day (with its range `month`): `net`
    members more (a span begins) or fewer (one ends), and `joined`, the members a span
    brings who were not covered earlier in its range month (its member's previous span
    ended before that month in the range). A change on the first of a month is the only
    one on its range month's first day."""
    cohort = CoverageCohort

    def inside(day: InstrumentedAttribute[date]) -> ColumnElement[bool]:
        return and_(day >= by_day.c.lo, day < by_day.c.hi, day > range_.first)

    joined = case((cohort.prev_hi <= by_day.c.lo, cohort.members), else_=0)
    starts = (
        scope.rows(cohort)
        .add_columns(
            cohort.lo.label("day"),
            by_day.c.month,
            cohort.members.label("net"),
            joined.label("joined"),
        )
        .join(by_day, inside(cohort.lo))
    )
    ends = (
        scope.rows(cohort)
        .add_columns(
            cohort.hi.label("day"),
            by_day.c.month,
            (-cohort.members).label("net"),
            literal(0).label("joined"),
        )
        .join(by_day, inside(cohort.hi))
    )
    return union_all(starts, ends).cte("events")


def _summed(scope: Scope, by_month: CTE) -> CTE:
    """The changes of each stream in the range months read as sums (`coverage_months`)."""
    month = CoverageMonth
    return (
        scope.rows(month)
        .add_columns(month.month, month.first_net, month.net, month.joined, month.later_days)
        .join(by_month, by_month.c.month == month.month)
        .cte("summed")
    )


def _opening(scope: Scope, range_: Range) -> CTE:
    """The members of each stream covered on the range's first day: the net of the
    months before its month (`coverage_months`), and of that month's days up to it."""
    cohort, month = CoverageCohort, CoverageMonth
    month_start = range_.first.replace(day=1)
    earlier = scope.rows(month).add_columns(month.net).where(month.month < month_start)
    began = (
        scope.rows(cohort)
        .add_columns(cohort.members.label("net"))
        .where(cohort.lo >= month_start, cohort.lo <= range_.first)
    )
    ended = (
        scope.rows(cohort)
        .add_columns((-cohort.members).label("net"))
        .where(cohort.hi >= month_start, cohort.hi <= range_.first)
    )
    nets = union_all(earlier, began, ended).subquery("nets")
    return (
        select(
            nets.c.client_id,
            nets.c.plan_id,
            nets.c.relationship,
            func.sum(nets.c.net).label("active"),
        )
        .group_by(nets.c.client_id, nets.c.plan_id, nets.c.relationship)
        .cte("opening")
    )


def _changes(events: CTE, summed: CTE, range_: Range) -> CTE:
    """Per stream and range month: the net change on its first day, after it, and the
    members joined after it. The range's first day is the opening's (so, when a month
    read as sums begins the range, its first day's change is not counted again)."""
    on_first_day = events.c.day == events.c.month
    by_day = select(
        events.c.client_id,
        events.c.plan_id,
        events.c.relationship,
        events.c.month,
        func.sum(events.c.net).filter(on_first_day).label("first_net"),
        func.sum(events.c.net).filter(~on_first_day).label("later_net"),
        func.sum(events.c.joined).filter(~on_first_day).label("joined"),
    ).group_by(events.c.client_id, events.c.plan_id, events.c.relationship, events.c.month)
    by_month = select(
        summed.c.client_id,
        summed.c.plan_id,
        summed.c.relationship,
        summed.c.month,
        case((summed.c.month == range_.first, 0), else_=summed.c.first_net).label("first_net"),
        (summed.c.net - summed.c.first_net).label("later_net"),
        summed.c.joined,
    )
    return union_all(by_day, by_month).cte("changes")


def _grid(opening: CTE, changes: CTE, months: Subquery) -> CTE:
    """Every stream and range month: `active`, the members covered on the range month's
    first day (`lo`), and `joined` after it."""
    streams = union(
        select(opening.c.client_id, opening.c.plan_id, opening.c.relationship),
        select(changes.c.client_id, changes.c.plan_id, changes.c.relationship),
    ).subquery("streams")
    stream = (streams.c.client_id, streams.c.plan_id, streams.c.relationship)
    first_net = func.coalesce(changes.c.first_net, 0)
    later_net = func.coalesce(changes.c.later_net, 0)
    so_far = func.sum(first_net + later_net).over(partition_by=stream, order_by=months.c.month)
    active = func.coalesce(opening.c.active, 0) + so_far - later_net
    return (
        select(
            *stream,
            months.c.month,
            months.c.lo,
            active.label("active"),
            func.coalesce(changes.c.joined, 0).label("joined"),
        )
        .select_from(streams)
        .join(months, true())
        .outerjoin(
            opening,
            and_(*(opening.c[c.name] == c for c in stream)),
        )
        .outerjoin(
            changes,
            and_(changes.c.month == months.c.month, *(changes.c[c.name] == c for c in stream)),
        )
        .cte("grid")
    )


def _segments(months: Subquery, versions: CTE) -> CTE:
    """Each range month cut by the plan versions in force in it: [a, b) and its premiums."""
    return (
        select(
            months.c.month,
            versions.c.plan_id,
            func.greatest(months.c.lo, versions.c.since).label("a"),
            func.least(months.c.hi, versions.c.until).label("b"),
            versions.c.premium_principal,
            versions.c.premium_spouse,
            versions.c.premium_child,
        )
        .join(versions, and_(versions.c.since < months.c.hi, versions.c.until > months.c.lo))
        .cte("segments")
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


def range_months(first: date, after: date) -> Subquery:
    """Each month the days [first, after) touch: `month` its first day, [lo, hi) its part
    of those days, `whole` whether that is all of it, and `days` its number of days. A
    row of bound values per month (not a VALUES list, whose data SQLAlchemy cannot cache:
    a statement built on it would be compiled again at every request)."""
    rows, month = [], first.replace(day=1)
    while month < after:
        following = month + timedelta(days=_days_in(month))
        lo, hi = max(month, first), min(following, after)
        rows.append(
            select(
                literal(month, Date).label("month"),
                literal(lo, Date).label("lo"),
                literal(hi, Date).label("hi"),
                literal((lo, hi) == (month, following), Boolean).label("whole"),
                literal(_days_in(month), Integer).label("days"),
            )
        )
        month = following
    return union_all(*rows).subquery("months")


def _month_of(day: SQLColumnExpression[date]) -> ColumnElement[date]:
    """The first day of `day`'s month (through `timestamp`: no time zone involved)."""
    return cast(func.date_trunc(MONTH, cast(day, DateTime)), Date)


def _round_half_up(
    premium_days: ColumnElement[Any], days: ColumnElement[Any]
) -> ColumnElement[Any]:
    # round(numeric) rounds half away from zero: half up, the amounts being positive.
    return func.round(cast(premium_days, Numeric) / days)
