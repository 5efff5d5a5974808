"""Corporate clients."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.errors import Conflict, Invalid, NotFound
from core_api.kit.pagination import By, Keyset, PageParams
from core_api.membership.schemas import ClientCreate
from core_api.models import Client


async def create_client(db: AsyncSession, actor: Actor, data: ClientCreate) -> Client:
    if await db.scalar(select(Client.id).where(Client.code == data.code)):
        raise Conflict("A client with this code already exists.", type="client-exists")
    client = Client(
        tenant_id=actor.require_tenant(),
        code=data.code,
        name=data.name,
        contact_email=str(data.contact_email) if data.contact_email else None,
        phone=data.phone,
        address=data.address,
        covered_since=data.covered_since or date.today(),
    )
    db.add(client)
    await db.flush()
    await audit.record(
        db,
        actor,
        "client.created",
        "client",
        client.id,
        details={
            "code": client.code,
            "name": client.name,
            "covered_since": client.covered_since.isoformat(),
        },
    )
    return client


def default_coverage_start(client: Client) -> date:
    """Where an enrollee's coverage starts when none is given: today, or the day the
    client's scheme begins if that is later."""
    return max(date.today(), client.covered_since)


def check_coverage_start(client: Client, start: date) -> str | None:
    """Why `start` cannot begin an enrollee's coverage with `client` (None if it can):
    no one is covered before the client's scheme with the HMO began."""
    if start < client.covered_since:
        return (
            f"Coverage cannot start before {client.covered_since.isoformat()}, the day the "
            f"client {client.code}'s scheme began (its covered_since)."
        )
    return None


def refuse_coverage_start(client: Client, start: date) -> None:
    """`check_coverage_start` as a 422 on `coverage_start`."""
    if reason := check_coverage_start(client, start):
        raise Invalid("coverage_start", reason)


BY_NAME = Keyset(By(Client.name, str), By(Client.id, uuid.UUID))


async def list_clients(db: AsyncSession, page: PageParams) -> tuple[list[Client], str | None]:
    """By name, a page at a time."""
    rows = (await db.scalars(BY_NAME.apply(select(Client), page))).all()
    return BY_NAME.page(rows, page.limit)


async def get_client(db: AsyncSession, client_id: uuid.UUID) -> Client:
    client = await db.get(Client, client_id)
    if client is None:
        raise NotFound("No such client.")
    return client


async def reserve_member_numbers(db: AsyncSession, client_id: uuid.UUID, count: int = 1) -> int:
    """Reserves `count` consecutive member numbers and returns the first.

    The row lock taken by the UPDATE serialises concurrent enrolments for one client,
    and a rolled-back enrolment rolls its number back too: no gaps, no duplicates.
    """
    last = await db.scalar(
        update(Client)
        .where(Client.id == client_id)
        .values(member_seq=Client.member_seq + count)
        .returning(Client.member_seq)
    )
    if last is None:
        raise NotFound("No such client.")
    return int(last) - count + 1
