"""The demo history's world: the replay's clock helpers (Nigerian working hours), the
`Agenda` of timed steps, and what the replay knows of members, providers and staff
(`World`). See `core_api.seed_history`."""

from __future__ import annotations

import heapq
import itertools
import math
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.membership import enrollees, importer
from core_api.membership.schemas import ClientCreate, EnrolleeUpdate, StatusChange
from core_api.models import (
    Client,
    Enrollee,
    EnrolleeStatus,
    Plan,
    PlanBenefit,
    PlanVersion,
    ProviderType,
    Relationship,
    Sex,
)
from core_api.seed_catalog import Patient, age_on
from core_api.seed_people import Employer, Person, Roster, import_file
from shared import clock

WAT = timezone(timedelta(hours=1), "WAT")  # Nigeria's time: working hours are in it
HISTORY_DAYS = 364
RANDOM_SEED = 20_251_208


@dataclass(frozen=True, slots=True)
class Scale:
    """How much history to replay: `make run` takes `DEMO_SCALE`, the seed's test less."""

    families: int  # generated families per client when its scheme begins
    hires: float  # new families a month, over all clients
    care: float  # claims per member per month, before age and season


DEMO_SCALE = Scale(families=16, hires=1.2, care=0.07)


def history_start(today: date) -> date:
    """364 days ago: the demo's first members are covered from then, so the policy year in
    force today (benefit limits renew on its anniversary) holds the whole history."""
    return today - timedelta(days=HISTORY_DAYS)


# --- time --------------------------------------------------------------------------------


def at_work(day: date, rng: random.Random, first_hour: int = 8, last_hour: int = 17) -> datetime:
    """A moment of `day` between the hours given (Nigerian time), in UTC."""
    hour = rng.randint(first_hour, last_hour - 1)
    return datetime.combine(day, time(hour, rng.randint(0, 59)), WAT).astimezone(UTC)


def working_day(day: date, after: int) -> date:
    """The `after`-th working day after `day` (the day itself when 0 and a working day)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for _ in range(after):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def later(moment: datetime, rng: random.Random, low: int, high: int) -> datetime:
    """At work, `low` to `high` working days after `moment` (and after it on the day)."""
    day = working_day(moment.astimezone(WAT).date(), rng.randint(low, high))
    candidate = at_work(day, rng)
    return candidate if candidate > moment else within(moment, rng, 10, 120)


def within(moment: datetime, rng: random.Random, low_minutes: int, high_minutes: int) -> datetime:
    return moment + timedelta(minutes=rng.randint(low_minutes, high_minutes))


def month_after(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


Step = Callable[[], Awaitable[None]]


class Agenda:
    """Steps in time order, each run with the clock shifted to its moment."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        self.now = datetime.min.replace(tzinfo=UTC)  # the moment of the step running
        self._queue: list[tuple[datetime, int, Step]] = []
        self._order = itertools.count()

    def at(self, moment: datetime, step: Step) -> None:
        """Puts `step` at `moment` (never before the step running); a moment after the
        replay's end never comes."""
        moment = max(moment, self.now)
        if moment <= self.until:
            heapq.heappush(self._queue, (moment, next(self._order), step))

    async def run(self) -> None:
        while self._queue:
            self.now, _, step = heapq.heappop(self._queue)
            with clock.shifted_to(self.now):
                await step()


# --- the world ---------------------------------------------------------------------------


@dataclass(eq=False)
class Member:
    """What the replay knows of an enrollee (kept in step with the changes it makes)."""

    id: uuid.UUID
    member_id: str
    principal_id: uuid.UUID | None
    relationship: Relationship
    sex: Sex
    born: date
    last_name: str
    plan_code: str
    client_code: str
    covered_from: date
    status: EnrolleeStatus = EnrolleeStatus.ACTIVE
    cover_ends: date | None = None  # a termination or suspension planned from that day

    @property
    def family_id(self) -> uuid.UUID:
        return self.principal_id or self.id

    def covered_on(self, day: date) -> bool:
        return (
            self.status is EnrolleeStatus.ACTIVE
            and self.covered_from <= day
            and (self.cover_ends is None or day < self.cover_ends)
        )


@dataclass(frozen=True, slots=True)
class Desk:
    """A provider, acting through its front desk."""

    id: uuid.UUID
    slug: str
    name: str
    type: ProviderType
    state: str
    actor: Actor
    markup: float  # its prices against the tariff's


@dataclass(frozen=True, slots=True)
class Staff:
    admin: Actor
    adjudicator: Actor
    manager: Actor
    finance: Actor


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """A plan's benefit categories and their waiting periods (days), as in force."""

    benefits: frozenset[str]
    waiting_days: dict[str, int]


@dataclass(frozen=True, slots=True)
class Cardholder:
    """The demo enrollee: their portal login and their family's principal."""

    actor: Actor
    member_id: str


@dataclass(frozen=True, slots=True)
class Cast:
    """Who takes part, as `core_api.seed` set them up."""

    tenant_id: uuid.UUID
    staff: Staff
    desks: dict[str, Desk]
    cardholder: Cardholder
    primary_provider: dict[str, str]  # client code → slug of its primary provider
    employers: tuple[Employer, ...]  # clients with generated staff, covered from the start
    newcomer: tuple[ClientCreate, Employer]  # a client joining four months in


class World:
    """The replay's state: the session, the clock's end, the random generator, the cast
    and what the replay knows of the members (kept in step with what it changes)."""

    def __init__(
        self, db: AsyncSession, cast: Cast, scale: Scale, start: date, until: datetime
    ) -> None:
        self.db = db
        self.cast = cast
        self.scale = scale
        self.start = start
        self.agenda = Agenda(until)
        self.rng = random.Random(RANDOM_SEED)  # noqa: S311 -- demo data, not secrets
        self.roster = Roster(self.rng)
        self.members: dict[uuid.UUID, Member] = {}
        self.plans: dict[str, PlanFacts] = {}

    @property
    def today(self) -> date:
        return self.agenda.until.date()

    def family(self, member: Member) -> list[Member]:
        return [m for m in self.members.values() if m.family_id == member.family_id]

    def desk_of(self, provider_id: uuid.UUID) -> Desk:
        return next(d for d in self.cast.desks.values() if d.id == provider_id)

    def desk_for(self, member: Member, kind: ProviderType) -> Desk:
        """A provider of that kind in the member's state: their primary hospital three
        times in four, else another of the state's."""
        home = self.cast.desks[self.cast.primary_provider[member.client_code]]
        if kind is ProviderType.HOSPITAL and self.rng.random() < 0.75:
            return home
        choices = [d for d in self.cast.desks.values() if d.type is kind and d.state == home.state]
        return self.rng.choice(choices or [home])

    def patient(self, member: Member, day: date) -> Patient:
        return Patient(
            age_on(member.born, day),
            member.sex,
            member.relationship,
            self.plans[member.plan_code].benefits,
        )

    async def load_plans(self) -> None:
        """Learns the plans' benefits, so care is only for what a member's plan covers."""
        rows = await self.db.execute(
            select(Plan.code, PlanBenefit.category, PlanBenefit.waiting_period_days)
            .join(PlanVersion, PlanVersion.plan_id == Plan.id)
            .join(PlanBenefit, PlanBenefit.plan_version_id == PlanVersion.id)
            .where(PlanVersion.version_no == Plan.current_version_no)
        )
        by_plan: dict[str, dict[str, int]] = {}
        for code, category, waiting in rows:
            by_plan.setdefault(code, {})[category] = waiting
        self.plans = {code: PlanFacts(frozenset(waits), waits) for code, waits in by_plan.items()}

    async def enrol(self, people: list[Person]) -> None:
        """Imports `people` as the client's HR would, then learns them."""
        await importer.import_enrollees(
            self.db,
            self.cast.staff.admin,
            import_file(people),
            importer.ImportMode.ALL_OR_NOTHING,
        )
        await self.learn_members()

    async def learn_members(self) -> None:
        """The enrollees the replay does not know yet, each given their client's primary
        provider (capitation pays it for them)."""
        query = (
            select(Enrollee, Plan.code, Client.code)
            .join(Plan, Plan.id == Enrollee.plan_id)
            .join(Client, Client.id == Enrollee.client_id)
            .order_by(Enrollee.member_id)
        )
        if self.members:
            query = query.where(Enrollee.id.not_in(list(self.members)))
        for enrollee, plan_code, client_code in (await self.db.execute(query)).all():
            provider = self.cast.desks[self.cast.primary_provider[client_code]]
            change = EnrolleeUpdate(version=enrollee.version, primary_provider_id=provider.id)
            await enrollees.update_enrollee(self.db, self.cast.staff.admin, enrollee.id, change)
            self.members[enrollee.id] = Member(
                enrollee.id,
                enrollee.member_id,
                enrollee.principal_id,
                enrollee.relationship,
                enrollee.sex,
                enrollee.date_of_birth,
                enrollee.last_name,
                plan_code,
                client_code,
                enrollee.coverage_start,
            )

    async def change_status(
        self, member: Member, status: EnrolleeStatus, day: date, reason: str
    ) -> None:
        """Mirrors the service: a principal leaving or suspended takes their dependants
        along; a return to ACTIVE is each person's own."""
        change = StatusChange(status=status, effective_date=day, reason=reason)
        await enrollees.change_status(self.db, self.cast.staff.admin, member.id, change)
        member.status = status
        if member.relationship is Relationship.PRINCIPAL and status is not EnrolleeStatus.ACTIVE:
            for dependant in self.family(member):
                if status in enrollees.ALLOWED_STATUS_MOVES[dependant.status]:
                    dependant.status = status


def poisson(rng: random.Random, mean: float) -> int:
    """A count of events averaging `mean` (Knuth's method, for small means)."""
    count, product, floor = 0, rng.random(), math.exp(-mean)
    while product > floor:
        count += 1
        product *= rng.random()
    return count
