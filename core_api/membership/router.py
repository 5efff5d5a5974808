from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from core_api.auth.actor import Actor
from core_api.config import get_settings
from core_api.deps import DbSession, require
from core_api.kit.pagination import Page, PageParams, page_params, single_page
from core_api.membership import clients, enrollees, importer
from core_api.membership.schemas import (
    CardRead,
    ClientCreate,
    ClientRead,
    DependantCreate,
    EnrolleeDetail,
    EnrolleeRead,
    EnrolleeUpdate,
    ImportResult,
    PrincipalCreate,
    StatusChange,
    StatusChangeRead,
)
from core_api.models import EnrolleeStatus, Relationship
from shared.problems import ProblemError

router = APIRouter(tags=["membership"])
EnrolleeReader = Annotated[Actor, require("enrollees:read")]


@router.post("/clients", status_code=201, response_model=ClientRead)
async def create_client(
    body: ClientCreate, db: DbSession, actor: Annotated[Actor, require("clients:manage")]
) -> ClientRead:
    """`code` is the CLIENT part of its enrollees' Member IDs."""
    return ClientRead.model_validate(await clients.create_client(db, actor, body))


@router.get("/clients", response_model=Page[ClientRead])
async def list_clients(
    db: DbSession,
    _actor: Annotated[Actor, require("clients:read")],
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[ClientRead]:
    """By name, a page at a time."""
    found, cursor = await clients.list_clients(db, page)
    return Page(items=[ClientRead.model_validate(c) for c in found], next_cursor=cursor)


@router.get("/clients/{client_id}", response_model=ClientRead)
async def get_client(
    client_id: uuid.UUID, db: DbSession, _actor: Annotated[Actor, require("clients:read")]
) -> ClientRead:
    return ClientRead.model_validate(await clients.get_client(db, client_id))


@router.post("/enrollees", status_code=201, response_model=EnrolleeRead)
async def create_principal(
    body: PrincipalCreate, db: DbSession, actor: Annotated[Actor, require("enrollees:create")]
) -> EnrolleeRead:
    """Registers a principal; the answer carries its Member ID (`HMO-CLIENT-NNNNN-P`)."""
    return EnrolleeRead.model_validate(await enrollees.create_principal(db, actor, body))


@router.post(
    "/enrollees/import",
    status_code=201,
    response_model=ImportResult,
    responses={415: {"description": "The body is not `text/csv`."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def import_enrollees(
    request: Request,
    db: DbSession,
    actor: Annotated[Actor, require("enrollees:import")],
    mode: importer.ImportMode = importer.ImportMode.ALL_OR_NOTHING,
) -> ImportResult:
    """Principals and dependants from a `text/csv` body (columns in the README). With
    `all_or_nothing` any bad row refuses the file (422, `created: 0`, every error);
    `partial` writes the valid rows and lists the others' errors."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "text/csv":
        raise ProblemError("Send the file as text/csv.", status=415, type="unsupported-media-type")
    body = await request.body()
    limit = get_settings().upload_limit("enrollee-import")
    if len(body) > limit:  # the body limit (shared/uploads.py) refuses it first, as a rule
        raise ProblemError(
            f"Imports are limited to {limit} bytes.", status=413, type="payload-too-large"
        )
    return await importer.import_enrollees(db, actor, body, mode)


@router.get("/enrollees", response_model=Page[EnrolleeRead])
async def list_enrollees(
    db: DbSession,
    actor: EnrolleeReader,
    page: Annotated[PageParams, Depends(page_params)],
    client_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    status: EnrolleeStatus | None = None,
    relationship: Relationship | None = None,
    principal_id: uuid.UUID | None = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="Prefix of Member ID, name or email"),
    ] = None,
) -> Page[EnrolleeRead]:
    """Ordered by Member ID, so a family lists together."""
    filters = enrollees.EnrolleeFilters(client_id, plan_id, status, relationship, principal_id, q)
    rows, cursor = await enrollees.list_enrollees(db, actor, filters, page)
    return Page(items=[EnrolleeRead.model_validate(e) for e in rows], next_cursor=cursor)


@router.get("/enrollees/{key}", response_model=EnrolleeDetail)
async def get_enrollee(key: str, db: DbSession, actor: EnrolleeReader) -> EnrolleeDetail:
    """By id or Member ID, with dependants."""
    enrollee = await enrollees.get_enrollee(db, key, actor)
    family = await enrollees.dependants_of(db, enrollee.id)
    return EnrolleeDetail(
        **EnrolleeRead.model_validate(enrollee).model_dump(),
        dependants=[EnrolleeRead.model_validate(d) for d in family],
    )


@router.get("/enrollees/{key}/history", response_model=Page[StatusChangeRead])
async def status_history(key: str, db: DbSession, actor: EnrolleeReader) -> Page[StatusChangeRead]:
    """The lifecycle, oldest first, whole (one page, `next_cursor` always null): each
    status with the day it took effect and why."""
    enrollee = await enrollees.get_enrollee(db, key, actor)
    changes = await enrollees.status_history(db, enrollee.id)
    return single_page([StatusChangeRead.model_validate(change) for change in changes])


@router.get("/enrollees/{member_id}/card", response_model=CardRead)
async def card(member_id: str, db: DbSession, actor: EnrolleeReader) -> CardRead:
    """The digital health card."""
    return await enrollees.card(db, actor, member_id)


@router.post("/enrollees/{enrollee_id}/dependants", status_code=201, response_model=EnrolleeRead)
async def add_dependant(
    enrollee_id: uuid.UUID,
    body: DependantCreate,
    db: DbSession,
    actor: Annotated[Actor, require("enrollees:create")],
) -> EnrolleeRead:
    """A spouse gets `-S`, children `-C1`, `-C2`…, under the principal's number."""
    return EnrolleeRead.model_validate(await enrollees.add_dependant(db, actor, enrollee_id, body))


@router.patch("/enrollees/{enrollee_id}", response_model=EnrolleeRead)
async def update_enrollee(
    enrollee_id: uuid.UUID,
    body: EnrolleeUpdate,
    db: DbSession,
    actor: Annotated[Actor, require("enrollees:update")],
) -> EnrolleeRead:
    return EnrolleeRead.model_validate(
        await enrollees.update_enrollee(db, actor, enrollee_id, body)
    )


@router.post("/enrollees/{enrollee_id}/status", response_model=EnrolleeRead)
async def change_status(
    enrollee_id: uuid.UUID,
    body: StatusChange,
    db: DbSession,
    actor: Annotated[Actor, require("enrollees:lifecycle")],
) -> EnrolleeRead:
    """ACTIVE ⇄ SUSPENDED, either → TERMINATED (final). A principal's suspension or
    termination applies to the dependants too."""
    return EnrolleeRead.model_validate(await enrollees.change_status(db, actor, enrollee_id, body))
