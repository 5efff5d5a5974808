"""A property of settlement, checked on generated data: every total is the sum of its lines.

With a seeded `random.Random`: several providers, many APPROVED claims of random amounts
(some lines lowered by the reviewer) and service dates, then runs (one for a single
provider), partial and full payments, a cancelled run and its re-run. After each step,
for every run of the HMO: the run's total is the sum of its remittances', a remittance's
is the sum of its lines' (each line paying its claim's approved total), nothing is paid
beyond a total, no claim is in two live lines, and each run holds exactly the claims an
independent model of the rules says it should.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.claims_world import TODAY, World, world
from tests.db import superuser
from tests.factories import ProviderCtx, link_provider, make_provider

GENEROUS = [
    {
        "category": "outpatient",
        "limit_amount": 100_000_000_00,
        "period": "POLICY_YEAR",
        "copay_percent": 0,
    }
]


@dataclass
class Model:
    """What the test expects, kept apart from what the API says."""

    approved: dict[str, int] = field(default_factory=dict)  # claim id → approved total
    provider_of: dict[str, str] = field(default_factory=dict)
    served_on: dict[str, date] = field(default_factory=dict)
    live: dict[str, str] = field(default_factory=dict)  # claim id → its live run

    def expected(self, provider_id: str | None, first: date, last: date) -> set[str]:
        return {
            claim_id
            for claim_id in self.approved
            if claim_id not in self.live
            and first <= self.served_on[claim_id] <= last
            and provider_id in (None, self.provider_of[claim_id])
        }


async def approved_claim(
    core: httpx.AsyncClient, w: World, provider: ProviderCtx, rng: random.Random
) -> dict[str, Any]:
    items = [
        {
            "code": f"PROC-{rng.randint(1, 40):02d}",
            "description": "generated",
            "quantity": rng.randint(1, 3),
            "unit_price": rng.randint(1, 400_000_00),
        }
        for _ in range(rng.randint(1, 4))
    ]
    body = {
        "member_id": w.member["member_id"],
        "provider_id": provider.id,
        "service_date": (TODAY - timedelta(days=rng.randint(0, 27))).isoformat(),
        "diagnosis_codes": ["J06.9"],
        "items": items,
    }
    response = await core.post("/v1/claims", json=body, headers=provider.user)
    assert response.status_code == 201, response.text
    claim = response.json()
    for to in ("RECEIVED", "IN_REVIEW", "APPROVED"):
        decision: dict[str, Any] = {"to": to, "version": claim["version"]}
        if to == "APPROVED":
            # The reviewer lowers some lines (never above the billed amount).
            decision["items"] = [
                {
                    "id": i["id"],
                    "approved_amount": rng.randint(1, i["billed_amount"]),
                    "reason_code": "45",
                }
                for i in claim["items"]
                if rng.random() < 0.3
            ]
        response = await core.post(
            f"/v1/claims/{claim['id']}/transitions", json=decision, headers=w.hmo.admin
        )
        assert response.status_code == 200, response.text
        claim = response.json()
    assert claim["status"] == "APPROVED"
    return dict(claim)


async def check_invariants(core: httpx.AsyncClient, w: World, model: Model) -> int:
    """Every run of the HMO, through the API and in the tables. Returns how many runs."""
    runs = (await core.get("/v1/settlement-runs?limit=200", headers=w.hmo.admin)).json()["items"]
    for listed in runs:
        run = (await core.get(f"/v1/settlement-runs/{listed['id']}", headers=w.hmo.admin)).json()
        assert run["total"] == listed["total"] == sum(r["total"] for r in run["remittances"])
        for remittance in run["remittances"]:
            assert remittance["total"] == sum(line["amount"] for line in remittance["lines"])
            assert 0 <= remittance["paid_amount"] <= remittance["total"]
            assert remittance["paid_amount"] == sum(
                p["amount"] for p in remittance["payment_proofs"]
            )
            for line in remittance["lines"]:
                assert line["amount"] == line["approved"] == model.approved[line["claim_id"]]
        claims = {line["claim_id"] for r in run["remittances"] for line in r["lines"]}
        if run["status"] != "CANCELLED":
            assert claims == {c for c, run_id in model.live.items() if run_id == run["id"]}
    async with superuser() as conn:
        sums = (
            await conn.execute(
                text(
                    """
                    select r.id, r.total, r.paid_amount,
                        coalesce((select sum(l.amount) from remittance_lines l
                                  where l.remittance_id = r.id), 0) as lines,
                        coalesce((select sum(p.amount) from payment_proofs p
                                  where p.remittance_id = r.id), 0) as proofs,
                        s.total as run_total,
                        (select sum(r2.total) from remittances r2 where r2.run_id = s.id)
                            as run_sum
                    from remittances r join settlement_runs s on s.id = r.run_id
                    where r.tenant_id = :t
                    """
                ),
                {"t": w.hmo.id},
            )
        ).all()
        for row in sums:
            assert row.total == row.lines
            assert row.paid_amount == row.proofs <= row.total
            assert row.run_total == row.run_sum
        twice = (
            await conn.execute(
                text(
                    "select claim_id from remittance_lines where tenant_id = :t and active"
                    " and claim_id is not null group by claim_id having count(*) > 1"
                ),
                {"t": w.hmo.id},
            )
        ).all()
        assert twice == []
    return len(runs)


async def create(
    core: httpx.AsyncClient,
    w: World,
    model: Model,
    first: date,
    last: date,
    provider: ProviderCtx | None = None,
) -> dict[str, Any]:
    expected = model.expected(provider.id if provider else None, first, last)
    body: dict[str, Any] = {"period_from": first.isoformat(), "period_to": last.isoformat()}
    if provider is not None:
        body["provider_id"] = provider.id
    response = await core.post("/v1/settlement-runs", json=body, headers=w.hmo.admin)
    if not expected:
        assert response.status_code == 422, response.text
        return {}
    assert response.status_code == 201, response.text
    run = dict(response.json())
    got = {line["claim_id"] for r in run["remittances"] for line in r["lines"]}
    assert got == expected
    assert run["total"] == sum(model.approved[c] for c in expected)
    model.live.update((c, run["id"]) for c in got)
    return run


async def pay(
    core: httpx.AsyncClient, w: World, remittance: dict[str, Any], amount: int
) -> dict[str, Any]:
    response = await core.post(
        f"/v1/remittances/{remittance['id']}/payment-proofs",
        data={"reference": "GEN", "amount": str(amount), "paid_on": TODAY.isoformat()},
        files={"file": ("p.pdf", b"%PDF-1.4", "application/pdf")},
        headers=w.hmo.admin,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.mark.parametrize("seed", [20261123, 7])
async def test_totals_are_always_the_sum_of_their_lines(core: httpx.AsyncClient, seed: int) -> None:
    rng = random.Random(seed)
    w = await world(core, benefits=GENEROUS)
    providers = [w.provider]
    for n in range(rng.randint(2, 4)):
        provider = await make_provider(core, name=f"Generated Clinic {n}")
        await link_provider(core, w.hmo, provider)
        providers.append(provider)
    model = Model()
    for _ in range(rng.randint(30, 45)):
        provider = rng.choice(providers)
        claim = await approved_claim(core, w, provider, rng)
        model.approved[claim["id"]] = claim["total_approved"]
        model.provider_of[claim["id"]] = provider.id
        model.served_on[claim["id"]] = date.fromisoformat(claim["service_date"])
    assert sum(model.approved.values()) > 0

    # A run for one provider, then one for everyone over a longer period.
    one = rng.choice(providers)
    single = await create(
        core, w, model, TODAY - timedelta(days=27), TODAY - timedelta(days=10), one
    )
    everyone = await create(core, w, model, TODAY - timedelta(days=27), TODAY - timedelta(days=5))
    assert everyone, "the generated data should leave claims for a run of everyone"
    await check_invariants(core, w, model)

    # Approve both; pay remittances in full (in one to three parts), in part, or not at all.
    paid_runs = [run for run in (single, everyone) if run]
    assert len(everyone["remittances"]) >= 2
    plans = {everyone["remittances"][0]["id"]: "full", everyone["remittances"][1]["id"]: "part"}
    for run in paid_runs:
        approved = await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=w.hmo.admin)
        assert approved.status_code == 200, approved.text
        for remittance in run["remittances"]:
            plan = plans.get(remittance["id"]) or rng.choice(["full", "part", "none"])
            left = (
                remittance["total"]
                if plan == "full"
                else rng.randint(1, max(1, remittance["total"] - 1))
            )
            if plan == "none" or left <= 0:
                continue
            for _ in range(rng.randint(1, 3) - 1):
                amount = rng.randint(1, left)
                if amount == left:
                    break
                left -= amount
                await pay(core, w, remittance, amount)
            await pay(core, w, remittance, left)
    statuses = [m["status"] for run in paid_runs for m in await remittances_of(core, w, run)]
    assert "PAID" in statuses
    assert "PENDING" in statuses
    await check_invariants(core, w, model)

    # The rest, cancelled (its claims released) and run again: the same claims come back.
    rest = await create(core, w, model, TODAY - timedelta(days=30), TODAY)
    assert rest, "the generated data should leave claims for a last run"
    cancelled = await core.post(f"/v1/settlement-runs/{rest['id']}/cancel", headers=w.hmo.admin)
    assert cancelled.status_code == 200, cancelled.text
    released = {c for c, run_id in model.live.items() if run_id == rest["id"]}
    for claim_id in released:
        del model.live[claim_id]
    again = await create(core, w, model, TODAY - timedelta(days=30), TODAY)
    assert {line["claim_id"] for r in again["remittances"] for line in r["lines"]} == released
    # A run with a payment cannot be cancelled.
    for run in paid_runs:
        if any(m["paid_amount"] > 0 for m in await remittances_of(core, w, run)):
            refused = await core.post(
                f"/v1/settlement-runs/{run['id']}/cancel", headers=w.hmo.admin
            )
            assert refused.status_code == 409
    assert await check_invariants(core, w, model) == len(paid_runs) + 2
    # Every approved claim is now in exactly one live run; the fully paid ones are SETTLED.
    assert set(model.live) == set(model.approved)
    async with superuser() as conn:
        settled = set(
            (
                await conn.execute(
                    text("select id::text from claims where tenant_id = :t and status = 'SETTLED'"),
                    {"t": w.hmo.id},
                )
            ).scalars()
        )
        fully_paid = set(
            (
                await conn.execute(
                    text(
                        "select l.claim_id::text from remittance_lines l"
                        " join remittances r on r.id = l.remittance_id"
                        " where r.tenant_id = :t and r.status = 'PAID' and l.active"
                    ),
                    {"t": w.hmo.id},
                )
            ).scalars()
        )
    assert settled == fully_paid


async def remittances_of(
    core: httpx.AsyncClient, w: World, run: dict[str, Any]
) -> list[dict[str, Any]]:
    detail = (await core.get(f"/v1/settlement-runs/{run['id']}", headers=w.hmo.admin)).json()
    return list(detail["remittances"])
