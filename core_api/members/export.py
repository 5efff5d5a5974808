"""`GET /v1/me/export`: everything held about the caller, as JSON or a zip of CSVs.

Every section is read through the enrollee portal's own views (`/v1/me/claims`,
`/v1/me/authorizations`, coverage, visits, notifications), so the export holds exactly
what those show the caller and nothing of the HMO's fraud review.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access import service as access
from core_api.access.schemas import UserRead
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.authorizations import service as authorizations
from core_api.authorizations.schemas import MemberAuthorizationRead
from core_api.claims import service as claims
from core_api.claims.schemas import ClaimSummary
from core_api.kit.pagination import MAX_LIMIT, PageParams
from core_api.kit.spreadsheet import inert
from core_api.members import service
from core_api.members.schemas import (
    BalanceRow,
    ClaimLineRow,
    CoverageRead,
    MemberExport,
    MemberProfile,
    VisitKind,
    VisitRead,
)
from core_api.membership import enrollees
from core_api.membership.schemas import CardRead
from core_api.models import UserKind
from core_api.models.base import utcnow
from core_api.notifications import service as notifications
from core_api.notifications.schemas import NotificationRead

T = TypeVar("T")
Fetch = Callable[[PageParams], Awaitable[tuple[list[T], str | None]]]


async def every_page(fetch: Fetch[T]) -> list[T]:
    """Every item of a paged list, read a page at a time in its own order."""
    items: list[T] = []
    cursor: str | None = None
    while True:
        found, cursor = await fetch(PageParams(limit=MAX_LIMIT, cursor=cursor))
        items += found
        if cursor is None:
            return items


async def export(db: AsyncSession, actor: Actor, format: str) -> MemberExport:
    """The caller's data; one audit entry says who exported what. A login that is no
    enrollee's (staff, provider, client users) has its account and notifications only."""
    account = await access.get_user(db, actor.user_id) if actor.user_id else None
    data = MemberExport(
        exported_at=utcnow(),
        account=UserRead.model_validate(account) if account else None,
        profile=[],
        cards=[],
        coverage=None,
        claims=[],
        authorizations=[],
        visits=[],
        notifications=await _notifications(db, actor),
    )
    if actor.user_kind is UserKind.ENROLLEE and actor.enrollee_id is not None:
        data = await _with_membership(db, actor, data)
    await audit.record(
        db,
        actor,
        "me.exported",
        "user" if actor.user_id else "api_key",
        actor.id,
        details={"format": format, "members": [p.member_id for p in data.profile]},
    )
    return data


async def _notifications(db: AsyncSession, actor: Actor) -> list[NotificationRead]:
    user_id = actor.user_id
    if user_id is None:
        return []
    rows = await every_page(
        lambda page: notifications.list_for_user(db, user_id, page, unread_only=False)
    )
    return [NotificationRead.model_validate(n) for n in rows]


async def _with_membership(db: AsyncSession, actor: Actor, data: MemberExport) -> MemberExport:
    family = await service.family(db, actor)
    return data.model_copy(
        update={
            "profile": [MemberProfile.model_validate(m) for m in family],
            "cards": [await enrollees.card(db, actor, m.member_id) for m in family],
            "coverage": await service.coverage(db, actor, date.today()),
            "claims": await every_page(
                lambda page: claims.list_member_claims(db, actor, None, None, page)
            ),
            "authorizations": await every_page(
                lambda page: authorizations.list_member_authorizations(db, actor, None, None, page)
            ),
            "visits": await every_page(
                lambda page: service.visits(db, actor, None, VisitKind.CHECK_IN, page)
            ),
        }
    )


# --- the zip of CSVs -------------------------------------------------------------------------


def as_zip(data: MemberExport) -> bytes:
    """One CSV per section, each with its header line even when it has no rows."""
    tables: dict[str, tuple[type[BaseModel], Iterable[BaseModel]]] = {
        "account": (UserRead, [data.account] if data.account else []),
        "profile": (MemberProfile, data.profile),
        "cards": (CardRead, data.cards),
        "coverage": (BalanceRow, _balances(data.coverage)),
        "claims": (ClaimRow, [ClaimRow.model_validate(c.model_dump()) for c in data.claims]),
        "claim_lines": (
            ClaimLineRow,
            [
                ClaimLineRow(**line.model_dump(), claim_number=c.number)
                for c in data.claims
                for line in c.items
            ],
        ),
        "authorizations": (MemberAuthorizationRead, data.authorizations),
        "visits": (VisitRead, data.visits),
        "notifications": (NotificationRead, data.notifications),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (model, rows) in tables.items():
            archive.writestr(f"{name}.csv", _csv(model, rows))
    return buffer.getvalue()


def _balances(coverage: CoverageRead | None) -> list[BalanceRow]:
    if coverage is None:
        return []
    return [
        BalanceRow(
            **b.model_dump(), member_id=m.member.member_id, plan_code=m.plan.code, on=coverage.on
        )
        for m in coverage.members
        for b in m.benefits
    ]


class ClaimRow(ClaimSummary):
    """A claim in the export's claims table (its lines are in claim_lines)."""

    provider_name: str


def _csv(model: type[BaseModel], rows: Iterable[BaseModel]) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    columns = list(model.model_fields)
    writer.writerow(columns)
    for row in rows:
        values = row.model_dump(mode="json")
        writer.writerow([_cell(values[c]) for c in columns])
    return text.getvalue()


def _cell(value: Any) -> Any:
    """Lists of codes joined by `;`, anything else structured as JSON; text a spreadsheet
    would run as a formula is quoted with `'` (a provider wrote some of it)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ";".join(value)
    elif isinstance(value, list | dict):
        value = json.dumps(value, separators=(",", ":"))
    return "" if value is None else inert(value)


def zip_name(data: MemberExport) -> str:
    return f"vetra-export-{data.exported_at:%Y%m%d}.zip"
