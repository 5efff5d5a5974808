"""Claims adjudication: per-line checks, human decisions, usage, approval limits, the view."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from tests.claims_world import (
    TODAY,
    World,
    eligibility,
    get_claim,
    in_review,
    item,
    line,
    move,
    new_claim,
    proposal_line,
    settle,
    transition,
    world,
)
from tests.db import superuser
from tests.factories import STANDARD_BENEFITS, make_staff

DRUG = "DRUG-AMOX"


def drugs(amount: int, code: str = DRUG) -> dict[str, Any]:
    return item(code, amount, category="drugs")


async def set_member_status(
    core: httpx.AsyncClient, w: World, status: str, effective: date
) -> None:
    response = await core.post(
        f"/v1/enrollees/{w.member['id']}/status",
        json={"status": status, "effective_date": effective.isoformat()},
        headers=w.hmo.admin,
    )
    assert response.status_code == 200, response.text


class TestLines:
    async def test_copay_totals_and_usage(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await in_review(core, w)
        # Submitted and in-review claims spend nothing.
        before = await eligibility(core, w)
        assert before["outpatient"]["used_amount"] == before["drugs"]["used_amount"] == 0
        detail = await get_claim(core, w, claim["id"])
        assert detail["eligibility"]["proposal"] == "APPROVE"
        assert detail["eligibility"]["member_status"] == "ACTIVE"
        consult = proposal_line(detail, 1)
        assert (consult["proposed_amount"], consult["reason_code"], consult["copay"]) == (
            13_500_00,
            "3",
            1_500_00,
        )
        assert (
            proposal_line(detail, 2)["proposed_amount"],
            proposal_line(detail, 2)["reason_code"],
        ) == (
            5_000_00,
            None,
        )

        approved = await move(core, w, claim["id"], "APPROVED")
        assert approved["status"] == "APPROVED"
        assert line(approved, "CONS-01")["approved_amount"] == 13_500_00
        assert line(approved, "CONS-01")["reason_code"] == "3"
        assert line(approved, DRUG)["approved_amount"] == 5_000_00
        assert line(approved, DRUG)["reason_code"] is None
        assert approved["total_approved"] == 18_500_00
        assert approved["total_approved"] == sum(i["approved_amount"] for i in approved["items"])
        assert approved["copay_amount"] == 1_500_00

        after = await eligibility(core, w)
        assert after["outpatient"]["used_amount"] == 13_500_00
        assert after["outpatient"]["remaining_amount"] == 50_000_00 - 13_500_00
        assert after["outpatient"]["used_visits"] == 1
        assert after["drugs"]["used_amount"] == 5_000_00

        # The approved claim's own view still proposes what was approved.
        decided = await get_claim(core, w, claim["id"])
        assert decided["eligibility"]["proposal"] == "APPROVE"
        assert proposal_line(decided, 2)["proposed_amount"] == 5_000_00

        # Settled still counts; a rejected claim never does.
        await settle(core, w, decided)
        rejected = await in_review(core, w, items=[item("CONS-02", 9_000_00)])
        await move(core, w, rejected["id"], "REJECTED")
        await new_claim(core, w, items=[item("CONS-03", 9_000_00)])
        final = await eligibility(core, w)
        assert final["outpatient"]["used_amount"] == 13_500_00
        assert final["outpatient"]["used_visits"] == 1

    async def test_trimmed_to_remaining_and_refused_when_nothing_remains(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        # Two lines of one category in one claim: the second gets what the first left.
        first = await in_review(core, w, items=[drugs(3_000_00), drugs(3_000_00, "DRUG-PCM")])
        detail = await get_claim(core, w, first["id"])
        assert [
            (x["proposed_amount"], x["reason_code"]) for x in detail["eligibility"]["lines"]
        ] == [
            (3_000_00, None),
            (2_000_00, "119"),
        ]
        approved = await move(core, w, first["id"], "APPROVED")
        assert approved["total_approved"] == 5_000_00
        assert line(approved, "DRUG-PCM")["reason_code"] == "119"

        # Nothing remains: the drug line is refused, the consultation still paid.
        mixed = await in_review(core, w, items=[item("CONS-01", 10_000_00), drugs(1_000_00)])
        view = await get_claim(core, w, mixed["id"])
        assert view["eligibility"]["proposal"] == "APPROVE"
        assert (
            proposal_line(view, 2)["proposed_amount"],
            proposal_line(view, 2)["reason_code"],
        ) == (
            0,
            "119",
        )
        drugs_benefit = next(b for b in view["benefits"] if b["category"] == "drugs")
        assert (drugs_benefit["limit_amount"], drugs_benefit["used_amount"]) == (5_000_00, 5_000_00)
        assert drugs_benefit["remaining_amount"] == 0

        # Every line fails: rejection is proposed.
        only_drugs = await in_review(core, w, items=[drugs(1_000_00)])
        assert (await get_claim(core, w, only_drugs["id"]))["eligibility"]["proposal"] == "REJECT"
        # Next month the calendar-month benefit is fresh again (checked through eligibility).
        next_month = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)
        assert (await eligibility(core, w, next_month))["drugs"]["used_amount"] == 0

    async def test_visits_run_out(self, core: httpx.AsyncClient) -> None:
        benefits = [dict(b) for b in STANDARD_BENEFITS]
        benefits[0] = benefits[0] | {"limit_visits": 1}
        w = await world(core, benefits=benefits)
        first = await in_review(core, w, items=[item("CONS-01", 1_000_00)])
        await move(core, w, first["id"], "APPROVED")
        second = await in_review(
            core, w, items=[item("CONS-09", 1_000_00)], service_date=TODAY - timedelta(days=1)
        )
        view = await get_claim(core, w, second["id"])
        assert proposal_line(view, 1)["reason_code"] == "119"
        assert view["eligibility"]["proposal"] == "REJECT"

    async def test_frequency_is_flagged_not_refused(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        await new_claim(
            core, w, items=[item("CONS-01", 1_000_00)], service_date=TODAY - timedelta(days=3)
        )
        repeat = await new_claim(core, w, items=[item("CONS-01", 1_000_00)])
        view = await get_claim(core, w, repeat["id"])
        flagged = proposal_line(view, 1)
        assert "FREQUENCY" in flagged["flags"]
        assert flagged["proposed_amount"] == 900_00
        far = await new_claim(
            core, w, items=[item("CONS-01", 1_000_00)], service_date=TODAY - timedelta(days=20)
        )
        assert proposal_line(await get_claim(core, w, far["id"]), 1)["flags"] == []
        # The tenant's window (default 7 days) is a setting.
        async with superuser() as conn:
            await conn.execute(
                text(
                    "insert into tenant_settings (tenant_id, claim_sla_days, frequency_limit_days,"
                    " sampling_max_risk, risk_thresholds, pa_sla_hours, version)"
                    " values (:t, 14, 30, 30, '{}', '{}', 1)"
                ),
                {"t": w.hmo.id},
            )
        assert "FREQUENCY" in proposal_line(await get_claim(core, w, far["id"]), 1)["flags"]
        await move(core, w, far["id"], "RECEIVED")
        await move(core, w, far["id"], "IN_REVIEW")
        approved = await move(core, w, far["id"], "APPROVED")
        assert approved["items"][0]["approved_amount"] == 900_00
        assert "FREQUENCY" in approved["items"][0]["flags"]

    async def test_exclusions(self, core: httpx.AsyncClient) -> None:
        w = await world(
            core,
            exclusions=[
                {"code": "COS-001", "description": "Cosmetic surgery"},
                {"code": "Z41.1", "description": "Cosmetic", "kind": "DIAGNOSIS"},
            ],
        )
        claim = await new_claim(
            core,
            w,
            items=[
                item("COS-001", 50_000_00),
                item("cos-001", 1_000_00),
                item("CONS-01", 1_000_00),
            ],
        )
        view = await get_claim(core, w, claim["id"])
        assert [(x["proposed_amount"], x["reason_code"]) for x in view["eligibility"]["lines"]] == [
            (0, "204"),
            (0, "204"),
            (900_00, "3"),
        ]
        by_diagnosis = await new_claim(core, w, diagnosis_codes=["z41.1"])
        view = await get_claim(core, w, by_diagnosis["id"])
        assert {x["reason_code"] for x in view["eligibility"]["lines"]} == {"204"}
        assert view["eligibility"]["proposal"] == "REJECT"

    async def test_waiting_period(self, core: httpx.AsyncClient) -> None:
        w = await world(core, coverage_start=TODAY - timedelta(days=30))
        claim = await new_claim(
            core,
            w,
            items=[item("ANC-01", 20_000_00, category="maternity"), item("CONS-01", 1_000_00)],
        )
        view = await get_claim(core, w, claim["id"])
        waiting = proposal_line(view, 1)
        assert (waiting["proposed_amount"], waiting["reason_code"]) == (0, "96")
        assert "WAITING_PERIOD" in waiting["flags"]
        assert view["eligibility"]["proposal"] == "APPROVE"

    async def test_member_not_covered_on_the_service_date(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        await set_member_status(core, w, "SUSPENDED", TODAY - timedelta(days=5))
        suspended = await in_review(core, w)
        view = await get_claim(core, w, suspended["id"])
        assert view["eligibility"]["member_status"] == "SUSPENDED"
        assert view["eligibility"]["covered"] is False
        assert view["eligibility"]["proposal"] == "REJECT"
        assert {x["reason_code"] for x in view["eligibility"]["lines"]} == {"A1"}
        # A service date before the suspension is covered.
        earlier = await new_claim(core, w, service_date=TODAY - timedelta(days=6))
        assert (await get_claim(core, w, earlier["id"]))["eligibility"]["proposal"] == "APPROVE"
        # No human can pay a refused line.
        forced = await transition(
            core,
            w,
            suspended["id"],
            "APPROVED",
            items=[{"id": suspended["items"][0]["id"], "approved_amount": 1}],
        )
        assert forced.status_code == 422, forced.text
        assert "Line 1" in forced.json()["detail"]

        await set_member_status(core, w, "TERMINATED", TODAY)
        terminated = await new_claim(core, w)
        view = await get_claim(core, w, terminated["id"])
        assert {x["reason_code"] for x in view["eligibility"]["lines"]} == {"27"}

        later = await world(core, coverage_start=TODAY + timedelta(days=5))
        early = await new_claim(core, later)
        view = await get_claim(core, later, early["id"])
        assert view["eligibility"]["member_status"] is None
        assert {x["reason_code"] for x in view["eligibility"]["lines"]} == {"26"}
        assert view["eligibility"]["proposal"] == "REJECT"


class TestHumanDecisions:
    async def test_lower_a_line(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await in_review(core, w)
        consult, drug = claim["items"]
        approved = await move(
            core,
            w,
            claim["id"],
            "APPROVED",
            items=[
                {"id": consult["id"], "approved_amount": 10_000_00, "reason_code": "45"},
                {"id": drug["id"], "approved_amount": 4_000_00},
            ],
        )
        assert line(approved, "CONS-01")["approved_amount"] == 10_000_00
        assert line(approved, "CONS-01")["reason_code"] == "45"
        assert line(approved, DRUG)["approved_amount"] == 4_000_00
        assert line(approved, DRUG)["reason_code"] == "45"  # lowered without a code
        assert approved["total_approved"] == 14_000_00
        usage = await eligibility(core, w)
        assert usage["outpatient"]["used_amount"] == 10_000_00
        assert usage["drugs"]["used_amount"] == 4_000_00

    async def test_cannot_exceed_what_the_checks_allow(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await in_review(core, w)
        consult, drug = claim["items"]
        cases: list[tuple[list[dict[str, Any]], str]] = [
            ([{"id": consult["id"], "approved_amount": 15_000_00}], "Line 1"),
            ([{"id": drug["id"], "approved_amount": 5_000_01}], "Line 2"),
            ([{"id": claim["id"], "approved_amount": 1}], "not on this claim"),
            ([{"id": drug["id"], "approved_amount": 1, "reason_code": "999"}], "reason code"),
            ([{"id": consult["id"], "approved_amount": -1}], "approved_amount"),
        ]
        for decisions, hint in cases:
            response = await transition(core, w, claim["id"], "APPROVED", items=decisions)
            assert response.status_code == 422, (decisions, response.text)
            assert hint in response.text, (hint, response.text)
        current = await get_claim(core, w, claim["id"])
        assert (current["status"], current["version"]) == ("IN_REVIEW", claim["version"])
        assert all(i["approved_amount"] is None for i in current["items"])
        assert (await eligibility(core, w))["outpatient"]["used_amount"] == 0

    async def test_racing_approvals_never_overspend(self, core: httpx.AsyncClient) -> None:
        """Two claims of one member, each wanting the whole drugs benefit, approved at once
        by two adjudicators: one gets it, the other what is left (nothing)."""
        w = await world(core, roles=("Adjudicator", "Claims Manager"))
        claims = [
            await in_review(core, w, items=[item(f"CONS-0{n}", 2_000_00), drugs(5_000_00)])
            for n in (1, 2)
        ]
        responses = await asyncio.gather(
            transition(core, w, claims[0]["id"], "APPROVED", w.staff["Adjudicator"], version=3),
            transition(core, w, claims[1]["id"], "APPROVED", w.staff["Claims Manager"], version=3),
        )
        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
        drug_lines = sorted(line(r.json(), DRUG)["approved_amount"] for r in responses)
        assert drug_lines == [0, 5_000_00]
        usage = await eligibility(core, w)
        assert usage["drugs"]["used_amount"] == 5_000_00
        assert usage["outpatient"]["used_amount"] == 2 * 1_800_00
        assert usage["outpatient"]["used_visits"] == 2


BIG_PLAN = [
    {"category": "outpatient", "limit_amount": 50_000_00, "period": "POLICY_YEAR"},
    {"category": "inpatient", "limit_amount": 50_000_000_00, "period": "POLICY_YEAR"},
]


class TestApprovalLimits:
    async def test_ceilings_and_a_second_approver(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Adjudicator", "Claims Manager"), benefits=BIG_PLAN)
        limits = await core.get("/v1/approval-limits", headers=w.hmo.admin)
        assert limits.status_code == 200, limits.text
        by_role = {r["role_name"]: r for r in limits.json()["limits"]}
        assert by_role["Adjudicator"]["claim_limit"] == 500_000_00
        assert by_role["Claims Manager"]["claim_limit"] == 5_000_000_00
        assert by_role["Read-only"]["claim_limit"] == 0

        ward = {
            "admission_date": (TODAY - timedelta(days=2)).isoformat(),
            "discharge_date": TODAY.isoformat(),
        }
        claim = await in_review(core, w, items=[item("WARD", 600_000_00)], **ward)
        refused = await transition(core, w, claim["id"], "APPROVED", w.staff["Adjudicator"])
        assert refused.status_code == 403, refused.text
        problem = refused.json()
        assert problem["type"].endswith("approval-limit")
        assert problem["limit"] == 500_000_00
        assert "approval limit" in problem["detail"]
        current = await get_claim(core, w, claim["id"])
        assert (current["status"], current["version"]) == ("IN_REVIEW", claim["version"])
        assert (await eligibility(core, w))["inpatient"]["used_amount"] == 0

        # Lowered within the ceiling, the adjudicator may approve it.
        lowered = await in_review(core, w, items=[item("WARD", 600_000_00)], **ward)
        ok = await transition(
            core,
            w,
            lowered["id"],
            "APPROVED",
            w.staff["Adjudicator"],
            items=[
                {
                    "id": lowered["items"][0]["id"],
                    "approved_amount": 400_000_00,
                    "reason_code": "45",
                }
            ],
        )
        assert ok.status_code == 200, ok.text

        approved = await move(core, w, claim["id"], "APPROVED", w.staff["Claims Manager"])
        assert approved["total_approved"] == 600_000_00

    async def test_an_approver_reads_its_own_ceilings(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Adjudicator", "Finance", "Read-only"))
        mine = await core.get("/v1/approval-limits/mine", headers=w.staff["Adjudicator"])
        assert mine.status_code == 200, mine.text
        assert mine.json() == {"claim_limit": 500_000_00, "settlement_limit": 0}
        finance = await core.get("/v1/approval-limits/mine", headers=w.staff["Finance"])
        assert finance.json() == {"claim_limit": 0, "settlement_limit": 100_000_000_00}
        reader = await core.get("/v1/approval-limits/mine", headers=w.staff["Read-only"])
        assert reader.status_code == 403

    async def test_changing_limits_is_audited(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Adjudicator",), benefits=BIG_PLAN)
        roles = (await core.get("/v1/roles", headers=w.hmo.admin)).json()["items"]
        adjudicator = w.hmo.role_id(roles, "Adjudicator")
        body = {
            "limits": [{"role_id": adjudicator, "claim_limit": 1_000_000_00, "settlement_limit": 0}]
        }
        denied = await core.put("/v1/approval-limits", json=body, headers=w.staff["Adjudicator"])
        assert denied.status_code == 403
        changed = await core.put("/v1/approval-limits", json=body, headers=w.hmo.admin)
        assert changed.status_code == 200, changed.text
        row = next(r for r in changed.json()["limits"] if r["role_id"] == adjudicator)
        assert row["claim_limit"] == 1_000_000_00
        # One resource, one shape: GET's answer goes back through PUT unchanged.
        read = (await core.get("/v1/approval-limits", headers=w.hmo.admin)).json()
        assert read == changed.json()
        again = await core.put("/v1/approval-limits", json=read, headers=w.hmo.admin)
        assert again.status_code == 200, again.text
        assert again.json() == read
        audit = await core.get(
            "/v1/audit-events", params={"action": "approval_limit.changed"}, headers=w.hmo.admin
        )
        events = audit.json()["items"]
        assert len(events) == 1
        assert events[0]["object_id"] == adjudicator
        assert events[0]["details"]["claim_limit"] == [500_000_00, 1_000_000_00]

        ward = {"admission_date": TODAY.isoformat()}
        claim = await in_review(core, w, items=[item("WARD", 600_000_00)], **ward)
        assert (await move(core, w, claim["id"], "APPROVED", w.staff["Adjudicator"]))["status"] == (
            "APPROVED"
        )
        other_tenant_role = {
            "limits": [{"role_id": w.hmo.id, "claim_limit": 1, "settlement_limit": 1}]
        }
        unknown = await core.put("/v1/approval-limits", json=other_tenant_role, headers=w.hmo.admin)
        assert unknown.status_code == 422

    async def test_a_user_without_a_ceiling_cannot_approve(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        roles = (await core.get("/v1/roles", headers=w.hmo.admin)).json()["items"]
        created = await core.post(
            "/v1/roles",
            json={"name": "Junior", "permissions": ["claims:read", "claims:approve"]},
            headers=w.hmo.admin,
        )
        assert created.status_code == 201, created.text
        assert roles
        claim = await in_review(core, w)
        _, headers = await make_staff(core, w.hmo, "Junior")
        refused = await transition(core, w, claim["id"], "APPROVED", headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["limit"] == 0


class TestAdjudicationView:
    async def test_everything_needed_to_decide(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        first = await new_claim(core, w)
        duplicate = await new_claim(core, w)
        for headers in (w.provider.user, w.hmo.admin):  # the HMO's view last
            response = await core.get(f"/v1/claims/{duplicate['id']}", headers=headers)
            assert response.status_code == 200, response.text
        view = response.json()
        assert [i["code"] for i in view["items"]] == ["CONS-01", DRUG]
        assert view["auth_code"] is None
        assert view["authorization"] is None
        assert view["eligibility"]["member_status"] == "ACTIVE"
        assert view["eligibility"]["covered"] is True
        assert len(view["eligibility"]["lines"]) == 2
        categories = {b["category"]: b for b in view["benefits"]}
        assert set(categories) == {"outpatient", "inpatient", "maternity", "drugs"}
        assert {"limit_amount", "used_amount", "remaining_amount"} <= set(categories["drugs"])
        rules = [r["rule"] for r in view["risk_events"]]
        assert "duplicate_billing" in rules
        evidence = next(r for r in view["risk_events"] if r["rule"] == "duplicate_billing")
        assert first["number"] in evidence["evidence"]["claims"]
        assert [h["to_status"] for h in view["history"]] == ["SUBMITTED"]
        assert view["history"][0]["actor_label"]
        assert "FREQUENCY" in proposal_line(view, 1)["flags"]
