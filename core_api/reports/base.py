"""What a report is: its filters, its KPIs for a period, its charts and its table.

A report module defines one `Report` subclass and registers it (`registry.py`). The
framework here and in `table.py` does the rest once for all of them: the period and the
period before, the filters a report takes (any other is a 422 naming it), the KPIs for
both periods, the answer's shape, and the table's paging, sorting and CSV.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.errors import Invalid
from core_api.reports.period import Period
from core_api.reports.schemas import Breakdown, Column, Series, Trend, Unit, Value


@dataclass(frozen=True, slots=True)
class ReportFilters:
    """Every filter a report may take; each report names those it accepts."""

    client_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    category: str | None = None
    status: str | None = None
    urgency: str | None = None
    rule: str | None = None

    def given(self) -> dict[str, str]:
        return {f.name: str(v) for f in fields(self) if (v := getattr(self, f.name)) is not None}


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """One request for a report: whose data, which days, which filters, which currency."""

    tenant_id: uuid.UUID
    period: Period
    filters: ReportFilters
    currency: str
    today: date

    def for_period(self, period: Period) -> ReportQuery:
        return replace(self, period=period)


Figures = Mapping[str, int | float | Decimal | None]


class Report(abc.ABC):
    """One report. Class attributes describe it; the methods read the figures.

    `table()` is a SELECT whose columns are labelled with the `columns` keys, plus a
    `row_key` text column unique per row (the tie-breaker of every order)."""

    name: ClassVar[str]
    title: ClassVar[str]
    #: The `ReportFilters` fields this report applies; any other given is refused.
    accepts: ClassVar[frozenset[str]] = frozenset()
    #: The values a filter takes when it takes only some (a status); any other is a 422.
    values: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    kpis: ClassVar[tuple[Series, ...]]
    columns: ClassVar[tuple[Column, ...]]
    default_sort: ClassVar[str]

    def check(self, filters: ReportFilters) -> None:
        """Refuses a filter this report does not take, or a value `values` does not list."""
        for given, value in filters.given().items():
            if given not in self.accepts:
                takes = ", ".join(sorted(self.accepts)) or "none"
                raise Invalid(
                    given, f"The {self.name} report has no `{given}` filter (it takes: {takes})."
                )
            allowed = self.values.get(given)
            if allowed is not None and value not in allowed:
                raise Invalid(given, f"`{given}` is one of {', '.join(allowed)}.")

    @abc.abstractmethod
    async def kpi_values(self, db: AsyncSession, query: ReportQuery) -> Figures:
        """A value for each of `kpis`, over `query.period` (run again for the period before)."""

    @abc.abstractmethod
    async def charts(self, db: AsyncSession, query: ReportQuery) -> tuple[Trend, list[Breakdown]]:
        """The monthly trend and the breakdowns over `query.period`."""

    @abc.abstractmethod
    def table(self, query: ReportQuery) -> Select[Any]:
        """The rows, unordered (the framework orders and pages them)."""


def plain(value: Any) -> Value:
    """A figure as JSON carries it: a database `numeric` becomes an int when whole."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value  # type: ignore[no-any-return]


_NOTHING: dict[Unit, Value] = {
    Unit.COUNT: 0,
    Unit.MONEY: 0,
    Unit.RATIO: None,
    Unit.RATE: None,
    Unit.DAYS: None,
}


def monthly_points(
    months: list[date], by_month: Mapping[date, Mapping[str, Any]], series: tuple[Series, ...]
) -> list[dict[str, Value]]:
    """One point per month (`month` as YYYY-MM). A month with no figures has 0 in counts
    and amounts, null in ratios, rates and durations (nothing to divide)."""
    points: list[dict[str, Value]] = []
    for month in months:
        found = by_month.get(month, {})
        point: dict[str, Value] = {"month": month.strftime("%Y-%m")}
        for s in series:
            point[s.key] = plain(found.get(s.key, _NOTHING[s.unit]))
        points.append(point)
    return points
