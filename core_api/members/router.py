"""A member's own cover: coverage, visits, providers and data; front-desk check-ins."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse

from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.kit.fields import Day
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.kit.responses import also_as, serialized
from core_api.members import checkins, export, service
from core_api.members.schemas import (
    CheckInCreate,
    CheckInRead,
    CheckInRecorded,
    CoverageRead,
    InNetworkProvider,
    MemberExport,
    VisitKind,
    VisitRead,
)
from core_api.models import ProviderType
from core_api.network.service import ProviderFilters

checkins_router = APIRouter(prefix="/check-ins", tags=["check-ins"])
member_router = APIRouter(prefix="/me", tags=["enrollee portal"])
Pages = Annotated[PageParams, Depends(page_params)]
Member = Annotated[Actor, require("me:records")]
MemberId = Annotated[
    str | None, Query(max_length=48, description="One of the family only (any other: 404).")
]


@checkins_router.post("", status_code=201, response_model=CheckInRecorded)
async def record_check_in(
    body: CheckInCreate,
    db: DbSession,
    actor: Annotated[Actor, require("eligibility:check")],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Records a visit at the front desk: runs the eligibility check for today (as
    `POST /v1/eligibility` does) and stores the visit with its verdict, eligible or not,
    and every reason. A provider records its own visits, only with HMOs it is actively
    linked to (403 `not-in-network`); HMO staff name a provider of their network. An
    unknown member is 404 `unknown-member`. Send an `Idempotency-Key` so a retry stores
    nothing new."""
    status, answer = await checkins.record(db, actor, body, idempotency_key)
    return JSONResponse(answer, status_code=status)


@checkins_router.get("", response_model=Page[CheckInRead])
async def list_check_ins(
    db: DbSession,
    actor: Annotated[Actor, require("eligibility:check", "claims:read")],
    page: Pages,
    provider_id: uuid.UUID | None = None,
    member_id: Annotated[str | None, Query(max_length=48)] = None,
    from_: Annotated[Day | None, Query(alias="from", description="First visit day.")] = None,
    to: Annotated[Day | None, Query(description="Last visit day.")] = None,
) -> Response:
    """Newest first; filter by provider, member and visit-day range. HMO staff see every
    check-in of their HMO; a provider sees its own, across the HMOs it works with."""
    filters = checkins.CheckInFilters(provider_id, member_id, from_, to)
    items, cursor = await checkins.list_check_ins(db, actor, filters, page)
    return serialized(Page[CheckInRead](items=items, next_cursor=cursor))


@member_router.get("/coverage", response_model=CoverageRead)
async def my_coverage(
    db: DbSession,
    actor: Member,
    on: Annotated[Day | None, Query(description="The day to report (default today).")] = None,
    member_id: MemberId = None,
) -> Response:
    """Enrollee portal, the coverage ticker: for the caller and (for a principal) each
    dependant, the plan, the policy year, and per benefit its period, limit, used and
    remaining amount and visits. "Used" counts APPROVED and SETTLED claim items only: it is
    the eligibility answer's balances for the same member and day."""
    return serialized(await service.coverage(db, actor, on or date.today(), member_id))


@member_router.get("/visits", response_model=Page[VisitRead])
async def my_visits(
    db: DbSession,
    actor: Member,
    page: Pages,
    member_id: MemberId = None,
    kind: VisitKind | None = None,
) -> Response:
    """Enrollee portal, visit history: the check-ins of the caller and (for a principal)
    their dependants, and the service dates of the claims filed for them, newest day
    first, each with its provider's name and `kind` (`check_in` or `claim`)."""
    items, cursor = await service.visits(db, actor, member_id, kind, page)
    return serialized(Page[VisitRead](items=items, next_cursor=cursor))


@member_router.get("/providers", response_model=Page[InNetworkProvider])
async def my_providers(
    db: DbSession,
    actor: Member,
    page: Pages,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Part of the name")
    ] = None,
    type: ProviderType | None = None,
    state: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
) -> Response:
    """Enrollee portal: the hospitals, pharmacies and labs the member's plan covers (those
    in the HMO's network), by name; search by part of the name, type and state."""
    filters = ProviderFilters(q, type, state)
    items, cursor = await service.network_providers(db, actor, filters, page)
    return serialized(Page[InNetworkProvider](items=items, next_cursor=cursor))


@member_router.get(
    "/export",
    response_model=MemberExport,
    responses=also_as("application/zip"),
)
async def export_my_data(
    db: DbSession,
    actor: Annotated[Actor, require("me:export")],
    format: Literal["json", "zip"] = "json",
) -> Response:
    """Everything held about the caller and, for a principal, their dependants: account,
    profile, card, coverage, claims with their lines, PAs, check-ins and notifications.
    No risk scores or other fraud-review data. `?format=zip`: one CSV per section, each
    with a header line. Each export is recorded in the audit log."""
    data = await export.export(db, actor, format)
    if format == "json":
        return serialized(data)
    return Response(
        export.as_zip(data),
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{export.zip_name(data)}"'},
    )
