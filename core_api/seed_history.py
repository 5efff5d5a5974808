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

The parts: `core_api.seed_world` (the clock helpers, the agenda, what the replay knows),
`seed_membership`, `seed_care` (claims and PAs), `seed_books` (settlement, disputes,
capitation), `seed_catalog` (what is treated and billed) and `seed_people` (the generated
families); this module has the jobs, the demo enrollee's family, today's desk and `replay`.

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

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.authorizations import service as authorizations
from core_api.authorizations import sla
from core_api.authorizations.schemas import ClearHold, DecisionKind, NotMe
from core_api.db import APP_ROLE
from core_api.models import ProviderType, Relationship
from core_api.models.claim import ClaimStatus
from core_api.seed_books import Books
from core_api.seed_care import Care, PaCase, Path
from core_api.seed_catalog import AUTHORIZED_EPISODES, EPISODES
from core_api.seed_membership import Membership
from core_api.seed_world import (
    WAT,
    Cast,
    Desk,
    Member,
    Scale,
    World,
    at_work,
    month_after,
    within,
    working_day,
)
from shared import clock

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
