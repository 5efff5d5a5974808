"""Moving test data into the past for the report tests: a claim's or a PA's whole history
(its times, its events, its flags) moves back by one offset so it stays consistent; a
claim's decision may move back less, so it was decided that much later."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.db import superuser

_CLAIMS = (
    "update claims set created_at = created_at - make_interval(secs => :back),"
    " received_at = received_at - make_interval(secs => :back),"
    " assigned_at = assigned_at - make_interval(secs => :back),"
    " decided_at = decided_at - make_interval(secs => :decided),"
    " settled_at = settled_at - make_interval(secs => :decided)"
    " where id = cast(:id as uuid)",
    "update claim_events set created_at = created_at - make_interval(secs =>"
    " case when to_status in ('APPROVED', 'REJECTED', 'SETTLED')"
    " then cast(:decided as float8) else cast(:back as float8) end)"
    " where claim_id = cast(:id as uuid)",
    "update claim_items set created_at = created_at - make_interval(secs => :back)"
    " where claim_id = cast(:id as uuid)",
    "update claim_queries set created_at = created_at - make_interval(secs => :back)"
    " where claim_id = cast(:id as uuid)",
    "update risk_events set created_at = created_at - make_interval(secs => :back),"
    " cleared_at = cleared_at - make_interval(secs => :back) where claim_id = cast(:id as uuid)",
)
_AUTHORIZATIONS = (
    "update authorizations set created_at = created_at - make_interval(secs => :back),"
    " sla_due_at = sla_due_at - make_interval(secs => :back),"
    " decided_at = decided_at - make_interval(secs => :back),"
    " used_at = used_at - make_interval(secs => :back),"
    " reported_at = reported_at - make_interval(secs => :back),"
    " hold_cleared_at = hold_cleared_at - make_interval(secs => :back)"
    " where id = cast(:id as uuid)",
    "update pa_events set created_at = created_at - make_interval(secs => :back)"
    " where authorization_id = cast(:id as uuid)",
    "update risk_events set created_at = created_at - make_interval(secs => :back),"
    " cleared_at = cleared_at - make_interval(secs => :back)"
    " where authorization_id = cast(:id as uuid)",
)


async def move_back(
    claims: dict[str, tuple[timedelta, timedelta]],
    authorizations: dict[str, timedelta] | None = None,
) -> None:
    """Each claim by its `(back, wait)`: everything `back` into the past but its decision
    (and settlement), which then came `wait` after; each PA (by id) wholly by its offset."""
    async with superuser() as db:
        for claim_id, (back, wait) in claims.items():
            params = {
                "id": claim_id,
                "back": back.total_seconds(),
                "decided": (back - wait).total_seconds(),
            }
            for sql in _CLAIMS:
                await db.execute(text(sql), params)
        for pa_id, back in (authorizations or {}).items():
            for sql in _AUTHORIZATIONS:
                await db.execute(text(sql), {"id": pa_id, "back": back.total_seconds()})
