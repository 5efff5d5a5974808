"""One claim from submitted to settled entirely through the HMO's screens, each step by a
staff role that may take it: the provider files it (its desk's API client), the
adjudicator receives and reviews it, the claims manager approves it, Finance runs the
settlement, approves the run and pays it with a proof; the claim ends SETTLED."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from core_api.seed import DEMO_SLUG
from tests.web.conftest import Stack, core_session, staff
from tests.web.test_claims import SignIn, file_claim, open_claim, people
from tests.web.test_finance import create_and_approve_run, pay_with_a_proof

__all__ = ["people"]  # the fixture, used by name below


async def test_a_claim_goes_from_submitted_to_settled_through_the_screens(
    people: SignIn, stack: Stack
) -> None:
    claim = await file_claim(stack)

    adjudicator = await people("adjudicator")
    await open_claim(adjudicator, claim)
    await adjudicator.get_by_role("button", name="Mark received").click()
    await adjudicator.get_by_role("button", name="Start review").click()
    await expect(adjudicator.get_by_role("button", name=re.compile(r"^Approve"))).to_be_enabled()

    manager = await people("claims.manager")
    await open_claim(manager, claim)
    await manager.get_by_role("button", name=re.compile(r"^Approve")).click()
    await expect(manager.get_by_text("Approved", exact=True).first).to_be_visible()

    finance = await people("finance")
    await create_and_approve_run(finance, claim, "Lagoon Hospital")
    await pay_with_a_proof(finance, claim, reference=f"TRF-JOURNEY-{claim['number']}")

    await open_claim(manager, claim)
    await expect(manager.get_by_text("Settled", exact=True).first).to_be_visible()
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        headers = await core_session(core, DEMO_SLUG, staff("admin"))
        final = (await core.get(f"/v1/claims/{claim['id']}", headers=headers)).json()
    assert final["status"] == "SETTLED"
    assert [e["to_status"] for e in final["history"]] == [
        "SUBMITTED",
        "RECEIVED",
        "IN_REVIEW",
        "APPROVED",
        "SETTLED",
    ]
