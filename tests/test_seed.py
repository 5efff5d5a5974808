"""The demo tenant `make run` seeds: it must seed, once, and show every part of the HMO."""

from __future__ import annotations

import httpx

from core_api.seed import DEMO_PASSWORD, DEMO_SLUG, seed_demo
from tests.factories import login, session_headers

CLAIM_STATUSES = {
    "SUBMITTED",
    "RECEIVED",
    "IN_REVIEW",
    "QUERIED",
    "RESUBMITTED",
    "APPROVED",
    "REJECTED",
    "SETTLED",
}


async def test_the_demo_seeds_once_and_shows_a_working_hmo(
    core: httpx.AsyncClient, database_url: str
) -> None:
    first = await seed_demo(database_url)
    assert first.created
    assert first.integration_key
    assert not (await seed_demo(database_url)).created

    async def session_of(role: str) -> dict[str, str]:
        user = next(x for x in first.logins if x.tenant == DEMO_SLUG and role in x.role)
        return session_headers(await login(core, DEMO_SLUG, user.email, DEMO_PASSWORD))

    headers = await session_of("Admin")

    async def items(path: str, caller: dict[str, str] = headers) -> list[dict[str, object]]:
        response = await core.get(path, headers=caller, params={"limit": 200})
        assert response.status_code == 200, (path, response.text)
        return list(response.json()["items"])

    assert {c["status"] for c in await items("/v1/claims")} >= CLAIM_STATUSES
    assert len(await items("/v1/enrollees")) >= 40
    assert await items("/v1/plans")
    assert await items("/v1/authorizations")
    runs = await items("/v1/settlement-runs")
    assert any(r["status"] == "PAID" for r in runs)
    assert await items("/v1/capitation-runs")
    assert await items("/v1/disputes")

    enrollee = await session_of("Enrollee")  # the portal shows them their own records
    assert await items("/v1/me/claims", enrollee)
    assert await items("/v1/me/authorizations", enrollee)

    # Every seeded claim line bills a category the member's plan covers, so adjudication
    # proposes real amounts, not zeros.
    plan_benefits: dict[str, set[str]] = {}
    for claim in await items("/v1/claims"):
        detail = (await core.get(f"/v1/claims/{claim['id']}", headers=headers)).json()
        member = (await core.get(f"/v1/enrollees/{claim['member_id']}", headers=headers)).json()
        plan_id = member["plan_id"]
        if plan_id not in plan_benefits:
            plan = (await core.get(f"/v1/plans/{plan_id}", headers=headers)).json()
            plan_benefits[plan_id] = {b["category"] for b in plan["benefits"]}
        lines = detail["items"]
        assert lines, claim["number"]
        uncovered = {line["category"] for line in lines} - plan_benefits[plan_id]
        assert not uncovered, (claim["number"], uncovered)
