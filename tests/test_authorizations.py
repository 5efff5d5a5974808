"""Pre-authorizations: SLA per urgency, auto-approval rules, decisions, auth codes on
claims, appeals, the SLA job, ghost-patient alerts and who sees what."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.authorizations.sla import run_sla_pass
from core_api.models.base import utcnow
from tests.db import superuser
from tests.factories import (
    PASSWORD,
    ProviderCtx,
    TenantCtx,
    link_provider,
    login,
    make_claim,
    make_client,
    make_dependant,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
    session_headers,
)
from tests.sse import EventReader

CLAIM_TOTAL = 20_000_00  # make_claim: a 15,000.00 consultation and 2 x 2,500.00 drugs


@dataclass
class World:
    tenant: TenantCtx
    plan: dict[str, Any]
    client: dict[str, Any]
    member: dict[str, Any]
    provider: ProviderCtx
    manager: dict[str, str]  # a Claims Manager's session headers
    manager_id: str


async def world(core: httpx.AsyncClient) -> World:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    client = await make_client(core, tenant)
    member = await make_principal(core, tenant, client, plan, coverage_start="2025-01-01")
    provider = await make_provider(core)
    await link_provider(core, tenant, provider)
    user, manager = await make_staff(core, tenant, "Claims Manager")
    return World(tenant, plan, client, member, provider, manager, user["id"])


async def file_pa(
    core: httpx.AsyncClient, w: World, *, provider: ProviderCtx | None = None, **overrides: Any
) -> httpx.Response:
    provider = provider or w.provider
    body = {
        "member_id": w.member["member_id"],
        "provider_id": provider.id,
        "urgency": "ROUTINE",
        "procedure_code": "CONS-01",
        "diagnosis_codes": ["J06.9"],
        "estimated_amount": CLAIM_TOTAL,
        "notes": "Persistent fever for five days.",
        **overrides,
    }
    return await core.post("/v1/authorizations", json=body, headers=provider.user)


async def filed(core: httpx.AsyncClient, w: World, **overrides: Any) -> dict[str, Any]:
    response = await file_pa(core, w, **overrides)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def decide(
    core: httpx.AsyncClient, w: World, pa: dict[str, Any], **body: Any
) -> httpx.Response:
    return await core.post(
        f"/v1/authorizations/{pa['id']}/decision",
        json={"decision": "APPROVE", **body},
        headers=w.manager,
    )


async def approved(core: httpx.AsyncClient, w: World, **overrides: Any) -> dict[str, Any]:
    pa = await filed(core, w, **overrides)
    response = await decide(core, w, pa)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def rule(core: httpx.AsyncClient, w: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "plan_id": w.plan["id"],
        "procedure_code": "CONS-01",
        "max_amount": CLAIM_TOTAL,
        "max_urgency": "URGENT",
        **overrides,
    }
    response = await core.post("/v1/pa-rules", json=body, headers=w.manager)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def detail(core: httpx.AsyncClient, headers: dict[str, str], pa_id: str) -> dict[str, Any]:
    response = await core.get(f"/v1/authorizations/{pa_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def notices(core: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await core.get("/v1/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def types_of(core: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    return [n["type"] for n in await notices(core, headers)]


async def enrollee_login(
    core: httpx.AsyncClient, tenant: TenantCtx, enrollee: dict[str, Any], email: str
) -> dict[str, str]:
    response = await core.post(
        f"/v1/enrollees/{enrollee['id']}/account",
        json={"email": email, "password": PASSWORD},
        headers=tenant.admin,
    )
    assert response.status_code == 201, response.text
    return session_headers(await login(core, tenant.slug, email))


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


class TestSla:
    @pytest.mark.parametrize(
        ("urgency", "hours"), [("ROUTINE", 72), ("URGENT", 24), ("EMERGENCY", 1)]
    )
    async def test_each_urgency_has_its_default_sla(
        self, core: httpx.AsyncClient, urgency: str, hours: int
    ) -> None:
        w = await world(core)
        pa = await filed(core, w, urgency=urgency)
        assert pa["status"] == "SUBMITTED"
        assert pa["number"].startswith("PA-")
        assert parse(pa["sla_due_at"]) - parse(pa["created_at"]) == timedelta(hours=hours)
        assert 0 < pa["sla_seconds_left"] <= hours * 3600

    async def test_tenant_settings_override_a_tier(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        async with superuser() as conn:
            await conn.execute(
                text(
                    "insert into tenant_settings (tenant_id, claim_sla_days, frequency_limit_days,"
                    " sampling_max_risk, risk_thresholds, pa_sla_hours, version)"
                    " values (:t, 14, 7, 30, '{}', cast(:h as jsonb), 1)"
                    " on conflict (tenant_id) do update set pa_sla_hours = excluded.pa_sla_hours"
                ),
                {"t": w.tenant.id, "h": json.dumps({"URGENT": 6})},
            )
        urgent = await filed(core, w, urgency="URGENT")
        routine = await filed(core, w, urgency="ROUTINE")
        assert parse(urgent["sla_due_at"]) - parse(urgent["created_at"]) == timedelta(hours=6)
        assert parse(routine["sla_due_at"]) - parse(routine["created_at"]) == timedelta(hours=72)


class TestFiling:
    async def test_notes_are_encrypted_and_staff_are_told(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        _, finance = await make_staff(core, w.tenant, "Finance")
        pa = await filed(core, w)
        assert (await detail(core, w.manager, pa["id"]))[
            "notes"
        ] == "Persistent fever for five days."
        async with superuser() as conn:
            stored = (
                await conn.execute(
                    text("select notes_enc from authorizations where id = :id"), {"id": pa["id"]}
                )
            ).scalar_one()
        assert b"fever" not in stored
        assert "authorization.submitted" in await types_of(core, w.manager)
        assert "authorization.submitted" not in await types_of(core, w.provider.user)
        assert "authorization.submitted" not in await types_of(core, finance)

    async def test_only_linked_providers_file_for_themselves(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        stranger = await make_provider(core, name="Unlinked Clinic")
        refused = await file_pa(core, w, provider=stranger)
        assert refused.status_code == 403
        other = await file_pa(core, w, provider_id=stranger.id)
        assert other.status_code == 422
        staff = await core.post(
            "/v1/authorizations",
            json={
                "member_id": w.member["member_id"],
                "provider_id": w.provider.id,
                "urgency": "ROUTINE",
                "procedure_code": "X",
                "estimated_amount": 100,
            },
            headers=w.tenant.admin,
        )
        assert staff.status_code == 403

    async def test_idempotency_key_replays(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        body = {
            "member_id": w.member["member_id"],
            "provider_id": w.provider.id,
            "urgency": "ROUTINE",
            "procedure_code": "CONS-01",
            "estimated_amount": 1000,
        }
        headers = {**w.provider.user, "idempotency-key": "pa-1"}
        first = await core.post("/v1/authorizations", json=body, headers=headers)
        again = await core.post("/v1/authorizations", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]


class TestAutoApproval:
    async def test_a_matching_rule_approves_at_once(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        made = await rule(core, w, valid_days=10)
        pa = await filed(core, w, urgency="URGENT")
        assert pa["status"] == "APPROVED"
        assert pa["auth_code"].startswith("AUTH-")
        assert pa["matched_rule_id"] == made["id"]
        assert pa["approved_amount"] == CLAIM_TOTAL
        assert pa["valid_to"] == (utcnow().date() + timedelta(days=10)).isoformat()
        history = (await detail(core, w.manager, pa["id"]))["history"]
        assert [e["action"] for e in history] == ["submitted", "in_review", "approved"]
        assert history[-1]["details"]["rule_id"] == made["id"]
        assert "authorization.approved" in await types_of(core, w.provider.user)
        assert "authorization.submitted" not in await types_of(core, w.manager)

    @pytest.mark.parametrize(
        ("rule_overrides", "pa_overrides", "reason"),
        [
            ({"max_amount": CLAIM_TOTAL - 1}, {}, "OVER_AMOUNT_CEILING"),
            ({"max_urgency": "ROUTINE"}, {"urgency": "URGENT"}, "OVER_URGENCY_CEILING"),
            ({}, {"procedure_code": "MRI-01"}, "NO_RULE"),
            ({"is_active": False}, {}, "NO_RULE"),
            ({"procedure_code": "COS-001"}, {"procedure_code": "COS-001"}, "EXCLUDED_SERVICE"),
        ],
        ids=["amount", "urgency", "procedure", "inactive", "excluded-procedure"],
    )
    async def test_each_condition_can_keep_it_for_review(
        self,
        core: httpx.AsyncClient,
        rule_overrides: dict[str, Any],
        pa_overrides: dict[str, Any],
        reason: str,
    ) -> None:
        w = await world(core)
        await rule(core, w, **rule_overrides)
        pa = await filed(core, w, **pa_overrides)
        assert pa["status"] == "SUBMITTED"
        assert pa["auth_code"] is None
        assert pa["matched_rule_id"] is None
        submitted = (await detail(core, w.manager, pa["id"]))["history"][0]
        assert reason in submitted["details"]["auto_approval"]["reasons"]

    async def test_excluded_diagnosis_never_auto_approves(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        w.plan = await make_plan(
            core, w.tenant, exclusions=[{"code": "Z41.1", "kind": "DIAGNOSIS"}]
        )
        w.member = await make_principal(
            core, w.tenant, w.client, w.plan, coverage_start="2025-01-01"
        )
        await rule(core, w)
        assert (await filed(core, w, diagnosis_codes=["Z41.1"]))["status"] == "SUBMITTED"
        assert (await filed(core, w, diagnosis_codes=["J06.9"]))["status"] == "APPROVED"

    async def test_an_ineligible_member_never_auto_approves(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        await rule(core, w)
        suspended = await core.post(
            f"/v1/enrollees/{w.member['id']}/status",
            json={"status": "SUSPENDED"},
            headers=w.tenant.admin,
        )
        assert suspended.status_code == 200, suspended.text
        pa = await filed(core, w)
        assert pa["status"] == "SUBMITTED"
        history = (await detail(core, w.manager, pa["id"]))["history"]
        assert "MEMBER_NOT_ELIGIBLE" in history[0]["details"]["auto_approval"]["reasons"]

    async def test_a_rule_of_another_plan_does_not_apply(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        other_plan = await make_plan(core, w.tenant)
        await rule(core, w, plan_id=other_plan["id"])
        assert (await filed(core, w))["status"] == "SUBMITTED"

    async def test_rules_are_listed_unique_and_changed_with_a_version(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        made = await rule(core, w)
        again = await core.post(
            "/v1/pa-rules",
            json={
                "plan_id": w.plan["id"],
                "procedure_code": "cons-01",
                "max_amount": 1,
                "max_urgency": "ROUTINE",
            },
            headers=w.manager,
        )
        assert again.status_code == 409
        listed = (await core.get("/v1/pa-rules", headers=w.manager)).json()["items"]
        assert [r["id"] for r in listed] == [made["id"]]
        off = await core.patch(
            f"/v1/pa-rules/{made['id']}", json={"version": 1, "is_active": False}, headers=w.manager
        )
        assert off.status_code == 200
        assert off.json()["is_active"] is False
        stale = await core.patch(
            f"/v1/pa-rules/{made['id']}", json={"version": 1, "max_amount": 5}, headers=w.manager
        )
        assert stale.status_code == 409
        assert (await filed(core, w))["status"] == "SUBMITTED"
        refused = await core.get("/v1/pa-rules", headers=w.provider.user)
        assert refused.status_code == 403


class TestDecision:
    async def test_approval_issues_a_code_and_tells_provider_and_enrollee(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        member_headers = await enrollee_login(core, w.tenant, w.member, "ngozi.pa@example.com")
        pa = await filed(core, w)
        response = await decide(core, w, pa, approved_amount=15_000_00, valid_days=7)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "APPROVED"
        assert body["approved_amount"] == 15_000_00
        assert body["valid_from"] == pa["created_at"][:10]
        assert body["valid_to"] == (utcnow().date() + timedelta(days=7)).isoformat()
        assert "authorization.approved" in await types_of(core, w.provider.user)
        assert "authorization.approved" in await types_of(core, member_headers)

    async def test_rejection_needs_a_reason(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await filed(core, w)
        assert (await decide(core, w, pa, decision="REJECT")).status_code == 422
        rejected = await decide(core, w, pa, decision="REJECT", reason="Not medically necessary")
        assert rejected.status_code == 200
        assert rejected.json()["status"] == "REJECTED"
        assert rejected.json()["auth_code"] is None

    async def test_illegal_and_stale_decisions_are_409(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await filed(core, w)
        stale = await decide(core, w, pa, version=pa["version"] + 5)
        assert stale.status_code == 409
        assert stale.json()["type"].endswith("stale-version")
        assert (await decide(core, w, pa, version=pa["version"])).status_code == 200
        again = await decide(core, w, pa)
        assert again.status_code == 409
        assert again.json()["type"].endswith("illegal-transition")
        over = await decide(core, w, await filed(core, w), approved_amount=CLAIM_TOTAL + 1)
        assert over.status_code == 422

    async def test_two_concurrent_decisions_one_wins(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await filed(core, w)
        answers = await asyncio.gather(
            decide(core, w, pa, version=pa["version"]),
            decide(core, w, pa, version=pa["version"], decision="REJECT", reason="no"),
        )
        assert sorted(r.status_code for r in answers) == [200, 409]

    async def test_providers_do_not_decide(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await filed(core, w)
        response = await core.post(
            f"/v1/authorizations/{pa['id']}/decision",
            json={"decision": "APPROVE"},
            headers=w.provider.user,
        )
        assert response.status_code == 403

    async def test_queue_ranks_by_sla_time_left(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        routine = await filed(core, w, urgency="ROUTINE")
        emergency = await filed(core, w, urgency="EMERGENCY")
        urgent = await filed(core, w, urgency="URGENT")
        await decide(core, w, await filed(core, w, urgency="EMERGENCY"))  # decided: not queued
        page = (await core.get("/v1/authorizations/queue?limit=2", headers=w.manager)).json()
        rest = (
            await core.get(
                f"/v1/authorizations/queue?limit=2&cursor={page['next_cursor']}",
                headers=w.manager,
            )
        ).json()
        ids = [pa["id"] for pa in page["items"] + rest["items"]]
        assert ids == [emergency["id"], urgent["id"], routine["id"]]
        assert rest["next_cursor"] is None
        left = [pa["sla_seconds_left"] for pa in page["items"] + rest["items"]]
        assert left == sorted(left)

    async def test_cancel_an_unused_approval(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await approved(core, w)
        cancelled = await core.post(
            f"/v1/authorizations/{pa['id']}/cancel", json={}, headers=w.provider.user
        )
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "CANCELLED"
        claim = await core.post(
            "/v1/claims", json=claim_body(w, pa["auth_code"]), headers=w.provider.user
        )
        assert claim.status_code == 422


def claim_body(w: World, auth_code: str | None, **overrides: Any) -> dict[str, Any]:
    return {
        "member_id": w.member["member_id"],
        "provider_id": w.provider.id,
        "service_date": utcnow().date().isoformat(),
        "auth_code": auth_code,
        "diagnosis_codes": ["J06.9"],
        "items": [
            {
                "code": "CONS-01",
                "description": "Consultation",
                "quantity": 1,
                "unit_price": 15_000_00,
            },
            {
                "code": "DRUG-AMOX",
                "description": "Amoxicillin",
                "quantity": 2,
                "unit_price": 2_500_00,
                "category": "drugs",
            },
        ],
        **overrides,
    }


class TestAuthCodeOnClaims:
    async def test_a_covering_claim_uses_the_code(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await approved(core, w)
        claim = await make_claim(
            core,
            w.provider,
            w.member,
            auth_code=pa["auth_code"].lower(),
            service_date=utcnow().date().isoformat(),
        )
        assert claim["auth_code"] == pa["auth_code"]
        used = await detail(core, w.manager, pa["id"])
        assert used["status"] == "USED"
        assert used["used_by_claim_id"] == claim["id"]
        shown = (await core.get(f"/v1/claims/{claim['id']}", headers=w.manager)).json()
        assert shown["authorization"]["number"] == pa["number"]
        assert shown["authorization"]["status"] == "USED"

    async def test_codes_are_checked_against_the_claim(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await approved(core, w)
        code = pa["auth_code"]
        other_member = await make_principal(
            core, w.tenant, w.client, w.plan, first_name="Tunde", coverage_start="2025-01-01"
        )
        second = await make_provider(core, name="Second Hospital")
        await link_provider(core, w.tenant, second)
        yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
        cases = {
            "unknown code": (claim_body(w, "AUTH-NOPE"), w.provider),
            "member": (claim_body(w, code, member_id=other_member["member_id"]), w.provider),
            "provider": (claim_body(w, code, provider_id=second.id), second),
            "procedure": (
                claim_body(
                    w,
                    code,
                    items=[{"code": "XRAY-01", "quantity": 1, "unit_price": 1_000_00}],
                ),
                w.provider,
            ),
            "validity": (claim_body(w, code, service_date=yesterday), w.provider),
            "amount": (
                claim_body(
                    w,
                    code,
                    items=[{"code": "CONS-01", "quantity": 2, "unit_price": 15_000_00}],
                ),
                w.provider,
            ),
        }
        for case, (body, provider) in cases.items():
            response = await core.post("/v1/claims", json=body, headers=provider.user)
            assert response.status_code == 422, (case, response.text)
            assert response.json()["type"].endswith("auth-code-refused"), case
            assert response.json()["errors"][0]["field"] == "auth_code"
        assert (await detail(core, w.manager, pa["id"]))["status"] == "APPROVED"
        ok = await core.post("/v1/claims", json=claim_body(w, code), headers=w.provider.user)
        assert ok.status_code == 201, ok.text

    async def test_a_code_is_used_once(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await approved(core, w)
        first = await core.post(
            "/v1/claims", json=claim_body(w, pa["auth_code"]), headers=w.provider.user
        )
        assert first.status_code == 201
        second = await core.post(
            "/v1/claims", json=claim_body(w, pa["auth_code"]), headers=w.provider.user
        )
        assert second.status_code == 422
        assert "already used" in second.json()["detail"]

    async def test_two_concurrent_claims_citing_one_code(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await approved(core, w)
        answers = await asyncio.gather(
            *(
                core.post(
                    "/v1/claims", json=claim_body(w, pa["auth_code"]), headers=w.provider.user
                )
                for _ in range(3)
            )
        )
        assert sorted(r.status_code for r in answers) == [201, 422, 422]
        winner = next(r for r in answers if r.status_code == 201).json()
        assert (await detail(core, w.manager, pa["id"]))["used_by_claim_id"] == winner["id"]
        claims = (await core.get("/v1/claims", headers=w.manager)).json()["items"]
        assert [c["id"] for c in claims] == [winner["id"]]


class TestAppeal:
    async def test_round_trip_keeps_the_history(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await filed(core, w)
        rejected = await decide(core, w, pa, decision="REJECT", reason="Missing lab results")
        assert rejected.status_code == 200
        assert "authorization.rejected" in await types_of(core, w.provider.user)
        appealed = await core.post(
            f"/v1/authorizations/{pa['id']}/appeals",
            json={"evidence": "Lab results attached: CRP 80 mg/L."},
            headers=w.provider.user,
        )
        assert appealed.status_code == 200, appealed.text
        assert appealed.json()["status"] == "IN_REVIEW"
        assert appealed.json()["decision_reason"] is None
        assert parse(appealed.json()["sla_due_at"]) > parse(pa["sla_due_at"])
        assert "authorization.appealed" in await types_of(core, w.manager)
        again = await core.post(
            f"/v1/authorizations/{pa['id']}/appeals",
            json={"evidence": "x"},
            headers=w.provider.user,
        )
        assert again.status_code == 409

        assert (await decide(core, w, pa)).json()["status"] == "APPROVED"
        history = (await detail(core, w.provider.user, pa["id"]))["history"]
        assert [(e["action"], e["to_status"]) for e in history] == [
            ("submitted", "SUBMITTED"),
            ("in_review", "IN_REVIEW"),
            ("rejected", "REJECTED"),
            ("appealed", "APPEALED"),
            ("returned_to_review", "IN_REVIEW"),
            ("approved", "APPROVED"),
        ]
        assert history[2]["reason"] == "Missing lab results"
        assert history[3]["note"] == "Lab results attached: CRP 80 mg/L."

    async def test_only_a_rejection_is_appealed_and_only_by_its_provider(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        pa = await filed(core, w)
        url = f"/v1/authorizations/{pa['id']}/appeals"
        early = await core.post(url, json={"evidence": "x"}, headers=w.provider.user)
        assert early.status_code == 409
        await decide(core, w, pa, decision="REJECT", reason="no")
        by_staff = await core.post(url, json={"evidence": "x"}, headers=w.manager)
        assert by_staff.status_code == 403


class TestSlaJob:
    async def test_two_concurrent_passes_escalate_once(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        w = await world(core)
        _, adjudicator = await make_staff(core, w.tenant, "Adjudicator")
        late = await filed(core, w, urgency="EMERGENCY")
        on_time = await filed(core, w, urgency="ROUTINE")
        factory = core_app.state.session_factory
        later = utcnow() + timedelta(hours=2)  # past the EMERGENCY SLA only
        reports = await asyncio.gather(run_sla_pass(factory, later), run_sla_pass(factory, later))
        marked = [pa_id for r in reports for pa_id in r.breached]
        assert marked.count(uuid.UUID(late["id"])) == 1
        assert uuid.UUID(on_time["id"]) not in marked
        assert uuid.UUID(late["id"]) not in (await run_sla_pass(factory, later)).breached

        breached = (await core.get("/v1/authorizations?breached=true", headers=w.manager)).json()[
            "items"
        ]
        assert [pa["id"] for pa in breached] == [late["id"]]
        assert breached[0]["escalated_at"] is not None
        not_breached = (
            await core.get("/v1/authorizations?breached=false", headers=w.manager)
        ).json()["items"]
        assert [pa["id"] for pa in not_breached] == [on_time["id"]]
        assert (await types_of(core, w.manager)).count("authorization.sla_breached") == 1
        assert "authorization.sla_breached" not in await types_of(core, adjudicator)
        assert "authorization.sla_breached" not in await types_of(core, w.provider.user)
        history = (await detail(core, w.manager, late["id"]))["history"]
        assert [e["action"] for e in history].count("sla_breached") == 1

    async def test_approvals_past_their_validity_expire(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        w = await world(core)
        pa = (await decide(core, w, await filed(core, w), valid_days=1)).json()
        factory = core_app.state.session_factory
        report = await run_sla_pass(factory, utcnow() + timedelta(days=3))
        assert uuid.UUID(pa["id"]) in report.expired
        assert (await detail(core, w.manager, pa["id"]))["status"] == "EXPIRED"


class TestGhostPatient:
    async def test_emergency_alert_reaches_the_enrollee_stream(self, live_core: str) -> None:
        async with httpx.AsyncClient(base_url=live_core, timeout=10) as core:
            w = await world(core)
            member = await enrollee_login(core, w.tenant, w.member, "ngozi.live@example.com")
            async with core.stream("GET", "/v1/notifications/stream", headers=member) as stream:
                reader = EventReader(stream)
                pa = await filed(core, w, urgency="EMERGENCY")
                (event,) = await reader.take(1)
            assert event.event == "authorization.emergency_alert"
            data = json.loads(event.data)["data"]
            assert data["authorization_id"] == pa["id"]
            assert data["provider_name"] == w.provider.name

    async def test_a_dependants_alert_also_reaches_the_principal(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        principal = await enrollee_login(core, w.tenant, w.member, "ngozi.p@example.com")
        child = await make_dependant(core, w.tenant, w.member)
        await filed(core, w, urgency="ROUTINE", member_id=child["member_id"])
        assert "authorization.emergency_alert" not in await types_of(core, principal)
        await filed(core, w, urgency="EMERGENCY", member_id=child["member_id"])
        assert (await types_of(core, principal)).count("authorization.emergency_alert") == 1
        assert "authorization.emergency_alert" not in await types_of(core, w.manager)

    async def test_not_me_flags_and_holds_the_claim_until_cleared(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        member = await enrollee_login(core, w.tenant, w.member, "ngozi.nm@example.com")
        _, finance = await make_staff(core, w.tenant, "Finance")
        pa = await approved(core, w, urgency="EMERGENCY")
        claim = await make_claim(
            core, w.provider, w.member, auth_code=pa["auth_code"], service_date=str(date.today())
        )
        assert "on_hold" not in claim  # the provider never sees the hold
        claim = (await core.get(f"/v1/claims/{claim['id']}", headers=w.manager)).json()
        assert claim["on_hold"] is False

        reported = await core.post(f"/v1/authorizations/{pa['id']}/not-me", headers=member)
        assert reported.status_code == 200, reported.text
        assert reported.json()["suspicious"] is True
        again = await core.post(f"/v1/authorizations/{pa['id']}/not-me", json={}, headers=member)
        assert again.status_code == 200

        held = (await core.get(f"/v1/claims/{claim['id']}", headers=w.manager)).json()
        assert held["on_hold"] is True
        assert held["authorization"]["suspicious"] is True
        seen = await detail(core, w.manager, pa["id"])
        assert [f["rule"] for f in seen["risk_events"]] == ["ghost_patient"]
        assert (await types_of(core, w.manager)).count("authorization.not_me") == 1
        assert "authorization.not_me" not in await types_of(core, finance)
        assert "authorization.not_me" not in await types_of(core, w.provider.user)
        flagged = (await core.get("/v1/authorizations?suspicious=true", headers=w.manager)).json()[
            "items"
        ]
        assert [p["id"] for p in flagged] == [pa["id"]]

        version = held["version"]
        for to in ("RECEIVED", "IN_REVIEW"):
            moved = await core.post(
                f"/v1/claims/{claim['id']}/transitions",
                json={"to": to, "version": version},
                headers=w.manager,
            )
            assert moved.status_code == 200, moved.text
            version = moved.json()["version"]
        refused = await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": "APPROVED", "version": version},
            headers=w.manager,
        )
        assert refused.status_code == 409, refused.text

        assert (
            await core.post(f"/v1/authorizations/{pa['id']}/clear", headers=finance)
        ).status_code == 403
        cleared = await core.post(
            f"/v1/authorizations/{pa['id']}/clear",
            json={"reason": "Confirmed by phone"},
            headers=w.manager,
        )
        assert cleared.status_code == 200, cleared.text
        released = (await core.get(f"/v1/claims/{claim['id']}", headers=w.manager)).json()
        assert released["on_hold"] is False
        assert (await detail(core, w.manager, pa["id"]))["risk_events"][0]["cleared_at"]

    async def test_the_hold_and_its_clearing_re_rank_the_claim(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        member = await enrollee_login(core, w.tenant, w.member, "ngozi.rank@example.com")
        pa = await approved(core, w, urgency="EMERGENCY")
        today = str(date.today())
        cited = await make_claim(
            core, w.provider, w.member, auth_code=pa["auth_code"], service_date=today
        )
        other = await make_claim(core, w.provider, w.member, service_date=today)
        for claim in (cited, other):
            received = await core.post(
                f"/v1/claims/{claim['id']}/transitions",
                json={"to": "RECEIVED", "version": claim["version"]},
                headers=w.manager,
            )
            assert received.status_code == 200, received.text

        async def ranked() -> list[tuple[str, int]]:
            page = await core.get("/v1/claims/queue", headers=w.manager)
            assert page.status_code == 200, page.text
            return [(e["id"], e["queue_score"]) for e in page.json()["items"]]

        before = await ranked()
        assert [claim_id for claim_id, _ in before] == [other["id"], cited["id"]]
        score = dict(before)[cited["id"]]

        reported = await core.post(f"/v1/authorizations/{pa['id']}/not-me", headers=member)
        assert reported.status_code == 200, reported.text
        held = await ranked()
        assert [claim_id for claim_id, _ in held] == [cited["id"], other["id"]]
        assert held[0][1] == score + 2 * 10**12  # the hold tier, from none

        cleared = await core.post(
            f"/v1/authorizations/{pa['id']}/clear",
            json={"reason": "Confirmed by phone"},
            headers=w.manager,
        )
        assert cleared.status_code == 200, cleared.text
        assert await ranked() == before

    async def test_a_claim_citing_a_reported_code_is_held_at_once(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        member = await enrollee_login(core, w.tenant, w.member, "ngozi.early@example.com")
        pa = await approved(core, w, urgency="EMERGENCY")
        assert (
            await core.post(f"/v1/authorizations/{pa['id']}/not-me", headers=member)
        ).status_code == 200
        claim = await make_claim(
            core, w.provider, w.member, auth_code=pa["auth_code"], service_date=str(date.today())
        )
        claim = (await core.get(f"/v1/claims/{claim['id']}", headers=w.manager)).json()
        assert claim["on_hold"] is True

    async def test_only_the_cardholder_family_reports(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        stranger = await make_principal(
            core, w.tenant, w.client, w.plan, first_name="Tunde", coverage_start="2025-01-01"
        )
        other = await enrollee_login(core, w.tenant, stranger, "tunde@example.com")
        pa = await filed(core, w, urgency="EMERGENCY")
        response = await core.post(f"/v1/authorizations/{pa['id']}/not-me", headers=other)
        assert response.status_code == 404
        staff = await core.post(f"/v1/authorizations/{pa['id']}/not-me", headers=w.manager)
        assert staff.status_code == 403


class TestVisibility:
    async def test_a_provider_never_sees_another_providers_pas(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        second = await make_provider(core, name="Second Hospital")
        await link_provider(core, w.tenant, second)
        mine = await filed(core, w)
        theirs = await filed(core, w, provider=second, provider_id=second.id)

        listed = (await core.get("/v1/authorizations", headers=w.provider.user)).json()["items"]
        assert [pa["id"] for pa in listed] == [mine["id"]]
        assert (await detail(core, w.provider.user, mine["id"]))["notes"]
        for method, path, body in [
            ("GET", "", None),
            ("GET", "/attachments", None),
            ("POST", "/appeals", {"evidence": "x"}),
            ("POST", "/cancel", {}),
        ]:
            response = await core.request(
                method,
                f"/v1/authorizations/{theirs['id']}{path}",
                json=body,
                headers=w.provider.user,
            )
            assert response.status_code == 404, (path, response.text)
        staff = (await core.get("/v1/authorizations", headers=w.manager)).json()["items"]
        assert {pa["id"] for pa in staff} == {mine["id"], theirs["id"]}
        assert (await decide(core, w, mine)).status_code == 200
        assert "authorization.approved" in await types_of(core, w.provider.user)
        seen_by_second = [t for t in await types_of(core, second.user) if "authorization" in t]
        assert seen_by_second == []  # nothing about another provider's PAs
        other_hmo = await make_tenant(core)
        assert (await core.get("/v1/authorizations", headers=other_hmo.admin)).json()["items"] == []

    async def test_attachments_are_the_filing_providers(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pa = await filed(core, w)
        url = f"/v1/authorizations/{pa['id']}/attachments"
        files = {"file": ("lab.txt", b"CRP 80 mg/L", "text/plain")}
        uploaded = await core.post(url, files=files, headers=w.provider.user)
        assert uploaded.status_code == 201, uploaded.text
        assert (await core.post(url, files=files, headers=w.manager)).status_code == 403
        listed = (await core.get(url, headers=w.manager)).json()["items"]
        assert [a["filename"] for a in listed] == ["lab.txt"]
        body = await core.get(f"{url}/{listed[0]['id']}", headers=w.manager)
        assert body.content == b"CRP 80 mg/L"
        claim_side = await core.get(
            f"/v1/claims/{pa['id']}/attachments/{listed[0]['id']}", headers=w.manager
        )
        assert claim_side.status_code == 404
