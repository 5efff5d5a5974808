"""A year of believable history for the demo HMO, replayed through the services.

The replay is a discrete-event simulation. Every step — a claim filed, received, reviewed
and decided; a PA filed, decided or appealed; a month's settlement and capitation runs; a
payment, a dispute; staff joining a client's scheme, leaving it or suspended — is put on an
`Agenda` at the moment it happens, and the agenda runs the steps in time order with the
clock shifted to each one's moment (`shared.clock.shifted_to`). So every timestamp, id,
audit entry, SLA timer, benefit balance and fraud check is as of that moment, and each step
goes through the same service functions as the API. Steps schedule their follow-ups (a
claim received today is reviewed tomorrow); a step due after now never runs, which is what
leaves today's work open: claims awaiting review, PAs awaiting a decision, runs awaiting
payment. The random generator has a fixed seed, so a replay on the same day is the same.

What happens, in outline (the rates are in `Scale` and `core_api.seed_catalog`):

- membership: the clients' staff and families are covered from `history_start`, another
  client joins four months in, new hires and newborns arrive monthly, a few principals
  leave (terminated with their dependants) or are suspended for a month or two;
- care: each day every covered member may fall ill (by age and season) and see a
  provider in their state; everyday care is claimed directly, admissions, surgery,
  deliveries, MRI and physiotherapy are pre-authorized first (auto-approval rules,
  reviewers, rejections, appeals), and the claim cites the auth code;
- adjudication: claims are received, reviewed and mostly approved (some cut to tariff,
  some queried first, some rejected, a few left waiting past the claim SLA); fraud flags
  are cleared as false positives or confirmed by rejecting the claim; a few claims are
  duplicates or come after the member left, and are rejected;
- money: a settlement run per month for the claims approved by then, approved and paid
  remittance by remittance (some in two instalments), providers disputing a few cut lines;
  a capitation run per month, approved and paid;
- the demo enrollee's family: a visit every month, an auto-approved referral, an MRI
  approved on appeal, two emergency PAs reported "Not me" (one a confirmed ghost patient,
  one cleared);
- today: a claim in each status short of settlement and a PA of each urgency, filed in the
  last hours;
- jobs: the PA SLA job marks each breach as it falls due and expires unused codes every
  evening.
"""

from __future__ import annotations

import enum
import heapq
import itertools
import math
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import partial
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.authorizations import service as authorizations
from core_api.authorizations import sla
from core_api.authorizations.schemas import (
    AppealCreate,
    AuthorizationCreate,
    ClearHold,
    Decision,
    DecisionKind,
    NotMe,
)
from core_api.capitation import service as capitation
from core_api.capitation.schemas import CapitationPayment
from core_api.claims import service as claims
from core_api.claims.schemas import ClaimCreate, ItemCreate, LineDecision, Transition
from core_api.db import APP_ROLE
from core_api.disputes import service as disputes
from core_api.disputes.schemas import DisputeCreate, Outcome, Resolution
from core_api.errors import Invalid
from core_api.finance import service as settlement
from core_api.finance.schemas import RemittanceRead, RunCreate
from core_api.members import checkins
from core_api.members.schemas import CheckInCreate
from core_api.membership import clients, enrollees, importer
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
from core_api.models.authorization import AuthorizationStatus, Urgency
from core_api.models.claim import Claim, ClaimStatus, RiskEvent
from core_api.risk import service as risk
from core_api.risk.schemas import RiskEventClear
from core_api.seed_catalog import (
    AUTHORIZED_EPISODES,
    EPISODES,
    KOBO,
    Authorized,
    Episode,
    Patient,
    age_on,
    propensity,
)
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


# --- membership --------------------------------------------------------------------------


# A covered principal's chance, each month, to leave the company or to be suspended.
LEAVING = 0.008
SUSPENDED = 0.003


class Membership:
    """Who is covered when: the workforce, a client joining, new hires and newborns,
    leavers and suspensions."""

    def __init__(self, world: World, care: Care) -> None:
        self.world = world
        self.care = care
        self.months = 0  # monthly changes made so far

    async def begin(self) -> None:
        """Learns the named roster and enrols the clients' generated staff, covered from
        the start; schedules the newcomer client and each month's changes."""
        world = self.world
        await world.learn_members()
        await world.enrol(
            [
                person
                for employer in world.cast.employers
                for person in world.roster.families(employer, world.scale.families, world.start)
            ]
        )
        joins = world.start.replace(day=1)
        for _ in range(4):
            joins = month_after(joins)
        world.agenda.at(
            at_work(joins - timedelta(days=10), world.rng), partial(self._onboard, joins)
        )
        month = month_after(world.start.replace(day=1))
        while month <= world.today:
            world.agenda.at(at_work(working_day(month, 2), world.rng), self._month_of_changes)
            month = month_after(month)

    async def _onboard(self, joins: date) -> None:
        world = self.world
        client, employer = world.cast.newcomer
        since = client.model_copy(update={"covered_since": joins})
        await clients.create_client(world.db, world.cast.staff.admin, since)
        await world.enrol(world.roster.families(employer, world.scale.families, joins))

    async def _month_of_changes(self) -> None:
        """HR's monthly file, and the month's leavers and suspensions."""
        today = clock.now().date()
        await self._hr_file(today)
        principals = self._principals_covered(today)
        rng = self.world.rng
        for principal in principals:
            roll = rng.random()
            if roll < LEAVING + SUSPENDED:
                self._plan_change(principal, self._leave if roll < LEAVING else self._suspend)
        self.months += 1
        # Besides the random ones, one surely leaves in the third month and one is
        # suspended in the sixth, so every history has both.
        sure = {3: self._leave, 6: self._suspend}.get(self.months)
        if sure is not None and principals:
            self._plan_change(rng.choice(principals), sure)

    async def _hr_file(self, today: date) -> None:
        """New hires covered from the 1st, now and then a newborn covered from birth."""
        world, rng = self.world, self.world.rng
        first = today.replace(day=1)
        covered = {m.client_code for m in world.members.values() if m.covered_from <= first}
        employers = [
            e for e in (*world.cast.employers, world.cast.newcomer[1]) if e.code in covered
        ]
        people: list[Person] = []
        for _ in range(poisson(rng, world.scale.hires)):
            people += world.roster.families(rng.choice(employers), 1, first)
        mother = self._mother(today)
        if mother is not None and rng.random() < 0.35:
            principal = world.members[mother.family_id]
            # Born in the last weeks, and covered with the family (not before it was).
            born = max(today - timedelta(days=rng.randint(3, 20)), principal.covered_from)
            people.append(world.roster.newborn(principal.member_id, principal.last_name, born))
        if people:
            await world.enrol(people)

    def _plan_change(self, principal: Member, change: Callable[[Member], Awaitable[None]]) -> None:
        """`change` befalls the principal's family within three weeks; no visit is planned
        for them from that day on."""
        rng = self.world.rng
        when = at_work(clock.now().date() + timedelta(days=rng.randint(1, 20)), rng)
        for member in self.world.family(principal):
            member.cover_ends = when.date()
        self.world.agenda.at(when, partial(change, principal))

    def _principals_covered(self, day: date) -> list[Member]:
        """Those who may leave or be suspended (never the demo cardholder)."""
        return [
            m
            for m in self.world.members.values()
            if m.relationship is Relationship.PRINCIPAL
            and m.covered_on(day)
            and m.member_id != self.world.cast.cardholder.member_id
        ]

    def _mother(self, day: date) -> Member | None:
        """A covered woman of 22 to 40 whose family is covered and has room for another
        child."""
        members = self.world.members
        candidates = [
            m
            for m in members.values()
            if m.covered_on(day)
            and members[m.family_id].covered_on(day)
            and m.relationship is not Relationship.CHILD
            and m.sex is Sex.F
            and 22 <= age_on(m.born, day) <= 40
            and sum(k.relationship is Relationship.CHILD for k in self.world.family(m)) < 3
        ]
        return self.world.rng.choice(candidates) if candidates else None

    async def _leave(self, principal: Member) -> None:
        world = self.world
        if principal.status is EnrolleeStatus.TERMINATED:
            return
        await world.change_status(
            principal, EnrolleeStatus.TERMINATED, clock.now().date(), "Left the company."
        )
        if world.rng.random() < 0.3:  # their hospital bills a visit after they left
            world.agenda.at(
                later(clock.now(), world.rng, 2, 8),
                partial(self.care.visit_after_leaving, principal),
            )

    async def _suspend(self, principal: Member) -> None:
        world = self.world
        if principal.status is not EnrolleeStatus.ACTIVE:
            return
        today = clock.now().date()
        family = [m for m in world.family(principal) if m.status is EnrolleeStatus.ACTIVE]
        await world.change_status(
            principal, EnrolleeStatus.SUSPENDED, today, "Unpaid leave: cover paused."
        )
        back = at_work(today + timedelta(days=world.rng.randint(30, 60)), world.rng)
        world.agenda.at(back, partial(self._reactivate, family))

    async def _reactivate(self, family: list[Member]) -> None:
        today = clock.now().date()
        for member in family:
            member.cover_ends = None
            if member.status is EnrolleeStatus.SUSPENDED:
                await self.world.change_status(
                    member, EnrolleeStatus.ACTIVE, today, "Back from unpaid leave."
                )


def poisson(rng: random.Random, mean: float) -> int:
    """A count of events averaging `mean` (Knuth's method, for small means)."""
    count, product, floor = 0, rng.random(), math.exp(-mean)
    while product > floor:
        count += 1
        product *= rng.random()
    return count


# --- care: claims and PAs ----------------------------------------------------------------


class Path(enum.Enum):
    """What becomes of a claim once reviewed."""

    APPROVE = "approve"
    CUT = "cut"  # approved with a line cut to tariff
    QUERY = "query"  # queried, answered by the provider, then approved
    UNANSWERED = "unanswered"  # queried and never answered
    REJECT = "reject"
    STALL = "stall"  # left in review for weeks, past the claim SLA, then approved


EVERYDAY_PATHS = (
    (Path.APPROVE, 68),
    (Path.CUT, 13),
    (Path.QUERY, 7),
    (Path.REJECT, 7),
    (Path.STALL, 4),
    (Path.UNANSWERED, 1),
)
AUTHORIZED_PATHS = ((Path.APPROVE, 85), (Path.CUT, 10), (Path.QUERY, 5))
REJECTIONS = (
    "No referral from the primary provider for this service.",
    "The medication billed is not on the HMO formulary.",
    "The diagnosis does not support the services billed.",
    "Services were rendered to a person other than the member on the card.",
)
QUERIES = (
    "Please attach the laboratory result.",
    "Please send the prescription and the clinician's notes.",
    "Please confirm the dates of the visit.",
)
# The share of hospital visits the front desk checks in (the rest are claimed only).
CHECK_IN_SHARE = 0.4
# The claims a claims officer approves alone; larger ones go to the Claims Manager.
ADJUDICATOR_LIMIT = 450_000 * KOBO
# How long a reviewer takes to decide a PA, in minutes (usually, and when late).
PA_DECISION_MINUTES = {
    Urgency.EMERGENCY: ((8, 50), (70, 180)),
    Urgency.URGENT: ((60, 20 * 60), (25 * 60, 40 * 60)),
    Urgency.ROUTINE: ((4 * 60, 60 * 60), (75 * 60, 120 * 60)),
}
PA_REJECTIONS = {
    "MRI-01": "Conservative treatment first: six weeks of physiotherapy before imaging.",
    "PHYSIO-10": "No referral from the treating orthopaedic surgeon.",
    "ADM-WARD": "Outpatient treatment is adequate for this presentation.",
    "CONS-02": "Please see the primary care physician first.",
}
APPEALS = {
    "MRI-01": "Six weeks of physiotherapy completed without relief; report attached.",
    "PHYSIO-10": "Referral letter from Dr. Bello (orthopaedics) attached.",
}


def chosen(rng: random.Random, weighted: tuple[tuple[Path, int], ...]) -> Path:
    return rng.choices([p for p, _ in weighted], [w for _, w in weighted])[0]


@dataclass(eq=False)
class ClaimCase:
    """A claim the replay files and follows through adjudication."""

    desk: Desk
    member: Member
    form: ClaimCreate
    path: Path
    reason: str = ""  # a rejection's
    suspect: bool = False  # a duplicate, or care after leaving: rejected when reviewed
    stop: ClaimStatus | None = None  # nothing more once it gets there (today's open claims)
    hurry: bool = False  # minutes between steps rather than days
    id: uuid.UUID | None = None
    number: str = ""
    version: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)
    answered: bool = False


@dataclass(eq=False)
class PaCase:
    """A PA the replay files, and the care it covers once approved."""

    desk: Desk
    member: Member
    episode: Episode
    lines: list[ItemCreate]
    stay: int  # days admitted (0: not admitted)
    estimate: int
    # A scripted story (the cardholder's family): the reviewers' decisions in order, and
    # what happens hours after filing (a "Not me" report). Its care always happens.
    verdicts: list[DecisionKind] | None = None
    after_filing: Callable[[PaCase], Awaitable[None]] | None = None
    id: uuid.UUID | None = None
    appealed: bool = False
    filed_on: date | None = None  # the code is valid from that day
    denied: bool = False  # reported "Not me", and not cleared

    @property
    def authorized(self) -> Authorized:
        assert self.episode.authorized is not None
        return self.episode.authorized


class Care:
    """Each day's patients, their claims and PAs, and how the HMO handles them."""

    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def staff(self) -> Staff:
        return self.world.cast.staff

    def begin(self) -> None:
        """Each day's patients are drawn at its midnight."""
        world = self.world
        day = world.start
        while day <= world.today:
            world.agenda.at(
                datetime.combine(day, time(0), WAT).astimezone(UTC), partial(self._day, day)
            )
            day += timedelta(days=1)

    async def _day(self, day: date) -> None:
        """Every covered member may fall ill, the more so young and old, in the rains and
        the harmattan, and on weekdays."""
        world = self.world
        chance = world.scale.care / 30 * SEASON[day.month] * (0.5 if day.weekday() >= 5 else 1.2)
        for member in list(world.members.values()):
            if not member.covered_on(day):
                continue
            if world.rng.random() < chance * propensity(age_on(member.born, day)):
                self._encounter(member, day)

    def _encounter(self, member: Member, day: date) -> None:
        """An episode that suits the member, seen by a provider of their state: everyday
        care is visited and claimed; other care is pre-authorized first (an emergency at
        any hour, the rest in working hours)."""
        world = self.world
        episode = self._episode(member, day, EPISODES + AUTHORIZED_EPISODES)
        if episode is None:
            return
        desk = world.desk_for(member, episode.where)
        if episode.authorized is None:
            self.visit(member, day, desk, episode)
            return
        case = self.pa_case(member, desk, episode, day)
        if case.authorized.urgency is Urgency.EMERGENCY:
            midnight = datetime.combine(day, time(0), WAT).astimezone(UTC)
            filed = within(midnight, world.rng, 0, 24 * 60 - 1)
        else:
            filed = at_work(day, world.rng)
        world.agenda.at(filed, partial(self.file_pa, case))

    def visit(
        self,
        member: Member,
        day: date,
        desk: Desk,
        episode: Episode | None = None,
        *,
        check_in: float = CHECK_IN_SHARE,
    ) -> None:
        """Everyday care at `desk` (an episode that suits the member, unless given), claimed
        without a PA; a hospital's front desk checks the member in for part of its visits
        (`check_in`: the share)."""
        world = self.world
        episode = episode or self._episode(member, day, EPISODES)
        if episode is None:
            return
        seen = at_work(day, world.rng, 8, 18)
        if desk.type is ProviderType.HOSPITAL and world.rng.random() < check_in:
            world.agenda.at(seen, partial(self._check_in, member, desk, episode))
        self.file(self.claim_case(desk, member, episode, day), _filing_moment(seen, world.rng))

    async def _check_in(self, member: Member, desk: Desk, episode: Episode) -> None:
        """The desk checks the member in (the eligibility check for the visit's benefit)."""
        main_benefit = episode.bills[0][0].category
        visit = CheckInCreate(member_id=member.member_id, benefit_category=main_benefit)
        await checkins.record(self.world.db, desk.actor, visit, None)

    def _episode(self, member: Member, day: date, catalog: tuple[Episode, ...]) -> Episode | None:
        """An episode that suits the member and their plan's benefits, past the benefits'
        waiting periods (maternity's)."""
        world = self.world
        patient = world.patient(member, day)
        waits = world.plans[member.plan_code].waiting_days
        fitting = [
            e
            for e in catalog
            if e.suits(patient)
            and all(member.covered_from + timedelta(days=waits[c]) <= day for c in e.categories)
        ]
        if not fitting:
            return None
        return world.rng.choices(fitting, [e.weight_in(day.month) for e in fitting])[0]

    def claim_case(self, desk: Desk, member: Member, episode: Episode, day: date) -> ClaimCase:
        rng = self.world.rng
        form = ClaimCreate(
            member_id=member.member_id,
            provider_id=desk.id,
            service_date=day,
            diagnosis_codes=[episode.diagnosis],
            items=episode.bill(rng, desk.markup, 1),
        )
        return ClaimCase(desk, member, form, chosen(rng, EVERYDAY_PATHS), rng.choice(REJECTIONS))

    def pa_case(self, member: Member, desk: Desk, episode: Episode, day: date) -> PaCase:
        """The PA for `episode`: the bill drawn now (the claim sends it), the estimate up
        to a quarter above it, in whole thousands."""
        rng = self.world.rng
        stay = rng.randint(*episode.stay) if episode.stay else 0
        lines = episode.bill(rng, desk.markup, max(stay, 1))
        total = sum(line.quantity * line.unit_price for line in lines)
        thousand = 1000 * KOBO
        estimate = math.ceil(total * rng.uniform(1.0, 1.25) / thousand) * thousand
        return PaCase(desk, member, episode, lines, stay, estimate)

    # --- a claim's life --------------------------------------------------------------

    def file(self, case: ClaimCase, moment: datetime) -> None:
        self.world.agenda.at(moment, partial(self._file, case))

    def _next(self, case: ClaimCase, low: int, high: int, step: Step) -> None:
        """The claim's next step, `low` to `high` working days on (minutes when hurried)."""
        world, now = self.world, clock.now()
        moment = within(now, world.rng, 5, 25) if case.hurry else later(now, world.rng, low, high)
        world.agenda.at(moment, step)

    async def _file(self, case: ClaimCase) -> None:
        """Files the claim, and now and then its echo (`_echo`)."""
        world = self.world
        _, answer = await claims.submit(world.db, case.desk.actor, case.form, None)
        case.id, case.number = uuid.UUID(answer["id"]), answer["number"]
        case.version, case.items = int(answer["version"]), answer["items"]
        if case.stop is not ClaimStatus.SUBMITTED:
            self._next(case, 0, 1, partial(self._move, case, ClaimStatus.RECEIVED, self._received))
        if not case.suspect and case.form.auth_code is None and case.stop is None:
            self._echo(case)

    def _echo(self, case: ClaimCase) -> None:
        """A hospital now and then files an everyday claim again days later (flagged as
        duplicate billing, and rejected); a pharmacy refills a prescription a day or two
        early (flagged as a near duplicate, and cleared: the first pack was lost)."""
        world, rng = self.world, self.world.rng
        if case.desk.type is ProviderType.HOSPITAL and rng.random() < 0.03:
            reason = f"Exact duplicate of {case.number}, already billed."
            twin = ClaimCase(case.desk, case.member, case.form, Path.REJECT, reason, suspect=True)
            self.file(twin, later(clock.now(), rng, 2, 6))
        elif case.desk.type is ProviderType.PHARMACY and rng.random() < 0.06:
            refill_day = case.form.service_date + timedelta(days=rng.randint(1, 2))
            if refill_day <= world.today:
                form = case.form.model_copy(update={"service_date": refill_day})
                refill = ClaimCase(case.desk, case.member, form, Path.APPROVE)
                self.file(refill, later(at_work(refill_day, rng), rng, 0, 1))

    async def _move(
        self,
        case: ClaimCase,
        to: ClaimStatus,
        then: Callable[[ClaimCase], None] | None = None,
        *,
        actor: Actor | None = None,
        reason: str | None = None,
        items: list[LineDecision] | None = None,
    ) -> None:
        """Moves the claim (by the claims officer unless said), then schedules `then`
        unless the claim stops there."""
        assert case.id is not None
        moved = await claims.transition(
            self.world.db,
            actor or self.staff.adjudicator,
            case.id,
            Transition(to=to, version=case.version, reason=reason, items=items),
        )
        case.version = moved.version
        if then is not None and case.stop is not to:
            then(case)

    def _received(self, case: ClaimCase) -> None:
        self._next(case, 0, 2, partial(self._move, case, ClaimStatus.IN_REVIEW, self._in_review))

    def _in_review(self, case: ClaimCase) -> None:
        """Reviewed within a week, one time in ten within two or three; a stalled claim
        waits five to ten weeks (the recent ones are still waiting today)."""
        slow = self.world.rng.random() < 0.1
        low, high = (25, 50) if case.path is Path.STALL else (5, 12) if slow else (1, 5)
        self._next(case, low, high, partial(self._review, case))

    async def _review(self, case: ClaimCase) -> None:
        """The reviewer reads the claim with its fraud flags: a suspect claim is rejected;
        an honest one's flags are cleared as false positives, then it is queried, rejected
        or approved as its path says."""
        world = self.world
        if case.suspect:
            await self._move(
                case, ClaimStatus.REJECTED, actor=self.staff.manager, reason=case.reason
            )
            return
        flags = await world.db.scalars(
            select(RiskEvent.id).where(
                RiskEvent.claim_id == case.id, RiskEvent.cleared_at.is_(None)
            )
        )
        note = RiskEventClear(note="Checked with the provider and the member: a genuine visit.")
        for flag in flags.all():
            await risk.clear(world.db, self.staff.manager, flag, note)
            # Clearing re-scores the claim, which moves its version.
            version = select(Claim.version).where(Claim.id == case.id)
            case.version = (await world.db.execute(version)).scalar_one()
        if case.path in (Path.QUERY, Path.UNANSWERED) and not case.answered:
            query = world.rng.choice(QUERIES)
            await self._move(case, ClaimStatus.QUERIED, self._queried, reason=query)
        elif case.path is Path.REJECT:
            await self._move(case, ClaimStatus.REJECTED, reason=case.reason)
        else:
            await self._approve(case)

    def _queried(self, case: ClaimCase) -> None:
        if case.path is not Path.UNANSWERED:
            self._next(case, 2, 6, partial(self._answer, case))

    async def _answer(self, case: ClaimCase) -> None:
        case.answered = True
        await self._move(case, ClaimStatus.RESUBMITTED, self._received, actor=case.desk.actor)

    async def _approve(self, case: ClaimCase) -> None:
        """Approved as the checks propose, by the claims officer up to their limit; on the
        CUT path one line is cut to tariff (approved as proposed instead when what
        remains of the benefit is already below the cut)."""
        billed = sum(int(item["billed_amount"]) for item in case.items)
        approver = self.staff.adjudicator if billed <= ADJUDICATOR_LIMIT else self.staff.manager
        cut = self._cut(case) if case.path is Path.CUT else None
        try:
            await self._move(case, ClaimStatus.APPROVED, actor=approver, items=cut)
        except Invalid:
            await self._move(case, ClaimStatus.APPROVED, actor=approver)

    def _cut(self, case: ClaimCase) -> list[LineDecision] | None:
        rng = self.world.rng
        lines = [i for i in case.items if int(i["billed_amount"]) >= 5_000 * KOBO]
        if not lines:
            return None
        line = rng.choice(lines)
        fifty = 50 * KOBO
        amount = int(int(line["billed_amount"]) * rng.uniform(0.7, 0.9)) // fifty * fifty
        return [LineDecision(id=line["id"], approved_amount=amount, reason_code="45")]

    # --- a PA's life -----------------------------------------------------------------

    async def file_pa(self, case: PaCase) -> None:
        """Files the PA; a rule may approve it at once, else a reviewer decides it."""
        world, authorized = self.world, case.authorized
        form = AuthorizationCreate(
            member_id=case.member.member_id,
            provider_id=case.desk.id,
            urgency=authorized.urgency,
            procedure_code=authorized.procedure.code,
            diagnosis_codes=[case.episode.diagnosis],
            estimated_amount=case.estimate,
            notes=f"{case.episode.name.capitalize()}: {authorized.procedure.description}.",
        )
        _, answer = await authorizations.submit(world.db, case.desk.actor, form, None)
        case.id, case.filed_on = uuid.UUID(answer["id"]), clock.now().date()
        if case.after_filing is not None:
            then = partial(case.after_filing, case)
            world.agenda.at(within(clock.now(), world.rng, 40, 300), then)
        if answer["status"] == AuthorizationStatus.APPROVED:
            self._authorized(case, answer["auth_code"])
        else:
            self._pa_review(case)

    def _pa_review(self, case: PaCase) -> None:
        """A reviewer decides within the urgency's SLA (from filing, or from an appeal),
        one time in seven too late: the SLA job marks the breach when it falls due."""
        world, now = self.world, clock.now()
        urgency = case.authorized.urgency
        usual, late = PA_DECISION_MINUTES[urgency]
        tardy = world.rng.random() < 0.15
        low, high = late if tardy else usual
        world.agenda.at(within(now, world.rng, low, high), partial(self._decide_pa, case))
        if tardy:
            due = now + timedelta(hours=sla.DEFAULT_SLA_HOURS[urgency])
            world.agenda.at(within(due, world.rng, 1, 5), partial(mark_breaches, world))

    async def _decide_pa(self, case: PaCase) -> None:
        """Most are approved; a rejection of MRI or physiotherapy is often appealed, and
        the Claims Manager decides the appeal. A scripted PA is decided as scripted."""
        world = self.world
        assert case.id is not None
        if case.verdicts is not None:
            rejected = bool(case.verdicts) and case.verdicts.pop(0) is DecisionKind.REJECT
        else:
            rejected = world.rng.random() < (0.4 if case.appealed else 0.15)
        procedure = case.authorized.procedure.code
        reviewer = self.staff.manager if case.appealed else self.staff.adjudicator
        if rejected:
            reason = PA_REJECTIONS.get(procedure, "Not medically necessary on the notes sent.")
            decision = Decision(decision=DecisionKind.REJECT, reason=reason)
        else:
            decision = Decision(decision=DecisionKind.APPROVE)
        decided = await authorizations.decide(world.db, reviewer, case.id, decision)
        if not rejected:
            self._authorized(case, decided.auth_code)
        elif (
            not case.appealed
            and procedure in APPEALS
            and (case.verdicts or world.rng.random() < 0.6)
        ):
            world.agenda.at(later(clock.now(), world.rng, 1, 3), partial(self._appeal, case))

    async def _appeal(self, case: PaCase) -> None:
        assert case.id is not None
        evidence = AppealCreate(evidence=APPEALS[case.authorized.procedure.code])
        await authorizations.appeal(self.world.db, case.desk.actor, case.id, evidence)
        case.appealed = True
        self._pa_review(case)

    def _authorized(self, case: PaCase, auth_code: str | None) -> None:
        """The care the PA covers happens (one approval in twelve is never used, and its
        code expires): an admission from the filing day, else a visit within days."""
        world = self.world
        if case.verdicts is None and world.rng.random() < 1 / 12:
            return
        assert case.filed_on is not None
        if case.stay:
            served = case.filed_on
            done = max(clock.now(), at_work(served + timedelta(days=case.stay), world.rng))
        else:
            served = working_day(clock.now().date(), world.rng.randint(1, 8))
            done = at_work(served, world.rng)
        world.agenda.at(
            _filing_moment(done, world.rng),
            partial(self._claim_authorized, case, served, auth_code),
        )

    async def _claim_authorized(self, case: PaCase, served: date, auth_code: str | None) -> None:
        """The claim for the authorized care, citing the code; one for a ghost patient's
        visit (reported "Not me" and not cleared) is held on arrival, then rejected."""
        world = self.world
        form = ClaimCreate(
            member_id=case.member.member_id,
            provider_id=case.desk.id,
            service_date=served,
            admission_date=served if case.stay else None,
            discharge_date=served + timedelta(days=case.stay) if case.stay else None,
            auth_code=auth_code,
            diagnosis_codes=[case.episode.diagnosis],
            items=case.lines,
        )
        claim = ClaimCase(case.desk, case.member, form, chosen(world.rng, AUTHORIZED_PATHS))
        if case.denied:
            claim.path, claim.suspect = Path.REJECT, True
            claim.reason = 'Ghost patient: the member denies the visit (reported "Not me").'
        await self._file(claim)

    # --- fraud -----------------------------------------------------------------------

    async def visit_after_leaving(self, member: Member) -> None:
        """The member's old hospital bills a visit after their cover ended."""
        world = self.world
        day = clock.now().date() - timedelta(days=1)
        episode = self._episode(member, day, EPISODES)
        if episode is None:
            return
        desk = world.cast.desks[world.cast.primary_provider[member.client_code]]
        case = self.claim_case(desk, member, episode, day)
        case.path, case.suspect = Path.REJECT, True
        case.reason = "The member's cover ended before the date of service."
        await self._file(case)


SEASON = {
    1: 1.1, 2: 1.0, 3: 0.9, 4: 0.85, 5: 0.9, 6: 1.05,
    7: 1.2, 8: 1.25, 9: 1.2, 10: 1.1, 11: 0.95, 12: 1.05,
}  # fmt: skip
# Days from the visit to the claim's filing, and how often.
FILING_LAG = ((0, 1, 2, 3, 4, 5, 7, 10, 14), (15, 25, 15, 12, 10, 8, 7, 5, 3))


def _filing_moment(seen: datetime, rng: random.Random) -> datetime:
    """When the provider files the claim for care given at `seen`."""
    days = rng.choices(*FILING_LAG)[0]
    if days == 0:
        return within(seen, rng, 60, 240)
    return at_work(seen.astimezone(WAT).date() + timedelta(days=days), rng)


# --- money: settlement, payments, disputes, capitation ---------------------------------------

PROOF = b"%PDF-1.4\n% Vetra demo: bank transfer slip\n%%EOF\n"
DISPUTE_REASONS = (
    "The line was cut to tariff, but the 2026 price list we agreed applies.",
    "The quantity cut is wrong: the patient was admitted for the days billed.",
    "The specialist's fee was agreed at this rate in our service contract.",
)


class Books:
    """Finance's month: a settlement run for what was approved by the end of last month,
    approved and paid remittance by remittance; a capitation run for last month; and the
    disputes providers raise over cut lines."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.disputed = 0  # lines disputed so far (the first paid cut line always is)

    @property
    def finance(self) -> Actor:
        return self.world.cast.staff.finance

    def begin(self) -> None:
        world = self.world
        month = world.start.replace(day=1)
        while (month := month_after(month)) <= world.today:
            last_month = month - timedelta(days=1)
            world.agenda.at(
                at_work(working_day(month, 1), world.rng, 9, 12),
                partial(self._capitate, last_month.replace(day=1)),
            )
            world.agenda.at(
                at_work(working_day(month, 4), world.rng, 9, 12), partial(self._settle, last_month)
            )

    async def _settle(self, through: date) -> None:
        world = self.world
        period = RunCreate(period_from=world.start, period_to=through)
        try:
            run = await settlement.create_run(world.db, self.finance, period)
        except Invalid:
            return  # nothing approved to settle
        world.agenda.at(later(clock.now(), world.rng, 1, 2), partial(self._approve, run.id))

    async def _approve(self, run_id: uuid.UUID) -> None:
        world, rng = self.world, self.world.rng
        run = await settlement.approve(world.db, self.finance, run_id)
        # By provider name: ids made in the same millisecond have no order to replay by.
        for remittance in sorted(run.remittances, key=lambda r: world.desk_of(r.provider_id).name):
            first = later(clock.now(), rng, 2, 6)
            if remittance.total > 3_000_000 * KOBO and rng.random() < 0.3:
                part = remittance.total * 6 // 10
                world.agenda.at(first, partial(self._pay, remittance.id, part, run.number))
                first = later(first, rng, 4, 8)
            world.agenda.at(first, partial(self._pay, remittance.id, None, run.number))

    async def _pay(self, remittance_id: uuid.UUID, amount: int | None, run_number: str) -> None:
        """Pays `amount`, or what remains, with a proof."""
        world = self.world
        remittance = await settlement.load_remittance(world.db, self.finance, remittance_id)
        due = remittance.total - remittance.paid_amount
        if due <= 0:
            return  # its claims were approved at nothing (a benefit used up): nothing to pay
        paid = await settlement.record_payment(
            world.db,
            self.finance,
            remittance_id,
            reference=f"NIP-{run_number}-{world.rng.randint(100_000, 999_999)}",
            amount=amount or due,
            paid_on=clock.now().date(),
            filename="transfer-slip.pdf",
            content_type="application/pdf",
            data=PROOF,
        )
        if paid.paid_amount == paid.total:
            self._maybe_dispute(paid)

    def _maybe_dispute(self, remittance: RemittanceRead) -> None:
        """The provider of a paid remittance disputes its most cut line within days: always
        the first time a paid remittance has one, then one time in twelve."""
        world = self.world
        cut = [
            line for line in remittance.lines if line.claim_id and 0 < line.approved < line.billed
        ]
        if not cut or (self.disputed and world.rng.random() >= 0.08):
            return
        self.disputed += 1
        line = max(cut, key=lambda line: (line.billed - line.approved, line.billed))
        world.agenda.at(
            later(clock.now(), world.rng, 2, 8),
            partial(
                self._dispute,
                world.desk_of(remittance.provider_id),
                line.id,
                line.billed - line.approved,
            ),
        )

    async def _dispute(self, desk: Desk, line_id: uuid.UUID, claimed: int) -> None:
        world = self.world
        form = DisputeCreate(
            remittance_line_id=line_id,
            reason=world.rng.choice(DISPUTE_REASONS),
            amount_claimed=claimed,
        )
        _, answer = await disputes.raise_dispute(world.db, desk.actor, form, None)
        dispute_id = uuid.UUID(answer["id"])
        reviewed = later(clock.now(), world.rng, 1, 3)
        world.agenda.at(reviewed, partial(self._review_dispute, dispute_id, claimed))

    async def _review_dispute(self, dispute_id: uuid.UUID, claimed: int) -> None:
        world = self.world
        await disputes.review(world.db, self.finance, dispute_id, None)
        world.agenda.at(
            later(clock.now(), world.rng, 2, 8), partial(self._resolve, dispute_id, claimed)
        )

    async def _resolve(self, dispute_id: uuid.UUID, claimed: int) -> None:
        world = self.world
        if world.rng.random() < 0.6:
            adjustment = max(int(claimed * world.rng.uniform(0.5, 1.0)), 1)
            resolution = Resolution(
                outcome=Outcome.ACCEPTED,
                adjustment=adjustment,
                note="Accepted: the contracted tariff applies; paid in the next run.",
            )
        else:
            resolution = Resolution(
                outcome=Outcome.REJECTED,
                note="The HMO tariff in force on the date of service applies.",
            )
        await disputes.resolve(world.db, self.finance, dispute_id, resolution)

    async def _capitate(self, month: date) -> None:
        world = self.world
        try:
            run, _ = await capitation.create_run(world.db, self.finance, month)
        except Invalid:
            return  # nobody capitated was covered that month
        world.agenda.at(
            later(clock.now(), world.rng, 1, 1), partial(self._approve_capitation, run.id)
        )

    async def _approve_capitation(self, run_id: uuid.UUID) -> None:
        world = self.world
        await capitation.approve(world.db, self.finance, run_id)
        world.agenda.at(later(clock.now(), world.rng, 1, 3), partial(self._pay_capitation, run_id))

    async def _pay_capitation(self, run_id: uuid.UUID) -> None:
        world = self.world
        payment = CapitationPayment(
            reference=f"NIP-CAP-{world.rng.randint(100_000, 999_999)}",
            paid_on=clock.now().date(),
        )
        await capitation.pay(world.db, self.finance, run_id, payment)


# --- jobs --------------------------------------------------------------------------------

# The replay is one transaction, so autovacuum never sees its rows and the planner would
# take these tables for empty: the services' aggregate queries (the upcoding rule's above
# all) then pick nested loops that grow with every claim. ANALYZE counts the transaction's
# own rows; it runs as the tables double, as the login role (the tables' owner: the seed
# is given the owner's URL) for the moment, since the app role may not.
GROWING_TABLES = (
    "claims",
    "claim_items",
    "benefit_usage",
    "risk_events",
    "authorizations",
    "enrollees",
    "enrollee_status_changes",
)
STATISTICS_DAYS = (7, 30, 90, 180)


def planner_statistics(world: World) -> None:
    async def analyze() -> None:
        await world.db.execute(text("set local role none"))
        await world.db.execute(text(f"analyze {', '.join(GROWING_TABLES)}"))
        await world.db.execute(text(f"set local role {APP_ROLE}"))

    for days in STATISTICS_DAYS:
        moment = datetime.combine(world.start + timedelta(days=days), time(1), UTC)
        world.agenda.at(moment, analyze)


async def mark_breaches(world: World) -> None:
    """The PA SLA job's breach pass, as of now."""
    await sla.mark_breaches(world.db, world.cast.tenant_id, clock.now(), sla.SlaReport())


def nightly_jobs(world: World) -> None:
    """The PA SLA job's expiry pass every evening: approvals whose code's validity ended
    expire. (The job runs every minute in production; its breach pass runs here just after
    each PA that `Care` decides late falls due, so each breach is marked when it happens.)"""

    async def expire() -> None:
        await sla.expire_codes(world.db, world.cast.tenant_id, clock.now().date(), sla.SlaReport())

    day = world.start
    while day <= world.today:
        world.agenda.at(datetime.combine(day, time(22), WAT).astimezone(UTC), expire)
        day += timedelta(days=1)


# --- the demo enrollee's family, and today's desk ---------------------------------------------


class Family:
    """The demo enrollee's family, scripted so their portal tells a full story: a visit to
    their hospital every month (checked in), a specialist referral auto-approved by rule,
    an MRI rejected then approved on appeal, and two emergencies the cardholder reports
    "Not me": a ghost patient's at a hospital in another state (its claim is rejected), and
    their child's real one (the fraud team clears the hold)."""

    def __init__(self, world: World, care: Care) -> None:
        self.world = world
        self.care = care
        cardholder = world.cast.cardholder
        self.principal = next(
            m for m in world.members.values() if m.member_id == cardholder.member_id
        )
        self.home = world.cast.desks[world.cast.primary_provider[self.principal.client_code]]

    def begin(self) -> None:
        world, start = self.world, self.world.start
        family = sorted(world.family(self.principal), key=lambda m: m.member_id)
        month, turn = start.replace(day=1), 0
        while month <= world.today:
            day = working_day(month + timedelta(days=world.rng.randint(4, 18)), 0)
            if start <= day <= world.today:
                self.care.visit(family[turn % len(family)], day, self.home, check_in=1)
                turn += 1
            month = month_after(month)
        far = next(
            d
            for d in world.cast.desks.values()
            if d.type is ProviderType.HOSPITAL and d.state != self.home.state
        )
        lab = world.desk_for(self.principal, ProviderType.LAB)
        spouse = next((m for m in family if m.relationship is Relationship.SPOUSE), self.principal)
        child = next((m for m in family if m.relationship is Relationship.CHILD), self.principal)
        approve, reject = DecisionKind.APPROVE, DecisionKind.REJECT
        self._pa(spouse, self.home, "specialist referral", start + timedelta(days=50), [])
        self._pa(self.principal, lab, "lumbar disc", start + timedelta(days=170), [reject, approve])
        at_night = time(2, 10)
        self._pa(
            self.principal,
            far,
            "road traffic injury",
            start + timedelta(days=120),
            [approve],
            self._ghost_patient,
            at_night,
        )
        self._pa(
            child,
            self.home,
            "road traffic injury",
            start + timedelta(days=270),
            [approve],
            self._genuine_visit,
            at_night,
        )

    def _pa(
        self,
        member: Member,
        desk: Desk,
        episode_name: str,
        day: date,
        verdicts: list[DecisionKind],
        after_filing: Callable[[PaCase], Awaitable[None]] | None = None,
        at: time = time(10, 30),
    ) -> None:
        episode = next(e for e in AUTHORIZED_EPISODES if e.name == episode_name)
        case = self.care.pa_case(member, desk, episode, day)
        case.verdicts, case.after_filing = verdicts, after_filing
        moment = datetime.combine(day, at, WAT).astimezone(UTC)
        self.world.agenda.at(moment, partial(self.care.file_pa, case))

    async def _report(self, case: PaCase) -> None:
        assert case.id is not None
        comment = "I was at home in Lagos that night; I never went to this hospital."
        await authorizations.report_not_me(
            self.world.db, self.world.cast.cardholder.actor, case.id, NotMe(comment=comment)
        )

    async def _ghost_patient(self, case: PaCase) -> None:
        await self._report(case)
        case.denied = True

    async def _genuine_visit(self, case: PaCase) -> None:
        await self._report(case)
        world = self.world

        async def clear() -> None:
            assert case.id is not None
            reason = "Called the family: the mother took the child to the ER; a genuine visit."
            await authorizations.clear_hold(
                world.db, world.cast.staff.manager, case.id, ClearHold(reason=reason)
            )

        world.agenda.at(within(clock.now(), world.rng, 60, 180), clear)


# Today's claims, one per status short of settlement, filed in the last hours at the
# cardholder's hospital (the queue and the claims list show every status at first login).
TODAYS_CLAIMS = (
    (ClaimStatus.SUBMITTED, Path.APPROVE),
    (ClaimStatus.RECEIVED, Path.APPROVE),
    (ClaimStatus.IN_REVIEW, Path.STALL),
    (ClaimStatus.QUERIED, Path.UNANSWERED),
    (ClaimStatus.RESUBMITTED, Path.QUERY),
    (ClaimStatus.APPROVED, Path.APPROVE),  # awaits the next settlement run
)
# And a PA of each urgency filed minutes ago, awaiting a reviewer (none has a rule).
TODAYS_PAS = ("lumbar disc", "severe malaria", "road traffic injury")


def todays_desk(world: World, care: Care, home: Desk) -> None:
    """Today's open work at the cardholder's hospital, for its covered roster principals:
    filed in the last three hours, hurried through the first steps."""

    async def open_work() -> None:
        now = clock.now()
        patients = sorted(
            (
                m
                for m in world.members.values()
                if m.relationship is Relationship.PRINCIPAL
                and world.cast.primary_provider[m.client_code] == home.slug
                and m.covered_on(now.date())
                and m.member_id != world.cast.cardholder.member_id
            ),
            key=lambda m: m.member_id,
        )
        cold = next(e for e in EPISODES if e.name == "chest infection")
        for (stop, path), member in zip(TODAYS_CLAIMS, patients, strict=False):
            case = care.claim_case(home, member, cold, now.date())
            case.path, case.stop, case.hurry = path, stop, True
            care.file(case, within(now, world.rng, 0, 30))
        for name, member in zip(TODAYS_PAS, reversed(patients), strict=False):
            episode = next(e for e in AUTHORIZED_EPISODES if e.name == name)
            desk = world.desk_for(member, episode.where)
            pa = care.pa_case(member, desk, episode, now.date())
            # Reviewers take at least 8 minutes: these wait for one.
            world.agenda.at(world.agenda.until - timedelta(minutes=5), partial(care.file_pa, pa))

    world.agenda.at(world.agenda.until - timedelta(hours=3), open_work)


# --- the replay ------------------------------------------------------------------------------


async def replay(db: AsyncSession, cast: Cast, scale: Scale, start: date, until: datetime) -> None:
    """Replays the history from `start` up to `until` (see the module docstring). The
    session is the seed's; the named roster is already enrolled, covered from `start`."""
    world = World(db, cast, scale, start, until)
    await world.load_plans()
    care = Care(world)
    membership = Membership(world, care)
    with clock.shifted_to(at_work(start - timedelta(days=7), world.rng)):
        await membership.begin()
    family = Family(world, care)
    care.begin()
    family.begin()
    Books(world).begin()
    nightly_jobs(world)
    planner_statistics(world)
    todays_desk(world, care, family.home)
    await world.agenda.run()
