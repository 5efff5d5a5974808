"""The summaries the database keeps for the loss ratio, premium exposure and the
dashboard (`incurred_days`, `member_spans`, `coverage_cohorts`, `coverage_months`,
`open_flags`) and utilisation (`utilisation_member_months`, `utilisation_cells`) are what
`claims_summaries_rebuild` and `utilisation_summaries_rebuild` compute from the raw rows,
after any mix of changes: members joining, backdated, suspended, reactivated, terminated,
moved to another client or plan; claims in every state, settled, re-dated and deleted,
a line moved to another category; visits at the desk, re-dated or found ineligible; flags
raised, cleared, confirmed by a rejection or a "Not me" report, and released again."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from core_api.reports.period import MAX_MONTHS, add_months, month_start
from tests.claims_world import PATHS, move, settle, world
from tests.db import superuser
from tests.report_members import BENEFITS, claim_on, covered_days, populate, premium, read_book
from tests.test_report_fraud_anomaly import NAME, fraud_world, random_history
from tests.test_report_utilisation import check_in

SUMMARIES = {
    "incurred_days": "service_date, client_id, plan_id, currency, claims, amount",
    "member_spans": "enrollee_id, lo, hi, prev_hi, client_id, plan_id, relationship",
    "coverage_cohorts": "client_id, plan_id, relationship, lo, hi, prev_hi, members",
    "coverage_months": "client_id, plan_id, relationship, month, net",
    "open_flags": "event_id, on_claim, currency",
    "utilisation_member_months": "enrollee_id, currency, month, provider_id, category,"
    " client_id, plan_id, provider_type, claims, visits, cost",
    "utilisation_cells": "currency, provider_id, provider_type, category, client_id, plan_id,"
    " month, prev_month, members, claims, visits, cost",
}

CLAIM_ROWS = ("claim_events", "claim_items", "claim_queries", "platform_fees", "risk_events")


async def summaries(tenant_id: str) -> dict[str, list[Any]]:
    async with superuser() as db:
        found = {}
        for table, columns in SUMMARIES.items():
            rows = await db.execute(
                text(f"select {columns} from {table} where tenant_id = :t order by {columns}"),  # noqa: S608
                {"t": tenant_id},
            )
            found[table] = [tuple(row) for row in rows]
        return found


async def rebuilt(tenant_id: str) -> dict[str, list[Any]]:
    async with superuser() as db:
        await db.execute(text("select claims_summaries_rebuild(:t)"), {"t": tenant_id})
        await db.execute(text("select utilisation_summaries_rebuild(:t)"), {"t": tenant_id})
    return await summaries(tenant_id)


async def sql(statement: str, **params: Any) -> None:
    async with superuser() as db:
        await db.execute(text(statement), params)


async def test_kept_summaries_are_the_rebuilt_ones(core: httpx.AsyncClient) -> None:
    rng = random.Random(20261208)
    w = await world(core, benefits=BENEFITS, premium=premium(rng))
    scheme = await populate(core, w, rng, members=8)
    book = await read_book(w.hmo.id)
    candidates = [m for m in book.members.values() if covered_days(book, m.id)]
    claims = []
    for _ in range(14):
        member = rng.choice(candidates)
        day = rng.choice(covered_days(book, member.id))
        claim = await claim_on(core, w, member.member_id, day, rng)
        status = rng.choice(["APPROVED", "APPROVED", "SETTLED", "REJECTED", "IN_REVIEW"])
        for step in PATHS[status]:
            claim = await move(core, w, claim["id"], step)
        if status == "SETTLED":
            await settle(core, w, claim)
        claims.append(claim)
    for member in rng.sample(candidates, 3):
        await check_in(core, w, w.provider, member.member_id, rng.choice(["lab", None]))
    kept = await summaries(w.hmo.id)
    assert kept["incurred_days"]
    assert kept["coverage_cohorts"]
    assert kept == await rebuilt(w.hmo.id)

    # A member moved to the other client and plan takes its claims and spans along.
    moved = next(m for m in candidates if any(c["enrollee_id"] == m.id for c in claims))
    await sql(
        "update enrollees set client_id = :client, plan_id = :plan where id = :id",
        client=scheme.clients[1]["id"],
        plan=scheme.plans[1]["id"],
        id=moved.id,
    )
    # A claim served a week earlier, another one gone; a status change undone.
    await sql(
        "update claims set service_date = service_date - 7 where id = :id", id=claims[0]["id"]
    )
    gone = next(c for c in claims if c["status"] == "APPROVED")  # not settled: no remittance
    for table in CLAIM_ROWS:
        await sql(f"delete from {table} where claim_id = :id", id=gone["id"])  # noqa: S608
    await sql("delete from claims where id = :id", id=gone["id"])
    await sql(
        "delete from enrollee_status_changes where id = (select id from enrollee_status_changes"
        " where tenant_id = :t and status <> 'ACTIVE' order by created_at limit 1)",
        t=w.hmo.id,
    )
    await sql(
        "update enrollees set coverage_start = coverage_start - 3 where id = :id",
        id=candidates[0].id,
    )
    # A visit moved to another month, another found ineligible after all; a claim line
    # moved to another benefit category.
    await sql(
        "update check_ins set visit_date = visit_date - 40 where id ="
        " (select id from check_ins where tenant_id = :t order by id limit 1)",
        t=w.hmo.id,
    )
    await sql(
        "update check_ins set eligible = false where id ="
        " (select id from check_ins where tenant_id = :t order by id desc limit 1)",
        t=w.hmo.id,
    )
    await sql(
        "update claim_items set category = 'drugs' where id = (select i.id from claim_items i"
        " join claims c on c.id = i.claim_id where c.tenant_id = :t and i.category <> 'drugs'"
        " and c.status <> 'REJECTED' order by i.id limit 1)",
        t=w.hmo.id,
    )
    kept = await summaries(w.hmo.id)
    assert kept["utilisation_cells"]
    assert kept == await rebuilt(w.hmo.id)


async def test_a_new_member_and_its_approved_claim_are_counted_at_once(
    core: httpx.AsyncClient,
) -> None:
    rng = random.Random(7)
    w = await world(core, benefits=BENEFITS, premium=premium(rng))
    start = date.fromisoformat(w.member["coverage_start"])
    claim = await claim_on(core, w, w.member["member_id"], start + timedelta(days=3), rng)
    for step in PATHS["APPROVED"]:
        claim = await move(core, w, claim["id"], step)
    kept = await summaries(w.hmo.id)
    assert [(row[-2], row[-1]) for row in kept["incurred_days"]] == [(1, claim["total_approved"])]
    assert [row[:4] for row in kept["member_spans"]] == [
        (uuid.UUID(w.member["id"]), start, date.max, date.min)
    ]
    assert [row[-1] for row in kept["coverage_cohorts"]] == [1]


async def test_open_flags_are_fraud_anomalys_open_ones(core: httpx.AsyncClient) -> None:
    c = await fraud_world(core)
    w = c.w
    await random_history(core, c, random.Random(11))
    kept = await summaries(w.hmo.id)
    assert kept["open_flags"]
    assert kept == await rebuilt(w.hmo.id)
    # A rejected claim's flags are confirmed; back in review, open again.
    rejected = await db_value(
        "select c.id from claims c join risk_events e on e.claim_id = c.id"
        " where c.tenant_id = :t and c.status = 'REJECTED' and e.cleared_at is null limit 1",
        t=w.hmo.id,
    )
    await sql("update claims set status = 'IN_REVIEW' where id = :id", id=rejected)
    await sql(
        "update authorizations set hold_cleared_at = now() where tenant_id = :t and suspicious",
        t=w.hmo.id,
    )
    kept = await summaries(w.hmo.id)
    assert kept == await rebuilt(w.hmo.id)
    since = add_months(month_start(date.today()), 1 - MAX_MONTHS)
    report = await core.get(
        f"/v1/reports/{NAME}", params={"from": since.isoformat()}, headers=w.hmo.admin
    )
    assert report.status_code == 200, report.text
    open_ = next(k["value"] for k in report.json()["kpis"] if k["key"] == "open")
    body = (await core.get("/v1/dashboard", headers=w.hmo.admin)).json()
    assert body["fraud_flags"]["open"] == open_ == len(kept["open_flags"])


async def db_value(statement: str, **params: Any) -> Any:
    async with superuser() as db:
        return await db.scalar(text(statement), params)
