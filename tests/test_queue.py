"""The review queue: open claims only, ranked by the documented score, keyset-paged."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from core_api.claims import queue
from core_api.db import async_url
from core_api.models.claim import Claim, ClaimStatus
from core_api.models.settings import TenantSettings
from tests.factories import (
    link_provider,
    make_claim,
    make_client,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
)

SINCE = {"coverage_start": "2025-01-01"}


def settings(sla: int = 14, **thresholds: int) -> TenantSettings:
    return TenantSettings(claim_sla_days=sla, risk_thresholds=thresholds)


def claim(
    *, risk: int = 0, billed: int = 10_000_00, on_hold: bool = False, days_ago: int = 0
) -> Claim:
    received = datetime.now(UTC) - timedelta(days=days_ago)
    return Claim(
        id=uuid.uuid4(),
        risk_score=risk,
        total_billed=billed,
        on_hold=on_hold,
        received_at=received,
        created_at=received,
    )


class TestScore:
    def test_waiting_one_sla_period_weighs_as_much_as_a_risk_of_100(self) -> None:
        s = settings(flag_score=101)  # no flagged tier here: compare the terms alone
        old, risky = claim(days_ago=14), claim(risk=100)
        assert abs(queue.score(old, s) - queue.score(risky, s)) <= 14

    def test_older_claims_rise_without_rewriting_rows(self) -> None:
        s = settings()
        assert queue.score(claim(days_ago=3), s) > queue.score(claim(days_ago=2), s)
        assert queue.score(claim(days_ago=5, billed=10_00), s) > queue.score(
            claim(billed=1_000_000_00), s
        )

    def test_a_shorter_sla_ages_claims_faster(self) -> None:
        fast, slow = (
            queue.age_points_per_day(settings(sla=7)),
            queue.age_points_per_day(settings(sla=14)),
        )
        assert abs(fast - 2 * slow) <= 1

    def test_value_breaks_ties_between_equally_risky_claims(self) -> None:
        s = settings()
        assert queue.score(claim(billed=500_000_00), s) > queue.score(claim(billed=5_000_00), s)

    def test_holds_then_flagged_claims_come_first(self) -> None:
        s = settings(flag_score=50)
        held = queue.score(claim(on_hold=True), s)
        flagged = queue.score(claim(risk=50), s)
        old_and_big = queue.score(claim(risk=49, billed=10**12, days_ago=3000), s)
        assert held > flagged > old_and_big


async def queue_setup(core: httpx.AsyncClient) -> dict[str, Any]:
    tenant = await make_tenant(core)
    plan, client = await make_plan(core, tenant), await make_client(core, tenant)
    provider = await make_provider(core)
    await link_provider(core, tenant, provider)
    _, staff = await make_staff(core, tenant, "Adjudicator")
    return {"tenant": tenant, "plan": plan, "client": client, "provider": provider, "staff": staff}


async def receive(core: httpx.AsyncClient, staff: dict[str, str], claim: dict[str, Any]) -> None:
    moved = await core.post(
        f"/v1/claims/{claim['id']}/transitions",
        json={"to": "RECEIVED", "version": claim["version"]},
        headers=staff,
    )
    assert moved.status_code == 200, moved.text


def item(code: str, price: int) -> dict[str, Any]:
    return {"code": code, "description": code, "quantity": 1, "unit_price": price}


async def test_queue_ranks_open_claims_and_pages(core: httpx.AsyncClient) -> None:
    ctx = await queue_setup(core)
    staff, provider = ctx["staff"], ctx["provider"]
    members = [
        await make_principal(core, ctx["tenant"], ctx["client"], ctx["plan"], **SINCE)
        for _ in range(5)
    ]
    today = date.today()
    small = await make_claim(core, provider, members[0], items=[item("CONS-01", 5_000_00)])
    big = await make_claim(core, provider, members[1], items=[item("SURG-01", 900_000_00)])
    excluded = await make_claim(core, provider, members[2], items=[item("COS-001", 5_000_00)])
    future = await make_claim(
        core,
        provider,
        members[3],
        service_date=today.isoformat(),
        admission_date=today.isoformat(),
        discharge_date=(today + timedelta(days=3)).isoformat(),
        items=[item("WARD-DAY", 5_000_00)],
    )
    submitted = await make_claim(core, provider, members[4])
    for c in (small, big, excluded, future):
        await receive(core, staff, c)

    first = await core.get("/v1/claims/queue", params={"limit": 2}, headers=staff)
    assert first.status_code == 200, first.text
    body = first.json()
    rest = (
        await core.get("/v1/claims/queue", params={"cursor": body["next_cursor"]}, headers=staff)
    ).json()
    ranked = body["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert [c["id"] for c in ranked] == [future["id"], excluded["id"], big["id"], small["id"]]
    assert submitted["id"] not in {c["id"] for c in ranked}
    assert ranked[0]["flagged"]
    assert not ranked[1]["flagged"]
    scores = [c["queue_score"] for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert ranked[0]["sla_due_on"] == (today + timedelta(days=14)).isoformat()
    assert ranked[0]["status"] == ClaimStatus.RECEIVED.value

    rejected = await core.post(
        f"/v1/claims/{big['id']}/transitions",
        json={"to": "REJECTED", "version": 2, "reason": "not ours"},
        headers=staff,
    )
    assert rejected.status_code == 200, rejected.text
    after = (await core.get("/v1/claims/queue", headers=staff)).json()["items"]
    assert big["id"] not in {c["id"] for c in after}


async def test_rescore_moves_a_held_claim_to_the_top(core: httpx.AsyncClient) -> None:
    """`queue.rescore`, which the state machine calls when a score input changes (here a
    fraud hold), stores the new rank and the queue serves it from the index."""
    ctx = await queue_setup(core)
    member = await make_principal(core, ctx["tenant"], ctx["client"], ctx["plan"], **SINCE)
    other = await make_principal(core, ctx["tenant"], ctx["client"], ctx["plan"], **SINCE)
    low = await make_claim(core, ctx["provider"], member, items=[item("CONS-01", 5_000_00)])
    high = await make_claim(core, ctx["provider"], other, items=[item("SURG-01", 900_000_00)])
    for c in (low, high):
        await receive(core, ctx["staff"], c)
    engine = create_async_engine(async_url(os.environ["DATABASE_URL"]))
    try:
        async with AsyncSession(engine) as db, db.begin():
            row = await db.get(Claim, uuid.UUID(low["id"]))
            assert row is not None
            row.on_hold = True
            await queue.rescore(db, row)
    finally:
        await engine.dispose()
    ranked = (await core.get("/v1/claims/queue", headers=ctx["staff"])).json()["items"]
    assert [c["id"] for c in ranked] == [low["id"], high["id"]]
    assert ranked[0]["on_hold"] is True


async def test_queue_is_for_adjudicators(core: httpx.AsyncClient) -> None:
    ctx = await queue_setup(core)
    _, finance = await make_staff(core, ctx["tenant"], "Finance")
    assert (await core.get("/v1/claims/queue", headers=finance)).status_code == 403
    provider_user = ctx["provider"].user
    assert (await core.get("/v1/claims/queue", headers=provider_user)).status_code == 403
    bad = await core.get("/v1/claims/queue", params={"cursor": "bm9wZQ=="}, headers=ctx["staff"])
    assert bad.status_code == 422
