"""The demo history's membership: the clients' workforce covered from the start, a client
joining four months in, HR's monthly file (new hires, newborns), leavers and suspensions.
See `core_api.seed_history`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from functools import partial

from core_api.membership import clients
from core_api.models import EnrolleeStatus, Relationship, Sex
from core_api.seed_care import Care
from core_api.seed_catalog import age_on
from core_api.seed_people import Person
from core_api.seed_world import Member, World, at_work, later, month_after, poisson, working_day
from shared import clock

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
