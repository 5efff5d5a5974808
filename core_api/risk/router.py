from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from core_api.auth.actor import Actor
from core_api.deps import DbSession, require
from core_api.kit.fields import Day
from core_api.kit.pagination import Page, PageParams, page_params
from core_api.risk import service
from core_api.risk.schemas import RiskEventClear, RiskEventCleared, RiskEventRead

router = APIRouter(prefix="/risk-events", tags=["fraud"])


@router.get("", response_model=Page[RiskEventRead])
async def list_risk_events(
    db: DbSession,
    actor: Annotated[Actor, require("risk:read")],
    page: Annotated[PageParams, Depends(page_params)],
    rule: Annotated[str | None, Query(max_length=40)] = None,
    claim_id: uuid.UUID | None = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Day | None = None,
    cleared: bool | None = None,
) -> Page[RiskEventRead]:
    """Every fraud/anomaly flag with its rule, weight and evidence, newest first.
    `from`/`to` bound the day the flag was raised (inclusive, UTC)."""
    filters = service.RiskEventFilters(rule, claim_id, from_, to, cleared)
    rows, cursor = await service.list_events(db, actor, filters, page)
    return Page(items=[RiskEventRead.model_validate(e) for e in rows], next_cursor=cursor)


@router.post("/{risk_event_id}/clear", response_model=RiskEventCleared)
async def clear_risk_event(
    risk_event_id: uuid.UUID,
    body: RiskEventClear,
    db: DbSession,
    actor: Annotated[Actor, require("risk:manage")],
) -> RiskEventCleared:
    """Clears a claim's flag as a false positive, with a note for the audit log: the
    claim's risk score is summed again from its other flags and it is re-ranked in the
    queue. Already cleared: 409. A pre-authorization's flags are cleared with its hold
    (`POST /v1/authorizations/{id}/clear`): 409."""
    return await service.clear(db, actor, risk_event_id, body)
