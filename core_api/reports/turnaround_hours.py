"""Turnarounds kept as counts of claims per whole number of hours (the summaries'
histograms), and their median and 90th percentile as `percentile_cont` would give them
over those whole hours, in days to two decimals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, Numeric, Subquery, cast, func, literal, select

from core_api.reports.period import Period, month_end
from core_api.reports.sql import end_of

HOURS_A_DAY = 24


def turnarounds(hours: Subquery, *keys: str) -> Subquery:
    """The median and 90th percentile of the turnaround (in days, from whole hours) per
    value of `keys`: `percentile_cont` over the claims each count of hours stands for."""
    merged = (
        select(*(hours.c[k] for k in keys), hours.c.hours, func.sum(hours.c.claims).label("n"))
        .group_by(*(hours.c[k] for k in keys), hours.c.hours)
        .having(func.sum(hours.c.claims) > 0)
        .subquery()
    )
    group = [merged.c[k] for k in keys]
    partition = group or None
    upto = func.sum(merged.c.n).over(partition_by=partition, order_by=merged.c.hours)
    total = func.sum(merged.c.n).over(partition_by=partition)
    ranked = select(*group, merged.c.hours, upto.label("upto"), total.label("n")).subquery()
    return (
        select(
            *(ranked.c[k] for k in keys),
            _percentile(ranked, Decimal("0.5")).label("median_hours"),
            _percentile(ranked, Decimal("0.9")).label("p90_hours"),
        )
        .group_by(*(ranked.c[k] for k in keys))
        .subquery()
    )


def _percentile(ranked: Subquery, fraction: Decimal) -> ColumnElement[Any]:
    """Between the values at the ranks either side of `fraction` * (n - 1), as
    `percentile_cont`: the value at rank k is the least `hours` with more than k claims
    up to it."""
    rank = literal(fraction, Numeric) * (ranked.c.n - 1)
    low = func.floor(rank)
    at_low = func.min(ranked.c.hours).filter(ranked.c.upto > low)
    at_high = func.coalesce(func.min(ranked.c.hours).filter(ranked.c.upto > low + 1), at_low)
    group_rank = literal(fraction, Numeric) * (func.max(ranked.c.n) - 1)
    return at_low + (at_high - at_low) * (group_rank - func.floor(group_rank))


def in_days(hours: ColumnElement[Any]) -> ColumnElement[Any]:
    """Hours as days, to two decimals."""
    return cast(func.round(cast(hours, Numeric) / HOURS_A_DAY, 2), Float)


def median_days(row: Any) -> float | None:
    median = row.median_hours
    return None if median is None else float(round(Decimal(median) / HOURS_A_DAY, 2))


def split_months(period: Period) -> tuple[list[date], list[tuple[date, date]]]:
    """The period as summaries by month serve it: its whole months, and the first and last
    day of each month it covers only in part. A period that ends today or later covers
    its last month whole: nothing in it is later than now."""
    now = datetime.now(UTC)
    months, parts = [], []
    for month in period.months():
        first, last = max(month, period.first), min(month_end(month), period.last)
        if first == month and (last == month_end(month) or end_of(last) > now):
            months.append(month)
        else:
            parts.append((first, last))
    return months, parts
