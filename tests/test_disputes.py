"""Disputes: a provider raises one against a line of its remittance, the HMO reviews and
resolves it, and an accepted adjustment is paid as a line of the next settlement run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.claims_world import SERVICE_DATE, World, claim_in, world
from tests.db import superuser
from tests.factories import ProviderCtx, link_provider, make_provider
from tests.test_finance import approved_for, new_run

TODAY = SERVICE_DATE.isoformat()
PAST = (SERVICE_DATE - timedelta(days=60)).isoformat()
EMPTY_PERIOD = {"period_from": PAST, "period_to": PAST}


@dataclass
class Settled:
    """An HMO, its provider and a second one, each with a remittance in an approved run."""

    w: World
    other: ProviderCtx
    run: dict[str, Any]
    mine: dict[str, Any]  # w.provider's remittance: two claim lines
    theirs: dict[str, Any]  # the other provider's remittance: one claim line

    def line(self, n: int = 0) -> dict[str, Any]:
        return dict(self.mine["lines"][n])


async def settled(core: httpx.AsyncClient) -> Settled:
    w = await world(core, roles=("Finance",))
    other = await make_provider(core)
    await link_provider(core, w.hmo, other)
    await claim_in(core, w, "APPROVED")
    await claim_in(core, w, "APPROVED")
    await approved_for(core, w, other)
    run = await new_run(core, w)
    approved = await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=w.hmo.admin)
    assert approved.status_code == 200, approved.text
    mine = next(r for r in run["remittances"] if r["provider_id"] == w.provider.id)
    theirs = next(r for r in run["remittances"] if r["provider_id"] == other.id)
    return Settled(w, other, run, mine, theirs)


async def raise_(
    core: httpx.AsyncClient,
    headers: dict[str, str],
    line: dict[str, Any] | None = None,
    amount: int = 1_000_00,
    **body: Any,
) -> httpx.Response:
    payload: dict[str, Any] = {"reason": "Drugs were underpaid.", "amount_claimed": amount}
    if line is not None:
        payload["remittance_line_id"] = line["id"]
    return await core.post("/v1/disputes", json=payload | body, headers=headers)


async def raised(core: httpx.AsyncClient, s: Settled, n: int = 0, **body: Any) -> dict[str, Any]:
    response = await raise_(core, s.w.provider.user, s.line(n), **body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def resolve(
    core: httpx.AsyncClient, s: Settled, dispute: dict[str, Any], **body: Any
) -> httpx.Response:
    return await core.post(
        f"/v1/disputes/{dispute['id']}/resolve", json=body, headers=s.w.staff["Finance"]
    )


async def accepted(
    core: httpx.AsyncClient, s: Settled, adjustment: int = 600_00, n: int = 0
) -> dict[str, Any]:
    dispute = await raised(core, s, n)
    response = await resolve(core, s, dispute, outcome="ACCEPTED", adjustment=adjustment)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def notices(core: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    return list((await core.get("/v1/notifications", headers=headers)).json()["items"])


def lines_of(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for r in run["remittances"] for line in r["lines"]]


def assert_totals(run: dict[str, Any]) -> None:
    for remittance in run["remittances"]:
        assert remittance["total"] == sum(line["amount"] for line in remittance["lines"])
    assert run["total"] == sum(r["total"] for r in run["remittances"])


class TestRaise:
    async def test_provider_raises_and_resolvers_are_told(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        line = s.line()
        dispute = await raised(core, s, amount=2_500_00)
        assert dispute["number"].startswith("DSP-")
        assert dispute["status"] == "OPEN"
        assert dispute["remittance_id"] == s.mine["id"]
        assert dispute["remittance_line_id"] == line["id"]
        assert dispute["claim_id"] == line["claim_id"]
        assert dispute["claim_number"].startswith("CLM-")
        assert dispute["amount_claimed"] == 2_500_00
        assert dispute["adjustment"] is None
        assert dispute["raised_by"] is not None
        assert [(h["action"], h["to_status"]) for h in dispute["history"]] == [("raised", "OPEN")]
        assert dispute["history"][0]["actor_label"] == s.w.provider.email
        finance_notices = await notices(core, s.w.staff["Finance"])
        assert "dispute.raised" in {n["type"] for n in finance_notices}
        as_hmo = await core.get(f"/v1/disputes/{dispute['id']}", headers=s.w.hmo.admin)
        assert as_hmo.status_code == 200, as_hmo.text
        assert as_hmo.json()["history"][0]["action"] == "raised"

    async def test_by_remittance_and_claim_or_with_an_integration_key(
        self, core: httpx.AsyncClient
    ) -> None:
        s = await settled(core)
        by_claim = await raise_(
            core,
            s.w.provider.user,
            remittance_id=s.mine["id"],
            claim_id=s.line(0)["claim_id"],
        )
        assert by_claim.status_code == 201, by_claim.text
        assert by_claim.json()["remittance_line_id"] == s.line(0)["id"]
        key = await core.post(
            "/v1/api-keys",
            json={"name": "billing system", "scope": "provider_integration"},
            headers=s.w.provider.user,
        )
        assert key.status_code == 201, key.text
        by_key = await raise_(core, {"x-api-key": key.json()["key"]}, s.line(1))
        assert by_key.status_code == 201, by_key.text
        assert by_key.json()["raised_by"] == key.json()["id"]

    async def test_bad_input(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        desk = s.w.provider.user
        for amount in (0, -5):
            response = await raise_(core, desk, s.line(), amount=amount)
            assert response.status_code == 422, response.text
        assert (await raise_(core, desk, s.line(), reason="  ")).status_code == 422
        assert (await raise_(core, desk)).status_code == 422  # no line named
        too_much = await raise_(core, desk, s.line(), amount=s.line()["billed"] + 1)
        assert too_much.status_code == 422
        assert too_much.json()["errors"][0]["field"] == "amount_claimed"
        unknown = {"id": "0190f5b8-0000-7000-8000-000000000000"}
        assert (await raise_(core, desk, unknown)).status_code == 404
        # Another provider's line in the same run, and another HMO's remittance line.
        theirs = await raise_(core, desk, s.theirs["lines"][0])
        assert theirs.status_code == 404
        elsewhere = await settled(core)
        foreign = await raise_(core, desk, elsewhere.line())
        assert foreign.status_code == 404
        assert foreign.headers["content-type"] == "application/problem+json"
        # HMO staff do not raise disputes (no permission, or not a provider).
        assert (await raise_(core, s.w.hmo.admin, s.line())).status_code == 403
        assert (await raise_(core, s.w.staff["Finance"], s.line())).status_code == 403

    async def test_one_live_dispute_per_line(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        keyed = {**s.w.provider.user, "idempotency-key": "dsp-1"}
        first_try = await raise_(core, keyed, s.line())
        assert first_try.status_code == 201, first_try.text
        first = first_try.json()
        retry = await raise_(core, keyed, s.line())  # a retry answers as the first time
        assert retry.status_code == 201
        assert retry.json()["id"] == first["id"]
        again = await raise_(core, s.w.provider.user, s.line())
        assert again.status_code == 409
        assert again.json()["type"].endswith("dispute-exists")
        # Two at once on the other line: one wins.
        both = await asyncio.gather(*(raise_(core, s.w.provider.user, s.line(1)) for _ in range(2)))
        assert sorted(r.status_code for r in both) == [201, 409]
        # A rejected dispute no longer blocks the line.
        rejected = await resolve(core, s, first, outcome="REJECTED", note="Paid per tariff.")
        assert rejected.status_code == 200, rejected.text
        assert (await raise_(core, s.w.provider.user, s.line())).status_code == 201

    async def test_not_against_a_cancelled_run_or_an_adjustment_line(
        self, core: httpx.AsyncClient
    ) -> None:
        s = await settled(core)
        await accepted(core, s)
        run = await new_run(core, s.w, **EMPTY_PERIOD)
        adjustment_line = lines_of(run)[0]
        assert adjustment_line["dispute_id"] is not None
        response = await raise_(core, s.w.provider.user, adjustment_line)
        assert response.status_code == 422
        cancelled = await core.post(
            f"/v1/settlement-runs/{s.run['id']}/cancel", headers=s.w.hmo.admin
        )
        assert cancelled.status_code == 200, cancelled.text
        assert (await raise_(core, s.w.provider.user, s.line(1))).status_code == 409


class TestReviewAndResolve:
    async def test_review_then_accept(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        dispute = await raised(core, s, amount=1_000_00)
        finance = s.w.staff["Finance"]
        reviewed = await core.post(f"/v1/disputes/{dispute['id']}/review", headers=finance)
        assert reviewed.status_code == 200, reviewed.text
        assert reviewed.json()["status"] == "UNDER_REVIEW"
        assert reviewed.json()["reviewed_by"] is not None
        twice = await core.post(f"/v1/disputes/{dispute['id']}/review", headers=finance)
        assert twice.status_code == 409
        too_much = await resolve(core, s, dispute, outcome="ACCEPTED", adjustment=1_000_01)
        assert too_much.status_code == 422
        assert (await resolve(core, s, dispute, outcome="ACCEPTED")).status_code == 422
        stale = await resolve(core, s, dispute, outcome="ACCEPTED", adjustment=1, version=1)
        assert stale.status_code == 409
        done = await resolve(
            core, s, dispute, outcome="ACCEPTED", adjustment=750_00, version=2, note="Tariff 2026."
        )
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["status"] == "RESOLVED_ACCEPTED"
        assert body["adjustment"] == 750_00
        assert body["resolution_note"] == "Tariff 2026."
        assert body["resolved_by"] is not None
        assert body["resolved_at"] is not None
        assert body["adjustment_remittance_id"] is None  # waits for the next run
        history = [(h["action"], h["from_status"], h["to_status"]) for h in body["history"]]
        assert history == [
            ("raised", None, "OPEN"),
            ("under_review", "OPEN", "UNDER_REVIEW"),
            ("accepted", "UNDER_REVIEW", "RESOLVED_ACCEPTED"),
        ]
        assert all(h["at"] and h["actor_label"] for h in body["history"])
        # The provider sees the same history and was told at review and at resolution.
        own = await core.get(f"/v1/disputes/{dispute['id']}", headers=s.w.provider.user)
        assert [h["action"] for h in own.json()["history"]] == [h[0] for h in history]
        types = [n["type"] for n in await notices(core, s.w.provider.user)]
        assert {"dispute.under_review", "dispute.accepted"} <= set(types)
        again = await resolve(core, s, dispute, outcome="REJECTED", note="No.")
        assert again.status_code == 409
        assert again.json()["type"].endswith("illegal-transition")

    async def test_reject_needs_a_reason(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        dispute = await raised(core, s)
        assert (await resolve(core, s, dispute, outcome="REJECTED")).status_code == 422
        with_adjustment = await resolve(
            core, s, dispute, outcome="REJECTED", note="x", adjustment=100
        )
        assert with_adjustment.status_code == 422
        rejected = await resolve(core, s, dispute, outcome="REJECTED", note="Paid per tariff.")
        assert rejected.status_code == 200, rejected.text
        assert rejected.json()["status"] == "RESOLVED_REJECTED"
        assert rejected.json()["adjustment"] is None
        assert rejected.json()["resolution_note"] == "Paid per tariff."
        told = [
            n for n in await notices(core, s.w.provider.user) if n["type"] == "dispute.rejected"
        ]
        assert len(told) == 1
        assert told[0]["body"] == "Paid per tariff."
        review = await core.post(
            f"/v1/disputes/{dispute['id']}/review", headers=s.w.staff["Finance"]
        )
        assert review.status_code == 409

    async def test_two_resolvers_at_once_one_wins(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        dispute = await raised(core, s)
        responses = await asyncio.gather(
            resolve(core, s, dispute, outcome="ACCEPTED", adjustment=500_00),
            core.post(
                f"/v1/disputes/{dispute['id']}/resolve",
                json={"outcome": "REJECTED", "note": "No."},
                headers=s.w.hmo.admin,
            ),
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        final = (await core.get(f"/v1/disputes/{dispute['id']}", headers=s.w.hmo.admin)).json()
        assert final["version"] == 2
        assert len(final["history"]) == 2

    async def test_only_the_hmo_moves_a_dispute(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        dispute = await raised(core, s)
        desk = s.w.provider.user
        assert (
            await core.post(f"/v1/disputes/{dispute['id']}/review", headers=desk)
        ).status_code == 403
        response = await core.post(
            f"/v1/disputes/{dispute['id']}/resolve",
            json={"outcome": "ACCEPTED", "adjustment": 1},
            headers=desk,
        )
        assert response.status_code == 403

    async def test_every_move_is_audited_in_both_chains(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        dispute = await raised(core, s)
        await core.post(f"/v1/disputes/{dispute['id']}/review", headers=s.w.staff["Finance"])
        await resolve(core, s, dispute, outcome="REJECTED", note="No.")
        events = await core.get(
            "/v1/audit-events",
            params={"object_type": "dispute", "object_id": dispute["id"]},
            headers=s.w.hmo.admin,
        )
        assert events.status_code == 200, events.text
        actions = {e["action"] for e in events.json()["items"]}
        assert actions == {"dispute.raised", "dispute.under_review", "dispute.rejected"}
        async with superuser() as conn:
            provider_side = (
                await conn.execute(
                    text(
                        "select count(*) from audit_events where tenant_id = :t"
                        " and object_type = 'dispute' and object_id = :id"
                    ),
                    {"t": s.w.provider.tenant_id, "id": dispute["id"]},
                )
            ).scalar_one()
        assert provider_side == 3
        verdict = await core.get("/v1/audit-events/verify", headers=s.w.hmo.admin)
        assert verdict.json()["ok"] is True


class TestVisibility:
    async def test_provider_sees_only_its_own(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        mine = await raised(core, s)
        response = await raise_(core, s.other.user, s.theirs["lines"][0])
        assert response.status_code == 201, response.text
        theirs = response.json()
        listed = (await core.get("/v1/disputes", headers=s.w.provider.user)).json()
        assert [d["id"] for d in listed["items"]] == [mine["id"]]
        assert (
            await core.get(f"/v1/disputes/{theirs['id']}", headers=s.w.provider.user)
        ).status_code == 404
        hmo = (await core.get("/v1/disputes", headers=s.w.staff["Finance"])).json()
        assert [d["id"] for d in hmo["items"]] == [theirs["id"], mine["id"]]
        await resolve(core, s, mine, outcome="REJECTED", note="No.")
        open_only = await core.get("/v1/disputes", params={"status": "OPEN"}, headers=s.w.hmo.admin)
        assert [d["id"] for d in open_only.json()["items"]] == [theirs["id"]]
        by_remittance = await core.get(
            "/v1/disputes", params={"remittance_id": s.mine["id"]}, headers=s.w.hmo.admin
        )
        assert [d["id"] for d in by_remittance.json()["items"]] == [mine["id"]]
        admin = s.w.hmo.admin
        page = (await core.get("/v1/disputes", params={"limit": 1}, headers=admin)).json()
        assert len(page["items"]) == 1
        assert page["next_cursor"]
        rest = await core.get(
            "/v1/disputes", params={"limit": 1, "cursor": page["next_cursor"]}, headers=admin
        )
        assert [d["id"] for d in rest.json()["items"]] == [mine["id"]]
        # Another HMO's staff see none of them.
        elsewhere = await world(core)
        assert (await core.get("/v1/disputes", headers=elsewhere.hmo.admin)).json()["items"] == []
        assert (
            await core.get(f"/v1/disputes/{mine['id']}", headers=elsewhere.hmo.admin)
        ).status_code == 404


class TestAdjustmentInTheNextRun:
    async def test_next_run_pays_the_adjustment_with_its_claims(
        self, core: httpx.AsyncClient
    ) -> None:
        s = await settled(core)
        dispute = await accepted(core, s, adjustment=600_00)
        fresh_claim = await claim_in(core, s.w, "APPROVED")
        run = await new_run(core, s.w)
        assert_totals(run)
        [remittance] = run["remittances"]
        assert remittance["provider_id"] == s.w.provider.id
        by_kind = {
            ("claim" if line["claim_id"] else "dispute"): line for line in remittance["lines"]
        }
        assert by_kind["claim"]["claim_id"] == fresh_claim["id"]
        adjustment = by_kind["dispute"]
        assert adjustment["dispute_id"] == dispute["id"]
        assert adjustment["claim_id"] is None
        assert adjustment["billed"] == dispute["amount_claimed"]
        assert adjustment["approved"] == adjustment["amount"] == 600_00
        assert run["total"] == fresh_claim["total_approved"] + 600_00
        seen = (await core.get(f"/v1/disputes/{dispute['id']}", headers=s.w.provider.user)).json()
        assert seen["adjustment_remittance_id"] == remittance["id"]
        csv_text = await core.get(
            f"/v1/remittances/{remittance['id']}",
            params={"format": "csv"},
            headers=s.w.provider.user,
        )
        assert csv_text.status_code == 200, csv_text.text
        rows = csv_text.text.strip().splitlines()
        assert len(rows) == 1 + len(remittance["lines"])
        assert dispute["number"] in rows[-1]  # adjustments come after the claims
        # Paid in full: the claim settles through the state machine, the adjustment is paid.
        await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=s.w.hmo.admin)
        paid = await core.post(
            f"/v1/remittances/{remittance['id']}/payment-proofs",
            data={"reference": "TRF-9", "amount": str(run["total"]), "paid_on": TODAY},
            files={"file": ("proof.pdf", b"%PDF-1.4 transfer", "application/pdf")},
            headers=s.w.hmo.admin,
        )
        assert paid.status_code == 201, paid.text
        assert paid.json()["status"] == "PAID"
        claim = await core.get(f"/v1/claims/{fresh_claim['id']}", headers=s.w.hmo.admin)
        assert claim.json()["status"] == "SETTLED"

    async def test_adjustments_alone_make_a_run_once(self, core: httpx.AsyncClient) -> None:
        s = await settled(core)
        mine = await accepted(core, s, adjustment=300_00)
        response = await raise_(core, s.other.user, s.theirs["lines"][0], amount=900_00)
        theirs = response.json()
        done = await resolve(core, s, theirs, outcome="ACCEPTED", adjustment=900_00)
        assert done.status_code == 200, done.text
        # A run for one provider takes only that provider's adjustment, whatever the period.
        only_mine = await new_run(core, s.w, **EMPTY_PERIOD, provider_id=s.w.provider.id)
        assert [line["dispute_id"] for line in lines_of(only_mine)] == [mine["id"]]
        assert only_mine["total"] == 300_00
        rest = await new_run(core, s.w, **EMPTY_PERIOD)
        assert [line["dispute_id"] for line in lines_of(rest)] == [theirs["id"]]
        assert [r["provider_id"] for r in rest["remittances"]] == [s.other.id]
        assert_totals(rest)
        nothing = await core.post("/v1/settlement-runs", json=EMPTY_PERIOD, headers=s.w.hmo.admin)
        assert nothing.status_code == 422
        # Cancelling a run releases its adjustment for a later run.
        cancel = await core.post(
            f"/v1/settlement-runs/{only_mine['id']}/cancel", headers=s.w.hmo.admin
        )
        assert cancel.status_code == 200, cancel.text
        again = await new_run(core, s.w, **EMPTY_PERIOD)
        assert [line["dispute_id"] for line in lines_of(again)] == [mine["id"]]

    async def test_two_concurrent_runs_never_share_an_adjustment(
        self, core: httpx.AsyncClient
    ) -> None:
        s = await settled(core)
        dispute = await accepted(core, s)
        responses = await asyncio.gather(
            *(
                core.post("/v1/settlement-runs", json=EMPTY_PERIOD, headers=s.w.hmo.admin)
                for _ in range(2)
            )
        )
        assert sorted(r.status_code for r in responses) in ([201, 409], [201, 422])
        created = [r.json() for r in responses if r.status_code == 201]
        assert [line["dispute_id"] for run in created for line in lines_of(run)] == [dispute["id"]]

    async def test_database_refuses_an_adjustment_in_two_live_runs(
        self, core: httpx.AsyncClient
    ) -> None:
        """The partial unique index is the backstop behind the creation lock."""
        s = await settled(core)
        await accepted(core, s)
        run = await new_run(core, s.w, **EMPTY_PERIOD)
        copy = (
            "insert into remittance_lines (id, tenant_id, created_at, remittance_id, dispute_id,"
            " provider_tenant_id, billed, approved, amount, active)"
            " select gen_random_uuid(), tenant_id, now(), remittance_id, dispute_id,"
            " provider_tenant_id, billed, approved, amount, true from remittance_lines"
            " where id = :id"
        )
        async with superuser() as conn:
            with pytest.raises(IntegrityError):
                await conn.execute(text(copy), {"id": lines_of(run)[0]["id"]})
