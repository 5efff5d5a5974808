"""The review queue: open claims only, ranked by the documented score, keyset-paged."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import BigInteger, Boolean, DateTime, Integer, column, select, text, values
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine
from sqlalchemy.orm import aliased

from core_api.claims import queue
from core_api.db import async_url
from core_api.models.claim import Claim, ClaimStatus
from core_api.models.settings import TenantSettings
from tests.db import superuser
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
    *,
    risk: int = 0,
    billed: int = 10_000_00,
    on_hold: bool = False,
    days_ago: int = 0,
    received: datetime | None = None,
    created: datetime | None = None,
) -> Claim:
    moment = datetime.now(UTC) - timedelta(days=days_ago)
    return Claim(
        id=uuid.uuid4(),
        risk_score=risk,
        total_billed=billed,
        on_hold=on_hold,
        received_at=received or (None if created else moment),
        created_at=created or moment,
    )


@pytest.fixture
async def pg() -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(async_url(os.environ["DATABASE_URL"]))
    try:
        async with engine.connect() as conn:
            yield conn
    finally:
        await engine.dispose()


async def sql_scores(pg: AsyncConnection, s: TenantSettings, claims: list[Claim]) -> list[int]:
    """`queue.score_sql` as PostgreSQL evaluates it over the claims' values (a VALUES list
    standing in for the claims table: nothing is stored)."""
    rows = values(
        column("n", Integer),
        column("on_hold", Boolean),
        column("risk_score", Integer),
        column("total_billed", BigInteger),
        column("received_at", DateTime(timezone=True)),
        column("created_at", DateTime(timezone=True)),
        name="claims",
    ).data(
        [
            (n, c.on_hold, c.risk_score, c.total_billed, c.received_at, c.created_at)
            for n, c in enumerate(claims)
        ]
    )
    scored = aliased(Claim, rows, adapt_on_names=True)
    query = select(queue.score_sql(s, scored)).select_from(rows).order_by(rows.c.n)
    return [int(v) for v in (await pg.execute(query)).scalars()]


def documented_score(c: Claim, sla: int, flag: int) -> int:
    """The queue module's formula, written out independently with exact integer maths."""
    tier = 2 if c.on_hold else 1 if c.risk_score >= flag else 0
    naira = max(c.total_billed, 0) // 100
    floor_log2 = (naira + 1).bit_length() - 1
    moment = c.received_at or c.created_at
    day_number = (moment.astimezone(UTC).date() - date(2020, 1, 1)).days
    return (
        tier * 10**12
        + c.risk_score * 10_000
        + floor_log2 * 20_000
        - day_number * (1_000_000 // sla)
    )


class TestScore:
    async def test_waiting_one_sla_period_weighs_as_much_as_a_risk_of_100(
        self, pg: AsyncConnection
    ) -> None:
        s = settings(flag_score=101)  # no flagged tier here: compare the terms alone
        old, risky = await sql_scores(pg, s, [claim(days_ago=14), claim(risk=100)])
        assert abs(old - risky) <= 14

    async def test_older_claims_rise_without_rewriting_rows(self, pg: AsyncConnection) -> None:
        three, two, old_small, new_big = await sql_scores(
            pg,
            settings(),
            [
                claim(days_ago=3),
                claim(days_ago=2),
                claim(days_ago=5, billed=10_00),
                claim(billed=1_000_000_00),
            ],
        )
        assert three > two
        assert old_small > new_big

    def test_a_shorter_sla_ages_claims_faster(self) -> None:
        fast, slow = (
            queue.age_points_per_day(settings(sla=7)),
            queue.age_points_per_day(settings(sla=14)),
        )
        assert abs(fast - 2 * slow) <= 1

    async def test_value_breaks_ties_between_equally_risky_claims(
        self, pg: AsyncConnection
    ) -> None:
        big, small = await sql_scores(
            pg, settings(), [claim(billed=500_000_00), claim(billed=5_000_00)]
        )
        assert big > small

    async def test_holds_then_flagged_claims_come_first(self, pg: AsyncConnection) -> None:
        held, flagged, old_and_big = await sql_scores(
            pg,
            settings(flag_score=50),
            [claim(on_hold=True), claim(risk=50), claim(risk=49, billed=10**12, days_ago=3000)],
        )
        assert held > flagged > old_and_big

    async def test_sql_matches_the_documented_formula_exactly(self, pg: AsyncConnection) -> None:
        """A spread of inputs: billed 0 and 1 kobo, and 2^k - 2 .. 2^k + 1 naira (whole and
        with 99 kobo; naira + 1 at and just below a power of two) up to 2^56, where a
        floating-point or numeric log2 rounds; risk on both sides
        of the flag; holds; the clock read from received_at, else created_at, as a UTC day
        (an evening in Lagos at UTC+1 is the next UTC day only after 23:00)."""
        naira = sorted({n for k in range(1, 57) for n in (2**k - 2, 2**k - 1, 2**k, 2**k + 1)})
        bills = [0, 1, 99, 100, 101, *(n * 100 for n in naira), *(n * 100 + 99 for n in naira)]
        lagos = timezone(timedelta(hours=1))
        moments = [
            {"days_ago": 0},
            {"days_ago": 400},
            {"received": datetime(2020, 1, 1, 0, 0, tzinfo=UTC)},
            {"received": datetime(2019, 12, 31, 23, 59, tzinfo=UTC)},
            {"received": datetime(2026, 3, 1, 23, 30, tzinfo=lagos)},
            {"received": datetime(2026, 3, 1, 0, 30, tzinfo=lagos)},
            {"created": datetime(2025, 6, 30, 23, 59, 59, tzinfo=UTC)},
        ]
        risks = [0, 49, 50, 100]
        claims = [
            claim(
                billed=billed,
                risk=risks[n % len(risks)],
                on_hold=n % 7 == 3,
                **moments[n % len(moments)],
            )
            for n, billed in enumerate(bills)
        ]
        assert 2**56 * 100 < 2**63 <= (2**57) * 100  # the largest naira a BIGINT holds
        for sla, flag in ((14, 50), (7, 49), (30, 101), (365, 0), (1, 100)):
            got = await sql_scores(pg, settings(sla=sla, flag_score=flag), claims)
            assert got == [documented_score(c, sla, flag) for c in claims], (sla, flag)

    async def test_value_points_are_exact_at_powers_of_two(self, pg: AsyncConnection) -> None:
        s = settings(flag_score=101)
        base, below, at = await sql_scores(
            pg,
            s,
            [claim(billed=0), claim(billed=(2**53 - 2) * 100), claim(billed=(2**53 - 1) * 100)],
        )
        assert below - base == 52 * 20_000  # naira + 1 = 2^53 - 1
        assert at - base == 53 * 20_000  # naira + 1 = 2^53


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


async def hmo_score(core: httpx.AsyncClient, staff: dict[str, str], claim: dict[str, Any]) -> int:
    """The claim's risk score, which only the HMO's staff see (not the filing provider)."""
    response = await core.get(f"/v1/claims/{claim['id']}", headers=staff)
    assert response.status_code == 200, response.text
    return int(response.json()["risk_score"])


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
    # served before coverage began (40) and an excluded procedure (20): flagged at 60
    flagged = await make_claim(
        core,
        provider,
        members[3],
        service_date="2024-12-01",
        items=[item("COS-001", 5_000_00)],
    )
    submitted = await make_claim(core, provider, members[4])
    for c in (small, big, excluded, flagged):
        await receive(core, staff, c)

    first = await core.get("/v1/claims/queue", params={"limit": 2}, headers=staff)
    assert first.status_code == 200, first.text
    body = first.json()
    rest = (
        await core.get("/v1/claims/queue", params={"cursor": body["next_cursor"]}, headers=staff)
    ).json()
    ranked = body["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert [c["id"] for c in ranked] == [flagged["id"], excluded["id"], big["id"], small["id"]]
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


async def patch_settings(core: httpx.AsyncClient, ctx: dict[str, Any], **changes: Any) -> None:
    admin = ctx["tenant"].admin
    version = (await core.get("/v1/settings", headers=admin)).json()["version"]
    patched = await core.patch("/v1/settings", json={"version": version, **changes}, headers=admin)
    assert patched.status_code == 200, patched.text


async def ranked(core: httpx.AsyncClient, ctx: dict[str, Any]) -> list[dict[str, Any]]:
    response = await core.get("/v1/claims/queue", headers=ctx["staff"])
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def last_settings_audit(core: httpx.AsyncClient, ctx: dict[str, Any]) -> dict[str, Any]:
    entries = await core.get(
        "/v1/audit-events", params={"action": "settings.update"}, headers=ctx["tenant"].admin
    )
    return dict(entries.json()["items"][0]["details"])


class TestSettingsChangesReRank:
    async def test_a_flag_score_change_moves_a_claim_between_tiers(
        self, core: httpx.AsyncClient
    ) -> None:
        ctx = await queue_setup(core)
        members = [
            await make_principal(core, ctx["tenant"], ctx["client"], ctx["plan"], **SINCE)
            for _ in range(2)
        ]
        # risk 20 (excluded procedure) and 240,000 value points, against risk 0 and 500,000
        risky = await make_claim(
            core, ctx["provider"], members[0], items=[item("COS-001", 5_000_00)]
        )
        big = await make_claim(
            core, ctx["provider"], members[1], items=[item("SURG-01", 50_000_000_00)]
        )
        scores = [await hmo_score(core, ctx["staff"], c) for c in (risky, big)]
        assert scores == [20, 0]
        for c in (risky, big):
            await receive(core, ctx["staff"], c)
        before = await ranked(core, ctx)
        assert [c["id"] for c in before] == [big["id"], risky["id"]]
        assert before[1]["flagged"] is False

        await patch_settings(core, ctx, risk_thresholds={"flag_score": 20})
        after = await ranked(core, ctx)
        assert [c["id"] for c in after] == [risky["id"], big["id"]]
        assert after[0]["flagged"] is True
        assert after[0]["queue_score"] == before[1]["queue_score"] + 10**12
        assert after[1]["queue_score"] == before[0]["queue_score"]
        assert (await last_settings_audit(core, ctx))["requeued_claims"] == 1  # only it moved

        await patch_settings(core, ctx, risk_thresholds={"upcoding_window_days": 30})
        assert "requeued_claims" not in await last_settings_audit(core, ctx)
        await patch_settings(core, ctx, risk_thresholds={"flag_score": None})  # the default
        assert await ranked(core, ctx) == before

    async def test_an_sla_change_re_ages_the_queue(self, core: httpx.AsyncClient) -> None:
        """Between two claims, the one received d days earlier is ahead by
        d * (1,000,000 // claim_sla_days): 14 days beat a risk of 20 with the default SLA
        of 14 days, but not with an SLA of 100 days."""
        ctx = await queue_setup(core)
        members = [
            await make_principal(core, ctx["tenant"], ctx["client"], ctx["plan"], **SINCE)
            for _ in range(2)
        ]
        old = await make_claim(core, ctx["provider"], members[0], items=[item("CONS-01", 5_000_00)])
        new = await make_claim(core, ctx["provider"], members[1], items=[item("COS-001", 5_000_00)])
        for c in (old, new):
            await receive(core, ctx["staff"], c)
        async with superuser() as conn:
            earlier = "update claims set received_at = received_at - interval '14 days'"
            await conn.execute(text(f"{earlier} where id = :id"), {"id": old["id"]})
        engine = create_async_engine(async_url(os.environ["DATABASE_URL"]))
        try:
            async with AsyncSession(engine) as db, db.begin():
                row = await db.get(Claim, uuid.UUID(old["id"]))
                assert row is not None
                await queue.rescore(db, row)
        finally:
            await engine.dispose()

        def gap(entries: list[dict[str, Any]]) -> int:
            by_id = {c["id"]: c["queue_score"] for c in entries}
            return int(by_id[old["id"]] - by_id[new["id"]])

        default = await ranked(core, ctx)
        assert [c["id"] for c in default] == [old["id"], new["id"]]
        assert gap(default) == 14 * (1_000_000 // 14) - 20 * 10_000

        await patch_settings(core, ctx, claim_sla_days=100)
        slow = await ranked(core, ctx)
        assert [c["id"] for c in slow] == [new["id"], old["id"]]
        assert gap(slow) == 14 * (1_000_000 // 100) - 20 * 10_000
        received = date.fromisoformat(slow[1]["received_at"][:10])
        assert slow[1]["sla_due_on"] == (received + timedelta(days=100)).isoformat()
        assert (await last_settings_audit(core, ctx))["requeued_claims"] == 2
