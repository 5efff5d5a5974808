"""Settlement runs: grouping per provider, one live run per claim, cancel, approval limits,
payment proofs that settle claims, and what a provider sees."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.claims_world import SERVICE_DATE, World, claim_in, get_claim, move, world
from tests.db import superuser
from tests.factories import ProviderCtx, link_provider, make_provider

PERIOD = {"period_from": SERVICE_DATE.isoformat(), "period_to": SERVICE_DATE.isoformat()}


async def approved_for(core: httpx.AsyncClient, w: World, provider: ProviderCtx) -> dict[str, Any]:
    body = {
        "member_id": w.member["member_id"],
        "provider_id": provider.id,
        "service_date": SERVICE_DATE.isoformat(),
        "diagnosis_codes": ["J06.9"],
        "items": [{"code": "CONS-01", "description": "c", "quantity": 1, "unit_price": 9_000_00}],
    }
    response = await core.post("/v1/claims", json=body, headers=provider.user)
    assert response.status_code == 201, response.text
    claim = dict(response.json())
    for to in ("RECEIVED", "IN_REVIEW", "APPROVED"):
        claim = await move(core, w, claim["id"], to)
    return claim


async def new_run(core: httpx.AsyncClient, w: World, **body: Any) -> dict[str, Any]:
    response = await core.post("/v1/settlement-runs", json=PERIOD | body, headers=w.hmo.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def two_providers(core: httpx.AsyncClient) -> tuple[World, ProviderCtx, list[dict[str, Any]]]:
    w = await world(core)
    other = await make_provider(core)
    await link_provider(core, w.hmo, other)
    claims = [
        await claim_in(core, w, "APPROVED"),
        await claim_in(core, w, "APPROVED"),
        await approved_for(core, w, other),
    ]
    return w, other, claims


def claim_ids(run: dict[str, Any]) -> set[str]:
    return {line["claim_id"] for r in run["remittances"] for line in r["lines"]}


async def test_run_groups_by_provider_and_totals_are_line_sums(core: httpx.AsyncClient) -> None:
    w, other, claims = await two_providers(core)
    run = await new_run(core, w)
    assert run["number"].startswith("STL-")
    assert run["status"] == "DRAFT"
    by_provider = {r["provider_id"]: r for r in run["remittances"]}
    assert set(by_provider) == {w.provider.id, other.id}
    assert len(by_provider[w.provider.id]["lines"]) == 2
    assert len(by_provider[other.id]["lines"]) == 1
    for remittance in run["remittances"]:
        assert remittance["total"] == sum(line["amount"] for line in remittance["lines"])
    assert run["total"] == sum(c["total_approved"] for c in claims) > 0
    assert run["total"] == sum(r["total"] for r in run["remittances"])
    listed = (await core.get("/v1/settlement-runs", headers=w.hmo.admin)).json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]
    assert listed["next_cursor"] is None
    # A run for one provider only takes that provider's claims; none are left here.
    again = await core.post(
        "/v1/settlement-runs", json=PERIOD | {"provider_id": other.id}, headers=w.hmo.admin
    )
    assert again.status_code == 422


async def test_two_concurrent_runs_never_share_a_claim(core: httpx.AsyncClient) -> None:
    w, _, claims = await two_providers(core)
    responses = await asyncio.gather(
        *(core.post("/v1/settlement-runs", json=PERIOD, headers=w.hmo.admin) for _ in range(2))
    )
    created = [r.json() for r in responses if r.status_code == 201]
    assert sorted(r.status_code for r in responses) in ([201, 201], [201, 409], [201, 422])
    seen = [cid for run in created for cid in claim_ids(run)]
    assert len(seen) == len(set(seen))
    assert set(seen) == {c["id"] for c in claims}


async def test_cancel_releases_claims(core: httpx.AsyncClient) -> None:
    w, _, claims = await two_providers(core)
    run = await new_run(core, w)
    cancelled = await core.post(f"/v1/settlement-runs/{run['id']}/cancel", headers=w.hmo.admin)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "CANCELLED"
    assert {r["status"] for r in cancelled.json()["remittances"]} == {"CANCELLED"}
    fresh = await new_run(core, w)
    assert claim_ids(fresh) == {c["id"] for c in claims}
    twice = await core.post(f"/v1/settlement-runs/{run['id']}/cancel", headers=w.hmo.admin)
    assert twice.status_code == 409


async def test_approve_within_and_above_the_limit(core: httpx.AsyncClient) -> None:
    w, _, _ = await two_providers(core)
    run = await new_run(core, w)
    finance = await w.as_role(core, "Finance")
    roles = (await core.get("/v1/roles", headers=w.hmo.admin)).json()["items"]
    role_id = next(r["id"] for r in roles if r["name"] == "Finance")
    low = {"role_id": role_id, "claim_limit": 0, "settlement_limit": run["total"] - 1}
    response = await core.put("/v1/approval-limits", json={"limits": [low]}, headers=w.hmo.admin)
    assert response.status_code == 200, response.text
    above = await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=finance)
    assert above.status_code == 403
    assert str(run["total"] - 1) in above.json()["detail"]
    low["settlement_limit"] = run["total"]
    await core.put("/v1/approval-limits", json={"limits": [low]}, headers=w.hmo.admin)
    within = await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=finance)
    assert within.status_code == 200, within.text
    assert within.json()["status"] == "APPROVED"
    assert within.json()["approved_by"] is not None


async def pay(
    core: httpx.AsyncClient, headers: dict[str, str], remittance: dict[str, Any], amount: int
) -> httpx.Response:
    return await core.post(
        f"/v1/remittances/{remittance['id']}/payment-proofs",
        data={"reference": "TRF-1", "amount": str(amount), "paid_on": PERIOD["period_to"]},
        files={"file": ("proof.pdf", b"%PDF-1.4 bank transfer", "application/pdf")},
        headers=headers,
    )


async def test_payment_proof_settles_claims_and_notifies_provider(
    core: httpx.AsyncClient,
) -> None:
    w, other, _ = await two_providers(core)
    run = await new_run(core, w)
    finance = await w.as_role(core, "Finance")
    early = await pay(core, finance, run["remittances"][0], 1)
    assert early.status_code == 409  # the run is not approved yet
    assert (
        await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=finance)
    ).status_code == 200
    mine = next(r for r in run["remittances"] if r["provider_id"] == w.provider.id)
    theirs = next(r for r in run["remittances"] if r["provider_id"] == other.id)
    part = await pay(core, finance, mine, 1)
    assert part.status_code == 201, part.text
    assert part.json()["status"] == "PENDING"
    assert part.json()["paid_amount"] == 1
    too_much = await pay(core, finance, mine, mine["total"])
    assert too_much.status_code == 422
    full = await pay(core, finance, mine, mine["total"] - 1)
    assert full.status_code == 201, full.text
    assert full.json()["status"] == "PAID"
    assert len(full.json()["payment_proofs"]) == 2
    for line in mine["lines"]:
        assert (await get_claim(core, w, line["claim_id"]))["status"] == "SETTLED"
    for line in theirs["lines"]:
        assert (await get_claim(core, w, line["claim_id"]))["status"] == "APPROVED"
    notices = (await core.get("/v1/notifications", headers=w.provider.user)).json()["items"]
    # Each proof reaches the provider: the part payment as recorded, the last as paid.
    assert [n["type"] for n in notices if n["type"].startswith("remittance.")] == [
        "remittance.paid",
        "remittance.payment_recorded",
    ]
    part_notice = next(n for n in notices if n["type"] == "remittance.payment_recorded")
    assert part_notice["data"]["remittance_id"] == mine["id"]
    assert part_notice["data"]["amount"] == 1
    assert part_notice["data"]["outstanding"] == mine["total"] - 1
    detail = (await core.get(f"/v1/settlement-runs/{run['id']}", headers=finance)).json()
    assert detail["status"] == "APPROVED"
    assert (await pay(core, finance, theirs, theirs["total"])).status_code == 201
    detail = (await core.get(f"/v1/settlement-runs/{run['id']}", headers=finance)).json()
    assert detail["status"] == "PAID"
    cancel = await core.post(f"/v1/settlement-runs/{run['id']}/cancel", headers=w.hmo.admin)
    assert cancel.status_code == 409


async def test_provider_sees_only_its_own_remittances(core: httpx.AsyncClient) -> None:
    w, other, _ = await two_providers(core)
    run = await new_run(core, w)
    mine = next(r for r in run["remittances"] if r["provider_id"] == w.provider.id)
    theirs = next(r for r in run["remittances"] if r["provider_id"] == other.id)
    finance = await w.as_role(core, "Finance")
    await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=finance)
    assert (await pay(core, finance, mine, mine["total"])).status_code == 201
    own = await core.get(f"/v1/remittances/{mine['id']}", headers=w.provider.user)
    assert own.status_code == 200, own.text
    assert own.json()["status"] == "PAID"
    assert len(own.json()["payment_proofs"]) == 1
    assert (
        await core.get(f"/v1/remittances/{theirs['id']}", headers=w.provider.user)
    ).status_code == 404
    assert (await core.get(f"/v1/remittances/{mine['id']}", headers=other.user)).status_code == 404
    csv_text = await core.get(
        f"/v1/remittances/{mine['id']}", params={"format": "csv"}, headers=w.provider.user
    )
    assert csv_text.status_code == 200
    assert csv_text.headers["content-type"].startswith("text/csv")
    rows = csv_text.text.strip().splitlines()
    assert rows[0] == "claim_number,member_id,service_date,billed,approved,paid,dispute_number"
    assert len(rows) == 1 + len(mine["lines"])
    assert rows[1].split(",")[1] == w.member["member_id"]
    # Runs are the HMO's: the provider cannot list or read them.
    assert (await core.get("/v1/settlement-runs", headers=w.provider.user)).status_code == 403
    assert (
        await core.get(f"/v1/settlement-runs/{run['id']}", headers=w.provider.user)
    ).status_code in (403, 404)


async def test_database_refuses_a_claim_in_two_live_runs(core: httpx.AsyncClient) -> None:
    """The partial unique index is the backstop behind the creation lock."""
    w, _, _ = await two_providers(core)
    run = await new_run(core, w)
    line = run["remittances"][0]["lines"][0]
    copy = (
        "insert into remittance_lines (id, tenant_id, created_at, remittance_id, claim_id,"
        " provider_tenant_id, billed, approved, amount, active)"
        " select gen_random_uuid(), tenant_id, now(), remittance_id, claim_id,"
        " provider_tenant_id, billed, approved, amount, true from remittance_lines where id = :id"
    )
    async with superuser() as conn:
        with pytest.raises(IntegrityError):
            await conn.execute(text(copy), {"id": line["id"]})
