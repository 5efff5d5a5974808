"""Platform billing: tier schedules (platform key), the fee ledger and invoices."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from core_api.auth.actor import Actor
from core_api.billing import service
from core_api.billing.schemas import (
    FeeRead,
    Invoice,
    InvoiceStatus,
    TierSchedule,
    TierScheduleIn,
)
from core_api.deps import DbSession, require
from core_api.kit.fields import Day, Month
from core_api.kit.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/billing", tags=["billing"])

MonthParam = Annotated[Month | None, Query()]
TenantParam = Annotated[
    uuid.UUID | None,
    Query(description="Platform key: the HMO to read or change. Staff: their own, or omit."),
]
Operator = Annotated[Actor, require("platform:billing")]


# Tenant staff read their own tenant's fees; the platform key reads any tenant's.
Reader = Annotated[Actor, require("billing:read", service.PLATFORM_BILLING)]


@router.get("/tiers", response_model=TierSchedule)
async def get_tiers(db: DbSession, actor: Operator, tenant_id: TenantParam = None) -> TierSchedule:
    """The default schedule, or with `tenant_id` the schedule that prices that tenant's
    claims (`source` says whether it is the tenant's override or the default)."""
    return await service.get_schedule(db, tenant_id)


@router.put("/tiers", response_model=TierSchedule)
async def put_tiers(
    body: TierScheduleIn, db: DbSession, actor: Operator, tenant_id: TenantParam = None
) -> TierSchedule:
    """Replaces the default schedule, or with `tenant_id` that tenant's override (audited in
    its chain). `{"tiers": []}` removes the override (or resets the default to the built-in
    fee). Tiers ascend from `min_monthly_claims` 0; fees are positive. Fees already charged
    never change."""
    return await service.replace_schedule(db, actor, tenant_id, body.tiers)


@router.get("/fees", response_model=Page[FeeRead])
async def list_fees(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    tenant_id: TenantParam = None,
    month: MonthParam = None,
    from_: Annotated[Day | None, Query(alias="from", description="charged on or after")] = None,
    to: Annotated[Day | None, Query(description="charged on or before")] = None,
    tier: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[FeeRead]:
    """The fee ledger, newest first: one row per claim received (the platform key names the
    tenant). Filters: invoice `month`, charge-date range `from`/`to`, `tier`."""
    tenant = await service.billed_tenant(db, actor, tenant_id)
    filters = service.FeeFilters(month, from_, to, tier)
    rows, cursor = await service.list_fees(db, tenant, filters, page)
    return Page(items=rows, next_cursor=cursor)


@router.get("/invoices", response_model=Page[Invoice])
async def list_invoices(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    tenant_id: TenantParam = None,
    month: MonthParam = None,
    from_: Annotated[Month | None, Query(alias="from")] = None,
    to: Annotated[Month | None, Query()] = None,
    status: InvoiceStatus | None = None,
) -> Page[Invoice]:
    """Monthly invoices (one per tenant, month and currency), newest month first: OPEN for
    the current month, ISSUED for past ones; lines by tier and unit fee, the total their sum.
    The platform key sees every HMO, or the one `tenant_id` names."""
    filters = service.InvoiceFilters(month, from_, to, status)
    rows, cursor = await service.list_invoices(db, actor, tenant_id, filters, page)
    return Page(items=rows, next_cursor=cursor)
