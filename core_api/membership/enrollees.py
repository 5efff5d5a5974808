"""Enrollees: principals and their dependants, Member IDs, lifecycle and the card."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.errors import Conflict, Forbidden, Invalid, NotFound
from core_api.kit.pagination import By, Keyset, PageParams, newest_first
from core_api.kit.versioning import compare_and_set
from core_api.membership.clients import (
    default_coverage_start,
    get_client,
    refuse_coverage_start,
    reserve_member_numbers,
)
from core_api.membership.schemas import (
    CardRead,
    DependantCreate,
    EnrolleeUpdate,
    PrincipalCreate,
    StatusChange,
)
from core_api.models import (
    Client,
    Enrollee,
    EnrolleeStatus,
    EnrolleeStatusChange,
    Plan,
    PlanVersion,
    Provider,
    Relationship,
    Tenant,
    UserKind,
)
from core_api.models.authorization import Authorization
from core_api.models.claim import Claim
from core_api.plans.service import version_of

ALLOWED_STATUS_MOVES: dict[EnrolleeStatus, frozenset[EnrolleeStatus]] = {
    EnrolleeStatus.ACTIVE: frozenset({EnrolleeStatus.SUSPENDED, EnrolleeStatus.TERMINATED}),
    EnrolleeStatus.SUSPENDED: frozenset({EnrolleeStatus.ACTIVE, EnrolleeStatus.TERMINATED}),
    EnrolleeStatus.TERMINATED: frozenset(),
}


def member_id(tenant_code: str, client_code: str, member_no: int, suffix: str) -> str:
    """`HMO-CLIENT-NNNNN-TYPE`: P principal, S spouse, C1… children."""
    return f"{tenant_code}-{client_code}-{member_no:05d}-{suffix}"


async def tenant_code(db: AsyncSession, tenant_id: uuid.UUID) -> str:
    code = await db.scalar(select(Tenant.code).where(Tenant.id == tenant_id))
    assert code is not None
    return code


async def check_plan(db: AsyncSession, plan_id: uuid.UUID) -> Plan:
    plan = await db.get(Plan, plan_id)
    if plan is None:
        raise Invalid("plan_id", "No such plan in this tenant.")
    if not plan.is_active:
        raise Invalid("plan_id", "The plan is not active.")
    return plan


async def check_provider(db: AsyncSession, provider_id: uuid.UUID | None) -> None:
    if provider_id is not None and await db.get(Provider, provider_id) is None:
        raise Invalid("primary_provider_id", "No such provider.")


async def create_principal(db: AsyncSession, actor: Actor, data: PrincipalCreate) -> Enrollee:
    tenant_id = actor.require_tenant()
    client = await db.get(Client, data.client_id)
    if client is None:
        raise Invalid("client_id", "No such client in this tenant.")
    coverage_start = data.coverage_start or default_coverage_start(client)
    refuse_coverage_start(client, coverage_start)
    await check_plan(db, data.plan_id)
    await check_provider(db, data.primary_provider_id)
    number = await reserve_member_numbers(db, client.id)
    enrollee = Enrollee(
        tenant_id=tenant_id,
        client_id=client.id,
        plan_id=data.plan_id,
        relationship=Relationship.PRINCIPAL,
        member_no=number,
        member_id=member_id(await tenant_code(db, tenant_id), client.code, number, "P"),
        primary_provider_id=data.primary_provider_id,
        coverage_start=coverage_start,
        **_person_fields(data),
    )
    return await _enrol(db, actor, enrollee)


async def add_dependant(
    db: AsyncSession, actor: Actor, principal_id: uuid.UUID, data: DependantCreate
) -> Enrollee:
    principal = await db.get(Enrollee, principal_id, with_for_update=True)
    if principal is None:
        raise NotFound("No such enrollee.")
    suffix, child_no = await check_dependant(db, principal, data.relationship)
    client = await get_client(db, principal.client_id)
    # From today, or later when the principal's (or the client's) coverage starts later;
    # the principal's start is never before the client's, so neither is the dependant's.
    coverage_start = max(default_coverage_start(client), principal.coverage_start)
    enrollee = Enrollee(
        tenant_id=principal.tenant_id,
        client_id=principal.client_id,
        plan_id=principal.plan_id,
        principal_id=principal.id,
        relationship=data.relationship,
        member_no=principal.member_no,
        child_no=child_no,
        primary_provider_id=principal.primary_provider_id,
        member_id=member_id(
            await tenant_code(db, principal.tenant_id), client.code, principal.member_no, suffix
        ),
        coverage_start=coverage_start,
        **_person_fields(data),
    )
    return await _enrol(db, actor, enrollee)


async def check_dependant(
    db: AsyncSession, principal: Enrollee, relationship: Relationship
) -> tuple[str, int | None]:
    """The membership rules a new dependant under `principal` must pass (a principal that is
    not terminated, one spouse, the plan's dependant and child limits); its Member ID
    suffix and child number if it does. Change requests check them when raised, and again
    (through `add_dependant`) when approved, since the family may have changed meanwhile."""
    if principal.relationship is not Relationship.PRINCIPAL:
        raise Invalid("principal_id", "Dependants are added under a principal.")
    if principal.status is EnrolleeStatus.TERMINATED:
        raise Conflict("The principal is terminated.", type="enrollee-terminated")
    return await _dependant_slot(db, principal, relationship)


async def _dependant_slot(
    db: AsyncSession, principal: Enrollee, relationship: Relationship
) -> tuple[str, int | None]:
    version = await version_of(db, principal.plan_id, date.today())
    rows = (
        await db.execute(
            select(Enrollee.relationship, Enrollee.status, Enrollee.child_no).where(
                Enrollee.principal_id == principal.id
            )
        )
    ).all()
    return next_slot(rows, version, relationship)


class Kin(Protocol):
    """A dependant already in the family, as far as the limits care."""

    @property
    def relationship(self) -> Relationship: ...
    @property
    def status(self) -> EnrolleeStatus: ...
    @property
    def child_no(self) -> int | None: ...


def next_slot(
    family: Sequence[Kin], version: PlanVersion, relationship: Relationship
) -> tuple[str, int | None]:
    """The Member ID suffix (and child number) for a new dependant, within the plan's
    dependant limits; `Conflict` when over them.

    Child numbers are never reused, so a Member ID always names one person.
    """
    current = [k for k in family if k.status is not EnrolleeStatus.TERMINATED]
    if len(current) >= version.max_dependants:
        raise Conflict(
            f"The plan allows {version.max_dependants} dependants.", type="dependant-limit"
        )
    if relationship is Relationship.SPOUSE:
        if any(k.relationship is Relationship.SPOUSE for k in family):
            raise Conflict("The principal already has a spouse.", type="dependant-limit")
        return "S", None
    children = [k for k in current if k.relationship is Relationship.CHILD]
    if len(children) >= version.max_children:
        raise Conflict(f"The plan allows {version.max_children} children.", type="dependant-limit")
    child_no = max((k.child_no or 0 for k in family), default=0) + 1
    return f"C{child_no}", child_no


def _person_fields(data: PrincipalCreate | DependantCreate) -> dict[str, object]:
    fields = data.model_dump(
        include={"first_name", "last_name", "date_of_birth", "sex", "email", "phone"}
    )
    fields["email"] = str(data.email).lower() if data.email else None
    return fields


async def _enrol(db: AsyncSession, actor: Actor, enrollee: Enrollee) -> Enrollee:
    if enrollee.date_of_birth > date.today():
        raise Invalid("date_of_birth", "The date of birth is in the future.")
    db.add(enrollee)
    await db.flush()
    db.add(
        EnrolleeStatusChange(
            tenant_id=enrollee.tenant_id,
            enrollee_id=enrollee.id,
            status=EnrolleeStatus.ACTIVE,
            effective_date=enrollee.coverage_start,
            reason="enrolled",
            actor_id=actor.id,
        )
    )
    await audit.record(
        db,
        actor,
        "enrollee.created",
        "enrollee",
        enrollee.id,
        details={"member_id": enrollee.member_id},
    )
    return enrollee


def visible_to(actor: Actor | None) -> ColumnElement[bool] | None:
    """What a portal user may see: a client its own roster, an enrollee their family.

    Staff and integrations see the whole tenant (their permissions decide the rest).
    """
    if actor is None:
        return None
    if actor.user_kind is UserKind.CLIENT:
        return Enrollee.client_id == actor.client_id
    if actor.user_kind is UserKind.ENROLLEE:
        return _family_of(actor.enrollee_id)
    return None


def _family_of(enrollee_id: uuid.UUID | None) -> ColumnElement[bool]:
    """The enrollee and, for a principal, their dependants."""
    return or_(Enrollee.id == enrollee_id, Enrollee.principal_id == enrollee_id)


async def own_family_ids(
    db: AsyncSession, actor: Actor, member_id: str | None = None
) -> list[uuid.UUID]:
    """The enrollees whose records an enrollee user reads: themselves and, for a principal,
    their dependants; only the one `member_id` names when given (404 for anyone else)."""
    if actor.user_kind is not UserKind.ENROLLEE or actor.enrollee_id is None:
        # The permission can be put in a custom staff role; only a cardholder has a family.
        raise Forbidden("Only enrollee portal users have records of their own.")
    query = select(Enrollee.id).where(
        Enrollee.tenant_id == actor.require_tenant(), _family_of(actor.enrollee_id)
    )
    if member_id is not None:
        query = query.where(Enrollee.member_id == member_id.strip().upper())
    ids = list((await db.scalars(query)).all())
    if not ids:
        raise NotFound("No such member in your family.")
    return ids


Filing = type[Claim] | type[Authorization]


async def family_filings(
    db: AsyncSession,
    actor: Actor,
    filing: Filing,
    member_id: str | None,
    status: enum.Enum | None,
    page: PageParams,
) -> tuple[list[tuple[Any, str]], str | None]:
    """Enrollee portal: the claims or PAs filed for the caller's family (`own_family_ids`),
    each with its provider's name, newest first, in `status` when given."""
    family = await own_family_ids(db, actor, member_id)
    query = (
        select(filing, Provider.name)
        .join(Provider, Provider.id == filing.provider_id)
        .where(filing.tenant_id == actor.require_tenant(), filing.enrollee_id.in_(family))
    )
    if status is not None:
        query = query.where(filing.status == status)
    newest = newest_first(filing.id)
    found = (await db.execute(newest.apply(query, page))).all()
    return newest.page([(row, name) for row, name in found], page.limit, _first_id)


def _first_id(row: tuple[Any, str]) -> list[str]:
    return [str(row[0].id)]


def _scoped(query: Select[Enrollee], actor: Actor | None) -> Select[Enrollee]:
    condition = visible_to(actor)
    return query if condition is None else query.where(condition)


async def get_enrollee(
    db: AsyncSession, key: str | uuid.UUID, actor: Actor | None = None
) -> Enrollee:
    """By id or by Member ID; a portal user's view is scoped (404 outside it)."""
    enrollee = await db.scalar(_scoped(select(Enrollee).where(_key_filter(key)), actor))
    if enrollee is None:
        raise NotFound("No such enrollee.")
    return enrollee


def _key_filter(key: str | uuid.UUID) -> ColumnElement[bool]:
    if isinstance(key, uuid.UUID):
        return Enrollee.id == key
    try:
        return Enrollee.id == uuid.UUID(key)
    except ValueError:
        return Enrollee.member_id == key.upper()


async def dependants_of(db: AsyncSession, principal_id: uuid.UUID) -> list[Enrollee]:
    return list(
        (
            await db.scalars(
                select(Enrollee)
                .where(Enrollee.principal_id == principal_id)
                .order_by(Enrollee.member_id)
            )
        ).all()
    )


@dataclass(frozen=True, slots=True)
class EnrolleeFilters:
    client_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    status: EnrolleeStatus | None = None
    relationship: Relationship | None = None
    principal_id: uuid.UUID | None = None
    q: str | None = None

    def apply(self, query: Select[Enrollee]) -> Select[Enrollee]:
        for column, value in (
            (Enrollee.client_id, self.client_id),
            (Enrollee.plan_id, self.plan_id),
            (Enrollee.status, self.status),
            (Enrollee.relationship, self.relationship),
            (Enrollee.principal_id, self.principal_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if self.q:
            term = self.q.strip()
            like = f"{term.replace('%', '').replace('_', '')}%"
            query = query.where(
                or_(
                    Enrollee.member_id.ilike(like),
                    Enrollee.last_name.ilike(like),
                    Enrollee.first_name.ilike(like),
                    Enrollee.email.ilike(like),
                )
            )
        return query


BY_MEMBER_ID = Keyset(By(Enrollee.member_id, str))


async def list_enrollees(
    db: AsyncSession, actor: Actor, filters: EnrolleeFilters, page: PageParams
) -> tuple[list[Enrollee], str | None]:
    query = _scoped(filters.apply(select(Enrollee)), actor)
    rows = (await db.scalars(BY_MEMBER_ID.apply(query, page))).all()
    return BY_MEMBER_ID.page(rows, page.limit)


async def update_enrollee(
    db: AsyncSession, actor: Actor, enrollee_id: uuid.UUID, data: EnrolleeUpdate
) -> Enrollee:
    enrollee = await get_enrollee(db, enrollee_id)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "plan_id" in changes:
        if enrollee.relationship is not Relationship.PRINCIPAL:
            raise Invalid("plan_id", "Dependants follow their principal's plan.")
        await check_plan(db, changes["plan_id"])
    if "primary_provider_id" in changes:
        await check_provider(db, changes["primary_provider_id"])
    if changes.get("email"):
        changes["email"] = str(changes["email"]).lower()
    updated = await compare_and_set(db, Enrollee, enrollee.id, data.version, changes)
    if "plan_id" in changes:
        await db.execute(
            update(Enrollee)
            .where(Enrollee.principal_id == enrollee.id)
            .values(plan_id=changes["plan_id"], version=Enrollee.version + 1)
            .execution_options(synchronize_session=False)
        )
    await audit.record(
        db, actor, "enrollee.updated", "enrollee", enrollee.id, details={"fields": sorted(changes)}
    )
    return updated


async def change_status(
    db: AsyncSession, actor: Actor, enrollee_id: uuid.UUID, data: StatusChange
) -> Enrollee:
    enrollee = await db.get(Enrollee, enrollee_id, with_for_update=True)
    if enrollee is None:
        raise NotFound("No such enrollee.")
    effective = data.effective_date or date.today()
    if effective > date.today():
        raise Invalid("effective_date", "Status changes take effect today or earlier.")
    if effective < enrollee.coverage_start:
        raise Invalid("effective_date", "The date is before the enrollee's coverage began.")
    if data.status not in ALLOWED_STATUS_MOVES[enrollee.status]:
        raise Conflict(
            f"An enrollee cannot go from {enrollee.status} to {data.status}.",
            type="illegal-transition",
        )
    affected = [enrollee]
    if enrollee.relationship is Relationship.PRINCIPAL and data.status is not EnrolleeStatus.ACTIVE:
        affected += [
            d
            for d in await dependants_of(db, enrollee.id)
            if data.status in ALLOWED_STATUS_MOVES[d.status]
        ]
    for person in affected:
        _apply_status(db, actor, person, data.status, effective, data.reason)
    await db.flush()
    await audit.record(
        db,
        actor,
        "enrollee.status_changed",
        "enrollee",
        enrollee.id,
        details={
            "status": data.status.value,
            "effective_date": effective.isoformat(),
            "dependants": [str(d.id) for d in affected[1:]],
        },
    )
    return enrollee


def _apply_status(
    db: AsyncSession,
    actor: Actor,
    enrollee: Enrollee,
    status: EnrolleeStatus,
    effective: date,
    reason: str,
) -> None:
    enrollee.status = status
    enrollee.version += 1
    if status is EnrolleeStatus.TERMINATED:
        enrollee.coverage_end = effective
    db.add(
        EnrolleeStatusChange(
            tenant_id=enrollee.tenant_id,
            enrollee_id=enrollee.id,
            status=status,
            effective_date=effective,
            reason=reason,
            actor_id=actor.id,
        )
    )


async def status_history(db: AsyncSession, enrollee_id: uuid.UUID) -> list[EnrolleeStatusChange]:
    """The lifecycle, oldest first (as it was recorded on each effective date)."""
    query = select(EnrolleeStatusChange).where(EnrolleeStatusChange.enrollee_id == enrollee_id)
    order = (EnrolleeStatusChange.effective_date, EnrolleeStatusChange.created_at)
    return list((await db.scalars(query.order_by(*order))).all())


def status_on_query(
    enrollee_id: uuid.UUID | SQLColumnExpression[uuid.UUID], on: date | SQLColumnExpression[date]
) -> Select[EnrolleeStatus]:
    """The status in force on a date (no row before coverage began); a column or a bound
    parameter may stand for either argument, so it also serves as a correlated subquery."""
    return (
        select(EnrolleeStatusChange.status)
        .where(
            EnrolleeStatusChange.enrollee_id == enrollee_id,
            EnrolleeStatusChange.effective_date <= on,
        )
        .order_by(
            EnrolleeStatusChange.effective_date.desc(), EnrolleeStatusChange.created_at.desc()
        )
        .limit(1)
    )


async def status_on(db: AsyncSession, enrollee_id: uuid.UUID, on: date) -> EnrolleeStatus | None:
    """The status in force on a date; None before coverage began."""
    return await db.scalar(status_on_query(enrollee_id, on))


async def card(db: AsyncSession, actor: Actor, key: str) -> CardRead:
    enrollee = await get_enrollee(db, key, actor)
    plan = await db.get(Plan, enrollee.plan_id)
    client = await db.get(Client, enrollee.client_id)
    tenant = await db.get(Tenant, enrollee.tenant_id)
    provider = (
        await db.get(Provider, enrollee.primary_provider_id)
        if enrollee.primary_provider_id
        else None
    )
    principal = await db.get(Enrollee, enrollee.principal_id) if enrollee.principal_id else None
    assert plan is not None
    assert client is not None
    assert tenant is not None
    return CardRead(
        member_id=enrollee.member_id,
        name=f"{enrollee.first_name} {enrollee.last_name}",
        relationship=enrollee.relationship,
        date_of_birth=enrollee.date_of_birth,
        status=enrollee.status,
        plan=plan.name,
        client=client.name,
        primary_provider=provider.name if provider else None,
        valid_from=enrollee.coverage_start,
        valid_to=enrollee.coverage_end,
        principal_member_id=principal.member_id if principal else None,
        hmo_name=tenant.name,
        hmo_email=tenant.contact_email,
        hmo_phone=tenant.contact_phone,
    )
