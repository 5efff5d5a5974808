"""Turnarounds kept as counts of claims per whole number of hours (the summaries'
histograms), and their median and 90th percentile as `percentile_cont` would give them
over those whole hours, in days to two decimals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Numeric,
    Subquery,
    cast,
    false,
    func,
    select,
)

from core_api.reports.period import Period, month_end
from core_api.reports.sql import end_of

HOURS_A_DAY = 24
# The percentiles read, as (part, whole): the median and the 90th.
MEDIAN, P90 = (1, 2), (9, 10)


def turnarounds(hours: Subquery, *keys: str) -> Subquery:
    """The median and 90th percentile of the turnaround (in hours) per value of `keys`:
    `percentile_cont` over the claims each count of hours stands for."""
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
    ranked = select(
        *group,
        merged.c.hours,
        cast(upto, BigInteger).label("upto"),
        cast(total, BigInteger).label("n"),
    ).subquery()
    return (
        select(
            *(ranked.c[k] for k in keys),
            _percentile(ranked, *MEDIAN).label("median_hours"),
            _percentile(ranked, *P90).label("p90_hours"),
        )
        .group_by(*(ranked.c[k] for k in keys))
        .subquery()
    )


def _percentile(ranked: Subquery, part: int, whole: int) -> ColumnElement[Any]:
    """The `part`/`whole` percentile as `percentile_cont`: between the values at the ranks
    either side of r = `part` * (n - 1) / `whole`, the value at rank k being the least
    `hours` with more than k claims up to it (in integers: `whole` * upto > k * `whole`)."""
    c = ranked.c
    rank_times_whole = part * (c.n - 1)
    at_low = func.min(c.hours).filter(whole * c.upto > rank_times_whole)
    at_high = func.min(c.hours).filter(whole * c.upto > rank_times_whole + whole)
    fraction = cast(func.mod(part * (func.max(c.n) - 1), whole), Numeric) / whole
    return at_low + (func.coalesce(at_high, at_low) - at_low) * fraction


def in_days(hours: ColumnElement[Any]) -> ColumnElement[Any]:
    """Hours as days, to two decimals."""
    return cast(func.round(cast(hours, Numeric) / HOURS_A_DAY, 2), Float)


def median_days(row: Any) -> float | None:
    median = row.median_hours
    return None if median is None else float(round(Decimal(median) / HOURS_A_DAY, 2))


def in_months(month: ColumnElement[date], months: list[date]) -> ColumnElement[bool]:
    """`month` is one of `months` (consecutive, as `split_months` gives them): a range, so
    an index on it is read in one pass rather than once per month."""
    return month.between(months[0], months[-1]) if months else false()


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
