"""`GET /v1/search?q=`: the portal's global search box. A member ID, a claim number, a PA
number or an auth code, matched exactly (case aside); a member ID's first parts (without
the relationship suffix) also find the family. Only kinds the caller may read are searched.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.deps import DbSession, authenticated
from core_api.models import Enrollee
from core_api.models.authorization import Authorization
from core_api.models.claim import Claim

router = APIRouter(prefix="/search", tags=["search"])
MATCHES_PER_KIND = 10


class SearchHit(BaseModel):
    kind: Literal["enrollee", "claim", "authorization"]
    id: uuid.UUID
    label: str
    detail: str


class SearchAnswer(BaseModel):
    items: list[SearchHit]


async def _enrollees(db: AsyncSession, term: str) -> list[SearchHit]:
    family = or_(Enrollee.member_id == term, Enrollee.member_id.startswith(term + "-"))
    found = await db.scalars(
        select(Enrollee).where(family).order_by(Enrollee.member_id).limit(MATCHES_PER_KIND)
    )
    return [
        SearchHit(
            kind="enrollee",
            id=e.id,
            label=e.member_id,
            detail=f"{e.first_name} {e.last_name} · {e.status.value.lower()}",
        )
        for e in found
    ]


async def _claims(db: AsyncSession, term: str) -> list[SearchHit]:
    found = await db.scalars(select(Claim).where(Claim.number == term).limit(MATCHES_PER_KIND))
    return [
        SearchHit(kind="claim", id=c.id, label=c.number, detail=f"{c.member_id} · {c.status.value}")
        for c in found
    ]


async def _authorizations(db: AsyncSession, term: str) -> list[SearchHit]:
    matching = or_(Authorization.number == term, Authorization.auth_code == term)
    found = await db.scalars(select(Authorization).where(matching).limit(MATCHES_PER_KIND))
    return [
        SearchHit(
            kind="authorization",
            id=a.id,
            label=a.number,
            detail=f"{a.member_id} · {a.status.value}",
        )
        for a in found
    ]


SEARCHES = (
    ("enrollees:read", _enrollees),
    ("claims:read", _claims),
    ("authorizations:read", _authorizations),
)


@router.get("", response_model=SearchAnswer)
async def search(
    db: DbSession,
    actor: Annotated[Actor, authenticated()],
    q: Annotated[str, Query(min_length=2, max_length=60, description="What was typed")],
) -> SearchAnswer:
    """Exact matches of what was typed, by kind, each kind only with its read permission."""
    term = q.strip().upper()
    hits: list[SearchHit] = []
    for permission, find in SEARCHES:
        if permission in actor.permissions:
            hits += await find(db, term)
    return SearchAnswer(items=hits)
