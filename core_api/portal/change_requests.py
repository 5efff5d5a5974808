"""Change requests: a client asks, the HMO approves (the change is applied) or declines.

`PENDING → APPROVED | DECLINED`, nothing else. A decision is a compare-and-set on the
status, so of two concurrent decisions exactly one wins. An approval applies the change
through the membership services in the same transaction: if they refuse it (a dependant
limit reached meanwhile, say), the whole decision rolls back and the request stays PENDING.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.errors import Conflict, Forbidden, Invalid, NotFound
from core_api.kit.pagination import (
    PageParams,
    newest_first,
)
from core_api.membership import enrollees
from core_api.membership.schemas import DependantCreate, EnrolleeUpdate, StatusChange
from core_api.models import (
    ChangeRequest,
    ChangeRequestKind,
    ChangeRequestStatus,
    Client,
    Enrollee,
    EnrolleeStatus,
    Relationship,
    Tenant,
    User,
    UserKind,
)
from core_api.models.base import utcnow
from core_api.notifications.service import notify, notify_permission_holders, queue_email
from core_api.portal.schemas import ChangeRequestCreate, EnrolleeDetails

DECIDE_PERMISSION = "change_requests:decide"
KIND_TITLES = {
    ChangeRequestKind.ADD_DEPENDANT: "add a dependant",
    ChangeRequestKind.EDIT_ENROLLEE: "edit enrollee details",
    ChangeRequestKind.DELETE_DEPENDANT: "remove a dependant",
}


async def create_request(
    db: AsyncSession, actor: Actor, data: ChangeRequestCreate
) -> ChangeRequest:
    if actor.user_kind is not UserKind.CLIENT or actor.client_id is None:
        raise Forbidden("Change requests are raised by a client's portal users.")
    enrollee = await enrollees.get_enrollee(db, data.enrollee_id, actor)
    _check_target(data.kind, enrollee)
    await _check_rules(db, data, enrollee)
    request = ChangeRequest(
        tenant_id=actor.require_tenant(),
        client_id=actor.client_id,
        kind=data.kind,
        enrollee_id=enrollee.id,
        payload=data.payload.model_dump(mode="json", exclude_unset=True),
        requested_by=actor.user_id,
    )
    db.add(request)
    await db.flush()
    await audit.record(
        db,
        actor,
        "change_request.created",
        "change_request",
        request.id,
        details={"kind": request.kind.value, "enrollee_id": str(enrollee.id)},
    )
    await _tell_hmo(db, request, enrollee)
    return request


def _check_target(kind: ChangeRequestKind, enrollee: Enrollee) -> None:
    if enrollee.status is EnrolleeStatus.TERMINATED:
        raise Invalid("enrollee_id", "The enrollee is terminated.")
    is_principal = enrollee.relationship is Relationship.PRINCIPAL
    if kind is ChangeRequestKind.ADD_DEPENDANT and not is_principal:
        raise Invalid("enrollee_id", "Dependants are added under a principal.")
    if kind is ChangeRequestKind.DELETE_DEPENDANT and is_principal:
        raise Invalid("enrollee_id", "Only a dependant can be removed this way.")


async def _check_rules(db: AsyncSession, data: ChangeRequestCreate, enrollee: Enrollee) -> None:
    """The membership rules the change must pass, checked when raised with the very
    functions that apply it (a second spouse, the plan's dependant limits, an unknown
    provider): a request that cannot be approved is refused at once. Approval checks them
    again, as the family may change in between (two requests may each fit alone)."""
    if isinstance(data.payload, DependantCreate):
        await enrollees.check_dependant(db, enrollee, data.payload.relationship)
    elif isinstance(data.payload, EnrolleeDetails) and data.payload.primary_provider_id:
        await enrollees.check_provider(db, data.payload.primary_provider_id)


async def _tell_hmo(db: AsyncSession, request: ChangeRequest, enrollee: Enrollee) -> None:
    client = await db.get(Client, request.client_id)
    tenant = await db.get(Tenant, request.tenant_id)
    assert client is not None
    assert tenant is not None
    title = f"{client.name} asks to {KIND_TITLES[request.kind]}"
    body = f"Enrollee {enrollee.member_id} ({enrollee.first_name} {enrollee.last_name})."
    await notify_permission_holders(
        db,
        request.tenant_id,
        DECIDE_PERMISSION,
        "change_request.created",
        title,
        body,
        {"change_request_id": request.id, "kind": request.kind.value},
    )
    if tenant.contact_email:
        queue_email(
            db,
            request.tenant_id,
            tenant.contact_email,
            title,
            f"{body}\nRequest {request.id} is waiting for approval in the HMO portal "
            "(Clients → Manage requests).\n",
        )


@dataclass(frozen=True, slots=True)
class RequestFilters:
    status: ChangeRequestStatus | None = None
    kind: ChangeRequestKind | None = None
    client_id: uuid.UUID | None = None
    enrollee_id: uuid.UUID | None = None

    def apply(self, query: Select[ChangeRequest]) -> Select[ChangeRequest]:
        for column, value in (
            (ChangeRequest.status, self.status),
            (ChangeRequest.kind, self.kind),
            (ChangeRequest.client_id, self.client_id),
            (ChangeRequest.enrollee_id, self.enrollee_id),
        ):
            if value is not None:
                query = query.where(column == value)
        return query


def _visible(query: Select[ChangeRequest], actor: Actor) -> Select[ChangeRequest]:
    """A client's users see their client's requests; other portal users see none."""
    if actor.user_kind is UserKind.CLIENT:
        return query.where(ChangeRequest.client_id == actor.client_id)
    if actor.user_kind in (UserKind.ENROLLEE, UserKind.PROVIDER):
        return query.where(false())
    return query


async def list_requests(
    db: AsyncSession, actor: Actor, filters: RequestFilters, page: PageParams
) -> tuple[list[ChangeRequest], str | None]:
    """Newest first (ids are time-ordered)."""
    query = _visible(filters.apply(select(ChangeRequest)), actor)
    newest = newest_first(ChangeRequest.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    return newest.page(rows, page.limit)


async def get_request(db: AsyncSession, actor: Actor, request_id: uuid.UUID) -> ChangeRequest:
    request = await db.scalar(
        _visible(select(ChangeRequest).where(ChangeRequest.id == request_id), actor)
    )
    if request is None:
        raise NotFound("No such change request.")
    return request


async def approve(db: AsyncSession, actor: Actor, request_id: uuid.UUID) -> ChangeRequest:
    request = await _decide(db, actor, request_id, ChangeRequestStatus.APPROVED, None)
    result = await _apply(db, actor, request)
    request.result_enrollee_id = result.id
    await db.flush()
    await _record_decision(db, actor, request, f"Approved and applied to {result.member_id}.")
    return request


async def decline(
    db: AsyncSession, actor: Actor, request_id: uuid.UUID, reason: str
) -> ChangeRequest:
    request = await _decide(db, actor, request_id, ChangeRequestStatus.DECLINED, reason)
    await _record_decision(db, actor, request, f"Declined: {reason}")
    return request


async def _decide(
    db: AsyncSession,
    actor: Actor,
    request_id: uuid.UUID,
    status: ChangeRequestStatus,
    reason: str | None,
) -> ChangeRequest:
    """`UPDATE … WHERE status = 'PENDING'`: a concurrent decision waits for the row, then
    finds it decided (or, if the first one rolled back, still pending)."""
    decided = await db.scalar(
        update(ChangeRequest)
        .where(ChangeRequest.id == request_id, ChangeRequest.status == ChangeRequestStatus.PENDING)
        .values(
            status=status,
            decided_by=actor.user_id,
            decided_at=utcnow(),
            decision_reason=reason,
            version=ChangeRequest.version + 1,
        )
        .returning(ChangeRequest)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    if decided is not None:
        return decided
    current = await db.scalar(select(ChangeRequest.status).where(ChangeRequest.id == request_id))
    if current is None:
        raise NotFound("No such change request.")
    raise Conflict(f"The request is already {current.value}.", type="change-request-decided")


async def _apply(db: AsyncSession, actor: Actor, request: ChangeRequest) -> Enrollee:
    assert request.enrollee_id is not None
    payload: dict[str, Any] = request.payload
    if request.kind is ChangeRequestKind.ADD_DEPENDANT:
        return await enrollees.add_dependant(
            db, actor, request.enrollee_id, DependantCreate.model_validate(payload)
        )
    if request.kind is ChangeRequestKind.EDIT_ENROLLEE:
        current = await enrollees.get_enrollee(db, request.enrollee_id)
        change = EnrolleeUpdate.model_validate({**payload, "version": current.version})
        return await enrollees.update_enrollee(db, actor, current.id, change)
    reason = payload.get("reason") or "removed at the client's request"
    return await enrollees.change_status(
        db,
        actor,
        request.enrollee_id,
        StatusChange(status=EnrolleeStatus.TERMINATED, reason=f"Change request: {reason}"),
    )


async def _record_decision(
    db: AsyncSession, actor: Actor, request: ChangeRequest, outcome: str
) -> None:
    await audit.record(
        db,
        actor,
        f"change_request.{request.status.value.lower()}",
        "change_request",
        request.id,
        details={"kind": request.kind.value, "reason": request.decision_reason},
    )
    client_users = await db.scalars(
        select(User.id).where(
            User.kind == UserKind.CLIENT,
            User.client_id == request.client_id,
            User.is_active.is_(True),
        )
    )
    for user_id in client_users.all():
        await notify(
            db,
            request.tenant_id,
            user_id,
            f"change_request.{request.status.value.lower()}",
            f"Your request to {KIND_TITLES[request.kind]} was {request.status.value.lower()}",
            outcome,
            {"change_request_id": request.id, "status": request.status.value},
        )
