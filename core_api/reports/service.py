"""Reading a report: the registry of reports and the answer put together."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core_api.db import tenant_transaction
from core_api.errors import NotFound
from core_api.kit.pagination import PageParams
from core_api.models import Plan
from core_api.reports.authorisation import Authorisation
from core_api.reports.base import Report, ReportQuery, plain
from core_api.reports.claims_aging import ClaimsAging
from core_api.reports.enrollee_coverage import EnrolleeCoverage
from core_api.reports.fraud_anomaly import FraudAnomaly
from core_api.reports.loss_ratio import LossRatio
from core_api.reports.period import Period
from core_api.reports.provider_performance import ProviderPerformance
from core_api.reports.schemas import Kpi, PeriodRead, ReportRead
from core_api.reports.settlement_summary import SettlementSummary
from core_api.reports.table import Ordered, rows_page
from core_api.reports.utilisation import Utilisation

ReportName = Literal[
    "loss-ratio",
    "utilisation",
    "provider-performance",
    "claims-aging",
    "settlement-summary",
    "fraud-anomaly",
    "authorisation",
    "enrollee-coverage",
]
REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        LossRatio(),
        Utilisation(),
        ClaimsAging(),
        ProviderPerformance(),
        FraudAnomaly(),
        SettlementSummary(),
        Authorisation(),
        EnrolleeCoverage(),
    )
}
DEFAULT_CURRENCY = "NGN"
REPORT_WORK_MEM = "64MB"


def report_named(name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        raise NotFound(f"The {name} report is not available yet.")
    return report


async def tenant_currency(db: AsyncSession) -> str:
    """The currency of most of the tenant's plans: the one its reports are in by default."""
    found = await db.scalar(
        select(Plan.currency).group_by(Plan.currency).order_by(func.count().desc()).limit(1)
    )
    return found or DEFAULT_CURRENCY


async def for_reports(db: AsyncSession) -> None:
    """The transaction's planner settings for a report's few large aggregates: no JIT (its
    compile time cost more than it saved, up to seconds a statement) and room to sort the
    percentiles in memory."""
    await db.execute(text("SET LOCAL jit = off"))
    await db.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


@asynccontextmanager
async def report_transaction(
    factory: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> AsyncIterator[AsyncSession]:
    """A transaction of its own in the tenant, for a report read outside the request (CSV)."""
    async with tenant_transaction(factory, tenant_id) as db:
        await for_reports(db)
        yield db


async def read_report(
    db: AsyncSession, report: Report, query: ReportQuery, ordered: Ordered, page: PageParams
) -> ReportRead:
    await for_reports(db)
    previous = query.for_period(query.period.previous())
    now_values = await report.kpi_values(db, query)
    before_values = await report.kpi_values(db, previous)
    trend, breakdown = await report.charts(db, query)
    rows = await rows_page(db, ordered, page)
    return ReportRead(
        name=report.name,
        title=report.title,
        period=_period(query.period),
        previous_period=_period(previous.period),
        currency=query.currency,
        filters=query.filters.given(),
        as_of=datetime.now(UTC),
        kpis=[
            Kpi(
                key=s.key,
                label=s.label,
                unit=s.unit,
                value=_number(now_values.get(s.key)),
                previous=_number(before_values.get(s.key)),
            )
            for s in report.kpis
        ],
        trend=trend,
        breakdown=breakdown,
        rows=rows,
    )


def _period(period: Period) -> PeriodRead:
    return PeriodRead.model_validate({"from": period.first, "to": period.last})


def _number(value: object) -> int | float | None:
    plain_value = plain(value)
    if plain_value is None or isinstance(plain_value, int | float):
        return plain_value
    raise TypeError(f"a KPI is a number, not {plain_value!r}")
