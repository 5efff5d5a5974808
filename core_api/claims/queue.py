"""The review queue: open claims ranked by one number kept on the row.

`queue_score` is stored on the claim and served from the partial index
`ix_claims_queue (tenant_id, queue_score, id) WHERE status IN (open)`, read backwards,
so a page costs the same with ten claims or ten million. Higher is reviewed sooner:

    score = tier * 10^12                      payer rules: 2 on hold, 1 flagged, 0 others
          + risk_score * 10_000               risk 0..100 → up to 1,000,000
          + value_points                      floor(log2(naira + 1)) * 20,000, with
                                              naira = total_billed // 100
          - day_number * (1,000,000 // sla)   day_number = days from 2020-01-01 to the
                                              UTC day the claim was received (else
                                              submitted)

The last term is what keeps the ranking index-friendly without rewriting rows as time
passes: between two claims, the one received d days earlier is ahead by
d * 1,000,000 / claim_sla_days points, i.e. waiting one full SLA period (14 days by
default) is worth as much as a risk score of 100. Every row carries the same "minus
today" offset, so it cancels out of any comparison and no row needs an update at
midnight. A claim is "flagged" when its risk score reaches `risk_thresholds.flag_score`
(default 50).

The formula exists once, as the SQL expression `score_sql(settings)` over the claim's
columns, so PostgreSQL computes every stored score. The score changes only when its
inputs change: submission (risk and value), RECEIVED (the SLA clock starts), a risk flag
being cleared (`rescore(db, claim)`: one `UPDATE … RETURNING`), a "Not me" hold being set
or cleared on the claims citing an auth code (`rescore_claims`: one set-based `UPDATE` of
those claims), and a settings change to `claim_sla_days` or `flag_score` (`rescore_open`:
one set-based `UPDATE` of the tenant's open claims, in the settings change's
transaction).

A settings change and a rescore must not interleave (a rescore computed with the old
settings and committed after the bulk update would stay stale), so they share a
transaction-scoped advisory lock per tenant: the settings change holds it exclusively,
`scoring_settings` shares it and reads the settings fresh. Take it before locking an
open claim's row (`rescore` does so itself before it flushes), or a settings change
waiting on that row would deadlock with you.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CursorResult,
    Date,
    TextClause,
    case,
    cast,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import AliasedClass

from core_api.auth.actor import Actor
from core_api.kit.pagination import By, Keyset, PageParams
from core_api.models.claim import Claim, ClaimStatus
from core_api.models.settings import TenantSettings
from core_api.tenants.settings import DEFAULT_CLAIM_SLA_DAYS, load_settings

EPOCH = date(2020, 1, 1)
TIER = 10**12
RISK_POINTS = 10_000
VALUE_POINTS_PER_DOUBLING = 20_000
SLA_POINTS = 1_000_000
FLAG_SCORE = 50
HOLD_TIER, FLAG_TIER = 2, 1
# The partial index's predicate, written out literally so the planner can match it
# even with a generic (parameterised) plan.
OPEN_SQL = "claims.status in ('RECEIVED', 'IN_REVIEW', 'RESUBMITTED')"


class QueueEntry(BaseModel):
    id: uuid.UUID
    number: str
    status: ClaimStatus
    member_id: str
    provider_id: uuid.UUID
    service_date: date
    billing_month: str
    total_billed: int
    currency: str
    risk_score: int
    on_hold: bool
    flagged: bool
    received_at: datetime | None
    age_days: int
    sla_due_on: date
    overdue: bool
    assigned_to: uuid.UUID | None
    assigned_at: datetime | None
    queue_score: int
    version: int


class QueueSettings(Protocol):
    """The settings a queue entry reads: `TenantSettings`, or a row of the queue page."""

    @property
    def claim_sla_days(self) -> int: ...
    @property
    def risk_thresholds(self) -> dict[str, Any]: ...


# What `score_sql` reads the columns of: the claims table, or an alias of it.
ScoredClaim = type[Claim] | AliasedClass[Claim]


def flag_score(settings: QueueSettings) -> int:
    stored = (settings.risk_thresholds or {}).get("flag_score")
    return int(stored) if isinstance(stored, int | float) else FLAG_SCORE


def clock_start(claim: QueuedClaim) -> date:
    """The day the SLA clock started: received, else submitted, else today."""
    moment = claim.received_at or claim.created_at
    return moment.astimezone(UTC).date() if moment else datetime.now(UTC).date()


def age_points_per_day(settings: QueueSettings) -> int:
    return SLA_POINTS // max(settings.claim_sla_days or DEFAULT_CLAIM_SLA_DAYS, 1)


def _big(value: int) -> ColumnElement[int]:
    # Typed, so the bound parameter is a bigint (asyncpg would cast a bare int to integer).
    return literal(value, BigInteger)


# floor(log2(n)) for 1 <= n < 2^63 as width_bucket(n, [2^0, 2^1, ..., 2^62]) - 1:
# width_bucket counts the bounds <= n with integer comparisons only, so it is exact at
# every power of two and just below it. (log(2, n) rounds: PostgreSQL's numeric
# floor(log(2, 2^53 - 1)) is 53, and in double precision it goes wrong from 2^49 - 1.)
POWERS_OF_TWO = tuple(2**k for k in range(63))


def score_sql(settings: QueueSettings, claim: ScoredClaim = Claim) -> ColumnElement[int]:
    """The queue score (module docstring) as one SQL expression over the claim's columns.

    `settings` contributes two numbers, bound as parameters: the flag score and the
    points per day of waiting. `claim` is `Claim`, or an alias of it over other rows
    (tests evaluate the formula over a VALUES list).
    """
    tier = case(
        (claim.on_hold, _big(HOLD_TIER * TIER)),
        (claim.risk_score >= flag_score(settings), _big(FLAG_TIER * TIER)),
        else_=_big(0),
    )
    # bigint / bigint: PostgreSQL's integer division (`//` would wrap it in floor(),
    # which goes through double precision and is inexact above 2^53).
    naira = func.greatest(claim.total_billed, _big(0)).op("/", return_type=BigInteger)(_big(100))
    log2 = func.width_bucket(naira + _big(1), literal(list(POWERS_OF_TWO), ARRAY(BigInteger))) - 1
    received = func.coalesce(claim.received_at, claim.created_at)
    day_number = cast(func.timezone("UTC", received), Date) - literal(EPOCH, Date)
    return (
        tier
        + claim.risk_score * _big(RISK_POINTS)
        + log2 * _big(VALUE_POINTS_PER_DOUBLING)
        - day_number * _big(age_points_per_day(settings))
    )


def settings_lock(tenant_id: uuid.UUID) -> ColumnElement[int]:
    """The key of the per-tenant advisory lock between settings changes and rescores."""
    return func.hashtextextended(f"queue-settings:{tenant_id}", 0)


async def scoring_settings(db: AsyncSession, tenant_id: uuid.UUID) -> TenantSettings:
    """The tenant's settings, read fresh under the shared scoring lock (held until the
    transaction ends), so a concurrent settings change either waits for this rescore or
    has committed before it reads. Call it before locking an open claim's row."""
    connection = await db.connection()  # not `db.execute`: no autoflush before the lock
    await connection.execute(select(func.pg_advisory_xact_lock_shared(settings_lock(tenant_id))))
    stored = await db.scalar(
        select(TenantSettings)
        .where(TenantSettings.tenant_id == tenant_id)
        .execution_options(populate_existing=True)
    )
    return stored or await load_settings(db, tenant_id)


async def lock_for_settings_change(db: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Takes the scoring lock exclusively (before the settings row is read): rescores
    wait until the settings change, and its `rescore_open`, commit."""
    connection = await db.connection()
    await connection.execute(select(func.pg_advisory_xact_lock(settings_lock(tenant_id))))


async def rescore(db: AsyncSession, claim: Claim, settings: TenantSettings | None = None) -> int:
    """Recomputes and stores the claim's queue score (call after its inputs change).

    Pending changes to the claim are flushed first, so the score reads them. Pass
    `settings` only if they came from `scoring_settings` in this transaction."""
    settings = settings or await scoring_settings(db, claim.tenant_id)
    await db.flush()
    stored = await db.scalar(
        update(Claim)
        .where(Claim.id == claim.id, Claim.tenant_id == claim.tenant_id)
        .values(queue_score=score_sql(settings))
        .returning(Claim.queue_score)
        .execution_options(synchronize_session=False)
    )
    assert stored is not None
    set_committed_value(claim, "queue_score", stored)
    return stored


async def rescore_open(db: AsyncSession, tenant_id: uuid.UUID, settings: TenantSettings) -> int:
    """Re-ranks every open claim of the tenant with `settings`, in one set-based UPDATE
    (rows whose score does not move are not rewritten); returns how many moved. The
    caller holds `lock_for_settings_change`."""
    return await _rescore_where(db, settings, Claim.tenant_id == tenant_id, text(OPEN_SQL))


async def rescore_claims(
    db: AsyncSession, tenant_id: uuid.UUID, claim_ids: list[uuid.UUID], settings: TenantSettings
) -> int:
    """`rescore` for many claims at once, in one set-based UPDATE, after an input of theirs
    changed in bulk; returns how many moved. `settings` come from `scoring_settings` in
    this transaction, taken before the claims' rows were locked."""
    if not claim_ids:
        return 0
    return await _rescore_where(db, settings, Claim.tenant_id == tenant_id, Claim.id.in_(claim_ids))


async def _rescore_where(
    db: AsyncSession, settings: TenantSettings, *where: ColumnElement[bool] | TextClause
) -> int:
    score = score_sql(settings)
    result = await db.execute(
        update(Claim)
        .where(*where, Claim.queue_score != score)
        .values(queue_score=score)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount


class QueuedClaim(Protocol):
    """What a queue entry reads of a claim: a `Claim`, or a row of `ENTRY_COLUMNS`."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def number(self) -> str: ...
    @property
    def status(self) -> ClaimStatus: ...
    @property
    def member_id(self) -> str: ...
    @property
    def provider_id(self) -> uuid.UUID: ...
    @property
    def service_date(self) -> date: ...
    @property
    def billing_month(self) -> date: ...
    @property
    def total_billed(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def risk_score(self) -> int: ...
    @property
    def on_hold(self) -> bool: ...
    @property
    def received_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def assigned_to(self) -> uuid.UUID | None: ...
    @property
    def assigned_at(self) -> datetime | None: ...
    @property
    def queue_score(self) -> int: ...
    @property
    def version(self) -> int: ...


# The queue page reads just these columns as plain rows: no ORM objects to build.
ENTRY_COLUMNS = (
    Claim.id,
    Claim.number,
    Claim.status,
    Claim.member_id,
    Claim.provider_id,
    Claim.service_date,
    Claim.billing_month,
    Claim.total_billed,
    Claim.currency,
    Claim.risk_score,
    Claim.on_hold,
    Claim.received_at,
    Claim.created_at,
    Claim.assigned_to,
    Claim.assigned_at,
    Claim.queue_score,
    Claim.version,
)


# Each page row also carries the tenant's settings (one round trip for the page).
SETTINGS_COLUMNS = (
    func.coalesce(TenantSettings.claim_sla_days, DEFAULT_CLAIM_SLA_DAYS).label("claim_sla_days"),
    TenantSettings.risk_thresholds,
)


def sla_due(claim: QueuedClaim, settings: QueueSettings) -> date:
    return clock_start(claim) + timedelta(days=settings.claim_sla_days)


def describe(claim: QueuedClaim, settings: QueueSettings, today: date) -> QueueEntry:
    """The queue entry: the claim plus why it sits where it does. Built without validation
    (`model_construct`): every field comes from a stored claim, typed by the model."""
    due = sla_due(claim, settings)
    return QueueEntry.model_construct(
        id=claim.id,
        number=claim.number,
        status=claim.status,
        member_id=claim.member_id,
        provider_id=claim.provider_id,
        service_date=claim.service_date,
        billing_month=claim.billing_month.strftime("%Y-%m"),
        total_billed=claim.total_billed,
        currency=claim.currency,
        risk_score=claim.risk_score,
        on_hold=claim.on_hold,
        flagged=claim.risk_score >= flag_score(settings),
        received_at=claim.received_at,
        age_days=(today - clock_start(claim)).days,
        sla_due_on=due,
        overdue=today > due,
        assigned_to=claim.assigned_to,
        assigned_at=claim.assigned_at,
        queue_score=claim.queue_score,
        version=claim.version,
    )


RANKED = Keyset(
    By(Claim.queue_score, int, descending=True), By(Claim.id, uuid.UUID, descending=True)
)


async def page(
    db: AsyncSession, actor: Actor, params: PageParams
) -> tuple[list[QueueEntry], str | None]:
    """Open claims, highest score first (ties: newest id first), keyset-paginated."""
    tenant_id = actor.require_tenant()
    query = (
        select(*ENTRY_COLUMNS, *SETTINGS_COLUMNS)
        .outerjoin(TenantSettings, TenantSettings.tenant_id == Claim.tenant_id)
        .where(Claim.tenant_id == tenant_id, text(OPEN_SQL))
    )
    found = (await (await db.connection()).execute(RANKED.apply(query, params))).all()
    rows, cursor = RANKED.page(found, params.limit)
    today = datetime.now(UTC).date()
    return [describe(row, row, today) for row in rows], cursor
