"""SQL pieces the reports share: the period as moments, months, sums, ratios and medians."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Float,
    Numeric,
    SQLColumnExpression,
    and_,
    cast,
    func,
    literal_column,
)

from core_api.reports.base import ReportQuery

SECONDS_A_DAY = 86_400


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of(day: date) -> datetime:
    """The moment `day` ends (UTC): the start of the next."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Window:
    """The period as moments: flows fall in `start` … `end`; snapshots are taken `at`, the
    end of the period's last day or of today, whichever comes first."""

    start: datetime
    end: datetime
    at: datetime

    @classmethod
    def of(cls, query: ReportQuery) -> Window:
        return cls(
            start=start_of(query.period.first),
            end=end_of(query.period.last),
            at=end_of(min(query.period.last, query.today)),
        )

    def holds(self, moment: SQLColumnExpression[Any]) -> ColumnElement[bool]:
        return and_(moment >= self.start, moment < self.end)


def month_of(moment: SQLColumnExpression[Any]) -> ColumnElement[date]:
    """The first day of `moment`'s month in UTC (literals, so GROUP BY matches it)."""
    utc = func.timezone(literal_column("'UTC'"), moment)
    return cast(func.date_trunc(literal_column("'month'"), utc), Date)


def first_of_month(day: SQLColumnExpression[date]) -> ColumnElement[date]:
    """The first day of a date column's month (through `timestamp`: never the session's
    time zone)."""
    return cast(func.date_trunc(literal_column("'month'"), cast(day, DateTime)), Date)


def day_of(moment: SQLColumnExpression[Any]) -> ColumnElement[date]:
    """`moment`'s day in UTC."""
    return cast(func.timezone(literal_column("'UTC'"), moment), Date)


def total(
    values: SQLColumnExpression[Any], condition: ColumnElement[bool] | None = None
) -> ColumnElement[int]:
    """The sum of `values` (where `condition` holds) as an integer, 0 over no rows."""
    summed = func.sum(values) if condition is None else func.sum(values).filter(condition)
    return cast(func.coalesce(summed, 0), BigInteger)


def ratio(part: ColumnElement[Any], whole: ColumnElement[Any]) -> ColumnElement[Any]:
    """`part` ÷ `whole` as a fraction; null when `whole` is 0."""
    return cast(part, Float) / func.nullif(whole, 0)


def days_between(
    earlier: SQLColumnExpression[Any], later: SQLColumnExpression[Any]
) -> ColumnElement[Any]:
    return func.extract("epoch", later - earlier) / SECONDS_A_DAY


def median(
    values: ColumnElement[Any], places: int, condition: ColumnElement[bool] | None = None
) -> ColumnElement[float]:
    """The median of `values` (where `condition` holds), rounded; null over no rows."""
    ordered = func.percentile_cont(0.5).within_group(values)
    percentile = ordered if condition is None else ordered.filter(condition)
    return cast(func.round(cast(percentile, Numeric), places), Float)


def grouped_by(grouping: int, keys: Sequence[str]) -> str | None:
    """Which of `keys` a GROUPING SETS row was grouped by, where each set holds one of
    them (None: the set of none, the grand total). `grouping` is the row's
    `grouping(*keys)`: a bit for each key left out, the first key's the highest."""
    kept = [key for n, key in enumerate(reversed(keys)) if not grouping >> n & 1]
    return kept[0] if kept else None
