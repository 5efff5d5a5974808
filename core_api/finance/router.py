from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Response, UploadFile
from pydantic import BeforeValidator

from core_api.auth.actor import Actor
from core_api.claims import queries
from core_api.deps import DbSession, require
from core_api.finance import remittances, service, statement
from core_api.finance.schemas import (
    RemittanceRead,
    RemittanceSummary,
    RunCreate,
    RunDetail,
    RunRead,
)
from core_api.kit.fields import PaymentDate, PositiveTotal, Text
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.kit.responses import a_file, also_as
from core_api.models.finance import RemittanceStatus, RunStatus

router = APIRouter(prefix="/settlement-runs", tags=["finance"])
remittances_router = APIRouter(prefix="/remittances", tags=["finance"])
Reader = Annotated[Actor, require("settlements:read")]


def _digits(value: object) -> object:
    """A form field is text: only plain digits are minor units (`1500.50`, `1e3`, `1_000`
    or `1500.0` are refused, never rounded or read otherwise)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number of minor units (digits only)")
    return value


# A payment is a total, bounded like a claim's (a remittance is paid in parts if ever larger).
FormAmount = Annotated[PositiveTotal, BeforeValidator(_digits)]


@router.post("", status_code=201, response_model=RunDetail)
async def create_run(
    body: RunCreate, db: DbSession, actor: Annotated[Actor, require("settlements:create")]
) -> RunDetail:
    """Gathers the APPROVED claims served in the period (of one provider if named) that are
    in no live run, one remittance per provider. A claim is never in two live runs."""
    return await service.create_run(db, actor, body)


@router.get("", response_model=Page[RunRead])
async def list_runs(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    status: RunStatus | None = None,
) -> Page[RunRead]:
    """Newest first, optionally of one status; pass `next_cursor` as `cursor` for more."""
    runs, cursor = await service.list_runs(db, actor, status, page)
    return Page(items=runs, next_cursor=cursor)


@router.get("/{run_id}", response_model=RunDetail)
async def get_run(run_id: uuid.UUID, db: DbSession, actor: Reader) -> RunDetail:
    return await service.detail(db, actor, run_id)


@router.post("/{run_id}/approve", response_model=RunDetail)
async def approve_run(
    run_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, require("settlements:approve")]
) -> RunDetail:
    """Within the approver's settlement approval limit; above it → 403 naming the limit."""
    return await service.approve(db, actor, run_id)


@router.post("/{run_id}/cancel", response_model=RunDetail)
async def cancel_run(
    run_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, require("settlements:create")]
) -> RunDetail:
    """DRAFT or APPROVED runs only; their claims are released for a later run."""
    return await service.cancel(db, actor, run_id)


@remittances_router.get("", response_model=Page[RemittanceSummary])
async def list_remittances(
    db: DbSession,
    actor: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    run_id: uuid.UUID | None = None,
    status: RemittanceStatus | None = None,
    provider_id: uuid.UUID | None = None,
    hmo_id: Annotated[
        uuid.UUID | None, Query(description="A provider's: those of the HMO that pays them.")
    ] = None,
) -> Page[RemittanceSummary]:
    """Newest first. HMO staff see their HMO's; a provider sees its own from every HMO."""
    filters = remittances.RemittanceFilters(run_id, status, provider_id, hmo_id)
    rows, cursor = await remittances.list_remittances(db, actor, filters, page)
    return Page(items=await service.remittance_summaries(db, rows), next_cursor=cursor)


# Printable remittance advice: styles inline, nothing else may load or run.
HTML_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    "x-content-type-options": "nosniff",
}


@remittances_router.get(
    "/{remittance_id}", response_model=RemittanceRead, responses=also_as("text/csv", "text/html")
)
async def get_remittance(
    remittance_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    format: Literal["json", "csv", "html"] = "json",
) -> RemittanceRead | Response:
    """The HMO's remittance, or the provider's own. `?format=csv`: claim number, member,
    service date, billed, approved, paid, dispute number (adjustment lines);
    `?format=html`: the same lines as a printable remittance advice with totals."""
    remittance = await service.load_remittance(db, actor, remittance_id)
    if format == "csv":
        return Response(
            statement.render_csv(await statement.statement_rows(db, remittance)),
            media_type="text/csv",
            headers={
                "content-disposition": f'attachment; filename="remittance-{remittance.id}.csv"'
            },
        )
    if format == "html":
        return Response(
            statement.render_html(await statement.statement(db, remittance)),
            media_type="text/html",
            headers=HTML_HEADERS,
        )
    return await service.remittance_read(db, remittance)


@remittances_router.get(
    "/{remittance_id}/payment-proofs/{proof_id}/file",
    response_class=Response,
    responses=a_file(queries.ALLOWED_TYPES),
)
async def payment_proof_file(
    remittance_id: uuid.UUID, proof_id: uuid.UUID, db: DbSession, actor: Reader
) -> Response:
    """The proof as uploaded (decrypted), as an attachment with its original name."""
    return await remittances.proof_file(db, actor, remittance_id, proof_id)


@remittances_router.post(
    "/{remittance_id}/payment-proofs", status_code=201, response_model=RemittanceRead
)
async def record_payment(
    remittance_id: uuid.UUID,
    file: UploadFile,
    db: DbSession,
    actor: Annotated[Actor, require("payments:record")],
    reference: Annotated[Text | None, Form()] = None,
    amount: Annotated[FormAmount | None, Form()] = None,
    paid_on: Annotated[PaymentDate | None, Form()] = None,
) -> RemittanceRead:
    """Multipart: `file` (the proof, stored encrypted, up to `VETRA_MAX_ATTACHMENT_BYTES`)
    with `reference`, `amount` (integer minor units, as in JSON bodies) and `paid_on` (not
    in the future). The provider is told of each payment.
    Fully paid: its claims become SETTLED; the run becomes PAID when all its remittances are."""
    data = await queries.read_upload(file, "payment-proof")
    return await service.record_payment(
        db,
        actor,
        remittance_id,
        reference=reference,
        amount=amount,
        paid_on=paid_on,
        filename=file.filename or "proof",
        content_type=file.content_type or "",
        data=data,
    )
