"""The demo history's care: each day's patients, their check-ins, claims and PAs, and how
the HMO's reviewers handle them (approvals, tariff cuts, queries, rejections, fraud flags,
appeals, SLA breaches). See `core_api.seed_history`."""

from __future__ import annotations

import enum
import math
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from core_api.auth.actor import Actor
from core_api.authorizations import service as authorizations
from core_api.authorizations import sla
from core_api.authorizations.schemas import (
    AppealCreate,
    AuthorizationCreate,
    Decision,
    DecisionKind,
)
from core_api.claims import service as claims
from core_api.claims.schemas import ClaimCreate, ItemCreate, LineDecision, Transition
from core_api.errors import Invalid
from core_api.members import checkins
from core_api.members.schemas import CheckInCreate
from core_api.models import ProviderType
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
    age_on,
    propensity,
)
from core_api.seed_world import (
    WAT,
    Desk,
    Member,
    Staff,
    Step,
    World,
    at_work,
    later,
    within,
    working_day,
)
from shared import clock


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


async def mark_breaches(world: World) -> None:
    """The PA SLA job's breach pass, as of now."""
    await sla.mark_breaches(world.db, world.cast.tenant_id, clock.now(), sla.SlaReport())
