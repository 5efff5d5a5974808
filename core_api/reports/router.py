from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from core_api.auth.actor import Actor
from core_api.deps import DbSession, demand, require
from core_api.kit.pagination import Page, PageParams, page_params, single_page
from core_api.kit.responses import also_as, serialized
from core_api.reports import dashboard, service
from core_api.reports.base import ReportFilters, ReportQuery
from core_api.reports.dashboard_schemas import DashboardRead
from core_api.reports.period import BOUND_NOTE, BOUND_PATTERN, report_period
from core_api.reports.schemas import ReportEntryRead, ReportFilterRead, ReportRead
from core_api.reports.service import ReportName
from core_api.reports.table import Ordered, csv_lines

reports_router = APIRouter(prefix="/reports", tags=["reports"])
dashboard_router = APIRouter(prefix="/dashboard", tags=["reports"])

PeriodBound = Annotated[str | None, Query(pattern=BOUND_PATTERN, description=BOUND_NOTE)]


def report_filters(
    client_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
    category: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    status: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    urgency: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    rule: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
) -> ReportFilters:
    return ReportFilters(client_id, plan_id, provider_id, category, status, urgency, rule)


SUMMARIES = {
    "loss-ratio": "earned premium, incurred claims, capitation, loss ratio",
    "utilisation": "members served, claims and visits per 1,000 members, cost per member",
    "provider-performance": "per provider volumes, approval, turnaround, queries, risk",
    "claims-aging": "open claims by age since received and by status, past the claim SLA",
    "settlement-summary": "runs, remittances, paid and outstanding, disputes",
    "fraud-anomaly": "risk events by rule, provider, procedure and member; confirmed",
    "authorisation": "PAs by urgency and status, within SLA, auto-approved, appeals",
    "enrollee-coverage": "members by client, plan and status; benefit limits used",
}
READ_REPORT = """A report over a period (`from`/`to`: months or days, by default the last twelve
months): `kpis` each with its value for the period before, a monthly `trend`, the
`breakdown`s and a page of `rows` (sortable by any column). Each report takes the
filters listed with it; any other is a 422 naming it. `?format=csv` streams every row
that matches, a header line first (needs `reports:export`).

""" + "\n".join(
    f"- `{name}`: {summary}. Filters: {', '.join(sorted(service.REPORTS[name].accepts))}."
    for name, summary in SUMMARIES.items()
)


FILTER_ORDER = ("client_id", "plan_id", "provider_id", "category", "status", "urgency", "rule")


def _entry(name: str, summary: str) -> ReportEntryRead:
    report = service.REPORTS[name]
    filters = [
        ReportFilterRead(name=f, values=list(report.values[f]) if f in report.values else None)
        for f in FILTER_ORDER
        if f in report.accepts
    ]
    return ReportEntryRead(name=name, title=report.title, summary=summary, filters=filters)


@reports_router.get("", response_model=Page[ReportEntryRead])
async def list_reports(_actor: Annotated[Actor, require("reports:read")]) -> Page[ReportEntryRead]:
    """The reports, each with the filters it takes (and their values when only some), whole:
    one page, `next_cursor` always null. A screen offers exactly these."""
    return single_page([_entry(name, summary) for name, summary in SUMMARIES.items()])


@reports_router.get(
    "/{name}", response_model=ReportRead, responses=also_as("text/csv"), description=READ_REPORT
)
async def read_report(
    name: ReportName,
    request: Request,
    db: DbSession,
    actor: Annotated[Actor, require("reports:read")],
    filters: Annotated[ReportFilters, Depends(report_filters)],
    page: Annotated[PageParams, Depends(page_params)],
    from_: Annotated[PeriodBound, Query(alias="from")] = None,
    to: PeriodBound = None,
    sort: Annotated[
        str | None,
        Query(max_length=64, description="A column key of `rows`; `-key` for descending."),
    ] = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    report = service.report_named(name)
    report.check(filters)
    if format == "csv":
        demand(actor, "reports:export")
    tenant = actor.require_tenant()
    query = ReportQuery(
        tenant_id=tenant,
        period=report_period(from_, to, date.today()),
        filters=filters,
        currency=currency or await service.tenant_currency(db),
        today=date.today(),
    )
    ordered = Ordered(report, query, sort)
    if format == "csv":
        factory = request.app.state.session_factory
        return StreamingResponse(
            csv_lines(lambda: service.report_transaction(factory, tenant), ordered),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="{name}.csv"'},
        )
    return serialized(await service.read_report(db, report, query, ordered, page))


@dashboard_router.get("", response_model=DashboardRead)
async def read_dashboard(
    db: DbSession, actor: Annotated[Actor, require("reports:read")]
) -> Response:
    """The HMO portal's headline figures in one answer: claims received this month and
    last, this month's settlement runs, the loss ratio of the year so far, open fraud
    flags, the claims queue with the claims past the claim SLA, and the PAs awaiting a
    decision per urgency with the next due time. Each figure a report also shows is that
    report's own (`loss-ratio`, `claims-aging`, `fraud-anomaly`)."""
    return serialized(await dashboard.read(db, actor.require_tenant()))
