from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Select, select

from core_api.audit import service
from core_api.audit.schemas import AuditEventRead, ChainVerdictRead
from core_api.auth.actor import Actor
from core_api.db import tenant_transaction
from core_api.deps import DbSession, require
from core_api.kit.pagination import By, Keyset, Page, PageParams, page_params
from core_api.kit.responses import also_as
from core_api.models import AuditEvent

router = APIRouter(prefix="/audit-events", tags=["audit"])

CSV_COLUMNS = [
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "ip",
    "details",
    "prev_hash",
    "hash",
]
CSV_BATCH = 1000


class AuditFilters:
    def __init__(
        self,
        action: Annotated[str | None, Query(max_length=80)] = None,
        object_type: Annotated[str | None, Query(max_length=60)] = None,
        object_id: Annotated[str | None, Query(max_length=80)] = None,
        actor_id: uuid.UUID | None = None,
        from_: Annotated[datetime | None, Query(alias="from")] = None,
        to: datetime | None = None,
    ) -> None:
        self.action, self.object_type, self.object_id = action, object_type, object_id
        self.actor_id, self.from_, self.to = actor_id, from_, to

    def apply(self, query: Select[AuditEvent]) -> Select[AuditEvent]:
        if self.action is not None:
            query = query.where(AuditEvent.action == self.action)
        if self.object_type is not None:
            query = query.where(AuditEvent.object_type == self.object_type)
        if self.object_id is not None:
            query = query.where(AuditEvent.object_id == self.object_id)
        if self.actor_id is not None:
            query = query.where(AuditEvent.actor_id == self.actor_id)
        if self.from_ is not None:
            query = query.where(AuditEvent.occurred_at >= self.from_)
        if self.to is not None:
            query = query.where(AuditEvent.occurred_at < self.to)
        return query


NEWEST_FIRST = Keyset(By(AuditEvent.seq, int, descending=True))


@router.get("", response_model=Page[AuditEventRead], responses=also_as("text/csv"))
async def list_audit_events(
    request: Request,
    db: DbSession,
    filters: Annotated[AuditFilters, Depends()],
    page: Annotated[PageParams, Depends(page_params)],
    actor: Annotated[Actor, require("audit:read")],
    format: Literal["json", "csv"] = "json",
) -> Page[AuditEventRead] | StreamingResponse:
    """Newest first. `?format=csv` streams every matching entry, oldest first."""
    if format == "csv":
        return StreamingResponse(
            _csv_rows(request, actor, filters),
            media_type="text/csv",
            headers={"content-disposition": 'attachment; filename="audit-events.csv"'},
        )
    rows = (await db.scalars(NEWEST_FIRST.apply(filters.apply(select(AuditEvent)), page))).all()
    items, cursor = NEWEST_FIRST.page(rows, page.limit)
    return Page(items=[AuditEventRead.model_validate(e) for e in items], next_cursor=cursor)


async def _csv_rows(request: Request, actor: Actor, filters: AuditFilters) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    after = 0
    factory = request.app.state.session_factory
    while True:
        async with tenant_transaction(factory, actor.require_tenant()) as db:
            batch = (
                await db.scalars(
                    filters.apply(select(AuditEvent))
                    .where(AuditEvent.seq > after)
                    .order_by(AuditEvent.seq)
                    .limit(CSV_BATCH)
                )
            ).all()
        for e in batch:
            writer.writerow(
                [
                    e.seq,
                    e.occurred_at.isoformat(),
                    e.actor_type,
                    e.actor_id or "",
                    e.actor_label,
                    e.action,
                    e.object_type,
                    e.object_id or "",
                    e.request_id or "",
                    e.ip or "",
                    json.dumps(e.details, sort_keys=True),
                    e.prev_hash,
                    e.hash,
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(batch) < CSV_BATCH:
            return
        after = batch[-1].seq


@router.get("/verify", response_model=ChainVerdictRead)
async def verify(
    db: DbSession, actor: Annotated[Actor, require("audit:verify")]
) -> ChainVerdictRead:
    """Recomputes the tenant's hash chain; reports the first entry that was altered or removed."""
    verdict = await service.verify_chain(db, actor.require_tenant())
    return ChainVerdictRead(
        ok=verdict.ok,
        checked=verdict.checked,
        first_bad_seq=verdict.first_bad_seq,
        reason=verdict.reason,
    )
