"""Pre-authorizations: filing by linked providers, review, auth codes, appeals, and the
ghost-patient check.

Who is told what:
- filed (and not approved at once): the HMO's staff holding `authorizations:decide`;
- approved / rejected (by a reviewer or a rule): the provider's users and the enrollee;
- appealed: the HMO's staff holding `authorizations:decide`;
- EMERGENCY filed: the enrollee at once, and the principal for a dependant (portal users
  linked by `users.enrollee_id`; nobody when they have no account) — the ghost-patient
  alert, answered with "Not me";
- "Not me": the HMO's staff holding `risk:manage`.
SLA breaches are escalated by `core_api.authorizations.sla`.

An auth code is checked when a claim cites it (`consume_for_claim`): the same member,
provider and procedure (one of the claim's item codes), a service date within
`valid_from` (the filing date) … `valid_to` (approval date + validity days), and a claim
total (billed) no more than the approved amount. A code is used once: the PA row is locked
while it is checked and moved to USED in the claim's transaction.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.authorizations import rules, sla, state
from core_api.authorizations.schemas import (
    AppealCreate,
    AuthorizationCreate,
    AuthorizationDetail,
    AuthorizationRead,
    AuthorizationSummary,
    Cancel,
    ClearHold,
    Decision,
    DecisionKind,
    EventRead,
    MemberAuthorizationRead,
    NotMe,
    NotMeRead,
    ProviderAuthorizationDetail,
    ProviderAuthorizationRead,
)
from core_api.claims import queue as claims_queue
from core_api.errors import Conflict, Forbidden, Invalid, NotFound
from core_api.kit.counters import next_number
from core_api.kit.filters import on_days
from core_api.kit.idempotency import Answer, once, request_hash
from core_api.kit.pagination import By, Keyset, PageParams, newest_first
from core_api.membership.enrollees import family_filings, get_enrollee
from core_api.models import Enrollee, Plan, Provider, Tenant
from core_api.models.authorization import (
    Authorization,
    AuthorizationEvent,
    AuthorizationStatus,
    Urgency,
)
from core_api.models.base import utcnow
from core_api.models.claim import Claim, RiskEvent
from core_api.network.service import (
    act_for_hmo,
    notify_provider_users,
    own_provider,
    provider_filter,
)
from core_api.notifications.service import notify_members, notify_permission_holders
from core_api.tenants.settings import load_settings
from shared.ids import uuid7

S = AuthorizationStatus
DEFAULT_VALID_DAYS = 30
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
GHOST_PATIENT_RULE = "ghost_patient"
GHOST_PATIENT_WEIGHT = 100
# History entries that tell of a "Not me" report and its hold: the HMO's, never the provider's.
FRAUD_ACTIONS = frozenset({"reported_not_me", "hold_cleared"})


class AuthCodeRefused(Invalid):
    """A claim cites an auth code that does not cover it (422)."""

    type = "auth-code-refused"
    title = "The auth code does not cover this claim"

    def __init__(self, message: str) -> None:
        super().__init__("auth_code", message)


# --- filing ------------------------------------------------------------------------------


async def submit(
    db: AsyncSession, actor: Actor, data: AuthorizationCreate, idempotency_key: str | None
) -> Answer:
    """Files a PA for a member of an HMO the provider is linked to; a matching rule
    approves it at once. A retry with the same `Idempotency-Key` and body answers as
    the first time."""
    scope = await act_for_hmo(db, actor, member_id=data.member_id)
    if scope.provider_id is None:
        raise Forbidden("Pre-authorizations are filed by providers.")
    own_provider(scope.provider_id, data.provider_id, "files pre-authorizations")
    provider = await db.get(Provider, scope.provider_id)
    assert provider is not None

    async def create() -> Answer:
        pa = await _create(db, actor, provider, scope.hmo_tenant_id, data)
        return 201, provider_read(pa).model_dump(mode="json")

    body_hash = request_hash(data.model_dump(mode="json"))
    return await once(
        db, scope.hmo_tenant_id, f"authorizations:{provider.id}", idempotency_key, body_hash, create
    )


async def _create(
    db: AsyncSession,
    actor: Actor,
    provider: Provider,
    hmo_tenant_id: uuid.UUID,
    data: AuthorizationCreate,
) -> Authorization:
    try:
        enrollee = await get_enrollee(db, data.member_id)
    except NotFound as exc:
        raise Invalid("member_id", "No such member in this HMO.") from exc
    plan = await db.get(Plan, enrollee.plan_id)
    assert plan is not None
    settings = await load_settings(db, hmo_tenant_id)
    now = utcnow()
    pa = Authorization(
        id=uuid7(),
        tenant_id=hmo_tenant_id,
        number=await next_number(db, hmo_tenant_id, "PA"),
        enrollee_id=enrollee.id,
        member_id=enrollee.member_id,
        plan_id=enrollee.plan_id,
        provider_id=provider.id,
        provider_tenant_id=provider.org_tenant_id,
        urgency=data.urgency,
        procedure_code=data.procedure_code,
        diagnosis_codes=list(dict.fromkeys(data.diagnosis_codes)),
        currency=plan.currency,
        estimated_amount=data.estimated_amount,
        status=S.SUBMITTED,
        sla_due_at=sla.due_at(now, settings, data.urgency),
        suspicious=False,
        submitted_by=actor.id,
        version=1,
        created_at=now,
    )
    pa.notes_enc = state.seal(pa, data.notes)
    db.add(pa)
    await db.flush()
    verdict = await rules.evaluate(db, pa, now.date())
    await state.record(
        db, actor, pa, "submitted", initial=True, details={"auto_approval": verdict.as_details()}
    )
    if verdict.rule is not None:
        rule = verdict.rule
        await _approve(
            db,
            state.system_actor(hmo_tenant_id, f"auto-approval rule {rule.id}"),
            pa,
            amount=pa.estimated_amount,
            valid_days=rule.valid_days,
            reason="Auto-approved by rule.",
            rule_id=rule.id,
        )
        await _announce_decision(db, pa)
    else:
        await notify_permission_holders(
            db,
            hmo_tenant_id,
            state.DECIDE,
            "authorization.submitted",
            f"{pa.urgency.value.title()} PA {pa.number} from {provider.name} awaits review",
            data=_data(pa),
        )
    if pa.urgency is Urgency.EMERGENCY:
        await _ghost_patient_alert(db, pa, enrollee, provider)
    return pa


async def _ghost_patient_alert(
    db: AsyncSession, pa: Authorization, enrollee: Enrollee, provider: Provider
) -> None:
    """Tells the cardholder (and the principal, for a dependant) about an emergency PA."""
    await notify_members(
        db,
        pa.tenant_id,
        [enrollee.id, enrollee.principal_id],
        "authorization.emergency_alert",
        f"Emergency pre-authorization at {provider.name} for {enrollee.first_name}",
        'If this visit was not yours, tap "Not me" and your HMO will investigate.',
        {
            "authorization_id": str(pa.id),
            "number": pa.number,
            "member_id": pa.member_id,
            "provider_name": provider.name,
            "urgency": pa.urgency.value,
            "filed_at": pa.created_at.isoformat(),
        },
    )


# --- reading -----------------------------------------------------------------------------


def read(pa: Authorization, now: datetime | None = None) -> AuthorizationRead:
    """The HMO's view, fraud signals included."""
    body = AuthorizationRead.model_validate(pa)
    if pa.status in state.OPEN:
        body.sla_seconds_left = int((pa.sla_due_at - (now or utcnow())).total_seconds())
    return body


def provider_read(pa: Authorization, now: datetime | None = None) -> ProviderAuthorizationRead:
    """The filing provider's view: no "Not me" report, hold or its clearing."""
    body = ProviderAuthorizationRead.model_validate(pa)
    if pa.status in state.OPEN:
        body.sla_seconds_left = int((pa.sla_due_at - (now or utcnow())).total_seconds())
    return body


def read_for(actor: Actor, pa: Authorization) -> AuthorizationRead | ProviderAuthorizationRead:
    """The PA as the caller may see it: a provider (its staff or its integration key) never
    sees fraud signals about itself."""
    return provider_read(pa) if actor.speaks_for_provider else read(pa)


async def load(db: AsyncSession, actor: Actor, pa_id: uuid.UUID) -> Authorization:
    """The PA, with the transaction scoped to its HMO (a provider's link is checked).

    Row-Level Security shows a PA only to its HMO and to the provider that filed it."""
    pa = await db.get(Authorization, pa_id)
    if pa is None or actor.tenant_id not in (pa.tenant_id, pa.provider_tenant_id):
        raise NotFound("No such pre-authorization.")
    if pa.tenant_id != actor.tenant_id:
        hmo_code = await db.scalar(select(Tenant.code).where(Tenant.id == pa.tenant_id))
        await act_for_hmo(db, actor, tenant=hmo_code)
    return pa


def by_provider(actor: Actor, pa: Authorization) -> bool:
    return actor.tenant_id == pa.provider_tenant_id


async def detail(
    db: AsyncSession, actor: Actor, pa_id: uuid.UUID
) -> AuthorizationDetail | ProviderAuthorizationDetail:
    """The PA with its notes and history; the HMO's view adds its fraud flags, the
    provider's view leaves out every fraud signal (the flags, the "Not me" report and the
    hold's clearing, in the PA and in its history)."""
    pa = await load(db, actor, pa_id)
    query = select(AuthorizationEvent).where(AuthorizationEvent.authorization_id == pa.id)
    if actor.speaks_for_provider:
        query = query.where(AuthorizationEvent.action.not_in(FRAUD_ACTIONS))
    events = (
        await db.scalars(query.order_by(AuthorizationEvent.created_at, AuthorizationEvent.id))
    ).all()
    history = [
        EventRead(
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            actor_label=e.actor_label,
            reason=e.reason,
            note=state.unseal(pa, e.note_enc),
            details=e.details,
            created_at=e.created_at,
        )
        for e in events
    ]
    notes = state.unseal(pa, pa.notes_enc)
    if actor.speaks_for_provider:
        return ProviderAuthorizationDetail(
            **provider_read(pa).model_dump(), notes=notes, history=history
        )
    return AuthorizationDetail(
        **read(pa).model_dump(),
        notes=notes,
        history=history,
        risk_events=[
            {
                "id": f.id,
                "rule": f.rule,
                "weight": f.weight,
                "evidence": f.evidence,
                "created_at": f.created_at,
                "cleared_at": f.cleared_at,
            }
            for f in await db.scalars(
                select(RiskEvent)
                .where(RiskEvent.authorization_id == pa.id)
                .order_by(RiskEvent.created_at)
            )
        ],
    )


@dataclass(frozen=True, slots=True)
class Filters:
    status: AuthorizationStatus | None = None
    urgency: Urgency | None = None
    provider_id: uuid.UUID | None = None
    member_id: str | None = None
    breached: bool | None = None
    suspicious: bool | None = None
    from_: date | None = None
    to: date | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        for column, value in (
            (Authorization.status, self.status),
            (Authorization.urgency, self.urgency),
            (Authorization.provider_id, self.provider_id),
            (Authorization.suspicious, self.suspicious),
        ):
            if value is not None:
                query = query.where(column == value)
        if self.member_id is not None:
            query = query.where(Authorization.member_id == self.member_id.strip().upper())
        if self.breached is not None:
            breached = Authorization.breached_at.is_not(None)
            query = query.where(breached if self.breached else ~breached)
        return query.where(*on_days(Authorization.created_at, self.from_, self.to))


async def list_authorizations(
    db: AsyncSession, actor: Actor, filters: Filters, page: PageParams
) -> tuple[list[Authorization], str | None]:
    """Newest first. The HMO sees its own; a provider sees those it filed, across HMOs (and
    cannot sort them by a fraud signal)."""
    tenant_id = actor.require_tenant()
    if actor.speaks_for_provider and filters.suspicious is not None:
        raise Invalid("suspicious", "Fraud signals are the HMO's: providers cannot filter by them.")
    filters = replace(filters, provider_id=await provider_filter(db, actor, filters.provider_id))
    query = filters.apply(select(Authorization)).where(
        or_(Authorization.tenant_id == tenant_id, Authorization.provider_tenant_id == tenant_id)
    )
    newest = newest_first(Authorization.id)
    rows = (await db.scalars(newest.apply(query, page))).all()
    return newest.page(rows, page.limit)


async def list_member_authorizations(
    db: AsyncSession,
    actor: Actor,
    member_id: str | None,
    status: AuthorizationStatus | None,
    page: PageParams,
) -> tuple[list[MemberAuthorizationRead], str | None]:
    """Enrollee portal: the PAs filed for the caller and, for a principal, their
    dependants (or for the one `member_id` names), newest first."""
    rows, cursor = await family_filings(db, actor, Authorization, member_id, status, page)
    return [
        MemberAuthorizationRead(
            **AuthorizationSummary.model_validate(pa).model_dump(), provider_name=provider_name
        )
        for pa, provider_name in rows
    ], cursor


BY_DUE = Keyset(By(Authorization.sla_due_at, datetime), By(Authorization.id, uuid.UUID))


async def queue(
    db: AsyncSession, actor: Actor, urgency: Urgency | None, page: PageParams
) -> tuple[list[Authorization], str | None]:
    """Awaiting a decision, least SLA time left first (overdue ones lead)."""
    query = select(Authorization).where(
        Authorization.tenant_id == actor.require_tenant(),
        Authorization.status.in_(state.OPEN),
    )
    if urgency is not None:
        query = query.where(Authorization.urgency == urgency)
    rows = (await db.scalars(BY_DUE.apply(query, page))).all()
    return BY_DUE.page(rows, page.limit)


# --- deciding and appealing ----------------------------------------------------------------


async def decide(
    db: AsyncSession, actor: Actor, pa_id: uuid.UUID, data: Decision
) -> AuthorizationRead:
    """Approve (issuing the auth code) or reject. A PA still SUBMITTED is taken into
    review first, both moves in this transaction."""
    pa = await load(db, actor, pa_id)
    if by_provider(actor, pa):
        raise Forbidden("The HMO decides pre-authorizations.")
    if pa.status not in (S.SUBMITTED, S.IN_REVIEW):
        raise state.IllegalTransition(
            f"A {pa.status} pre-authorization cannot be decided.", current_status=pa.status.value
        )
    version = pa.version if data.version is None else data.version
    if data.decision is DecisionKind.APPROVE:
        amount = data.approved_amount or pa.estimated_amount
        if amount > pa.estimated_amount:
            raise Invalid("approved_amount", "The approved amount exceeds the estimate.")
        await _approve(
            db,
            actor,
            pa,
            version=version,
            amount=amount,
            valid_days=data.valid_days or DEFAULT_VALID_DAYS,
            reason=data.reason,
        )
    else:
        if not data.reason:
            raise Invalid("reason", "A rejection needs a reason.")
        version = await _into_review(db, actor, pa, version)
        await state.move(
            db,
            actor,
            pa,
            S.REJECTED,
            version=version,
            reason=data.reason,
            values={
                "decided_at": utcnow(),
                "decided_by": actor.id,
                "decision_reason": data.reason,
            },
        )
    await _announce_decision(db, pa)
    return read(pa)


async def _into_review(db: AsyncSession, actor: Actor, pa: Authorization, version: int) -> int:
    if pa.status is S.SUBMITTED:
        await state.move(db, actor, pa, S.IN_REVIEW, version=version)
        return pa.version
    return version


async def _approve(
    db: AsyncSession,
    actor: Actor,
    pa: Authorization,
    *,
    amount: int,
    valid_days: int,
    reason: str | None,
    version: int | None = None,
    rule_id: uuid.UUID | None = None,
) -> None:
    version = await _into_review(db, actor, pa, pa.version if version is None else version)
    code = await _new_code(db, pa.tenant_id)
    now = utcnow()
    await state.move(
        db,
        actor,
        pa,
        S.APPROVED,
        version=version,
        reason=reason,
        values={
            "approved_amount": amount,
            "auth_code": code,
            "valid_from": pa.created_at.date(),
            "valid_to": now.date() + timedelta(days=valid_days),
            "decided_at": now,
            "decided_by": actor.user_id,
            "decision_reason": reason,
            "matched_rule_id": rule_id,
        },
        details={
            "auth_code": code,
            "approved_amount": amount,
            "valid_days": valid_days,
            "rule_id": str(rule_id) if rule_id else None,
        },
    )


async def _new_code(db: AsyncSession, tenant_id: uuid.UUID) -> str:
    """`AUTH-` and 10 unambiguous characters (50 bits); unique per HMO (and constrained so)."""
    while True:
        code = "AUTH-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        taken = await db.scalar(
            select(Authorization.id).where(
                Authorization.tenant_id == tenant_id, Authorization.auth_code == code
            )
        )
        if taken is None:
            return code


async def _announce_decision(db: AsyncSession, pa: Authorization) -> None:
    verb = pa.status.value.lower()
    data = _data(pa)
    title = f"Pre-authorization {pa.number} {verb}"
    provider_data = {**data, "auth_code": pa.auth_code} if pa.auth_code else data
    await notify_provider_users(
        db, pa.provider_tenant_id, f"authorization.{verb}", title, data=provider_data
    )
    await notify_members(
        db, pa.tenant_id, [pa.enrollee_id], f"authorization.{verb}", title, data=data
    )


def _data(pa: Authorization) -> dict[str, Any]:
    return {
        "authorization_id": str(pa.id),
        "number": pa.number,
        "status": pa.status.value,
        "urgency": pa.urgency.value,
    }


async def appeal(
    db: AsyncSession, actor: Actor, pa_id: uuid.UUID, data: AppealCreate
) -> ProviderAuthorizationRead:
    """The provider appeals a rejection with new evidence: REJECTED → APPEALED, and back
    to IN_REVIEW with a fresh SLA clock; the history keeps every step."""
    pa = await load(db, actor, pa_id)
    if not by_provider(actor, pa):
        raise Forbidden("The provider that filed the pre-authorization appeals it.")
    await state.move(
        db, actor, pa, S.APPEALED, version=data.version, note=data.evidence, action="appealed"
    )
    settings = await load_settings(db, pa.tenant_id)
    now = utcnow()
    await state.move(
        db,
        actor,
        pa,
        S.IN_REVIEW,
        reason="Returned to review on appeal.",
        values={
            "sla_due_at": sla.due_at(now, settings, pa.urgency),
            "breached_at": None,
            "escalated_at": None,
            "decided_at": None,
            "decided_by": None,
            "decision_reason": None,
        },
        action="returned_to_review",
    )
    provider_name = await db.scalar(select(Provider.name).where(Provider.id == pa.provider_id))
    await notify_permission_holders(
        db,
        pa.tenant_id,
        state.DECIDE,
        "authorization.appealed",
        f"{provider_name} appealed the rejection of PA {pa.number}",
        data=_data(pa),
    )
    return provider_read(pa)


async def cancel(
    db: AsyncSession, actor: Actor, pa_id: uuid.UUID, data: Cancel
) -> AuthorizationRead | ProviderAuthorizationRead:
    """Either side withdraws an approval not yet used (its code then covers nothing)."""
    pa = await load(db, actor, pa_id)
    await state.move(db, actor, pa, S.CANCELLED, version=data.version, reason=data.reason)
    data_out = _data(pa)
    if by_provider(actor, pa):
        await notify_permission_holders(
            db,
            pa.tenant_id,
            state.DECIDE,
            "authorization.cancelled",
            f"PA {pa.number} cancelled by the provider",
            data=data_out,
        )
    else:
        await notify_provider_users(
            db,
            pa.provider_tenant_id,
            "authorization.cancelled",
            f"Pre-authorization {pa.number} cancelled",
            data=data_out,
        )
    return read_for(actor, pa)


# --- ghost patients ------------------------------------------------------------------------


async def report_not_me(db: AsyncSession, actor: Actor, pa_id: uuid.UUID, data: NotMe) -> NotMeRead:
    """The enrollee (or their principal) says the visit was not theirs: the PA is marked
    suspicious, a risk event is recorded, every claim citing its code is held, and the
    HMO's fraud staff are told. Reporting again changes nothing."""
    pa = await db.get(Authorization, pa_id)
    if pa is None or pa.tenant_id != actor.tenant_id or actor.enrollee_id is None:
        raise NotFound("No such pre-authorization.")
    enrollee = await db.get(Enrollee, pa.enrollee_id)
    assert enrollee is not None
    if actor.enrollee_id not in (enrollee.id, enrollee.principal_id):
        raise NotFound("No such pre-authorization.")
    now = utcnow()
    marked = await db.scalar(
        update(Authorization)
        .where(Authorization.id == pa.id, Authorization.suspicious.is_(False))
        .values(suspicious=True, reported_at=now, reported_by=actor.user_id)
        .returning(Authorization.id)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(pa)
    if marked is None:
        return NotMeRead(
            authorization_id=pa.id, number=pa.number, suspicious=True, reported_at=pa.reported_at
        )
    held = await _hold_claims(db, pa, on_hold=True)
    db.add(
        RiskEvent(
            tenant_id=pa.tenant_id,
            authorization_id=pa.id,
            rule=GHOST_PATIENT_RULE,
            weight=GHOST_PATIENT_WEIGHT,
            evidence={
                "reported_by": str(actor.user_id),
                "member_id": pa.member_id,
                "number": pa.number,
                "comment": data.comment,
                "held_claim_ids": [str(c) for c in held],
            },
        )
    )
    await state.record(
        db, actor, pa, "reported_not_me", details={"held_claim_ids": [str(c) for c in held]}
    )
    await notify_permission_holders(
        db,
        pa.tenant_id,
        "risk:manage",
        "authorization.not_me",
        f"Enrollee reports PA {pa.number} was not theirs",
        "Claims citing its auth code are held until the hold is cleared.",
        data={**_data(pa), "held_claim_ids": [str(c) for c in held]},
    )
    return NotMeRead(
        authorization_id=pa.id, number=pa.number, suspicious=True, reported_at=pa.reported_at
    )


async def clear_hold(
    db: AsyncSession, actor: Actor, pa_id: uuid.UUID, data: ClearHold
) -> AuthorizationRead:
    """Fraud staff clear a reported PA: its claims leave hold and its flags are cleared.
    The PA stays marked as reported."""
    pa = await load(db, actor, pa_id)
    if by_provider(actor, pa):
        raise Forbidden("The HMO clears fraud holds.")
    if not pa.suspicious or pa.hold_cleared_at is not None:
        raise Conflict("There is no hold to clear on this pre-authorization.", type="no-hold")
    now = utcnow()
    pa.hold_cleared_at, pa.hold_cleared_by = now, actor.user_id
    released = await _hold_claims(db, pa, on_hold=False)
    await db.execute(
        update(RiskEvent)
        .where(RiskEvent.authorization_id == pa.id, RiskEvent.cleared_at.is_(None))
        .values(cleared_at=now, cleared_by=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    await state.record(
        db,
        actor,
        pa,
        "hold_cleared",
        reason=data.reason,
        details={"released_claim_ids": [str(c) for c in released]},
    )
    return read(pa)


async def _hold_claims(db: AsyncSession, pa: Authorization, *, on_hold: bool) -> list[uuid.UUID]:
    """Holds (or releases) the claims citing the PA's code and re-ranks them in the review
    queue; each claim's version moves, so a reviewer's concurrent decision on one is stale
    (409)."""
    if pa.auth_code is None:
        return []
    # The scoring lock before the claims' row locks (see `core_api.claims.queue`).
    settings = await claims_queue.scoring_settings(db, pa.tenant_id)
    moved = list(
        (
            await db.scalars(
                update(Claim)
                .where(
                    Claim.tenant_id == pa.tenant_id,
                    Claim.auth_code == pa.auth_code,
                    Claim.on_hold.is_(not on_hold),
                )
                .values(on_hold=on_hold, version=Claim.version + 1)
                .returning(Claim.id)
                .execution_options(synchronize_session=False)
            )
        ).all()
    )
    await claims_queue.rescore_claims(db, pa.tenant_id, moved, settings)
    return moved


# --- claims citing a code ------------------------------------------------------------------


async def consume_for_claim(
    db: AsyncSession, actor: Actor, claim: Claim, item_codes: list[str]
) -> None:
    """Checks the auth code a new claim cites and uses it up (422 `auth-code-refused`
    when it does not cover the claim). The PA row is locked until the claim's
    transaction ends, so two claims citing one code cannot both use it. A claim citing
    the code of a PA reported "Not me" (and not cleared) is held."""
    if not claim.auth_code:
        return
    code = claim.auth_code.strip().upper()
    pa = await db.scalar(
        select(Authorization)
        .where(Authorization.tenant_id == claim.tenant_id, Authorization.auth_code == code)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if pa is None:
        raise AuthCodeRefused("No pre-authorization of this HMO has this auth code.")
    problem = _refusal(pa, claim, {c.strip().upper() for c in item_codes})
    if problem:
        raise AuthCodeRefused(problem)
    await state.move(
        db,
        actor,
        pa,
        S.USED,
        values={"used_at": utcnow(), "used_by_claim_id": claim.id},
        details={"claim_id": str(claim.id), "claim_number": claim.number},
    )
    claim.auth_code = code
    if pa.suspicious and pa.hold_cleared_at is None:
        claim.on_hold = True


def _refusal(pa: Authorization, claim: Claim, item_codes: set[str]) -> str | None:
    if pa.status is S.USED:
        return "The auth code was already used by another claim."
    if pa.status is not S.APPROVED:
        return f"The pre-authorization is {pa.status.value}, not APPROVED."
    if pa.enrollee_id != claim.enrollee_id:
        return "The auth code was issued for another member."
    if pa.provider_id != claim.provider_id:
        return "The auth code was issued to another provider."
    if pa.procedure_code not in item_codes:
        return f"No claim item is the authorized procedure {pa.procedure_code}."
    assert pa.valid_from is not None
    assert pa.valid_to is not None
    if not pa.valid_from <= claim.service_date <= pa.valid_to:
        return (
            f"The service date is outside the code's validity ({pa.valid_from} to {pa.valid_to})."
        )
    if pa.approved_amount is not None and claim.total_billed > pa.approved_amount:
        return f"The claim total exceeds the approved amount ({pa.approved_amount})."
    return None


async def for_claim(db: AsyncSession, claim: Claim) -> dict[str, Any] | None:
    """The PA a claim cites, for the adjudication view."""
    if not claim.auth_code:
        return None
    pa = await db.scalar(
        select(Authorization).where(
            Authorization.tenant_id == claim.tenant_id, Authorization.auth_code == claim.auth_code
        )
    )
    if pa is None:
        return None
    return {
        "id": pa.id,
        "number": pa.number,
        "status": pa.status.value,
        "auth_code": pa.auth_code,
        "urgency": pa.urgency.value,
        "procedure_code": pa.procedure_code,
        "approved_amount": pa.approved_amount,
        "valid_from": pa.valid_from,
        "valid_to": pa.valid_to,
        "used_by_claim_id": pa.used_by_claim_id,
        "matched_rule_id": pa.matched_rule_id,
        "suspicious": pa.suspicious,
        "hold_cleared_at": pa.hold_cleared_at,
    }


async def audit_attachment(
    db: AsyncSession, actor: Actor, pa: Authorization, attachment_id: uuid.UUID
) -> None:
    await state.record(db, actor, pa, "attachment_added", details={"id": str(attachment_id)})
