"""Filter conditions that several lists share."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, SQLColumnExpression


def on_days(
    moment: SQLColumnExpression[datetime], first: date | None, last: date | None
) -> list[ColumnElement[bool]]:
    """`moment` (a timestamp) falls on the days `first` … `last`, both included, in UTC;
    an open end is no condition."""
    conditions = []
    if first is not None:
        conditions.append(moment >= _start_of(first))
    if last is not None:
        conditions.append(moment < _start_of(last + timedelta(days=1)))
    return conditions


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
