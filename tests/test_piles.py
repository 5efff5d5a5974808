"""Piles: roll-ups per provider and month, `next` under concurrency, sampled vetting."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text

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


def consult(price: int = 10_000_00) -> list[dict[str, Any]]:
    return [{"code": "CONS-01", "description": "Consult", "quantity": 1, "unit_price": price}]


async def pile_setup(core: httpx.AsyncClient, claims: int) -> dict[str, Any]:
    """`claims` RECEIVED claims for distinct members, one provider, November 2026."""
    tenant = await make_tenant(core)
    plan, client = await make_plan(core, tenant), await make_client(core, tenant)
    provider = await make_provider(core)
    await link_provider(core, tenant, provider)
    _, staff = await make_staff(core, tenant, "Adjudicator")
    made = []
    for _ in range(claims):
        member = await make_principal(core, tenant, client, plan, **SINCE)
        claim = await make_claim(core, provider, member, items=consult())
        moved = await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": "RECEIVED", "version": 1},
            headers=staff,
        )
        assert moved.status_code == 200, moved.text
        made.append(moved.json())
    return {
        "tenant": tenant,
        "plan": plan,
        "client": client,
        "provider": provider,
        "staff": staff,
        "claims": made,
        "pile": f"{provider.id}:2026-11",
    }


async def test_piles_roll_up_by_provider_and_month(core: httpx.AsyncClient) -> None:
    ctx = await pile_setup(core, 2)
    member = await make_principal(core, ctx["tenant"], ctx["client"], ctx["plan"], **SINCE)
    await make_claim(core, ctx["provider"], member, service_date="2026-10-05", items=consult())
    listed = await core.get("/v1/piles", headers=ctx["staff"])
    assert listed.status_code == 200, listed.text
    piles = listed.json()["items"]
    assert [p["id"] for p in piles] == [ctx["pile"], f"{ctx['provider'].id}:2026-10"]
    november = piles[0]
    assert november["claim_count"] == 2
    assert november["total_billed"] == 20_000_00
    assert november["currency"] == "NGN"
    assert november["by_status"]["RECEIVED"]["count"] == 2
    assert november["to_vet"] == 2
    assert november["provider_name"] == ctx["provider"].name

    page = await core.get("/v1/piles", params={"limit": 1}, headers=ctx["staff"])
    second = await core.get(
        "/v1/piles", params={"cursor": page.json()["next_cursor"]}, headers=ctx["staff"]
    )
    assert [p["id"] for p in second.json()["items"]] == [piles[1]["id"]]
    filtered = await core.get(
        "/v1/piles",
        params={"provider_id": ctx["provider"].id, "month": "2026-10"},
        headers=ctx["staff"],
    )
    assert [p["month"] for p in filtered.json()["items"]] == ["2026-10"]

    one = await core.get(f"/v1/piles/{ctx['pile']}", headers=ctx["staff"])
    assert one.json() == november
    for missing in (f"{ctx['provider'].id}:2020-01", "nonsense"):
        response = await core.get(f"/v1/piles/{missing}", headers=ctx["staff"])
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


async def test_concurrent_next_calls_never_share_a_claim(core: httpx.AsyncClient) -> None:
    ctx = await pile_setup(core, 6)
    _, other = await make_staff(core, ctx["tenant"], "Adjudicator")
    callers = [ctx["staff"], other] * 4
    responses = await asyncio.gather(
        *(core.post(f"/v1/piles/{ctx['pile']}/next", headers=h) for h in callers)
    )
    handed = [r.json()["id"] for r in responses if r.status_code == 200]
    assert sorted(r.status_code for r in responses) == [200] * 6 + [204] * 2
    assert sorted(handed) == sorted(c["id"] for c in ctx["claims"])
    assert all(r.json()["assigned_to"] for r in responses if r.status_code == 200)
    pile = (await core.get(f"/v1/piles/{ctx['pile']}", headers=ctx["staff"])).json()
    assert pile["to_vet"] == 0


async def test_abandoned_assignments_return(core: httpx.AsyncClient) -> None:
    ctx = await pile_setup(core, 1)
    url = f"/v1/piles/{ctx['pile']}/next"
    first = await core.post(url, headers=ctx["staff"])
    assert first.status_code == 200
    assert (await core.post(url, headers=ctx["staff"])).status_code == 204
    async with superuser() as conn:
        await conn.execute(
            text("update claims set assigned_at = now() - interval '16 minutes' where id = :id"),
            {"id": first.json()["id"]},
        )
    again = await core.post(url, headers=ctx["staff"])
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


async def test_next_needs_piles_vet_and_a_known_pile(core: httpx.AsyncClient) -> None:
    ctx = await pile_setup(core, 1)
    _, finance = await make_staff(core, ctx["tenant"], "Finance")
    refused = await core.post(f"/v1/piles/{ctx['pile']}/next", headers=finance)
    assert refused.status_code == 403
    unknown = await core.post(f"/v1/piles/{ctx['provider'].id}:2019-01/next", headers=ctx["staff"])
    assert unknown.status_code == 404


async def decide(
    core: httpx.AsyncClient, staff: dict[str, str], claim: dict[str, Any], amount: int | None
) -> None:
    """IN_REVIEW, then APPROVED at `amount` on its one line (None: REJECTED)."""
    current = (await core.get(f"/v1/claims/{claim['id']}", headers=staff)).json()
    moved = await core.post(
        f"/v1/claims/{claim['id']}/transitions",
        json={"to": "IN_REVIEW", "version": current["version"]},
        headers=staff,
    )
    assert moved.status_code == 200, moved.text
    body: dict[str, Any] = {"to": "REJECTED", "version": moved.json()["version"], "reason": "x"}
    if amount is not None:
        line = current["items"][0]["id"]
        body = {
            "to": "APPROVED",
            "version": moved.json()["version"],
            "items": [{"id": line, "approved_amount": amount}],
        }
    done = await core.post(f"/v1/claims/{claim['id']}/transitions", json=body, headers=staff)
    assert done.status_code == 200, done.text


async def test_sampled_vetting(core: httpx.AsyncClient) -> None:
    ctx = await pile_setup(core, 5)
    tenant, staff, pile = ctx["tenant"], ctx["staff"], ctx["pile"]
    off = await core.post(f"/v1/piles/{pile}/sample", headers=staff)
    assert off.status_code == 409
    assert off.json()["type"].endswith("sampling-off")

    # a high-risk claim in the same pile: never sampled, never decided by the ratio
    member = await make_principal(core, tenant, ctx["client"], ctx["plan"], **SINCE)
    risky = await make_claim(
        core,
        ctx["provider"],
        member,
        items=[{"code": "COS-001", "description": "x", "quantity": 1, "unit_price": 10_000_00}],
    )
    await core.post(
        f"/v1/claims/{risky['id']}/transitions",
        json={"to": "RECEIVED", "version": 1},
        headers=staff,
    )
    settings = (await core.get("/v1/settings", headers=tenant.admin)).json()
    patched = await core.patch(
        "/v1/settings",
        json={"version": settings["version"], "sampling_percent": 40, "sampling_max_risk": 10},
        headers=tenant.admin,
    )
    assert patched.status_code == 200, patched.text

    started = await core.post(f"/v1/piles/{pile}/sample", headers=staff)
    assert started.status_code == 200, started.text
    sample = started.json()
    assert sample["population"] == 5
    assert len(sample["claims"]) == 2  # ceil(40% of 5)
    assert risky["id"] not in {c["id"] for c in sample["claims"]}
    again = await core.post(f"/v1/piles/{pile}/sample", headers=staff)
    assert [c["id"] for c in again.json()["claims"]] == [c["id"] for c in sample["claims"]]

    early = await core.post(f"/v1/piles/{pile}/apply-sample", headers=staff)
    assert early.status_code == 409
    assert len(early.json()["pending"]) == 2

    # the sample: one line approved at 9,000 of 10,000 billed, one at 6,000 → 75%
    await decide(core, staff, sample["claims"][0], 9_000_00)
    await decide(core, staff, sample["claims"][1], 6_000_00)
    applied = await core.post(f"/v1/piles/{pile}/apply-sample", headers=staff)
    assert applied.status_code == 200, applied.text
    result = applied.json()
    assert result["ratio_bp"] == 7500
    rest = {c["id"] for c in ctx["claims"]} - {c["id"] for c in sample["claims"]}
    assert set(result["approved"]) == rest
    assert result["skipped"] == []
    for claim_id in rest:
        claim = (await core.get(f"/v1/claims/{claim_id}", headers=staff)).json()
        assert claim["status"] == "APPROVED"
        assert claim["decided_by_sampling"] is True
        assert claim["total_approved"] == 7_500_00
        outpatient = next(b for b in claim["benefits"] if b["category"] == "outpatient")
        assert outpatient["used_amount"] == 7_500_00
    async with superuser() as conn:
        ratios = set(
            (
                await conn.execute(
                    text("select sampling_ratio_bp from claims where id = any(:ids)"),
                    {"ids": sorted(rest)},
                )
            ).scalars()
        )
    assert ratios == {7500}
    untouched = (await core.get(f"/v1/claims/{risky['id']}", headers=staff)).json()
    assert untouched["status"] == "RECEIVED"
    assert untouched["decided_by_sampling"] is False

    seen = (await core.get(f"/v1/piles/{pile}/sample", headers=staff)).json()
    assert seen["status"] == "APPLIED"
    assert seen["ratio_bp"] == 7500
    summary = (await core.get(f"/v1/piles/{pile}", headers=staff)).json()
    assert summary["decided_by_sampling"] == 3
