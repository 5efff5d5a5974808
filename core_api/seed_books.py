"""The demo history's money: monthly settlement runs paid remittance by remittance, the
disputes providers raise over cut lines, and monthly capitation runs. See
`core_api.seed_history`."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from functools import partial

from core_api.auth.actor import Actor
from core_api.capitation import service as capitation
from core_api.capitation.schemas import CapitationPayment
from core_api.disputes import service as disputes
from core_api.disputes.schemas import DisputeCreate, Outcome, Resolution
from core_api.errors import Invalid
from core_api.finance import service as settlement
from core_api.finance.schemas import RemittanceRead, RunCreate
from core_api.seed_catalog import KOBO
from core_api.seed_world import Desk, World, at_work, later, month_after, working_day
from shared import clock

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
